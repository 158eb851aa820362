import Autograd
import Testing

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test func stateRoundTripContinuesTheStream() {
        var a = SeededGenerator(seed: 99)
        for _ in 0..<10 { _ = a.next() }
        var b = SeededGenerator(state: a.state)
        #expect((0..<50).map { _ in a.next() } == (0..<50).map { _ in b.next() })
    }

    @Test func streamsDiffer() {
        var a = SeededGenerator(seed: 1, stream: 0), b = SeededGenerator(seed: 1, stream: 1)
        #expect(a.next() != b.next())
    }

    @Test func normalSamplesHaveUnitMoments() {
        var g = SeededGenerator(seed: 3)
        let xs = (0..<20000).map { _ in g.nextNormal() }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
