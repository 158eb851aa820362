/// Anything in an HDF5 file that can carry attributes: the file (its root
/// group), a group or a dataset.
///
/// Every method may throw `HDF5Error`; errors name the file and the object
/// (attributes as `object@name`).
public protocol HDF5Object: Sendable {
    /// The open identifier this object owns (opaque).
    var handle: HDF5Handle { get }
    /// The file the object belongs to.
    var file: HDF5File { get }
    /// The object's absolute path inside the file (`/` for the root group).
    var objectPath: String { get }
}

extension HDF5Object {
    /// Sets a scalar numeric attribute (replacing any attribute of that name).
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try HDF5Runtime.shared.run { try $0.writeAttribute(name, values: [value], shape: [], on: handle) }
    }

    /// Sets a one-dimensional numeric attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try HDF5Runtime.shared.run { try $0.writeAttribute(name, values: values, shape: [values.count], on: handle) }
    }

    /// Sets a scalar UTF-8 string attribute.
    public func setAttribute(_ name: String, _ value: String) throws {
        try HDF5Runtime.shared.run { try $0.writeAttribute(name, strings: [value], shape: [], on: handle) }
    }

    /// Sets a one-dimensional UTF-8 string-array attribute.
    public func setAttribute(_ name: String, _ values: [String]) throws {
        try HDF5Runtime.shared.run { try $0.writeAttribute(name, strings: values, shape: [values.count], on: handle) }
    }

    /// Reads an attribute of any numeric or string type.
    public func attribute(_ name: String) throws -> HDF5AttributeValue {
        try HDF5Runtime.shared.run { try $0.readAttribute(name, on: handle) }
    }

    /// Reads a string attribute (a scalar or a one-element array); throws
    /// `.typeMismatch` for any other type.
    public func stringAttribute(_ name: String) throws -> String {
        let value = try attribute(name)
        guard let s = value.string else { throw mismatch(name, expected: "a string", found: value) }
        return s
    }

    /// Reads an array of strings (a scalar string gives one element).
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        let value = try attribute(name)
        guard case .strings(let s, _) = value else { throw mismatch(name, expected: "strings", found: value) }
        return s
    }

    /// Reads an integer attribute (any integer width) that fits in `Int64`.
    public func integerAttribute(_ name: String) throws -> Int64 {
        let value = try attribute(name)
        guard let i = value.integer else { throw mismatch(name, expected: "an integer", found: value) }
        return i
    }

    /// Reads a non-negative integer attribute as `UInt64` (stored signed or unsigned).
    public func unsignedAttribute(_ name: String) throws -> UInt64 {
        let value = try attribute(name)
        switch value {
        case .unsignedIntegers(let v, _) where v.count == 1: return v[0]
        case .integers(let v, _) where v.count == 1 && v[0] >= 0: return UInt64(v[0])
        default: throw mismatch(name, expected: "a non-negative integer", found: value)
        }
    }

    /// Reads a numeric attribute (integer or floating point) as a `Double`.
    public func doubleAttribute(_ name: String) throws -> Double {
        let value = try attribute(name)
        guard let d = value.double else { throw mismatch(name, expected: "a number", found: value) }
        return d
    }

    /// The names of this object's attributes, in name order.
    public func attributeNames() throws -> [String] {
        try HDF5Runtime.shared.run { try $0.attributeNames(on: handle) }
    }

    /// Whether the object has an attribute called `name`.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5Runtime.shared.run { try $0.hasAttribute(name, on: handle) }
    }

    /// Deletes the attribute `name`.
    public func deleteAttribute(_ name: String) throws {
        try HDF5Runtime.shared.run { try $0.deleteAttribute(name, on: handle) }
    }

    /// A type mismatch error for attribute `name`.
    private func mismatch(_ name: String, expected: String, found: HDF5AttributeValue) -> HDF5Error {
        let what = found.shape.isEmpty ? "scalar \(found.kindName)" : "\(found.kindName) of shape \(found.shape)"
        return HDF5Error(.typeMismatch, file: handle.file, object: "\(objectPath)@\(name)",
                         message: "expected \(expected), found \(what)")
    }
}

extension HDF5AttributeValue {
    /// A word for the kind of value, for messages.
    var kindName: String {
        switch self {
        case .integers: return "integers"
        case .unsignedIntegers: return "unsigned integers"
        case .floats: return "floats"
        case .strings: return "strings"
        case .unsupported(let t, _): return "\(t)"
        }
    }
}
