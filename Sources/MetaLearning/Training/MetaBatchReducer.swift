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
    /// order). All gradients must share names and shapes (a precondition).
    public func reduce(_ contributions: [TaskGradient]) -> MetaBatchResult {
        precondition(!contributions.isEmpty, "MetaBatchReducer: a meta-batch needs at least one task")
        let first = contributions[0].gradients
        var sums = first.tensors.map { $0.scalars }
        for contribution in contributions.dropFirst() {
            let g = contribution.gradients
            precondition(g.names == first.names, "MetaBatchReducer: gradient names differ between tasks")
            for i in 0..<sums.count {
                let add = g.tensors[i].scalars
                precondition(add.count == sums[i].count, "MetaBatchReducer: gradient '\(g.names[i])' sizes differ")
                sums[i].withUnsafeMutableBufferPointer { s in
                    add.withUnsafeBufferPointer { a in
                        for k in 0..<s.count { s[k] = s[k] + a[k] }
                    }
                }
            }
        }
        let count = Float(contributions.count)
        var pairs: [(String, Tensor)] = []
        pairs.reserveCapacity(sums.count)
        for i in 0..<sums.count {
            sums[i].withUnsafeMutableBufferPointer { s in
                for k in 0..<s.count { s[k] = s[k] / count }
            }
            pairs.append((first.names[i], Tensor(shape: first.tensors[i].shape, scalars: sums[i])))
        }
        var loss = 0.0, metric = 0.0
        for c in contributions {
            loss += c.loss
            metric += c.metric
        }
        let n = Double(contributions.count)
        return MetaBatchResult(gradients: ParameterSet(pairs), loss: loss / n, metric: metric / n,
                               taskCount: contributions.count)
    }
}
