import HDF5

/// Describes any HDF5 file for a person (what `metalearn inspect` prints):
/// its MetaLearn kind and format version, root attributes, a content
/// summary, and its groups and datasets with shapes, types and layout.
/// Reads only metadata and small index arrays, never image pixels.
public enum HDF5FileInspector {
    /// Describes the file at `path`, listing at most `maxObjects` objects.
    /// Throws `HDF5StorageError` if it is missing or not a readable HDF5 file;
    /// any readable HDF5 file (MetaLearn or not) is described.
    public static func describe(at path: String, maxObjects: Int = 200) throws -> HDF5FileDescription {
        try HDF5StorageError.translating {
            try HDF5File.withFile(at: path) { file in
                let attributes = try readAttributes(of: file)
                let format = attributes.first { $0.name == "format" }?.value.string
                let version = attributes.first { $0.name == "formatVersion" }?.value.integer.map { Int($0) }
                let kind = format.flatMap(MetaLearnFileKind.init(rawValue:))
                var objects: [HDF5FileDescription.Object] = []
                var unlisted = 0
                try walk(file, into: &objects, unlisted: &unlisted, limit: maxObjects)
                return HDF5FileDescription(
                    path: path, kind: kind, format: format, formatVersion: version,
                    summary: (try? summary(of: file, kind: kind)) ?? "content does not follow the documented schema",
                    attributes: attributes, objects: objects, unlistedObjects: unlisted)
            }
        }
    }

    private static func readAttributes(of object: HDF5Object) throws -> [HDF5FileDescription.Attribute] {
        try object.attributeNames().map { HDF5FileDescription.Attribute(name: $0, value: try object.attribute($0)) }
    }

    /// Lists objects depth first, in name order.
    private static func walk(_ group: HDF5Container, into objects: inout [HDF5FileDescription.Object],
                             unlisted: inout Int, limit: Int) throws {
        for link in try group.children() {
            let path = group.objectPath == "/" ? "/" + link.name : group.objectPath + "/" + link.name
            switch link.kind {
            case .group:
                let child = try group.openGroup(link.name)
                defer { child.close() }
                if objects.count < limit {
                    objects.append(.init(path: path, kind: .group, shape: nil, elementType: nil, chunkShape: nil,
                                         filters: [], attributes: try readAttributes(of: child)))
                } else {
                    unlisted += 1
                }
                try walk(child, into: &objects, unlisted: &unlisted, limit: limit)
            case .dataset:
                guard objects.count < limit else { unlisted += 1; continue }
                let d = try group.openDataset(link.name)
                defer { d.close() }
                objects.append(.init(path: path, kind: .dataset, shape: d.shape, elementType: d.elementType,
                                     chunkShape: d.chunkShape, filters: d.filters, attributes: try readAttributes(of: d)))
            case .namedType, .other:
                if objects.count < limit {
                    objects.append(.init(path: path, kind: link.kind, shape: nil, elementType: nil, chunkShape: nil,
                                         filters: [], attributes: []))
                } else {
                    unlisted += 1
                }
            }
        }
    }

    /// A one-line summary of the content for a known kind.
    private static func summary(of file: HDF5File, kind: MetaLearnFileKind?) throws -> String {
        switch kind {
        case .dataset?:
            let images = try file.openDataset("images")
            let shape = images.shape
            let imageShape = shape.dropFirst().map(String.init).joined(separator: "x")
            let classes = try file.openDataset("class_names").shape.first ?? 0
            let splits = try file.openGroup("splits").children().map { link -> String in
                let n = (try? file.openDataset("splits/" + link.name).shape.first) ?? nil
                return "\(link.name) (\(n ?? 0) classes)"
            }
            let name = (try? file.stringAttribute("name")) ?? "?"
            let fingerprint = (try? file.stringAttribute("fingerprint")) ?? "none stored"
            return "dataset '\(name)': \(shape.first ?? 0) images of \(imageShape), \(classes) classes; splits: "
                + (splits.isEmpty ? "none" : splits.joined(separator: ", ")) + "; fingerprint \(fingerprint)"
        case .episodes?:
            return "episode cache: \(try file.integerAttribute("episodeCount")) episodes of "
                + "\(try file.integerAttribute("ways"))-way \(try file.integerAttribute("shots"))-shot, "
                + "\(try file.integerAttribute("queries")) queries per class, split '\(try file.stringAttribute("split"))', "
                + "seed \(try file.unsignedAttribute("seed")); dataset '\(try file.stringAttribute("datasetName"))' "
                + "(fingerprint \(try file.stringAttribute("datasetFingerprint")))"
        case .checkpoint?:
            let parameters = try file.openGroup("parameters")
            let names = try parameters.stringArrayAttribute("names")
            var values = 0
            for name in names { values += try parameters.openDataset(name).count }
            let optimizer = try file.openGroup("optimizer").stringAttribute("name")
            let rows = try file.openDataset("metrics/steps").shape.first ?? 0
            return "checkpoint at step \(try file.integerAttribute("step")): \(names.count) parameter arrays "
                + "(\(values) values), optimizer \(optimizer), \(rows) metric rows, "
                + "written by MetaLearn \(try file.stringAttribute("softwareVersion"))"
        case nil:
            let members = try file.children().map(\.name)
            if members.contains("images_background") || members.contains("images_evaluation") {
                var characters = 0
                for group in members where group.hasPrefix("images_") {
                    let g = try file.openGroup(group)
                    for alphabet in try g.children() where alphabet.kind == .group {
                        characters += try g.openGroup(alphabet.name).children().count
                    }
                }
                return "torchmeta Omniglot layout: \(characters) characters (read it with TorchmetaOmniglotReader)"
            }
            return "\(members.count) top-level objects"
        }
    }
}
