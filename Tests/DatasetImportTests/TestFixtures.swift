import CPNG
import Foundation

/// Test helpers that make PNG files and zip archives from scratch, so tests
/// need no files of their own: a minimal PNG encoder (stored deflate blocks,
/// any colour type and bit depth), libpng's simplified writer, a minimal zip
/// writer (stored entries), and temporary folders.
enum TestFixtures {
    // MARK: CRC-32 and Adler-32

    static func crc32(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func littleEndian16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func littleEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }

    // MARK: PNG

    /// Packs samples (each < 2^bitDepth) of one row into bytes, most significant bits first.
    static func packRow(_ samples: [Int], bitDepth: Int) -> [UInt8] {
        switch bitDepth {
        case 8: return samples.map { UInt8($0) }
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        default:
            var out = [UInt8](repeating: 0, count: (samples.count * bitDepth + 7) / 8)
            for (i, s) in samples.enumerated() {
                let bit = i * bitDepth
                out[bit / 8] |= UInt8(s << (8 - bitDepth - bit % 8))
            }
            return out
        }
    }

    /// A PNG file with the given header fields and packed rows (without filter bytes),
    /// compressed with stored deflate blocks. `palette` is RGB triples; `transparency` a tRNS chunk.
    static func encodePNG(width: Int, height: Int, bitDepth: Int, colorType: Int, rows: [[UInt8]],
                          palette: [UInt8]? = nil, transparency: [UInt8]? = nil) -> [UInt8] {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        var raw: [UInt8] = []
        for row in rows { raw.append(0); raw += row }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [final] + littleEndian16(n) + littleEndian16(~n & 0xFFFF)
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height))
                     + [UInt8(bitDepth), UInt8(colorType), 0, 0, 0])
        if let palette { png += chunk("PLTE", palette) }
        if let transparency { png += chunk("tRNS", transparency) }
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    /// An 8-bit grayscale PNG of `pixels` (row-major), via the test encoder.
    static func grayPNG(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        let rows = (0..<height).map { Array(pixels[($0 * width)..<(($0 + 1) * width)]) }
        return encodePNG(width: width, height: height, bitDepth: 8, colorType: 0, rows: rows)
    }

    /// A PNG written by libpng's simplified writer from 8-bit samples in
    /// `format` (a `PNG_FORMAT_*` value), with an optional colour map.
    static func libpngPNG(width: Int, height: Int, format: UInt32, pixels: [UInt8], colormap: [UInt8]? = nil,
                          colormapEntries: Int = 0) -> [UInt8]? {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        image.colormap_entries = UInt32(colormapEntries)
        defer { png_image_free(&image) }
        var size = 0
        let ok1 = pixels.withUnsafeBytes { p in
            colormap.withUnsafeBufferPointerIfPresent { cm in
                png_image_write_to_memory(&image, nil, &size, 0, p.baseAddress, 0, cm)
            }
        }
        guard ok1 != 0, size > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: size)
        let ok2 = out.withUnsafeMutableBytes { o in
            pixels.withUnsafeBytes { p in
                colormap.withUnsafeBufferPointerIfPresent { cm in
                    png_image_write_to_memory(&image, o.baseAddress, &size, 0, p.baseAddress, 0, cm)
                }
            }
        }
        guard ok2 != 0 else { return nil }
        return Array(out.prefix(size))
    }

    // MARK: Zip

    /// A zip archive with stored (uncompressed) entries; paths ending in `/` are folders.
    static func zipArchive(_ entries: [(path: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (path, data) in entries {
            let name = Array(path.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            let common: [UInt8] = littleEndian16(20) + littleEndian16(0) + littleEndian16(0) + littleEndian16(0)
                + littleEndian16(0x21) + littleEndian32(crc) + littleEndian32(UInt32(data.count))
                + littleEndian32(UInt32(data.count)) + littleEndian16(name.count) + littleEndian16(0)
            out += littleEndian32(0x0403_4B50) + common + name + data
            let isFolder = path.hasSuffix("/")
            central += littleEndian32(0x0201_4B50) + littleEndian16(0x0314) + common + littleEndian16(0)
                + littleEndian16(0) + littleEndian16(0)
                + littleEndian32(isFolder ? (0o040755 << 16) | 0x10 : (0o100644 << 16)) + littleEndian32(offset) + name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += littleEndian32(0x0605_4B50) + littleEndian16(0) + littleEndian16(0) + littleEndian16(entries.count)
            + littleEndian16(entries.count) + littleEndian32(UInt32(central.count)) + littleEndian32(centralOffset)
            + littleEndian16(0)
        return out
    }

    // MARK: Files

    /// A new empty temporary folder; remove it with `removeItem` when done.
    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to `folder/relativePath`, creating intermediate folders.
    static func write(_ bytes: [UInt8], to relativePath: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with a pointer to the array's bytes, or nil.
    func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafeRawPointer?) -> R) -> R {
        switch self {
        case let .some(array): return array.withUnsafeBytes { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
