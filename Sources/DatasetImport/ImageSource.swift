import Foundation

/// Where image files come from: a zip archive or a folder on disk, seen the
/// same way, as a sorted list of `/`-separated relative file paths.
///
/// Hidden files and folders (names starting with `.`) and macOS `__MACOSX`
/// folders are left out of the listing in both kinds. The listing is sorted
/// by the UTF-8 bytes of the paths, so it is the same on every platform.
///
/// Reading happens through a `Reader`, one per thread.
public struct ImageSource: Sendable {
    /// What backs the source.
    public enum Kind: Sendable {
        /// Entries of a zip archive under a path prefix.
        case zipArchive(ZipArchiveReader, prefix: String)
        /// Files below a folder.
        case folder(URL)
    }

    /// What backs the source.
    public let kind: Kind
    /// Relative paths of all files (not folders), sorted by UTF-8 bytes.
    public let files: [String]
    /// For a zip source: the archive entry index of each file in `files`.
    private let entryIndices: [Int]

    /// The archive or folder path, for messages.
    public var name: String {
        switch kind {
        case let .zipArchive(reader, prefix): return prefix.isEmpty ? reader.url.path : "\(reader.url.path) (\(prefix))"
        case let .folder(url): return url.path
        }
    }

    /// The entries of a zip archive whose paths start with `prefix` (such as
    /// `"images_background/"`), listed with the prefix removed.
    /// - Throws: `DatasetImportError.notFound` / `.invalidArchive` naming the archive.
    public static func zipArchive(at url: URL, prefix: String = "") throws -> ImageSource {
        try zipArchive(ZipArchiveReader(url: url), prefix: prefix)
    }

    /// The entries of an already opened archive under `prefix`.
    public static func zipArchive(_ reader: ZipArchiveReader, prefix: String = "") -> ImageSource {
        var pairs: [(String, Int)] = []
        pairs.reserveCapacity(reader.entries.count)
        for (index, entry) in reader.entries.enumerated() where !entry.isDirectory && entry.path.hasPrefix(prefix) {
            let relative = String(entry.path.dropFirst(prefix.count))
            guard !relative.isEmpty, !isIgnored(relative) else { continue }
            pairs.append((relative, index))
        }
        pairs.sort { byteOrder($0.0, $1.0) }
        return ImageSource(kind: .zipArchive(reader, prefix: prefix), files: pairs.map(\.0), entryIndices: pairs.map(\.1))
    }

    /// All files below `url` (following symbolic links, at most 32 levels deep).
    /// - Throws: `DatasetImportError.notFound` if `url` is not a folder.
    public static func folder(at url: URL) throws -> ImageSource {
        let root = url.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetImportError.notFound(path: root.path, expected: "a folder")
        }
        var files: [String] = []
        try collect(root.path, relative: "", depth: 0, into: &files)
        files.sort(by: byteOrder)
        return ImageSource(kind: .folder(root), files: files, entryIndices: [])
    }

    private init(kind: Kind, files: [String], entryIndices: [Int]) {
        self.kind = kind
        self.files = files
        self.entryIndices = entryIndices
    }

    /// The name of file `index` for messages: the full path in a folder, or
    /// the archive path and entry.
    public func displayName(ofFileAt index: Int) -> String {
        switch kind {
        case let .zipArchive(reader, _): return "\(reader.url.path) (entry \(reader.entries[entryIndices[index]].path))"
        case let .folder(url): return url.appendingPathComponent(files[index]).path
        }
    }

    /// A reader for the calling thread.
    public func makeReader() throws -> Reader {
        switch kind {
        case let .zipArchive(reader, _): return Reader(source: self, extractor: try reader.makeExtractor())
        case .folder: return Reader(source: self, extractor: nil)
        }
    }

    /// Reads files of one source; use each reader on one thread at a time.
    public final class Reader {
        private let source: ImageSource
        private let extractor: ZipArchiveReader.Extractor?

        fileprivate init(source: ImageSource, extractor: ZipArchiveReader.Extractor?) {
            self.source = source
            self.extractor = extractor
        }

        /// The bytes of file `index` (into `files`).
        /// - Throws: `DatasetImportError.unreadable` or `.invalidArchive` naming the file.
        public func data(ofFileAt index: Int) throws -> Data {
            switch source.kind {
            case .zipArchive:
                return try extractor!.data(forEntryAt: source.entryIndices[index])
            case let .folder(url):
                let path = url.appendingPathComponent(source.files[index]).path
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DatasetImportError.unreadable(file: path, reason: "the file cannot be opened or read")
                }
                return data
            }
        }
    }

    /// Whether a relative path is left out of listings: a hidden component
    /// (starting with `.`) or a `__MACOSX` folder.
    public static func isIgnored(_ relativePath: String) -> Bool {
        relativePath.split(separator: "/").contains { $0.hasPrefix(".") || $0 == "__MACOSX" }
    }

    /// Orders strings by their UTF-8 bytes (the same on every platform and
    /// locale, and the same as Python's `sorted` for ASCII names).
    public static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func collect(_ directory: String, relative: String, depth: Int, into files: inout [String]) throws {
        guard depth < 32 else {
            throw DatasetImportError.unreadable(file: directory, reason: "folders nested more than 32 levels deep (a symbolic-link loop?)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw DatasetImportError.unreadable(file: directory, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        for name in names where !name.hasPrefix(".") && name != "__MACOSX" {
            let full = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try collect(full, relative: rel, depth: depth + 1, into: &files)
            } else {
                files.append(rel)
            }
        }
    }
}
