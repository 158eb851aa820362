import ArgumentParser
import Foundation

/// How meta-training runs: steps, meta-batch, threads, checkpoints, outer optimizer.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Meta-training steps (outer updates).")
    var steps: Int = 1000

    @Option(name: .customLong("meta-batch"), help: "Tasks per meta-training step.")
    var metaBatch: Int = 4

    @Option(help: "Worker threads for the tasks of a meta-batch (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N steps (and always at the end).")
    var checkpointEvery: Int = 100

    @Option(name: .customLong("log-every"), help: "Record training metrics every N steps.")
    var logEvery: Int = 10

    @Option(name: .customLong("meta-lr"), help: "Outer (meta) learning rate.")
    var metaLR: Double = 0.001

    @Option(name: .customLong("meta-optimizer"), help: "Outer optimizer: adam or sgd.")
    var metaOptimizer: String = "adam"

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard metaBatch >= 1 else { throw ValidationError("--meta-batch must be at least 1, got \(metaBatch)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
        guard checkpointEvery >= 1 else {
            throw ValidationError("--checkpoint-every must be at least 1, got \(checkpointEvery)")
        }
        guard logEvery >= 1 else { throw ValidationError("--log-every must be at least 1, got \(logEvery)") }
        guard metaLR.isFinite, metaLR > 0 else { throw ValidationError("--meta-lr must be a positive number, got \(metaLR)") }
        guard ["adam", "sgd"].contains(metaOptimizer) else {
            throw ValidationError("--meta-optimizer must be adam or sgd, got '\(metaOptimizer)'")
        }
    }
}
