import Foundation
import HDF5Storage
import MetaLearning
import Testing

/// Files cross between MetaLearn and h5py in both directions.
///
/// These tests run the Python side themselves (`python3`, or `$PYTHON`, with
/// h5py; scripts/install-deps.sh installs it), using the scripts in
/// Tests/interop: MetaLearn writes files that `check_metalearn_files.py`
/// reads with h5py; `write_h5py_files.py` and `torchmeta_fixture.py` write
/// files MetaLearn then reads. The files MetaLearn wrote are also copied to
/// `$METALEARN_INTEROP_DIR` (default `<tmp>/metalearn-interop`), where
/// scripts/interop-check.sh (run by `make test` after the Swift tests)
/// checks them again.
@Suite struct InteropTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func metalearnFilesReadInH5py() throws {
        try Self.requirePython()
        let dir = TemporaryDirectory("interop")
        var manifest = InteropManifest()
        for (file, channels) in [("swift_dataset.h5", 1), ("swift_dataset_rgb.h5", 3)] {
            let dataset = Fixtures.dataset(channels: channels, seed: UInt64(channels))
            try HDF5DatasetStore().writeDataset(dataset, to: dir.file(file))
            manifest.datasets.append(.init(file: file, dataset))
        }
        let episodes = Fixtures.episodes(fingerprint: manifest.datasets[0].fingerprint)
        try HDF5EpisodeStore().writeEpisodes(episodes, to: dir.file("swift_episodes.h5"))
        manifest.episodes.append(.init(file: "swift_episodes.h5", episodes))
        let checkpoint = Fixtures.checkpoint(step: 12)
        try HDF5CheckpointStore().writeCheckpoint(checkpoint, to: dir.file("swift_checkpoint.h5"))
        manifest.checkpoints.append(.init(file: "swift_checkpoint.h5", checkpoint))
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: dir.file("expected.json")))

        let check = try Self.python("Tests/interop/check_metalearn_files.py", [dir.path])
        #expect(check.status == 0, "h5py check failed:\n\(check.output)")
        #expect(check.output.contains("4 MetaLearn files read correctly"))

        let example = try Self.python("docs/examples/read_checkpoint.py", [dir.file("swift_checkpoint.h5")])
        #expect(example.status == 0, "docs example failed:\n\(example.output)")
        #expect(example.output.contains("step 12, written by MetaLearn 0.1.0-test"))
        #expect(example.output.contains("conv1/weight") && example.output.contains("(4, 1, 3, 3)"))
        #expect(example.output.contains("temperature") && example.output.contains("()"))
        #expect(example.output.contains("optimizer: adam"))

        try Self.publish(dir)
    }

    @Test func h5pyFilesReadInMetaLearn() throws {
        try Self.requirePython()
        let dir = TemporaryDirectory("interop")
        let run = try Self.python("Tests/interop/write_h5py_files.py", [dir.path])
        #expect(run.status == 0, "h5py writer failed:\n\(run.output)")
        let expected = try JSONDecoder().decode(InteropManifest.self,
                                                from: Data(contentsOf: URL(fileURLWithPath: dir.file("h5py_expected.json"))))
        #expect(expected.datasets.count == 2)
        #expect(expected.episodes.count == 1)
        for entry in expected.datasets {
            let read = try HDF5DatasetStore().readDataset(at: dir.file(entry.file))
            #expect(read == entry.dataset, "\(entry.file)")
            // The fingerprint Python computed from the documented algorithm is the core's.
            #expect(read.fingerprint == entry.fingerprint, "\(entry.file)")
        }
        let lazy = try HDF5DatasetStore().open(at: dir.file("h5py_dataset_rgb.h5"))
        #expect(lazy.storedFingerprint == nil)
        #expect(try lazy.fingerprint() == expected.datasets[1].fingerprint)
        try lazy.close()
        for entry in expected.episodes {
            let read = try HDF5EpisodeStore().readEpisodes(at: dir.file(entry.file),
                                                           expectedFingerprint: expected.datasets[0].fingerprint)
            #expect(read == entry.episodeSet)
        }
    }

    @Test func torchmetaOmniglotLayoutReads() throws {
        try Self.requirePython()
        let dir = TemporaryDirectory("torchmeta")
        let run = try Self.python("Tests/interop/torchmeta_fixture.py", [dir.path])
        #expect(run.status == 0, "torchmeta fixture failed:\n\(run.output)")
        let expected = try JSONDecoder().decode(
            TorchmetaExpectation.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("torchmeta_expected.json"))))
        let dataset = try TorchmetaOmniglotReader.read(hdf5: expected.hdf5, labelsDirectory: expected.labelsDirectory)
        #expect(dataset.name == "omniglot")
        #expect(dataset.channels == 1 && dataset.height == 105 && dataset.width == 105)
        #expect(dataset.classNames == expected.classNames)
        #expect(dataset.count == 20 * expected.classNames.count)
        var sums = [Int](repeating: 0, count: dataset.classNames.count)
        for (i, label) in dataset.labels.enumerated() {
            sums[Int(label)] += dataset.pixels[(i * dataset.imageSize)..<((i + 1) * dataset.imageSize)].reduce(0) { $0 + Int($1) }
        }
        #expect(sums == expected.pixelSums)
        #expect(Array(dataset.pixels.prefix(8)) == expected.firstPixels)
        for (split, names) in expected.splits {
            #expect(dataset.splits[split]?.map { dataset.classNames[Int($0)] } == names, "split \(split)")
        }
        #expect(Set(dataset.splits.keys) == Set(expected.splits.keys))
        #expect(dataset.provenance["sourceSHA256"] == expected.sha256)

        // The imported dataset stores and reads back as a MetaLearn dataset file.
        try HDF5DatasetStore().writeDataset(dataset, to: dir.file("omniglot.h5"))
        #expect(try HDF5DatasetStore().readDataset(at: dir.file("omniglot.h5")) == dataset)
        let described = try HDF5FileInspector.describe(at: expected.hdf5)
        #expect(described.summary == "torchmeta Omniglot layout: 6 characters (read it with TorchmetaOmniglotReader)")

        let bad = dir.file("bad_labels")
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try Data(#"[["images_background", "Alpha", "character99"]]"#.utf8)
            .write(to: URL(fileURLWithPath: bad + "/vinyals_test_labels.json"))
        let error = #expect(throws: HDF5StorageError.self) {
            try TorchmetaOmniglotReader.read(hdf5: expected.hdf5, labelsDirectory: bad)
        }
        #expect(error?.description.contains("Alpha/character99 is not in the HDF5 file") == true)
    }

    @Test func documentedPythonExamplesWork() throws {
        try Self.requirePython()
        let dir = TemporaryDirectory("docs")
        let doc = try String(contentsOfFile: Self.root + "/docs/hdf5-format.md", encoding: .utf8)
        let blocks = doc.components(separatedBy: "```python\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let fingerprintCode = try #require(blocks.first { $0.contains("def fingerprint(") })
        let writerCode = try #require(blocks.first { $0.contains("toy-episodes.h5") })

        let dataset = Fixtures.dataset(channels: 3)
        let manifest = InteropManifest(datasets: [.init(file: "", dataset)])
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: dir.file("d.json")))
        let script = fingerprintCode + """
            import json, os, sys
            d = json.load(open(sys.argv[1]))["datasets"][0]
            print(fingerprint(d["channels"], d["height"], d["width"], d["labels"], d["class_names"], d["pixels"]))
            os.chdir(sys.argv[2])

            """ + writerCode
        // One interpreter for both: the documented fingerprint algorithm, then the documented writer.
        let run = try Self.python(nil, ["-c", script, dir.file("d.json"), dir.path])
        #expect(run.status == 0, "\(run.output)")
        // The documented fingerprint algorithm gives the core's fingerprint.
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == dataset.fingerprint)
        // The documented h5py writer produces files MetaLearn reads.
        let toy = try HDF5DatasetStore().readDataset(at: dir.file("toy.h5"))
        #expect(toy.count == 40 && toy.classNames.count == 4 && toy.splits["test"] == [2, 3])
        let episodes = try HDF5EpisodeStore().readEpisodes(at: dir.file("toy-episodes.h5"), expectedFingerprint: nil)
        #expect(episodes.episodes.count == 2)
        #expect(episodes.episodes[1] == Episode(classes: [3, 2], supportIndices: [31, 21], supportLabels: [0, 1],
                                                queryIndices: [33, 23], queryLabels: [0, 1]))
    }

    // MARK: Python

    /// Whether python3 with h5py runs (checked once per test process), or why not.
    static let pythonProbe: String? = {
        do {
            let probe = try python(nil, ["-c", "import h5py, numpy"])
            return probe.status == 0 ? nil : probe.output
        } catch {
            return "\(error)"
        }
    }()

    /// Fails the test with a clear message unless python3 with h5py runs.
    static func requirePython() throws {
        if let problem = pythonProbe { throw PythonMissing(detail: problem) }
    }

    /// python3 (or `$PYTHON`) is missing or lacks h5py.
    struct PythonMissing: Error, CustomStringConvertible {
        let detail: String
        var description: String {
            "the interop tests need python3 with h5py and numpy (pip install h5py, or run scripts/install-deps.sh): \(detail)"
        }
    }

    /// Runs a Python script of the repository (or python with `arguments`
    /// alone), returning its exit status and combined output.
    static func python(_ script: String?, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let interpreter = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"
        process.arguments = [interpreter] + (script.map { [root + "/" + $0] } ?? []) + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Copies the files MetaLearn wrote to the folder scripts/interop-check.sh reads.
    static func publish(_ dir: TemporaryDirectory) throws {
        let target = ProcessInfo.processInfo.environment["METALEARN_INTEROP_DIR"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("metalearn-interop").path
        let staging = target + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for name in dir.contents() {
            try FileManager.default.copyItem(atPath: dir.file(name), toPath: staging + "/" + name)
        }
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: staging, toPath: target)
    }
}
