/// An object that holds other objects: the file (its root group) or a group.
///
/// Names are relative paths (`"splits/train"`); creating an object creates
/// missing intermediate groups.
public protocol HDF5Container: HDF5Object {}

extension HDF5Container {
    /// Creates a group (and missing intermediate groups); throws
    /// `.alreadyExists` if something already has that name.
    public func createGroup(_ name: String) throws -> HDF5Group {
        let id = try HDF5Runtime.shared.run { try $0.createGroup(name, in: handle) }
        return HDF5Group(file: file, id: id, path: HDF5Session.join(objectPath, name))
    }

    /// Opens an existing group; throws `.objectNotFound` if there is none and
    /// `.typeMismatch` if the name is a dataset.
    public func openGroup(_ name: String) throws -> HDF5Group {
        let id = try HDF5Runtime.shared.run { try $0.openGroup(name, in: handle) }
        return HDF5Group(file: file, id: id, path: HDF5Session.join(objectPath, name))
    }

    /// Opens an existing dataset. `chunkCacheBytes` sizes libhdf5's chunk
    /// cache for it (default: libhdf5's 1 MiB); a larger cache helps many
    /// small partial reads of a compressed dataset.
    public func openDataset(_ name: String, chunkCacheBytes: Int? = nil) throws -> HDF5Dataset {
        let (id, info) = try HDF5Runtime.shared.run { try $0.openDataset(name, in: handle, chunkCacheBytes: chunkCacheBytes) }
        return HDF5Dataset(file: file, id: id, path: HDF5Session.join(objectPath, name), info: info)
    }

    /// Creates a numeric dataset of `shape` without writing data (unwritten
    /// elements read as zero).
    public func createDataset<T: HDF5Scalar>(_ name: String, of type: T.Type, shape: [Int],
                                             options: HDF5DatasetOptions = .contiguous) throws -> HDF5Dataset {
        let (id, info) = try HDF5Runtime.shared.run {
            try $0.createDataset(name, in: handle, type: T.hdf5Type, shape: shape, options: options)
        }
        return HDF5Dataset(file: file, id: id, path: HDF5Session.join(objectPath, name), info: info)
    }

    /// Creates a numeric dataset of `shape` holding `values` (row-major).
    @discardableResult
    public func createDataset<T: HDF5Scalar>(_ name: String, values: [T], shape: [Int],
                                             options: HDF5DatasetOptions = .contiguous) throws -> HDF5Dataset {
        guard shape.reduce(1, *) == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error(.shapeMismatch, file: file.path, object: HDF5Session.join(objectPath, name),
                            message: "\(values.count) values do not fill shape \(shape)")
        }
        let dataset = try createDataset(name, of: T.self, shape: shape, options: options)
        try dataset.write(values)
        return dataset
    }

    /// Creates a one-dimensional dataset of variable-length UTF-8 strings.
    @discardableResult
    public func createDataset(_ name: String, strings: [String],
                              options: HDF5DatasetOptions = .contiguous) throws -> HDF5Dataset {
        let (id, info) = try HDF5Runtime.shared.run {
            try $0.createDataset(name, in: handle, type: .string(fixedLength: nil), shape: [strings.count], options: options)
        }
        let dataset = HDF5Dataset(file: file, id: id, path: HDF5Session.join(objectPath, name), info: info)
        try HDF5Runtime.shared.run { try $0.writeStrings(strings, to: dataset.handle) }
        return dataset
    }

    /// Whether an object exists at the relative path `name`.
    public func contains(_ name: String) throws -> Bool {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            return s.linkExists(handle.id, name)
        }
    }

    /// The kind of object at `name`, or `nil` if there is none.
    public func kind(of name: String) throws -> HDF5Link.Kind? {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            return s.objectKind(handle.id, name)
        }
    }

    /// The members of this group, in name order.
    public func children() throws -> [HDF5Link] {
        try HDF5Runtime.shared.run { try $0.children(of: handle) }
    }

    /// Removes the link `name` (a group or dataset) from this group.
    public func removeObject(_ name: String) throws {
        try HDF5Runtime.shared.run { try $0.unlink(name, in: handle) }
    }
}
