import Foundation
import MetaLearning

/// Shared helpers of the comparison tests.
enum ComparisonFixtures {
    /// A fresh temporary folder.
    static func temporaryDirectory(_ tag: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A finished record with synthetic per-episode accuracies around `level`.
    static func record(_ algorithm: String, seed: UInt64, level: Double, episodes: Int = 20,
                       metric: String = "accuracy", dir: String = "/tmp") -> RunRecord {
        let run = PlannedRun(algorithm: algorithm, seed: seed, runsDirectory: dir)
        var r = RunRecord(run: run, configuration: ["steps": "10"])
        var rng = SplitMix(seed: seed &* 31 &+ UInt64(algorithm.utf8.count))
        r.status = .finished
        r.stepsCompleted = 10
        r.trainingSeconds = 12.5 * Double(seed)
        r.evaluationSeconds = 1.5
        r.peakMemoryBytes = 80 * 1_048_576 + Int(seed) * 1_048_576
        r.attempts = 1
        r.curve = TrainingCurve(steps: [0, 5, 10],
                                columns: ["loss": [1.6, 1.0 - level / 2, 0.9 - level / 2], "accuracy": [0.2, .nan, level]])
        r.metric = metric
        r.higherIsBetter = metric == "accuracy"
        r.episodeResults = (0..<episodes).map { e in min(1, max(0, level + 0.1 * (rng.unit() - 0.5) + 0.01 * Double(e % 3))) }
        return r
    }

    static func result(seeds: [UInt64] = [1, 2]) throws -> (ComparisonPlan, ComparisonSummary) {
        let plan = try ComparisonPlan(algorithms: ["maml", "protonet", "reptile"], seeds: seeds, outputDirectory: "/tmp/x")
        let levels = ["maml": 0.90, "protonet": 0.95, "reptile": 0.85]
        let records = plan.runs.map { record($0.algorithm, seed: $0.seed, level: levels[$0.algorithm]!) }
        let result = try ComparisonSummary(plan: plan, records: records,
                                          settings: ["dataset": "omniglot.h5", "ways": "5", "shots": "1"])
        return (plan, result)
    }
}
