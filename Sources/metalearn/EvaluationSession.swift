import Autograd
import Foundation
import HDF5Storage
import MetaLearning

/// Evaluation as the CLI performs it (for `eval` and each run of `compare`):
/// the fixed evaluation tasks, a learner rebuilt from a checkpoint's
/// configuration, and a chunked `Evaluator` pass with progress and Ctrl-C
/// checks between chunks. Results do not depend on chunking or threads.
struct EvaluationSession {
    /// The tasks every model is scored on.
    let tasks: any TaskDistribution
    /// Task indices (all cached episodes, or `0..<count` of a generated distribution).
    let indices: Range<Int>
    /// Seed of generated tasks and of the learner's evaluation streams.
    let seed: UInt64
    /// A description for output (`omniglot test, 5-way 1-shot, 15 queries, 600 episodes`).
    let description: String
    /// Where the episodes come from (a cache file path, or `sinusoid seed 1`).
    let source: String

    /// Stored episodes of an image dataset.
    init(cache: EpisodeSet, path: String, dataset: ImageDataset, materializer: EpisodeMaterializer?) throws {
        tasks = try CachedEpisodes(materializer: materializer ?? EpisodeMaterializer(dataset: dataset), episodes: cache)
        indices = 0..<cache.episodes.count
        seed = cache.seed
        description = "\(cache.datasetName) \(cache.split), \(cache.ways)-way \(cache.shots)-shot, "
            + "\(cache.queries) queries, \(cache.episodes.count) episodes"
        source = path
    }

    /// Tasks `0..<count` of seed `seed` of a generated dataset.
    init(generated descriptor: DatasetDescriptor, shots: Int, queries: Int, count: Int, seed: UInt64) throws {
        tasks = try descriptor.makeTasks(options: DatasetReference.generatorOptions(descriptor, shots: shots, queries: queries),
                                         seed: 0)
        indices = 0..<count
        self.seed = seed
        description = "\(descriptor.name), \(shots)-shot, \(queries) queries, \(count) tasks of seed \(seed)"
        source = "\(descriptor.name) seed \(seed)"
    }

    /// The learner of `configuration` for these tasks, with the checkpoint's
    /// parameters checked to fit it (names and shapes).
    func learner(for configuration: RunConfiguration, parameters: ParameterSet, registry: PluginRegistry,
                 checkpointPath: String) throws -> any Learner {
        let learner = try registry.algorithm(named: configuration.algorithm)
            .makeLearner(problem: tasks.problem, options: configuration.algorithmOptions)
        var rng = RandomStreams(seed: configuration.seed).initialization
        let reference = learner.initialParameters(using: &rng)
        guard reference.names == parameters.names else {
            throw CLIError.wrongFileKind(
                path: checkpointPath,
                found: "a checkpoint whose \(parameters.count) parameters "
                    + Self.nameDifference(found: parameters.names, expected: reference.names),
                expected: "the \(reference.count) parameters of \(configuration.algorithm) with options "
                    + configuration.algorithmOptions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: " "))
        }
        for ((name, a), b) in zip(zip(reference.names, reference.tensors), parameters.tensors) where a.shape != b.shape {
            throw CLIError.wrongFileKind(
                path: checkpointPath, found: "a checkpoint whose '\(name)' has shape \(b.shape)",
                expected: "shape \(a.shape) for \(tasks.problem) (trained for \(configuration.ways)-way?)")
        }
        return learner
    }

    /// How `found` differs from `expected`: the names missing and the names
    /// not expected (the first three of each), or else the first position
    /// where the order differs.
    static func nameDifference(found: [String], expected: [String]) -> String {
        func list(_ names: [String]) -> String {
            names.prefix(3).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 3 ? " (+\(names.count - 3) more)" : "")
        }
        let foundSet = Set(found), expectedSet = Set(expected)
        let missing = expected.filter { !foundSet.contains($0) }
        let extra = found.filter { !expectedSet.contains($0) }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("lack \(list(missing))") }
        if !extra.isEmpty { parts.append("have unexpected \(list(extra))") }
        if parts.isEmpty, let i = found.indices.first(where: { found[$0] != expected[$0] }) {
            parts.append("are in another order (position \(i): '\(found[i])', expected '\(expected[i])')")
        }
        return parts.joined(separator: " and ")
    }

    /// Scores `learner` on every task, `chunk` tasks at a time.
    func evaluate(_ learner: any Learner, parameters: ParameterSet, threads: Int, progress: ProgressDisplay?,
                  cancellation: CancellationFlag?) throws -> EvaluationResult {
        let evaluator = Evaluator(threads: threads, seed: seed)
        let chunk = max(16, threads * 8)
        let clock = ContinuousClock(), start = clock.now
        var values: [Double] = []
        values.reserveCapacity(indices.count)
        var low = indices.lowerBound
        while low < indices.upperBound {
            if cancellation?.isCancelled == true {
                throw CLIError.interrupted(detail: "evaluation stopped after \(values.count) of \(indices.count) episodes")
            }
            let high = min(indices.upperBound, low + chunk)
            let part = try evaluator.evaluate(learner, parameters: parameters, on: tasks, indices: low..<high)
            values += part.perEpisode
            progress?.update(completed: values.count)
            low = high
        }
        progress?.finish()
        let elapsed = clock.now - start
        return EvaluationResult(metricName: tasks.problem.metricName, indices: Array(indices), perEpisode: values,
                                summary: Summary(values),
                                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}
