import CHDF5

extension HDF5Session {
    /// Joins a parent object path and a relative name.
    static func join(_ parent: String, _ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return parent == "/" ? "/" + name : parent + "/" + name
    }

    /// Checks a relative object name: non-empty components, no `.` or `..`.
    func validateName(_ name: String, file: String, parent: String) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              !name.contains("\0") else {
            throw HDF5Error(.invalidArgument, file: file, object: parent,
                            message: "invalid object name '\(name)' (use non-empty components separated by '/')")
        }
    }

    /// Whether every component of the relative `path` exists below `location`.
    func linkExists(_ location: hid_t, _ path: String) -> Bool {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            let r = H5Lexists(location, prefix, ml_h5p_default())
            if r <= 0 {
                if r < 0 { H5Eclear2(ml_h5e_default()) }
                return false
            }
        }
        return !prefix.isEmpty
    }

    /// The kind of the object at `path` below `location`, or `nil` if there is none.
    func objectKind(_ location: hid_t, _ path: String) -> HDF5Link.Kind? {
        guard linkExists(location, path) else { return nil }
        let object = H5Oopen(location, path, ml_h5p_default())
        guard object >= 0 else {
            H5Eclear2(ml_h5e_default())
            return .other
        }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        case H5I_DATATYPE: return .namedType
        default: return .other
        }
    }

    /// Requires an object of `kind` at `name` below the parent handle.
    func require(_ kind: HDF5Link.Kind, at name: String, in parent: HDF5Handle) throws {
        try validateName(name, file: parent.file, parent: parent.object)
        let path = Self.join(parent.object, name)
        guard let found = objectKind(parent.id, name) else {
            throw HDF5Error(.objectNotFound, file: parent.file, object: path, message: "no such \(kind)")
        }
        guard found == kind else {
            throw HDF5Error(.typeMismatch, file: parent.file, object: path, message: "expected a \(kind), found a \(found)")
        }
    }

    /// Opens and registers the group at `name` below `parent`.
    mutating func openGroup(_ name: String, in parent: HDF5Handle) throws -> hid_t {
        try ensureOpen(parent)
        try require(.group, at: name, in: parent)
        let id = H5Gopen2(parent.id, name, ml_h5p_default())
        guard id >= 0 else {
            throw failure(file: parent.file, object: Self.join(parent.object, name), "cannot open group")
        }
        register(id, kind: .group, fileID: handles[parent.id]!.fileID)
        return id
    }

    /// Creates (with missing intermediate groups) and registers a group.
    mutating func createGroup(_ name: String, in parent: HDF5Handle) throws -> hid_t {
        try ensureOpen(parent)
        try validateName(name, file: parent.file, parent: parent.object)
        let path = Self.join(parent.object, name)
        if linkExists(parent.id, name) {
            throw HDF5Error(.alreadyExists, file: parent.file, object: path, message: "an object with this name already exists")
        }
        let lcpl = H5Pcreate(ml_h5p_link_create())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let id = H5Gcreate2(parent.id, name, lcpl, ml_h5p_default(), ml_h5p_default())
        guard id >= 0 else { throw failure(file: parent.file, object: path, "cannot create group") }
        register(id, kind: .group, fileID: handles[parent.id]!.fileID)
        return id
    }

    /// Removes the link `name` below `parent` (the object's space is
    /// reclaimed when no other link refers to it and the file is repacked).
    func unlink(_ name: String, in parent: HDF5Handle) throws {
        try ensureOpen(parent)
        try validateName(name, file: parent.file, parent: parent.object)
        let path = Self.join(parent.object, name)
        guard linkExists(parent.id, name) else {
            throw HDF5Error(.objectNotFound, file: parent.file, object: path, message: "no such object")
        }
        guard H5Ldelete(parent.id, name, ml_h5p_default()) >= 0 else {
            throw failure(file: parent.file, object: path, "cannot delete object")
        }
    }

    /// The links directly below `parent`, in name order, with their kinds.
    func children(of parent: HDF5Handle) throws -> [HDF5Link] {
        try ensureOpen(parent)
        final class Names { var list: [String] = [] }
        let names = Names()
        var index: hsize_t = 0
        let status = withExtendedLifetime(names) {
            H5Literate(parent.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
                guard let name, let context else { return 0 }
                Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        guard status >= 0 else { throw failure(file: parent.file, object: parent.object, "cannot list group members") }
        return names.list.map { HDF5Link(name: $0, kind: objectKind(parent.id, $0) ?? .other) }
    }
}
