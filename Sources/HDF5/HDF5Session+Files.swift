import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HDF5Session {
    /// File access properties for every file the wrapper opens: the "strong"
    /// close degree (closing a file closes its objects, so a closed file
    /// really releases its descriptor) and the HDF5 1.8 object format, which
    /// stores large attribute sets densely and every maintained reader reads.
    private func makeAccessProperties() -> hid_t {
        let fapl = H5Pcreate(ml_h5p_file_access())
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18)
        return fapl
    }

    /// Creates (or with `overwrite`, truncates) a file and registers it.
    mutating func createFile(_ path: String, overwrite: Bool) throws -> hid_t {
        guard !path.isEmpty else { throw HDF5Error(.invalidArgument, file: path, object: nil, message: "empty file path") }
        if !overwrite, fileExists(path) {
            throw HDF5Error(.alreadyExists, file: path, object: nil, message: "file already exists")
        }
        if overwrite, fileExists(path) { try refuseIfLocked(path) }
        let fapl = makeAccessProperties()
        defer { H5Pclose(fapl) }
        let id = H5Fcreate(path, overwrite ? ml_h5f_acc_trunc() : ml_h5f_acc_excl(), ml_h5p_default(), fapl)
        guard id >= 0 else { throw failure(.io, file: path, object: nil, "cannot create file") }
        register(id, kind: .file, fileID: id)
        return id
    }

    /// Throws `.locked` when another open of the file at `path` holds its lock.
    ///
    /// libhdf5 truncates a file it is asked to overwrite before it tries to
    /// lock it, so a file another process is using would be emptied and only
    /// then reported. Taking (and at once releasing) the same exclusive lock
    /// first leaves such a file untouched.
    private func refuseIfLocked(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }  // unreadable: let H5Fcreate report it
        defer { closeDescriptor(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK {
                throw HDF5Error(.locked, file: path, object: nil,
                                message: "cannot overwrite file: the file is locked by another open of it (most likely another process using it)")
            }
            return
        }
        flock(fd, LOCK_UN)
    }

    /// Opens an existing file and registers it, telling apart a missing file,
    /// a file that is not HDF5 and a truncated one.
    mutating func openFile(_ path: String, writable: Bool) throws -> hid_t {
        guard fileExists(path) else {
            throw HDF5Error(.fileNotFound, file: path, object: nil, message: "no such file")
        }
        let isHDF5 = H5Fis_hdf5(path)
        if isHDF5 == 0 {
            throw HDF5Error(.notHDF5, file: path, object: nil, message: "not an HDF5 file (no HDF5 signature found)")
        }
        if isHDF5 < 0 { throw failure(.io, file: path, object: nil, "cannot read file") }
        let fapl = makeAccessProperties()
        defer { H5Pclose(fapl) }
        let id = H5Fopen(path, writable ? ml_h5f_acc_rdwr() : ml_h5f_acc_rdonly(), fapl)
        guard id >= 0 else {
            let error = failure(file: path, object: nil, "cannot open file")
            // The signature was found, so this is a damaged HDF5 file: libhdf5
            // names truncation when the superblock is whole; anything else
            // (cut inside the superblock, overwritten metadata) is corruption.
            if error.kind == .library {
                throw HDF5Error(.corrupt, file: path, object: nil, message: "damaged HDF5 file, " + error.message,
                                stack: error.stack)
            }
            throw error
        }
        register(id, kind: .file, fileID: id)
        return id
    }

    /// Flushes a file's buffers to the operating system.
    func flushFile(_ id: hid_t, path: String) throws {
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw failure(.io, file: path, object: nil, "cannot flush file") }
    }

    /// Closes a registered file, reporting a failure as an error.
    mutating func closeFile(_ id: hid_t, path: String) throws {
        guard handles[id] != nil else { return }
        for (child, r) in handles where r.fileID == id && child != id { close(child) }
        handles[id] = nil
        guard H5Fclose(id) >= 0 else { throw failure(.io, file: path, object: nil, "cannot close file") }
    }

    /// The files libhdf5 currently has open in this process, with the number
    /// of open identifiers (the file's own included) in each.
    func openFiles() -> [(path: String, identifiers: Int)] {
        let all = ml_h5f_obj_all_files()
        let count = H5Fget_obj_count(all, ml_h5f_obj_file())
        guard count > 0 else { return [] }
        var ids = [hid_t](repeating: 0, count: Int(count))
        let n = H5Fget_obj_ids(all, ml_h5f_obj_file(), Int(count), &ids)
        guard n > 0 else { return [] }
        return ids.prefix(Int(n)).map { id in
            let length = H5Fget_name(id, nil, 0)
            var name = [CChar](repeating: 0, count: max(0, length) + 1)
            if length > 0 { H5Fget_name(id, &name, name.count) }
            let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return (path, Int(H5Fget_obj_count(id, ml_h5f_obj_all())))
        }
    }

    /// Whether a file system entry exists at `path`.
    func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

/// Closes an operating-system file descriptor (`close` is also a session method).
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #elseif canImport(Darwin)
    _ = Darwin.close(fd)
    #endif
}
