/// Where datasets live. `HDF5Storage` implements it on HDF5 files;
/// `InMemoryStore` implements it for tests. Locations are file paths.
public protocol DatasetStore: Sendable {
    /// Writes `dataset` to `location`, never leaving a half-written file there.
    func writeDataset(_ dataset: ImageDataset, to location: String) throws
    /// Reads the whole dataset at `location`, checking its schema.
    func readDataset(at location: String) throws -> ImageDataset
}

/// Where episode caches live.
public protocol EpisodeStore: Sendable {
    func writeEpisodes(_ episodes: EpisodeSet, to location: String) throws
    /// Reads a cache; when `expectedFingerprint` is given and differs from the
    /// cache's, throws instead of returning episodes of another dataset.
    func readEpisodes(at location: String, expectedFingerprint: String?) throws -> EpisodeSet
}

/// Where checkpoints live. Writes are atomic: a crash leaves the previous
/// checkpoint intact.
public protocol CheckpointStore: Sendable {
    func writeCheckpoint(_ checkpoint: Checkpoint, to location: String) throws
    func readCheckpoint(at location: String) throws -> Checkpoint
}
