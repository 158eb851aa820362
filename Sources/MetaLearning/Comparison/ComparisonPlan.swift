/// What a comparison runs: every algorithm with every seed, and the folder
/// layout that lets an interrupted comparison resume.
///
/// ```
/// <output>/results.md  results.csv  results.json  training-<metric>.svg  final-<metric>.svg
/// <output>/runs/<algorithm>-seed<k>/checkpoint.h5
/// <output>/runs/<algorithm>-seed<k>/run.json
/// ```
public struct ComparisonPlan: Sendable, Equatable {
    /// Algorithm registry names, in the order they are run and reported.
    public let algorithms: [String]
    /// Training seeds; every algorithm is trained once per seed.
    public let seeds: [UInt64]
    /// The comparison's output folder.
    public let outputDirectory: String

    /// A plan; throws ``ComparisonError/invalidPlan(_:)`` for an empty or
    /// duplicated algorithm or seed list, or an algorithm name that cannot be
    /// a folder name.
    public init(algorithms: [String], seeds: [UInt64], outputDirectory: String) throws {
        guard !algorithms.isEmpty else { throw ComparisonError.invalidPlan("no algorithms given") }
        guard !seeds.isEmpty else { throw ComparisonError.invalidPlan("no seeds given") }
        var seen = Set<String>()
        for name in algorithms {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
                  name != ".", name != ".." else {
                throw ComparisonError.invalidPlan("'\(name)' is not a valid algorithm name")
            }
            guard seen.insert(name).inserted else {
                throw ComparisonError.invalidPlan("algorithm '\(name)' is listed twice")
            }
        }
        guard Set(seeds).count == seeds.count else { throw ComparisonError.invalidPlan("a seed is listed twice") }
        guard !outputDirectory.isEmpty else { throw ComparisonError.invalidPlan("no output folder given") }
        self.algorithms = algorithms
        self.seeds = seeds
        self.outputDirectory = outputDirectory.count > 1 && outputDirectory.hasSuffix("/")
            ? String(outputDirectory.dropLast()) : outputDirectory
    }

    /// The folder holding one subfolder per run.
    public var runsDirectory: String { outputDirectory + "/runs" }

    /// Every run, algorithm-major (all seeds of the first algorithm first).
    public var runs: [PlannedRun] {
        algorithms.flatMap { a in seeds.map { PlannedRun(algorithm: a, seed: $0, runsDirectory: runsDirectory) } }
    }

    /// Paths of the table files written into ``outputDirectory`` (the plots
    /// are named by metric, see ``ComparisonReport``).
    public var markdownPath: String { outputDirectory + "/results.md" }
    public var csvPath: String { outputDirectory + "/results.csv" }
    public var jsonPath: String { outputDirectory + "/results.json" }
}
