import Foundation
import Synchronization
import HDF5
import HDF5Storage
import MetaLearning
import Testing

/// Each store writes a file that reads back equal, in the documented layout.
@Suite struct StoreRoundTripTests {
    @Test(arguments: [1, 3])
    func datasetRoundTrips(channels: Int) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("toy.h5")
        let dataset = Fixtures.dataset(channels: channels)
        let store = HDF5DatasetStore()
        try store.writeDataset(dataset, to: path)
        #expect(try store.readDataset(at: path) == dataset)
        #expect(dir.contents() == ["toy.h5"])

        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        #expect(try file.stringAttribute("format") == "metalearn.dataset")
        #expect(try file.integerAttribute("formatVersion") == 1)
        #expect(try file.stringAttribute("fingerprint") == dataset.fingerprint)
        let images = try file.openDataset("images")
        #expect(images.shape == (channels == 1 ? [30, 8, 7] : [30, 3, 8, 7]))
        #expect(images.chunkShape?.first.map { $0 >= 1 } == true)
        #expect(images.filters == ["gzip(4)"])
        #expect(try file.openDataset("labels").elementType == .int32)
        #expect(try file.openDataset("class_names").readStrings() == dataset.classNames)
        #expect(try file.openDataset("splits/test").read(Int32.self) == [5])
        #expect(try file.openGroup("provenance").stringAttribute("preprocessing") == "none")
    }

    @Test func partialImageReadsMatchTheWholeDataset() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("toy.h5")
        let dataset = Fixtures.dataset(classes: 20, perClass: 20)
        try HDF5DatasetStore(imagesPerChunk: 16).writeDataset(dataset, to: path)
        let indices = [399, 0, 17, 17, 250, 1]
        let expected = indices.flatMap { i in dataset.pixels[(i * dataset.imageSize)..<((i + 1) * dataset.imageSize)] }
        #expect(try HDF5DatasetStore().readImages(at: path, indices: indices) == expected)

        let file = try HDF5DatasetStore().open(at: path)
        #expect(file.count == 400)
        #expect(file.labels == dataset.labels)
        #expect(file.splits == dataset.splits)
        #expect(try file.images(in: 10..<13) == Array(dataset.pixels[(10 * 56)..<(13 * 56)]))
        #expect(try file.fingerprint() == dataset.fingerprint)
        let outside = #expect(throws: HDF5StorageError.self) { try file.images(at: [400]) }
        #expect(outside.map { "\($0)".contains("outside 0..<400") } == true)
        try file.close()
    }

    @Test func emptyDatasetRoundTrips() throws {
        let dir = TemporaryDirectory()
        let empty = ImageDataset(name: "empty", channels: 1, height: 4, width: 4, pixels: [], labels: [], classNames: [])
        try HDF5DatasetStore().writeDataset(empty, to: dir.file("e.h5"))
        #expect(try HDF5DatasetStore().readDataset(at: dir.file("e.h5")) == empty)
    }

    @Test func episodeCacheRoundTripsWithVariableSizes() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("episodes.h5")
        let set = Fixtures.episodes(fingerprint: Fixtures.dataset().fingerprint)
        let store = HDF5EpisodeStore()
        try store.writeEpisodes(set, to: path)
        #expect(try store.readEpisodes(at: path, expectedFingerprint: set.datasetFingerprint) == set)
        #expect(try store.readEpisodes(at: path, expectedFingerprint: nil) == set)
        let file = try HDF5File.open(at: path)
        #expect(try file.openDataset("support_offsets").read(Int64.self) == [0, 3, 6, 9, 12, 15])
        #expect(try file.unsignedAttribute("seed") == (1 << 63) + 5)
        try file.close()

        let none = EpisodeSet(datasetFingerprint: "00", datasetName: "x", split: "test", ways: 5, shots: 1, queries: 15,
                              seed: 0, episodes: [])
        try store.writeEpisodes(none, to: path)
        #expect(try store.readEpisodes(at: path, expectedFingerprint: "00") == none)
    }

    @Test func checkpointRoundTripsAndReplacesThePreviousOne() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("run.ckpt.h5")
        let store = HDF5CheckpointStore()
        let first = Fixtures.checkpoint(step: 10)
        try store.writeCheckpoint(first, to: path)
        #expect(try store.readCheckpoint(at: path) == first)
        var second = Fixtures.checkpoint(step: 20, scale: -2)
        second.metrics.append(step: 21, ["loss": 0.5, "new": 1])
        try store.writeCheckpoint(second, to: path)
        let back = try store.readCheckpoint(at: path)
        #expect(back.parameters == second.parameters)
        #expect(back.metrics.steps == second.metrics.steps)
        #expect(back.metrics.columns["new"]?.last == 1)
        #expect(back.metrics.columns["new"]?.first?.isNaN == true)
        #expect(dir.contents() == ["run.ckpt.h5"])

        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        #expect(try file.openDataset("parameters/conv1/weight").shape == [4, 1, 3, 3])
        #expect(try file.openDataset("parameters/temperature").shape == [])
        #expect(try file.openGroup("parameters").stringArrayAttribute("names")
                == ["conv1/weight", "conv1/bias", "head.weight", "temperature"])
        #expect(try file.integerAttribute("step") == 20)
        let config = try JSONSerialization.jsonObject(with: Data(try file.stringAttribute("config").utf8)) as? [String: Any]
        #expect(config?["algorithm"] as? String == "maml")
    }

    @Test func checkpointWritesReportProgress() throws {
        let dir = TemporaryDirectory()
        let seen = ProgressLog()
        try HDF5CheckpointStore(progress: { seen.append($0, $1) }).writeCheckpoint(Fixtures.checkpoint(step: 1),
                                                                                    to: dir.file("c.h5"))
        #expect(seen.values == [[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]])
    }

    @Test func invalidInputIsRefusedBeforeAnythingIsWritten() throws {
        let dir = TemporaryDirectory()
        var bad = Fixtures.checkpoint(step: 1)
        bad.parameters.append(NamedArray(name: "conv1/weight", shape: [1], values: [0]))
        #expect(throws: HDF5StorageError.self) { try HDF5CheckpointStore().writeCheckpoint(bad, to: dir.file("c.h5")) }
        var clash = Fixtures.checkpoint(step: 1)
        clash.parameters.append(NamedArray(name: "conv1", shape: [1], values: [0]))
        #expect(throws: HDF5StorageError.self) { try HDF5CheckpointStore().writeCheckpoint(clash, to: dir.file("c.h5")) }
        var notJSON = Fixtures.checkpoint(step: 1)
        notJSON.configJSON = "{algorithm: maml"
        #expect(throws: HDF5StorageError.self) { try HDF5CheckpointStore().writeCheckpoint(notJSON, to: dir.file("c.h5")) }
        var episodes = Fixtures.episodes(fingerprint: "00")
        episodes.episodes[2].queryLabels[0] = 3
        let label = #expect(throws: HDF5StorageError.self) { try HDF5EpisodeStore().writeEpisodes(episodes, to: dir.file("e.h5")) }
        #expect(label.map { "\($0)".contains("episode 2") } == true)
        var dataset = Fixtures.dataset()
        dataset.labels[0] = 99
        let invalid = #expect(throws: HDF5StorageError.self) { try HDF5DatasetStore().writeDataset(dataset, to: dir.file("d.h5")) }
        #expect(invalid.map { "\($0)".contains("label 99") } == true)
        var slashSplit = Fixtures.dataset()
        slashSplit.splits["a/b"] = [0]
        #expect(throws: HDF5StorageError.self) { try HDF5DatasetStore().writeDataset(slashSplit, to: dir.file("d.h5")) }
        #expect(dir.contents().isEmpty)
        let nowhere = dir.file("no/such/folder/c.h5")
        let missingFolder = #expect(throws: HDF5StorageError.self) {
            try HDF5CheckpointStore().writeCheckpoint(Fixtures.checkpoint(step: 1), to: nowhere)
        }
        #expect(missingFolder.map { if case .io(nowhere, _, _) = $0 { true } else { false } } == true)
    }

    @Test func storesWorkThroughTheCoreProtocols() throws {
        let dir = TemporaryDirectory()
        let datasets: any DatasetStore = HDF5DatasetStore()
        let episodes: any EpisodeStore = HDF5EpisodeStore()
        let checkpoints: any CheckpointStore = HDF5CheckpointStore()
        let d = Fixtures.dataset()
        try datasets.writeDataset(d, to: dir.file("d.h5"))
        let set = Fixtures.episodes(fingerprint: d.fingerprint)
        try episodes.writeEpisodes(set, to: dir.file("e.h5"))
        try checkpoints.writeCheckpoint(Fixtures.checkpoint(step: 3), to: dir.file("c.h5"))
        let fingerprint = try datasets.readDataset(at: dir.file("d.h5")).fingerprint
        #expect(try episodes.readEpisodes(at: dir.file("e.h5"), expectedFingerprint: fingerprint) == set)
        #expect(try checkpoints.readCheckpoint(at: dir.file("c.h5")).step == 3)
    }
}

/// Collects progress callbacks from a `@Sendable` closure.
final class ProgressLog: Sendable {
    private let log = Mutex<[[Int]]>([])
    func append(_ a: Int, _ b: Int) { log.withLock { $0.append([a, b]) } }
    var values: [[Int]] { log.withLock { $0 } }
}
