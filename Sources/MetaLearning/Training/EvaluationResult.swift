/// The result of evaluating a learner on a set of episodes: the metric of
/// each episode (kept for paired comparisons) and their summary.
public struct EvaluationResult: Sendable, Equatable {
    /// `"accuracy"` or `"mse"`.
    public var metricName: String
    /// The task indices evaluated, in order.
    public var indices: [Int]
    /// The metric of each task, aligned with `indices`.
    public var perEpisode: [Double]
    /// Mean, standard deviation and 95% confidence interval of `perEpisode`.
    public var summary: Summary
    /// Wall-clock seconds of the evaluation.
    public var seconds: Double

    public init(metricName: String, indices: [Int], perEpisode: [Double], summary: Summary, seconds: Double) {
        self.metricName = metricName
        self.indices = indices
        self.perEpisode = perEpisode
        self.summary = summary
        self.seconds = seconds
    }
}
