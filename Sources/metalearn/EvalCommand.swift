import ArgumentParser
import BuiltinPlugins
import Foundation
import HDF5Storage
import Logging
import MetaLearning

/// `metalearn eval`: score a checkpoint on stored episodes: accuracy (or MSE
/// for regression) with its 95% confidence interval.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on an episode cache: mean accuracy (or MSE) with a 95% confidence interval.")

    @OptionGroup var global: GlobalOptions

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("The checkpoint to evaluate (.h5), or several, each on the same episodes "
                + "(a learning curve: `--checkpoint run-step*.h5` from `train --keep-checkpoints`)."))
    var checkpoint: [String] = []

    @Option(help: "The episode cache (.h5) built by `metalearn episodes`; not needed for generated datasets.")
    var episodes: String?

    @Option(help: "The dataset file the episodes index into (default: the one recorded in the checkpoint).")
    var dataset: String?

    @Option(help: "Generated datasets only: number of evaluation tasks.")
    var count = 600

    @Option(help: "Generated datasets only: seed of the evaluation tasks.")
    var seed: UInt64 = 1

    @Option(help: "Output format: text, json or csv.")
    var format: OutputFormat = .text

    @Option(help: "Worker threads (results do not depend on it).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    /// Evaluation-time overrides of the checkpoint's algorithm options (for
    /// example `-o eval-inner-steps=10`); options that change the parameters'
    /// shapes are refused by the checkpoint check.
    @OptionGroup var algorithmOptions: AlgorithmOptions

    func validate() throws {
        guard !checkpoint.isEmpty else { throw ValidationError("missing --checkpoint (the .h5 file to evaluate)") }
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be in 1...1000000, got \(count)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        let logger = global.makeLogger()
        // A missing episode cache is reported before any checkpoint or dataset is read,
        // so the message names it rather than whatever else is also out of place.
        if let episodes, !FileManager.default.fileExists(atPath: episodes) {
            throw CLIError.fileNotFound(path: episodes, expected: "an episode cache built by `metalearn episodes`")
        }
        let registry = try BuiltinPlugins.makeRegistry()
        let interrupts = InterruptHandler()
        defer { interrupts.uninstall() }
        let evaluated = try checkpoint.map { path in
            try evaluate(path, registry: registry, logger: logger, cancellation: interrupts.flag)
        }
        Console.write(try Self.render(evaluated, format: format))
    }

    /// One checkpoint's result on the episodes.
    private func evaluate(_ checkpoint: String, registry: PluginRegistry, logger: Logger,
                          cancellation: CancellationFlag) throws -> Evaluated {
        let saved = try HDF5CheckpointStore().readCheckpoint(at: checkpoint)
        var config = try RunConfiguration.decode(saved.configJSON, checkpoint: checkpoint)
        let overrides = try algorithmOptions.values(for: registry.algorithm(named: config.algorithm))
        config.algorithmOptions.merge(overrides) { _, new in new }
        let reference = try DatasetReference.resolve(dataset ?? config.dataset, registry: registry, logger: logger,
                                                     recordedIn: dataset == nil ? checkpoint : nil)
        let session: EvaluationSession
        switch reference {
        case .file(let path, let images):
            guard let episodes else {
                throw ValidationError("--episodes is required for image datasets (build one with `metalearn episodes`)")
            }
            let cache = try HDF5EpisodeStore().readEpisodes(at: episodes, expectedFingerprint: images.fingerprint)
            logger.debug("dataset \(path), episodes \(episodes)")
            session = try EvaluationSession(cache: cache, path: episodes, dataset: images, materializer: nil)
        case .generated(let descriptor):
            if let episodes {
                throw CLIError.invalidValue(option: "--episodes \(episodes)",
                                            reason: "\(descriptor.name) is generated; use --count and --seed instead")
            }
            session = try EvaluationSession(generated: descriptor, shots: config.shots, queries: config.queries,
                                            count: count, seed: seed)
        }
        let state = try TrainingState(checkpoint: saved)
        let learner = try session.learner(for: config, parameters: state.parameters, registry: registry,
                                          checkpointPath: checkpoint)
        let progress = ProgressDisplay(label: "eval", unit: "episode", total: session.indices.count,
                                       style: ProgressDisplay.style(quiet: !global.showsProgress))
        let result = try session.evaluate(learner, parameters: state.parameters, threads: threads, progress: progress,
                                          cancellation: cancellation)
        return Evaluated(result: result, checkpoint: checkpoint, config: config, step: state.step, session: session,
                         overrides: overrides)
    }

    /// One checkpoint's evaluation and what its report names.
    struct Evaluated {
        var result: EvaluationResult
        var checkpoint: String
        var config: RunConfiguration
        var step: Int
        var session: EvaluationSession
        /// The `-o` options that replaced the checkpoint's.
        var overrides: [String: String] = [:]
    }

    /// The results in the requested format: text blocks one after another, one CSV
    /// header with a row per checkpoint, a JSON object (an array of them when several).
    static func render(_ items: [Evaluated], format: OutputFormat) throws -> String {
        switch format {
        case .text:
            return items.map(textBlock).joined(separator: "\n\n")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let reports = items.map(report)
            let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
            return String(decoding: data, as: UTF8.self)
        case .csv:
            return (["checkpoint,algorithm,step,seed,episodes,metric,count,mean,std,ci95_half_width,ci95_lower,ci95_upper,"
                     + "option_overrides"] + items.map(csvRow)).joined(separator: "\n")
        }
    }

    private static func overrideText(_ e: Evaluated) -> String {
        e.overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private static func textBlock(_ e: Evaluated) -> String {
        let (r, s) = (e.result, e.result.summary)
        let ci = s.confidenceInterval
        let value = r.metricName == "accuracy"
            ? String(format: "%.2f%% ± %.2f%%", s.mean * 100, ci.halfWidth * 100)
            : String(format: "%.4g ± %.2g", s.mean, ci.halfWidth)
        var lines = ["checkpoint: \(e.checkpoint) (\(e.config.algorithm), step \(e.step), seed \(e.config.seed))",
                     "episodes:   \(e.session.source): \(e.session.description)"]
        if !e.overrides.isEmpty { lines.append("options:    \(overrideText(e)) (overriding the checkpoint's)") }
        lines.append("\(r.metricName): \(value) (\(Int(ci.level * 100))% confidence interval over \(s.count) episodes)")
        return lines.joined(separator: "\n")
    }

    private static func report(_ e: Evaluated) -> EvalReport {
        let (r, s) = (e.result, e.result.summary)
        let ci = s.confidenceInterval
        func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
        return EvalReport(checkpoint: e.checkpoint, algorithm: e.config.algorithm, step: e.step, seed: e.config.seed,
                          episodes: e.session.source, episodesDescription: e.session.description,
                          metric: r.metricName, count: s.count, mean: finite(s.mean),
                          standardDeviation: finite(s.standardDeviation), confidenceLevel: ci.level,
                          ciHalfWidth: finite(ci.halfWidth), ciLower: finite(ci.lower), ciUpper: finite(ci.upper),
                          seconds: r.seconds, optionOverrides: e.overrides, perEpisode: r.perEpisode.map(finite))
    }

    private static func csvRow(_ e: Evaluated) -> String {
        let (r, s) = (e.result, e.result.summary)
        let ci = s.confidenceInterval
        func n(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }
        return [csvField(e.checkpoint), e.config.algorithm, "\(e.step)", "\(e.config.seed)", csvField(e.session.source),
                r.metricName, "\(s.count)", n(s.mean), n(s.standardDeviation), n(ci.halfWidth), n(ci.lower),
                n(ci.upper), csvField(overrideText(e))].joined(separator: ",")
    }

    private static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// The JSON shape of `eval --format json`.
    struct EvalReport: Encodable {
        var checkpoint: String
        var algorithm: String
        var step: Int
        var seed: UInt64
        var episodes: String
        var episodesDescription: String
        var metric: String
        var count: Int
        /// `nil` (JSON null) when not finite, as for a diverged regression.
        var mean: Double?
        var standardDeviation: Double?
        var confidenceLevel: Double
        var ciHalfWidth: Double?
        var ciLower: Double?
        var ciUpper: Double?
        var seconds: Double
        /// `-o` options that replaced the checkpoint's (empty when none).
        var optionOverrides: [String: String]
        /// Per-episode values; `nil` (JSON null) where not finite.
        var perEpisode: [Double?]
    }
}
