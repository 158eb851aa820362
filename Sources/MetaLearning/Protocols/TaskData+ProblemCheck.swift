import Autograd

extension TaskData {
    /// Why this task does not fit a learner built for `problem` whose head has
    /// `outputs` units, or `nil` when it fits: inputs must be `[N] + problem.inputShape`
    /// with `N >= 1`; classification needs class targets and `ways <= outputs`;
    /// regression needs value targets of shape `[N, outputs]`.
    ///
    /// Learners call it once per task and wrap the reason in their own error:
    /// ```swift
    /// if let reason = task.mismatch(with: problem, outputs: network.head.outputs) {
    ///     throw MAMLError.taskMismatch(algorithm: name, reason: reason)
    /// }
    /// ```
    public func mismatch(with problem: ProblemSpec, outputs width: Int) -> String? {
        let sampleShape = problem.inputShape
        for (set, inputs) in [("support", supportInputs), ("query", queryInputs)] {
            guard inputs.rank == sampleShape.count + 1, Array(inputs.shape.dropFirst()) == sampleShape else {
                return "\(set) inputs have shape \(inputs.shape), expected [N] + \(sampleShape)"
            }
            guard inputs.shape[0] >= 1 else { return "the \(set) set is empty" }
        }
        switch (problem.kind, supportTargets, queryTargets) {
        case (.classification, .classes, .classes):
            guard ways <= width else { return "\(ways)-way task, but the head has \(width) outputs" }
        case (.regression, .values(let s), .values(let q)):
            guard s.shape == [supportCount, width], q.shape == [queryCount, width] else {
                return "targets \(s.shape) and \(q.shape), expected [N, \(width)]"
            }
        default:
            return "\(problem.kind) learner given \(supportTargets.labels == nil ? "value" : "class") targets"
        }
        return nil
    }
}
