import ArgumentParser

/// How episodes are drawn: N ways, K shots, Q queries per class, and a seed.
struct SamplerOptions: ParsableArguments {
    @Option(help: "Classes per episode (N-way).")
    var ways: Int = 5

    @Option(help: "Support examples per class (K-shot); for regression, support points per task.")
    var shots: Int = 1

    @Option(help: "Query examples per class (per task for regression).")
    var queries: Int = 15

    func validate() throws {
        guard ways >= 2 else { throw ValidationError("--ways must be at least 2, got \(ways)") }
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1, got \(queries)") }
        guard ways <= 1000, shots <= 10_000, queries <= 10_000 else {
            throw ValidationError("--ways/--shots/--queries are implausibly large (\(ways)/\(shots)/\(queries))")
        }
    }
}
