import ArgumentParser
import Foundation
import MetaLearning

/// How meta-training runs: steps, meta-batch, threads, checkpoints, outer optimizer.
///
/// Settings that define the result are optional so that `train --resume` can
/// tell what the user gave (it must agree with the checkpoint) from defaults.
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong("steps"), help: "Meta-training steps (outer updates) in total. (default: 1000)")
    var stepsArgument: Int?

    @Option(name: .customLong("meta-batch"), help: "Tasks per meta-training step. (default: 4)")
    var metaBatchArgument: Int?

    @Option(help: "Worker threads for the tasks of a meta-batch, or for one task's kernels (results do not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("checkpoint-every"),
            help: "Write the checkpoint every N steps (and always at the end). (default: 100; with --resume, the checkpoint's)")
    var checkpointEveryArgument: Int?

    @Option(name: .customLong("meta-lr"), help: "Outer (meta) learning rate. (default: 0.001)")
    var metaLRArgument: Double?

    @Option(name: .customLong("meta-optimizer"), help: "Outer optimizer: adam or sgd. (default: adam)")
    var metaOptimizerArgument: String?

    @Option(name: .customLong("meta-lr-schedule"),
            help: ArgumentHelp("Meta learning-rate schedule: constant, cosine[:HORIZON] or linear[:HORIZON] (decay "
                               + "to 0 over HORIZON steps, default --steps; linear is Reptile's annealing) or "
                               + "step:EVERY:FACTOR (e.g. step:2000:0.5, ProtoNet's halving). (default: constant)",
                               valueName: "schedule"))
    var metaLRScheduleArgument: String?

    var steps: Int { stepsArgument ?? 1000 }
    var checkpointEvery: Int { checkpointEveryArgument ?? 100 }
    var metaBatch: Int { metaBatchArgument ?? 4 }
    var metaLR: Double { metaLRArgument ?? 0.001 }
    var metaOptimizer: String { metaOptimizerArgument ?? "adam" }

    /// The schedule as stored in run configurations (a bare `cosine` gets
    /// `steps` as its horizon), or `nil` for the default constant rate.
    func metaLRSchedule(steps: Int) throws -> String? {
        guard let text = metaLRScheduleArgument else { return nil }
        do {
            return try LearningRateSchedule(parsing: text, defaultHorizon: steps).description
        } catch {
            throw ValidationError("--meta-lr-schedule: \(ErrorMessage.oneLine(error))")
        }
    }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard metaBatch >= 1 else { throw ValidationError("--meta-batch must be at least 1, got \(metaBatch)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
        guard checkpointEvery >= 1 else {
            throw ValidationError("--checkpoint-every must be at least 1, got \(checkpointEvery)")
        }
        guard metaLR.isFinite, metaLR > 0 else { throw ValidationError("--meta-lr must be a positive number, got \(metaLR)") }
        _ = try metaLRSchedule(steps: steps)
        guard ["adam", "sgd"].contains(metaOptimizer) else {
            throw ValidationError("--meta-optimizer must be adam or sgd, got '\(metaOptimizer)'")
        }
    }
}
