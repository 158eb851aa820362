/// A task whose parts do not fit together, or that does not fit a learner.
public enum TaskDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Input rows and target count differ.
    case countMismatch(String, inputs: Int, targets: Int)
    /// A label outside `0..<ways`.
    case labelOutOfRange(String, label: Int32, ways: Int)
    /// A learner of one problem kind was given targets of the other.
    case wrongTargetKind(String, expected: ProblemSpec.Kind)
    /// An episode or task index outside what the distribution holds.
    case indexOutOfRange(String, index: Int, count: Int)
    /// The class map does not have `ways` entries.
    case classMapMismatch(String, ways: Int, classes: Int)

    public var description: String {
        switch self {
        case .countMismatch(let c, let i, let t): return "\(c): \(i) input rows but \(t) targets"
        case .labelOutOfRange(let c, let l, let w): return "\(c): label \(l) outside 0..<\(w)"
        case .wrongTargetKind(let c, let e): return "\(c): expected \(e) targets"
        case .indexOutOfRange(let c, let i, let n): return "\(c): index \(i) outside 0..<\(n)"
        case .classMapMismatch(let c, let w, let n): return "\(c): \(w) ways but \(n) entries in the class map"
        }
    }
}
