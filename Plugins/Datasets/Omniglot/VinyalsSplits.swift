import DatasetImport
import MetaLearning
import Foundation

/// The few-shot split of Omniglot by Vinyals et al. (2016), as distributed
/// with Prototypical Networks: a folder with `train.txt`, `val.txt`,
/// `test.txt` and `trainval.txt`, one class a line,
/// `<Alphabet>/characterNN/rotDDD` (each character in its four rotations;
/// 1028 train, 172 val and 423 test characters).
///
/// `trainval.txt` may be absent; it is then the union of train and val.
public struct VinyalsSplits: Sendable {
    /// One class line of a split file.
    public struct Line: Sendable, Equatable {
        /// The class name, such as `"Angelic/character01/rot090"`.
        public var className: String
        /// 1-based line number in the file.
        public var number: Int
        /// The file the line is in (for a derived trainval: train.txt or val.txt).
        public var file: String
    }

    /// Split names, in the order they are read.
    public static let splitNames = ["train", "val", "test", "trainval"]

    /// The folder read.
    public let directory: URL
    /// Split name to its lines.
    public let lines: [String: [Line]]
    /// Split file name (such as `train.txt`) to its SHA-256; a derived trainval has none.
    public let fileDigests: [String: String]

    /// Reads and checks the split files in `directory`.
    /// - Throws: `DatasetImportError.notFound` for a missing required file,
    ///   `.invalidSplit` naming the file and line of a malformed or duplicate line.
    public init(directory: URL) throws {
        self.directory = directory
        var lines: [String: [Line]] = [:]
        var digests: [String: String] = [:]
        for split in Self.splitNames {
            let url = directory.appendingPathComponent("\(split).txt")
            guard FileManager.default.fileExists(atPath: url.path) else {
                if split == "trainval" { continue }
                throw DatasetImportError.notFound(path: url.path, expected: "the Vinyals '\(split)' split, one class a line")
            }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw DatasetImportError.unreadable(file: url.path, reason: "the file cannot be opened or read")
            }
            digests["\(split).txt"] = SHA256.hash(data).hexString
            guard let text = String(data: data, encoding: .utf8) else {
                throw DatasetImportError.invalidSplit(file: url.path, line: nil, reason: "not UTF-8 text")
            }
            var seen: [String: Int] = [:]
            var parsed: [Line] = []
            for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if name.isEmpty { continue }
                let number = offset + 1
                guard Self.isClassName(name) else {
                    throw DatasetImportError.invalidSplit(
                        file: url.path, line: number,
                        reason: "'\(name)' is not a class name (expected <Alphabet>/characterNN/rot000|rot090|rot180|rot270)")
                }
                if let first = seen[name] {
                    throw DatasetImportError.invalidSplit(
                        file: url.path, line: number, reason: "class '\(name)' repeats line \(first)")
                }
                seen[name] = number
                parsed.append(Line(className: name, number: number, file: url.path))
            }
            guard !parsed.isEmpty else {
                throw DatasetImportError.invalidSplit(file: url.path, line: nil, reason: "no class lines")
            }
            lines[split] = parsed
        }
        if lines["trainval"] == nil {
            lines["trainval"] = lines["train"]! + lines["val"]!
        }
        self.lines = lines
        self.fileDigests = digests
    }

    /// Class indices of every split, sorted.
    /// - Parameter classIndex: class name to index of the imported dataset.
    /// - Throws: `DatasetImportError.invalidSplit` naming the file and line of
    ///   the first class (splits in `splitNames` order) that is not in `classIndex`.
    public func classIndices(in classIndex: [String: Int32]) throws -> [String: [Int32]] {
        var result: [String: [Int32]] = [:]
        for split in Self.splitNames {
            guard let splitLines = lines[split] else { continue }
            var indices: [Int32] = []
            indices.reserveCapacity(splitLines.count)
            for line in splitLines {
                guard let index = classIndex[line.className] else {
                    throw DatasetImportError.invalidSplit(
                        file: line.file, line: line.number,
                        reason: "class '\(line.className)' is not in the imported data")
                }
                indices.append(index)
            }
            result[split] = indices.sorted()
        }
        return result
    }

    /// Whether `name` has the form `<Alphabet>/characterNN/rotDDD` with DDD in 000, 090, 180, 270.
    static func isClassName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty else { return false }
        let character = parts[1]
        guard character.hasPrefix("character"), character.count > 9,
              character.dropFirst(9).allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return OmniglotLayout.rotationNames.contains(String(parts[2]))
    }
}
