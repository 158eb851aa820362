import MetaLearning

/// Registers `"maml"` (second order by default, option `first-order`) and
/// `"fomaml"` (the same learner, always first order).
///
/// ```swift
/// var registry = PluginRegistry()
/// try registry.register(MAMLPlugin.self)
/// let maml = try registry.algorithm(named: "maml").makeLearner(problem: problem, options: ["inner-steps": "1"])
/// ```
public enum MAMLPlugin: Plugin {
    /// The paper, for listings and result tables.
    public static let citation =
        "Finn, Abbeel & Levine 2017, Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks, ICML"

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "maml",
            summary: "model-agnostic meta-learning: differentiate through inner SGD steps (second order)",
            citation: citation,
            options: MAML.options(includingFirstOrder: true),
            supportedProblems: [.classification, .regression],
            factory: { context in try MAML(context: context) }))
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "fomaml",
            summary: "first-order MAML: query gradient at the adapted weights, no second-order terms",
            citation: citation + " (first-order approximation, Section 5.2)",
            options: MAML.options(includingFirstOrder: false),
            supportedProblems: [.classification, .regression],
            factory: { context in try MAML(context: context, firstOrder: true) }))
    }
}
