/// Optimizer state that does not fit the optimizer or the parameters, as
/// when resuming from a checkpoint written by another configuration.
public enum OptimizerStateError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongOptimizer(expected: String, found: String)
    case missingArray(optimizer: String, name: String)
    case unexpectedArray(optimizer: String, name: String)
    case shapeMismatch(optimizer: String, name: String, expected: [Int], found: [Int])
    case missingScalar(optimizer: String, name: String)

    public var description: String {
        switch self {
        case .wrongOptimizer(let e, let f): return "optimizer state is for '\(f)', expected '\(e)'"
        case .missingArray(let o, let n): return "\(o) state: array '\(n)' is missing"
        case .unexpectedArray(let o, let n): return "\(o) state: unexpected array '\(n)'"
        case .shapeMismatch(let o, let n, let e, let f): return "\(o) state: array '\(n)' has shape \(f), expected \(e)"
        case .missingScalar(let o, let n): return "\(o) state: scalar '\(n)' is missing"
        }
    }
}
