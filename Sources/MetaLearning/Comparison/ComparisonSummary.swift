/// The outcome of a comparison: one row per algorithm, pooled over seeds and
/// the shared episodes, plus the training curves of every run. This is what
/// the Markdown, CSV, JSON and SVG reports are written from.
public struct ComparisonSummary: Sendable, Equatable, Codable {
    /// The evaluation metric (`"accuracy"` or `"mse"`) and its direction.
    public var metric: String
    public var higherIsBetter: Bool
    /// Settings shared by every run (dataset, ways, shots, steps...), for captions.
    public var settings: [String: String]
    /// The training seeds, in order.
    public var seeds: [UInt64]
    /// The number of cached episodes every run was evaluated on.
    public var episodes: Int
    /// The algorithm with the best mean.
    public var best: String
    /// One row per algorithm, in the plan's order.
    public var rows: [ComparisonRow]
    /// Training curves by algorithm, one per seed in seed order.
    public var curves: [String: [TrainingCurve]]

    /// Pools finished run records into rows. Every (algorithm, seed) of the
    /// plan needs a finished record, all with the same metric and episode count.
    public init(plan: ComparisonPlan, records: [RunRecord], settings: [String: String]) throws {
        var byRun: [String: RunRecord] = [:]
        for r in records { byRun["\(r.algorithm)-seed\(r.seed)"] = r }
        var table: [(String, [RunRecord])] = []
        for algorithm in plan.algorithms {
            var runs: [RunRecord] = []
            for seed in plan.seeds {
                let name = "\(algorithm)-seed\(seed)"
                guard let r = byRun[name] else {
                    throw ComparisonError.inconsistentRuns("no record for run \(name)")
                }
                guard r.status == .finished else {
                    throw ComparisonError.inconsistentRuns("run \(name) has not finished (status \(r.status.rawValue))")
                }
                runs.append(r)
            }
            table.append((algorithm, runs))
        }
        let first = table[0].1[0]
        for (_, runs) in table {
            for r in runs {
                guard r.metric == first.metric, r.higherIsBetter == first.higherIsBetter else {
                    throw ComparisonError.inconsistentRuns(
                        "run \(r.algorithm)-seed\(r.seed) reports '\(r.metric)', others '\(first.metric)'")
                }
                guard r.episodeResults.count == first.episodeResults.count, !r.episodeResults.isEmpty else {
                    throw ComparisonError.inconsistentRuns(
                        "run \(r.algorithm)-seed\(r.seed) has \(r.episodeResults.count) episode results, "
                            + "\(first.algorithm)-seed\(first.seed) has \(first.episodeResults.count)")
                }
            }
        }
        metric = first.metric
        higherIsBetter = first.higherIsBetter
        self.settings = settings
        seeds = plan.seeds
        episodes = first.episodeResults.count

        let estimates = try table.map { try PooledEstimate(values: $0.1.map(\.episodeResults)) }
        var bestIndex = 0
        for i in estimates.indices.dropFirst() {
            let better = higherIsBetter ? estimates[i].mean > estimates[bestIndex].mean
                                        : estimates[i].mean < estimates[bestIndex].mean
            if better { bestIndex = i }
        }
        best = table[bestIndex].0
        let bestRuns = table[bestIndex].1
        rows = try table.enumerated().map { i, entry in
            let (algorithm, runs) = entry
            var difference: PooledEstimate?
            if i != bestIndex {
                let diffs = zip(runs, bestRuns).map { a, b in zip(a.episodeResults, b.episodeResults).map { $0 - $1 } }
                difference = try PooledEstimate(values: diffs)
            }
            let n = Double(runs.count)
            return ComparisonRow(
                algorithm: algorithm, estimate: estimates[i],
                perSeedMeans: runs.map { $0.episodeResults.reduce(0, +) / Double($0.episodeResults.count) },
                differenceToBest: difference,
                trainingSeconds: runs.reduce(0) { $0 + $1.trainingSeconds } / n,
                evaluationSeconds: runs.reduce(0) { $0 + $1.evaluationSeconds } / n,
                peakMemoryBytes: runs.map(\.peakMemoryBytes).max() ?? 0,
                steps: runs.map(\.stepsCompleted).max() ?? 0)
        }
        curves = Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.1.map(\.curve)) })
    }
}
