import ArgumentParser
import Autograd
import BuiltinPlugins
import Foundation
import HDF5Storage
import MetaLearning

/// `metalearn train`: meta-train one algorithm, checkpointing every N steps
/// and at the end; `--resume` continues a checkpoint to the same final
/// parameters an uninterrupted run reaches.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Meta-train an algorithm on a dataset, writing a checkpoint.",
        discussion: """
            Ctrl-C stops after the current step and leaves a valid checkpoint; continue it with \
            `metalearn train --checkpoint FILE --resume` (settings, --checkpoint-every and \
            --keep-checkpoints included, are read from the checkpoint; --steps may raise the total).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The algorithm (see `metalearn list`); read from the checkpoint with --resume.")
    var algorithm: String?

    @Option(help: "A dataset .h5 file or a generated dataset name such as sinusoid; read from the checkpoint with --resume.")
    var dataset: String?

    @Option(name: .customLong("train-split"), help: "The class split training episodes are drawn from. (default: train)")
    var trainSplitArgument: String?

    @OptionGroup var sampler: SamplerOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var algorithmOptions: AlgorithmOptions

    @Option(name: .customLong("seed"), help: "The run's seed (initialisation, tasks, inner randomness). (default: 1)")
    var seedArgument: UInt64?

    @Option(help: "The checkpoint file to write (.h5).")
    var checkpoint: String

    @Flag(help: "Continue training from the checkpoint file.")
    var resume = false

    @Flag(name: .customLong("keep-checkpoints"), inversion: .prefixedNo,
          help: ArgumentHelp("Also keep each checkpoint written as <name>-step<NNNNNN>.h5 beside it, for learning "
              + "curves (`metalearn eval --checkpoint <name>-step*.h5`); an existing file of that name is left as it is. "
              + "(default: no; with --resume, the checkpoint's)"))
    var keepCheckpointsArgument: Bool?

    func validate() throws {
        if !resume {
            guard algorithm != nil else { throw ValidationError("missing --algorithm (see `metalearn list`)") }
            guard dataset != nil else { throw ValidationError("missing --dataset (a .h5 file or a generated dataset name)") }
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        let registry = try BuiltinPlugins.makeRegistry()
        let exists = FileManager.default.fileExists(atPath: checkpoint)
        let stored: RunConfiguration?
        if resume {
            guard exists else { throw CLIError.fileNotFound(path: checkpoint, expected: "a checkpoint to resume") }
            let saved = try HDF5CheckpointStore().readCheckpoint(at: checkpoint)
            stored = try RunConfiguration.decode(saved.configJSON, checkpoint: checkpoint)
        } else {
            guard !exists else {
                throw CLIError.invalidValue(option: "--checkpoint \(checkpoint)",
                                            reason: "the file exists; add --resume to continue it, or choose another file")
            }
            stored = nil
        }
        let reference = try DatasetReference.resolve(dataset ?? stored!.dataset, registry: registry, logger: logger,
                                                     recordedIn: dataset == nil ? checkpoint : nil)
        let descriptor = try registry.algorithm(named: algorithm ?? stored!.algorithm)
        let options = try algorithmOptions.values(for: descriptor)
        let effectiveOptions = try Options(owner: "algorithm '\(descriptor.name)'", specs: descriptor.options,
                                           values: options).resolvedDictionary
        // How checkpoints are written: as given, else as the resumed run wrote them.
        let checkpointEvery = training.checkpointEveryArgument ?? stored?.checkpointEvery ?? training.checkpointEvery
        let keepCheckpoints = keepCheckpointsArgument ?? stored?.keepCheckpoints ?? false
        let requested = RunConfiguration(
            algorithm: descriptor.name,
            algorithmOptions: stored != nil && algorithmOptions.options.isEmpty ? stored!.algorithmOptions : effectiveOptions,
            dataset: reference.name, datasetIdentity: reference.identity,
            trainSplit: trainSplitArgument ?? stored?.trainSplit ?? "train",
            ways: sampler.waysArgument ?? stored?.ways ?? sampler.ways,
            shots: sampler.shotsArgument ?? stored?.shots ?? sampler.shots,
            queries: sampler.queriesArgument ?? stored?.queries ?? sampler.queries,
            steps: training.stepsArgument ?? stored?.steps ?? training.steps,
            metaBatch: training.metaBatchArgument ?? stored?.metaBatch ?? training.metaBatch,
            metaOptimizer: training.metaOptimizerArgument ?? stored?.metaOptimizer ?? training.metaOptimizer,
            metaLR: training.metaLRArgument ?? stored?.metaLR ?? training.metaLR,
            metaLRSchedule: try training.metaLRSchedule(steps: training.stepsArgument ?? stored?.steps ?? training.steps)
                ?? stored?.metaLRSchedule,
            seed: seedArgument ?? stored?.seed ?? 1,
            checkpointEvery: checkpointEvery, keepCheckpoints: keepCheckpoints)

        let session = try TrainingSession(configuration: requested, dataset: reference, registry: registry,
                                          threads: training.threads, checkpointEvery: checkpointEvery,
                                          checkpointPath: checkpoint, materializer: nil)
        let state = try session.startState(resume: resume)
        if resume {
            let writing = "a checkpoint every \(checkpointEvery) steps" + (keepCheckpoints ? ", each kept as a step copy" : "")
            logger.info("resuming \(checkpoint) at step \(state.step) of \(requested.steps); \(writing)")
        }
        var split = ""
        if case .file = reference { split = "episodes of split '\(requested.trainSplit)', " }
        let plan = "training \(requested.algorithm) on \(reference.name): \(session.trainer.tasks.problem), " + split
            + "\(requested.steps) steps, meta-batch \(requested.metaBatch), seed \(requested.seed)"
            + (requested.metaLRSchedule.map { ", meta-lr \(requested.metaLR) schedule \($0)" } ?? "")
        logger.info("\(plan)")
        logger.debug("BLAS: \(BLASKernelChoice.summary)")
        let interrupts = InterruptHandler()
        defer { interrupts.uninstall() }
        let progress = ProgressDisplay(label: requested.algorithm, unit: "step", total: requested.steps,
                                       completed: state.step, style: ProgressDisplay.style(quiet: !global.showsProgress))
        let clock = ContinuousClock(), start = clock.now
        let keeper = HDF5CheckpointStore()
        let outcome = try session.run(from: state, cancellation: interrupts.flag, progress: progress) { written in
            guard keepCheckpoints else { return }
            let copy = Self.keptCheckpointPath(checkpoint, step: written.step)
            guard !FileManager.default.fileExists(atPath: copy) else {
                logger.warning("\(copy) exists; left as it is (not replaced by step \(written.step)'s checkpoint)")
                return
            }
            try keeper.writeCheckpoint(written, to: copy)   // written atomically, as the checkpoint itself
        }
        let elapsed = clock.now - start
        guard outcome.completed else {
            throw CLIError.interrupted(detail: "\(checkpoint) holds step \(outcome.state.step) of \(requested.steps); "
                                       + "continue with `metalearn train --checkpoint \(checkpoint) --resume`")
        }
        let metric = session.trainer.tasks.problem.metricName
        let recent = Self.recentMeans(outcome.state.metrics, names: ["loss", metric], window: 10)
        var line = "trained \(requested.algorithm) to step \(outcome.state.step)"
        if outcome.startStep > 0 { line += " (resumed at \(outcome.startStep))" }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        line += " in " + (seconds < 60 ? String(format: "%.1fs", seconds) : ProgressDisplay.duration(seconds))
        if let loss = recent["loss"] { line += String(format: "; loss %.4g", loss) }
        if let m = recent[metric], !TrainingSession.repeatsLoss(m, recent["loss"] ?? .nan) {
            line += metric == "accuracy" ? String(format: ", accuracy %.1f%%", m * 100) : String(format: ", %@ %.4g", metric, m)
        }
        line += " (mean of the last steps); checkpoint \(checkpoint)"
        Console.write(line)
    }

    /// Where `--keep-checkpoints` keeps the checkpoint of `step`: `run.h5` ->
    /// `run-step001000.h5` (six digits or more, so that names sort by step).
    static func keptCheckpointPath(_ checkpoint: String, step: Int) -> String {
        let url = URL(fileURLWithPath: checkpoint)
        let ext = url.pathExtension.isEmpty ? "h5" : url.pathExtension
        let name = url.deletingPathExtension().lastPathComponent + String(format: "-step%06d.", step) + ext
        let directory = (checkpoint as NSString).deletingLastPathComponent
        return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
    }

    /// Means of the last `window` finite values of each metric.
    static func recentMeans(_ history: MetricHistory, names: [String], window: Int) -> [String: Double] {
        var result: [String: Double] = [:]
        for name in names {
            guard let column = history.columns[name] else { continue }
            let values = column.suffix(window).filter(\.isFinite)
            if !values.isEmpty { result[name] = values.reduce(0, +) / Double(values.count) }
        }
        return result
    }
}
