import HDF5
import MetaLearning

/// Stores `EpisodeSet`s as `metalearn.episodes` HDF5 files (schema:
/// docs/hdf5-format.md): episodes are concatenated into flat index arrays
/// with `[E + 1]` offset arrays, so episodes of different sizes fit the
/// same layout. Writes are atomic.
public struct HDF5EpisodeStore: EpisodeStore {
    /// Creates a store.
    public init() {}

    /// Writes `episodes` to `location` atomically.
    public func writeEpisodes(_ episodes: EpisodeSet, to location: String) throws {
        // The same rules the reader checks, so a written cache always reads back.
        for (e, episode) in episodes.episodes.enumerated() {
            guard episode.supportIndices.count == episode.supportLabels.count,
                  episode.queryIndices.count == episode.queryLabels.count else {
                throw HDF5StorageError.invalidInput(
                    file: location, reason: "episode \(e) has different numbers of sample indices and labels")
            }
            let ways = Int32(episode.classes.count)
            guard (episode.supportLabels + episode.queryLabels).allSatisfy({ $0 >= 0 && $0 < ways }),
                  (episode.supportIndices + episode.queryIndices + episode.classes).allSatisfy({ $0 >= 0 }) else {
                throw HDF5StorageError.invalidInput(
                    file: location, reason: "episode \(e) has a negative index or a label outside 0..<\(ways)")
            }
        }
        let list = episodes.episodes
        func flatten(_ part: (Episode) -> [Int32]) -> (values: [Int32], offsets: [Int64]) {
            var values: [Int32] = []
            var offsets: [Int64] = [0]
            offsets.reserveCapacity(list.count + 1)
            for episode in list {
                values += part(episode)
                offsets.append(Int64(values.count))
            }
            return (values, offsets)
        }
        let classes = flatten(\.classes)
        let supportIndices = flatten(\.supportIndices)
        let supportLabels = flatten(\.supportLabels)
        let queryIndices = flatten(\.queryIndices)
        let queryLabels = flatten(\.queryLabels)
        let options = HDF5DatasetOptions.compressed(level: 4, shuffle: true)
        try AtomicFileWriter.write(to: location) { file in
            try HDF5StorageError.translating {
                try file.createDataset("classes", values: classes.values, shape: [classes.values.count], options: options)
                try file.createDataset("class_offsets", values: classes.offsets, shape: [list.count + 1], options: options)
                try file.createDataset("support_indices", values: supportIndices.values,
                                       shape: [supportIndices.values.count], options: options)
                try file.createDataset("support_labels", values: supportLabels.values,
                                       shape: [supportLabels.values.count], options: options)
                try file.createDataset("support_offsets", values: supportIndices.offsets, shape: [list.count + 1],
                                       options: options)
                try file.createDataset("query_indices", values: queryIndices.values,
                                       shape: [queryIndices.values.count], options: options)
                try file.createDataset("query_labels", values: queryLabels.values,
                                       shape: [queryLabels.values.count], options: options)
                try file.createDataset("query_offsets", values: queryIndices.offsets, shape: [list.count + 1],
                                       options: options)
                try file.setAttribute("datasetFingerprint", episodes.datasetFingerprint)
                try file.setAttribute("datasetName", episodes.datasetName)
                try file.setAttribute("split", episodes.split)
                try file.setAttribute("ways", episodes.ways)
                try file.setAttribute("shots", episodes.shots)
                try file.setAttribute("queries", episodes.queries)
                try file.setAttribute("seed", episodes.seed)
                try file.setAttribute("episodeCount", list.count)
                try file.setAttribute("format", MetaLearnFileKind.episodes.formatName)
                try file.setAttribute("formatVersion", MetaLearnFileKind.episodes.currentVersion)
            }
        }
    }

    /// Reads the episode cache at `location`. With `expectedFingerprint`, a
    /// cache built for another dataset throws `.fingerprintMismatch`.
    public func readEpisodes(at location: String, expectedFingerprint: String?) throws -> EpisodeSet {
        try SchemaReader.reading(location) { r in
            try r.checkFormat(.episodes)
            let root = r.file
            let fingerprint = try r.string("datasetFingerprint", on: root)
            if let expected = expectedFingerprint, expected != fingerprint {
                throw HDF5StorageError.fingerprintMismatch(file: location, expected: expected, found: fingerprint)
            }
            let count = try r.integer("episodeCount", on: root)
            guard count >= 0 else {
                throw HDF5StorageError.invalidContent(file: location, object: "/@episodeCount", reason: "negative episode count \(count)")
            }

            func part(_ values: String, _ offsets: String, labels: String? = nil) throws
                -> (values: [Int32], labels: [Int32]?, offsets: [Int]) {
                let v = try r.vector(values, Int32.self)
                let l = try labels.map { try r.vector($0, Int32.self, length: v.count) }
                let o = try r.vector(offsets, Int64.self, length: count + 1).map { Int($0) }
                guard o.first == 0, o.last == v.count, zip(o, o.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                    throw HDF5StorageError.invalidContent(
                        file: location, object: "/" + offsets,
                        reason: "offsets must start at 0, never decrease and end at \(v.count) (the length of /\(values))")
                }
                if let bad = v.first(where: { $0 < 0 }) {
                    throw HDF5StorageError.invalidContent(file: location, object: "/" + values, reason: "negative index \(bad)")
                }
                return (v, l, o)
            }
            let classes = try part("classes", "class_offsets")
            let support = try part("support_indices", "support_offsets", labels: "support_labels")
            let query = try part("query_indices", "query_offsets", labels: "query_labels")

            var episodes: [Episode] = []
            episodes.reserveCapacity(count)
            for e in 0..<count {
                let ways = classes.offsets[e + 1] - classes.offsets[e]
                let s = support.offsets[e]..<support.offsets[e + 1]
                let q = query.offsets[e]..<query.offsets[e + 1]
                let episode = Episode(classes: Array(classes.values[classes.offsets[e]..<classes.offsets[e + 1]]),
                                      supportIndices: Array(support.values[s]), supportLabels: Array(support.labels![s]),
                                      queryIndices: Array(query.values[q]), queryLabels: Array(query.labels![q]))
                for (name, labels) in [("support_labels", episode.supportLabels), ("query_labels", episode.queryLabels)] {
                    if let bad = labels.first(where: { $0 < 0 || Int($0) >= ways }) {
                        throw HDF5StorageError.invalidContent(
                            file: location, object: "/" + name,
                            reason: "episode \(e): label \(bad) outside 0..<\(ways) (its number of classes)")
                    }
                }
                episodes.append(episode)
            }
            return EpisodeSet(datasetFingerprint: fingerprint, datasetName: try r.string("datasetName", on: root),
                              split: try r.string("split", on: root), ways: try r.integer("ways", on: root),
                              shots: try r.integer("shots", on: root), queries: try r.integer("queries", on: root),
                              seed: try r.unsigned("seed", on: root), episodes: episodes)
        }
    }
}
