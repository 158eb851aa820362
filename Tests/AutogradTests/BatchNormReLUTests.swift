import Autograd
import Testing

/// `batchNormReLU` against the separate ops it fuses: the same forward bits, the
/// same first- and second-order gradients up to rounding, the same bits at one and
/// two threads. (Finite differences of the fused op itself are in `OpCase.all`.)
@Suite struct BatchNormReLUTests {
    /// Inputs with a mean and spread per channel, so some windows are all negative
    /// after normalisation (ReLU's zero plateau) and the offset moves the mask.
    static func inputs(_ shape: [Int], seed: UInt64) -> (x: Tensor, scale: Tensor, offset: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let c = shape[1]
        let x = Tensor.randomNormal(shape: shape, using: &rng) * 2 + 0.5
        let scale = Tensor.randomUniform(shape: [c], low: 0.5, high: 1.5, using: &rng)
        let offset = Tensor.randomUniform(shape: [c], low: -0.5, high: 0.5, using: &rng)
        return (x.requiringGradient(), scale.requiringGradient(), offset.requiringGradient())
    }

    static func separate(_ x: Tensor, _ scale: Tensor?, _ offset: Tensor?, maxPool: Bool) -> Tensor {
        let r = batchNorm(x, scale: scale, offset: offset).relu()
        return maxPool ? maxPool2d(r, kernel: 2, stride: 2) : r
    }

    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(b.map { Swift.abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { Swift.abs($0 - $1) }.max()! / scale
    }

    @Test(arguments: [([6, 5, 8, 8], true), ([3, 4, 28, 28], true), ([4, 3, 14, 15], true), ([4, 3, 7, 9], true), ([5, 4, 3, 3], true), ([6, 5, 6, 6], false), ([12, 7], false)])
    func matchesTheSeparateOps(_ shape: [Int], _ maxPool: Bool) {
        let (x, scale, offset) = Self.inputs(shape, seed: UInt64(shape.reduce(0, +)))
        let fused = batchNormReLU(x, scale: scale, offset: offset, maxPool: maxPool)
        let reference = Self.separate(x, scale, offset, maxPool: maxPool)
        #expect(fused.shape == reference.shape)
        let sameBits = fused.scalars == reference.scalars  // outside #expect, which would print every value
        #expect(sameBits, "the fused forward must give the separate ops' bits")
        let zeros = fused.scalars.filter { $0 == 0 }.count
        #expect(zeros > 0 && zeros < fused.count, "the inputs must reach both sides of the ReLU (\(zeros) zeros)")

        var rng = SeededGenerator(seed: 5)
        let r = Tensor.randomNormal(shape: fused.shape, using: &rng)
        let gf = gradients(of: (fused * r).sum(), with: [x, scale, offset])
        let gr = gradients(of: (reference * r).sum(), with: [x, scale, offset])
        for (name, a, b) in zip3(["x", "scale", "offset"], gf, gr) {
            #expect(Self.worst(a.scalars, b.scalars) < 2e-5, "d/d\(name)")
        }
        #expect(gf[1].scalars.allSatisfy { $0 != 0 }, "every channel's scale gets a gradient")
    }

    /// Without scale and offset, and with only the input differentiated.
    @Test func plainFormAndPartialNeeds() {
        let (x, _, _) = Self.inputs([4, 3, 6, 6], seed: 9)
        for maxPool in [false, true] {
            let fused = batchNormReLU(x, scale: nil, offset: nil, maxPool: maxPool)
            let reference = Self.separate(x, nil, nil, maxPool: maxPool)
            let sameBits = fused.scalars == reference.scalars
            #expect(sameBits)
            let gf = gradients(of: fused.squared().sum(), with: [x])[0]
            let gr = gradients(of: reference.squared().sum(), with: [x])[0]
            #expect(Self.worst(gf.scalars, gr.scalars) < 2e-5, "maxPool \(maxPool)")
        }
    }

    /// Hessian-vector products (`createGraph`, the path MAML's meta-gradient takes)
    /// agree with those of the separate ops.
    @Test(arguments: [true, false])
    func secondOrderMatchesTheSeparateOps(_ maxPool: Bool) {
        let (x, scale, offset) = Self.inputs([4, 3, 6, 6], seed: 21)
        var rng = SeededGenerator(seed: 22)
        let outShape = maxPool ? [4, 3, 3, 3] : [4, 3, 6, 6]
        let r = Tensor.randomNormal(shape: outShape, using: &rng)
        let vx = Tensor.randomNormal(shape: x.shape, using: &rng)
        let vs = Tensor.randomNormal(shape: [3], using: &rng), vo = Tensor.randomNormal(shape: [3], using: &rng)
        func hvp(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
            let loss = (f(x, scale, offset).squared() * r).sum()
            let g = gradients(of: loss, with: [x, scale, offset], createGraph: true)
            let directional = (g[0] * vx).sum() + (g[1] * vs).sum() + (g[2] * vo).sum()
            return gradients(of: directional, with: [x, scale, offset]).map(\.scalars)
        }
        let fused = hvp { batchNormReLU($0, scale: $1, offset: $2, maxPool: maxPool) }
        let reference = hvp { Self.separate($0, $1, $2, maxPool: maxPool) }
        for (a, b) in zip(fused, reference) { #expect(Self.worst(a, b) < 1e-4) }
        #expect(fused[0].contains { $0 != 0 })
    }

    /// Split over channels: one and two threads give the same bits.
    @Test func widthIndependent() {
        let (x, scale, offset) = Self.inputs([32, 16, 14, 14], seed: 31)
        var rng = SeededGenerator(seed: 32)
        let r = Tensor.randomNormal(shape: [32, 16, 7, 7], using: &rng)
        let r2 = Tensor.randomNormal(shape: [32, 16, 14, 14], using: &rng)
        func run(_ width: Int) -> [[Float]] {
            IntraOpParallelism.withWidth(width) {
                let pooled = batchNormReLU(x, scale: scale, offset: offset, maxPool: true)
                let plain = batchNormReLU(x, scale: scale, offset: offset)
                let g = gradients(of: (pooled * r).sum() + (plain * r2).sum(), with: [x, scale, offset])
                return [pooled.scalars, plain.scalars] + g.map(\.scalars)
            }
        }
        let serial = run(1), parallel = run(2)
        let identical = serial == parallel
        #expect(identical, "two threads must give the same bits as one")
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    (0..<min(a.count, b.count, c.count)).map { (a[$0], b[$0], c[$0]) }
}
