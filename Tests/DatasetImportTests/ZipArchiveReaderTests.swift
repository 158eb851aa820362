import DatasetImport
import Foundation
import Testing

/// Zip listing and extraction, and clear errors for damaged archives.
@Suite struct ZipArchiveReaderTests {
    static let entries: [(path: String, data: [UInt8])] = [
        ("root/", []),
        ("root/a.txt", Array("first file".utf8)),
        ("root/sub/", []),
        ("root/sub/b.bin", (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
        ("root/.hidden", Array("x".utf8)),
        ("__MACOSX/root/._a.txt", Array("resource fork".utf8)),
    ]

    @Test func listsAndExtractsEntries() throws {
        let folder = try TestFixtures.temporaryFolder("zip")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestFixtures.write(TestFixtures.zipArchive(Self.entries), to: "test.zip", in: folder)
        let reader = try ZipArchiveReader(url: folder.appendingPathComponent("test.zip"))
        #expect(reader.entries.map(\.path) == Self.entries.map(\.path))
        #expect(reader.entries.map(\.isDirectory) == Self.entries.map { $0.path.hasSuffix("/") })
        #expect(try reader.data(forPath: "root/sub/b.bin") == Data(Self.entries[3].data))
        let extractor = try reader.makeExtractor()
        for (index, entry) in Self.entries.enumerated() where !entry.path.hasSuffix("/") {
            #expect(try extractor.data(forEntryAt: index) == Data(entry.data))
        }
        #expect(throws: DatasetImportError.self) { try reader.data(forPath: "root/none.txt") }

        // As an image source: folders, hidden files and __MACOSX are left out; the prefix is removed.
        let source = ImageSource.zipArchive(reader, prefix: "root/")
        #expect(source.files == ["a.txt", "sub/b.bin"])
        #expect(try source.makeReader().data(ofFileAt: 1) == Data(Self.entries[3].data))
    }

    @Test func truncatedOrForeignFilesGiveTypedErrors() throws {
        let folder = try TestFixtures.temporaryFolder("zip-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = TestFixtures.zipArchive(Self.entries)
        let cases: [(String, [UInt8])] = [
            ("half.zip", Array(zip.prefix(zip.count / 2))),
            ("no-end-record.zip", Array(zip.prefix(zip.count - 10))),
            ("one-byte-short.zip", Array(zip.prefix(zip.count - 1))),
            ("tiny.zip", Array(zip.prefix(5))),
            ("text.zip", Array(String(repeating: "not a zip archive ", count: 100).utf8)),
        ]
        for (name, bytes) in cases {
            try TestFixtures.write(bytes, to: name, in: folder)
            let path = folder.appendingPathComponent(name).path
            do {
                _ = try ZipArchiveReader(url: folder.appendingPathComponent(name))
                Issue.record("\(name) was accepted")
            } catch let error as DatasetImportError {
                guard case let .invalidArchive(file, _) = error else { Issue.record("\(name): \(error)"); continue }
                #expect(file == path)
                #expect(error.description.contains(name))
            }
        }
        // The central directory cut away but a forged end record kept: it points past its own position.
        let forged = Array(zip.prefix(Self.localSize + 10)) + Array(zip.suffix(22))
        try TestFixtures.write(forged, to: "forged.zip", in: folder)
        #expect(throws: DatasetImportError.self) { try ZipArchiveReader(url: folder.appendingPathComponent("forged.zip")) }
        // A missing file.
        #expect(throws: DatasetImportError.notFound(path: folder.appendingPathComponent("absent.zip").path,
                                                    expected: "a zip archive")) {
            try ZipArchiveReader(url: folder.appendingPathComponent("absent.zip"))
        }
    }

    @Test func corruptEntryDataFailsItsCRCCheck() throws {
        let folder = try TestFixtures.temporaryFolder("zip-crc")
        defer { try? FileManager.default.removeItem(at: folder) }
        var zip = TestFixtures.zipArchive(Self.entries)
        // Flip a byte in the middle of b.bin's stored data.
        let marker = Self.entries[3].data
        let start = try #require(zip.firstRange(of: marker)?.lowerBound)
        zip[start + 1500] ^= 0xFF
        try TestFixtures.write(zip, to: "crc.zip", in: folder)
        let reader = try ZipArchiveReader(url: folder.appendingPathComponent("crc.zip"))
        #expect(try reader.data(forPath: "root/a.txt") == Data(Self.entries[1].data))
        do {
            _ = try reader.data(forPath: "root/sub/b.bin")
            Issue.record("corrupt entry was extracted")
        } catch let error as DatasetImportError {
            guard case let .invalidArchive(file, reason) = error else { Issue.record("\(error)"); return }
            #expect(file.contains("crc.zip") && file.contains("root/sub/b.bin"))
            #expect(reason.contains("CRC"))
        }
    }

    /// Bytes of the local headers and data of `entries` (where the central directory starts).
    static var localSize: Int {
        entries.reduce(0) { $0 + 30 + $1.path.utf8.count + $1.data.count }
    }
}
