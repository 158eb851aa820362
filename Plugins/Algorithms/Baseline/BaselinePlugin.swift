import MetaLearning

/// Registers `"baseline"`: the fine-tuning baseline of Chen et al. 2019
/// ("Baseline", and "Baseline++" with `classifier=cosine`).
///
/// Meta-training is plain supervised pre-training: every training task's
/// support and query examples are classified among all
/// `trainingClasses` classes (their global labels). To predict, the
/// backbone is frozen and a new `ways`-output classifier is fitted on the
/// support features for `finetune-steps` full-batch steps.
public enum BaselinePlugin: Plugin {
    /// The declared options.
    public static let options: [OptionSpec] = [
        .string("backbone", default: NetworkArchitecture.conv4ProtoNet.rawValue,
                help: "feature network: conv4-protonet (default, the paper's Conv-4), conv4-maml, mlp or auto"),
        .string("classifier", default: Baseline.Classifier.linear.rawValue,
                help: "linear (Baseline) or cosine (Baseline++: scaled cosine similarity to class weight vectors)"),
        .string("finetune-optimizer", default: Baseline.FineTuneOptimizer.sgd.rawValue,
                help: "optimiser of the new classifier: sgd (momentum 0.9, weight decay 0.001) or adam"),
        .int("finetune-steps", default: 100, help: "full-batch steps fitting the new classifier on the support set"),
        .double("finetune-lr", default: 0.01, help: "learning rate of the new classifier"),
    ]

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "baseline",
            summary: "pre-train a classifier on all training classes, fit a new head on each task's support set",
            citation: "Chen, Liu, Kira, Wang & Huang 2019, A Closer Look at Few-shot Classification, ICLR",
            options: options,
            supportedProblems: [.classification],
            factory: { context in try Baseline(context: context) }))
    }
}
