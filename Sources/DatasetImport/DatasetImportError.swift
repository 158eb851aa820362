/// Why an import failed. Every case names the file (or folder, or archive
/// entry) concerned and says what was expected, so the CLI can print
/// `description` as its one-line message.
public enum DatasetImportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file or folder that should exist does not.
    case notFound(path: String, expected: String)
    /// A file exists but could not be read.
    case unreadable(file: String, reason: String)
    /// An image file that could not be decoded (not a PNG, truncated, corrupt).
    case invalidImage(file: String, reason: String)
    /// A file that is not an image this importer can read.
    case unsupportedFile(file: String, reason: String)
    /// A zip archive that is corrupt, truncated or not a zip at all.
    case invalidArchive(file: String, reason: String)
    /// The source's layout differs from the expected one; every problem found is listed.
    case invalidStructure(source: String, problems: [String])
    /// A split file with a bad or unmatched line (`line` is 1-based, nil for the whole file).
    case invalidSplit(file: String, line: Int?, reason: String)
    /// Options that make no sense (such as a zero image size).
    case invalidOptions(String)
    /// A dataset that does not have the shape a verifier expects.
    case verificationFailed(dataset: String, problems: [String])

    /// One human-readable message, naming the file and what was expected.
    public var description: String {
        switch self {
        case let .notFound(path, expected):
            return "\(path): not found (expected \(expected))"
        case let .unreadable(file, reason):
            return "\(file): cannot be read: \(reason)"
        case let .invalidImage(file, reason):
            return "\(file): not a valid PNG image: \(reason)"
        case let .unsupportedFile(file, reason):
            return "\(file): unsupported file: \(reason)"
        case let .invalidArchive(file, reason):
            return "\(file): not a valid zip archive: \(reason)"
        case let .invalidStructure(source, problems):
            return "\(source): unexpected layout (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
                + Self.bulleted(problems)
        case let .invalidSplit(file, line, reason):
            return line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
        case let .invalidOptions(reason):
            return "invalid import options: \(reason)"
        case let .verificationFailed(dataset, problems):
            return "dataset '\(dataset)' failed verification (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
                + Self.bulleted(problems)
        }
    }

    /// At most 25 problems, one per line, then a count of the rest.
    private static func bulleted(_ problems: [String]) -> String {
        let shown = problems.prefix(25).map { "  - \($0)" }
        let rest = problems.count > 25 ? ["  ... and \(problems.count - 25) more"] : []
        return (shown + rest).joined(separator: "\n")
    }
}
