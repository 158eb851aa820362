import Foundation
import Logging

/// Runs a ``ComparisonPlan``: trains and evaluates every (algorithm, seed)
/// that has not finished yet, keeping each run's `run.json` up to date so an
/// interrupted comparison resumes where it stopped.
///
/// The runner owns the bookkeeping (what to skip, timings, peak memory,
/// records, configuration checks); the caller supplies how to train and
/// evaluate one run, so the same engine drives real learners from the CLI
/// and fakes in tests.
public struct ComparisonRunner: Sendable {
    /// The plan being run.
    public let plan: ComparisonPlan
    private let logger: Logger
    private let cancellation: CancellationFlag?

    /// A runner for `plan` that logs to `logger` and stops between runs (and
    /// lets the training closure stop between steps) once `cancellation` is set.
    public init(plan: ComparisonPlan, logger: Logger, cancellation: CancellationFlag? = nil) {
        self.plan = plan
        self.logger = logger
        self.cancellation = cancellation
    }

    /// Brings every run of the plan to `finished` and returns their records
    /// in plan order.
    ///
    /// - Parameters:
    ///   - configuration: the settings that define a run; stored in its record
    ///     and compared with an existing record, so results made with other
    ///     settings are refused instead of mixed in.
    ///   - train: trains one run to completion, resuming from
    ///     `run.checkpointPath` when it exists and saving checkpoints there; it
    ///     calls its second argument after each checkpoint with the step count,
    ///     so the record's timing survives a crash. It returns early with
    ///     `completed == false` when cancelled.
    ///   - evaluate: evaluates the run's final checkpoint on the shared episodes.
    /// - Throws: ``ComparisonError/interrupted(finished:total:)`` when cancelled,
    ///   ``ComparisonError/runFailed(run:reason:)`` when a run fails, and the
    ///   record and configuration errors of ``ComparisonError``.
    public func run(
        configuration: (PlannedRun) throws -> [String: String],
        train: (PlannedRun, _ checkpointed: (Int) throws -> Void) throws -> TrainingOutcome,
        evaluate: (PlannedRun) throws -> EvaluationOutcome
    ) throws -> [RunRecord] {
        let runs = plan.runs
        var records: [RunRecord] = []
        for (index, run) in runs.enumerated() {
            let label = "[\(index + 1)/\(runs.count)] \(run.name)"
            let wanted = try configuration(run)
            var record: RunRecord
            if let existing = try RunRecord.load(from: run.recordPath) {
                try Self.check(existing, matches: wanted, run: run)
                record = existing
            } else {
                record = RunRecord(run: run, configuration: wanted)
            }
            if record.status == .finished {
                logger.info("\(label): already finished, skipped")
                records.append(record)
                continue
            }
            if cancellation?.isCancelled == true { throw interrupted(records.count, runs.count) }

            if record.status == .training {
                if !FileManager.default.fileExists(atPath: run.checkpointPath) {
                    record.stepsCompleted = 0
                    record.trainingSeconds = 0
                }
                record.attempts += 1
                let resumed = record.stepsCompleted > 0
                logger.info("\(label): training\(resumed ? " (resuming after step \(record.stepsCompleted))" : "")")
                try record.save(to: run.recordPath)
                let meter = ResourceUsage.Meter()
                let before = record.trainingSeconds
                let outcome: TrainingOutcome
                do {
                    var progress = record
                    outcome = try train(run) { step in
                        progress.stepsCompleted = step
                        progress.trainingSeconds = before + meter.elapsedSeconds
                        progress.peakMemoryBytes = max(progress.peakMemoryBytes, meter.peakResidentBytes)
                        try progress.save(to: run.recordPath)
                    }
                } catch {
                    if cancellation?.isCancelled == true { throw interrupted(records.count, runs.count) }
                    throw ComparisonError.runFailed(run: run.name, reason: Self.message(error))
                }
                record.stepsCompleted = outcome.stepsCompleted
                record.trainingSeconds = before + meter.elapsedSeconds
                record.peakMemoryBytes = max(record.peakMemoryBytes, meter.peakResidentBytes)
                record.curve = outcome.curve
                if !outcome.completed {
                    try record.save(to: run.recordPath)
                    throw interrupted(records.count, runs.count)
                }
                record.status = .trained
                try record.save(to: run.recordPath)
                logger.info("\(label): trained \(outcome.stepsCompleted) steps in \(ReportFormat.duration(record.trainingSeconds))")
            }

            if cancellation?.isCancelled == true { throw interrupted(records.count, runs.count) }
            logger.info("\(label): evaluating")
            let meter = ResourceUsage.Meter()
            let evaluation: EvaluationOutcome
            do {
                evaluation = try evaluate(run)
            } catch {
                if cancellation?.isCancelled == true { throw interrupted(records.count, runs.count) }
                throw ComparisonError.runFailed(run: run.name, reason: Self.message(error))
            }
            guard !evaluation.values.isEmpty, evaluation.values.allSatisfy(\.isFinite) else {
                throw ComparisonError.runFailed(
                    run: run.name, reason: "evaluation gave \(evaluation.values.count) values, some not finite")
            }
            record.evaluationSeconds = meter.elapsedSeconds
            record.peakMemoryBytes = max(record.peakMemoryBytes, meter.peakResidentBytes)
            record.metric = evaluation.metric
            record.higherIsBetter = evaluation.higherIsBetter
            record.episodeResults = evaluation.values
            record.status = .finished
            try record.save(to: run.recordPath)
            let mean = evaluation.values.reduce(0, +) / Double(evaluation.values.count)
            let shown = ReportFormat.metric(mean, metric: evaluation.metric) + (evaluation.metric == "accuracy" ? "%" : "")
            logger.info("\(label): \(evaluation.metric) \(shown) on \(evaluation.values.count) episodes")
            records.append(record)
        }
        return records
    }

    /// Throws ``ComparisonError/configurationMismatch(run:key:recorded:requested:)``
    /// for the first setting (in key order) that differs.
    static func check(_ record: RunRecord, matches wanted: [String: String], run: PlannedRun) throws {
        guard record.algorithm == run.algorithm, record.seed == run.seed else {
            throw ComparisonError.configurationMismatch(
                run: run.name, key: "run", recorded: "\(record.algorithm)-seed\(record.seed)", requested: run.name)
        }
        for key in Set(record.configuration.keys).union(wanted.keys).sorted()
        where record.configuration[key] != wanted[key] {
            throw ComparisonError.configurationMismatch(
                run: run.name, key: key, recorded: record.configuration[key] ?? "(unset)",
                requested: wanted[key] ?? "(unset)")
        }
    }

    private func interrupted(_ finished: Int, _ total: Int) -> ComparisonError {
        .interrupted(finished: finished, total: total)
    }

    private static func message(_ error: any Error) -> String {
        if let e = error as? LocalizedError, let text = e.errorDescription { return text }
        return String(describing: error)
    }
}
