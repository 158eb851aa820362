import MetaLearning
import Testing

/// Reference values from scipy 1.17 (`stats.t.ppf`, `stats.t.cdf`) and numpy.
@Suite struct StatisticsTests {
    @Test(arguments: [
        (1.0, 12.706204736174694), (2.0, 4.302652729749462), (4.0, 2.7764451051977934),
        (9.0, 2.262157162798205), (29.0, 2.045229642132703), (599.0, 1.9639322489452784),
        (1e6, 1.959966356814107),
    ])
    func studentTQuantileMatchesScipy(dof: Double, expected: Double) {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: dof) - expected) < 1e-9)
    }

    @Test func studentTCDFAndOtherLevels() {
        #expect(abs(StudentT.cdf(1.5, degreesOfFreedom: 3) - 0.8847080673775886) < 1e-12)
        #expect(abs(StudentT.cdf(-0.7, degreesOfFreedom: 12) - 0.24863707689535378) < 1e-12)
        #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: 5) - 2.0150483733330233) < 1e-9)
        #expect(abs(StudentT.quantile(0.025, degreesOfFreedom: 9) + 2.262157162798205) < 1e-9)
    }

    @Test func summaryMatchesNumpy() {
        let s = Summary([0.9, 0.95, 1.0, 0.85, 0.7, 0.8])
        #expect(s.count == 6)
        #expect(abs(s.mean - 0.8666666666666667) < 1e-12)
        #expect(abs(s.standardDeviation - 0.10801234497346435) < 1e-12)
        #expect(abs(s.confidenceInterval.halfWidth - 0.11335200436389337) < 1e-9)
        #expect(abs(s.standardError - 0.10801234497346435 / 6.0.squareRoot()) < 1e-12)
        #expect(s.confidenceInterval.contains(0.8) && !s.confidenceInterval.contains(1.0))
    }

    @Test func degenerateSummaries() {
        let one = Summary([0.5])
        #expect(one.mean == 0.5 && one.standardDeviation.isNaN && one.confidenceInterval.halfWidth.isNaN)
        #expect(Summary([]).mean.isNaN)
        let constant = Summary([1, 1, 1])
        #expect(constant.standardDeviation == 0 && constant.confidenceInterval.halfWidth == 0)
    }

    @Test func pairedComparisonMatchesNumpy() throws {
        let c = try PairedComparison([0.8, 0.6, 0.9, 0.7, 1.0], [0.7, 0.6, 0.8, 0.5, 0.9])
        #expect(abs(c.difference.mean - 0.1) < 1e-12)
        #expect(abs(c.difference.standardDeviation - 0.07071067811865474) < 1e-12)
        #expect(abs(c.difference.confidenceInterval.halfWidth - 0.08779890330850826) < 1e-9)
        #expect(c.isSignificant)
        #expect(abs(c.a.mean - 0.8) < 1e-12 && abs(c.b.mean - 0.7) < 1e-12)
        #expect(throws: PairedComparisonError.lengthMismatch(2, 1)) { try PairedComparison([1, 2], [1]) }
    }
}
