import Autograd
import Layers
import MetaLearning

/// The fine-tuning baseline of Chen, Liu, Kira, Wang & Huang 2019,
/// "A Closer Look at Few-shot Classification".
///
/// - Training (`taskGradient`): the backbone `f` and a classifier over all
///   `trainingClasses` global classes are trained with cross-entropy on
///   every example of the task (support and query, global labels
///   `task.supportGlobalLabels` / `task.queryGlobalLabels`). Episodes are
///   only a way to feed batches; the loss ignores the episode structure.
/// - Prediction: support and query features are computed in one batch with
///   the backbone frozen (no gradient), a new `ways`-output classifier is
///   initialised from the learner's generator and fitted on the support
///   features with `fineTuneSteps` full-batch steps, then applied to the
///   query features.
///
/// `classifier == .linear` is "Baseline" (`W f(x) + b`); `.cosine` is
/// "Baseline++": `s · g_k · cos(f(x), w_k)` with a learnable per-class norm
/// `g_k` (Chen et al.'s weight normalisation) and the paper's fixed scale
/// `s` = 2 for at most 200 classes, 10 above.
///
/// ```swift
/// let baseline = try Baseline(backbone: Conv4(variant: .protoNet, inputChannels: 1), featureDimension: 64,
///                             trainingClasses: 64)
/// ```
public struct Baseline: Learner {
    /// The two classifiers.
    public enum Classifier: String, Sendable, Equatable, CaseIterable {
        case linear, cosine
    }

    /// The optimisers of the fine-tuned classifier.
    public enum FineTuneOptimizer: String, Sendable, Equatable, CaseIterable {
        case sgd, adam
    }

    /// The feature network `f`.
    public let backbone: any Model
    /// Width of `f`'s output.
    public let featureDimension: Int
    /// The number of global classes the pre-training classifier covers.
    public let trainingClasses: Int
    /// Linear (Baseline) or cosine (Baseline++) classifier.
    public let classifier: Classifier
    /// Optimiser of the new classifier at prediction time.
    public let fineTuneOptimizer: FineTuneOptimizer
    /// Full-batch steps on the support features.
    public let fineTuneSteps: Int
    /// Learning rate of the new classifier.
    public let fineTuneLearningRate: Double

    /// Throws `BaselineError.invalidOption` for fewer than one training class,
    /// a negative step count or a non-positive learning rate.
    public init(backbone: any Model, featureDimension: Int, trainingClasses: Int, classifier: Classifier = .linear,
                fineTuneOptimizer: FineTuneOptimizer = .sgd, fineTuneSteps: Int = 100,
                fineTuneLearningRate: Double = 0.01) throws {
        guard trainingClasses >= 1 else {
            throw BaselineError.invalidOption(name: "trainingClasses", value: "\(trainingClasses)",
                                              expected: "at least one training class")
        }
        guard featureDimension >= 1 else {
            throw BaselineError.invalidOption(name: "featureDimension", value: "\(featureDimension)",
                                              expected: "a positive feature width")
        }
        guard fineTuneSteps >= 0 else {
            throw BaselineError.invalidOption(name: "finetune-steps", value: "\(fineTuneSteps)", expected: "a count >= 0")
        }
        guard fineTuneLearningRate > 0 else {
            throw BaselineError.invalidOption(name: "finetune-lr", value: "\(fineTuneLearningRate)",
                                              expected: "a positive learning rate")
        }
        self.backbone = backbone
        self.featureDimension = featureDimension
        self.trainingClasses = trainingClasses
        self.classifier = classifier
        self.fineTuneOptimizer = fineTuneOptimizer
        self.fineTuneSteps = fineTuneSteps
        self.fineTuneLearningRate = fineTuneLearningRate
    }

    /// Builds the backbone from the `backbone` option for `context.problem`
    /// (the training distribution's, whose `trainingClasses` sizes the
    /// pre-training classifier) and reads the other options.
    public init(context: AlgorithmContext) throws {
        let options = context.options
        guard case .classification(_, _, _, _, let classes) = context.problem else {
            throw PluginRegistryError.unsupportedProblem(algorithm: "baseline", problem: context.problem.kind)
        }
        let architecture = try NetworkArchitecture(option: options.string("backbone"))
        let classifierName = try options.string("classifier")
        guard let classifier = Classifier(rawValue: classifierName) else {
            throw BaselineError.invalidOption(name: "classifier", value: classifierName, expected: "linear or cosine")
        }
        let optimizerName = try options.string("finetune-optimizer")
        guard let optimizer = FineTuneOptimizer(rawValue: optimizerName) else {
            throw BaselineError.invalidOption(name: "finetune-optimizer", value: optimizerName, expected: "sgd or adam")
        }
        let network = try architecture.network(for: context.problem)
        try self.init(backbone: network.backbone, featureDimension: network.head.inputs, trainingClasses: classes,
                      classifier: classifier, fineTuneOptimizer: optimizer,
                      fineTuneSteps: options.int("finetune-steps"),
                      fineTuneLearningRate: options.double("finetune-lr"))
    }

    public var name: String { "baseline" }

    /// Chen et al.'s scale of cosine logits: 2 for at most 200 classes, 10 above.
    static func cosineScale(classes: Int) -> Float { classes <= 200 ? 2 : 10 }

    /// A fresh classifier with `classes` outputs under the names
    /// `"<prefix>.weight"` and `"<prefix>.bias"` (linear) or
    /// `"<prefix>.weight"` and `"<prefix>.norm"` (cosine, `g_k = ‖w_k‖` at
    /// the start, as weight normalisation initialises it).
    public func initialClassifier(classes: Int, prefix: String, using rng: inout SeededGenerator) -> ParameterSet {
        let linear = Linear(inputs: featureDimension, outputs: classes, name: prefix)
        let p = linear.initialParameters(using: &rng)
        switch classifier {
        case .linear:
            return p
        case .cosine:
            let weight = p[linear.weightName]!
            let norms = weight.squared().sum(axes: [1]).sqrt()
            return ParameterSet([(linear.weightName, weight), ("\(prefix).norm", norms)])
        }
    }

    /// The logits of the classifier stored under `prefix` in `parameters`
    /// (`"head"`: pre-training, `"task"`: fine-tuned) for `features` (`[N, featureDimension]`).
    public func classifierLogits(_ features: Tensor, parameters: ParameterSet, prefix: String) -> Tensor {
        let weight = parameters["\(prefix).weight"]!
        switch classifier {
        case .linear:
            return features.matmul(weight.transposed()) + parameters["\(prefix).bias"]!
        case .cosine:
            let norm = parameters["\(prefix).norm"]!
            let scale = Self.cosineScale(classes: weight.shape[0])
            return cosineSimilarity(features, weight) * (norm.reshaped([1, weight.shape[0]]) * scale)
        }
    }

    /// Backbone parameters followed by the pre-training classifier (`"head.*"`).
    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        let body = backbone.initialParameters(using: &rng)
        let head = initialClassifier(classes: trainingClasses, prefix: "head", using: &rng)
        return ParameterSet(Array(zip(body.names, body.tensors)) + Array(zip(head.names, head.tensors)))
    }

    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        guard let support = task.supportGlobalLabels, let query = task.queryGlobalLabels else {
            throw TaskDataError.wrongTargetKind("baseline task", expected: .classification)
        }
        let labels = support + query
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= trainingClasses }) {
            throw BaselineError.globalLabelOutOfRange(label: bad, trainingClasses: trainingClasses)
        }
        let p = parameters.requiringGradient()
        let features = backbone.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0), parameters: p)
        let logits = classifierLogits(features, parameters: p, prefix: "head")
        let loss = crossEntropy(logits: logits, labels: labels)
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: TaskMetrics.accuracy(logits: logits, labels: labels))
    }

    /// The new `ways`-output classifier fitted on `features` (support
    /// features, constants) with `fineTuneSteps` full-batch steps.
    public func fineTunedClassifier(features: Tensor, labels: [Int32], ways: Int,
                                    using rng: inout SeededGenerator) -> ParameterSet {
        let optimizer: any MetaOptimizer = switch fineTuneOptimizer {
        case .sgd: SGD(learningRate: fineTuneLearningRate, momentum: 0.9, weightDecay: 0.001)
        case .adam: Adam(learningRate: fineTuneLearningRate)
        }
        var head = initialClassifier(classes: ways, prefix: "task", using: &rng)
        var state = optimizer.initialState(for: head)
        for _ in 0..<fineTuneSteps {
            let p = head.requiringGradient()
            let loss = crossEntropy(logits: classifierLogits(features, parameters: p, prefix: "task"), labels: labels)
            (head, state) = optimizer.update(parameters: head, gradients: gradients(of: loss, with: p), state: state)
        }
        return head
    }

    public func predict(task: TaskData, parameters: ParameterSet,
                        using rng: inout SeededGenerator) throws -> Tensor {
        let labels = try task.supportTargets.requireLabels("baseline support set")
        let s = task.supportCount, q = task.queryCount
        let features = withoutGradient {
            backbone.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0), parameters: parameters)
        }
        let head = fineTunedClassifier(features: features.slice(axis: 0, range: 0..<s), labels: labels,
                                       ways: task.ways, using: &rng)
        return withoutGradient { classifierLogits(features.slice(axis: 0, range: s..<(s + q)), parameters: head, prefix: "task") }
    }
}
