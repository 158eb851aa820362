import Autograd

/// The standard N-way K-shot Q-query episode sampler (Vinyals et al. 2016,
/// "Matching Networks for One Shot Learning"), as used by MAML and ProtoNet.
///
/// Episode `i` of seed `s` draws, with `SeededGenerator(seed: s, stream: UInt64(i))`:
/// `ways` distinct classes of the split in random order (episode label `k`
/// is the `k`-th class drawn, so label order is shuffled too), then for each
/// class `shots + queries` distinct samples; the first `shots` go to the
/// support set, the rest to the query set. Both sets are class-major
/// (all samples of label 0, then label 1, ...).
///
/// ```swift
/// let sampler = try EpisodeSampler(dataset: omniglot, split: "test", ways: 5, shots: 1, queries: 15)
/// let episode = sampler.episode(at: 0, seed: 1)
/// // episode.classes: 5 global class ids; supportIndices: 5 sample indices; queryIndices: 75.
/// ```
public struct EpisodeSampler: TaskSampler {
    public let split: String
    public let ways: Int
    public let shots: Int
    public let queries: Int
    public var classCount: Int { index.classCount }
    private let index: ClassIndex

    /// A sampler over `split` of `dataset` (`split: nil` uses every class and
    /// is named `"all"`). Throws `SamplerError` when the split is unknown, has
    /// fewer than `ways` classes, or a class has fewer than `shots + queries` samples.
    public init(dataset: ImageDataset, split: String?, ways: Int, shots: Int, queries: Int) throws {
        guard ways >= 1, shots >= 1, queries >= 0 else {
            throw SamplerError.invalidConfiguration(
                "need ways >= 1, shots >= 1, queries >= 0, got ways \(ways), shots \(shots), queries \(queries)")
        }
        let index = try ClassIndex(dataset: dataset, split: split)
        guard index.classes.count >= ways else {
            throw SamplerError.tooFewClasses(dataset: dataset.name, split: split ?? "all", needed: ways,
                                             available: index.classes.count)
        }
        for (k, samples) in index.samples.enumerated() where samples.count < shots + queries {
            throw SamplerError.tooFewSamples(dataset: dataset.name, className: dataset.classNames[Int(index.classes[k])],
                                             needed: shots + queries, available: samples.count)
        }
        self.split = split ?? "all"
        self.ways = ways
        self.shots = shots
        self.queries = queries
        self.index = index
    }

    public func episode(at index: Int, seed: UInt64) -> Episode {
        var rng = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: index))
        let picks = RandomChoice.choose(ways, from: Array(0..<self.index.classes.count), using: &rng)
        var supportIndices = [Int32](), supportLabels = [Int32]()
        var queryIndices = [Int32](), queryLabels = [Int32]()
        supportIndices.reserveCapacity(ways * shots)
        queryIndices.reserveCapacity(ways * queries)
        for (label, pick) in picks.enumerated() {
            let chosen = RandomChoice.choose(shots + queries, from: self.index.samples[pick], using: &rng)
            supportIndices += chosen[0..<shots]
            supportLabels += repeatElement(Int32(label), count: shots)
            queryIndices += chosen[shots...]
            queryLabels += repeatElement(Int32(label), count: queries)
        }
        return Episode(classes: picks.map { self.index.classes[$0] }, supportIndices: supportIndices,
                       supportLabels: supportLabels, queryIndices: queryIndices, queryLabels: queryLabels)
    }
}
