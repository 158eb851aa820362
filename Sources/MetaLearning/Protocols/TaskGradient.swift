import Autograd

/// One task's contribution to a meta-gradient, with the task's loss and
/// metric for reporting. The trainer averages the `gradients` of a
/// meta-batch and hands the mean to the `MetaOptimizer`.
///
/// A learner may also keep *buffers*: entries of its parameter set that are
/// state rather than weights (Reptile's persistent inner-optimizer moments,
/// like PyTorch's registered buffers). A task returns their new values in
/// `buffers` (and zero `gradients` for them); after the meta-optimizer's
/// step the trainer sets each buffer to its mean over the meta-batch, in
/// task order, whatever the optimizer did to it. Buffers travel with the
/// parameters, so checkpoints, evaluation and resuming carry them.
public struct TaskGradient: Sendable {
    /// d(meta-objective)/d(parameters), same names and shapes as the parameters.
    public var gradients: ParameterSet
    /// New values of the learner's buffers after this task (empty for most
    /// learners): a subset of the parameters' names, with their shapes.
    public var buffers: ParameterSet
    /// The task's (query) loss.
    public var loss: Double
    /// The task's metric (accuracy or MSE, per `ProblemSpec.metricName`).
    public var metric: Double

    public init(gradients: ParameterSet, loss: Double, metric: Double, buffers: ParameterSet = ParameterSet()) {
        self.gradients = gradients
        self.buffers = buffers
        self.loss = loss
        self.metric = metric
    }
}
