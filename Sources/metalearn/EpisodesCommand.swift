import ArgumentParser
import BuiltinPlugins
import Foundation
import HDF5Storage
import MetaLearning

/// `metalearn episodes`: build an episode cache, the fixed list of test
/// episodes every algorithm is evaluated on.
struct EpisodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "episodes",
        abstract: "Build an episode cache: a fixed list of N-way K-shot episodes of a dataset split.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The dataset file (.h5) the episodes index into.")
    var dataset: String

    @Option(help: "The class split to draw from (`all` for every class).")
    var split = "test"

    @OptionGroup var sampler: SamplerOptions

    @Option(help: "Number of episodes.")
    var count = 600

    @Option(help: "Sampling seed.")
    var seed: UInt64 = 1

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be in 1...1000000, got \(count)") }
    }

    func run() throws {
        let logger = global.makeLogger()
        let registry = try BuiltinPlugins.makeRegistry()
        let reference = try DatasetReference.resolve(dataset, registry: registry, logger: logger)
        guard case .file(_, let images) = reference else {
            throw CLIError.invalidValue(option: "--dataset \(dataset)",
                                        reason: "generated datasets need no episode cache; their tasks are fixed by a seed")
        }
        try output.prepare()
        let set = try EpisodeCacheBuilder(count: count, seed: seed)
            .build(dataset: images, split: DatasetReference.splitArgument(split, in: images),
                   ways: sampler.ways, shots: sampler.shots, queries: sampler.queries)
        try HDF5EpisodeStore().writeEpisodes(set, to: output.output)
        Console.write("\(output.output): " + DatasetSummary.line(set))
    }
}
