/// The distributions behind the comparison statistics: Student's t quantiles
/// for confidence intervals of means estimated from few samples (with
/// non-integer Satterthwaite degrees of freedom), and F tail probabilities for
/// deciding whether a variance component is worth keeping. Both come from the
/// core's `StudentT` (regularised incomplete beta function).
enum Distributions {
    /// The two-sided critical value `t` with `P(|T| <= t) = confidence` for
    /// `degreesOfFreedom` (> 0, not necessarily an integer).
    static func criticalValue(confidence: Double, degreesOfFreedom df: Double) -> Double {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        precondition(df > 0, "degrees of freedom must be positive")
        return StudentT.quantile(0.5 + confidence / 2, degreesOfFreedom: df)
    }

    /// `P(F > f)` for an F distribution with `d1` and `d2` degrees of freedom.
    static func fSurvival(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
        guard f > 0 else { return 1 }
        return 1 - StudentT.regularizedIncompleteBeta(d1 * f / (d1 * f + d2), a: d1 / 2, b: d2 / 2)
    }
}
