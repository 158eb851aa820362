import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the wrapper learns about a dataset when it opens it.
struct DatasetInfo: Sendable {
    let shape: [Int]
    let elementType: HDF5ElementType
    let chunkShape: [Int]?
    let filters: [String]
}

extension HDF5Session {
    /// Opens and registers the dataset at `name` below `parent`.
    /// `chunkCacheBytes` sizes libhdf5's per-dataset chunk cache.
    mutating func openDataset(_ name: String, in parent: HDF5Handle, chunkCacheBytes: Int?) throws -> (hid_t, DatasetInfo) {
        try ensureOpen(parent)
        try require(.dataset, at: name, in: parent)
        let path = Self.join(parent.object, name)
        let dapl = H5Pcreate(ml_h5p_dataset_access())
        defer { H5Pclose(dapl) }
        if let bytes = chunkCacheBytes {
            H5Pset_chunk_cache(dapl, 12_421, max(0, bytes), 0.75)
        }
        let id = H5Dopen2(parent.id, name, dapl)
        guard id >= 0 else { throw failure(file: parent.file, object: path, "cannot open dataset") }
        register(id, kind: .dataset, fileID: handles[parent.id]!.fileID)
        return (id, datasetInfo(id))
    }

    /// Creates and registers a dataset of `type` and `shape` with `options`.
    mutating func createDataset(_ name: String, in parent: HDF5Handle, type: HDF5ElementType, shape: [Int],
                                options: HDF5DatasetOptions) throws -> (hid_t, DatasetInfo) {
        try ensureOpen(parent)
        try validateName(name, file: parent.file, parent: parent.object)
        let path = Self.join(parent.object, name)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error(.invalidArgument, file: parent.file, object: path, message: "negative dimension in shape \(shape)")
        }
        if linkExists(parent.id, name) {
            throw HDF5Error(.alreadyExists, file: parent.file, object: path, message: "an object with this name already exists")
        }
        if let level = options.gzipLevel, !(0...9).contains(level) {
            throw HDF5Error(.invalidArgument, file: parent.file, object: path, message: "gzip level \(level) outside 0...9")
        }
        var stringType: hid_t = -1
        defer { if stringType >= 0 { H5Tclose(stringType) } }
        let fileType: hid_t
        let elementSize: Int
        if case .string(nil) = type {
            stringType = variableStringType()
            fileType = stringType
            elementSize = 16
        } else if let t = self.fileType(type) {
            fileType = t
            elementSize = H5Tget_size(t)
        } else {
            throw HDF5Error(.invalidArgument, file: parent.file, object: path, message: "cannot create a dataset of \(type)")
        }

        let space = makeSpace(shape)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(ml_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        if let chunk = options.resolvedChunk(for: shape, elementSize: elementSize) {
            guard chunk.count == shape.count else {
                throw HDF5Error(.invalidArgument, file: parent.file, object: path,
                                message: "chunk shape \(chunk) has rank \(chunk.count), dataset rank is \(shape.count)")
            }
            var dims = chunk.map { hsize_t($0) }
            H5Pset_chunk(dcpl, Int32(dims.count), &dims)
            if options.shuffle { H5Pset_shuffle(dcpl) }
            if let level = options.gzipLevel { H5Pset_deflate(dcpl, UInt32(level)) }
        }
        let lcpl = H5Pcreate(ml_h5p_link_create())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let id = H5Dcreate2(parent.id, name, fileType, space, lcpl, dcpl, ml_h5p_default())
        guard id >= 0 else { throw failure(file: parent.file, object: path, "cannot create dataset") }
        register(id, kind: .dataset, fileID: handles[parent.id]!.fileID)
        return (id, datasetInfo(id))
    }

    /// Shape, element type, chunking and filters of an open dataset.
    func datasetInfo(_ id: hid_t) -> DatasetInfo {
        let space = H5Dget_space(id)
        let shape = shape(ofSpace: space)
        H5Sclose(space)
        let type = H5Dget_type(id)
        let elementType = self.elementType(of: type)
        H5Tclose(type)
        let dcpl = H5Dget_create_plist(id)
        defer { H5Pclose(dcpl) }
        var chunk: [Int]? = nil
        if H5Pget_layout(dcpl) == H5D_CHUNKED {
            var dims = [hsize_t](repeating: 0, count: max(1, shape.count))
            let rank = H5Pget_chunk(dcpl, Int32(dims.count), &dims)
            if rank > 0 { chunk = dims.prefix(Int(rank)).map { Int($0) } }
        }
        var filters: [String] = []
        let n = H5Pget_nfilters(dcpl)
        for i in 0..<max(0, n) {
            var flags: UInt32 = 0
            var count = 8
            var values = [UInt32](repeating: 0, count: 8)
            var name = [CChar](repeating: 0, count: 64)
            var config: UInt32 = 0
            let filter = H5Pget_filter2(dcpl, UInt32(i), &flags, &count, &values, name.count, &name, &config)
            switch filter {
            case H5Z_FILTER_DEFLATE: filters.append("gzip(\(count > 0 ? values[0] : 0))")
            case H5Z_FILTER_SHUFFLE: filters.append("shuffle")
            case H5Z_FILTER_FLETCHER32: filters.append("fletcher32")
            default:
                let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                filters.append(text.isEmpty ? "filter \(filter)" : text)
            }
        }
        return DatasetInfo(shape: shape, elementType: elementType, chunkShape: chunk, filters: filters)
    }

    // MARK: Numeric data

    /// Throws `.typeMismatch` unless the dataset stores exactly `T`.
    func checkType<T: HDF5Scalar>(_: T.Type, stored: HDF5ElementType, _ handle: HDF5Handle) throws {
        guard stored == T.hdf5Type else {
            throw HDF5Error(.typeMismatch, file: handle.file, object: handle.object,
                            message: "expected \(T.hdf5Type) elements, found \(stored)")
        }
    }

    /// Reads the selection `fileSpace` (or everything, for `nil`) of a
    /// dataset as `count` values of `T`. `memoryShape` is the shape of the
    /// selection (same rank as the dataset, so libhdf5 can copy whole runs
    /// instead of iterating element by element).
    func readNumbers<T: HDF5Scalar>(_: T.Type, from handle: HDF5Handle, fileSpace: hid_t?, memoryShape: [Int]?,
                                    count: Int) throws -> [T] {
        guard count > 0 else { return [] }
        let memType = nativeType(T.hdf5Type)!
        let memSpace = fileSpace == nil ? ml_h5s_all() : makeSpace(memoryShape ?? [count])
        defer { if fileSpace != nil { H5Sclose(memSpace) } }
        var status: herr_t = 0
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = H5Dread(handle.id, memType, memSpace, fileSpace ?? ml_h5s_all(), ml_h5p_default(),
                             UnsafeMutableRawPointer(buffer.baseAddress!))
            initialized = status >= 0 ? count : 0
        }
        guard status >= 0 else { throw failure(file: handle.file, object: handle.object, "cannot read data") }
        return values
    }

    /// Writes `values` of `T` into the selection `fileSpace` (or the whole
    /// dataset, for `nil`) of shape `memoryShape`.
    func writeNumbers<T: HDF5Scalar>(_ values: UnsafeBufferPointer<T>, to handle: HDF5Handle, fileSpace: hid_t?,
                                     memoryShape: [Int]?) throws {
        guard values.count > 0 else { return }
        let memType = nativeType(T.hdf5Type)!
        let memSpace = fileSpace == nil ? ml_h5s_all() : makeSpace(memoryShape ?? [values.count])
        defer { if fileSpace != nil { H5Sclose(memSpace) } }
        let status = H5Dwrite(handle.id, memType, memSpace, fileSpace ?? ml_h5s_all(), ml_h5p_default(),
                              UnsafeRawPointer(values.baseAddress!))
        guard status >= 0 else { throw failure(file: handle.file, object: handle.object, "cannot write data") }
    }

    /// A file dataspace selecting the box `start ..< start + count`.
    func selectBox(_ handle: HDF5Handle, shape: [Int], start: [Int], count: [Int]) throws -> hid_t {
        guard start.count == shape.count, count.count == shape.count else {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: handle.object,
                            message: "selection of rank \(start.count)/\(count.count) on a dataset of shape \(shape)")
        }
        for d in shape.indices where start[d] < 0 || count[d] < 0 || start[d] + count[d] > shape[d] {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: handle.object,
                            message: "selection start \(start) count \(count) outside shape \(shape)")
        }
        let space = makeSpace(shape)
        var s = start.map { hsize_t($0) }
        var c = count.map { hsize_t($0) }
        if !shape.isEmpty { H5Sselect_hyperslab(space, H5S_SELECT_SET, &s, nil, &c, nil) }
        return space
    }

    /// A file dataspace selecting the given sorted, distinct rows (indices
    /// along the first dimension), merged into runs of consecutive rows.
    func selectRows(_ handle: HDF5Handle, shape: [Int], sortedRows: [Int]) -> hid_t {
        let space = makeSpace(shape)
        H5Sselect_none(space)
        var i = 0
        var start = [hsize_t](repeating: 0, count: shape.count)
        var count = shape.map { hsize_t($0) }
        while i < sortedRows.count {
            var j = i + 1
            while j < sortedRows.count, sortedRows[j] == sortedRows[j - 1] + 1 { j += 1 }
            start[0] = hsize_t(sortedRows[i])
            count[0] = hsize_t(j - i)
            H5Sselect_hyperslab(space, H5S_SELECT_OR, &start, nil, &count, nil)
            i = j
        }
        return space
    }

    // MARK: String data

    /// Writes `strings` as a dataset's variable-length UTF-8 strings.
    func writeStrings(_ strings: [String], to handle: HDF5Handle) throws {
        guard !strings.isEmpty else { return }
        try Self.checkStrings(strings, handle)
        let type = variableStringType()
        defer { H5Tclose(type) }
        let status = Self.withCStringArray(strings) { pointers in
            H5Dwrite(handle.id, type, ml_h5s_all(), ml_h5s_all(), ml_h5p_default(), pointers)
        }
        guard status >= 0 else { throw failure(file: handle.file, object: handle.object, "cannot write strings") }
    }

    /// Reads a string dataset (fixed or variable length), flattened.
    func readStrings(from handle: HDF5Handle) throws -> [String] {
        let type = H5Dget_type(handle.id)
        defer { H5Tclose(type) }
        let space = H5Dget_space(handle.id)
        defer { H5Sclose(space) }
        return try decodeStrings(type: type, space: space, handle: handle) { memType, buffer in
            H5Dread(handle.id, memType, ml_h5s_all(), ml_h5s_all(), ml_h5p_default(), buffer)
        }
    }

    /// Throws unless no string contains a NUL (C strings cannot hold one).
    static func checkStrings(_ strings: [String], _ handle: HDF5Handle) throws {
        if let bad = strings.first(where: { $0.utf8.contains(0) }) {
            throw HDF5Error(.invalidArgument, file: handle.file, object: handle.object,
                            message: "string contains a NUL character: \(bad.debugDescription)")
        }
    }

    /// Calls `body` with an array of C string pointers for `strings`.
    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafeRawPointer) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return copies.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress!)) }
    }

    /// Decodes the strings of a string-typed dataset or attribute; `read`
    /// performs the actual read into a buffer with the given memory type.
    func decodeStrings(type: hid_t, space: hid_t, handle: HDF5Handle,
                       read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        let stored = elementType(of: type)
        guard case .string(let fixed) = stored else {
            throw HDF5Error(.typeMismatch, file: handle.file, object: handle.object, message: "expected strings, found \(stored)")
        }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count > 0 else { return [] }
        if let size = fixed {
            let memType = H5Tcopy(type)
            defer { H5Tclose(memType) }
            let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
            var bytes = [UInt8](repeating: 0, count: count * size)
            let status = bytes.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
            guard status >= 0 else { throw failure(file: handle.file, object: handle.object, "cannot read strings") }
            return (0..<count).map { i in
                var item = bytes[(i * size)..<((i + 1) * size)]
                if let nul = item.firstIndex(of: 0) { item = item[..<nul] }
                var text = String(decoding: item, as: UTF8.self)
                if spacePadded { while text.hasSuffix(" ") { text.removeLast() } }
                return text
            }
        }
        let memType = H5Tcopy(ml_h5t_c_s1())
        defer { H5Tclose(memType) }
        H5Tset_size(memType, ml_h5t_variable())
        H5Tset_cset(memType, H5Tget_cset(type))
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        let status = pointers.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
        guard status >= 0 else { throw failure(file: handle.file, object: handle.object, "cannot read strings") }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        let memSpace = makeSpace([count])
        pointers.withUnsafeMutableBytes { _ = H5Dvlen_reclaim(memType, memSpace, ml_h5p_default(), $0.baseAddress!) }
        H5Sclose(memSpace)
        return strings
    }
}
