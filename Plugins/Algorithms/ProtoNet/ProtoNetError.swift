/// A task or configuration Prototypical Networks cannot work with.
public enum ProtoNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An episode label has no support example, so its prototype is undefined.
    case classWithoutSupport(label: Int, ways: Int)

    public var description: String {
        switch self {
        case .classWithoutSupport(let label, let ways):
            return "protonet: episode class \(label) of \(ways) has no support example, so it has no prototype"
        }
    }
}
