/// One member of a group: its name and what kind of object it is.
public struct HDF5Link: Sendable, Equatable, CustomStringConvertible {
    /// What a link points to.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case group
        case dataset
        /// A named (committed) datatype.
        case namedType
        /// A dangling soft link, an external link that cannot be resolved, or
        /// another object type.
        case other

        /// The kind in words.
        public var description: String {
            switch self {
            case .group: return "group"
            case .dataset: return "dataset"
            case .namedType: return "named datatype"
            case .other: return "other object"
            }
        }
    }

    /// The link's name inside its group.
    public let name: String
    /// The kind of object it points to.
    public let kind: Kind

    /// Creates a link description.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// `name (kind)`.
    public var description: String { "\(name) (\(kind))" }
}
