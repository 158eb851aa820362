/// An episode cache that does not belong to the dataset it is used with.
public enum CachedEpisodesError: Error, Equatable, Sendable, CustomStringConvertible {
    case fingerprintMismatch(dataset: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .fingerprintMismatch(let d, let e, let f):
            return "episode cache was built for dataset fingerprint \(e), but dataset '\(d)' has fingerprint \(f)"
        }
    }
}
