import Foundation
import Logging
import MetaLearning
import Testing

@Suite struct ComparisonRunnerTests {
    /// Fake training: "trains" `steps` steps, checkpointing every 2, stopping
    /// when the flag is set. Progress is kept in a file so resume can be seen.
    struct FakeTrainer {
        let steps: Int
        let cancelAfter: Int?
        let flag: CancellationFlag

        func train(_ run: PlannedRun, _ checkpointed: (Int) throws -> Void) throws -> TrainingOutcome {
            var step = (try? String(contentsOfFile: run.checkpointPath, encoding: .utf8)).flatMap { Int($0) } ?? 0
            var curve = TrainingCurve()
            while step < steps {
                if flag.isCancelled { return TrainingOutcome(stepsCompleted: step, curve: curve, completed: false) }
                step += 1
                curve.steps.append(step)
                curve.columns["loss", default: []].append(1 / Double(step))
                if step % 2 == 0 || step == steps {
                    try "\(step)".write(toFile: run.checkpointPath, atomically: true, encoding: .utf8)
                    try checkpointed(step)
                }
                if let c = cancelAfter, step == c { flag.cancel() }
            }
            return TrainingOutcome(stepsCompleted: step, curve: curve, completed: true)
        }
    }

    static func evaluate(_ run: PlannedRun) -> EvaluationOutcome {
        let base = run.algorithm == "a" ? 0.6 : 0.7
        return EvaluationOutcome(metric: "accuracy", higherIsBetter: true,
                                 values: (0..<5).map { base + 0.01 * Double($0) + 0.001 * Double(run.seed) })
    }

    @Test func runsEverythingThenSkipsFinishedRuns() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("runner")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try ComparisonPlan(algorithms: ["a", "b"], seeds: [1, 2], outputDirectory: dir)
        let runner = ComparisonRunner(plan: plan, logger: Logger(label: "test"))
        let flag = CancellationFlag()
        var trained: [String] = []
        let records = try runner.run(configuration: { _ in ["steps": "5"] }, train: { run, cp in
            trained.append(run.name)
            return try FakeTrainer(steps: 5, cancelAfter: nil, flag: flag).train(run, cp)
        }, evaluate: Self.evaluate)
        #expect(trained == ["a-seed1", "a-seed2", "b-seed1", "b-seed2"])
        #expect(records.allSatisfy { $0.status == .finished && $0.stepsCompleted == 5 && $0.attempts == 1 })
        #expect(records.allSatisfy { $0.peakMemoryBytes > 0 && $0.trainingSeconds >= 0 })
        let onDisk = try RunRecord.load(from: plan.runs[3].recordPath)
        #expect(onDisk == records[3])

        var calls = 0
        let again = try runner.run(configuration: { _ in ["steps": "5"] },
                                   train: { _, _ in calls += 1; throw ComparisonError.invalidPlan("must not train") },
                                   evaluate: { _ in calls += 1; throw ComparisonError.invalidPlan("must not evaluate") })
        #expect(calls == 0)
        #expect(again == records)
    }

    @Test func interruptedComparisonResumesWhereItStopped() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try ComparisonPlan(algorithms: ["a", "b"], seeds: [1], outputDirectory: dir)
        let flag = CancellationFlag()
        let runner = ComparisonRunner(plan: plan, logger: Logger(label: "test"), cancellation: flag)
        // Cancel during b-seed1 at step 3 (a checkpoint was written at step 2).
        var trainedNames: [String] = []
        #expect(throws: ComparisonError.interrupted(finished: 1, total: 2)) {
            _ = try runner.run(configuration: { _ in [:] }, train: { run, cp in
                trainedNames.append(run.name)
                return try FakeTrainer(steps: 6, cancelAfter: run.algorithm == "b" ? 3 : nil, flag: flag).train(run, cp)
            }, evaluate: Self.evaluate)
        }
        let partial = try #require(try RunRecord.load(from: plan.runs[1].recordPath))
        #expect(partial.status == .training && partial.stepsCompleted == 3)

        let flag2 = CancellationFlag()
        let resumed = ComparisonRunner(plan: plan, logger: Logger(label: "test"), cancellation: flag2)
        var startSteps: [Int] = []
        let records = try resumed.run(configuration: { _ in [:] }, train: { run, cp in
            startSteps.append(Int(try String(contentsOfFile: run.checkpointPath, encoding: .utf8))!)
            return try FakeTrainer(steps: 6, cancelAfter: nil, flag: flag2).train(run, cp)
        }, evaluate: Self.evaluate)
        #expect(trainedNames == ["a-seed1", "b-seed1"])
        #expect(startSteps == [2])          // only b was trained again, from its last checkpoint
        #expect(records[1].attempts == 2 && records[1].status == .finished && records[1].stepsCompleted == 6)
    }

    @Test func changedSettingsAreRefused() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("mismatch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try ComparisonPlan(algorithms: ["a"], seeds: [1], outputDirectory: dir)
        let runner = ComparisonRunner(plan: plan, logger: Logger(label: "test"))
        let flag = CancellationFlag()
        _ = try runner.run(configuration: { _ in ["steps": "4"] },
                           train: { try FakeTrainer(steps: 4, cancelAfter: nil, flag: flag).train($0, $1) },
                           evaluate: Self.evaluate)
        #expect(throws: ComparisonError.configurationMismatch(run: "a-seed1", key: "steps", recorded: "4", requested: "8")) {
            _ = try runner.run(configuration: { _ in ["steps": "8"] },
                               train: { try FakeTrainer(steps: 8, cancelAfter: nil, flag: flag).train($0, $1) },
                               evaluate: Self.evaluate)
        }
    }

    @Test func failingRunNamesTheRun() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("fail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try ComparisonPlan(algorithms: ["a"], seeds: [3], outputDirectory: dir)
        let runner = ComparisonRunner(plan: plan, logger: Logger(label: "test"))
        #expect(throws: ComparisonError.runFailed(run: "a-seed3", reason: "comparison plan: boom")) {
            _ = try runner.run(configuration: { _ in [:] },
                               train: { _, _ in throw ComparisonError.invalidPlan("boom") },
                               evaluate: Self.evaluate)
        }
    }

    @Test func corruptRecordIsReportedWithItsPath() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try ComparisonPlan(algorithms: ["a"], seeds: [1], outputDirectory: dir)
        try FileManager.default.createDirectory(atPath: plan.runs[0].directory, withIntermediateDirectories: true)
        try "{\"algorithm\": 3}".write(toFile: plan.runs[0].recordPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: ComparisonError.self) { _ = try RunRecord.load(from: plan.runs[0].recordPath) }
        #expect(error?.description.hasPrefix(plan.runs[0].recordPath) == true)
    }
}
