import Foundation
import HDF5
import MetaLearning

/// Reads Omniglot as converted by torchmeta, so users can bring data they
/// already have.
///
/// torchmeta's layout (`torchmeta/datasets/omniglot.py`): `data.hdf5` holds
/// groups `images_background` and `images_evaluation`; inside them one
/// `uint8` dataset of shape `(20, 105, 105)` per `<alphabet>/<character>`
/// (images inverted when converted: ink 255, paper 0). Beside it, JSON
/// files list characters as `[group, alphabet, character]` triples:
/// `vinyals_{train,val,test}_labels.json` (the Vinyals et al. split) and
/// `{train,test}_labels.json` (background/evaluation).
public enum TorchmetaOmniglotReader {
    /// Reads `hdf5` (torchmeta's `data.hdf5`) into an `ImageDataset` of
    /// 1 x H x W images (105 x 105 for torchmeta's files; sizes are kept).
    ///
    /// Classes are the characters, sorted by group, alphabet and character,
    /// named `<alphabet>/<character>`. Splits: `background` and `evaluation`
    /// from the groups, plus one split per `*_labels.json` file in
    /// `labelsDirectory`: `vinyals_<s>_labels.json` gives split `<s>`
    /// (`train`, `val`, `test`), any other `<s>_labels.json` gives
    /// `torchmeta_<s>`. Provenance records the source file, its SHA-256 and
    /// the labels files used.
    public static func read(hdf5 path: String, labelsDirectory: String? = nil,
                            name: String = "omniglot") throws -> ImageDataset {
        let checksum = try Self.checksum(ofFile: path)
        var classNames: [String] = []
        var triples: [[String]] = []
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        var splits: [String: [Int32]] = [:]
        var imageShape: [Int]? = nil

        try SchemaReader.reading(path) { r in
            let groups = ["images_background", "images_evaluation"]
            let present = try groups.filter { group in try HDF5StorageError.translating { try r.file.contains(group) } }
            guard !present.isEmpty else {
                throw HDF5StorageError.missingObject(file: path, object: "/images_background")
            }
            var seen: [String: String] = [:]
            for groupName in present {
                let group = try r.group(groupName)
                let splitName = groupName == "images_background" ? "background" : "evaluation"
                var members: [Int32] = []
                for alphabet in try HDF5StorageError.translating({ try group.children() }) {
                    let alphabetGroup = try r.group(alphabet.name, in: group)
                    for character in try HDF5StorageError.translating({ try alphabetGroup.children() }) {
                        let d = try r.dataset(character.name, in: alphabetGroup, type: .uint8, ranks: [3])
                        let shape = Array(d.shape.dropFirst())
                        if let expected = imageShape, expected != shape {
                            throw HDF5StorageError.wrongShape(file: path, object: d.objectPath,
                                                              expected: "[n, \(expected[0]), \(expected[1])] like the other characters",
                                                              found: d.shape)
                        }
                        imageShape = shape
                        let className = alphabet.name + "/" + character.name
                        if let other = seen[className] {
                            throw HDF5StorageError.invalidContent(
                                file: path, object: d.objectPath,
                                reason: "character \(className) also appears in /\(other); class names would collide")
                        }
                        seen[className] = groupName
                        let index = Int32(classNames.count)
                        classNames.append(className)
                        triples.append([groupName, alphabet.name, character.name])
                        members.append(index)
                        pixels += try HDF5StorageError.translating { try d.read(UInt8.self) }
                        labels += repeatElement(index, count: d.shape[0])
                        d.close()
                    }
                    alphabetGroup.close()
                }
                splits[splitName] = members
            }
        }

        var provenance = [
            "source": "torchmeta Omniglot HDF5 (data.hdf5)",
            "sourceFile": URL(fileURLWithPath: path).lastPathComponent,
            "sourceSHA256": checksum,
            "preprocessing": "none: images as stored by torchmeta (\(imageShape.map { "\($0[0])x\($0[1])" } ?? "no images"), "
                + "inverted: ink 255, paper 0)",
        ]
        if let labelsDirectory {
            let index = Dictionary(uniqueKeysWithValues: triples.enumerated().map { ($1, Int32($0)) })
            var used: [String] = []
            for file in try labelsFiles(in: labelsDirectory) {
                let split = splitName(forLabelsFile: file)
                splits[split] = try readLabels(labelsDirectory + "/" + file, index: index).sorted()
                used.append(file)
            }
            provenance["labelsFiles"] = used.joined(separator: ",")
        }

        let shape = imageShape ?? [105, 105]
        let dataset = ImageDataset(name: name, channels: 1, height: shape[0], width: shape[1], pixels: pixels,
                                   labels: labels, classNames: classNames, splits: splits, provenance: provenance)
        do {
            try dataset.validate()
        } catch let error as DatasetValidationError {
            throw HDF5StorageError.invalidContent(file: path, object: "/", reason: error.description)
        }
        return dataset
    }

    /// The split a labels file defines: `vinyals_<s>_labels.json` → `<s>`,
    /// `<s>_labels.json` → `torchmeta_<s>`.
    public static func splitName(forLabelsFile file: String) -> String {
        let stem = String(file.dropLast("_labels.json".count))
        return stem.hasPrefix("vinyals_") ? String(stem.dropFirst("vinyals_".count)) : "torchmeta_" + stem
    }

    /// The `*_labels.json` files in `directory`, sorted.
    private static func labelsFiles(in directory: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix("_labels.json") && $0.count > "_labels.json".count }.sorted()
        } catch {
            throw HDF5StorageError.fileNotFound(file: directory)
        }
    }

    /// The class indices listed in one labels file.
    private static func readLabels(_ file: String, index: [[String]: Int32]) throws -> [Int32] {
        guard let data = FileManager.default.contents(atPath: file) else { throw HDF5StorageError.fileNotFound(file: file) }
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String]] else {
            throw HDF5StorageError.invalidContent(file: file, object: "/",
                                                  reason: "expected a JSON list of [group, alphabet, character] string triples")
        }
        return try list.map { triple in
            guard triple.count == 3 else {
                throw HDF5StorageError.invalidContent(file: file, object: "/", reason: "entry \(triple) is not a triple")
            }
            guard let i = index[triple] else {
                throw HDF5StorageError.invalidContent(
                    file: file, object: "/", reason: "character \(triple.joined(separator: "/")) is not in the HDF5 file")
            }
            return i
        }
    }

    /// The SHA-256 of a file's content, as lower-case hex.
    private static func checksum(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HDF5StorageError.io(file: path, operation: "open for checksum", reason: "cannot open")
        }
        defer { try? handle.close() }
        do {
            return try SHA256.hash(readingToEndOf: handle).hexString
        } catch {
            throw HDF5StorageError.io(file: path, operation: "checksum", reason: "\(error)")
        }
    }
}
