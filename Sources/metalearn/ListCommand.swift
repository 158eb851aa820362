import ArgumentParser
import BuiltinPlugins
import Foundation
import MetaLearning

/// `metalearn list`: the algorithms and datasets of the registry, with their
/// one-line descriptions and options.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List algorithms and datasets with their descriptions and options.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let registry = try BuiltinPlugins.makeRegistry()
        if json {
            Console.write(try Self.json(registry))
        } else {
            Console.write(Self.text(registry))
        }
    }

    /// The listing for people: one line per plugin, then its options indented.
    static func text(_ registry: PluginRegistry) -> String {
        let names = registry.algorithmNames + registry.datasetNames
        let width = names.map(\.count).max() ?? 0
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        func options(_ specs: [OptionSpec]) -> [String] {
            specs.map { "      \($0.name)=<\($0.kind)> (default \($0.defaultValue)): \($0.help)" }
        }
        var lines = ["Algorithms (train with --algorithm NAME, set options with -o key=value):"]
        if registry.algorithms.isEmpty { lines.append("  (none registered)") }
        for a in registry.algorithms {
            let kinds = a.supportedProblems.map(\.rawValue).sorted().joined(separator: ", ")
            lines.append("  \(pad(a.name))  \(a.summary) [\(kinds)]")
            lines += options(a.options)
        }
        lines.append("")
        lines.append("Datasets (give an imported .h5 file, or a generated dataset's name, to --dataset):")
        if registry.datasets.isEmpty { lines.append("  (none registered)") }
        for d in registry.datasets {
            lines.append("  \(pad(d.name))  \(d.summary) [\(d.isGenerated ? "generated" : "imported")]")
            lines += options(d.options)
        }
        return lines.joined(separator: "\n")
    }

    private struct Entry: Encodable {
        struct Option: Encodable { var name, kind, defaultValue, help: String }
        var name: String
        var summary: String
        var citation: String
        var kind: String?
        var problems: [String]?
        var options: [Option]
    }

    /// The listing as JSON: `{"algorithms": [...], "datasets": [...]}`.
    static func json(_ registry: PluginRegistry) throws -> String {
        func opts(_ specs: [OptionSpec]) -> [Entry.Option] {
            specs.map { .init(name: $0.name, kind: $0.kind.rawValue, defaultValue: $0.defaultValue, help: $0.help) }
        }
        let listing: [String: [Entry]] = [
            "algorithms": registry.algorithms.map {
                Entry(name: $0.name, summary: $0.summary, citation: $0.citation, kind: nil,
                      problems: $0.supportedProblems.map(\.rawValue).sorted(), options: opts($0.options))
            },
            "datasets": registry.datasets.map {
                Entry(name: $0.name, summary: $0.summary, citation: $0.citation,
                      kind: $0.isGenerated ? "generated" : "imported", problems: nil, options: opts($0.options))
            },
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(listing), as: UTF8.self)
    }
}
