import MetaLearning

/// Registers `"matchingnet"`: Matching Networks (Vinyals et al. 2016)
/// without full-context embeddings.
///
/// Options: `backbone` (default `conv4-protonet`, the paper's four blocks of
/// 64 filters with max pooling) and `scale` (cosine similarities are
/// multiplied by it before the attention softmax; 1 is the paper's plain
/// cosine attention).
public enum MatchingNetPlugin: Plugin {
    /// The declared options.
    public static let options: [OptionSpec] = [
        .string("backbone", default: NetworkArchitecture.conv4ProtoNet.rawValue,
                help: "embedding network: conv4-protonet (default), conv4-maml, mlp or auto"),
        .double("scale", default: 1,
                help: "factor on the cosine similarities before the attention softmax (1: Vinyals et al.)"),
    ]

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "matchingnet",
            summary: "matching networks: cosine attention over the support set (no full-context embeddings)",
            citation: "Vinyals, Blundell, Lillicrap, Kavukcuoglu & Wierstra 2016, Matching Networks for One Shot Learning, NeurIPS",
            options: options,
            supportedProblems: [.classification],
            factory: { context in try MatchingNet(context: context) }))
    }
}
