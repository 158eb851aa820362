/// The in-memory pixel layout importers produce: 8-bit grayscale (one
/// channel) or 8-bit RGB (three channels).
public enum PixelFormat: String, Sendable, Hashable, CaseIterable {
    /// One channel, 0 = black, 255 = white.
    case grayscale
    /// Three channels, red, green, blue.
    case rgb

    /// Channels per pixel: 1 or 3.
    public var channels: Int { self == .grayscale ? 1 : 3 }
}
