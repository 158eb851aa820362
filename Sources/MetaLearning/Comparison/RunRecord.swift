import Foundation

/// What a comparison knows about one run, stored as `run.json` beside the
/// run's checkpoint: its settings, status, timings, peak memory, training
/// curve and per-episode evaluation results. A finished record is what lets
/// a rerun of the same comparison skip the run.
public struct RunRecord: Sendable, Equatable, Codable {
    /// Where a run is.
    public enum Status: String, Sendable, Codable {
        /// Training has started (and may have been interrupted); the checkpoint holds the progress.
        case training
        /// Training is done; evaluation has not finished.
        case trained
        /// Evaluated: `episodeResults` holds one value per cached episode.
        case finished
    }

    /// The algorithm's registry name.
    public var algorithm: String
    /// The training seed.
    public var seed: UInt64
    public var status: Status
    /// The settings that define the run (dataset fingerprint, steps, ways,
    /// options...), as strings. A rerun with different settings is refused
    /// rather than mixing results.
    public var configuration: [String: String]
    /// Meta-training steps completed so far.
    public var stepsCompleted: Int
    /// Wall-clock seconds spent training, summed over interrupted attempts.
    public var trainingSeconds: Double
    /// Wall-clock seconds of the evaluation.
    public var evaluationSeconds: Double
    /// The largest peak resident memory (bytes) seen while training or evaluating.
    public var peakMemoryBytes: Int
    /// How many times training was started (1 unless interrupted and resumed).
    public var attempts: Int
    /// Training metrics by step.
    public var curve: TrainingCurve
    /// The evaluation metric's name (`"accuracy"`, `"mse"`); empty until evaluated.
    public var metric: String
    /// Whether a larger metric value is better (accuracy) or worse (MSE).
    public var higherIsBetter: Bool
    /// One metric value per cached episode, in cache order; empty until evaluated.
    public var episodeResults: [Double]

    /// A fresh record for a run that is about to start.
    public init(run: PlannedRun, configuration: [String: String]) {
        algorithm = run.algorithm
        seed = run.seed
        status = .training
        self.configuration = configuration
        stepsCompleted = 0
        trainingSeconds = 0
        evaluationSeconds = 0
        peakMemoryBytes = 0
        attempts = 0
        curve = TrainingCurve()
        metric = ""
        higherIsBetter = true
        episodeResults = []
    }

    /// Reads a record; `nil` when no file exists at `path`, throws
    /// ``ComparisonError/unreadableRecord(path:reason:)`` when it exists but is not a valid record.
    public static func load(from path: String) throws -> RunRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(RunRecord.self, from: data)
        } catch let error as DecodingError {
            throw ComparisonError.unreadableRecord(path: path, reason: Self.describe(error))
        } catch {
            throw ComparisonError.unreadableRecord(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Writes the record atomically (temporary file, then rename), creating
    /// the folder if needed.
    public func save(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try data.write(to: url, options: .atomic)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
