import MetaLearning

/// Registers the generated dataset `"sinusoid"` (MAML's few-shot
/// regression benchmark) with options `shots` (support points, default 10)
/// and `queries` (query points, default 10). The dataset seed is unused:
/// every task is a function of its index and the task seed alone.
public enum SinusoidPlugin: Plugin {
    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerDataset(DatasetDescriptor(
            name: "sinusoid",
            summary: "few-shot regression of y = A sin(x - phase), A in [0.1, 5], phase in [0, pi], x in [-5, 5]",
            citation: "Finn, Abbeel & Levine 2017, Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks, ICML",
            options: [
                .int("shots", default: 10, help: "support points per task (K)"),
                .int("queries", default: 10, help: "query points per task"),
            ],
            source: .generated { options, _ in
                try SinusoidTasks(shots: options.int("shots"), queries: options.int("queries"))
            }))
    }
}
