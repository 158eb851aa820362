import Autograd
import BuiltinPlugins
import MetaLearning

/// Runs one workload in this process through the public APIs (the
/// registry's learners, `MetaTrainer`, `Adam`, `Learner.predict`) and
/// times it like the peer: `warmup` untimed iterations, then iterations
/// until at least `minIterations` and `minTime` seconds.
struct WorkloadRunner {
    let workload: Workload
    /// Trainer workers and OpenBLAS threads per call.
    let threads: Int
    let minTime: Double
    let minIterations: Int
    let warmup: Int
    /// Meta-test only: adapt one task at a time with its kernels split over
    /// `threads` (the peer's loop) instead of `threads` tasks at once.
    var oneTaskAtATime = false

    /// The measurement.
    func run() throws -> WorkloadResult {
        // A meta-batch runs its tasks on `threads` workers; one task at a time
        // (ProtoNet, meta-test) splits its large kernels over `threads`
        // (IntraOpParallelism, set by MetaTrainer or below). Either way each
        // OpenBLAS call stays on one thread. Set once, before any BLAS call.
        BLASConfiguration.threadCount = 1
        let registry = try BuiltinPlugins.makeRegistry()
        let pool = try TaskPool(count: 2 * Workload.metaBatchSize, seed: 1234)
        let learner = try registry.algorithm(named: workload.algorithm)
            .makeLearner(problem: pool.problem, options: workload.learnerOptions)
        let iterate = try makeIteration(learner: learner, pool: pool)

        let rssAfterSetup = ProcessStats.peakRSSMiB
        // A timed call covers `perCall` iterations (meta-test tasks through
        // `Evaluator`); times are reported per iteration.
        let perCall = workload.iterationsPerCall(oneTaskAtATime: oneTaskAtATime)
        for _ in 0..<warmup { try iterate() }
        var times: [Double] = []
        let start = ProcessStats.now()
        while true {
            let t = ProcessStats.now()
            try iterate()
            times.append((ProcessStats.now() - t) / Double(perCall))
            if times.count * perCall >= minIterations && ProcessStats.now() - start >= minTime { break }
        }
        let total = times.reduce(0, +) * Double(perCall)
        let iterations = times.count * perCall
        let perIteration = Double(workload.tasksPerIteration)
        return WorkloadResult(
            name: workload.name, impl: "metalearn",
            desc: workload.summary + (oneTaskAtATime ? " (one task at a time)" : ""), iters: iterations,
            seconds: total, itersPerSecond: Double(iterations) / total, medianIterSeconds: WorkloadSummary.median(times),
            minIterSeconds: times.min() ?? 0, maxIterSeconds: times.max() ?? 0,
            tasksPerSecond: perIteration * Double(iterations) / total, tasksPerIter: workload.tasksPerIteration,
            peakRSSMiB: ProcessStats.peakRSSMiB, rssAfterSetupMiB: rssAfterSetup, threads: threads,
            osThreads: ProcessStats.osThreadCount, blasCore: BLASConfiguration.coreName,
            loadAverage: ProcessStats.loadAverage,
            learner: workload.algorithm + " " + workload.learnerOptions.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    }

    /// One timed call: a meta-training step, or `Workload.metaTestTasksPerCall`
    /// meta-test tasks through `Evaluator` (one task with `oneTaskAtATime`).
    private func makeIteration(learner: any Learner, pool: TaskPool) throws -> () throws -> Void {
        switch workload.kind {
        case .metaTraining:
            let trainer = try MetaTrainer(
                learner: learner, optimizer: Adam(learningRate: Workload.outerLearningRate), tasks: pool,
                configuration: .init(metaBatchSize: workload.tasksPerIteration, threads: threads, seed: 1))
            var state = trainer.initialState()
            return {
                let (next, report) = try trainer.step(state)
                guard report.loss.isFinite else {
                    throw BenchError.invalidOption("\(workload.name): loss became \(report.loss) at step \(next.step)")
                }
                state = next
            }
        case .metaTest where !oneTaskAtATime:
            var rng = SeededGenerator(seed: 1)
            let parameters = learner.initialParameters(using: &rng)
            let evaluator = Evaluator(threads: threads, seed: 1)
            let perCall = workload.iterationsPerCall(oneTaskAtATime: false)
            var cursor = 0
            return {
                let result = try evaluator.evaluate(learner, parameters: parameters, on: pool,
                                                    indices: cursor..<(cursor + perCall))
                cursor += perCall
                guard result.perEpisode.allSatisfy({ $0.isFinite }) else {
                    throw BenchError.invalidOption("\(workload.name): accuracy is not finite")
                }
            }
        case .metaTest:
            var rng = SeededGenerator(seed: 1)
            let parameters = learner.initialParameters(using: &rng)
            var cursor = 0
            return {
                let task = try pool.task(at: cursor, seed: 0)
                cursor += 1
                let logits = try IntraOpParallelism.withWidth(threads) {
                    try learner.predict(task: task, parameters: parameters, using: &rng)
                }
                let accuracy = TaskMetrics.accuracy(logits: logits, labels: try task.queryTargets.requireLabels("query"))
                guard accuracy.isFinite else { throw BenchError.invalidOption("\(workload.name): accuracy is not finite") }
            }
        }
    }
}
