import ArgumentParser
import DatasetImport
import Foundation
import HDF5Storage
import MetaLearning

/// `metalearn inspect`: what a MetaLearn HDF5 file holds (kind, format
/// version, summary, configuration, groups and datasets with shapes), for
/// people, or as JSON for scripts.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a MetaLearn HDF5 file: kind, version, configuration, shapes.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The HDF5 file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(name: .customLong("max-objects"), help: "List at most this many groups and datasets.")
    var maxObjects = 200

    func validate() throws {
        guard maxObjects >= 0 else { throw ValidationError("--max-objects must be non-negative, got \(maxObjects)") }
    }

    func run() throws {
        let description = try HDF5FileInspector.describe(at: file, maxObjects: maxObjects)
        var checkpoint: CheckpointDetails?
        if description.kind == .checkpoint {
            checkpoint = try CheckpointDetails(try HDF5CheckpointStore().readCheckpoint(at: file))
        }
        if json {
            Console.write(try Self.json(description, checkpoint: checkpoint))
        } else {
            var text = description.description
            if let checkpoint { text += "\n" + checkpoint.text }
            Console.write(text)
        }
    }

    /// What `inspect` adds for a checkpoint: its run configuration and a
    /// digest of each parameter array (equal digests = bit-identical values).
    struct CheckpointDetails: Encodable {
        struct Parameter: Encodable {
            var name: String
            var shape: [Int]
            var sha256: String
        }
        var step: Int
        var optimizer: String
        var softwareVersion: String
        var configuration: String
        var parameters: [Parameter]
        /// SHA-256 over all parameters in order (names, shapes, Float32 bits little-endian).
        var parametersSHA256: String

        init(_ c: Checkpoint) throws {
            step = c.step
            optimizer = c.optimizerName
            softwareVersion = c.softwareVersion
            configuration = c.configJSON
            var all = SHA256()
            parameters = c.parameters.map { p in
                var bytes = [UInt8]()
                bytes.reserveCapacity(p.values.count * 4)
                for v in p.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
                all.update(Array(p.name.utf8) + [0])
                for d in p.shape { withUnsafeBytes(of: Int64(d).littleEndian) { all.update(Array($0)) } }
                all.update(bytes)
                return Parameter(name: p.name, shape: p.shape, sha256: SHA256.hash(bytes).hexString)
            }
            parametersSHA256 = all.finalize().hexString
        }

        var text: String {
            var lines = ["  run configuration:"]
            if let data = configuration.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                for key in object.keys.sorted() {
                    let value = object[key]!
                    if let dict = value as? [String: Any] {
                        let inner = dict.keys.sorted().map { "\($0)=\(dict[$0]!)" }.joined(separator: ", ")
                        lines.append("    \(key): \(inner.isEmpty ? "(none)" : inner)")
                    } else {
                        lines.append("    \(key): \(value)")
                    }
                }
            } else {
                lines.append("    \(configuration)")
            }
            lines.append("  parameters (SHA-256 of all: \(parametersSHA256)):")
            let width = parameters.map(\.name.count).max() ?? 0
            for p in parameters {
                let pad = String(repeating: " ", count: max(0, width - p.name.count))
                let shape = p.shape.map(String.init).joined(separator: "x")
                lines.append("    \(p.name)\(pad)  \(shape.isEmpty ? "scalar" : shape)")
            }
            return lines.joined(separator: "\n")
        }
    }

    private struct Report: Encodable {
        struct Object: Encodable {
            var path: String
            var kind: String
            var shape: [Int]?
            var type: String?
            var chunks: [Int]?
            var filters: [String]
            var attributes: [String: String]
        }
        var path: String
        var kind: String?
        var format: String?
        var formatVersion: Int?
        var summary: String
        var attributes: [String: String]
        var objects: [Object]
        var unlistedObjects: Int
        var checkpoint: CheckpointDetails?
    }

    static func json(_ d: HDF5FileDescription, checkpoint: CheckpointDetails?) throws -> String {
        func attrs(_ list: [HDF5FileDescription.Attribute]) -> [String: String] {
            Dictionary(list.map { ($0.name, $0.value.description) }, uniquingKeysWith: { a, _ in a })
        }
        let report = Report(
            path: d.path, kind: d.kind?.rawValue, format: d.format, formatVersion: d.formatVersion, summary: d.summary,
            attributes: attrs(d.attributes),
            objects: d.objects.map {
                .init(path: $0.path, kind: "\($0.kind)", shape: $0.shape, type: $0.elementType.map { "\($0)" },
                      chunks: $0.chunkShape, filters: $0.filters, attributes: attrs($0.attributes))
            },
            unlistedObjects: d.unlistedObjects, checkpoint: checkpoint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
