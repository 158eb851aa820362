/// A configuration or task NCA cannot work with.
public enum NCAError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temperature must be a positive finite number.
    case invalidTemperature(Double)
    /// A class with a single example in the task has no neighbour of its
    /// own class, so its NCA probability is undefined.
    case classWithoutNeighbour(label: Int32)
    /// An episode label has no support example, so its class mean is undefined.
    case classWithoutSupport(label: Int)
    /// The backbone leaves no features for inputs of this size
    /// (`conv4-protonet` pools four times and needs at least 16x16 images).
    case inputTooSmall(backbone: String, inputShape: [Int])

    public var description: String {
        switch self {
        case .invalidTemperature(let t):
            return "nca: option 'temperature' must be a positive number, got \(t)"
        case .classWithoutNeighbour(let label):
            return "nca: class \(label) has a single example in the task; NCA needs at least two per class "
                + "(shots + queries >= 2)"
        case .classWithoutSupport(let label):
            return "nca: episode class \(label) has no support example, so it has no class mean"
        case .inputTooSmall(let backbone, let shape):
            return "nca: backbone '\(backbone)' gives no features for inputs of shape \(shape) "
                + "(conv4-protonet needs images of at least 16x16)"
        }
    }
}
