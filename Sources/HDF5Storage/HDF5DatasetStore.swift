import HDF5
import MetaLearning

/// Stores `ImageDataset`s as `metalearn.dataset` HDF5 files
/// (schema: docs/hdf5-format.md).
///
/// Images are written in chunks of whole images with gzip compression, so
/// reading a few images (`readImages(at:indices:)` or `open(at:)`) touches
/// only the chunks that hold them. Writes are atomic.
public struct HDF5DatasetStore: DatasetStore {
    /// gzip level for the images (`0...9`; 0 stores them uncompressed but chunked).
    public var compressionLevel: Int
    /// Images per chunk; `nil` picks about `defaultChunkBytes` per chunk
    /// (83 images of 28x28, 5 of 105x105).
    public var imagesPerChunk: Int?

    /// The default chunk size for images: small enough that a random image
    /// costs little to decompress (80 random images of a 130k-image Omniglot
    /// touch about 5 MB), large enough that a full read streams.
    public static let defaultChunkBytes = 64 * 1024

    /// Creates a store.
    public init(compressionLevel: Int = 4, imagesPerChunk: Int? = nil) {
        self.compressionLevel = compressionLevel
        self.imagesPerChunk = imagesPerChunk
    }

    /// Writes `dataset` to `location` atomically, after checking it with `validate()`.
    public func writeDataset(_ dataset: ImageDataset, to location: String) throws {
        do {
            try dataset.validate()
        } catch let error as DatasetValidationError {
            throw HDF5StorageError.invalidInput(file: location, reason: "dataset '\(dataset.name)': \(error.description)")
        }
        try ObjectNames.validate(Array(dataset.splits.keys).sorted(), what: "split", file: location, allowSlash: false)
        guard (0...9).contains(compressionLevel) else {
            throw HDF5StorageError.invalidInput(file: location, reason: "gzip level \(compressionLevel) outside 0...9")
        }
        let n = dataset.count
        let imageShape = dataset.channels == 1 ? [dataset.height, dataset.width]
                                               : [dataset.channels, dataset.height, dataset.width]
        let perChunk = imagesPerChunk ?? max(1, Self.defaultChunkBytes / max(1, dataset.imageSize))
        let fingerprint = dataset.fingerprint
        try AtomicFileWriter.write(to: location) { file in
            try HDF5StorageError.translating {
                try file.createDataset("images", values: dataset.pixels, shape: [n] + imageShape,
                                       options: .compressed(level: compressionLevel,
                                                            chunkShape: [max(1, perChunk)] + imageShape))
                try file.createDataset("labels", values: dataset.labels, shape: [n],
                                       options: .compressed(level: compressionLevel, shuffle: true))
                try file.createDataset("class_names", strings: dataset.classNames)
                let splits = try file.createGroup("splits")
                for (name, classes) in dataset.splits.sorted(by: { $0.key < $1.key }) {
                    try splits.createDataset(name, values: classes, shape: [classes.count])
                }
                let provenance = try file.createGroup("provenance")
                for (key, value) in dataset.provenance.sorted(by: { $0.key < $1.key }) {
                    try provenance.setAttribute(key, value)
                }
                try file.setAttribute("name", dataset.name)
                try file.setAttribute("fingerprint", fingerprint)
                // Written last: a file is recognisable only once it is complete.
                try file.setAttribute("format", MetaLearnFileKind.dataset.formatName)
                try file.setAttribute("formatVersion", MetaLearnFileKind.dataset.currentVersion)
            }
        }
    }

    /// Reads the whole dataset at `location`, checking the schema and, when
    /// the file stores one, that the content matches its fingerprint.
    public func readDataset(at location: String) throws -> ImageDataset {
        let file = try HDF5DatasetFile.open(at: location)
        defer { try? file.close() }
        return try file.readAll()
    }

    /// Reads only the images at `indices` (in that order; repeats allowed),
    /// concatenated, `channels * height * width` bytes each.
    public func readImages(at location: String, indices: [Int]) throws -> [UInt8] {
        let file = try HDF5DatasetFile.open(at: location)
        defer { try? file.close() }
        return try file.images(at: indices)
    }

    /// Opens the dataset at `location` for lazy access: metadata is read now,
    /// images on demand.
    public func open(at location: String) throws -> HDF5DatasetFile {
        try HDF5DatasetFile.open(at: location)
    }
}
