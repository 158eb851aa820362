import CHDF5

/// Facts about the linked libhdf5 and the files it has open.
public enum HDF5Library {
    /// The library version as "major.minor.release".
    public static var version: String {
        HDF5Runtime.shared.runUnchecked { _ in
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }

    /// Whether gzip (deflate) compression is available in the linked library.
    public static var hasGzip: Bool {
        HDF5Runtime.shared.runUnchecked { _ in H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 }
    }

    /// The files libhdf5 has open in this process, each with its number of
    /// open identifiers (the file's own included). For leak checks and
    /// diagnostics.
    public static func openFiles() -> [(path: String, identifiers: Int)] {
        HDF5Runtime.shared.runUnchecked { $0.openFiles() }
    }

    /// The number of file, group and dataset identifiers currently owned by
    /// this wrapper's objects, across all files.
    public static var ownedHandleCount: Int {
        HDF5Runtime.shared.runUnchecked { $0.ownedHandleCount }
    }
}
