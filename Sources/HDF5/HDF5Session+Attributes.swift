import CHDF5

extension HDF5Session {
    /// Checks an attribute name and that the object is still open.
    private func prepare(_ name: String, on object: HDF5Handle) throws {
        try ensureOpen(object)
        guard !name.isEmpty, !name.contains("\0") else {
            throw HDF5Error(.invalidArgument, file: object.file, object: object.object, message: "invalid attribute name '\(name)'")
        }
    }

    /// The object path plus `@name`, for error messages.
    private func where_(_ name: String, _ object: HDF5Handle) -> String {
        "\(object.object)@\(name)"
    }

    /// Creates attribute `name` (replacing an existing one) of `type` and
    /// `shape`, and lets `write` fill it.
    private func createAttribute(_ name: String, on object: HDF5Handle, fileType: hid_t, shape: [Int],
                                 write: (hid_t) -> herr_t) throws {
        try prepare(name, on: object)
        if H5Aexists(object.id, name) > 0, H5Adelete(object.id, name) < 0 {
            throw failure(file: object.file, object: where_(name, object), "cannot replace attribute")
        }
        let space = makeSpace(shape)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object.id, name, fileType, space, ml_h5p_default(), ml_h5p_default())
        guard attribute >= 0 else { throw failure(file: object.file, object: where_(name, object), "cannot create attribute") }
        defer { H5Aclose(attribute) }
        guard write(attribute) >= 0 else {
            throw failure(file: object.file, object: where_(name, object), "cannot write attribute")
        }
    }

    /// Writes a numeric attribute of `shape` (`[]` for a scalar).
    func writeAttribute<T: HDF5Scalar>(_ name: String, values: [T], shape: [Int], on object: HDF5Handle) throws {
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error(.shapeMismatch, file: object.file, object: where_(name, object),
                            message: "\(values.count) values do not fill shape \(shape)")
        }
        let memType = nativeType(T.hdf5Type)!
        try createAttribute(name, on: object, fileType: fileType(T.hdf5Type)!, shape: shape) { attribute in
            values.isEmpty ? 0 : values.withUnsafeBytes { H5Awrite(attribute, memType, $0.baseAddress!) }
        }
    }

    /// Writes a variable-length UTF-8 string attribute of `shape` (`[]` for a scalar).
    func writeAttribute(_ name: String, strings: [String], shape: [Int], on object: HDF5Handle) throws {
        guard shape.reduce(1, *) == strings.count else {
            throw HDF5Error(.shapeMismatch, file: object.file, object: where_(name, object),
                            message: "\(strings.count) strings do not fill shape \(shape)")
        }
        try Self.checkStrings(strings, object)
        let type = variableStringType()
        defer { H5Tclose(type) }
        try createAttribute(name, on: object, fileType: type, shape: shape) { attribute in
            strings.isEmpty ? 0 : Self.withCStringArray(strings) { H5Awrite(attribute, type, $0) }
        }
    }

    /// Reads any attribute, decoding numbers and strings.
    func readAttribute(_ name: String, on object: HDF5Handle) throws -> HDF5AttributeValue {
        try prepare(name, on: object)
        let exists = H5Aexists(object.id, name)
        guard exists > 0 else {
            if exists < 0 { H5Eclear2(ml_h5e_default()) }
            throw HDF5Error(.objectNotFound, file: object.file, object: where_(name, object), message: "no such attribute")
        }
        let attribute = H5Aopen(object.id, name, ml_h5p_default())
        guard attribute >= 0 else { throw failure(file: object.file, object: where_(name, object), "cannot open attribute") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let shape = shape(ofSpace: space)
        let count = Int(H5Sget_simple_extent_npoints(space))
        let stored = elementType(of: type)

        func read<T: HDF5Scalar>(_: T.Type, as memType: hid_t) throws -> [T] {
            guard count > 0 else { return [] }
            var status: herr_t = 0
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                status = H5Aread(attribute, memType, UnsafeMutableRawPointer(buffer.baseAddress!))
                initialized = status >= 0 ? count : 0
            }
            guard status >= 0 else { throw failure(file: object.file, object: where_(name, object), "cannot read attribute") }
            return values
        }

        switch stored {
        case .unsignedInteger(8):
            return .unsignedIntegers(try read(UInt64.self, as: ml_h5t_native_uint64()), shape: shape)
        case .signedInteger, .unsignedInteger:
            return .integers(try read(Int64.self, as: ml_h5t_native_int64()), shape: shape)
        case .float:
            return .floats(try read(Double.self, as: ml_h5t_native_double()), shape: shape)
        case .string:
            let handle = object
            let strings = try decodeStrings(type: type, space: space, handle: handle) { memType, buffer in
                H5Aread(attribute, memType, buffer)
            }
            return .strings(strings, shape: shape)
        case .other:
            return .unsupported(stored, shape: shape)
        }
    }

    /// The names of an object's attributes, in name order.
    func attributeNames(on object: HDF5Handle) throws -> [String] {
        try ensureOpen(object)
        final class Names { var list: [String] = [] }
        let names = Names()
        var index: hsize_t = 0
        let status = withExtendedLifetime(names) {
            H5Aiterate2(object.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
                guard let name, let context else { return 0 }
                Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        guard status >= 0 else { throw failure(file: object.file, object: object.object, "cannot list attributes") }
        return names.list
    }

    /// Whether the object has an attribute called `name`.
    func hasAttribute(_ name: String, on object: HDF5Handle) throws -> Bool {
        try prepare(name, on: object)
        let r = H5Aexists(object.id, name)
        guard r >= 0 else { throw failure(file: object.file, object: where_(name, object), "cannot look up attribute") }
        return r > 0
    }

    /// Deletes attribute `name`.
    func deleteAttribute(_ name: String, on object: HDF5Handle) throws {
        guard try hasAttribute(name, on: object) else {
            throw HDF5Error(.objectNotFound, file: object.file, object: where_(name, object), message: "no such attribute")
        }
        guard H5Adelete(object.id, name) >= 0 else {
            throw failure(file: object.file, object: where_(name, object), "cannot delete attribute")
        }
    }
}
