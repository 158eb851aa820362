import Autograd

/// The targets of a support or query set: episode class labels for
/// classification, a value tensor for regression.
public enum Targets: Sendable {
    /// Episode labels in `0..<ways`, one per sample.
    case classes([Int32])
    /// Target values `[S, outputDimension]`.
    case values(Tensor)

    /// The number of samples the targets describe.
    public var count: Int {
        switch self {
        case .classes(let labels): return labels.count
        case .values(let t): return t.shape.first ?? 0
        }
    }

    /// The labels of a classification set, or `nil` for regression targets.
    public var labels: [Int32]? {
        if case .classes(let l) = self { return l }
        return nil
    }

    /// The value tensor of a regression set, or `nil` for class labels.
    public var values: Tensor? {
        if case .values(let t) = self { return t }
        return nil
    }

    /// The labels, or a `TaskDataError.wrongTargetKind` naming `context`.
    public func requireLabels(_ context: String) throws -> [Int32] {
        guard let l = labels else { throw TaskDataError.wrongTargetKind(context, expected: .classification) }
        return l
    }

    /// The values, or a `TaskDataError.wrongTargetKind` naming `context`.
    public func requireValues(_ context: String) throws -> Tensor {
        guard let v = values else { throw TaskDataError.wrongTargetKind(context, expected: .regression) }
        return v
    }
}
