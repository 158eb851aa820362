import Autograd
import Foundation

/// Meta-Dataset-style episodes with a varying number of ways and an
/// unbalanced, varying number of shots per class (Triantafillou et al.
/// 2020, "Meta-Dataset: A Dataset of Datasets for Learning to Learn from
/// Few Examples", ICLR; Section 3.2 and its reference sampler).
///
/// Episode `i` of seed `s` uses `SeededGenerator(seed: s, stream: UInt64(i))`:
/// 1. ways `N` uniform in `minWays...min(maxWays, classes in split)`; `N` classes drawn.
/// 2. queries per class `q = min(maxQueriesPerClass, floor(min_c |I_c| / 2))`,
///    the same for every class (`|I_c|` = samples of class `c`).
/// 3. support size `|S| = min(maxSupportSize, Σ_c floor(β · min(maxSupportContributionPerClass, |I_c| - q) + 1))`
///    with `β ~ U[0, 1)`.
/// 4. shots of class `c`: `k_c = min(floor(p_c · (|S| - N)) + 1, |I_c| - q)` with
///    proportions `p_c ∝ |I_c| · exp(α_c)`, `α_c ~ U[log minShotWeight, log maxShotWeight)`.
/// Support and query sets are class-major; labels are `0..<N` in draw order.
public struct VariableEpisodeSampler: TaskSampler {
    /// The sampler's knobs, with Meta-Dataset's defaults.
    public struct Configuration: Sendable, Equatable {
        /// Fewest classes per episode (Meta-Dataset: 5).
        public var minWays: Int = 5
        /// Most classes per episode, capped by the split's size (Meta-Dataset: 50).
        public var maxWays: Int = 50
        /// Most query samples per class (Meta-Dataset: 10).
        public var maxQueriesPerClass: Int = 10
        /// Most support samples in an episode (Meta-Dataset: 500).
        public var maxSupportSize: Int = 500
        /// Most samples one class contributes to the support-size draw (Meta-Dataset: 100).
        public var maxSupportContributionPerClass: Int = 100
        /// Range of the per-class shot weights `exp(α_c)` (Meta-Dataset: 0.5 ... 2).
        public var minShotWeight: Double = 0.5
        public var maxShotWeight: Double = 2

        /// Meta-Dataset's defaults; override any field by name.
        public init(minWays: Int = 5, maxWays: Int = 50, maxQueriesPerClass: Int = 10, maxSupportSize: Int = 500,
                    maxSupportContributionPerClass: Int = 100, minShotWeight: Double = 0.5,
                    maxShotWeight: Double = 2) {
            self.minWays = minWays
            self.maxWays = maxWays
            self.maxQueriesPerClass = maxQueriesPerClass
            self.maxSupportSize = maxSupportSize
            self.maxSupportContributionPerClass = maxSupportContributionPerClass
            self.minShotWeight = minShotWeight
            self.maxShotWeight = maxShotWeight
        }
    }

    public let split: String
    /// The configuration in force.
    public let configuration: Configuration
    /// The largest number of ways an episode can have.
    public let ways: Int
    /// An upper bound of shots per class.
    public let shots: Int
    /// The largest number of queries per class.
    public let queries: Int
    public var classCount: Int { index.classCount }
    private let index: ClassIndex

    /// A sampler over `split` of `dataset`; throws `SamplerError` if the split
    /// has fewer than `minWays` classes, a class has fewer than 2 samples, or
    /// the configuration is inconsistent.
    public init(dataset: ImageDataset, split: String?, configuration: Configuration = Configuration()) throws {
        let c = configuration
        guard c.minWays >= 1, c.maxWays >= c.minWays, c.maxQueriesPerClass >= 1,
              c.maxSupportContributionPerClass >= 1, c.maxSupportSize >= c.maxWays,
              c.minShotWeight > 0, c.maxShotWeight >= c.minShotWeight else {
            throw SamplerError.invalidConfiguration(
                "need 1 <= minWays <= maxWays <= maxSupportSize, positive query and contribution limits "
                + "and 0 < minShotWeight <= maxShotWeight, got \(c)")
        }
        let index = try ClassIndex(dataset: dataset, split: split)
        guard index.classes.count >= c.minWays else {
            throw SamplerError.tooFewClasses(dataset: dataset.name, split: split ?? "all", needed: c.minWays,
                                             available: index.classes.count)
        }
        for (k, samples) in index.samples.enumerated() where samples.count < 2 {
            throw SamplerError.tooFewSamples(dataset: dataset.name, className: dataset.classNames[Int(index.classes[k])],
                                             needed: 2, available: samples.count)
        }
        self.split = split ?? "all"
        self.configuration = c
        self.index = index
        self.ways = min(c.maxWays, index.classes.count)
        let largest = index.samples.map(\.count).max() ?? 1
        self.shots = min(c.maxSupportSize, largest - 1)
        self.queries = c.maxQueriesPerClass
    }

    public func episode(at episodeIndex: Int, seed: UInt64) -> Episode {
        let c = configuration
        var rng = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: episodeIndex))
        let ways = RandomChoice.integer(in: c.minWays...self.ways, using: &rng)
        let picks = RandomChoice.choose(ways, from: Array(0..<index.classes.count), using: &rng)
        let sizes = picks.map { index.samples[$0].count }
        let q = min(c.maxQueriesPerClass, sizes.map { $0 / 2 }.min()!)
        let remaining = sizes.map { $0 - q }
        let beta = rng.nextUnitDouble()
        let contributions = remaining.map { Double(min(c.maxSupportContributionPerClass, $0)) }
        let supportSize = min(contributions.reduce(0) { $0 + Int((beta * $1 + 1).rounded(.down)) }, c.maxSupportSize)
        let logLow = log(c.minShotWeight), logHigh = log(c.maxShotWeight)
        let weights = sizes.map { Double($0) * exp(RandomChoice.uniform(logLow, logHigh, using: &rng)) }
        let total = weights.reduce(0, +)
        let shots = zip(weights, remaining).map { weight, left in
            min(Int((weight / total * Double(supportSize - ways)).rounded(.down)) + 1, left)
        }
        var supportIndices = [Int32](), supportLabels = [Int32]()
        var queryIndices = [Int32](), queryLabels = [Int32]()
        for (label, pick) in picks.enumerated() {
            let chosen = RandomChoice.choose(shots[label] + q, from: index.samples[pick], using: &rng)
            supportIndices += chosen[0..<shots[label]]
            supportLabels += repeatElement(Int32(label), count: shots[label])
            queryIndices += chosen[shots[label]...]
            queryLabels += repeatElement(Int32(label), count: q)
        }
        return Episode(classes: picks.map { index.classes[$0] }, supportIndices: supportIndices,
                       supportLabels: supportLabels, queryIndices: queryIndices, queryLabels: queryLabels)
    }
}
