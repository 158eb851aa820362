import DatasetImport
import MetaLearning
import Foundation
import Testing

/// SHA-256 against the FIPS 180-4 / NIST test vectors.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownVectors(message: String, expected: String) {
        #expect(SHA256.hash(Array(message.utf8)).hexString == expected)
    }

    @Test func millionAsInUnevenPieces() {
        var hash = SHA256()
        var fed = 0
        var piece = 1
        while fed < 1_000_000 {
            let n = min(piece, 1_000_000 - fed)
            hash.update([UInt8](repeating: UInt8(ascii: "a"), count: n))
            fed += n
            piece = piece % 131 + 7  // sizes that straddle the 64-byte blocks
        }
        #expect(hash.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding edges must match a one-shot hash of the same bytes.
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var split = SHA256()
            split.update(bytes.prefix(length / 3))
            split.update(bytes.dropFirst(length / 3))
            #expect(split.finalize() == SHA256.hash(bytes), "length \(length)")
        }
        // 64 zero bytes, a known vector.
        #expect(SHA256.hash([UInt8](repeating: 0, count: 64)).hexString
                == "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b")
    }

    @Test func fileHashAndListingDigest() throws {
        let folder = try TestFixtures.temporaryFolder("sha")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestFixtures.write(Array("abc".utf8), to: "a.txt", in: folder)
        #expect(try SHA256.hash(fileAt: folder.appendingPathComponent("a.txt")).hexString
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: DatasetImportError.self) { try SHA256.hash(fileAt: folder.appendingPathComponent("missing")) }
        // The listing digest is the SHA-256 of `sha256sum` output.
        let d = SHA256.hash(Array("abc".utf8))
        let listing = "\(d.hexString)  x/a.txt\n\(d.hexString)  y.txt\n"
        #expect(SHA256.listingDigest([("x/a.txt", d), ("y.txt", d)]) == SHA256.hash(Array(listing.utf8)))
    }
}
