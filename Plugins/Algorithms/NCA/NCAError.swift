/// A configuration or task NCA cannot work with.
public enum NCAError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temperature must be a positive finite number.
    case invalidTemperature(Double)
    /// A class with a single example in the task has no neighbour of its
    /// own class, so its NCA probability is undefined.
    case classWithoutNeighbour(label: Int32)
    /// An episode label has no support example, so its class mean is undefined.
    case classWithoutSupport(label: Int)

    public var description: String {
        switch self {
        case .invalidTemperature(let t):
            return "nca: option 'temperature' must be a positive number, got \(t)"
        case .classWithoutNeighbour(let label):
            return "nca: class \(label) has a single example in the task; NCA needs at least two per class "
                + "(shots + queries >= 2)"
        case .classWithoutSupport(let label):
            return "nca: episode class \(label) has no support example, so it has no class mean"
        }
    }
}
