import HDF5

/// A person-readable description of an HDF5 file: what kind of MetaLearn
/// file it is, its format version, root attributes, a summary of its
/// content, and its groups and datasets with shapes and types.
/// Produced by `HDF5FileInspector`.
public struct HDF5FileDescription: Sendable, CustomStringConvertible {
    /// One named attribute.
    public struct Attribute: Sendable, Equatable {
        /// The attribute name.
        public let name: String
        /// Its value.
        public let value: HDF5AttributeValue
    }

    /// One group or dataset in the file.
    public struct Object: Sendable, Equatable {
        /// Absolute path inside the file.
        public let path: String
        /// Group, dataset or other.
        public let kind: HDF5Link.Kind
        /// Dataset shape (`nil` for groups).
        public let shape: [Int]?
        /// Dataset element type (`nil` for groups).
        public let elementType: HDF5ElementType?
        /// Chunk shape of a chunked dataset.
        public let chunkShape: [Int]?
        /// Filters of a chunked dataset (such as `gzip(4)`).
        public let filters: [String]
        /// The object's attributes.
        public let attributes: [Attribute]
    }

    /// The file's path.
    public let path: String
    /// The MetaLearn kind, when the `format` attribute names one.
    public let kind: MetaLearnFileKind?
    /// The `format` attribute, if any.
    public let format: String?
    /// The `formatVersion` attribute, if any.
    public let formatVersion: Int?
    /// A one-line summary of the content (images, episodes, parameters, ...).
    public let summary: String
    /// Attributes of the root group.
    public let attributes: [Attribute]
    /// Groups and datasets, depth first in name order (at most the limit
    /// given to the inspector).
    public let objects: [Object]
    /// How many objects were not listed because of the limit.
    public let unlistedObjects: Int

    /// The kind in words, such as `metalearn.dataset (formatVersion 1)`.
    public var kindDescription: String {
        guard let format else { return "HDF5 file without a MetaLearn 'format' attribute" }
        var text = format
        if let v = formatVersion {
            text += " (formatVersion \(v)"
            if let kind, v > kind.currentVersion { text += ", newer than the \(kind.currentVersion) this MetaLearn reads" }
            text += ")"
        }
        if kind == nil { text += " (not a MetaLearn format)" }
        return text
    }

    /// A multi-line rendering for a terminal.
    public var description: String {
        var lines = ["\(path): \(kindDescription)", "  \(summary)"]
        if !attributes.isEmpty {
            lines.append("  attributes of /:")
            for a in attributes { lines.append("    \(a.name) = \(a.value)") }
        }
        lines.append("  objects:")
        for o in objects {
            var line = "    \(o.path)"
            if o.kind == .dataset, let shape = o.shape, let type = o.elementType {
                line += "  \(type) \(shape)"
                if let chunk = o.chunkShape { line += " chunks \(chunk)" }
                if !o.filters.isEmpty { line += " " + o.filters.joined(separator: "+") }
            } else {
                line += "/  (\(o.kind))"
            }
            lines.append(line)
            for a in o.attributes { lines.append("      @\(a.name) = \(a.value)") }
        }
        if unlistedObjects > 0 { lines.append("    ... and \(unlistedObjects) more objects") }
        return lines.joined(separator: "\n")
    }
}
