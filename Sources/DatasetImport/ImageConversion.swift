/// How decoded images are turned into a dataset's pixels: pixel format,
/// target size, and whether to invert.
public struct ImageConversion: Sendable, Equatable {
    /// Grayscale (1 channel) or RGB (3 channels).
    public var format: PixelFormat
    /// Output rows and columns.
    public var height: Int, width: Int
    /// Resize images of another size with `AreaResizer`; when false, an image
    /// whose size differs from `height x width` is an error.
    public var resize: Bool
    /// Replace every sample `v` by `255 - v` before resizing (for drawings
    /// stored as dark ink on white, to get ink = 255 on a 0 background).
    public var invert: Bool
    /// Gray level transparent pixels are composited over (before inversion).
    public var background: UInt8

    /// A conversion to `format` at `height x width`.
    public init(format: PixelFormat = .grayscale, height: Int, width: Int, resize: Bool = true, invert: Bool = false,
                background: UInt8 = 255) {
        self.format = format
        self.height = height
        self.width = width
        self.resize = resize
        self.invert = invert
        self.background = background
    }

    /// Samples per converted image: `channels * height * width`.
    public var imageSize: Int { format.channels * height * width }

    /// A one-line description for provenance, such as
    /// `"PNG decoded to 8-bit grayscale; inverted (255 - v); area-averaged (exact box filter) to 28x28"`.
    public var summary: String {
        var parts = ["PNG decoded with libpng to 8-bit \(format == .grayscale ? "grayscale" : "RGB")"
                     + " (transparency composited over \(background))"]
        if invert { parts.append("inverted (v -> 255 - v)") }
        parts.append(resize ? "resized to \(height)x\(width) by exact area averaging (box filter, integer arithmetic, rounded half up)"
                            : "kept at \(height)x\(width) (no resizing)")
        return parts.joined(separator: "; ")
    }
}
