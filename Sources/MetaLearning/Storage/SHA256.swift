import Foundation

/// SHA-256 (FIPS 180-4), streaming.
///
/// Foundation has no SHA-256 on Linux, and provenance only needs checksums of
/// source archives, so this small implementation avoids a dependency on
/// swift-crypto. Feed bytes with `update`, then read `finalize()`:
///
/// ```swift
/// var hash = SHA256()
/// hash.update(data)
/// let hex = hash.finalize().hexString
/// ```
public struct SHA256: Sendable {
    /// A 32-byte SHA-256 digest.
    public struct Digest: Sendable, Hashable, CustomStringConvertible {
        /// The 32 digest bytes, most significant first.
        public let bytes: [UInt8]
        /// Lower-case hexadecimal, 64 characters (the form `sha256sum` prints).
        public var hexString: String {
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(64)
            for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
            return String(decoding: out, as: UTF8.self)
        }
        /// Same as `hexString`.
        public var description: String { hexString }

        /// A digest from its 32 bytes (as computed elsewhere, e.g. in parallel).
        public init(bytes: [UInt8]) {
            precondition(bytes.count == 32, "SHA256.Digest: 32 bytes expected, got \(bytes.count)")
            self.bytes = bytes
        }
    }

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes of an incomplete block, at most 63.
    private var pending: [UInt8] = []
    /// Total bytes fed so far.
    private var length: UInt64 = 0

    /// A fresh hash of the empty message.
    public init() { pending.reserveCapacity(64) }

    /// The digest of `data` in one call.
    public static func hash<D: DataProtocol>(_ data: D) -> Digest {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    /// The digest of everything `handle` reads from its current offset to
    /// the end, in 1 MiB pieces. Modules wrap it to name the file in their
    /// own errors (`DatasetImport`'s `hash(fileAt:)`).
    /// - Throws: the handle's read error.
    public static func hash(readingToEndOf handle: FileHandle) throws -> Digest {
        var h = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { h.update(chunk) }
        return h.finalize()
    }

    /// The digest of a file listing in `sha256sum` format: one line
    /// `"<hex digest>  <path>\n"` per file, in the given order. Importers pass
    /// files sorted by path, so the result identifies a set of files by
    /// content, whether they come from a zip archive or an unpacked folder;
    /// `find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`
    /// reproduces it (with paths written without the leading `./`).
    public static func listingDigest(_ files: [(path: String, digest: Digest)]) -> Digest {
        var h = SHA256()
        for file in files {
            h.update(Array("\(file.digest.hexString)  \(file.path)\n".utf8))
        }
        return h.finalize()
    }

    /// Feeds more message bytes.
    public mutating func update<D: DataProtocol>(_ data: D) {
        for region in data.regions {
            region.withUnsafeBytes { raw in update(raw) }
        }
    }

    /// Feeds more message bytes from a raw buffer.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        length &+= UInt64(raw.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, raw.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            if pending.count == 64 {
                pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = (raw.count - offset) / 64
        if blocks > 0 {
            compress(base + offset, blocks: blocks)
            offset += blocks * 64
        }
        if offset < raw.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: raw.count - offset))
        }
    }

    /// Pads the message and returns its digest. The hash value itself is not
    /// changed, so more bytes may not be fed meaningfully afterwards.
    public func finalize() -> Digest {
        var copy = self
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { raw in
            copy.compress(raw.baseAddress!, blocks: raw.count / 64)
        }
        var out = [UInt8]()
        out.reserveCapacity(32)
        let s = copy.state
        for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
            out.append(UInt8(truncatingIfNeeded: word >> 24)); out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8)); out.append(UInt8(truncatingIfNeeded: word))
        }
        return Digest(bytes: out)
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// Processes `blocks` consecutive 64-byte blocks.
    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        Self.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { m in
                for block in 0..<blocks {
                    let base = data + block &* 64
                    for i in 0..<16 {
                        m[i] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let x = m[i &- 15], y = m[i &- 2]
                        let s0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x >> 3)
                        let s1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y >> 10)
                        m[i] = m[i &- 16] &+ s0 &+ m[i &- 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    for i in 0..<64 {
                        let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = h &+ s1 &+ ch &+ k[i] &+ m[i]
                        let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        h = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}
