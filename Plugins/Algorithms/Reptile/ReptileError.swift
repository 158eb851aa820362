/// A configuration or task Reptile cannot work with.
public enum ReptileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value outside its valid range (named, with what was expected).
    case invalidOption(name: String, value: String, expected: String)
    /// A classification task with more classes than the network has outputs.
    case tooManyWays(ways: Int, outputs: Int)
    /// Parameters without the inner optimiser state that `inner-state persistent` keeps.
    case missingInnerState(name: String, shape: [Int])

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected):
            return "reptile: option '\(name)' = \(value) is invalid, expected \(expected)"
        case .tooManyWays(let ways, let outputs):
            return "reptile: the task has \(ways) classes but the network has \(outputs) outputs "
                + "(train and evaluate with at most as many ways as the problem it was built for)"
        case .missingInnerState(let name, let shape):
            return "reptile: the parameters have no inner optimiser state '\(name)' of shape \(shape) "
                + "(inner-state persistent keeps it with the weights; parameters trained with "
                + "inner-state fresh need that option)"
        }
    }
}
