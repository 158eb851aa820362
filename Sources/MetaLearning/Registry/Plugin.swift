/// A unit of registration: an algorithm or dataset plugin adds its
/// descriptors to a registry that the caller builds and passes around.
///
/// Swift has no static initialisers, so there is no self-registration: the
/// one explicit list of shipped plugins is `BuiltinPlugins.all`, and a
/// registry is built from it with `PluginRegistry.register(_:)`.
///
/// ```swift
/// public enum ReptilePlugin: Plugin {
///     public static func register(into registry: inout PluginRegistry) throws {
///         try registry.registerAlgorithm(AlgorithmDescriptor(
///             name: "reptile", summary: "first-order meta-learning by moving toward adapted weights",
///             citation: "Nichol, Achiam & Schulman 2018, On First-Order Meta-Learning Algorithms",
///             options: [.int("inner-steps", default: 5, help: "SGD steps per task")],
///             factory: { context in try Reptile(context: context) }))
///     }
/// }
/// ```
public protocol Plugin {
    /// Adds this plugin's algorithms and datasets to `registry`; throws
    /// `PluginRegistryError` (for example on a duplicate name).
    static func register(into registry: inout PluginRegistry) throws
}
