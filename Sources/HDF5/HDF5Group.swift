import CHDF5

/// An open group. Holds its file open; closed when the last reference goes
/// away, by `close()`, or when its file is closed.
public final class HDF5Group: HDF5Container {
    /// The open identifier this object owns.
    public let handle: HDF5Handle
    /// The file this object belongs to (kept open while the object lives).
    public let file: HDF5File
    /// The absolute path inside the file.
    public let objectPath: String

    /// Wraps a group identifier already registered with the session.
    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.objectPath = path
        self.handle = HDF5Handle(id: id, kind: .group, file: file.path, object: path)
    }

    /// Closes the group now (later uses throw `.closed`). Closing twice is harmless.
    public func close() {
        let id = handle.id
        HDF5Runtime.shared.runUnchecked { $0.close(id) }
    }
}
