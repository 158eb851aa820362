import HDF5
import MetaLearning

/// An open `metalearn.dataset` file: labels, class names, splits and
/// provenance are read (and checked) when it opens; images are read on
/// demand, by index, so taking 80 images of a 130k-image dataset reads only
/// the chunks that hold them.
///
/// Safe to share between threads (calls into libhdf5 are serialised).
/// Close it with `close()`, or let the last reference go.
public final class HDF5DatasetFile: Sendable {
    /// The file's path.
    public let path: String
    /// The dataset's name.
    public let name: String
    /// Channels per image.
    public let channels: Int
    /// Image height.
    public let height: Int
    /// Image width.
    public let width: Int
    /// Class index of every image.
    public let labels: [Int32]
    /// Class names.
    public let classNames: [String]
    /// Split name to sorted class indices.
    public let splits: [String: [Int32]]
    /// Provenance strings.
    public let provenance: [String: String]
    /// The `fingerprint` attribute, if the file has one.
    public let storedFingerprint: String?

    private let file: HDF5File
    private let images: HDF5Dataset

    /// The number of images.
    public var count: Int { labels.count }
    /// Bytes per image.
    public var imageSize: Int { channels * height * width }

    /// Opens and checks a dataset file.
    public static func open(at path: String) throws -> HDF5DatasetFile {
        let reader = try SchemaReader.open(path)
        do {
            return try HDF5DatasetFile(reader: reader)
        } catch {
            try? reader.close()
            throw error
        }
    }

    private init(reader r: SchemaReader) throws {
        try r.checkFormat(.dataset)
        path = r.path
        file = r.file
        name = try r.string("name", on: r.file)
        storedFingerprint = try r.has("fingerprint", on: r.file) ? try r.string("fingerprint", on: r.file) : nil

        images = try r.dataset("images", type: .uint8, ranks: [3, 4], chunkCacheBytes: 16 << 20)
        let shape = images.shape
        let n = shape[0]
        channels = shape.count == 4 ? shape[1] : 1
        height = shape[shape.count - 2]
        width = shape[shape.count - 1]
        guard channels > 0, height > 0, width > 0 else {
            throw HDF5StorageError.wrongShape(file: path, object: "/images", expected: "[N, H, W] or [N, C, H, W] with C, H, W > 0",
                                              found: shape)
        }
        labels = try r.vector("labels", Int32.self, length: n)
        classNames = try r.stringVector("class_names")
        let k = Int32(classNames.count)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= k }) {
            throw HDF5StorageError.invalidContent(file: path, object: "/labels",
                                                  reason: "label \(labels[bad]) of image \(bad) outside 0..<\(k) (the number of class names)")
        }

        let splitGroup = try r.group("splits")
        var splits: [String: [Int32]] = [:]
        for link in try HDF5StorageError.translating({ try splitGroup.children() }) {
            let classes = try r.vector(link.name, Int32.self, in: splitGroup)
            if let bad = classes.first(where: { $0 < 0 || $0 >= k }) {
                throw HDF5StorageError.invalidContent(file: path, object: "/splits/\(link.name)",
                                                      reason: "class \(bad) outside 0..<\(k)")
            }
            splits[link.name] = classes
        }
        self.splits = splits

        var provenance: [String: String] = [:]
        if let group = try r.optionalGroup("provenance") {
            for key in try HDF5StorageError.translating({ try group.attributeNames() }) {
                provenance[key] = try r.string(key, on: group)
            }
        }
        self.provenance = provenance
    }

    /// The images at `indices` (in that order; repeats allowed), concatenated.
    public func images(at indices: [Int]) throws -> [UInt8] {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw HDF5StorageError.invalidContent(file: path, object: "/images", reason: "image index \(bad) outside 0..<\(count)")
        }
        return try HDF5StorageError.translating { try images.readRows(UInt8.self, indices) }
    }

    /// The images in `range`, concatenated.
    public func images(in range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw HDF5StorageError.invalidContent(file: path, object: "/images", reason: "image range \(range) outside 0..<\(count)")
        }
        let shape = images.shape
        return try HDF5StorageError.translating {
            try images.read(UInt8.self, start: [range.lowerBound] + Array(repeating: 0, count: shape.count - 1),
                            count: [range.count] + shape.dropFirst())
        }
    }

    /// Reads everything into an `ImageDataset`, checking it with `validate()`
    /// and against the stored fingerprint.
    public func readAll() throws -> ImageDataset {
        let pixels = try HDF5StorageError.translating { try images.read(UInt8.self) }
        let dataset = ImageDataset(name: name, channels: channels, height: height, width: width, pixels: pixels,
                                   labels: labels, classNames: classNames, splits: splits, provenance: provenance)
        do {
            try dataset.validate()
        } catch let error as DatasetValidationError {
            throw HDF5StorageError.invalidContent(file: path, object: "/", reason: error.description)
        }
        if let stored = storedFingerprint {
            let actual = dataset.fingerprint
            guard stored == actual else {
                throw HDF5StorageError.invalidContent(
                    file: path, object: "/@fingerprint",
                    reason: "stored fingerprint \(stored) does not match the content's \(actual) (file edited or damaged)")
            }
        }
        return dataset
    }

    /// The dataset's fingerprint: the stored one, or computed from the
    /// content (reading all images) when the file has none.
    public func fingerprint() throws -> String {
        if let storedFingerprint { return storedFingerprint }
        return try readAll().fingerprint
    }

    /// Closes the file.
    public func close() throws {
        try HDF5StorageError.translating { try file.close() }
    }
}
