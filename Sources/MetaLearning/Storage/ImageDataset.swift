/// An image classification dataset held in memory: the unit that importers
/// produce, dataset stores persist, and task samplers draw episodes from.
///
/// Images are `UInt8` in row-major `N x C x H x W` order (`channels` may be 1).
/// Each image has a class label, an index into `classNames`. Named splits
/// (`"background"`, `"evaluation"`, `"train"`, `"val"`, `"test"`, ...) list the
/// class indices they contain, so a sampler restricted to a split draws only
/// from those classes.
public struct ImageDataset: Sendable, Equatable {
    /// A short name, such as `"omniglot"`.
    public var name: String
    /// Channels, height and width of every image.
    public var channels: Int
    public var height: Int
    public var width: Int
    /// All pixels, `count * channels * height * width` bytes.
    public var pixels: [UInt8]
    /// One class index per image, in `0..<classNames.count`.
    public var labels: [Int32]
    /// Class names, such as `"Angelic/character01/rot090"`.
    public var classNames: [String]
    /// Split name to the (sorted) class indices it contains.
    public var splits: [String: [Int32]]
    /// Provenance: source archive names, their SHA-256, preprocessing, tool version.
    public var provenance: [String: String]

    public init(name: String, channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int32],
                classNames: [String], splits: [String: [Int32]] = [:], provenance: [String: String] = [:]) {
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
        self.splits = splits
        self.provenance = provenance
    }

    /// The number of images.
    public var count: Int { labels.count }
    /// Bytes per image.
    public var imageSize: Int { channels * height * width }

    /// Checks the internal consistency of the dataset; throws a
    /// `DatasetValidationError` naming the first problem.
    public func validate() throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DatasetValidationError("image shape must be positive, got \(channels)x\(height)x\(width)")
        }
        guard pixels.count == labels.count * imageSize else {
            throw DatasetValidationError(
                "expected \(labels.count) x \(imageSize) = \(labels.count * imageSize) pixels, got \(pixels.count)")
        }
        let classCount = Int32(classNames.count)
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw DatasetValidationError("label \(bad) outside 0..<\(classCount)")
        }
        for (split, classes) in splits {
            if let bad = classes.first(where: { $0 < 0 || $0 >= classCount }) {
                throw DatasetValidationError("split '\(split)' names class \(bad) outside 0..<\(classCount)")
            }
        }
    }

    /// A stable content fingerprint (FNV-1a 64 over shape, labels, class names
    /// and pixels), written into episode caches so that a cache built for one
    /// dataset is never silently used with another.
    public var fingerprint: String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        func mixInt(_ v: Int) { var x = UInt64(bitPattern: Int64(v)); for _ in 0..<8 { mix(UInt8(x & 0xFF)); x >>= 8 } }
        mixInt(channels); mixInt(height); mixInt(width); mixInt(labels.count)
        for l in labels { mixInt(Int(l)) }
        for name in classNames { for b in name.utf8 { mix(b) }; mix(0) }
        pixels.withUnsafeBufferPointer { buf in for b in buf { mix(b) } }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A dataset that is internally inconsistent (shape, labels, splits).
public struct DatasetValidationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
