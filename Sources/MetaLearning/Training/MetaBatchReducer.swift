import Autograd

/// The one place where per-task gradients of a meta-batch are combined:
/// summed in task-index order, then divided by the number of tasks. Because
/// the order is fixed, the result does not depend on which thread (or,
/// later, which MPI rank) computed which task.
///
/// This is the seam for scaling out: a distributed run replaces the local
/// list by an all-gather in rank order and calls the same `reduce`.
public struct MetaBatchReducer: Sendable {
    public init() {}

    /// The mean of `contributions` (in the given order, which must be task-index
    /// order): gradients, buffers, loss and metric. All gradients (and all
    /// buffers) must share names and shapes (a precondition).
    public func reduce(_ contributions: [TaskGradient]) -> MetaBatchResult {
        precondition(!contributions.isEmpty, "MetaBatchReducer: a meta-batch needs at least one task")
        var loss = 0.0, metric = 0.0
        for c in contributions {
            loss += c.loss
            metric += c.metric
        }
        let n = Double(contributions.count)
        return MetaBatchResult(gradients: Self.mean(contributions.map(\.gradients), of: "gradient"),
                               loss: loss / n, metric: metric / n, taskCount: contributions.count,
                               buffers: Self.mean(contributions.map(\.buffers), of: "buffer"))
    }

    /// The element-wise mean of `sets`, summed in order, then divided by the count.
    static func mean(_ sets: [ParameterSet], of kind: String) -> ParameterSet {
        let first = sets[0]
        var sums = first.tensors.map { $0.scalars }
        for set in sets.dropFirst() {
            precondition(set.names == first.names, "MetaBatchReducer: \(kind) names differ between tasks")
            for i in 0..<sums.count {
                let add = set.tensors[i].scalars
                precondition(add.count == sums[i].count, "MetaBatchReducer: \(kind) '\(set.names[i])' sizes differ")
                sums[i].withUnsafeMutableBufferPointer { s in
                    add.withUnsafeBufferPointer { a in
                        for k in 0..<s.count { s[k] = s[k] + a[k] }
                    }
                }
            }
        }
        let count = Float(sets.count)
        var pairs: [(String, Tensor)] = []
        pairs.reserveCapacity(sums.count)
        for i in 0..<sums.count {
            sums[i].withUnsafeMutableBufferPointer { s in
                for k in 0..<s.count { s[k] = s[k] / count }
            }
            pairs.append((first.names[i], Tensor(shape: first.tensors[i].shape, scalars: sums[i])))
        }
        return ParameterSet(pairs)
    }
}
