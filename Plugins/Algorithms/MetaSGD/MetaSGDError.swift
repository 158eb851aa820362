/// A Meta-SGD learner that cannot be built from its options, parameters
/// without their learning rates, or a task that does not fit the network.
public enum MetaSGDError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value that parses but is out of range.
    case invalidOption(option: String, value: String, requirement: String)
    /// A weight has no learning-rate tensor `lr/<name>` of its shape (for
    /// example, parameters of a MAML checkpoint given to Meta-SGD).
    case missingLearningRate(parameter: String, expectedShape: [Int])
    /// A task whose shapes do not fit the network built for the learner's problem.
    case taskMismatch(reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let value, let requirement):
            return "algorithm 'metasgd': option '\(option)' is \(value), expected \(requirement)"
        case .missingLearningRate(let parameter, let shape):
            return "algorithm 'metasgd': parameters lack the learning-rate tensor '\(MetaSGD.learningRatePrefix)\(parameter)' "
                + "of shape \(shape)"
        case .taskMismatch(let reason):
            return "algorithm 'metasgd': task does not fit the network: \(reason)"
        }
    }
}
