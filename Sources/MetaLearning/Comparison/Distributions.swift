import Foundation

/// The distributions behind the comparison statistics: Student's t quantiles
/// for confidence intervals of means estimated from few samples (with
/// non-integer Satterthwaite degrees of freedom), and F tail probabilities for
/// deciding whether a variance component is worth keeping.
enum Distributions {
    /// The two-sided critical value `t` with `P(|T| <= t) = confidence` for
    /// `degreesOfFreedom` (> 0; `.infinity` gives the normal quantile).
    static func criticalValue(confidence: Double, degreesOfFreedom df: Double) -> Double {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        precondition(df > 0, "degrees of freedom must be positive")
        let p = 0.5 + confidence / 2
        if df > 1e7 { return normalQuantile(p) }
        // Bisection on the CDF: monotone, and 200 halvings reach full Double precision.
        var lo = 0.0
        var hi = 1.0
        while cdf(hi, df) < p { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, df) < p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-14 * hi { break }
        }
        return (lo + hi) / 2
    }

    /// `P(F > f)` for an F distribution with `d1` and `d2` degrees of freedom.
    static func fSurvival(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
        guard f > 0 else { return 1 }
        return 1 - regularizedIncompleteBeta(d1 * f / (d1 * f + d2), d1 / 2, d2 / 2)
    }

    /// `P(T <= t)` for t >= 0.
    static func cdf(_ t: Double, _ df: Double) -> Double {
        let x = df / (df + t * t)
        return 1 - 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5)
    }

    /// The standard normal quantile (Acklam's rational approximation refined by
    /// one Halley step; accurate to ~1e-15).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * Foundation.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * Foundation.log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// The regularized incomplete beta function `I_x(a, b)` (continued
    /// fraction, Numerical Recipes `betacf`).
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let lnPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let lnFront = lnPowers - lnBeta
        let front = Foundation.exp(lnFront)
        if x < (a + 1) / (a + b + 2) {
            return front * continuedFraction(x, a, b) / a
        }
        return 1 - front * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return h
    }
}
