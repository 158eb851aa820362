import Synchronization

/// A thread-safe in-memory implementation of every storage protocol, for
/// tests and for runs that need no files.
public final class InMemoryStore: DatasetStore, EpisodeStore, CheckpointStore, Sendable {
    private struct Contents {
        var datasets: [String: ImageDataset] = [:]
        var episodes: [String: EpisodeSet] = [:]
        var checkpoints: [String: Checkpoint] = [:]
    }
    private let contents = Mutex(Contents())

    public init() {}

    public func writeDataset(_ dataset: ImageDataset, to location: String) throws {
        try dataset.validate()
        contents.withLock { $0.datasets[location] = dataset }
    }

    public func readDataset(at location: String) throws -> ImageDataset {
        guard let d = contents.withLock({ $0.datasets[location] }) else { throw InMemoryStoreError.missing(location) }
        return d
    }

    public func writeEpisodes(_ episodes: EpisodeSet, to location: String) throws {
        contents.withLock { $0.episodes[location] = episodes }
    }

    public func readEpisodes(at location: String, expectedFingerprint: String?) throws -> EpisodeSet {
        guard let e = contents.withLock({ $0.episodes[location] }) else { throw InMemoryStoreError.missing(location) }
        if let expected = expectedFingerprint, expected != e.datasetFingerprint {
            throw InMemoryStoreError.fingerprintMismatch(location, expected: expected, found: e.datasetFingerprint)
        }
        return e
    }

    public func writeCheckpoint(_ checkpoint: Checkpoint, to location: String) throws {
        contents.withLock { $0.checkpoints[location] = checkpoint }
    }

    public func readCheckpoint(at location: String) throws -> Checkpoint {
        guard let c = contents.withLock({ $0.checkpoints[location] }) else { throw InMemoryStoreError.missing(location) }
        return c
    }
}

/// Errors of `InMemoryStore`.
public enum InMemoryStoreError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case fingerprintMismatch(String, expected: String, found: String)

    public var description: String {
        switch self {
        case .missing(let l): return "\(l): nothing stored at this location"
        case .fingerprintMismatch(let l, let e, let f):
            return "\(l): episode cache was built for dataset \(f), expected \(e)"
        }
    }
}
