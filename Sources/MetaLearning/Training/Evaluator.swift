import Autograd

/// Evaluates a learner on fixed tasks: for each index, adapt on the support
/// set and score the query set (`Learner.evaluate`), in parallel on
/// `threads` workers with results in index order.
///
/// Task `i` is `tasks.task(at: i, seed: seed)` (the seed is ignored by
/// `CachedEpisodes`) and the learner gets `RandomStreams(seed).learner(task: i)`,
/// so results are identical for any thread count.
///
/// ```swift
/// let test = try CachedEpisodes(dataset: omniglot, episodes: cache)    // 600 stored episodes
/// let result = try Evaluator(threads: 2).evaluate(learner, parameters: state.parameters, on: test)
/// print(result.summary.mean, "±", result.summary.confidenceInterval.halfWidth)
/// ```
public struct Evaluator: Sendable {
    /// Worker threads.
    public var threads: Int
    /// Seed of the sampled tasks and of the learner's streams.
    public var seed: UInt64

    public init(threads: Int = 1, seed: UInt64 = 1) {
        precondition(threads >= 1, "Evaluator: threads must be at least 1")
        self.threads = threads
        self.seed = seed
    }

    /// Evaluates on `indices`, or on every task of a bounded distribution
    /// (`CachedEpisodes`) when `indices` is `nil`; throws
    /// `TrainingError.unboundedEvaluation` for an unbounded one without indices.
    public func evaluate(_ learner: any Learner, parameters: ParameterSet, on tasks: any TaskDistribution,
                         indices: Range<Int>? = nil) throws -> EvaluationResult {
        guard let range = indices ?? tasks.taskCount.map({ 0..<$0 }) else { throw TrainingError.unboundedEvaluation }
        let list = Array(range)
        let clock = ContinuousClock()
        let start = clock.now
        let streams = RandomStreams(seed: seed), seed = self.seed
        let width = ParallelTasks.kernelWidth(count: list.count, threads: threads)
        let values = try ParallelTasks.map(count: list.count, threads: threads) { k in
            let task = try tasks.task(at: list[k], seed: seed)
            var rng = streams.learner(task: list[k])
            return try IntraOpParallelism.withWidth(width) {
                try learner.evaluate(task: task, parameters: parameters, using: &rng)
            }
        }
        let elapsed = clock.now - start
        return EvaluationResult(metricName: tasks.problem.metricName, indices: list, perEpisode: values,
                                summary: Summary(values),
                                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}
