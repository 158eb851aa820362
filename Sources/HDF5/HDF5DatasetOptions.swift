/// How a new dataset is laid out on disk: contiguous, or chunked with
/// optional shuffle and gzip (deflate) compression.
public struct HDF5DatasetOptions: Sendable, Equatable {
    /// Chunk shape (same rank as the dataset). `nil` means contiguous unless
    /// compression is requested, in which case a chunk shape is chosen:
    /// whole rows along the first dimension (splitting rows only when
    /// one row is larger than `autoChunkBytes`), about `autoChunkBytes` per chunk.
    public var chunkShape: [Int]?
    /// gzip level `0...9`, or `nil` for no compression.
    public var gzipLevel: Int?
    /// Whether to apply the byte-shuffle filter before gzip (helps multi-byte
    /// numbers; pointless for `uint8`).
    public var shuffle: Bool

    /// The target chunk size in bytes when the chunk shape is chosen automatically.
    public static let autoChunkBytes = 256 * 1024

    /// Creates layout options.
    public init(chunkShape: [Int]? = nil, gzipLevel: Int? = nil, shuffle: Bool = false) {
        self.chunkShape = chunkShape
        self.gzipLevel = gzipLevel
        self.shuffle = shuffle
    }

    /// Contiguous, uncompressed.
    public static let contiguous = HDF5DatasetOptions()

    /// Chunked and gzip-compressed; `chunkShape` `nil` picks one automatically.
    public static func compressed(level: Int = 4, chunkShape: [Int]? = nil, shuffle: Bool = false) -> HDF5DatasetOptions {
        HDF5DatasetOptions(chunkShape: chunkShape, gzipLevel: level, shuffle: shuffle)
    }

    /// The chunk shape to use for a dataset of `shape` with `elementSize`-byte
    /// elements, or `nil` for contiguous storage. Datasets with no elements
    /// are always contiguous (HDF5 cannot chunk a zero-sized fixed dataset).
    func resolvedChunk(for shape: [Int], elementSize: Int) -> [Int]? {
        guard !shape.isEmpty, !shape.contains(0) else { return nil }
        if let chunk = chunkShape {
            return zip(chunk, shape).map { max(1, min($0, $1)) }
        }
        guard gzipLevel != nil || shuffle else { return nil }
        // Keep trailing dimensions whole as long as possible (row-major
        // locality); shrink the leading ones until a chunk fits the target.
        var chunk = shape
        for d in chunk.indices {
            let inner = chunk[(d + 1)...].reduce(elementSize, *)
            if chunk[d] * inner <= Self.autoChunkBytes { break }
            chunk[d] = max(1, Self.autoChunkBytes / inner)
            if inner <= Self.autoChunkBytes { break }
        }
        return chunk
    }
}
