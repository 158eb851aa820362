/// The mean of a metric over every (seed, episode) pair of a comparison, with
/// a confidence interval that accounts for both sources of variation.
///
/// Every seed is evaluated on the same episodes, so the values form a
/// seeds x episodes table without replication. Modelled as two crossed random
/// effects, `x[s][e] = mu + a[s] + b[e] + eps[s][e]`, the grand mean has variance
/// `var(a)/S + var(b)/E + var(eps)/(S E)`. The variance components are estimated
/// from the two-way ANOVA mean squares. A component whose F test against the
/// interaction is not significant at the 25% level is pooled into the error
/// term (Bancroft's "sometimes pool" rule; this also keeps estimates from going
/// negative), and the interval uses Student's t with Satterthwaite degrees of
/// freedom. So when seeds really differ, the interval honestly widens: few
/// seeds then mean few degrees of freedom.
/// With one seed this is the usual `t * s / sqrt(E)` across episodes; with one
/// episode, across seeds.
///
/// Applied to per-episode *differences* between two algorithms, it gives the
/// paired comparison that stored episodes make possible: the episode effect
/// cancels, so the interval is much tighter than comparing two means.
public struct PooledEstimate: Sendable, Equatable, Codable {
    /// The grand mean over all values.
    public var mean: Double
    /// The estimated standard error of `mean`; `nil` with a single value.
    public var standardError: Double?
    /// Satterthwaite degrees of freedom of the standard error; `nil` with a single value.
    public var degreesOfFreedom: Double?
    /// The confidence level of the interval, such as 0.95.
    public var confidence: Double
    /// Half the width of the confidence interval; `nil` with a single value.
    public var halfWidth: Double?
    /// The number of seeds (rows) and episodes (columns).
    public var seeds: Int
    public var episodes: Int

    /// The interval's lower and upper bounds (`nil` with a single value).
    public var lower: Double? { halfWidth.map { mean - $0 } }
    public var upper: Double? { halfWidth.map { mean + $0 } }

    /// Estimates the pooled mean and its interval from `values[seed][episode]`.
    /// Throws when the table is empty, ragged or holds a non-finite value.
    public init(values: [[Double]], confidence: Double = 0.95) throws {
        let s = values.count
        guard s > 0, let e = values.first?.count, e > 0 else {
            throw ComparisonError.invalidStatistics("no values to summarise")
        }
        guard values.allSatisfy({ $0.count == e }) else {
            throw ComparisonError.invalidStatistics(
                "every seed needs the same number of episodes, got \(values.map(\.count))")
        }
        guard values.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw ComparisonError.invalidStatistics("a per-episode value is not finite (NaN or infinity)")
        }
        self.seeds = s
        self.episodes = e
        self.confidence = confidence
        let S = Double(s), E = Double(e)
        let rowMeans = values.map { $0.reduce(0, +) / E }
        let grand = rowMeans.reduce(0, +) / S
        mean = grand

        let variance: Double   // of the grand mean
        let df: Double
        if s * e == 1 {
            standardError = nil; degreesOfFreedom = nil; halfWidth = nil
            return
        } else if s == 1 || e == 1 {
            let flat = values.flatMap { $0 }
            let n = Double(flat.count)
            let ss = flat.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
            variance = ss / (n - 1) / n
            df = n - 1
        } else {
            var colMeans = [Double](repeating: 0, count: e)
            for row in values { for j in 0..<e { colMeans[j] += row[j] } }
            for j in 0..<e { colMeans[j] /= S }
            var ssRows = 0.0, ssCols = 0.0, ssErr = 0.0
            for r in rowMeans { ssRows += (r - grand) * (r - grand) }
            ssRows *= E
            for c in colMeans { ssCols += (c - grand) * (c - grand) }
            ssCols *= S
            for i in 0..<s {
                for j in 0..<e {
                    let resid = values[i][j] - rowMeans[i] - colMeans[j] + grand
                    ssErr += resid * resid
                }
            }
            let dfRows = S - 1, dfCols = E - 1, dfErr = (S - 1) * (E - 1)
            let msRows = ssRows / dfRows, msCols = ssCols / dfCols, msErr = ssErr / dfErr
            func significant(_ ms: Double, _ dfEffect: Double) -> Bool {
                msErr == 0 ? ms > 0 : Distributions.fSurvival(ms / msErr, dfEffect, dfErr) < 0.25
            }
            switch (significant(msRows, dfRows), significant(msCols, dfCols)) {
            case (true, true):
                // var * S * E = MS_rows + MS_cols - MS_err, Satterthwaite df.
                let total = msRows + msCols - msErr
                variance = total / (S * E)
                let denominator = msRows * msRows / dfRows + msCols * msCols / dfCols + msErr * msErr / dfErr
                df = denominator > 0 ? total * total / denominator : dfErr
            case (false, true):
                // No seed effect: seeds pooled into the error; the usual
                // interval across episodes of the seed-averaged values.
                variance = msCols / (S * E)
                df = dfCols
            case (true, false):
                variance = msRows / (S * E)
                df = dfRows
            case (false, false):
                // Neither effect: all values exchangeable.
                variance = (ssRows + ssCols + ssErr) / (S * E - 1) / (S * E)
                df = S * E - 1
            }
        }
        let se = variance.squareRoot()
        standardError = se
        degreesOfFreedom = df
        halfWidth = se == 0 ? 0 : Distributions.criticalValue(confidence: confidence, degreesOfFreedom: max(df, 1)) * se
    }
}
