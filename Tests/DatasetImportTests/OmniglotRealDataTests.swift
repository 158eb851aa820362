import DatasetImport
import HDF5Storage
import Foundation
import MetaLearning
import OmniglotPlugin
import Testing

/// Where the real Omniglot files are: `$METALEARN_OMNIGLOT_DIR` when set, else
/// `shared/data/omniglot` next to the package (or next to one of its parent
/// folders, for a git worktree). Read-only; never copied into the repo.
enum OmniglotData {
    static let directory: URL? = {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["METALEARN_OMNIGLOT_DIR"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env))  // when set, the only place looked at
        } else {
            // This file is <package>/Tests/DatasetImportTests/OmniglotRealDataTests.swift.
            var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            for _ in 0..<3 {
                folder = folder.deletingLastPathComponent()
                candidates.append(folder.appendingPathComponent("shared/data/omniglot"))
            }
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("images_background.zip").path) }
        if let found {
            print("Omniglot data: using \(found.path)")
        } else {
            print("Omniglot data ABSENT: the real-data tests are skipped. Looked for images_background.zip in "
                  + candidates.map(\.path).joined(separator: ", ")
                  + " (set METALEARN_OMNIGLOT_DIR to the folder with the two zips to run them).")
        }
        return found
    }()

    static var isAvailable: Bool { directory != nil }

    /// One full import shared by the tests below (made once, on first use), with its wall time.
    static let fullImport: Result<(dataset: ImageDataset, seconds: Double), DatasetImportError> = {
        guard let directory else { return .failure(.notFound(path: "shared/data/omniglot", expected: "the Omniglot data")) }
        func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
        }
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = cpuSeconds()
        do {
            let dataset = try OmniglotImporter(directory: directory).importDataset(
                progress: ProgressBar(label: "omniglot (test)", style: .lines(interval: 2)).callback)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            print("Omniglot full import: \(dataset.count) images in \(String(format: "%.2f", seconds)) s wall, "
                  + "\(String(format: "%.2f", cpuSeconds() - cpuStart)) s process CPU (\(Int(32_460 / seconds)) PNG/s)")
            return .success((dataset, seconds))
        } catch let error as DatasetImportError {
            return .failure(error)
        } catch {
            return .failure(.unreadable(file: directory.path, reason: "\(error)"))
        }
    }()
}

/// The real Omniglot import (the one slow test of this target: a few seconds in release).
@Suite(.serialized, .enabled(if: OmniglotData.isAvailable,
                "Omniglot data absent: set METALEARN_OMNIGLOT_DIR or provide ../shared/data/omniglot"))
struct OmniglotRealDataTests {
    @Test func fullImportHasTheExpectedShapeAndVerifies() throws {
        let (dataset, _) = try OmniglotData.fullImport.get()
        #expect(dataset.count == 129_840)
        #expect(dataset.classNames.count == 6_492)
        #expect(dataset.channels == 1 && dataset.height == 28 && dataset.width == 28)
        #expect(dataset.pixels.count == 129_840 * 784)
        let sizes = dataset.splits.mapValues(\.count)
        #expect(sizes == ["background": 964, "evaluation": 659, "train": 4112, "val": 688, "test": 1692, "trainval": 4800])
        try OmniglotImporter.verify(dataset)
        // The Vinyals split files name classes exactly as the importer does.
        #expect(dataset.classNames[Int(dataset.splits["train"]![0])].hasSuffix("/rot000"))
        #expect(dataset.splits["val"]!.map { dataset.classNames[Int($0)] }.contains("Hebrew/character01/rot090"))
    }

    @Test func provenanceRecordsTheArchivesAndConventions() throws {
        let (dataset, _) = try OmniglotData.fullImport.get()
        let sums = try String(contentsOf: OmniglotData.directory!.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        for line in sums.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(dataset.provenance["sha256:\(parts[1])"] == String(parts[0]), "checksum of \(parts[1])")
        }
        #expect(dataset.provenance["source"] == "images_background.zip, images_evaluation.zip")
        #expect(dataset.provenance["image_size"] == "28x28")
        #expect(dataset.provenance["structure"]?.hasPrefix("complete") == true)
        #expect(dataset.provenance["pixel_convention"] == OmniglotImporter.pixelConvention)
        #expect(dataset.provenance["content_sha256"]?.count == 64)
    }

    @Test func knownImagePropertiesAndRotations() throws {
        let (dataset, _) = try OmniglotData.fullImport.get()
        let plane = 784
        let upright = try #require(dataset.classNames.firstIndex(of: "Angelic/character01/rot000"))
        let first = try #require(dataset.labels.firstIndex(of: Int32(upright)))
        let image = Array(dataset.pixels[(first * plane)..<((first + 1) * plane)])
        // Strokes are a small part of the image (ink = 255), the border is background (0).
        let ink = Double(image.reduce(0) { $0 + Int($1) }) / (255 * Double(plane))
        #expect(ink > 0.02 && ink < 0.35, "ink fraction \(ink)")
        #expect(image[0] == 0 && image[27] == 0 && image[plane - 28] == 0 && image[plane - 1] == 0)
        #expect(image.max() == 255)
        // The same drawing in the rot090 class is this image turned 90 degrees counter-clockwise.
        let turnedClass = try #require(dataset.classNames.firstIndex(of: "Angelic/character01/rot090"))
        let turnedFirst = try #require(dataset.labels.firstIndex(of: Int32(turnedClass)))
        let turned = Array(dataset.pixels[(turnedFirst * plane)..<((turnedFirst + 1) * plane)])
        #expect(turned == ImageRotation.rotate(image, channels: 1, height: 28, width: 28, quarterTurns: 1))
        #expect(turned != image)
        // Reference digests computed with OpenCV and NumPy: the 20 images of the class, in file order, as
        // cv2.resize(255 - png, (28, 28), interpolation=cv2.INTER_AREA) and np.rot90 of those.
        let upright20 = Array(dataset.pixels[(first * plane)..<((first + 20) * plane)])
        let turned20 = Array(dataset.pixels[(turnedFirst * plane)..<((turnedFirst + 20) * plane)])
        #expect(SHA256.hash(upright20).hexString == "2cb6d3f3c26673365905b6c382f90e097e0b3a31f56a3f1ed560dcb25b1cea4b")
        #expect(SHA256.hash(turned20).hexString == "d2135cc9ad9cca5a636f0b60dbe137b07abb37880abe212b1baa8ec22a34921c")
        // The decoded source PNG is 1-bit: only 0 and 255, black ink on white.
        let zip = try ZipArchiveReader(url: OmniglotData.directory!.appendingPathComponent("images_evaluation.zip"))
        let png = try zip.data(forPath: "images_evaluation/Angelic/character01/0965_01.png")
        let raw = try PNGDecoder().decode(png, file: "0965_01.png")
        #expect(raw.width == 105 && raw.height == 105)
        #expect(Set(raw.pixels).isSubset(of: [0, 255]))
        // ... and resizing its inverse reproduces the stored image.
        let inverted = DecodedImage(width: 105, height: 105, channels: 1, pixels: raw.pixels.map { 255 - $0 })
        #expect(AreaResizer(inputWidth: 105, inputHeight: 105, outputWidth: 28, outputHeight: 28).resize(inverted) == image)
    }

    @Test func zipAndUnpackedFolderAgree() throws {
        let (full, _) = try OmniglotData.fullImport.get()
        // Unpack three characters of two alphabets (Ojibwe, Angelic: 120 PNGs) into a temporary folder.
        let folder = try TestFixtures.temporaryFolder("omniglot-unpacked")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ojibwe = "Ojibwe_(Canadian_Aboriginal_Syllabics)"
        let characters = ["character01/", "character02/", "character03/"]
        for (archive, alphabet) in [("images_background", ojibwe), ("images_evaluation", "Angelic")] {
            let reader = try ZipArchiveReader(url: OmniglotData.directory!.appendingPathComponent("\(archive).zip"))
            let extractor = try reader.makeExtractor()
            let prefixes = characters.map { "\(archive)/\(alphabet)/\($0)" }
            for (index, entry) in reader.entries.enumerated()
            where !entry.isDirectory && prefixes.contains(where: { entry.path.hasPrefix($0) }) {
                try TestFixtures.write([UInt8](try extractor.data(forEntryAt: index)), to: entry.path, in: folder)
            }
        }
        let options = OmniglotImporter.Options(vinyalsSplits: .none, requireComplete: false)
        let partial = try OmniglotImporter(directory: folder, options: options).importDataset()
        #expect(partial.classNames.count == 6 * 4)
        let warnings = try #require(partial.provenance["structure_warnings"])
        #expect(warnings.contains("images_background/: expected 30 alphabets, found 1"))
        #expect(warnings.contains("images_evaluation/: Angelic: expected 20 characters, found 3 (missing: character04, "))
        #expect(partial.splits["background"] == [0, 4, 8] && partial.splits["evaluation"] == [12, 16, 20])
        // Every class of the unpacked copy has exactly the images of the same class in the zip import.
        let plane = 784
        var fullStart: [String: Int] = [:]
        for (image, label) in full.labels.enumerated() where fullStart[full.classNames[Int(label)]] == nil {
            fullStart[full.classNames[Int(label)]] = image
        }
        for (c, name) in partial.classNames.enumerated() {
            let p = c * 20 * plane, f = try #require(fullStart[name]) * plane
            #expect(partial.pixels[p..<(p + 20 * plane)] == full.pixels[f..<(f + 20 * plane)], "class \(name)")
        }
    }
}

/// The Omniglot import as users run it: through the plugin registry, then
/// into an HDF5 dataset file, read back and verified.
@Suite(.enabled(if: OmniglotData.isAvailable,
                "Omniglot data absent: set METALEARN_OMNIGLOT_DIR or provide ../shared/data/omniglot"))
struct OmniglotHDF5Tests {
    @Test func registryImportWritesAVerifiedHDF5Dataset() throws {
        var registry = PluginRegistry()
        try OmniglotPlugin.register(into: &registry)
        let descriptor = try registry.dataset(named: "omniglot")
        #expect(!descriptor.isGenerated)
        // A missing source is a clear error, not a crash.
        #expect(throws: DatasetImportError.self) { _ = try descriptor.importDataset() }

        let (reference, _) = try OmniglotData.fullImport.get()
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-omniglot-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = HDF5DatasetStore()
        try store.writeDataset(reference, to: path)
        let back = try store.readDataset(at: path)
        try OmniglotImporter.verify(back)
        #expect(back.fingerprint == reference.fingerprint)
        #expect(back == reference)
        // Partial reads give the same pixels as the full dataset.
        let rows = [0, 77, 129_839]
        let partial = try store.readImages(at: path, indices: rows)
        #expect(partial == rows.flatMap { Array(reference.pixels[$0 * 784..<($0 + 1) * 784]) })
    }
}
