import Foundation
import MetaLearning
import Testing

@Suite struct PooledEstimateTests {
    @Test func oneSeedIsTheStudentTIntervalAcrossEpisodes() throws {
        let values = [0.2, 0.4, 0.4, 0.6, 0.8, 0.6, 0.4, 0.2, 1.0, 0.4]
        let e = try PooledEstimate(values: [values])
        let mean = values.reduce(0, +) / 10
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 9).squareRoot()
        #expect(abs(e.mean - mean) < 1e-12)
        #expect(e.degreesOfFreedom == 9)
        // t(0.975, 9) = 2.2621571627409915 (tables / scipy.stats.t.ppf).
        #expect(abs(e.halfWidth! - 2.2621571627409915 * sd / 10.0.squareRoot()) < 1e-9)
        #expect(abs(e.lower! - (mean - e.halfWidth!)) < 1e-15)
    }

    @Test func manyEpisodesApproachTheNormalQuantile() throws {
        var rng = SplitMix(seed: 3)
        let values = (0..<20000).map { _ in rng.unit() }
        let e = try PooledEstimate(values: [values])
        let t = e.halfWidth! / e.standardError!
        #expect(abs(t - 1.96002) < 1e-4)   // t(0.975, 19999) = 1.960017...
    }

    @Test func twoWayVarianceMatchesTheAnovaFormula() throws {
        // 3 seeds x 4 episodes, seed effect clearly present.
        let x: [[Double]] = [[0.50, 0.60, 0.40, 0.70], [0.60, 0.75, 0.50, 0.80], [0.45, 0.55, 0.30, 0.65]]
        let e = try PooledEstimate(values: x)
        let S = 3.0, E = 4.0
        let rows = x.map { $0.reduce(0, +) / E }
        let cols = (0..<4).map { j in x.map { $0[j] }.reduce(0, +) / S }
        let g = rows.reduce(0, +) / S
        let msR = E * rows.map { ($0 - g) * ($0 - g) }.reduce(0, +) / (S - 1)
        let msC = S * cols.map { ($0 - g) * ($0 - g) }.reduce(0, +) / (E - 1)
        var ssE = 0.0
        for i in 0..<3 { for j in 0..<4 { let r = x[i][j] - rows[i] - cols[j] + g; ssE += r * r } }
        let msE = ssE / ((S - 1) * (E - 1))
        #expect(msR > msE && msC > msE)
        let variance = (msR + msC - msE) / (S * E)
        #expect(abs(e.mean - g) < 1e-12)
        #expect(abs(e.standardError! - variance.squareRoot()) < 1e-12)
        let df = (msR + msC - msE) * (msR + msC - msE) / (msR * msR / 2 + msC * msC / 3 + msE * msE / 6)
        #expect(abs(e.degreesOfFreedom! - df) < 1e-9)
        #expect(e.seeds == 3 && e.episodes == 4)
    }

    @Test func seedsWithoutAnEffectArePooledIntoTheEpisodeInterval() throws {
        // Seeds differ only by noise that averages out: the seed term is pooled
        // and the interval is the t interval across episodes of seed-averaged values.
        let base = [0.2, 0.5, 0.9, 0.4, 0.7, 0.3, 0.8, 0.6]
        let noise = [0.01, -0.01, 0.02, -0.02, 0.01, -0.01, 0.03, -0.03]   // sums to zero
        let x = [zip(base, noise).map { $0 + $1 }, zip(base, noise).map { $0 - $1 }]
        let e = try PooledEstimate(values: x)
        let averaged = (0..<base.count).map { (x[0][$0] + x[1][$0]) / 2 }
        let single = try PooledEstimate(values: [averaged])
        #expect(e.degreesOfFreedom == 7)
        #expect(abs(e.halfWidth! - single.halfWidth!) < 1e-12)
    }

    @Test func pairedDifferencesAreTighterThanTheMeans() throws {
        var rng = SplitMix(seed: 7)
        let difficulty = (0..<200).map { _ in rng.unit() }
        let a = (0..<3).map { _ in difficulty.map { $0 + 0.05 * rng.unit() } }
        let b = (0..<3).map { _ in difficulty.map { $0 + 0.05 * rng.unit() + 0.02 } }
        let ea = try PooledEstimate(values: a)
        let diff = try PooledEstimate(values: zip(b, a).map { zip($0, $1).map { $0 - $1 } })
        #expect(diff.halfWidth! < ea.halfWidth! / 5)
        #expect(diff.lower! > 0)   // b is better by 0.02 and the paired interval shows it
    }

    @Test func singleValueHasNoInterval() throws {
        let e = try PooledEstimate(values: [[0.5]])
        #expect(e.mean == 0.5 && e.halfWidth == nil && e.lower == nil)
    }

    @Test func constantValuesGiveZeroWidth() throws {
        let e = try PooledEstimate(values: [[1, 1, 1], [1, 1, 1]])
        #expect(e.mean == 1 && e.halfWidth == 0)
    }

    @Test func badTablesThrow() {
        #expect(throws: ComparisonError.self) { try PooledEstimate(values: []) }
        #expect(throws: ComparisonError.self) { try PooledEstimate(values: [[1, 2], [3]]) }
        #expect(throws: ComparisonError.self) { try PooledEstimate(values: [[1, .nan]]) }
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }
}
