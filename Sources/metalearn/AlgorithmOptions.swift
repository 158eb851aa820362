import ArgumentParser
import MetaLearning

/// Algorithm settings as repeated `-o key=value` (or `--option key=value`; a
/// bare `key` means `key=true`), checked against the algorithms' declared
/// `OptionSpec`s. In `compare`, `maml.inner-lr=0.4` targets one algorithm and
/// an unprefixed key applies to every compared algorithm that declares it.
struct AlgorithmOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("option")],
            help: ArgumentHelp("An algorithm option (repeatable); `metalearn list` shows each algorithm's options.",
                               valueName: "key=value"))
    var options: [String] = []

    func validate() throws {
        do {
            _ = try Options.parseAssignments(options, owner: "--option")
        } catch {
            throw ValidationError(ErrorMessage.oneLine(error))
        }
    }

    /// The checked option values for one algorithm trained alone: every key
    /// must be one of its options and every value must parse. Bad options
    /// throw a `ValidationError` (exit status 64).
    func values(for algorithm: AlgorithmDescriptor) throws -> [String: String] {
        let all = try Options.parseAssignments(options, owner: "--option")
        var values: [String: String] = [:]
        for (key, value) in all {
            if let dot = key.firstIndex(of: ".") {
                let target = String(key[..<dot])
                guard target == algorithm.name else {
                    throw ValidationError("--option \(key): '\(target)' is not the algorithm being trained (\(algorithm.name))")
                }
                values[String(key[key.index(after: dot)...])] = value
            } else {
                values[key] = value
            }
        }
        try check(values, for: algorithm)
        return values
    }

    /// The option values of each compared algorithm: `name.key` targets one,
    /// an unprefixed key every algorithm that declares it; a key no compared
    /// algorithm declares is an error.
    func values(for algorithms: [AlgorithmDescriptor]) throws -> [String: [String: String]] {
        let all = try Options.parseAssignments(options, owner: "--option")
        var result = Dictionary(uniqueKeysWithValues: algorithms.map { ($0.name, [String: String]()) })
        for key in all.keys.sorted() {
            let value = all[key]!
            if let dot = key.firstIndex(of: ".") {
                let target = String(key[..<dot]), name = String(key[key.index(after: dot)...])
                guard result[target] != nil else {
                    throw ValidationError("--option \(key): '\(target)' is not one of the compared algorithms "
                                          + "(\(algorithms.map(\.name).joined(separator: ", ")))")
                }
                result[target]![name] = value
            } else {
                let takers = algorithms.filter { $0.options.contains { $0.name == key } }
                guard !takers.isEmpty else {
                    throw ValidationError("--option \(key): none of the compared algorithms "
                                          + "(\(algorithms.map(\.name).joined(separator: ", "))) has this option")
                }
                for a in takers where result[a.name]![key] == nil { result[a.name]![key] = value }
            }
        }
        for a in algorithms { try check(result[a.name]!, for: a) }
        return result
    }

    private func check(_ values: [String: String], for algorithm: AlgorithmDescriptor) throws {
        do {
            _ = try Options(owner: "algorithm '\(algorithm.name)'", specs: algorithm.options, values: values)
        } catch {
            throw ValidationError(ErrorMessage.oneLine(error))
        }
    }
}
