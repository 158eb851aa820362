import Autograd

/// Everything that changes during meta-training, as a value: parameters,
/// optimizer state, completed steps, metric history and the run's seed.
/// Converts to and from a `Checkpoint` losslessly.
///
/// ```swift
/// let checkpoint = state.checkpoint(optimizerName: adam.name, configJSON: json, softwareVersion: "0.1.0")
/// try store.writeCheckpoint(checkpoint, to: "run/step-1000.h5")
/// let resumed = try TrainingState(checkpoint: store.readCheckpoint(at: "run/step-1000.h5"))
/// ```
public struct TrainingState: Sendable {
    /// Current meta-parameters.
    public var parameters: ParameterSet
    /// Current meta-optimizer state.
    public var optimizerState: OptimizerState
    /// Meta-steps completed; the next step uses tasks `step * B ..< (step + 1) * B`.
    public var step: Int
    /// One row per completed step: `loss`, the metric (`accuracy`/`mse`) and `seconds`.
    public var metrics: MetricHistory
    /// The run's seed (all random streams derive from it, see `RandomStreams`).
    public var seed: UInt64

    public init(parameters: ParameterSet, optimizerState: OptimizerState, step: Int = 0,
                metrics: MetricHistory = MetricHistory(), seed: UInt64) {
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.step = step
        self.metrics = metrics
        self.seed = seed
    }

    /// The checkpoint of this state. `rngState` holds `SeededGenerator(seed: seed).state`,
    /// from which the seed is recovered on load.
    public func checkpoint(optimizerName: String, configJSON: String, softwareVersion: String) -> Checkpoint {
        Checkpoint(parameters: zip(parameters.names, parameters.tensors).map {
                       NamedArray(name: $0, shape: $1.shape, values: $1.scalars)
                   },
                   optimizerName: optimizerName, optimizerState: optimizerState.arrays,
                   optimizerScalars: optimizerState.scalars, step: step,
                   rngState: RandomStreams(seed: seed).checkpointState, configJSON: configJSON,
                   metrics: metrics, softwareVersion: softwareVersion)
    }

    /// Restores a state from `checkpoint`; throws `TrainingError.invalidRNGState`
    /// if its `rngState` is not a seeded generator's state.
    public init(checkpoint: Checkpoint) throws {
        guard let streams = RandomStreams(checkpointState: checkpoint.rngState) else {
            throw TrainingError.invalidRNGState(checkpoint.rngState)
        }
        parameters = ParameterSet(checkpoint.parameters.map { ($0.name, Tensor(shape: $0.shape, scalars: $0.values)) })
        optimizerState = OptimizerState(arrays: checkpoint.optimizerState, scalars: checkpoint.optimizerScalars)
        step = checkpoint.step
        metrics = checkpoint.metrics
        seed = streams.seed
    }
}
