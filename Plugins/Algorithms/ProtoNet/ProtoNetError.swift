/// A task or configuration Prototypical Networks cannot work with.
public enum ProtoNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An episode label has no support example, so its prototype is undefined.
    case classWithoutSupport(label: Int, ways: Int)
    /// The backbone leaves no features for inputs of this size
    /// (`conv4-protonet` pools four times and needs at least 16x16 images).
    case inputTooSmall(backbone: String, inputShape: [Int])

    public var description: String {
        switch self {
        case .classWithoutSupport(let label, let ways):
            return "protonet: episode class \(label) of \(ways) has no support example, so it has no prototype"
        case .inputTooSmall(let backbone, let shape):
            return "protonet: backbone '\(backbone)' gives no features for inputs of shape \(shape) "
                + "(conv4-protonet needs images of at least 16x16)"
        }
    }
}
