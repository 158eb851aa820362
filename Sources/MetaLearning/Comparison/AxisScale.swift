import Foundation

/// A linear axis for the SVG plots: a data range widened to "nice" round
/// numbers, its tick positions, and the mapping to pixel coordinates.
struct AxisScale: Equatable {
    /// The axis limits (nice numbers enclosing the data).
    let lower: Double
    let upper: Double
    /// The distance between ticks.
    let step: Double
    /// The pixel coordinates `lower` and `upper` map to.
    let pixelStart: Double
    let pixelEnd: Double

    /// An axis over `[minimum, maximum]` with about `targetTicks` ticks. A
    /// degenerate range is widened so the axis always has extent.
    init(minimum: Double, maximum: Double, targetTicks: Int = 5, pixelStart: Double, pixelEnd: Double,
         includeZero: Bool = false) {
        var lo = minimum.isFinite ? minimum : 0
        var hi = maximum.isFinite ? maximum : 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(hi)) {
            let pad = abs(hi) > 0 ? abs(hi) * 0.1 : 1
            lo -= pad; hi += pad
        }
        let step = Self.niceNumber((hi - lo) / Double(max(1, targetTicks)), round: true)
        self.step = step
        self.lower = (lo / step).rounded(.down) * step
        self.upper = (hi / step).rounded(.up) * step
        self.pixelStart = pixelStart
        self.pixelEnd = pixelEnd
    }

    /// The tick values from `lower` to `upper`.
    var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...n).map { lower + Double($0) * step }
    }

    /// The pixel coordinate of a data value.
    func pixel(_ value: Double) -> Double {
        pixelStart + (value - lower) / (upper - lower) * (pixelEnd - pixelStart)
    }

    /// Heckbert's nice numbers: 1, 2, 5 (or 1, 2, 5, 10 rounded) times a power of ten.
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = Foundation.floor(Foundation.log10(x))
        let fraction = x / Foundation.pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * Foundation.pow(10, exponent)
    }
}
