import MetaLearning

/// Registers `"anil"`: MAML whose inner loop adapts only the network's head.
///
/// ```swift
/// var registry = PluginRegistry()
/// try registry.register(ANILPlugin.self)
/// let learner = try registry.algorithm(named: "anil").makeLearner(problem: problem, options: ["inner-lr": "0.4"])
/// ```
public enum ANILPlugin: Plugin {
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "anil",
            summary: "almost no inner loop: MAML that adapts only the head, body features computed once per task",
            citation: "Raghu, Raghu, Bengio & Vinyals 2020, Rapid Learning or Feature Reuse? Towards Understanding "
                + "the Effectiveness of MAML, ICLR",
            options: ANIL.options,
            supportedProblems: [.classification, .regression],
            factory: { context in try ANIL(context: context) }))
    }
}
