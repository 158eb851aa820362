/// A source of tasks, what the trainer and evaluator consume: task `index`
/// of `seed` is a pure function of `(index, seed)`.
///
/// Implementations: `EpisodicTasks` (fresh episodes sampled from an image
/// dataset), `CachedEpisodes` (a stored, fixed list of episodes; `index` is
/// the position in the list and `seed` is ignored), `SyntheticImageTasks`
/// (prototype-plus-noise images for fast tests) and the sinusoid plugin's
/// `SinusoidTasks`.
///
/// ```swift
/// let tasks: any TaskDistribution = try EpisodicTasks(
///     dataset: omniglot,
///     sampler: EpisodeSampler(dataset: omniglot, split: "train", ways: 5, shots: 1, queries: 15))
/// let problem = tasks.problem             // 5-way classification of 1x28x28 images
/// let task = try tasks.task(at: 42, seed: 7)
/// ```
public protocol TaskDistribution: Sendable {
    /// The problem its tasks pose (shapes, ways), for building models.
    var problem: ProblemSpec { get }
    /// Task `index` of `seed`, materialised as tensors.
    func task(at index: Int, seed: UInt64) throws -> TaskData
    /// The number of distinct tasks, or `nil` when unbounded (sampled or generated).
    var taskCount: Int? { get }
}

extension TaskDistribution {
    /// Unbounded by default.
    public var taskCount: Int? { nil }
}
