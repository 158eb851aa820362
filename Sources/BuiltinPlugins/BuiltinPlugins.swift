import ANILPlugin
import BaselinePlugin
import MAMLPlugin
import MatchingNetPlugin
import MetaLearning
import MetaSGDPlugin
import NCAPlugin
import OmniglotPlugin
import ProtoNetPlugin
import ReptilePlugin
import SinusoidPlugin

/// The one explicit list of shipped plugins. Adding a plugin: a folder
/// under `Plugins/`, a target in `Package.swift`, and one entry here.
///
/// ```swift
/// let registry = try BuiltinPlugins.makeRegistry()
/// print(registry.listing())
/// ```
public enum BuiltinPlugins {
    /// Every shipped plugin, in listing order.
    public static var all: [any Plugin.Type] {
        [
            MAMLPlugin.self,
            MetaSGDPlugin.self,
            ANILPlugin.self,
            ReptilePlugin.self,
            ProtoNetPlugin.self,
            MatchingNetPlugin.self,
            BaselinePlugin.self,
            NCAPlugin.self,
            OmniglotPlugin.self,
            SinusoidPlugin.self,
        ]
    }

    /// A registry with every shipped plugin registered.
    public static func makeRegistry() throws -> PluginRegistry {
        var registry = PluginRegistry()
        try registry.register(all)
        return registry
    }
}
