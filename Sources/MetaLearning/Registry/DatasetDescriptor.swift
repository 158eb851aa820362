/// Everything the registry knows about one dataset: how to list it and how
/// to get its data, either by importing an `ImageDataset` from source files
/// (Omniglot, miniImageNet) or by generating tasks on the fly (sinusoid).
///
/// Image datasets are sampled into episodes by the core (`EpisodeSampler`,
/// `EpisodicTasks`); importers should name their class splits `"train"`,
/// `"val"` and `"test"` (and may add others such as Omniglot's `"background"`).
public struct DatasetDescriptor: Sendable {
    /// Reads source files into an `ImageDataset`, reporting progress.
    public typealias Importer = @Sendable (Options, _ progress: @escaping ImportProgress.Handler) throws -> ImageDataset
    /// Builds a task distribution from options and a dataset seed (which
    /// fixes any random structure of the dataset itself; per-task randomness
    /// comes from the seed passed to `TaskDistribution.task(at:seed:)`).
    public typealias Generator = @Sendable (Options, _ seed: UInt64) throws -> any TaskDistribution

    /// Where the data comes from.
    public enum Source: Sendable {
        /// An image dataset imported once from source files, then stored.
        case imported(Importer)
        /// Tasks generated from (index, seed), nothing stored.
        case generated(Generator)
    }

    /// The name used on the command line (`"omniglot"`, `"sinusoid"`).
    public var name: String
    /// One line for listings.
    public var summary: String
    /// The paper or source to cite.
    public var citation: String
    /// The declared options (source paths for importers, shots/queries for generators).
    public var options: [OptionSpec]
    /// How to get the data.
    public var source: Source

    public init(name: String, summary: String, citation: String, options: [OptionSpec] = [], source: Source) {
        self.name = name
        self.summary = summary
        self.citation = citation
        self.options = options
        self.source = source
    }

    /// Whether this dataset is generated (as opposed to imported).
    public var isGenerated: Bool {
        if case .generated = source { return true }
        return false
    }

    /// Checks `values` against the declared options.
    public func makeOptions(_ values: [String: String] = [:]) throws -> Options {
        try Options(owner: "dataset '\(name)'", specs: options, values: values)
    }

    /// Imports the dataset; throws `PluginRegistryError.notImported` for a generated dataset.
    public func importDataset(options values: [String: String] = [:],
                              progress: @escaping ImportProgress.Handler = { _ in }) throws -> ImageDataset {
        guard case .imported(let importer) = source else { throw PluginRegistryError.notImported(dataset: name) }
        let dataset = try importer(try makeOptions(values), progress)
        try dataset.validate()
        return dataset
    }

    /// Builds the task distribution of a generated dataset; throws
    /// `PluginRegistryError.notGenerated` for an imported one.
    public func makeTasks(options values: [String: String] = [:], seed: UInt64) throws -> any TaskDistribution {
        guard case .generated(let generator) = source else { throw PluginRegistryError.notGenerated(dataset: name) }
        return try generator(try makeOptions(values), seed)
    }
}
