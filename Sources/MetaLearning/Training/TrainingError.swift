/// A training or evaluation run that cannot proceed as configured.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value out of range.
    case invalidConfiguration(String)
    /// A checkpoint written by another optimizer.
    case optimizerMismatch(expected: String, found: String)
    /// A checkpoint or state of another seed.
    case seedMismatch(expected: UInt64, found: UInt64)
    /// A checkpoint whose `rngState` is not a seeded generator state.
    case invalidRNGState([UInt64])
    /// Checkpoint parameters that do not match the learner's.
    case parameterMismatch(String)
    /// A learner returned a buffer that is not one of the parameters (name and shape).
    case unknownBuffer(name: String, shape: [Int])
    /// An evaluation over an unbounded distribution without explicit indices.
    case unboundedEvaluation

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "training configuration: \(m)"
        case .optimizerMismatch(let e, let f): return "checkpoint optimizer is '\(f)', expected '\(e)'"
        case .seedMismatch(let e, let f): return "checkpoint seed is \(f), expected \(e)"
        case .invalidRNGState(let s): return "checkpoint rngState \(s) is not the state of a seeded generator"
        case .parameterMismatch(let m): return "checkpoint parameters: \(m)"
        case .unknownBuffer(let name, let shape):
            return "learner returned buffer '\(name)' of shape \(shape), which is not a parameter of that shape"
        case .unboundedEvaluation:
            return "evaluation: the task distribution is unbounded, give the episode indices to evaluate"
        }
    }
}
