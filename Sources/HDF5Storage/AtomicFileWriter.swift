import Foundation
import HDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an HDF5 file so that its final path only ever holds a complete
/// file: the content goes to `<name>.tmp-<pid>-<thread>` in the same folder,
/// which is flushed, closed, fsync'ed and then renamed over `<name>`
/// (rename(2) is atomic within a file system); finally the folder is
/// fsync'ed so the rename itself survives a power loss. A writer killed at
/// any point leaves the previous file intact (and at worst a stale
/// temporary, removed by the next write once its process is gone).
enum AtomicFileWriter {
    /// Writes `path` atomically; `body` fills the new file.
    static func write(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let temporary = directory + "/" + name + ".tmp-\(getpid())-\(threadNumber())"
        removeStaleTemporaries(of: name, in: directory)
        do {
            let file: HDF5File
            do {
                file = try HDF5File.create(at: temporary, overwrite: true)
            } catch let error as HDF5Error {
                throw HDF5StorageError.io(file: path, operation: "create \(temporary)", reason: error.message)
            }
            do {
                try body(file)
                try HDF5StorageError.translating {
                    try file.flush()
                    try file.close()
                }
            } catch {
                try? file.close()
                throw error
            }
            try syncFile(temporary, path: path)
            guard rename(temporary, path) == 0 else {
                throw HDF5StorageError.io(file: path, operation: "rename from \(temporary)", reason: errnoText())
            }
            syncDirectory(directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// The temporary-file prefix for `name`.
    static func temporaryPrefix(of name: String) -> String { name + ".tmp-" }

    /// Removes `<name>.tmp-<pid>-*` files whose writer process no longer exists.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        let prefix = temporaryPrefix(of: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let pid = Int32(rest.prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }

    /// fsyncs a closed file so its content is on disk before the rename.
    private static func syncFile(_ temporary: String, path: String) throws {
        let fd = open(temporary, O_RDONLY)
        guard fd >= 0 else { throw HDF5StorageError.io(file: path, operation: "open for fsync", reason: errnoText()) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw HDF5StorageError.io(file: path, operation: "fsync", reason: errnoText()) }
    }

    /// fsyncs a directory so a rename in it is durable (best effort: some
    /// file systems do not support it, and the rename has happened anyway).
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// A number identifying the calling thread, so concurrent writers in one
    /// process use distinct temporary files.
    private static func threadNumber() -> UInt64 {
        #if canImport(Glibc)
        return UInt64(pthread_self())
        #else
        var id: UInt64 = 0
        pthread_threadid_np(nil, &id)
        return id
        #endif
    }

    /// The text of the current `errno`.
    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
