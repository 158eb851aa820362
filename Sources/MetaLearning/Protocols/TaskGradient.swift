import Autograd

/// One task's contribution to a meta-gradient, with the task's loss and
/// metric for reporting. The trainer averages the `gradients` of a
/// meta-batch and hands the mean to the `MetaOptimizer`.
public struct TaskGradient: Sendable {
    /// d(meta-objective)/d(parameters), same names and shapes as the parameters.
    public var gradients: ParameterSet
    /// The task's (query) loss.
    public var loss: Double
    /// The task's metric (accuracy or MSE, per `ProblemSpec.metricName`).
    public var metric: Double

    public init(gradients: ParameterSet, loss: Double, metric: Double) {
        self.gradients = gradients
        self.loss = loss
        self.metric = metric
    }
}
