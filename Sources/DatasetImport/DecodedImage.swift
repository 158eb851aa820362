/// An 8-bit image in memory: `height` rows of `width` pixels of `channels`
/// interleaved samples (`HWC` order, as image files store them).
public struct DecodedImage: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// Samples per pixel (1 for grayscale, 3 for RGB).
    public var channels: Int
    /// `height * width * channels` samples, row-major, channels interleaved.
    public var pixels: [UInt8]

    /// An image from its samples; `pixels.count` must be `height * width * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "DecodedImage: pixel count does not match the shape")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
