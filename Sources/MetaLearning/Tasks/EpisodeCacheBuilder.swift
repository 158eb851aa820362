/// Builds an `EpisodeSet`: a fixed list of `count` episodes (default 600
/// with seed 1, as the MAML paper evaluates), so every algorithm is
/// evaluated on exactly the same tasks. Episode `i` is
/// `sampler.episode(at: i, seed: seed)`.
///
/// ```swift
/// let set = try EpisodeCacheBuilder(count: 600, seed: 1)
///     .build(dataset: omniglot, split: "test", ways: 5, shots: 1, queries: 15)
/// try store.writeEpisodes(set, to: "omniglot-test-5w1s.h5")
/// ```
public struct EpisodeCacheBuilder: Sendable {
    /// Number of episodes.
    public var count: Int
    /// The sampling seed.
    public var seed: UInt64

    public init(count: Int = 600, seed: UInt64 = 1) {
        precondition(count >= 0, "EpisodeCacheBuilder: count must be non-negative")
        self.count = count
        self.seed = seed
    }

    /// `count` episodes of `sampler`, labelled with `dataset`'s fingerprint.
    public func build(dataset: ImageDataset, sampler: any TaskSampler) -> EpisodeSet {
        EpisodeSet(datasetFingerprint: dataset.fingerprint, datasetName: dataset.name, split: sampler.split,
                   ways: sampler.ways, shots: sampler.shots, queries: sampler.queries, seed: seed,
                   episodes: (0..<count).map { sampler.episode(at: $0, seed: seed) })
    }

    /// `count` standard N-way K-shot episodes of `split`.
    public func build(dataset: ImageDataset, split: String?, ways: Int, shots: Int, queries: Int) throws -> EpisodeSet {
        build(dataset: dataset,
              sampler: try EpisodeSampler(dataset: dataset, split: split, ways: ways, shots: shots, queries: queries))
    }
}
