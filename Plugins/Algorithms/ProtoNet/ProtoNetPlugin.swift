import MetaLearning

/// Registers `"protonet"`: Prototypical Networks (Snell, Swersky & Zemel 2017).
///
/// Options: `backbone` (default `conv4-protonet`, the paper's four-block
/// network with max pooling; `mlp` for vector inputs). The learner has no
/// `ways` option: prototypes come from each task's support set, so training
/// episodes may have more ways than test episodes (the paper trains
/// 20-way / 30-way and tests 5-way); the episode sampler decides
/// (`metalearn train --train-ways`).
///
/// ```swift
/// var registry = PluginRegistry()
/// try registry.register(ProtoNetPlugin.self)
/// let learner = try registry.algorithm(named: "protonet").makeLearner(problem: problem)
/// ```
public enum ProtoNetPlugin: Plugin {
    /// The declared options.
    public static let options: [OptionSpec] = [
        .string("backbone", default: NetworkArchitecture.conv4ProtoNet.rawValue,
                help: "embedding network: conv4-protonet (default), conv4-maml, mlp or auto"),
    ]

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "protonet",
            summary: "prototypical networks: softmax over negative squared distances to class-mean embeddings",
            citation: "Snell, Swersky & Zemel 2017, Prototypical Networks for Few-shot Learning, NeurIPS",
            options: options,
            supportedProblems: [.classification],
            factory: { context in try ProtoNet(context: context) }))
    }
}
