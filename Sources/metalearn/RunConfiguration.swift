import Foundation
import MetaLearning

/// Everything that defines a training run, stored as the checkpoint's
/// configuration JSON: enough to rebuild the learner for `eval`, to resume
/// training, and to refuse a resume with different settings.
struct RunConfiguration: Codable, Equatable, Sendable {
    /// Schema version of this JSON object.
    var configVersion = 1
    /// The algorithm's registry name and its effective option values (defaults included).
    var algorithm: String
    var algorithmOptions: [String: String]
    /// The dataset as given (`.h5` path or generated dataset name), and its identity
    /// (`ImageDataset.fingerprint` or `generated:<name>`).
    var dataset: String
    var datasetIdentity: String
    /// The class split episodes are drawn from (image datasets).
    var trainSplit: String
    var ways: Int
    var shots: Int
    var queries: Int
    /// Total meta-training steps asked for.
    var steps: Int
    var metaBatch: Int
    var metaOptimizer: String
    var metaLR: Double
    /// The meta learning-rate schedule in `LearningRateSchedule`'s text form
    /// (`cosine:20000`, `step:2000:0.5`); absent (older checkpoints) means constant.
    var metaLRSchedule: String?
    var seed: UInt64
    /// How `train` writes checkpoints (every N steps; keeping a
    /// `<name>-step<N>.h5` copy of each), so that `--resume` goes on as the
    /// run started. Not part of the result (not compared on resume); absent in
    /// older checkpoints and in `compare`'s runs.
    var checkpointEvery: Int?
    var keepCheckpoints: Bool?

    /// The JSON text stored in checkpoints (sorted keys, so equal configurations give equal text).
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads the configuration of a checkpoint; `path` names the file in errors.
    static func decode(_ json: String, checkpoint path: String) throws -> RunConfiguration {
        do {
            return try JSONDecoder().decode(RunConfiguration.self, from: Data(json.utf8))
        } catch {
            throw CLIError.wrongFileKind(path: path, found: "a checkpoint whose run configuration is not MetaLearn's ("
                                         + ErrorMessage.oneLine(error) + ")",
                                         expected: "a checkpoint written by `metalearn train` or `metalearn compare`")
        }
    }

    /// The settings that define the results, as strings, for comparison run
    /// records (the dataset by identity, not by path).
    var comparisonSettings: [String: String] {
        var s: [String: String] = [
            "algorithm": algorithm, "dataset": datasetIdentity, "train-split": trainSplit,
            "ways": String(ways), "shots": String(shots), "queries": String(queries), "steps": String(steps),
            "meta-batch": String(metaBatch), "meta-optimizer": metaOptimizer, "meta-lr": String(metaLR),
            "seed": String(seed),
        ]
        for (k, v) in algorithmOptions { s["option." + k] = v }
        if let schedule = metaLRSchedule, schedule != "constant" { s["meta-lr-schedule"] = schedule }
        return s
    }

    /// The first setting (other than `steps`) in which `other` differs, as
    /// (name, this value, other value); `nil` when they agree.
    func firstDifference(from other: RunConfiguration) -> (String, String, String)? {
        var mine = comparisonSettings, theirs = other.comparisonSettings
        mine["steps"] = nil; theirs["steps"] = nil
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            return (key, mine[key] ?? "(unset)", theirs[key] ?? "(unset)")
        }
        return nil
    }

    /// The parsed meta learning-rate schedule.
    func learningRateSchedule() throws -> LearningRateSchedule {
        guard let metaLRSchedule else { return .constant }
        return try LearningRateSchedule(parsing: metaLRSchedule)
    }

    /// The outer optimizer.
    func makeOptimizer() -> any MetaOptimizer {
        metaOptimizer == "sgd" ? SGD(learningRate: metaLR) : Adam(learningRate: metaLR)
    }
}
