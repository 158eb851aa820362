/// A two-sided confidence interval for a mean: `mean ± halfWidth`.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    /// The confidence level, such as 0.95.
    public var level: Double
    /// The sample mean, the interval's centre.
    public var mean: Double
    /// Half the interval's width; NaN when fewer than two values were given.
    public var halfWidth: Double

    public init(level: Double, mean: Double, halfWidth: Double) {
        self.level = level
        self.mean = mean
        self.halfWidth = halfWidth
    }

    /// The Student-t interval for the mean of `values`:
    /// `t_{(1+level)/2, n-1} * s / sqrt(n)` with `s` the sample standard deviation.
    public init(values: [Double], level: Double = 0.95) {
        let summary = Summary(values, level: level)
        self = summary.confidenceInterval
    }

    /// `mean - halfWidth`.
    public var lower: Double { mean - halfWidth }
    /// `mean + halfWidth`.
    public var upper: Double { mean + halfWidth }
    /// Whether `value` lies inside the closed interval.
    public func contains(_ value: Double) -> Bool { value >= lower && value <= upper }
}
