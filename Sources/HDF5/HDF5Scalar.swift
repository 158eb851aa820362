/// A Swift number type that maps one-to-one onto an HDF5 element type.
///
/// Reading a dataset as `T` requires the stored type to be exactly
/// `T.hdf5Type` (byte order may differ); no silent narrowing or widening.
public protocol HDF5Scalar: Sendable, Equatable {
    /// The HDF5 element type values of this type are stored as.
    static var hdf5Type: HDF5ElementType { get }
}

extension UInt8: HDF5Scalar {
    /// Stored as `uint8`.
    public static var hdf5Type: HDF5ElementType { .uint8 }
}

extension Int32: HDF5Scalar {
    /// Stored as `int32`.
    public static var hdf5Type: HDF5ElementType { .int32 }
}

extension Int64: HDF5Scalar {
    /// Stored as `int64`.
    public static var hdf5Type: HDF5ElementType { .int64 }
}

extension Int: HDF5Scalar {
    /// Stored as `int64` (MetaLearn supports only 64-bit platforms).
    public static var hdf5Type: HDF5ElementType { .int64 }
}

extension UInt64: HDF5Scalar {
    /// Stored as `uint64`.
    public static var hdf5Type: HDF5ElementType { .uint64 }
}

extension Float: HDF5Scalar {
    /// Stored as `float32`.
    public static var hdf5Type: HDF5ElementType { .float32 }
}

extension Double: HDF5Scalar {
    /// Stored as `float64`.
    public static var hdf5Type: HDF5ElementType { .float64 }
}
