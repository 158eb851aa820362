import Autograd
import Foundation
import HDF5Storage
import MetaLearning

/// One training run as the CLI performs it (for `train` and for each run of
/// `compare`): builds the learner, optimizer and trainer from a
/// `RunConfiguration`, starts fresh or resumes from the checkpoint file,
/// writes the checkpoint every `checkpointEvery` steps and at the end, and
/// stops at a step boundary (checkpoint written) when cancelled.
///
/// Because the trainer draws the tasks of step `t` from `(seed, t)` alone and
/// the checkpoint holds parameters and optimizer state exactly, a resumed run
/// ends with bit-identical parameters to an uninterrupted one.
struct TrainingSession {
    /// What a session ended with.
    struct Outcome {
        /// The final state (after the last completed step).
        var state: TrainingState
        /// Whether all `configuration.steps` steps are done.
        var completed: Bool
        /// The step training started from (0, or the checkpoint's step on resume).
        var startStep: Int
    }

    let configuration: RunConfiguration
    let checkpointPath: String
    let trainer: MetaTrainer
    private let store = HDF5CheckpointStore()

    /// Builds the learner and trainer; throws for unknown algorithms, bad
    /// options, unsupported problems or a sampler that cannot draw episodes.
    init(configuration: RunConfiguration, dataset: DatasetReference, registry: PluginRegistry, threads: Int,
         checkpointEvery: Int, checkpointPath: String, materializer: EpisodeMaterializer?) throws {
        let tasks = try dataset.trainingTasks(split: configuration.trainSplit, ways: configuration.ways,
                                              shots: configuration.shots, queries: configuration.queries,
                                              materializer: materializer)
        let learner = try registry.algorithm(named: configuration.algorithm)
            .makeLearner(problem: tasks.problem, options: configuration.algorithmOptions)
        self.configuration = configuration
        self.checkpointPath = checkpointPath
        self.trainer = try MetaTrainer(
            learner: learner, optimizer: configuration.makeOptimizer(), tasks: tasks,
            configuration: .init(metaBatchSize: configuration.metaBatch, threads: threads, seed: configuration.seed,
                                 checkpointInterval: checkpointEvery,
                                 learningRateSchedule: configuration.learningRateSchedule()))
    }

    /// The state to start from: the checkpoint's (checked against this
    /// configuration) when `resume` is set and the file exists, else fresh.
    func startState(resume: Bool) throws -> TrainingState {
        guard resume, FileManager.default.fileExists(atPath: checkpointPath) else { return trainer.initialState() }
        let checkpoint = try store.readCheckpoint(at: checkpointPath)
        let stored = try RunConfiguration.decode(checkpoint.configJSON, checkpoint: checkpointPath)
        if let (setting, requested, recorded) = configuration.firstDifference(from: stored) {
            throw CLIError.settingsMismatch(path: checkpointPath, setting: setting, stored: recorded, requested: requested)
        }
        do {
            return try trainer.resume(from: checkpoint)
        } catch let error as TrainingError {
            throw CLIError.wrongFileKind(path: checkpointPath, found: "a checkpoint that does not fit this run ("
                                         + error.description + ")", expected: "a checkpoint of this algorithm and seed")
        }
    }

    /// Trains from `state` to `configuration.steps`, or until `cancellation` is set.
    /// - Parameter checkpointed: called after each checkpoint write with what was written.
    func run(from state: TrainingState, cancellation: CancellationFlag, progress: ProgressDisplay?,
             checkpointed: (Checkpoint) throws -> Void = { _ in }) throws -> Outcome {
        let start = state.step
        guard state.step < configuration.steps else {
            return Outcome(state: state, completed: true, startStep: start)
        }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: checkpointPath).deletingLastPathComponent(), withIntermediateDirectories: true)
        let json = try configuration.json()
        let optimizerName = trainer.optimizer.name
        let final = try trainer.train(state, until: configuration.steps, onStep: { report in
            guard report.loss.isFinite else {
                throw CLIError.diverged(step: report.step, detail: "the meta-batch loss is \(report.loss)")
            }
            var shown = [("loss", report.loss)]
            if !Self.repeatsLoss(report.metric, report.loss) { shown.append((report.metricName, report.metric)) }
            progress?.update(completed: report.step, values: shown)
            return cancellation.isCancelled ? .stop : .proceed
        }, onCheckpoint: { current in
            if let bad = current.parameters.first(where: { !$0.tensor.scalars.allSatisfy(\.isFinite) }) {
                throw CLIError.diverged(step: current.step, detail: "parameter '\(bad.name)' is not finite")
            }
            let checkpoint = current.checkpoint(optimizerName: optimizerName, configJSON: json,
                                                softwareVersion: MetaLearnVersion.string)
            try store.writeCheckpoint(checkpoint, to: checkpointPath)
            try checkpointed(checkpoint)
        })
        progress?.finish()
        return Outcome(state: final, completed: final.step >= configuration.steps, startStep: start)
    }

    /// Whether a metric only repeats the loss (regression: the MSE is the loss,
    /// up to Float-versus-Double rounding), so it need not be shown twice.
    static func repeatsLoss(_ metric: Double, _ loss: Double) -> Bool {
        abs(metric - loss) <= 1e-5 * max(1, abs(loss))
    }
}
