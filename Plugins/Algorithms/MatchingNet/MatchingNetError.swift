/// A configuration Matching Networks cannot work with.
public enum MatchingNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The attention scale must be a positive finite number.
    case invalidScale(Double)
    /// The backbone leaves no features for inputs of this size
    /// (`conv4-protonet` pools four times and needs at least 16x16 images).
    case inputTooSmall(backbone: String, inputShape: [Int])

    public var description: String {
        switch self {
        case .invalidScale(let scale):
            return "matchingnet: option 'scale' must be a positive number, got \(scale)"
        case .inputTooSmall(let backbone, let shape):
            return "matchingnet: backbone '\(backbone)' gives no features for inputs of shape \(shape) "
                + "(conv4-protonet needs images of at least 16x16)"
        }
    }
}
