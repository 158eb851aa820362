/// Checks names that become HDF5 link names when written (parameters,
/// optimizer state, metric columns, splits).
enum ObjectNames {
    /// Throws unless every name is a valid relative HDF5 path (components
    /// separated by `/`, none empty, `.` or `..`) — or, with `allowSlash`
    /// `false`, a single component — and no name repeats.
    static func validate(_ names: [String], what: String, file: String, allowSlash: Bool) throws {
        var seen = Set<String>()
        for name in names {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            let valid = !name.isEmpty && !name.contains("\0")
                && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
                && (allowSlash || parts.count == 1)
            guard valid else {
                let rule = allowSlash ? "non-empty components separated by '/', none '.' or '..'"
                                      : "non-empty, without '/', not '.' or '..'"
                throw HDF5StorageError.invalidInput(file: file, reason: "\(what) name \(name.debugDescription) is invalid (\(rule))")
            }
            guard seen.insert(name).inserted else {
                throw HDF5StorageError.invalidInput(file: file, reason: "\(what) name \(name.debugDescription) appears twice")
            }
        }
        // A name that is a prefix path of another ("a" and "a/b") would need
        // "a" to be both a dataset and a group.
        for name in names where allowSlash {
            var prefix = ""
            for part in name.split(separator: "/").dropLast() {
                prefix += prefix.isEmpty ? String(part) : "/" + part
                if seen.contains(prefix) {
                    throw HDF5StorageError.invalidInput(
                        file: file, reason: "\(what) names \(prefix.debugDescription) and \(name.debugDescription) collide (one is a folder of the other)")
                }
            }
        }
    }
}
