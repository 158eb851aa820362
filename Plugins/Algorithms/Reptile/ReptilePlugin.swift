import MetaLearning

/// Registers `"reptile"`: Reptile (Nichol, Achiam & Schulman 2018), batched version.
///
/// `taskGradient` returns the pseudo-gradient `θ − φ` (`φ`: the weights after
/// `inner-steps` optimiser steps on the support set). The trainer averages
/// it over the meta-batch and the meta-optimizer applies it: with
/// `SGD(learningRate: ε)` that is exactly `θ ← θ + ε · mean_i(φ_i − θ)`.
///
/// Options and defaults follow the paper's Omniglot setting: Adam with
/// β1 = 0 in the inner loop, learning rate 0.001, 5 steps on minibatches
/// of 10, 50 steps at evaluation, the Adam state kept across tasks
/// (`inner-state persistent`).
public enum ReptilePlugin: Plugin {
    /// The declared options.
    public static let options: [OptionSpec] = [
        NetworkArchitecture.option,
        .string("inner-optimizer", default: Reptile.InnerOptimizer.adam.rawValue,
                help: "inner-loop optimiser: adam (beta1 = 0, as in the paper) or sgd"),
        .int("inner-steps", default: 5, help: "optimiser steps on the support set per training task"),
        .double("inner-lr", default: 0.001, help: "inner-loop learning rate"),
        .int("inner-batch", default: 10,
             help: "support examples per inner step, drawn without replacement (0: the whole support set)"),
        .int("eval-inner-steps", default: 50, help: "optimiser steps on the support set before predicting"),
        .string("inner-state", default: Reptile.InnerState.persistent.rawValue,
                help: "inner optimiser state: persistent (kept across tasks with the weights, as in the paper's "
                    + "code) or fresh (new for every task)"),
    ]

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerAlgorithm(AlgorithmDescriptor(
            name: "reptile",
            summary: "first-order meta-learning: move the initialisation toward the task-adapted weights",
            citation: "Nichol, Achiam & Schulman 2018, On First-Order Meta-Learning Algorithms, arXiv:1803.02999",
            options: options,
            supportedProblems: [.classification, .regression],
            factory: { context in try Reptile(context: context) }))
    }
}
