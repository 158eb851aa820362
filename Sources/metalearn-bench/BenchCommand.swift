import ArgumentParser
import Autograd

@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metalearn-bench",
        abstract: "Release-build benchmarks of the engine and the algorithms.",
        subcommands: [EngineCommand.self, WorkloadsCommand.self, ProfileCommand.self])
}
