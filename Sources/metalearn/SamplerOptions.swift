import ArgumentParser

/// How episodes are drawn: N ways, K shots, Q queries per class.
///
/// Values are optional so that `train --resume` can tell an option the user
/// gave (which must agree with the checkpoint) from one left at its default.
struct SamplerOptions: ParsableArguments {
    @Option(name: .customLong("ways"), help: "Classes per episode (N-way). (default: 5)")
    var waysArgument: Int?

    @Option(name: .customLong("shots"),
            help: "Support examples per class (K-shot); for regression, support points per task. (default: 1)")
    var shotsArgument: Int?

    @Option(name: .customLong("queries"), help: "Query examples per class (per task for regression). (default: 15)")
    var queriesArgument: Int?

    var ways: Int { waysArgument ?? 5 }
    var shots: Int { shotsArgument ?? 1 }
    var queries: Int { queriesArgument ?? 15 }

    func validate() throws {
        guard ways >= 2 else { throw ValidationError("--ways must be at least 2, got \(ways)") }
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1, got \(queries)") }
        guard ways <= 1000, shots <= 10_000, queries <= 10_000 else {
            throw ValidationError("--ways/--shots/--queries are implausibly large (\(ways)/\(shots)/\(queries))")
        }
    }
}
