/// The element type of a stored dataset or attribute, described the way
/// NumPy and h5py name it (`uint8`, `int32`, `float32`, `string`).
public enum HDF5ElementType: Sendable, Hashable, CustomStringConvertible {
    /// A signed integer of 1, 2, 4 or 8 bytes.
    case signedInteger(bytes: Int)
    /// An unsigned integer of 1, 2, 4 or 8 bytes.
    case unsignedInteger(bytes: Int)
    /// An IEEE floating-point number of 2, 4 or 8 bytes.
    case float(bytes: Int)
    /// A string: variable-length when `fixedLength` is `nil`, otherwise a
    /// fixed number of bytes (padded with NULs or spaces).
    case string(fixedLength: Int?)
    /// Any other HDF5 type (compound, enum, array, opaque, ...), by class name.
    case other(String)

    /// `uint8`.
    public static let uint8 = HDF5ElementType.unsignedInteger(bytes: 1)
    /// `int32`.
    public static let int32 = HDF5ElementType.signedInteger(bytes: 4)
    /// `int64`.
    public static let int64 = HDF5ElementType.signedInteger(bytes: 8)
    /// `uint64`.
    public static let uint64 = HDF5ElementType.unsignedInteger(bytes: 8)
    /// `float32`.
    public static let float32 = HDF5ElementType.float(bytes: 4)
    /// `float64`.
    public static let float64 = HDF5ElementType.float(bytes: 8)

    /// Whether this is a string type (fixed or variable length).
    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    /// The NumPy-style name, such as `uint8` or `string[16]`.
    public var description: String {
        switch self {
        case .signedInteger(let b): return "int\(b * 8)"
        case .unsignedInteger(let b): return "uint\(b * 8)"
        case .float(let b): return "float\(b * 8)"
        case .string(nil): return "string"
        case .string(let n?): return "string[\(n)]"
        case .other(let name): return name
        }
    }
}
