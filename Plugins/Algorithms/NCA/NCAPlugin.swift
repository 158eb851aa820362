import MetaLearning

/// Registers `"nca"`: Neighbourhood Component Analysis as a few-shot
/// learner (Goldberger et al. 2004; Laenen & Bertinetto 2021), the example
/// plugin of `docs/adding-an-algorithm.md`.
///
/// Options: `backbone` (default `conv4-protonet`) and `temperature`
/// (squared distances are divided by it; default 1).
public enum NCAPlugin: Plugin {
    /// The declared options.
    public static let options: [OptionSpec] = [
        .string("backbone", default: NetworkArchitecture.conv4ProtoNet.rawValue,
                help: "embedding network: conv4-protonet (default), conv4-maml, mlp or auto"),
        .double("temperature", default: 1, help: "squared distances are divided by this before the softmax"),
    ]

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "nca",
            summary: "neighbourhood component analysis: every example of a task is a query for all the others",
            citation: "Laenen & Bertinetto 2021, On Episodes, Prototypical Networks, and Few-Shot Learning, NeurIPS",
            options: options,
            supportedProblems: [.classification],
            factory: { context in try NCA(context: context) }))
    }
}
