/// The algorithms and datasets available to a run: a value built once from
/// an explicit list of plugins and passed down (no global state).
///
/// ```swift
/// var registry = PluginRegistry()
/// try registry.register(SinusoidPlugin.self)
/// let tasks = try registry.dataset(named: "sinusoid").makeTasks(options: ["shots": "5"], seed: 0)
/// let learner = try registry.algorithm(named: "maml")
///     .makeLearner(problem: tasks.problem, options: ["inner-steps": "1"])
/// print(registry.listing())
/// ```
///
/// Names are unique per kind: registering a second algorithm (or dataset)
/// of the same name throws `PluginRegistryError`. Listings keep
/// registration order.
public struct PluginRegistry: Sendable {
    /// Registered algorithms, in registration order.
    public private(set) var algorithms: [AlgorithmDescriptor] = []
    /// Registered datasets, in registration order.
    public private(set) var datasets: [DatasetDescriptor] = []

    /// An empty registry.
    public init() {}

    /// Lets `plugin` register its descriptors.
    public mutating func register(_ plugin: any Plugin.Type) throws {
        try plugin.register(into: &self)
    }

    /// Lets every plugin of `plugins` register, in order.
    public mutating func register(_ plugins: [any Plugin.Type]) throws {
        for plugin in plugins { try register(plugin) }
    }

    /// Adds an algorithm; throws on a duplicate or invalid name or bad option declarations.
    public mutating func registerAlgorithm(_ descriptor: AlgorithmDescriptor) throws {
        guard OptionSpec.isValidName(descriptor.name) else { throw PluginRegistryError.invalidName(descriptor.name) }
        guard !algorithms.contains(where: { $0.name == descriptor.name }) else {
            throw PluginRegistryError.duplicateAlgorithm(descriptor.name)
        }
        _ = try Options(owner: "algorithm '\(descriptor.name)'", specs: descriptor.options)
        algorithms.append(descriptor)
    }

    /// Adds a dataset; throws on a duplicate or invalid name or bad option declarations.
    public mutating func registerDataset(_ descriptor: DatasetDescriptor) throws {
        guard OptionSpec.isValidName(descriptor.name) else { throw PluginRegistryError.invalidName(descriptor.name) }
        guard !datasets.contains(where: { $0.name == descriptor.name }) else {
            throw PluginRegistryError.duplicateDataset(descriptor.name)
        }
        _ = try Options(owner: "dataset '\(descriptor.name)'", specs: descriptor.options)
        datasets.append(descriptor)
    }

    /// The algorithm called `name`, or `PluginRegistryError.unknownAlgorithm`.
    public func algorithm(named name: String) throws -> AlgorithmDescriptor {
        guard let found = algorithms.first(where: { $0.name == name }) else {
            throw PluginRegistryError.unknownAlgorithm(name, known: algorithms.map(\.name))
        }
        return found
    }

    /// The dataset called `name`, or `PluginRegistryError.unknownDataset`.
    public func dataset(named name: String) throws -> DatasetDescriptor {
        guard let found = datasets.first(where: { $0.name == name }) else {
            throw PluginRegistryError.unknownDataset(name, known: datasets.map(\.name))
        }
        return found
    }

    /// Algorithm names in registration order.
    public var algorithmNames: [String] { algorithms.map(\.name) }
    /// Dataset names in registration order.
    public var datasetNames: [String] { datasets.map(\.name) }

    /// A human-readable listing: one line per algorithm and dataset with its summary.
    public func listing() -> String {
        let width = (algorithms.map(\.name) + datasets.map(\.name)).map(\.count).max() ?? 0
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = ["Algorithms:"]
        lines += algorithms.isEmpty ? ["  (none)"] : algorithms.map { "  \(pad($0.name))  \($0.summary)" }
        lines.append("Datasets:")
        lines += datasets.isEmpty ? ["  (none)"] : datasets.map {
            "  \(pad($0.name))  \($0.summary)\($0.isGenerated ? " [generated]" : "")"
        }
        return lines.joined(separator: "\n")
    }

    /// The options of one plugin, one line each (`name (kind, default d): help`).
    public static func describe(options: [OptionSpec]) -> String {
        if options.isEmpty { return "  (no options)" }
        return options.map { "  \($0.name) (\($0.kind), default \($0.defaultValue)): \($0.help)" }
            .joined(separator: "\n")
    }
}
