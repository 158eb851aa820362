import ArgumentParser
import Foundation

/// Algorithm settings as repeated `-o key=value` (or `--option key=value`),
/// checked against the algorithm's declared options when the registry is at hand.
struct AlgorithmOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("option")],
            help: ArgumentHelp("An algorithm option as key=value (repeatable); `metalearn list` shows each algorithm's options.",
                               valueName: "key=value"))
    var options: [String] = []

    /// The options as ordered (key, value) pairs.
    var pairs: [(key: String, value: String)] {
        options.compactMap { Self.split($0) }
    }

    func validate() throws {
        var seen = Set<String>()
        for raw in options {
            guard let (key, _) = Self.split(raw) else {
                throw ValidationError("--option '\(raw)': expected key=value, such as inner-lr=0.4")
            }
            guard seen.insert(key).inserted else { throw ValidationError("--option '\(key)' is given twice") }
        }
    }

    /// `key=value` split at the first `=`; nil when either side is empty.
    static func split(_ raw: String) -> (key: String, value: String)? {
        guard let eq = raw.firstIndex(of: "=") else { return nil }
        let key = raw[..<eq].trimmingCharacters(in: .whitespaces)
        let value = raw[raw.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !value.isEmpty else { return nil }
        return (key, value)
    }
}
