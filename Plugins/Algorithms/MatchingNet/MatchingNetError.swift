/// A configuration Matching Networks cannot work with.
public enum MatchingNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The attention scale must be a positive finite number.
    case invalidScale(Double)

    public var description: String {
        switch self {
        case .invalidScale(let scale):
            return "matchingnet: option 'scale' must be a positive number, got \(scale)"
        }
    }
}
