import CHDF5

/// The libhdf5 the package links (filled in by issue 4).
public enum HDF5Library {
    /// The library version as "major.minor.release".
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }
}
