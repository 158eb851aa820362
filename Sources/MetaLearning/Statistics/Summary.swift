/// Summary statistics of per-episode results: count, mean, sample standard
/// deviation (n-1 denominator), standard error and a Student-t confidence
/// interval (95% by default), as few-shot papers report
/// (`mean ± 1.96·s/√n` for 600 episodes).
///
/// ```swift
/// let s = Summary([0.9, 0.95, 1.0, 0.85])
/// print(s.mean, s.confidenceInterval.halfWidth)   // 0.925, 0.1027...
/// ```
public struct Summary: Sendable, Equatable, Codable {
    /// The number of values.
    public var count: Int
    /// The arithmetic mean (NaN for no values).
    public var mean: Double
    /// The sample standard deviation (NaN for fewer than two values).
    public var standardDeviation: Double
    /// The confidence interval for the mean.
    public var confidenceInterval: ConfidenceInterval

    /// Summarises `values` with a Student-t interval at `level`.
    public init(_ values: [Double], level: Double = 0.95) {
        precondition(level > 0 && level < 1, "Summary: confidence level must lie in (0, 1), got \(level)")
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count < 2 {
            standardDeviation = .nan
            confidenceInterval = ConfidenceInterval(level: level, mean: mean, halfWidth: .nan)
            return
        }
        let m = mean
        let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        standardDeviation = (squares / Double(values.count - 1)).squareRoot()
        let t = StudentT.quantile((1 + level) / 2, degreesOfFreedom: Double(values.count - 1))
        confidenceInterval = ConfidenceInterval(level: level, mean: m,
                                                halfWidth: t * standardDeviation / Double(values.count).squareRoot())
    }

    /// The standard error of the mean, `s / sqrt(n)`.
    public var standardError: Double { standardDeviation / Double(count).squareRoot() }
}
