/// An ANIL learner that cannot be built from its options, or a task that
/// does not fit the learner's network.
public enum ANILError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value that parses but is out of range.
    case invalidOption(option: String, value: String, requirement: String)
    /// A task whose shapes do not fit the network built for the learner's problem.
    case taskMismatch(reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let value, let requirement):
            return "algorithm 'anil': option '\(option)' is \(value), expected \(requirement)"
        case .taskMismatch(let reason):
            return "algorithm 'anil': task does not fit the network: \(reason)"
        }
    }
}
