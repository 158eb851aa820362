/// What a comparison's evaluation step reports back for one run: one metric
/// value per cached episode.
public struct EvaluationOutcome: Sendable, Equatable {
    /// The metric's name: `"accuracy"` (a fraction in 0...1) or `"mse"`.
    public var metric: String
    /// Whether larger values are better.
    public var higherIsBetter: Bool
    /// One value per episode, in the cache's order.
    public var values: [Double]

    public init(metric: String, higherIsBetter: Bool, values: [Double]) {
        self.metric = metric
        self.higherIsBetter = higherIsBetter
        self.values = values
    }
}
