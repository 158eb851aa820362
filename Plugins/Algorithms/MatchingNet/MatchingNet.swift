import Autograd
import Layers
import MetaLearning

/// Matching Networks (Vinyals et al. 2016), the simple variant without
/// full-context embeddings (no LSTMs over the support set): the same
/// embedding `f` for support and query examples.
///
/// Support and query inputs are embedded in one forward batch. A query `x`
/// attends to every support example with
/// `a(x, x_i) = softmax_i(scale · cos(f(x), f(x_i)))`; its prediction is
/// the attention-weighted sum of the support one-hot labels,
/// `ŷ = Σ_i a(x, x_i) y_i`, and the loss is `-log ŷ_label`. `predict`
/// returns `log ŷ` (clamped at `log 1e-30`), which is `[Q, ways]` and
/// whose arg-max is the predicted class.
///
/// ```swift
/// let learner = try MatchingNet(embedding: Conv4(variant: .protoNet, inputChannels: 1))
/// let logProbabilities = try learner.predict(task: task, parameters: params, using: &rng)
/// ```
public struct MatchingNet: Learner {
    /// The embedding network `f` (a backbone without head).
    public let embedding: any Model
    /// The factor applied to cosine similarities before the softmax.
    public let scale: Float

    /// Throws `MatchingNetError.invalidScale` for a non-positive scale.
    public init(embedding: any Model, scale: Float = 1) throws {
        guard scale > 0, scale.isFinite else { throw MatchingNetError.invalidScale(Double(scale)) }
        self.embedding = embedding
        self.scale = scale
    }

    /// Builds the embedding from the `backbone` option for `context.problem`
    /// and reads `scale`; throws `NetworkArchitectureError.inputTooSmall` when
    /// the backbone would leave no features.
    public init(context: AlgorithmContext) throws {
        let architecture = try NetworkArchitecture(option: context.options.string("backbone"))
        try self.init(embedding: architecture.network(for: context.problem).backbone,
                      scale: Float(context.options.double("scale")))
    }

    public var name: String { "matchingnet" }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        embedding.initialParameters(using: &rng)
    }

    /// `log ŷ` for the queries, `[Q, ways]`: the log of the attention-weighted
    /// sum of support one-hot labels.
    public func logProbabilities(for task: TaskData, parameters: ParameterSet) throws -> Tensor {
        let labels = try task.supportTargets.requireLabels("matchingnet support set")
        let s = task.supportCount, q = task.queryCount
        let features = embedding.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0),
                                       parameters: parameters)
        let similarity = cosineSimilarity(features.slice(axis: 0, range: s..<(s + q)),
                                          features.slice(axis: 0, range: 0..<s))
        let attention = (similarity * scale).softmax(axis: 1)                     // [Q, S]
        let prediction = attention.matmul(Tensor.oneHot(labels, classes: task.ways)) // [Q, ways]
        return (prediction + 1e-30).log()
    }

    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        let labels = try task.queryTargets.requireLabels("matchingnet query set")
        let p = parameters.requiringGradient()
        let logProbabilities = try logProbabilities(for: task, parameters: p)
        // ŷ sums to one, so the cross-entropy of log ŷ is exactly -log ŷ_label.
        let loss = crossEntropy(logits: logProbabilities, labels: labels)
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: TaskMetrics.accuracy(logits: logProbabilities, labels: labels))
    }

    public func predict(task: TaskData, parameters: ParameterSet,
                        using rng: inout SeededGenerator) throws -> Tensor {
        try withoutGradient { try logProbabilities(for: task, parameters: parameters) }
    }
}
