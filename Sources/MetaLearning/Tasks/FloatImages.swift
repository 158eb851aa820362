/// A whole image dataset converted once to Float (`pixel / 255`, layout
/// `[N, C, H, W]`), shared read-only between threads and task distributions
/// so that no episode converts pixels again.
public final class FloatImages: Sendable {
    /// The dataset's name, for error messages.
    public let datasetName: String
    /// `ImageDataset.fingerprint` of the source.
    public let fingerprint: String
    /// Channels, height and width of each image.
    public let channels: Int
    public let height: Int
    public let width: Int
    /// Number of images.
    public let count: Int
    /// Number of global class ids (`classNames.count`).
    public let classCount: Int
    /// All pixels as Float in [0, 1], `count * channels * height * width` values.
    public let values: [Float]

    /// Converts `dataset`; throws its `validate()` error if it is inconsistent.
    public init(dataset: ImageDataset) throws {
        try dataset.validate()
        datasetName = dataset.name
        fingerprint = dataset.fingerprint
        channels = dataset.channels
        height = dataset.height
        width = dataset.width
        count = dataset.count
        classCount = dataset.classNames.count
        let n = dataset.pixels.count
        values = [Float](unsafeUninitializedCapacity: n) { out, initialized in
            dataset.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n { out[i] = Float(src[i]) / 255 }
            }
            initialized = n
        }
    }

    /// Floats per image.
    public var imageSize: Int { channels * height * width }

    /// The images at `indices`, concatenated (`indices.count * imageSize` values);
    /// throws `TaskDataError.indexOutOfRange` for an index outside the dataset.
    public func gather(_ indices: [Int32]) throws -> [Float] {
        let size = imageSize, total = count
        for i in indices where i < 0 || Int(i) >= total {
            throw TaskDataError.indexOutOfRange("dataset '\(datasetName)' sample", index: Int(i), count: total)
        }
        return [Float](unsafeUninitializedCapacity: indices.count * size) { out, initialized in
            values.withUnsafeBufferPointer { src in
                for (row, i) in indices.enumerated() {
                    let from = Int(i) &* size, to = row &* size
                    for k in 0..<size { out[to &+ k] = src[from &+ k] }
                }
            }
            initialized = indices.count * size
        }
    }
}
