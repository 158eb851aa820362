import CHDF5

/// What an owned HDF5 identifier refers to.
enum HandleKind: Sendable {
    case file, group, dataset
}

/// Exclusive access to libhdf5: the value guarded by `HDF5Runtime`'s lock.
///
/// Every call into the C library in this module is a method of this type, so
/// it can only run while the lock is held. It also keeps the table of
/// identifiers the wrapper owns, which lets a use-after-close be reported as
/// an error instead of touching a stale identifier.
struct HDF5Session: ~Copyable {
    /// An identifier the wrapper owns: its kind and the file it belongs to.
    struct Record {
        let kind: HandleKind
        let fileID: hid_t
    }

    /// Open identifiers owned by handle objects.
    var handles: [hid_t: Record] = [:]

    // MARK: Handle table

    /// Records an identifier as owned by a handle object.
    mutating func register(_ id: hid_t, kind: HandleKind, fileID: hid_t) {
        handles[id] = Record(kind: kind, fileID: kind == .file ? id : fileID)
    }

    /// Throws `.closed` unless `handle`'s identifier is still open.
    func ensureOpen(_ handle: HDF5Handle) throws {
        guard handles[handle.id] != nil else {
            throw HDF5Error(.closed, file: handle.file, object: handle.kind == .file ? nil : handle.object,
                            message: "used after its file or object was closed")
        }
    }

    /// Closes an owned identifier. Closing a file also closes every object
    /// opened from it (files are opened with the "strong" close degree).
    /// Returns `false` if it was not open or libhdf5 refused.
    @discardableResult
    mutating func close(_ id: hid_t) -> Bool {
        guard let record = handles.removeValue(forKey: id) else { return false }
        let status: herr_t
        switch record.kind {
        case .file:
            for (child, r) in handles where r.fileID == id { handles[child] = nil }
            status = H5Fclose(id)
        case .group:
            status = H5Gclose(id)
        case .dataset:
            status = H5Dclose(id)
        }
        if status < 0 { H5Eclear2(ml_h5e_default()) }
        return status >= 0
    }

    /// The number of identifiers currently owned by handle objects.
    var ownedHandleCount: Int { handles.count }

    // MARK: Errors

    /// Builds an error from libhdf5's current error stack (then clears it).
    /// A more specific kind found on the stack (truncated file, missing
    /// object, existing object) replaces `.library`.
    func failure(_ kind: HDF5Error.Kind = .library, file: String, object: String?, _ what: String) -> HDF5Error {
        let stack = takeErrorStack()
        var resolved = kind
        if stack.minors.contains(ml_h5e_truncated()) {
            resolved = .truncated
        } else if stack.minors.contains(ml_h5e_cantlockfile()) {
            resolved = .locked
        } else if kind == .library {
            if stack.minors.contains(ml_h5e_notfound()) { resolved = .objectNotFound }
            else if stack.minors.contains(ml_h5e_exists()) { resolved = .alreadyExists }
            else if stack.minors.contains(ml_h5e_nothdf5()) { resolved = .notHDF5 }
        }
        var message = what
        if resolved == .locked {
            message += ": the file is locked by another open of it (most likely another process using it)"
        } else if let detail = stack.lines.last?.detail, !detail.isEmpty {
            message += ": " + detail
        }
        return HDF5Error(resolved, file: file, object: object, message: message,
                         stack: stack.lines.map { "\($0.function)(): \($0.detail)" })
    }

    /// One entry of libhdf5's error stack.
    struct StackLine {
        let function: String
        let detail: String
    }

    /// Collects the entries of the error stack during `H5Ewalk2`.
    private final class StackCollector {
        var lines: [StackLine] = []
        var minors: [hid_t] = []
    }

    /// Reads libhdf5's error stack, outermost call first, and clears it.
    private func takeErrorStack() -> (lines: [StackLine], minors: [hid_t]) {
        let collector = StackCollector()
        withExtendedLifetime(collector) {
            _ = H5Ewalk2(ml_h5e_default(), H5E_WALK_DOWNWARD, { _, entry, context in
                guard let entry, let context else { return 0 }
                let collector = Unmanaged<StackCollector>.fromOpaque(context).takeUnretainedValue()
                let e = entry.pointee
                let function = e.func_name.map { String(cString: $0) } ?? "?"
                var detail = e.desc.map { String(cString: $0) } ?? ""
                var buffer = [CChar](repeating: 0, count: 160)
                if H5Eget_msg(e.min_num, nil, &buffer, buffer.count) > 0 {
                    let minor = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !minor.isEmpty, !detail.contains(minor) { detail += detail.isEmpty ? minor : " (\(minor))" }
                }
                collector.lines.append(StackLine(function: function, detail: detail.oneLine))
                collector.minors.append(e.min_num)
                return 0
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        H5Eclear2(ml_h5e_default())
        return (collector.lines, collector.minors)
    }

    // MARK: Types

    /// Describes an HDF5 datatype identifier.
    func elementType(of type: hid_t) -> HDF5ElementType {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            return H5Tget_sign(type) == H5T_SGN_NONE ? .unsignedInteger(bytes: size) : .signedInteger(bytes: size)
        case H5T_FLOAT:
            return .float(bytes: size)
        case H5T_STRING:
            return H5Tis_variable_str(type) > 0 ? .string(fixedLength: nil) : .string(fixedLength: size)
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_REFERENCE: return .other("reference")
        case H5T_BITFIELD: return .other("bitfield")
        case H5T_TIME: return .other("time")
        default: return .other("unknown")
        }
    }

    /// The native in-memory type for a numeric element type (a predefined
    /// identifier: never closed).
    func nativeType(_ t: HDF5ElementType) -> hid_t? {
        switch t {
        case .unsignedInteger(1): return ml_h5t_native_uint8()
        case .signedInteger(1): return ml_h5t_native_int8()
        case .unsignedInteger(2): return ml_h5t_native_uint16()
        case .signedInteger(2): return ml_h5t_native_int16()
        case .unsignedInteger(4): return ml_h5t_native_uint32()
        case .signedInteger(4): return ml_h5t_native_int32()
        case .unsignedInteger(8): return ml_h5t_native_uint64()
        case .signedInteger(8): return ml_h5t_native_int64()
        case .float(4): return ml_h5t_native_float()
        case .float(8): return ml_h5t_native_double()
        default: return nil
        }
    }

    /// The little-endian file type new numeric data is stored as.
    func fileType(_ t: HDF5ElementType) -> hid_t? {
        switch t {
        case .unsignedInteger(1): return ml_h5t_std_u8le()
        case .signedInteger(4): return ml_h5t_std_i32le()
        case .signedInteger(8): return ml_h5t_std_i64le()
        case .unsignedInteger(8): return ml_h5t_std_u64le()
        case .float(4): return ml_h5t_ieee_f32le()
        case .float(8): return ml_h5t_ieee_f64le()
        default: return nil
        }
    }

    /// A new variable-length UTF-8 string type (the caller closes it).
    func variableStringType() -> hid_t {
        let t = H5Tcopy(ml_h5t_c_s1())
        H5Tset_size(t, ml_h5t_variable())
        H5Tset_cset(t, H5T_CSET_UTF8)
        return t
    }

    // MARK: Dataspaces

    /// The shape of a dataspace (`[]` for scalar or null spaces).
    func shape(ofSpace space: hid_t) -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    /// A new dataspace of `shape` (scalar for `[]`); the caller closes it.
    func makeSpace(_ shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        var dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(dims.count), &dims, nil)
    }
}
