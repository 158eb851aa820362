import Autograd
import Layers
import MetaLearning

/// Prototypical Networks (Snell, Swersky & Zemel 2017).
///
/// Support and query images go through the embedding network `f` in one
/// forward batch (so batch normalisation uses the statistics of the whole
/// episode, as learn2learn's benchmark implementation does). The prototype
/// of class `k` is the mean support embedding `c_k = mean_{y_i = k} f(x_i)`
/// and the logits of a query `x` are `-‖f(x) - c_k‖²`; the loss is the
/// cross-entropy of the query labels.
///
/// Nothing depends on a fixed number of ways: a task with any `ways` works,
/// so training episodes may be wider than test episodes.
///
/// ```swift
/// let learner = ProtoNet(embedding: Conv4(variant: .protoNet, inputChannels: 1))
/// var rng = SeededGenerator(seed: 0)
/// let params = learner.initialParameters(using: &rng)
/// let logits = try learner.predict(task: task, parameters: params, using: &rng)   // [Q, ways]
/// ```
public struct ProtoNet: Learner {
    /// The embedding network `f` (a backbone without head).
    public let embedding: any Model

    /// A learner with the given embedding network.
    public init(embedding: any Model) {
        self.embedding = embedding
    }

    /// Builds the embedding from the `backbone` option for `context.problem`;
    /// throws `OptionError` for an unknown backbone and
    /// `NetworkArchitectureError.inputTooSmall` when it would produce no features.
    public init(context: AlgorithmContext) throws {
        let architecture = try NetworkArchitecture(option: context.options.string("backbone"))
        self.init(embedding: try architecture.network(for: context.problem).backbone)
    }

    public var name: String { "protonet" }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        embedding.initialParameters(using: &rng)
    }

    /// The `[ways, S]` matrix that averages support rows by class: row `k`
    /// holds `1/n_k` at the support examples of class `k`.
    static func averagingMatrix(labels: [Int32], ways: Int) throws -> Tensor {
        var counts = [Int](repeating: 0, count: ways)
        for label in labels { counts[Int(label)] += 1 }
        if let empty = counts.firstIndex(of: 0) { throw ProtoNetError.classWithoutSupport(label: empty, ways: ways) }
        var weights = [Float](repeating: 0, count: ways * labels.count)
        for (i, label) in labels.enumerated() {
            weights[Int(label) * labels.count + i] = 1 / Float(counts[Int(label)])
        }
        return Tensor(shape: [ways, labels.count], scalars: weights)
    }

    /// Query logits `[Q, ways]`: negative squared Euclidean distances from
    /// the query embeddings to the class prototypes.
    public func logits(for task: TaskData, parameters: ParameterSet) throws -> Tensor {
        let labels = try task.supportTargets.requireLabels("protonet support set")
        let average = try Self.averagingMatrix(labels: labels, ways: task.ways)
        let s = task.supportCount, q = task.queryCount
        let features = embedding.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0),
                                       parameters: parameters)
        let prototypes = average.matmul(features.slice(axis: 0, range: 0..<s))
        return -pairwiseSquaredDistance(features.slice(axis: 0, range: s..<(s + q)), prototypes)
    }

    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        let labels = try task.queryTargets.requireLabels("protonet query set")
        let p = parameters.requiringGradient()
        let logits = try logits(for: task, parameters: p)
        let loss = crossEntropy(logits: logits, labels: labels)
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: TaskMetrics.accuracy(logits: logits, labels: labels))
    }

    public func predict(task: TaskData, parameters: ParameterSet,
                        using rng: inout SeededGenerator) throws -> Tensor {
        try withoutGradient { try logits(for: task, parameters: parameters) }
    }
}
