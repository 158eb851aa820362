import CHDF5

/// Ownership of one open libhdf5 identifier (a file, group or dataset).
///
/// Opaque to users: files, groups and datasets each hold one. The identifier
/// is closed exactly once, by `close()` on the owning object or, failing
/// that, when the last reference goes away (`deinit`). Closing a file closes
/// the objects opened from it.
public final class HDF5Handle: Sendable {
    let id: hid_t
    let kind: HandleKind
    /// The file's path, for error messages.
    let file: String
    /// The object's path inside the file, for error messages.
    let object: String

    /// Wraps an identifier that `HDF5Session.register` has already recorded.
    /// Must not be called with the runtime's lock held.
    init(id: hid_t, kind: HandleKind, file: String, object: String) {
        self.id = id
        self.kind = kind
        self.file = file
        self.object = object
    }

    deinit {
        let id = self.id
        HDF5Runtime.shared.runUnchecked { $0.close(id) }
    }
}
