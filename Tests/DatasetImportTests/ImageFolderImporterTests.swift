import DatasetImport
import Foundation
import MetaLearning
import Synchronization
import Testing

/// The generic one-folder-per-class importer on small trees written by the test.
@Suite struct ImageFolderImporterTests {
    /// A constant square gray PNG.
    func png(_ side: Int, _ value: UInt8) -> [UInt8] {
        TestFixtures.grayPNG(width: side, height: side, pixels: [UInt8](repeating: value, count: side * side))
    }

    /// root/bird/x.png (16x16), cat/1.png, cat/2.png, dog/a.png, dog/sub/b.png (8x8), plus files to ignore.
    func makeTree() throws -> URL {
        let root = try TestFixtures.temporaryFolder("folder-import")
        try TestFixtures.write(png(16, 50), to: "bird/x.png", in: root)
        try TestFixtures.write(png(8, 10), to: "cat/1.png", in: root)
        try TestFixtures.write(png(8, 20), to: "cat/2.png", in: root)
        try TestFixtures.write(png(8, 30), to: "dog/a.png", in: root)
        try TestFixtures.write(png(8, 40), to: "dog/sub/b.PNG", in: root)
        try TestFixtures.write(Array("notes".utf8), to: "README.txt", in: root)
        try TestFixtures.write([0, 1, 2], to: "cat/.DS_Store", in: root)
        return root
    }

    @Test func importsClassesInSortedOrderWithSplits() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let calls = Mutex<[Int]>([])
        let options = ImageFolderImporter.Options(name: "pets", height: 4, width: 4,
                                                  splits: ["train": ["dog", "cat"], "test": ["bird"]])
        let dataset = try ImageFolderImporter(folder: root, options: options)
            .importDataset { progress in
                #expect(progress.total == 5)
                calls.withLock { $0.append(progress.completed) }
            }
        #expect(dataset.name == "pets")
        #expect(dataset.classNames == ["bird", "cat", "dog"])
        #expect(dataset.labels == [0, 1, 1, 2, 2])
        #expect(dataset.channels == 1 && dataset.height == 4 && dataset.width == 4)
        let values: [UInt8] = [50, 10, 20, 30, 40]
        #expect(dataset.pixels == values.flatMap { [UInt8](repeating: $0, count: 16) })
        #expect(dataset.splits == ["train": [1, 2], "test": [0]])
        #expect(dataset.provenance["content_sha256"]?.count == 64)
        #expect(dataset.provenance["image_size"] == "4x4")
        let progress = calls.withLock { $0 }
        #expect(progress.last == 5)
        #expect(progress == progress.sorted())
    }

    @Test func resultsDoNotDependOnWorkerCountOrPackaging() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        var options = ImageFolderImporter.Options(name: "pets", format: .rgb, height: 5, width: 3, invert: true)
        options.workerCount = 1
        let one = try ImageFolderImporter(folder: root, options: options).importDataset()
        options.workerCount = 2
        let two = try ImageFolderImporter(folder: root, options: options).importDataset()
        #expect(one == two)
        #expect(one.channels == 3 && one.pixels.count == 5 * 3 * 5 * 3)
        #expect(one.pixels.prefix(45).allSatisfy { $0 == 255 - 50 })

        // The same tree as a zip archive under a prefix gives the same images and content digest.
        let files = ["bird/x.png", "cat/1.png", "cat/2.png", "dog/a.png", "dog/sub/b.PNG"]
        let entries = try files.map { ("pets/\($0)", [UInt8](try Data(contentsOf: root.appendingPathComponent($0)))) }
        try TestFixtures.write(TestFixtures.zipArchive(entries), to: "pets.zip", in: root)
        let zipped = try ImageFolderImporter(
            source: ImageSource.zipArchive(at: root.appendingPathComponent("pets.zip"), prefix: "pets/"), options: options)
            .importDataset()
        #expect(zipped.pixels == one.pixels && zipped.labels == one.labels && zipped.classNames == one.classNames)
        #expect(zipped.provenance["content_sha256"] == one.provenance["content_sha256"])
        #expect(zipped.provenance["source_sha256"]?.count == 64)
    }

    @Test func mixedSizesWithoutATargetSizeNameTheFile() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try ImageFolderImporter(folder: root, options: .init(name: "pets")).importDataset()
            Issue.record("mixed sizes were accepted")
        } catch let error as DatasetImportError {
            guard case let .invalidImage(file, reason) = error else { Issue.record("\(error)"); return }
            #expect(file.hasSuffix("cat/1.png"))
            #expect(reason.contains("8x8") && reason.contains("16x16"))
        }
    }

    @Test func badInputGivesTypedErrors() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let options = ImageFolderImporter.Options(name: "pets", height: 4, width: 4)
        // A split naming an unknown class.
        var withSplit = options
        withSplit.splits = ["test": ["horse"]]
        #expect(throws: DatasetImportError.self) { try ImageFolderImporter(folder: root, options: withSplit).importDataset() }
        // Only one of height and width.
        var half = options
        half.width = nil
        #expect(throws: DatasetImportError.invalidOptions("give both height and width, or neither")) {
            try ImageFolderImporter(folder: root, options: half).importDataset()
        }
        // A corrupt PNG is named.
        try TestFixtures.write(Array(png(8, 1).prefix(40)), to: "dog/broken.png", in: root)
        #expect(throws: DatasetImportError.self) { try ImageFolderImporter(folder: root, options: options).importDataset() }
        do { _ = try ImageFolderImporter(folder: root, options: options).importDataset() } catch {
            #expect("\(error)".contains("dog/broken.png"))
        }
        // A non-PNG file in a class folder.
        try FileManager.default.removeItem(at: root.appendingPathComponent("dog/broken.png"))
        try TestFixtures.write([1, 2, 3], to: "cat/photo.jpg", in: root)
        #expect(throws: DatasetImportError.unsupportedFile(file: root.appendingPathComponent("cat/photo.jpg").path,
                                                           reason: "only PNG images are supported in class folders")) {
            try ImageFolderImporter(folder: root, options: options).importDataset()
        }
        // Not a folder at all.
        #expect(throws: DatasetImportError.self) {
            try ImageFolderImporter(folder: root.appendingPathComponent("nowhere"), options: options)
        }
    }
}
