import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open HDF5 file. It is also its own root group: attributes set on the
/// file are attributes of `/`, and `createGroup`/`openDataset` work relative
/// to `/`.
///
/// The file is closed deterministically by `close()` (which reports errors)
/// or, failing that, when the last reference to it and to every object
/// opened from it goes away. Closing a file closes all objects opened from
/// it, and the operating-system descriptor is released at once.
public final class HDF5File: HDF5Container {
    /// How an existing file is opened.
    public enum AccessMode: Sendable {
        case readOnly
        case readWrite
    }

    /// The open identifier this object owns.
    public let handle: HDF5Handle
    /// The file's path, as given when it was opened or created.
    public let path: String
    /// Whether the file accepts writes.
    public let isWritable: Bool

    /// The file itself.
    public var file: HDF5File { self }
    /// `/`: the file stands for its root group.
    public var objectPath: String { "/" }

    private init(path: String, id: hid_t, writable: Bool) {
        self.path = path
        self.isWritable = writable
        self.handle = HDF5Handle(id: id, kind: .file, file: path, object: "/")
    }

    /// Creates a new file, truncating an existing one when `overwrite` is
    /// `true` (otherwise an existing file is an `.alreadyExists` error).
    public static func create(at path: String, overwrite: Bool = true) throws -> HDF5File {
        let id = try retryingWhileLocked { try HDF5Runtime.shared.run { try $0.createFile(path, overwrite: overwrite) } }
        return HDF5File(path: path, id: id, writable: true)
    }

    /// Opens an existing file. Throws `.fileNotFound`, `.notHDF5`,
    /// `.truncated` or `.corrupt` for those cases, and `.locked` when another
    /// process keeps the file locked for longer than `lockWait`.
    public static func open(at path: String, mode: AccessMode = .readOnly) throws -> HDF5File {
        let id = try retryingWhileLocked { try HDF5Runtime.shared.run { try $0.openFile(path, writable: mode == .readWrite) } }
        return HDF5File(path: path, id: id, writable: mode == .readWrite)
    }

    /// How long `open` and `create` wait for a file another open holds locked
    /// before throwing `.locked`.
    ///
    /// libhdf5 takes an exclusive `flock` on a file opened for writing and a
    /// shared one for reading. Two things hold such a lock briefly without
    /// anyone using the file: a child process started by another thread
    /// (between its fork and the closing of inherited descriptors before
    /// `exec`), and a process that is just closing the file. Waiting a short
    /// while turns those into a delay instead of a failure; a file that is
    /// really in use by another process is still reported, as `.locked`.
    public static let lockWait: Duration = .seconds(2)

    /// Runs `attempt` until it does not fail with `.locked` or `lockWait` has passed.
    private static func retryingWhileLocked<R>(_ attempt: () throws -> R) throws -> R {
        let clock = ContinuousClock()
        let deadline = clock.now + lockWait
        var pause = Duration.milliseconds(1)
        while true {
            do {
                return try attempt()
            } catch let error as HDF5Error where error.kind == .locked && clock.now < deadline {
                // Sleeping is fine here: the runtime's lock is not held.
                usleep(useconds_t(pause.components.attoseconds / 1_000_000_000_000))
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }

    /// Opens a file, runs `body`, and closes the file whether or not `body` threw.
    public static func withFile<R>(at path: String, mode: AccessMode = .readOnly,
                                   _ body: (HDF5File) throws -> R) throws -> R {
        let file = try open(at: path, mode: mode)
        do {
            let result = try body(file)
            try file.close()
            return result
        } catch {
            try? file.close()
            throw error
        }
    }

    /// Whether `path` is an existing HDF5 file (has the HDF5 signature).
    public static func isHDF5(at path: String) -> Bool {
        HDF5Runtime.shared.runUnchecked { s in
            guard s.fileExists(path) else { return false }
            let r = H5Fis_hdf5(path)
            if r < 0 { H5Eclear2(ml_h5e_default()) }
            return r > 0
        }
    }

    /// Whether the file is still open.
    public var isOpen: Bool {
        let id = handle.id
        return HDF5Runtime.shared.runUnchecked { $0.handles[id] != nil }
    }

    /// Writes libhdf5's buffers for this file to the operating system (not
    /// necessarily to disk: use `fsync` on the closed file for that).
    public func flush() throws {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            try s.flushFile(handle.id, path: path)
        }
    }

    /// Closes the file and every object opened from it. Later uses of them
    /// throw `.closed`; closing twice is harmless.
    public func close() throws {
        try HDF5Runtime.shared.run { try $0.closeFile(handle.id, path: path) }
    }
}
