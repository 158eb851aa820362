/// An error from the HDF5 wrapper: what went wrong, in which file and at which
/// object, with libhdf5's error stack when the library reported one.
///
/// `description` is one line: `<file>: <object>: <message>`.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but is not an HDF5 file (no HDF5 signature).
        case notHDF5
        /// The file is shorter than its superblock says: it was cut off.
        case truncated
        /// The file starts with the HDF5 signature but its structure cannot be
        /// read (cut off inside the superblock, or overwritten).
        case corrupt
        /// The group, dataset or attribute does not exist.
        case objectNotFound
        /// An object with this name already exists.
        case alreadyExists
        /// The stored element type is not the requested one.
        case typeMismatch
        /// A shape, rank, selection or value count does not fit.
        case shapeMismatch
        /// Another open of the file holds its lock (libhdf5 locks a file
        /// while it is open, so a second writer, or a reader while a writer
        /// works, is refused instead of corrupting it).
        case locked
        /// The handle was used after its file or object was closed.
        case closed
        /// An argument was invalid before libhdf5 was called (such as a bad name).
        case invalidArgument
        /// An operating-system call (open, fsync, rename) failed.
        case io
        /// Any other failure reported by libhdf5.
        case library
    }

    /// The category of failure.
    public let kind: Kind
    /// The file's path.
    public let file: String
    /// The object's path inside the file (such as `/images` or `/` for the
    /// root), or `nil` when the failure concerns the file as a whole.
    public let object: String?
    /// What went wrong, on one line.
    public let message: String
    /// libhdf5's error stack, outermost call first (`function(): description`).
    public let stack: [String]

    /// Creates an error; newlines in `message` are replaced so it stays one line.
    public init(_ kind: Kind, file: String, object: String?, message: String, stack: [String] = []) {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message.oneLine
        self.stack = stack
    }

    /// `<file>: <object>: <message>` on one line.
    public var description: String {
        if let object { return "\(file): \(object): \(message)" }
        return "\(file): \(message)"
    }
}

extension String {
    /// The string with line breaks replaced by spaces.
    var oneLine: String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
