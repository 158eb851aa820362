/// A MAML (or FOMAML) learner that cannot be built from its options, or a
/// task that does not fit the learner's network.
public enum MAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value that parses but is out of range, such as a negative step count.
    case invalidOption(algorithm: String, option: String, value: String, requirement: String)
    /// A task whose shapes do not fit the network built for the learner's problem.
    case taskMismatch(algorithm: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let algorithm, let option, let value, let requirement):
            return "algorithm '\(algorithm)': option '\(option)' is \(value), expected \(requirement)"
        case .taskMismatch(let algorithm, let reason):
            return "algorithm '\(algorithm)': task does not fit the network: \(reason)"
        }
    }
}
