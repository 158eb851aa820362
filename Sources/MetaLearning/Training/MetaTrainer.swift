import Autograd

/// The meta-training loop: each step takes a meta-batch of `B` tasks,
/// computes their `TaskGradient`s in parallel, averages them with the
/// `MetaBatchReducer` (task-index order) and applies the `MetaOptimizer`
/// with its learning rate scaled by the `LearningRateSchedule` of the step.
/// The learner's buffers (`TaskGradient.buffers`) are then set to their
/// mean over the meta-batch.
///
/// Determinism: the tasks of step `t` are indices `t*B ..< (t+1)*B` of the
/// run's seed, and task `i` gets the learner generator
/// `RandomStreams(seed).learner(task: i)`; the reduction order is fixed.
/// So the same seed gives bit-identical parameters for any thread count,
/// and resuming at step `t` needs no replay of earlier random draws.
///
/// ```swift
/// let trainer = try MetaTrainer(learner: maml, optimizer: Adam(learningRate: 1e-3), tasks: train,
///                               configuration: .init(metaBatchSize: 32, threads: 2, seed: 1))
/// var state = trainer.initialState()
/// state = try trainer.train(state, until: 60_000,
///     onStep: { report in print(report.step, report.loss, report.metric); return .proceed },
///     onCheckpoint: { state in try store.writeCheckpoint(
///         state.checkpoint(optimizerName: "adam", configJSON: json, softwareVersion: v), to: path) })
/// ```
public struct MetaTrainer: Sendable {
    /// Loop settings.
    public struct Configuration: Sendable, Equatable {
        /// Tasks per meta-step (`B`).
        public var metaBatchSize: Int
        /// Worker threads computing the tasks of a meta-batch.
        public var threads: Int
        /// The run's seed.
        public var seed: UInt64
        /// Call the checkpoint hook every this many steps (0: only at the end of `train`).
        public var checkpointInterval: Int
        /// The factor on the optimizer's learning rate at each step.
        public var learningRateSchedule: LearningRateSchedule

        public init(metaBatchSize: Int, threads: Int = 1, seed: UInt64, checkpointInterval: Int = 0,
                    learningRateSchedule: LearningRateSchedule = .constant) {
            self.metaBatchSize = metaBatchSize
            self.threads = threads
            self.seed = seed
            self.checkpointInterval = checkpointInterval
            self.learningRateSchedule = learningRateSchedule
        }
    }

    public let learner: any Learner
    public let optimizer: any MetaOptimizer
    /// The training tasks.
    public let tasks: any TaskDistribution
    public let configuration: Configuration
    /// The gradient reduction (the seam for distributed runs).
    public let reducer: MetaBatchReducer

    /// Throws `TrainingError.invalidConfiguration` for a non-positive batch
    /// size or thread count, a negative checkpoint interval or an invalid
    /// learning-rate schedule.
    public init(learner: any Learner, optimizer: any MetaOptimizer, tasks: any TaskDistribution,
                configuration: Configuration, reducer: MetaBatchReducer = MetaBatchReducer()) throws {
        guard configuration.metaBatchSize >= 1 else {
            throw TrainingError.invalidConfiguration("meta-batch size must be at least 1, got \(configuration.metaBatchSize)")
        }
        guard configuration.threads >= 1 else {
            throw TrainingError.invalidConfiguration("threads must be at least 1, got \(configuration.threads)")
        }
        guard configuration.checkpointInterval >= 0 else {
            throw TrainingError.invalidConfiguration(
                "checkpoint interval must be non-negative, got \(configuration.checkpointInterval)")
        }
        try configuration.learningRateSchedule.check()
        self.learner = learner
        self.optimizer = optimizer
        self.tasks = tasks
        self.configuration = configuration
        self.reducer = reducer
    }

    /// The state before the first step: fresh parameters from
    /// `RandomStreams(seed).initialization` and the optimizer's initial state.
    public func initialState() -> TrainingState {
        var rng = RandomStreams(seed: configuration.seed).initialization
        let parameters = learner.initialParameters(using: &rng)
        return TrainingState(parameters: parameters, optimizerState: optimizer.initialState(for: parameters),
                             seed: configuration.seed)
    }

    /// The state saved in `checkpoint`, checked against this trainer: same
    /// optimizer and seed, parameters named and shaped like the learner's,
    /// optimizer state fitting them.
    public func resume(from checkpoint: Checkpoint) throws -> TrainingState {
        guard checkpoint.optimizerName == optimizer.name else {
            throw TrainingError.optimizerMismatch(expected: optimizer.name, found: checkpoint.optimizerName)
        }
        let state = try TrainingState(checkpoint: checkpoint)
        guard state.seed == configuration.seed else {
            throw TrainingError.seedMismatch(expected: configuration.seed, found: state.seed)
        }
        var rng = RandomStreams(seed: configuration.seed).initialization
        let reference = learner.initialParameters(using: &rng)
        guard reference.names == state.parameters.names else {
            throw TrainingError.parameterMismatch("names \(state.parameters.names), expected \(reference.names)")
        }
        for (name, (a, b)) in zip(reference.names, zip(reference.tensors, state.parameters.tensors)) where a.shape != b.shape {
            throw TrainingError.parameterMismatch("'\(name)' has shape \(b.shape), expected \(a.shape)")
        }
        try optimizer.validate(state: state.optimizerState, for: state.parameters)
        return state
    }

    /// The reduced gradient of meta-batch `step` at `parameters`: tasks
    /// `step*B ..< (step+1)*B`, computed on `threads` workers.
    public func metaBatch(step: Int, parameters: ParameterSet) throws -> MetaBatchResult {
        let b = configuration.metaBatchSize
        let streams = RandomStreams(seed: configuration.seed)
        let first = step * b
        let learner = self.learner, tasks = self.tasks, seed = configuration.seed
        let width = ParallelTasks.kernelWidth(count: b, threads: configuration.threads)
        let contributions = try ParallelTasks.map(count: b, threads: configuration.threads) { offset in
            let index = first + offset
            let task = try tasks.task(at: index, seed: seed)
            var rng = streams.learner(task: index)
            return try IntraOpParallelism.withWidth(width) {
                try learner.taskGradient(for: task, parameters: parameters, using: &rng)
            }
        }
        return reducer.reduce(contributions)
    }

    /// One meta-step from `state`: the new state and its report.
    public func step(_ state: TrainingState) throws -> (TrainingState, StepReport) {
        guard state.seed == configuration.seed else {
            throw TrainingError.seedMismatch(expected: configuration.seed, found: state.seed)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let batch = try metaBatch(step: state.step, parameters: state.parameters)
        var optimizer = self.optimizer
        let factor = configuration.learningRateSchedule.multiplier(atStep: state.step)
        if factor != 1 { optimizer.learningRate *= factor }
        var (parameters, optimizerState) = optimizer.update(parameters: state.parameters, gradients: batch.gradients,
                                                            state: state.optimizerState)
        for (name, value) in batch.buffers {
            guard let current = parameters[name], current.shape == value.shape else {
                throw TrainingError.unknownBuffer(name: name, shape: value.shape)
            }
            parameters[name] = value
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        var next = state
        next.parameters = parameters
        next.optimizerState = optimizerState
        next.step = state.step + 1
        let metricName = tasks.problem.metricName
        next.metrics.append(step: next.step, ["loss": batch.loss, metricName: batch.metric, "seconds": seconds])
        return (next, StepReport(step: next.step, loss: batch.loss, metric: batch.metric, metricName: metricName,
                                 seconds: seconds))
    }

    /// Runs steps from `state.step` until `until` steps are completed (or
    /// `onStep` returns `.stop`). Calls `onCheckpoint` after every
    /// `checkpointInterval`-th step and once more after the last step if that
    /// was not a checkpoint step already.
    public func train(_ state: TrainingState, until totalSteps: Int,
                      onStep: (StepReport) throws -> TrainingControl = { _ in .proceed },
                      onCheckpoint: (TrainingState) throws -> Void = { _ in }) throws -> TrainingState {
        var current = state
        var lastCheckpoint = state.step
        let interval = configuration.checkpointInterval
        while current.step < totalSteps {
            let (next, report) = try step(current)
            current = next
            if interval > 0 && current.step % interval == 0 {
                try onCheckpoint(current)
                lastCheckpoint = current.step
            }
            if try onStep(report) == .stop { break }
        }
        if lastCheckpoint != current.step { try onCheckpoint(current) }
        return current
    }
}
