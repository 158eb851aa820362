import ArgumentParser
import Autograd
import BuiltinPlugins
import Foundation
import MetaLearning

/// `metalearn-bench profile`: one workload's per-task gradient (or, for
/// the meta-test workload, one task's adaptation and scoring) on the
/// calling thread only (OpenBLAS at 1 thread), `--tasks` times after
/// `--warmup` untimed tasks, printing ms per task. Small and deterministic,
/// for `valgrind --tool=callgrind` or `perf record`.
///
/// ```
/// metalearn-bench profile --workload a_maml_so_1step --tasks 20
/// ```
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Time one workload's task gradient or meta-test task single-threaded (for profilers).")

    @Option(help: "Workload name (a_maml_so_1step, b_fomaml_1step, ..., e_metatest_adapt10).")
    var workload: String = "a_maml_so_1step"

    @Option(help: "Timed tasks.")
    var tasks: Int = 20

    @Option(help: "Untimed warm-up tasks.")
    var warmup: Int = 2

    @Option(help: ArgumentHelp("Widest vector instructions of the hand-written kernels: avx512 or avx2.",
                               valueName: "set"))
    var vector: VectorLimit = .avx512

    func validate() throws {
        guard tasks >= 1, warmup >= 0 else { throw ValidationError("profile: --tasks >= 1 and --warmup >= 0 expected") }
        _ = try Workload(named: workload)
    }

    func run() throws {
        try VectorInstructions.limited(to: vector.instructions) { try profile() }
    }

    private func profile() throws {
        BLASConfiguration.threadCount = 1
        let w = try Workload(named: workload)
        let registry = try BuiltinPlugins.makeRegistry()
        let pool = try TaskPool(count: 8, seed: 1234)
        let learner = try registry.algorithm(named: w.algorithm).makeLearner(problem: pool.problem,
                                                                              options: w.learnerOptions)
        var rng = SeededGenerator(seed: 1)
        let parameters = learner.initialParameters(using: &rng)
        // The task's loss (training) or query accuracy after adaptation (meta-test).
        func one(_ i: Int) throws -> Double {
            let task = try pool.task(at: i, seed: 0)
            switch w.kind {
            case .metaTraining: return try learner.taskGradient(for: task, parameters: parameters, using: &rng).loss
            case .metaTest: return try learner.evaluate(task: task, parameters: parameters, using: &rng)
            }
        }
        var checksum = 0.0
        for i in 0..<warmup { checksum += try one(i) }
        let start = ProcessStats.now()
        for i in 0..<tasks { checksum += try one(i) }
        let seconds = ProcessStats.now() - start
        print(String(format: "%@: %.2f ms per task over %d tasks (checksum %.6f, vector kernels %@)", workload,
                     seconds * 1000 / Double(tasks), tasks, checksum, vector.describeInForce))
    }
}
