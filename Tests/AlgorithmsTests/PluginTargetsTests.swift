import BuiltinPlugins
import Testing

@Suite struct PluginTargetsTests {
    @Test func builtinPluginsModuleLinks() { #expect(String(describing: BuiltinPlugins.self) == "BuiltinPlugins") }
}
