import MetaLearning

/// Registers `"metasgd"`: MAML with a learned learning rate per parameter.
///
/// ```swift
/// var registry = PluginRegistry()
/// try registry.register(MetaSGDPlugin.self)
/// let learner = try registry.algorithm(named: "metasgd").makeLearner(problem: problem)
/// ```
public enum MetaSGDPlugin: Plugin {
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "metasgd",
            summary: "Meta-SGD: MAML with learned per-parameter inner learning rates (saved with the weights)",
            citation: "Li, Zhou, Chen & Li 2017, Meta-SGD: Learning to Learn Quickly for Few-Shot Learning, arXiv:1707.09835",
            options: MetaSGD.options,
            supportedProblems: [.classification, .regression],
            factory: { context in try MetaSGD(context: context) }))
    }
}
