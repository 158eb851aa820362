import CHDF5

/// An open dataset: an n-dimensional array of numbers or strings.
///
/// Reads check the stored element type: reading `uint8` data as `Float`
/// throws `.typeMismatch` instead of converting. Partial reads select a box
/// (`read(_:start:count:)`) or a list of rows along the first dimension
/// (`readRows(_:_:)`), so a large dataset need not be loaded whole.
public final class HDF5Dataset: HDF5Object {
    /// The open identifier this object owns.
    public let handle: HDF5Handle
    /// The file this object belongs to (kept open while the object lives).
    public let file: HDF5File
    /// The absolute path inside the file.
    public let objectPath: String
    /// The dataset's shape (`[]` for a scalar).
    public let shape: [Int]
    /// The stored element type.
    public let elementType: HDF5ElementType
    /// The chunk shape, or `nil` for contiguous or compact storage.
    public let chunkShape: [Int]?
    /// The filters applied to chunks, in order (such as `["shuffle", "gzip(4)"]`).
    public let filters: [String]

    /// Wraps a dataset identifier already registered with the session.
    init(file: HDF5File, id: hid_t, path: String, info: DatasetInfo) {
        self.file = file
        self.objectPath = path
        self.shape = info.shape
        self.elementType = info.elementType
        self.chunkShape = info.chunkShape
        self.filters = info.filters
        self.handle = HDF5Handle(id: id, kind: .dataset, file: file.path, object: path)
    }

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Closes the dataset now (later uses throw `.closed`). Closing twice is harmless.
    public func close() {
        let id = handle.id
        HDF5Runtime.shared.runUnchecked { $0.close(id) }
    }

    // MARK: Reading

    /// Reads all elements in row-major order.
    public func read<T: HDF5Scalar>(_ type: T.Type) throws -> [T] {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            try s.checkType(T.self, stored: elementType, handle)
            return try s.readNumbers(T.self, from: handle, fileSpace: nil, memoryShape: nil, count: count)
        }
    }

    /// Reads the box `start ..< start + count` (one entry per dimension), in
    /// row-major order.
    public func read<T: HDF5Scalar>(_ type: T.Type, start: [Int], count: [Int]) throws -> [T] {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            try s.checkType(T.self, stored: elementType, handle)
            let space = try s.selectBox(handle, shape: shape, start: start, count: count)
            defer { H5Sclose(space) }
            return try s.readNumbers(T.self, from: handle, fileSpace: space, memoryShape: count, count: count.reduce(1, *))
        }
    }

    /// Reads whole rows (indices along the first dimension) in the order
    /// given; repeats are allowed. Only the chunks holding those rows are read.
    public func readRows<T: HDF5Scalar>(_ type: T.Type, _ rows: [Int]) throws -> [T] {
        guard !shape.isEmpty else {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: objectPath, message: "a scalar dataset has no rows")
        }
        if let bad = rows.first(where: { $0 < 0 || $0 >= shape[0] }) {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: objectPath,
                            message: "row \(bad) outside 0..<\(shape[0])")
        }
        let rowSize = shape.dropFirst().reduce(1, *)
        let distinct = Array(Set(rows)).sorted()
        let block: [T] = try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            try s.checkType(T.self, stored: elementType, handle)
            guard !distinct.isEmpty else { return [] }
            let space = s.selectRows(handle, shape: shape, sortedRows: distinct)
            defer { H5Sclose(space) }
            return try s.readNumbers(T.self, from: handle, fileSpace: space, memoryShape: [distinct.count] + shape.dropFirst(),
                                     count: distinct.count * rowSize)
        }
        if distinct == rows { return block }
        var position = [Int: Int](minimumCapacity: distinct.count)
        for (i, r) in distinct.enumerated() { position[r] = i }
        return [T](unsafeUninitializedCapacity: rows.count * rowSize) { out, initialized in
            block.withUnsafeBufferPointer { src in
                for (i, r) in rows.enumerated() {
                    let from = position[r]! &* rowSize
                    let to = i &* rowSize
                    for k in 0..<rowSize { (out.baseAddress! + (to &+ k)).initialize(to: src[from &+ k]) }
                }
            }
            initialized = rows.count * rowSize
        }
    }

    /// Reads a string dataset (fixed or variable length), flattened in
    /// row-major order.
    public func readStrings() throws -> [String] {
        try HDF5Runtime.shared.run { s in
            try s.ensureOpen(handle)
            return try s.readStrings(from: handle)
        }
    }

    // MARK: Writing

    /// Writes all elements (row-major); `values.count` must equal `count`.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        guard values.count == count else {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: objectPath,
                            message: "\(values.count) values for a dataset of shape \(shape)")
        }
        try values.withUnsafeBufferPointer { buffer in
            try HDF5Runtime.shared.run { s in
                try s.ensureOpen(handle)
                try s.checkType(T.self, stored: elementType, handle)
                try s.writeNumbers(buffer, to: handle, fileSpace: nil, memoryShape: nil)
            }
        }
    }

    /// Writes `values` (row-major) into the box `start ..< start + count`.
    public func write<T: HDF5Scalar>(_ values: [T], start: [Int], count: [Int]) throws {
        guard values.count == count.reduce(1, *) else {
            throw HDF5Error(.shapeMismatch, file: handle.file, object: objectPath,
                            message: "\(values.count) values for a selection of shape \(count)")
        }
        try values.withUnsafeBufferPointer { buffer in
            try HDF5Runtime.shared.run { s in
                try s.ensureOpen(handle)
                try s.checkType(T.self, stored: elementType, handle)
                let space = try s.selectBox(handle, shape: shape, start: start, count: count)
                defer { H5Sclose(space) }
                try s.writeNumbers(buffer, to: handle, fileSpace: space, memoryShape: count)
            }
        }
    }
}
