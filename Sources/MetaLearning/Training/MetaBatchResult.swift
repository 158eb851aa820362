import Autograd

/// The reduced result of one meta-batch: the mean gradient, buffers, loss
/// and metric over its tasks.
public struct MetaBatchResult: Sendable {
    /// Mean of the tasks' gradients.
    public var gradients: ParameterSet
    /// Mean of the tasks' buffers (empty when the learner keeps none).
    public var buffers: ParameterSet
    /// Mean task loss.
    public var loss: Double
    /// Mean task metric.
    public var metric: Double
    /// The number of tasks reduced.
    public var taskCount: Int

    public init(gradients: ParameterSet, loss: Double, metric: Double, taskCount: Int,
                buffers: ParameterSet = ParameterSet()) {
        self.gradients = gradients
        self.buffers = buffers
        self.loss = loss
        self.metric = metric
        self.taskCount = taskCount
    }
}
