/// A fixed list of stored episodes as a task distribution: task `index` is
/// episode `index` of the `EpisodeSet` (the seed is ignored), so every
/// algorithm evaluated on it answers exactly the same tasks.
///
/// ```swift
/// let cache = try EpisodeCacheBuilder().build(dataset: omniglot, split: "test", ways: 5, shots: 1, queries: 15)
/// let test = try CachedEpisodes(dataset: omniglot, episodes: cache)
/// let result = try Evaluator().evaluate(learner, parameters: params, on: test)
/// ```
public struct CachedEpisodes: TaskDistribution {
    /// The stored episodes.
    public let episodes: EpisodeSet
    /// Shared converted images.
    public let materializer: EpisodeMaterializer

    /// Pairs `episodes` with `dataset`; throws `CachedEpisodesError.fingerprintMismatch`
    /// if the cache was built for another dataset.
    public init(dataset: ImageDataset, episodes: EpisodeSet) throws {
        try self.init(materializer: try EpisodeMaterializer(dataset: dataset), episodes: episodes)
    }

    /// Shares already converted images; checks the fingerprint the same way.
    public init(materializer: EpisodeMaterializer, episodes: EpisodeSet) throws {
        guard materializer.images.fingerprint == episodes.datasetFingerprint else {
            throw CachedEpisodesError.fingerprintMismatch(dataset: materializer.images.datasetName,
                                                          expected: episodes.datasetFingerprint,
                                                          found: materializer.images.fingerprint)
        }
        self.episodes = episodes
        self.materializer = materializer
    }

    public var problem: ProblemSpec { materializer.problem(ways: episodes.ways) }

    /// The number of stored episodes.
    public var taskCount: Int? { episodes.episodes.count }

    /// Episode `index` of the cache (`seed` is ignored); throws
    /// `TaskDataError.indexOutOfRange` past the end.
    public func task(at index: Int, seed: UInt64) throws -> TaskData {
        guard index >= 0 && index < episodes.episodes.count else {
            throw TaskDataError.indexOutOfRange("episode cache of '\(episodes.datasetName)'", index: index,
                                                count: episodes.episodes.count)
        }
        return try materializer.task(for: episodes.episodes[index])
    }
}
