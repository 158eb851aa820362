import Foundation
import HDF5
import HDF5Storage
import MetaLearning
import Testing

/// Every kind of bad input gives a typed, one-line error naming the file; none crashes.
@Suite struct BadInputTests {
    /// A valid file of each kind in a fresh directory.
    struct Files {
        let dir = TemporaryDirectory("bad")
        let dataset: String
        let episodes: String
        let checkpoint: String
        let fingerprint: String

        init() throws {
            dataset = dir.file("dataset.h5")
            episodes = dir.file("episodes.h5")
            checkpoint = dir.file("checkpoint.h5")
            let d = Fixtures.dataset()
            fingerprint = d.fingerprint
            try HDF5DatasetStore().writeDataset(d, to: dataset)
            try HDF5EpisodeStore().writeEpisodes(Fixtures.episodes(fingerprint: d.fingerprint), to: episodes)
            try HDF5CheckpointStore().writeCheckpoint(Fixtures.checkpoint(step: 5), to: checkpoint)
        }

        /// Opens `path` for writing, lets `edit` change it, closes it.
        func edit(_ path: String, _ edit: (HDF5File) throws -> Void) throws {
            try HDF5File.withFile(at: path, mode: .readWrite, edit)
        }
    }

    /// Reads `path` with every store; returns the errors (all must be `HDF5StorageError`).
    private func readAll(_ path: String, fingerprint: String? = nil) -> [HDF5StorageError] {
        var errors: [HDF5StorageError] = []
        func attempt(_ body: () throws -> Void) {
            do { try body(); Issue.record("reading \(path) did not throw") }
            catch let e as HDF5StorageError { errors.append(e) }
            catch { Issue.record("untyped error \(error)") }
        }
        attempt { _ = try HDF5DatasetStore().readDataset(at: path) }
        attempt { _ = try HDF5EpisodeStore().readEpisodes(at: path, expectedFingerprint: fingerprint) }
        attempt { _ = try HDF5CheckpointStore().readCheckpoint(at: path) }
        for e in errors {
            #expect(!e.description.contains("\n"), "multi-line message: \(e)")
            #expect(e.description.hasPrefix(path), "message does not start with the file: \(e)")
        }
        return errors
    }

    @Test func missingFile() throws {
        let dir = TemporaryDirectory("bad")
        let path = dir.file("nothing.h5")
        #expect(readAll(path) == Array(repeating: .fileNotFound(file: path), count: 3))
    }

    @Test func notAnHDF5File() throws {
        let dir = TemporaryDirectory("bad")
        let path = dir.file("notes.h5")
        try Data("{\"this\": \"is JSON, not HDF5\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(readAll(path) == Array(repeating: .notHDF5(file: path), count: 3))
        let empty = dir.file("empty.h5")
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(readAll(empty) == Array(repeating: .notHDF5(file: empty), count: 3))
    }

    @Test func truncatedFiles() throws {
        let files = try Files()
        for path in [files.dataset, files.episodes, files.checkpoint] {
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            for keep in [whole.count * 2 / 3, 1024] {
                let cut = files.dir.file("cut-\(keep)-" + URL(fileURLWithPath: path).lastPathComponent)
                try whole.prefix(keep).write(to: URL(fileURLWithPath: cut))
                for e in readAll(cut) {
                    guard case .truncated(let f, let detail) = e else { Issue.record("expected truncated, got \(e)"); continue }
                    #expect(f == cut)
                    #expect(detail.contains("eof"))
                }
            }
        }
    }

    @Test func wrongDtype() throws {
        let files = try Files()
        try files.edit(files.dataset) { f in
            try f.removeObject("images")
            try f.createDataset("images", values: [Float](repeating: 0.5, count: 30 * 56), shape: [30, 8, 7])
        }
        #expect(throws: HDF5StorageError.wrongType(file: files.dataset, object: "/images", expected: "uint8 elements",
                                                   found: "float32")) {
            try HDF5DatasetStore().readDataset(at: files.dataset)
        }
        try files.edit(files.episodes) { f in
            try f.removeObject("support_indices")
            try f.createDataset("support_indices", values: [Int64](repeating: 0, count: 15), shape: [15])
        }
        #expect(throws: HDF5StorageError.wrongType(file: files.episodes, object: "/support_indices",
                                                   expected: "int32 elements", found: "int64")) {
            try HDF5EpisodeStore().readEpisodes(at: files.episodes, expectedFingerprint: nil)
        }
        try files.edit(files.checkpoint) { f in
            try f.setAttribute("step", "five")
        }
        #expect(throws: HDF5StorageError.wrongType(file: files.checkpoint, object: "/@step", expected: "an integer",
                                                   found: "a string")) {
            try HDF5CheckpointStore().readCheckpoint(at: files.checkpoint)
        }
    }

    @Test func wrongShape() throws {
        let files = try Files()
        try files.edit(files.dataset) { f in
            try f.removeObject("labels")
            try f.createDataset("labels", values: [Int32](repeating: 0, count: 29), shape: [29])
        }
        #expect(throws: HDF5StorageError.wrongShape(file: files.dataset, object: "/labels", expected: "[30]", found: [29])) {
            try HDF5DatasetStore().readDataset(at: files.dataset)
        }
        try files.edit(files.dataset) { f in
            try f.removeObject("images")
            try f.createDataset("images", values: [UInt8](repeating: 0, count: 30 * 56), shape: [30 * 56])
        }
        #expect(throws: HDF5StorageError.wrongShape(file: files.dataset, object: "/images", expected: "3-D or 4-D",
                                                    found: [1680])) {
            try HDF5DatasetStore().readDataset(at: files.dataset)
        }
        try files.edit(files.checkpoint) { f in
            try f.removeObject("metrics/columns/loss")
            try f.createDataset("metrics/columns/loss", values: [1.0], shape: [1])
        }
        #expect(throws: HDF5StorageError.self) { try HDF5CheckpointStore().readCheckpoint(at: files.checkpoint) }
    }

    @Test func missingGroupOrDataset() throws {
        let files = try Files()
        try files.edit(files.dataset) { try $0.removeObject("splits") }
        #expect(throws: HDF5StorageError.missingObject(file: files.dataset, object: "/splits")) {
            try HDF5DatasetStore().readDataset(at: files.dataset)
        }
        try files.edit(files.checkpoint) { try $0.removeObject("optimizer") }
        #expect(throws: HDF5StorageError.missingObject(file: files.checkpoint, object: "/optimizer")) {
            try HDF5CheckpointStore().readCheckpoint(at: files.checkpoint)
        }
        try files.edit(files.episodes) { try $0.removeObject("query_offsets") }
        #expect(throws: HDF5StorageError.missingObject(file: files.episodes, object: "/query_offsets")) {
            try HDF5EpisodeStore().readEpisodes(at: files.episodes, expectedFingerprint: nil)
        }
    }

    @Test func newerFormatVersion() throws {
        let files = try Files()
        for (path, kind) in [(files.dataset, MetaLearnFileKind.dataset), (files.episodes, .episodes),
                             (files.checkpoint, .checkpoint)] {
            try files.edit(path) { try $0.setAttribute("formatVersion", 2) }
            let expected = HDF5StorageError.unsupportedVersion(file: path, format: kind.formatName, found: 2, supported: 1)
            let errors = readAll(path)
            #expect(errors.filter { $0 == expected }.count == 1, "\(errors)")
            #expect(errors.filter { if case .wrongKind = $0 { return true } else { return false } }.count == 2)
        }
    }

    @Test func episodeCacheForAnotherDataset() throws {
        let files = try Files()
        let other = Fixtures.dataset(seed: 2).fingerprint
        #expect(other != files.fingerprint)
        #expect(throws: HDF5StorageError.fingerprintMismatch(file: files.episodes, expected: other, found: files.fingerprint)) {
            try HDF5EpisodeStore().readEpisodes(at: files.episodes, expectedFingerprint: other)
        }
    }

    @Test func wrongKindOfFile() throws {
        let files = try Files()
        let plain = files.dir.file("plain.h5")
        try HDF5File.create(at: plain).close()
        for e in readAll(plain) {
            guard case .wrongKind(_, _, let found) = e else { Issue.record("expected wrongKind, got \(e)"); continue }
            #expect(found == "no 'format' attribute on /")
        }
        #expect(throws: HDF5StorageError.wrongKind(file: files.checkpoint, expected: "metalearn.dataset",
                                                   found: "format 'metalearn.checkpoint'")) {
            try HDF5DatasetStore().readDataset(at: files.checkpoint)
        }
    }

    @Test func contentThatBreaksTheSchema() throws {
        let files = try Files()
        try files.edit(files.dataset) { f in
            try f.openDataset("labels").write([Int32(6)], start: [3], count: [1])
        }
        let label = #expect(throws: HDF5StorageError.self) { try HDF5DatasetStore().readDataset(at: files.dataset) }
        #expect(label?.description.contains("label 6 of image 3 outside 0..<6") == true)

        let other = try Files()
        try other.edit(other.dataset) { f in
            try f.openDataset("images").write([UInt8(200)], start: [0, 0, 0], count: [1, 1, 1])
        }
        let edited = #expect(throws: HDF5StorageError.self) { try HDF5DatasetStore().readDataset(at: other.dataset) }
        #expect(edited?.description.contains("does not match") == true)

        try files.edit(files.episodes) { f in
            try f.openDataset("query_offsets").write([Int64(2)], start: [1], count: [1])
            try f.openDataset("query_offsets").write([Int64(1)], start: [2], count: [1])
        }
        let offsets = #expect(throws: HDF5StorageError.self) {
            try HDF5EpisodeStore().readEpisodes(at: files.episodes, expectedFingerprint: nil)
        }
        #expect(offsets.map { if case .invalidContent(_, "/query_offsets", _) = $0 { true } else { false } } == true)

        try files.edit(files.checkpoint) { f in try f.setAttribute("config", "{not json") }
        #expect(throws: HDF5StorageError.invalidContent(file: files.checkpoint, object: "/@config", reason: "not valid JSON")) {
            try HDF5CheckpointStore().readCheckpoint(at: files.checkpoint)
        }
    }

    @Test func inspectorDescribesWithoutThrowingOnForeignFiles() throws {
        let files = try Files()
        let d = try HDF5FileInspector.describe(at: files.dataset)
        #expect(d.kind == .dataset)
        #expect(d.formatVersion == 1)
        #expect(d.summary.hasPrefix("dataset 'toy': 30 images of 8x7, 6 classes"))
        #expect(d.objects.contains { $0.path == "/images" && $0.shape == [30, 8, 7] && $0.elementType == .uint8 })
        #expect(d.description.contains("/images  uint8 [30, 8, 7]"))
        let e = try HDF5FileInspector.describe(at: files.episodes)
        #expect(e.summary.hasPrefix("episode cache: 5 episodes of 3-way 1-shot"))
        let c = try HDF5FileInspector.describe(at: files.checkpoint)
        #expect(c.summary.hasPrefix("checkpoint at step 5: 4 parameter arrays (61 values), optimizer adam"))
        #expect(c.objects.contains { $0.path == "/parameters/conv1/weight" && $0.shape == [4, 1, 3, 3] })

        try files.edit(files.checkpoint) { try $0.setAttribute("formatVersion", 7) }
        #expect(try HDF5FileInspector.describe(at: files.checkpoint).kindDescription
                == "metalearn.checkpoint (formatVersion 7, newer than the 1 this MetaLearn reads)")
        let plain = files.dir.file("plain.h5")
        let p = try HDF5File.create(at: plain)
        for i in 0..<30 { try p.createDataset("d\(i)", values: [Int32(i)], shape: [1]) }
        try p.close()
        let described = try HDF5FileInspector.describe(at: plain, maxObjects: 10)
        #expect(described.kind == nil)
        #expect(described.objects.count == 10)
        #expect(described.unlistedObjects == 20)
        #expect(throws: HDF5StorageError.notHDF5(file: files.dir.file("x"))) {
            FileManager.default.createFile(atPath: files.dir.file("x"), contents: Data("text".utf8))
            return try HDF5FileInspector.describe(at: files.dir.file("x"))
        }
    }
}
