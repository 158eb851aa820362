/// Errors of `PluginRegistry` and of the descriptors it holds.
public enum PluginRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case duplicateAlgorithm(String)
    case duplicateDataset(String)
    case unknownAlgorithm(String, known: [String])
    case unknownDataset(String, known: [String])
    /// A plugin name that is not lower-case letters, digits, `-`, `_`.
    case invalidName(String)
    /// The algorithm does not handle this kind of problem.
    case unsupportedProblem(algorithm: String, problem: ProblemSpec.Kind)
    /// Asked to import a dataset that is generated.
    case notImported(dataset: String)
    /// Asked to generate tasks of a dataset that is imported.
    case notGenerated(dataset: String)

    public var description: String {
        switch self {
        case .duplicateAlgorithm(let n): return "plugin registry: algorithm '\(n)' is registered twice"
        case .duplicateDataset(let n): return "plugin registry: dataset '\(n)' is registered twice"
        case .unknownAlgorithm(let n, let known):
            return "plugin registry: no algorithm named '\(n)' (available: \(known.joined(separator: ", ")))"
        case .unknownDataset(let n, let known):
            return "plugin registry: no dataset named '\(n)' (available: \(known.joined(separator: ", ")))"
        case .invalidName(let n):
            return "plugin registry: '\(n)' is not a valid plugin name (lower-case letters, digits, '-', '_')"
        case .unsupportedProblem(let a, let p):
            return "algorithm '\(a)' does not support \(p) problems"
        case .notImported(let d): return "dataset '\(d)' is generated, it cannot be imported"
        case .notGenerated(let d): return "dataset '\(d)' is imported from files, it does not generate tasks"
        }
    }
}
