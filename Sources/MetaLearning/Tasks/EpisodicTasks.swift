/// Tasks sampled on demand from an image dataset: task `index` of `seed` is
/// `sampler.episode(at: index, seed: seed)`, materialised from images
/// converted to Float once at construction (`pixel / 255`, `[N, C, H, W]`).
///
/// ```swift
/// let train = try EpisodicTasks(
///     dataset: omniglot,
///     sampler: EpisodeSampler(dataset: omniglot, split: "train", ways: 5, shots: 1, queries: 15))
/// ```
public struct EpisodicTasks: TaskDistribution {
    /// The episode sampler.
    public let sampler: any TaskSampler
    /// Shared converted images.
    public let materializer: EpisodeMaterializer

    /// Converts `dataset` and samples with `sampler` (built on the same dataset).
    public init(dataset: ImageDataset, sampler: any TaskSampler) throws {
        self.init(materializer: try EpisodeMaterializer(dataset: dataset), sampler: sampler)
    }

    /// Shares already converted images (for example with a `CachedEpisodes` of the same dataset).
    public init(materializer: EpisodeMaterializer, sampler: any TaskSampler) {
        self.sampler = sampler
        self.materializer = materializer
    }

    public var problem: ProblemSpec { materializer.problem(ways: sampler.ways) }

    public func task(at index: Int, seed: UInt64) throws -> TaskData {
        try materializer.task(for: sampler.episode(at: index, seed: seed))
    }
}
