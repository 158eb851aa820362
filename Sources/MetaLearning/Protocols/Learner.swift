import Autograd

/// A meta-learning algorithm, as a stateless configuration: parameters are
/// values passed in and out (equinox/optax style), so the same learner can
/// be used from several threads at once and a checkpoint is just the
/// parameters plus the optimizer state.
///
/// The trainer calls `taskGradient` once per task of a meta-batch (in
/// parallel, each with its own generator), averages the gradients in task
/// order and applies a `MetaOptimizer`. The evaluator calls `evaluate`
/// (by default: `predict`, then accuracy or MSE on the query set).
///
/// ```swift
/// struct Pretend: Learner {           // "learns" nothing, for illustration
///     let network: Network
///     var name: String { "pretend" }
///     func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
///         network.initialParameters(using: &rng)
///     }
///     func taskGradient(for task: TaskData, parameters: ParameterSet,
///                       using rng: inout SeededGenerator) throws -> TaskGradient {
///         let labels = try task.queryTargets.requireLabels("pretend")
///         let p = parameters.requiringGradient()
///         let logits = network.apply(task.queryInputs, parameters: p)
///         let loss = crossEntropy(logits: logits, labels: labels)
///         let g = gradients(of: loss, with: p)
///         return TaskGradient(gradients: g, loss: Double(loss.scalar),
///                             metric: TaskMetrics.accuracy(logits: logits, labels: labels))
///     }
///     func predict(task: TaskData, parameters: ParameterSet,
///                  using rng: inout SeededGenerator) throws -> Tensor {
///         withoutGradient { network.apply(task.queryInputs, parameters: parameters) }
///     }
/// }
/// ```
public protocol Learner: Sendable {
    /// A short name for logs and result tables (`"maml"`, `"fomaml"`).
    var name: String { get }

    /// Fresh meta-parameters, drawn from `rng` (deterministic for a given state).
    func initialParameters(using rng: inout SeededGenerator) -> ParameterSet

    /// One task's contribution to the meta-gradient, with respect to
    /// `parameters`: MAML differentiates the query loss after adaptation,
    /// Reptile returns the pseudo-gradient `theta - phi`, ProtoNet the
    /// gradient of the query loss. Same names and shapes as `parameters`.
    func taskGradient(for task: TaskData, parameters: ParameterSet,
                      using rng: inout SeededGenerator) throws -> TaskGradient

    /// Adapts to the support set and returns the query outputs: logits
    /// `[Q, ways]` for classification, values `[Q, D]` for regression.
    /// Evaluation mode: no meta-gradient is needed, so use `withoutGradient`
    /// wherever the algorithm does not differentiate internally.
    func predict(task: TaskData, parameters: ParameterSet,
                 using rng: inout SeededGenerator) throws -> Tensor

    /// The task's metric after adaptation: query accuracy in [0, 1] for
    /// classification, query MSE for regression. The default calls
    /// `predict` and `TaskMetrics.metric(outputs:targets:)`.
    func evaluate(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Double
}

extension Learner {
    /// Query accuracy (classification) or mean squared error (regression) of `predict`.
    public func evaluate(task: TaskData, parameters: ParameterSet,
                         using rng: inout SeededGenerator) throws -> Double {
        let outputs = try predict(task: task, parameters: parameters, using: &rng)
        return try TaskMetrics.metric(outputs: outputs, targets: task.queryTargets)
    }
}
