import ArgumentParser
import Autograd
import BuiltinPlugins
import Foundation
import HDF5Storage
import Logging
import MetaLearning

/// `metalearn compare`: train every algorithm with every seed, evaluate all
/// on the same episodes, and write the tables and plots. Finished runs are
/// skipped when the command is run again, so an interrupted comparison resumes.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train and evaluate several algorithms x seeds on the same episodes; write tables and plots.",
        discussion: """
            Writes <output>/results.md (also printed), results.csv, results.json, training-*.svg and \
            final-*.svg, and one folder per run under <output>/runs/ (checkpoint.h5, run.json). \
            Run the same command again to resume an interrupted comparison; finished runs are skipped. \
            Algorithm options: -o key=value applies to every compared algorithm declaring key; \
            -o maml.key=value to one.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Comma-separated algorithm names, such as maml,fomaml,reptile,protonet.")
    var algorithms: String

    @Option(help: "A dataset .h5 file or a generated dataset name such as sinusoid.")
    var dataset: String

    @OptionGroup var sampler: SamplerOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var algorithmOptions: AlgorithmOptions

    @Option(help: "Seeds per algorithm: runs use seeds 1...N.")
    var seeds = 3

    @Option(name: .customLong("train-split"), help: "The class split training episodes are drawn from.")
    var trainSplit = "train"

    @Option(name: .customLong("eval-split"), help: "The class split of the evaluation episodes.")
    var evalSplit = "test"

    @Option(help: "The episode cache to evaluate on; built there if absent (default: <output>/episodes.h5).")
    var episodes: String?

    @Option(name: .customLong("eval-count"), help: "Evaluation episodes (when the cache is built, or for generated datasets).")
    var evalCount = 600

    @Option(name: .customLong("eval-seed"), help: "Seed of the evaluation episodes.")
    var evalSeed: UInt64 = 1

    @Option(help: "The comparison's output folder.")
    var output: String

    @Option(name: .customLong("meta-lr-for"),
            help: ArgumentHelp("An algorithm's own outer learning rate, NAME=LR (repeatable), such as reptile=1.",
                               valueName: "name=lr"))
    var metaLRFor: [String] = []

    @Option(name: .customLong("meta-optimizer-for"),
            help: ArgumentHelp("An algorithm's own outer optimizer, NAME=adam|sgd (repeatable), such as reptile=sgd.",
                               valueName: "name=optimizer"))
    var metaOptimizerFor: [String] = []

    /// `--meta-lr-for` as a dictionary (checked in `validate`).
    var metaLROverrides: [String: Double] {
        Dictionary(metaLRFor.compactMap(Self.pair).map { ($0.0, Double($0.1) ?? .nan) }, uniquingKeysWith: { _, b in b })
    }

    /// `--meta-optimizer-for` as a dictionary.
    var metaOptimizerOverrides: [String: String] {
        Dictionary(metaOptimizerFor.compactMap(Self.pair), uniquingKeysWith: { _, b in b })
    }

    private static func pair(_ text: String) -> (String, String)? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        return name.isEmpty || value.isEmpty ? nil : (name, value)
    }

    var algorithmNames: [String] {
        algorithms.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard !algorithmNames.isEmpty else { throw ValidationError("--algorithms is empty; give names such as maml,protonet") }
        guard Set(algorithmNames).count == algorithmNames.count else {
            throw ValidationError("--algorithms lists a name twice: \(algorithms)")
        }
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1...100, got \(seeds)") }
        guard (1...1_000_000).contains(evalCount) else {
            throw ValidationError("--eval-count must be in 1...1000000, got \(evalCount)")
        }
        for (option, values) in [("--meta-lr-for", metaLRFor), ("--meta-optimizer-for", metaOptimizerFor)] {
            for text in values {
                guard let (name, value) = Self.pair(text) else {
                    throw ValidationError("\(option) must be NAME=VALUE, got '\(text)'")
                }
                guard algorithmNames.contains(name) else {
                    throw ValidationError("\(option) \(text): '\(name)' is not one of --algorithms")
                }
                if option == "--meta-lr-for" {
                    guard let lr = Double(value), lr.isFinite, lr > 0 else {
                        throw ValidationError("\(option) \(text): the learning rate must be a positive number")
                    }
                } else if !["adam", "sgd"].contains(value) {
                    throw ValidationError("\(option) \(text): the optimizer must be adam or sgd")
                }
            }
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        let registry = try BuiltinPlugins.makeRegistry()
        let descriptors = try algorithmNames.map { try registry.algorithm(named: $0) }
        let optionValues = try algorithmOptions.values(for: descriptors)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError.wrongFileKind(path: output, found: "a file", expected: "a folder for --output")
        }
        let plan = try ComparisonPlan(algorithms: algorithmNames, seeds: (1...seeds).map { UInt64($0) },
                                      outputDirectory: output)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)

        let reference = try DatasetReference.resolve(dataset, registry: registry, logger: logger)
        var materializer: EpisodeMaterializer?
        let evaluation: EvaluationSession
        switch reference {
        case .file(_, let images):
            let shared = try EpisodeMaterializer(dataset: images)
            materializer = shared
            let (cache, path) = try episodeCache(for: images, logger: logger)
            evaluation = try EvaluationSession(cache: cache, path: path, dataset: images, materializer: shared)
        case .generated(let descriptor):
            if let episodes {
                throw CLIError.invalidValue(option: "--episodes \(episodes)",
                                            reason: "\(descriptor.name) is generated; use --eval-count and --eval-seed")
            }
            evaluation = try EvaluationSession(generated: descriptor, shots: sampler.shots, queries: sampler.queries,
                                               count: evalCount, seed: evalSeed)
        }
        let intro = "comparing \(plan.algorithms.joined(separator: ", ")) x \(seeds) seed\(seeds == 1 ? "" : "s") "
            + "on \(reference.name); evaluation: \(evaluation.description)"
        logger.info("\(intro)")

        func configuration(_ run: PlannedRun) throws -> RunConfiguration {
            let descriptor = descriptors.first { $0.name == run.algorithm }!
            let effective = try Options(owner: "algorithm '\(descriptor.name)'", specs: descriptor.options,
                                        values: optionValues[descriptor.name] ?? [:]).resolvedDictionary
            return RunConfiguration(algorithm: run.algorithm, algorithmOptions: effective, dataset: reference.name,
                                    datasetIdentity: reference.identity, trainSplit: trainSplit, ways: sampler.ways,
                                    shots: sampler.shots, queries: sampler.queries, steps: training.steps,
                                    metaBatch: training.metaBatch,
                                    metaOptimizer: metaOptimizerOverrides[run.algorithm] ?? training.metaOptimizer,
                                    metaLR: metaLROverrides[run.algorithm] ?? training.metaLR,
                                    metaLRSchedule: try training.metaLRSchedule(steps: training.steps), seed: run.seed)
        }

        let interrupts = InterruptHandler()
        defer { interrupts.uninstall() }
        let style = ProgressDisplay.style(quiet: !global.showsProgress)
        let runner = ComparisonRunner(plan: plan, logger: logger, cancellation: interrupts.flag)
        let evalSource = evaluation.source
        let records = try runner.run(
            configuration: { run in
                var settings = try configuration(run).comparisonSettings
                settings["evaluation"] = evalSource + " (" + evaluation.description + ")"
                return settings
            },
            train: { run, checkpointed in
                let config = try configuration(run)
                let session = try TrainingSession(configuration: config, dataset: reference, registry: registry,
                                                  threads: training.threads, checkpointEvery: training.checkpointEvery,
                                                  checkpointPath: run.checkpointPath, materializer: materializer)
                let state = try session.startState(resume: true)
                let progress = ProgressDisplay(label: run.name, unit: "step", total: config.steps,
                                               completed: state.step, style: style)
                let outcome = try session.run(from: state, cancellation: interrupts.flag, progress: progress,
                                              checkpointed: { try checkpointed($0.step) })
                return TrainingOutcome(stepsCompleted: outcome.state.step, curve: Self.curve(outcome.state.metrics),
                                       completed: outcome.completed)
            },
            evaluate: { run in
                let saved = try HDF5CheckpointStore().readCheckpoint(at: run.checkpointPath)
                let config = try RunConfiguration.decode(saved.configJSON, checkpoint: run.checkpointPath)
                let state = try TrainingState(checkpoint: saved)
                let learner = try evaluation.learner(for: config, parameters: state.parameters, registry: registry,
                                                     checkpointPath: run.checkpointPath)
                let progress = ProgressDisplay(label: run.name + " eval", unit: "episode",
                                               total: evaluation.indices.count, style: style)
                let result = try evaluation.evaluate(learner, parameters: state.parameters, threads: training.threads,
                                                     progress: progress, cancellation: interrupts.flag)
                let problem = evaluation.tasks.problem
                return EvaluationOutcome(metric: result.metricName, higherIsBetter: problem.higherMetricIsBetter,
                                         values: result.perEpisode)
            })

        var settings: [String: String] = [
            "dataset": reference.name, "steps": String(training.steps), "meta-batch": String(training.metaBatch),
            "evaluation": evaluation.description,
        ]
        if case .file = reference {
            settings["ways"] = String(sampler.ways)
            settings["train split"] = trainSplit
        }
        var outer = "\(training.metaOptimizer) lr \(training.metaLR)"
        let special = plan.algorithms.filter { metaLROverrides[$0] != nil || metaOptimizerOverrides[$0] != nil }
        if !special.isEmpty {
            outer += " (" + special.map { name in
                "\(name): \(metaOptimizerOverrides[name] ?? training.metaOptimizer) lr \(metaLROverrides[name] ?? training.metaLR)"
            }.joined(separator: ", ") + ")"
        }
        settings["meta-optimizer"] = outer
        if let schedule = try training.metaLRSchedule(steps: training.steps) { settings["meta-lr schedule"] = schedule }
        settings["shots"] = String(sampler.shots)
        settings["queries"] = String(sampler.queries)
        settings["BLAS"] = BLASKernelChoice.summary
        let summary = try ComparisonSummary(plan: plan, records: records, settings: settings)
        let files = try ComparisonReport.write(summary, plan: plan)
        let written = files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
        logger.info("wrote \(written) to \(output)")
        Console.write(ResultsTable.markdown(summary))
    }

    /// The evaluation episodes: `--episodes` (or `<output>/episodes.h5`) when
    /// it exists, checked to be of this dataset and sampler; otherwise built and written there.
    private func episodeCache(for images: ImageDataset, logger: Logger) throws -> (EpisodeSet, String) {
        let path = episodes ?? (output + "/episodes.h5")
        let store = HDF5EpisodeStore()
        if FileManager.default.fileExists(atPath: path) {
            let cache = try store.readEpisodes(at: path, expectedFingerprint: images.fingerprint)
            let wanted = (sampler.ways, sampler.shots, sampler.queries)
            guard (cache.ways, cache.shots, cache.queries) == wanted else {
                throw CLIError.settingsMismatch(
                    path: path, setting: "ways/shots/queries", stored: "\(cache.ways)/\(cache.shots)/\(cache.queries)",
                    requested: "\(wanted.0)/\(wanted.1)/\(wanted.2)")
            }
            logger.info("evaluation episodes: \(path) (\(DatasetSummary.line(cache)))")
            return (cache, path)
        }
        let cache = try EpisodeCacheBuilder(count: evalCount, seed: evalSeed)
            .build(dataset: images, split: DatasetReference.splitArgument(evalSplit, in: images),
                   ways: sampler.ways, shots: sampler.shots, queries: sampler.queries)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try store.writeEpisodes(cache, to: path)
        logger.info("built evaluation episodes: \(path) (\(DatasetSummary.line(cache)))")
        return (cache, path)
    }

    /// The training curve recorded in run records: loss and metric, averaged
    /// over windows so that long runs stay small (at most ~200 points).
    static func curve(_ history: MetricHistory) -> TrainingCurve {
        let n = history.steps.count
        let window = max(1, Int((Double(n) / 200).rounded(.up)))
        // Regression's metric (MSE) repeats the loss: keep one of them.
        let loss = history.columns["loss"]
        let kept = history.columns.filter { name, values in
            guard name != "seconds" else { return false }
            guard name != "loss", let loss, loss.count == values.count else { return true }
            return !zip(values, loss).allSatisfy { TrainingSession.repeatsLoss($0, $1) }
        }
        var curve = TrainingCurve()
        var start = 0
        while start < n {
            let end = min(n, start + window)
            curve.steps.append(history.steps[end - 1])
            for (name, values) in kept {
                let slice = values[start..<end].filter(\.isFinite)
                curve.columns[name, default: []].append(slice.isEmpty ? .nan : slice.reduce(0, +) / Double(slice.count))
            }
            start = end
        }
        return curve
    }
}
