import Autograd
import Layers
import MetaLearning

/// Neighbourhood Component Analysis (Goldberger, Hinton, Roweis &
/// Salakhutdinov 2004) used as a few-shot learner, as Laenen & Bertinetto
/// (2021) propose: the "non-episodic" counterpart of Prototypical Networks.
///
/// Training ignores the support/query split: all `n` examples of a task
/// are embedded in one batch and each example `i` is classified by a
/// softmax over its similarity `-‖z_i - z_j‖² / τ` to every other example
/// `j`; the loss is
/// `-(1/n) Σ_i log( Σ_{j≠i, y_j = y_i} e^{-‖z_i - z_j‖²/τ} / Σ_{j≠i} e^{-‖z_i - z_j‖²/τ} )`.
/// Every pair of the batch contributes, where ProtoNet uses only
/// query-to-prototype pairs. Prediction uses the nearest class mean of the
/// support embeddings, as Prototypical Networks do.
///
/// ```swift
/// let nca = try NCA(embedding: Conv4(variant: .protoNet, inputChannels: 1), temperature: 1)
/// ```
public struct NCA: Learner {
    /// The embedding network (a backbone without head).
    public let embedding: any Model
    /// Squared distances are divided by this.
    public let temperature: Float

    /// Throws `NCAError.invalidTemperature` unless `temperature` is positive.
    public init(embedding: any Model, temperature: Float = 1) throws {
        guard temperature > 0, temperature.isFinite else { throw NCAError.invalidTemperature(Double(temperature)) }
        self.embedding = embedding
        self.temperature = temperature
    }

    /// Builds the embedding from the `backbone` option and reads `temperature`;
    /// throws `NetworkArchitectureError.inputTooSmall` when the backbone would
    /// leave no features.
    public init(context: AlgorithmContext) throws {
        let architecture = try NetworkArchitecture(option: context.options.string("backbone"))
        try self.init(embedding: architecture.network(for: context.problem).backbone,
                      temperature: Float(context.options.double("temperature")))
    }

    public var name: String { "nca" }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        embedding.initialParameters(using: &rng)
    }

    /// The embeddings of all examples of `task`, support first, in one forward batch.
    public func embeddings(of task: TaskData, parameters: ParameterSet) -> Tensor {
        embedding.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0), parameters: parameters)
    }

    /// The NCA loss of embeddings `z` (`[n, D]`) with class `labels`.
    public func loss(embeddings z: Tensor, labels: [Int32]) throws -> Tensor {
        let similarity = pairwiseSquaredDistance(z, z) * (-1 / temperature)
        let (others, sameClass) = try Self.masks(labels)
        return (Self.logSumExp(similarity + others) - Self.logSumExp(similarity + sameClass)).mean()
    }

    /// Additive masks `[n, n]`: 0 where a pair counts, -1e30 where it does not.
    /// `others` excludes `j = i`; `sameClass` also excludes `y_j ≠ y_i`.
    static func masks(_ labels: [Int32]) throws -> (others: Tensor, sameClass: Tensor) {
        let n = labels.count
        var others = [Float](repeating: 0, count: n * n)
        var sameClass = [Float](repeating: -1e30, count: n * n)
        for i in 0..<n {
            others[i * n + i] = -1e30
            var neighbours = 0
            for j in 0..<n where j != i && labels[j] == labels[i] {
                sameClass[i * n + j] = 0
                neighbours += 1
            }
            if neighbours == 0 { throw NCAError.classWithoutNeighbour(label: labels[i]) }
        }
        return (Tensor(shape: [n, n], scalars: others), Tensor(shape: [n, n], scalars: sameClass))
    }

    /// `log Σ_j exp(x_ij)` per row, stable: the row maximum (a constant for
    /// the gradient, which is exact because the result does not depend on it)
    /// is taken out before exponentiating.
    static func logSumExp(_ x: Tensor) -> Tensor {
        let m = x.max(axes: [1], keepingDimensions: true).detached()
        return (x - m).exp().sum(axes: [1], keepingDimensions: true).log() + m
    }

    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        let labels = try task.supportTargets.requireLabels("nca support set")
            + task.queryTargets.requireLabels("nca query set")
        let p = parameters.requiringGradient()
        let z = embeddings(of: task, parameters: p)
        let loss = try loss(embeddings: z, labels: labels)
        let logits = try withoutGradient { try self.logits(embeddings: z.detached(), task: task) }
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: try TaskMetrics.metric(outputs: logits, targets: task.queryTargets))
    }

    /// Query logits `[Q, ways]` from the task's embeddings (support first):
    /// `-‖z_q - c_k‖² / τ` for the support class means `c_k`.
    public func logits(embeddings z: Tensor, task: TaskData) throws -> Tensor {
        let labels = try task.supportTargets.requireLabels("nca support set")
        var counts = [Float](repeating: 0, count: task.ways)
        for label in labels { counts[Int(label)] += 1 }
        if let empty = counts.firstIndex(of: 0) { throw NCAError.classWithoutSupport(label: empty) }
        let average = Tensor.oneHot(labels, classes: task.ways).transposed()
            / Tensor(shape: [task.ways, 1], scalars: counts)
        let s = task.supportCount, q = task.queryCount
        let means = average.matmul(z.slice(axis: 0, range: 0..<s))
        return pairwiseSquaredDistance(z.slice(axis: 0, range: s..<(s + q)), means) * (-1 / temperature)
    }

    public func predict(task: TaskData, parameters: ParameterSet,
                        using rng: inout SeededGenerator) throws -> Tensor {
        try withoutGradient { try logits(embeddings: embeddings(of: task, parameters: parameters), task: task) }
    }
}
