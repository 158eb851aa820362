import Autograd
import Testing

/// The direct channels-last kernels for one input channel at stride 2 and more
/// (`OneChannelConvolution`, MAML's first layer): forward and weight gradient
/// against Double sums (full and partial pixel steps, 8-, 16- and 32-channel groups,
/// paddings 0-2), the same bits with 8- and 16-lane vectors, and the im2col path
/// (`.im2col`) agreeing to rounding. Width independence and second-order terms are
/// in `ChannelsLastOpsTests`.
@Suite struct OneChannelConvolutionTests {
    /// `x` `[n, h, w, 1]`, `w` `[o, 1, 3, 3]`, `bias` `[o]`, `r` a random output weighting.
    static func inputs(_ n: Int, _ h: Int, _ w: Int, o: Int, stride: Int, padding: Int, seed: UInt64)
        -> (x: Tensor, w: Tensor, b: Tensor, r: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let ho = (h + 2 * padding - 3) / stride + 1, wo = (w + 2 * padding - 3) / stride + 1
        return (Tensor.randomNormal(shape: [n, h, w, 1], using: &rng),
                Tensor.randomNormal(shape: [o, 1, 3, 3], using: &rng) * 0.3,
                Tensor.randomNormal(shape: [o], using: &rng),
                Tensor.randomNormal(shape: [n, ho, wo, o], using: &rng))
    }

    /// Forward and weight gradient of `sum(y * r)`, in Double.
    static func doubleSums(x: Tensor, w: Tensor, b: Tensor, r: Tensor, stride: Int, padding: Int)
        -> (y: [Double], dw: [Double]) {
        let (n, h, wd) = (x.shape[0], x.shape[1], x.shape[2])
        let (ho, wo, o) = (r.shape[1], r.shape[2], r.shape[3])
        let xs = x.scalars.map(Double.init), ws = w.scalars.map(Double.init), rs = r.scalars.map(Double.init)
        var y = [Double](repeating: 0, count: n * ho * wo * o), dw = [Double](repeating: 0, count: o * 9)
        for ni in 0..<n { for oy in 0..<ho { for ox in 0..<wo {
            let pixel = (ni * ho + oy) * wo + ox
            for oc in 0..<o {
                var s = Double(b.scalars[oc])
                for k in 0..<9 {
                    let iy = oy * stride + k / 3 - padding, ix = ox * stride + k % 3 - padding
                    guard iy >= 0 && iy < h && ix >= 0 && ix < wd else { continue }
                    let v = xs[(ni * h + iy) * wd + ix]
                    s += v * ws[oc * 9 + k]
                    dw[oc * 9 + k] += rs[pixel * o + oc] * v
                }
                y[pixel * o + oc] = s
            }
        } } }
        return (y, dw)
    }

    static func worst(_ a: [Float], _ b: [Double]) -> Double {
        let scale = max(b.map { Swift.abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { Swift.abs(Double($0) - $1) }.max()! / scale
    }

    /// MAML's first layer at 80 images; 24 channels (8-lane groups only), 48 (a 32- and a
    /// 16-channel group), pixel counts that leave partial steps, strides 2 and 3.
    @Test(arguments: [(80, 28, 28, 64, 2, 1), (5, 11, 9, 24, 2, 0), (3, 13, 13, 48, 3, 1),
                      (2, 9, 10, 8, 2, 2), (1, 5, 5, 16, 2, 1)])
    func matchesDoubleSums(_ n: Int, _ h: Int, _ w: Int, _ o: Int, _ stride: Int, _ padding: Int) {
        let (x, wt, b, r) = Self.inputs(n, h, w, o: o, stride: stride, padding: padding, seed: UInt64(n + h + o))
        let reference = Self.doubleSums(x: x, w: wt, b: b, r: r, stride: stride, padding: padding)
        for algorithm in [ConvolutionAlgorithm.automatic, .im2col] {
            let (y, dw) = ConvolutionAlgorithm.with(algorithm) {
                let leaf = wt.detached().requiringGradient()
                let y = conv2dChannelsLast(x, weight: leaf, bias: b, stride: stride, padding: padding)
                return (y.scalars, gradients(of: (y * r).sum(), with: [leaf])[0].scalars)
            }
            #expect(Self.worst(y, reference.y) < 1e-6, "forward \(algorithm) [\(n), \(h), \(w)] -> \(o)")
            #expect(Self.worst(dw, reference.dw) < 1e-5, "weight gradient \(algorithm) [\(n), \(h), \(w)] -> \(o)")
        }
    }

    /// 16-lane and 8-lane kernels give the same bits: each value is the same chain of fused
    /// multiply-adds whatever the grouping of channels into vectors.
    @Test(.enabled(if: VectorInstructions.detected == .avx512, "needs a CPU with AVX-512F"),
          arguments: [(80, 28, 28, 64, 2, 1), (3, 13, 13, 48, 3, 1), (5, 11, 9, 16, 2, 0)])
    func vectorWidthsGiveTheSameBits(_ n: Int, _ h: Int, _ w: Int, _ o: Int, _ stride: Int, _ padding: Int) {
        let (x, wt, b, r) = Self.inputs(n, h, w, o: o, stride: stride, padding: padding, seed: 5)
        func run() -> [[Float]] {
            let leaf = wt.detached().requiringGradient()
            let y = conv2dChannelsLast(x, weight: leaf, bias: b, stride: stride, padding: padding)
            return [y.scalars, gradients(of: (y * r).sum(), with: [leaf])[0].scalars]
        }
        let wide = run(), narrow = VectorInstructions.limited(to: .avx2) { run() }
        let same = wide == narrow  // compared outside #expect, which would print every value
        #expect(same, "16-lane and 8-lane one-channel kernels must give the same bits")
    }
}
