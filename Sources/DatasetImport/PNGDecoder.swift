import CPNG
import Foundation

/// Decodes PNG files with libpng into 8-bit grayscale or RGB.
///
/// Every PNG colour type and bit depth is accepted (1/2/4/8/16-bit gray,
/// gray+alpha, RGB, RGBA, palette, interlaced or not); libpng's simplified API
/// (`png_image_begin_read_from_memory` / `png_image_finish_read`) converts to
/// the requested format:
///
/// - 1-bit gray becomes 0 and 255; 16-bit samples are reduced to 8 bits.
/// - Colour to grayscale uses libpng's luminance conversion (in linear light,
///   sRGB coefficients), so a colour image's gray values can differ by a unit
///   or two from a naive `0.299 R + 0.587 G + 0.114 B`.
/// - An alpha channel is removed by compositing over `background`.
///
/// libpng reports errors with `setjmp`/`longjmp`, which Swift cannot use; the
/// simplified API catches them inside C and returns them in the image's
/// `message` field, so a malformed file becomes a `DatasetImportError.invalidImage`
/// naming the file, never a crash.
public struct PNGDecoder: Sendable {
    /// The pixel format produced.
    public var format: PixelFormat
    /// Gray level (for RGB output: the same level on all three channels) that
    /// transparent pixels are composited over.
    public var background: UInt8
    /// Largest accepted `width * height`; larger images are rejected before
    /// any pixel memory is allocated (a guard against decompression bombs).
    public var maxPixelCount: Int

    /// A decoder producing `format`, compositing transparency over `background`
    /// (white by default).
    public init(format: PixelFormat = .grayscale, background: UInt8 = 255, maxPixelCount: Int = 1 << 28) {
        self.format = format
        self.background = background
        self.maxPixelCount = maxPixelCount
    }

    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes a whole PNG file held in memory.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the name used in error messages (a path or archive entry).
    /// - Throws: `DatasetImportError.invalidImage` naming `file`.
    public func decode(_ data: Data, file: String) throws -> DecodedImage {
        try data.withUnsafeBytes { try decode(bytes: $0, file: file) }
    }

    /// Decodes a whole PNG file from raw bytes; see `decode(_:file:)`.
    public func decode(bytes: UnsafeRawBufferPointer, file: String) throws -> DecodedImage {
        guard bytes.count >= 8, let base = bytes.baseAddress else {
            throw DatasetImportError.invalidImage(file: file, reason: "only \(bytes.count) bytes, too short for a PNG")
        }
        guard zip(bytes.prefix(8), Self.signature).allSatisfy({ $0 == $1 }) else {
            throw DatasetImportError.invalidImage(file: file, reason: "missing the PNG signature")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.opaque = nil
        defer { png_image_free(&image) }

        guard png_image_begin_read_from_memory(&image, base, bytes.count) != 0 else {
            throw DatasetImportError.invalidImage(file: file, reason: Self.message(of: &image))
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).overflow == false,
              width * height <= maxPixelCount else {
            throw DatasetImportError.invalidImage(
                file: file, reason: "image size \(width)x\(height) exceeds the limit of \(maxPixelCount) pixels")
        }
        let channels = format.channels
        image.format = format == .grayscale ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var color = png_color(red: background, green: background, blue: background)
        let rowStride = width * channels
        var pixels = [UInt8](repeating: background, count: height * rowStride)
        let ok = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, &color, out.baseAddress, Int32(rowStride), nil)
        }
        guard ok != 0 else {
            throw DatasetImportError.invalidImage(file: file, reason: Self.message(of: &image))
        }
        return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The NUL-terminated message libpng left in the image struct.
    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error without a message" : "libpng: \(text)"
    }
}
