import Foundation
import ZIPFoundation

/// Reads a zip archive with ZIPFoundation: lists its entries once, then
/// extracts entries to memory, checking each one's size and CRC-32.
///
/// The reader itself is an immutable value and can be shared between threads;
/// each thread that extracts makes its own `Extractor` (which holds its own
/// archive handle), so several threads can extract from one archive at once.
///
/// Archives up to `inMemoryLimit` bytes are read into memory once and shared
/// by all extractors: ZIPFoundation seeks between the central directory and
/// the local headers for every entry, which on a file refills a 16 KiB stdio
/// buffer each time (listing Omniglot's 34,000 entries took over a second);
/// in memory it costs a few milliseconds. Larger archives are read from the file.
///
/// Before ZIPFoundation sees the file, the end-of-central-directory record is
/// located and checked, so a truncated or non-zip file gives a clear
/// `DatasetImportError.invalidArchive` naming the file.
public struct ZipArchiveReader: Sendable {
    /// One entry of the archive's central directory.
    public struct EntryInfo: Sendable, Hashable {
        /// The path inside the archive, `/`-separated (directories end in `/`).
        public let path: String
        /// The size once extracted, in bytes.
        public let uncompressedSize: UInt64
        /// Whether the entry is a directory rather than a file.
        public let isDirectory: Bool
    }

    /// The archive file.
    public let url: URL
    /// All entries in the order of the central directory.
    public let entries: [EntryInfo]
    /// ZIPFoundation's entry records, parallel to `entries`.
    private let table: EntryTable
    /// The whole archive, when it is at most `inMemoryLimit` bytes.
    private let contents: Data?

    /// Archives up to this size (1 GiB) are held in memory while read.
    public static let inMemoryLimit = 1 << 30

    /// The largest entry this reader extracts (1 GiB): a guard against zip bombs.
    public static let maxEntrySize: UInt64 = 1 << 30

    /// Opens `url` and reads its central directory.
    /// - Throws: `DatasetImportError.notFound` if there is no such file,
    ///   `.invalidArchive` if it is not a readable zip (truncated, corrupt).
    public init(url: URL) throws {
        self.url = url
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DatasetImportError.notFound(path: path, expected: "a zip archive")
        }
        let (declaredCount, size) = try Self.checkEndRecord(of: url)
        if size <= UInt64(Self.inMemoryLimit) {
            do { contents = try Data(contentsOf: url) } catch {
                throw DatasetImportError.unreadable(file: path, reason: "read failed: \(error.localizedDescription)")
            }
        } else {
            contents = nil
        }
        let archive = try Self.open(url: url, contents: contents)
        var infos: [EntryInfo] = []
        var raw: [Entry] = []
        if let declaredCount { infos.reserveCapacity(declaredCount); raw.reserveCapacity(declaredCount) }
        for entry in archive {
            infos.append(EntryInfo(path: entry.path, uncompressedSize: entry.uncompressedSize,
                                   isDirectory: entry.type == .directory))
            raw.append(entry)
        }
        if let declaredCount, declaredCount != infos.count {
            throw DatasetImportError.invalidArchive(
                file: path,
                reason: "the central directory declares \(declaredCount) entries but only \(infos.count) could be read "
                    + "(the file is truncated or corrupt)")
        }
        self.entries = infos
        self.table = EntryTable(raw)
    }

    /// Extracts entry `index` (into `entries`), opening the archive for this call only.
    /// For many entries, use one `makeExtractor()` per thread instead.
    public func data(forEntryAt index: Int) throws -> Data {
        try makeExtractor().data(forEntryAt: index)
    }

    /// Extracts the first entry whose path is `path`.
    /// - Throws: `DatasetImportError.notFound` if the archive has no such entry.
    public func data(forPath path: String) throws -> Data {
        guard let index = entries.firstIndex(where: { $0.path == path }) else {
            throw DatasetImportError.notFound(path: "\(url.path) (entry \(path))", expected: "an entry of the archive")
        }
        return try data(forEntryAt: index)
    }

    /// Opens the archive once more for extraction on the calling thread.
    public func makeExtractor() throws -> Extractor {
        Extractor(reader: self, archive: try Self.open(url: url, contents: contents))
    }

    /// A ZIPFoundation archive over the in-memory copy, or over the file.
    private static func open(url: URL, contents: Data?) throws -> Archive {
        do {
            if let contents { return try Archive(data: contents, accessMode: .read) }
            return try Archive(url: url, accessMode: .read)
        } catch {
            throw DatasetImportError.invalidArchive(file: url.path, reason: "ZIPFoundation cannot open it (\(error))")
        }
    }

    /// Extracts entries of one archive; owns an open file, so use it on one
    /// thread at a time (make one per thread).
    public final class Extractor {
        private let reader: ZipArchiveReader
        private let archive: Archive

        fileprivate init(reader: ZipArchiveReader, archive: Archive) {
            self.reader = reader
            self.archive = archive
        }

        /// The bytes of entry `index`, checked against its declared size and CRC-32.
        /// - Throws: `DatasetImportError.invalidArchive` naming the archive and entry.
        public func data(forEntryAt index: Int) throws -> Data {
            precondition(reader.entries.indices.contains(index), "ZipArchiveReader: entry index out of range")
            let info = reader.entries[index]
            let entry = reader.table.entries[index]
            let name = "\(reader.url.path) (entry \(info.path))"
            guard info.uncompressedSize <= ZipArchiveReader.maxEntrySize else {
                throw DatasetImportError.invalidArchive(
                    file: name, reason: "entry of \(info.uncompressedSize) bytes exceeds the \(ZipArchiveReader.maxEntrySize)-byte limit")
            }
            var data = Data(capacity: Int(info.uncompressedSize))
            let checksum: CRC32
            do {
                checksum = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            } catch {
                throw DatasetImportError.invalidArchive(file: name, reason: "cannot extract the entry (\(error))")
            }
            guard UInt64(data.count) == info.uncompressedSize else {
                throw DatasetImportError.invalidArchive(
                    file: name, reason: "extracted \(data.count) bytes, expected \(info.uncompressedSize) (truncated?)")
            }
            guard info.isDirectory || checksum == entry.checksum else {
                throw DatasetImportError.invalidArchive(file: name, reason: "CRC-32 mismatch (corrupt data)")
            }
            return data
        }
    }

    /// Finds the end-of-central-directory record in the last 64 KiB (+22
    /// bytes) of the file and checks that the central directory it points to
    /// lies inside the file. Returns the declared entry count (nil for ZIP64
    /// archives, whose count lives elsewhere) and the file size.
    private static func checkEndRecord(of url: URL) throws -> (count: Int?, size: UInt64) {
        let path = url.path
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetImportError.unreadable(file: path, reason: "cannot open the file for reading")
        }
        defer { try? handle.close() }
        let size: UInt64
        let tail: Data
        do {
            size = try handle.seekToEnd()
            let tailLength = min(size, 65_535 + 22)
            try handle.seek(toOffset: size - tailLength)
            tail = try handle.read(upToCount: Int(tailLength)) ?? Data()
        } catch {
            throw DatasetImportError.unreadable(file: path, reason: "read failed: \(error)")
        }
        guard size >= 22 else {
            throw DatasetImportError.invalidArchive(file: path, reason: "only \(size) bytes, too short for a zip archive")
        }
        let bytes = [UInt8](tail)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt64 { UInt64(u16(i)) | UInt64(u16(i + 2)) << 16 }
        var position = bytes.count - 22
        while position >= 0 {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06,
               position + 22 + u16(position + 20) == bytes.count {
                break
            }
            position -= 1
        }
        guard position >= 0 else {
            throw DatasetImportError.invalidArchive(
                file: path, reason: "no end-of-central-directory record at the end of the file (truncated, or not a zip)")
        }
        let count = u16(position + 10)
        let directorySize = u32(position + 12)
        let directoryOffset = u32(position + 16)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF { return (nil, size) }
        let recordOffset = size - UInt64(bytes.count - position)
        guard directoryOffset + directorySize <= recordOffset else {
            throw DatasetImportError.invalidArchive(
                file: path,
                reason: "the central directory (bytes \(directoryOffset)..<\(directoryOffset + directorySize)) "
                    + "extends past its end record at byte \(recordOffset) (truncated or corrupt)")
        }
        return (count, size)
    }
}

/// ZIPFoundation's `Entry` records of one archive. `Entry` is an immutable
/// value (integers and `Data`) that ZIPFoundation 0.9.20 does not mark
/// `Sendable`; this box is never mutated after `init`, so sharing it between
/// threads is safe.
private final class EntryTable: @unchecked Sendable {
    let entries: [Entry]
    init(_ entries: [Entry]) { self.entries = entries }
}
