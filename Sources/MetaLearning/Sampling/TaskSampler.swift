/// Draws index-only episodes from a dataset, deterministically: episode `i`
/// of seed `s` is a pure function of `(i, s)` (implementations use
/// `SeededGenerator(seed: s, stream: UInt64(i))`), so any episode can be
/// regenerated on its own, in any order, on any thread, and resuming
/// training at step `t` needs no replay of earlier random draws.
///
/// ```swift
/// let sampler = try EpisodeSampler(dataset: omniglot, split: "train", ways: 5, shots: 1, queries: 15)
/// let e = sampler.episode(at: 17, seed: 1)     // the same on every call
/// print(e.classes, e.supportIndices)
/// ```
public protocol TaskSampler: Sendable {
    /// The split the classes are drawn from (`"train"`, `"test"`, ...).
    var split: String { get }
    /// Classes per episode (the maximum, for variable-way samplers).
    var ways: Int { get }
    /// Support samples per class (the maximum, for variable-shot samplers).
    var shots: Int { get }
    /// Query samples per class (the maximum, for variable samplers).
    var queries: Int { get }
    /// The number of global class ids of the dataset (`classNames.count`).
    var classCount: Int { get }
    /// Episode `index` of `seed`.
    func episode(at index: Int, seed: UInt64) -> Episode
}
