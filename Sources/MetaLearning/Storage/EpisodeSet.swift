/// A fixed list of episodes for one dataset and sampler configuration: what an
/// episode cache file holds. Evaluating every algorithm on the same
/// `EpisodeSet` makes their results directly (and pair-wise) comparable.
public struct EpisodeSet: Sendable, Equatable {
    /// `ImageDataset.fingerprint` of the dataset the indices refer to.
    public var datasetFingerprint: String
    /// The dataset's name, for people reading the file.
    public var datasetName: String
    /// The split the classes were drawn from, such as `"test"`.
    public var split: String
    /// Sampler configuration. For variable-way episodes (Meta-Dataset style)
    /// `ways`/`shots` are maxima and each episode carries its own counts.
    public var ways: Int
    public var shots: Int
    public var queries: Int
    public var seed: UInt64
    /// The episodes, in order.
    public var episodes: [Episode]

    public init(datasetFingerprint: String, datasetName: String, split: String, ways: Int, shots: Int,
                queries: Int, seed: UInt64, episodes: [Episode]) {
        self.datasetFingerprint = datasetFingerprint
        self.datasetName = datasetName
        self.split = split
        self.ways = ways
        self.shots = shots
        self.queries = queries
        self.seed = seed
        self.episodes = episodes
    }
}
