import HDF5

/// Reads a MetaLearn file while checking it against its schema, turning
/// every deviation into an `HDF5StorageError` that names the object.
struct SchemaReader {
    let file: HDF5File
    var path: String { file.path }

    /// Opens `path` read-only.
    static func open(_ path: String) throws -> SchemaReader {
        SchemaReader(file: try HDF5StorageError.translating { try HDF5File.open(at: path) })
    }

    /// Checks the root `format` and `formatVersion` attributes against `kind`.
    func checkFormat(_ kind: MetaLearnFileKind) throws {
        guard try has("format", on: file) else {
            throw HDF5StorageError.wrongKind(file: path, expected: kind.formatName, found: "no 'format' attribute on /")
        }
        let format = try string("format", on: file)
        guard format == kind.formatName else {
            throw HDF5StorageError.wrongKind(file: path, expected: kind.formatName, found: "format '\(format)'")
        }
        let version = try integer("formatVersion", on: file)
        guard version <= kind.currentVersion else {
            throw HDF5StorageError.unsupportedVersion(file: path, format: kind.formatName, found: version,
                                                      supported: kind.currentVersion)
        }
        guard version >= 1 else {
            throw HDF5StorageError.invalidContent(file: path, object: "/@formatVersion",
                                                  reason: "formatVersion must be at least 1, found \(version)")
        }
    }

    // MARK: Attributes

    func has(_ name: String, on object: HDF5Object) throws -> Bool {
        try HDF5StorageError.translating { try object.hasAttribute(name) }
    }

    /// Reads a required attribute.
    func attribute(_ name: String, on object: HDF5Object) throws -> HDF5AttributeValue {
        guard try has(name, on: object) else {
            throw HDF5StorageError.missingObject(file: path, object: "\(object.objectPath)@\(name)")
        }
        return try HDF5StorageError.translating { try object.attribute(name) }
    }

    func string(_ name: String, on object: HDF5Object) throws -> String {
        let value = try attribute(name, on: object)
        guard let s = value.string else { throw wrongAttribute(name, object, expected: "a string", value) }
        return s
    }

    func strings(_ name: String, on object: HDF5Object) throws -> [String] {
        let value = try attribute(name, on: object)
        guard case .strings(let s, let shape) = value, shape.count <= 1 else {
            throw wrongAttribute(name, object, expected: "a 1-D string array", value)
        }
        return s
    }

    func integer(_ name: String, on object: HDF5Object) throws -> Int {
        let value = try attribute(name, on: object)
        guard let i = value.integer else { throw wrongAttribute(name, object, expected: "an integer", value) }
        return Int(i)
    }

    func unsigned(_ name: String, on object: HDF5Object) throws -> UInt64 {
        let value = try attribute(name, on: object)
        switch value {
        case .unsignedIntegers(let v, _) where v.count == 1: return v[0]
        case .integers(let v, _) where v.count == 1 && v[0] >= 0: return UInt64(v[0])
        default: throw wrongAttribute(name, object, expected: "a non-negative integer", value)
        }
    }

    func double(_ name: String, on object: HDF5Object) throws -> Double {
        let value = try attribute(name, on: object)
        guard let d = value.double else { throw wrongAttribute(name, object, expected: "a number", value) }
        return d
    }

    private func wrongAttribute(_ name: String, _ object: HDF5Object, expected: String,
                                _ value: HDF5AttributeValue) -> HDF5StorageError {
        let found: String
        switch value {
        case .integers(_, let s), .unsignedIntegers(_, let s): found = s.isEmpty ? "an integer" : "integers of shape \(s)"
        case .floats(_, let s): found = s.isEmpty ? "a float" : "floats of shape \(s)"
        case .strings(_, let s): found = s.isEmpty ? "a string" : "strings of shape \(s)"
        case .unsupported(let t, let s): found = "\(t) of shape \(s)"
        }
        return .wrongType(file: path, object: "\(object.objectPath)@\(name)", expected: expected, found: found)
    }

    // MARK: Objects

    /// Opens a required group.
    func group(_ name: String, in parent: HDF5Container? = nil) throws -> HDF5Group {
        let parent = parent ?? file
        let full = join(parent.objectPath, name)
        switch try HDF5StorageError.translating({ try parent.kind(of: name) }) {
        case nil: throw HDF5StorageError.missingObject(file: path, object: full)
        case .group?: return try HDF5StorageError.translating { try parent.openGroup(name) }
        case let other?: throw HDF5StorageError.wrongType(file: path, object: full, expected: "a group", found: "a \(other)")
        }
    }

    /// Opens an optional group (`nil` if absent).
    func optionalGroup(_ name: String, in parent: HDF5Container? = nil) throws -> HDF5Group? {
        let parent = parent ?? file
        guard try HDF5StorageError.translating({ try parent.contains(name) }) else { return nil }
        return try group(name, in: parent)
    }

    /// Opens a required dataset, checking its element type and rank.
    func dataset(_ name: String, in parent: HDF5Container? = nil, type: HDF5ElementType?, ranks: Set<Int>,
                 chunkCacheBytes: Int? = nil) throws -> HDF5Dataset {
        let parent = parent ?? file
        let full = join(parent.objectPath, name)
        switch try HDF5StorageError.translating({ try parent.kind(of: name) }) {
        case nil: throw HDF5StorageError.missingObject(file: path, object: full)
        case .dataset?: break
        case let other?: throw HDF5StorageError.wrongType(file: path, object: full, expected: "a dataset", found: "a \(other)")
        }
        let dataset = try HDF5StorageError.translating { try parent.openDataset(name, chunkCacheBytes: chunkCacheBytes) }
        if let type, dataset.elementType != type {
            throw HDF5StorageError.wrongType(file: path, object: full, expected: "\(type) elements",
                                             found: "\(dataset.elementType)")
        }
        if type == nil, !dataset.elementType.isString {
            throw HDF5StorageError.wrongType(file: path, object: full, expected: "strings", found: "\(dataset.elementType)")
        }
        guard ranks.contains(dataset.shape.count) else {
            let expected = ranks.sorted().map { "\($0)-D" }.joined(separator: " or ")
            throw HDF5StorageError.wrongShape(file: path, object: full, expected: expected, found: dataset.shape)
        }
        return dataset
    }

    /// Reads a required 1-D numeric dataset of `T`, optionally of a given length.
    func vector<T: HDF5Scalar>(_ name: String, _: T.Type, in parent: HDF5Container? = nil, length: Int? = nil) throws -> [T] {
        let d = try dataset(name, in: parent, type: T.hdf5Type, ranks: [1])
        if let length, d.shape != [length] {
            throw HDF5StorageError.wrongShape(file: path, object: d.objectPath, expected: "[\(length)]", found: d.shape)
        }
        return try HDF5StorageError.translating { try d.read(T.self) }
    }

    /// Reads a required 1-D string dataset, optionally of a given length.
    func stringVector(_ name: String, in parent: HDF5Container? = nil, length: Int? = nil) throws -> [String] {
        let d = try dataset(name, in: parent, type: nil, ranks: [1])
        if let length, d.shape != [length] {
            throw HDF5StorageError.wrongShape(file: path, object: d.objectPath, expected: "[\(length)]", found: d.shape)
        }
        return try HDF5StorageError.translating { try d.readStrings() }
    }

    /// Closes the file, translating errors.
    func close() throws {
        try HDF5StorageError.translating { try file.close() }
    }

    /// Runs `body` on the open reader and closes the file afterwards.
    static func reading<R>(_ path: String, _ body: (SchemaReader) throws -> R) throws -> R {
        let reader = try open(path)
        do {
            let result = try body(reader)
            try reader.close()
            return result
        } catch {
            try? reader.close()
            throw error
        }
    }

    func join(_ parent: String, _ name: String) -> String {
        parent == "/" ? "/" + name : parent + "/" + name
    }
}
