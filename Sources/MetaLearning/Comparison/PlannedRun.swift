/// One training run of a comparison: an algorithm with a seed, and where its
/// files live (`<output>/runs/<algorithm>-seed<k>/`).
public struct PlannedRun: Sendable, Hashable {
    /// The algorithm's registry name, such as `"maml"`.
    public var algorithm: String
    /// The training seed.
    public var seed: UInt64
    /// The run's folder.
    public var directory: String

    /// Creates a run description rooted in `runsDirectory`.
    public init(algorithm: String, seed: UInt64, runsDirectory: String) {
        self.algorithm = algorithm
        self.seed = seed
        self.directory = runsDirectory + "/" + "\(algorithm)-seed\(seed)"
    }

    /// A short name for messages and logs: `maml-seed1`.
    public var name: String { "\(algorithm)-seed\(seed)" }
    /// The run's checkpoint file, written during training and found again on resume.
    public var checkpointPath: String { directory + "/checkpoint.h5" }
    /// The run's record (`run.json`): status, timings, peak memory, per-episode results.
    public var recordPath: String { directory + "/run.json" }
}
