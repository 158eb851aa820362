import DatasetImport
import Foundation
import MetaLearning
import OmniglotPlugin
import Testing

/// The Omniglot importer on small synthetic trees: layout messages, partial
/// imports, the pixel and rotation conventions, and Vinyals split errors.
@Suite struct OmniglotImporterTests {
    /// A 105x105 1-bit PNG, white (1) with a black (0) ink rectangle at rows `rows`, columns `columns`.
    static func drawing(rows: Range<Int>, columns: Range<Int>) -> [UInt8] {
        let packed = (0..<105).map { y in
            TestFixtures.packRow((0..<105).map { x in rows.contains(y) && columns.contains(x) ? 0 : 1 }, bitDepth: 1)
        }
        return TestFixtures.encodePNG(width: 105, height: 105, bitDepth: 1, colorType: 0, rows: packed)
    }

    @Test func layoutProblemsAreListedClearly() throws {
        let folder = try TestFixtures.temporaryFolder("omniglot-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        // images_evaluation.zip without Tibetan, and Angelic/character05 with 19 drawings; no background part.
        let png = Self.drawing(rows: 0..<1, columns: 0..<1)
        var entries: [(path: String, data: [UInt8])] = []
        for (alphabet, count) in OmniglotLayout.evaluationAlphabets where alphabet != "Tibetan" {
            for c in 1...count {
                let drawings = alphabet == "Angelic" && c == 5 ? 19 : 20
                for d in 1...drawings {
                    entries.append(("images_evaluation/\(alphabet)/\(OmniglotLayout.characterName(c))/0001_\(d).png", png))
                }
            }
        }
        entries.append(("images_evaluation/Angelic/notes.txt", [1]))
        try TestFixtures.write(TestFixtures.zipArchive(entries), to: "images_evaluation.zip", in: folder)
        do {
            _ = try OmniglotImporter(directory: folder).importDataset()
            Issue.record("an incomplete set was accepted")
        } catch let error as DatasetImportError {
            guard case let .invalidStructure(source, problems) = error else { Issue.record("\(error)"); return }
            #expect(source == folder.path)
            #expect(problems.contains("images_evaluation.zip: expected 20 alphabets, found 19 (missing: Tibetan)"))
            #expect(problems.contains("images_evaluation.zip: Angelic/character05: expected 20 drawings, found 19"))
            #expect(problems.contains(
                "images_evaluation.zip: unexpected file 'Angelic/notes.txt' (expected <Alphabet>/characterNN/<drawing>.png)"))
            #expect(problems.contains { $0.hasPrefix("\(folder.path): neither images_background.zip nor an images_background/ folder") })
            #expect(problems.count == 4)
            #expect(error.description.contains("missing: Tibetan"))
        }
        // A folder with nothing at all.
        let empty = try TestFixtures.temporaryFolder("omniglot-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: DatasetImportError.self) { try OmniglotImporter(directory: empty).importDataset() }
    }

    /// images_background/Greek/character01..02 and images_evaluation/Angelic/character01, 20 drawings each,
    /// ink in the top-left corner (drawing d: a (d+10)-pixel square).
    func makePartialTree() throws -> URL {
        let root = try TestFixtures.temporaryFolder("omniglot-partial")
        for (part, alphabet, characters) in [("images_background", "Greek", 2), ("images_evaluation", "Angelic", 1)] {
            for c in 1...characters {
                for d in 1...20 {
                    let png = Self.drawing(rows: 0..<(d + 10), columns: 0..<(d + 10 + c))
                    try TestFixtures.write(png, to: "\(part)/\(alphabet)/\(OmniglotLayout.characterName(c))/00\(c)_\(d).png",
                                           in: root)
                }
            }
        }
        return root
    }

    @Test func partialImportConventionsAndVinyalsSplits() throws {
        let root = try makePartialTree()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: DatasetImportError.self) { try OmniglotImporter(directory: root).importDataset() }

        let splits = root.appendingPathComponent("my-splits")
        try TestFixtures.write(Array("Greek/character01/rot000\nGreek/character01/rot090\nGreek/character01/rot180\nGreek/character01/rot270\n".utf8),
                               to: "train.txt", in: splits)
        try TestFixtures.write(Array("Greek/character02/rot000\n\n".utf8), to: "val.txt", in: splits)
        try TestFixtures.write(Array("Angelic/character01/rot180\n".utf8), to: "test.txt", in: splits)
        let options = OmniglotImporter.Options(imageSize: 28, vinyalsSplits: .directory(splits), requireComplete: false)
        let dataset = try OmniglotImporter(directory: root, options: options).importDataset()

        #expect(dataset.count == 3 * 4 * 20)
        #expect(dataset.classNames.prefix(5) == ["Greek/character01/rot000", "Greek/character01/rot090",
                                                 "Greek/character01/rot180", "Greek/character01/rot270",
                                                 "Greek/character02/rot000"])
        #expect(dataset.classNames.last == "Angelic/character01/rot270")
        #expect(dataset.labels == (0..<12).flatMap { [Int32](repeating: Int32($0), count: 20) })
        #expect(dataset.splits["background"] == [0, 4])
        #expect(dataset.splits["evaluation"] == [8])
        #expect(dataset.splits["train"] == [0, 1, 2, 3])
        #expect(dataset.splits["val"] == [4])
        #expect(dataset.splits["test"] == [10])
        #expect(dataset.splits["trainval"] == [0, 1, 2, 3, 4])
        #expect(dataset.provenance["structure_warnings"]?.contains("missing") == true)
        #expect(dataset.provenance["pixel_convention"]?.hasPrefix("ink=255") == true)
        #expect(dataset.provenance["sha256:splits/vinyals/train.txt"]?.count == 64)

        // Ink is 255: drawing 1 of Greek/character01 has ink in input rows 0..<11 and columns 0..<12 of 105.
        // Output pixels are 3.75 input pixels wide: rows/columns 0 and 1 are fully inked, column 2 ([7.5, 11.25))
        // too; column 3 ([11.25, 15)) has 0.75 of 3.75 inked -> 255 * 0.2 = 51; row 2 ([7.5, 11.25)) has 3.5
        // of 3.75 -> 255 * 14 / 15 = 238.
        let plane = 28 * 28
        let first = Array(dataset.pixels[0..<plane])
        #expect(first[0] == 255 && first[1] == 255 && first[2] == 255 && first[28] == 255 && first[30] == 255)
        #expect(first[3] == 51)
        #expect(first[2 * 28] == 238)
        #expect(first[27] == 0 && first[27 * 28] == 0 && first[plane - 1] == 0)
        // rot090 (counter-clockwise): the top-left corner moves to the bottom-left.
        let turned = Array(dataset.pixels[(20 * plane)..<(21 * plane)])
        #expect(turned[27 * 28] == 255 && turned[0] == 0)
        #expect(turned == ImageRotation.rotate(first, channels: 1, height: 28, width: 28, quarterTurns: 1))
    }

    @Test func splitFileErrorsNameFileAndLine() throws {
        let root = try makePartialTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let splits = root.appendingPathComponent("bad-splits")
        try TestFixtures.write(Array("Greek/character01/rot000\nGreek/character09/rot090\n".utf8), to: "train.txt", in: splits)
        try TestFixtures.write(Array("Greek/character02/rot000\n".utf8), to: "val.txt", in: splits)
        try TestFixtures.write(Array("Angelic/character01/rot000\n".utf8), to: "test.txt", in: splits)
        let options = OmniglotImporter.Options(imageSize: 8, vinyalsSplits: .directory(splits), requireComplete: false)
        let train = splits.appendingPathComponent("train.txt").path
        #expect(throws: DatasetImportError.invalidSplit(file: train, line: 2,
                                                        reason: "class 'Greek/character09/rot090' is not in the imported data")) {
            try OmniglotImporter(directory: root, options: options).importDataset()
        }
        try TestFixtures.write(Array("Greek/character01/rot045\n".utf8), to: "train.txt", in: splits)
        #expect(throws: DatasetImportError.invalidSplit(
            file: train, line: 1,
            reason: "'Greek/character01/rot045' is not a class name (expected <Alphabet>/characterNN/rot000|rot090|rot180|rot270)")) {
            try VinyalsSplits(directory: splits)
        }
        try TestFixtures.write(Array("Greek/character01/rot000\nGreek/character01/rot000\n".utf8), to: "train.txt", in: splits)
        #expect(throws: DatasetImportError.invalidSplit(file: train, line: 2,
                                                        reason: "class 'Greek/character01/rot000' repeats line 1")) {
            try VinyalsSplits(directory: splits)
        }
        try FileManager.default.removeItem(atPath: train)
        #expect(throws: DatasetImportError.self) { try VinyalsSplits(directory: splits) }
    }

    @Test func verifyRejectsWhatIsNotOmniglot() {
        let small = ImageDataset(name: "tiny", channels: 1, height: 2, width: 2, pixels: [1, 2, 3, 4], labels: [0],
                                 classNames: ["Greek/character01/rot000"])
        do {
            try OmniglotImporter.verify(small)
            Issue.record("a tiny dataset passed verification")
        } catch let error as DatasetImportError {
            guard case let .verificationFailed(name, problems) = error else { Issue.record("\(error)"); return }
            #expect(name == "tiny")
            #expect(problems.contains("expected 6492 classes, found 1"))
            #expect(problems.contains("expected 129840 images, found 1"))
        } catch { Issue.record("\(error)") }
    }
}
