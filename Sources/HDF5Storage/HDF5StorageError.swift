import HDF5

/// Why a MetaLearn HDF5 file could not be read or written. Every case names
/// the file (and the object inside it where there is one); `description` is
/// one line.
public enum HDF5StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at this path.
    case fileNotFound(file: String)
    /// The file is not an HDF5 file.
    case notHDF5(file: String)
    /// The file was cut off (shorter than its superblock says).
    case truncated(file: String, detail: String)
    /// The file has the HDF5 signature but its structure cannot be read.
    case corrupt(file: String, detail: String)
    /// The file is HDF5 but not the expected kind of MetaLearn file
    /// (`found` is the `format` attribute, or a note that it is missing).
    case wrongKind(file: String, expected: String, found: String)
    /// The file's `formatVersion` is newer than this MetaLearn reads.
    case unsupportedVersion(file: String, format: String, found: Int, supported: Int)
    /// A required group, dataset or attribute (`object@attribute`) is missing.
    case missingObject(file: String, object: String)
    /// An object has the wrong element type (or is a group where a dataset is expected).
    case wrongType(file: String, object: String, expected: String, found: String)
    /// A dataset has the wrong rank or size.
    case wrongShape(file: String, object: String, expected: String, found: [Int])
    /// Values break the schema (labels out of range, offsets not increasing, ...).
    case invalidContent(file: String, object: String, reason: String)
    /// An episode cache was built for another dataset.
    case fingerprintMismatch(file: String, expected: String, found: String)
    /// What was asked to be written cannot be stored (invalid names, an
    /// inconsistent dataset).
    case invalidInput(file: String, reason: String)
    /// An operating-system step of an atomic write (fsync, rename) failed.
    case io(file: String, operation: String, reason: String)
    /// Any other failure reported by libhdf5.
    case hdf5(HDF5Error)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .fileNotFound(let f), .notHDF5(let f), .truncated(let f, _), .corrupt(let f, _),
             .wrongKind(let f, _, _), .unsupportedVersion(let f, _, _, _), .missingObject(let f, _),
             .wrongType(let f, _, _, _), .wrongShape(let f, _, _, _), .invalidContent(let f, _, _),
             .fingerprintMismatch(let f, _, _), .invalidInput(let f, _), .io(let f, _, _):
            return f
        case .hdf5(let e):
            return e.file
        }
    }

    /// One line: the file, the object where there is one, and what was expected.
    public var description: String {
        switch self {
        case .fileNotFound(let f):
            return "\(f): no such file"
        case .notHDF5(let f):
            return "\(f): not an HDF5 file"
        case .truncated(let f, let d):
            return "\(f): truncated HDF5 file (\(d))"
        case .corrupt(let f, let d):
            return "\(f): damaged HDF5 file (\(d))"
        case .wrongKind(let f, let e, let found):
            return "\(f): expected a \(e) file, found \(found)"
        case .unsupportedVersion(let f, let format, let found, let supported):
            return "\(f): \(format) formatVersion \(found) is newer than this MetaLearn reads (up to \(supported)); upgrade MetaLearn"
        case .missingObject(let f, let o):
            return "\(f): \(o): required object is missing"
        case .wrongType(let f, let o, let e, let found):
            return "\(f): \(o): expected \(e), found \(found)"
        case .wrongShape(let f, let o, let e, let found):
            return "\(f): \(o): expected shape \(e), found \(found)"
        case .invalidContent(let f, let o, let r):
            return "\(f): \(o): \(r)"
        case .fingerprintMismatch(let f, let e, let found):
            return "\(f): episode cache was built for dataset fingerprint \(found), but the dataset's fingerprint is \(e)"
        case .invalidInput(let f, let r):
            return "\(f): cannot write: \(r)"
        case .io(let f, let op, let r):
            return "\(f): \(op) failed: \(r)"
        case .hdf5(let e):
            return e.description
        }
    }

    /// Translates a wrapper error into the storage error for the same case.
    init(_ error: HDF5Error) {
        let object = error.object ?? "/"
        switch error.kind {
        case .fileNotFound: self = .fileNotFound(file: error.file)
        case .notHDF5: self = .notHDF5(file: error.file)
        case .truncated: self = .truncated(file: error.file, detail: error.message)
        case .corrupt: self = .corrupt(file: error.file, detail: error.message)
        case .objectNotFound: self = .missingObject(file: error.file, object: object)
        case .shapeMismatch: self = .invalidContent(file: error.file, object: object, reason: error.message)
        case .typeMismatch: self = .wrongType(file: error.file, object: object, expected: "another type", found: error.message)
        default: self = .hdf5(error)
        }
    }

    /// Runs `body`, translating `HDF5Error`s into `HDF5StorageError`s.
    static func translating<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as HDF5Error {
            throw HDF5StorageError(error)
        }
    }
}
