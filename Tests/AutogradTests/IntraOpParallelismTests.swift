import Autograd
import Testing

/// Kernels split over `IntraOpParallelism` parts are right (against naive
/// loops, at shapes large enough to be split) and give bit-identical results
/// whether the parts run on one thread or concurrently.
@Suite struct IntraOpParallelismTests {
    /// Forward output, input gradient and weight gradient of one convolution
    /// under the loss `sum(y * r)`.
    struct ConvResult: Equatable {
        var y: [Float], dx: [Float], dw: [Float]
    }

    static func convolve(x: Tensor, w: Tensor, r: Tensor, stride: Int, padding: Int, width: Int) -> ConvResult {
        IntraOpParallelism.withWidth(width) {
            let y = conv2d(x, weight: w, bias: nil, stride: stride, padding: padding)
            let g = gradients(of: (y * r).sum(), with: [x, w])
            return ConvResult(y: y.scalars, dx: g[0].scalars, dw: g[1].scalars)
        }
    }

    /// The same three results by direct summation in Double.
    static func naive(x: Tensor, w: Tensor, r: Tensor, stride: Int, padding: Int) -> ConvResult {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (wd + 2 * padding - kw) / stride + 1
        let xs = x.scalars, ws = w.scalars, rs = r.scalars
        var y = [Double](repeating: 0, count: n * o * ho * wo)
        var dx = [Double](repeating: 0, count: xs.count), dw = [Double](repeating: 0, count: ws.count)
        for ni in 0..<n { for oi in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
            let yi = ((ni * o + oi) * ho + oy) * wo + ox
            var acc = 0.0
            let rv = Double(rs[yi])
            for ci in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * stride - padding + i, ix = ox * stride - padding + j
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                let xi = ((ni * c + ci) * h + iy) * wd + ix, wi = ((oi * c + ci) * kh + i) * kw + j
                acc += Double(xs[xi]) * Double(ws[wi])
                dx[xi] += rv * Double(ws[wi])
                dw[wi] += rv * Double(xs[xi])
            } } }
            y[yi] = acc
        } } } }
        return ConvResult(y: y.map(Float.init), dx: dx.map(Float.init), dw: dw.map(Float.init))
    }

    static func worstError(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    }

    /// A convolution's output, input gradient and weight gradient are the same bits at
    /// width 1 and 2 and match Double sums (outputs and input gradients to `tolerance`,
    /// weight gradients, longer sums, to 10x that).
    static func expectMatchesDoubleSums(x: Tensor, w: Tensor, r: Tensor, stride: Int, padding: Int,
                                        tolerance: Float = 2e-5) {
        let serial = convolve(x: x, w: w, r: r, stride: stride, padding: padding, width: 1)
        let parallel = convolve(x: x, w: w, r: r, stride: stride, padding: padding, width: 2)
        let identical = serial == parallel  // compared outside #expect, which would print every value
        #expect(identical, "two threads must give the same bits as one")
        let reference = naive(x: x, w: w, r: r, stride: stride, padding: padding)
        #expect(worstError(serial.y, reference.y) < tolerance)
        #expect(worstError(serial.dx, reference.dx) < tolerance)
        #expect(worstError(serial.dw, reference.dw) < 10 * tolerance)
    }

    /// The same for stride 1 at the default tolerance.
    static func expectStrideOneMatchesDoubleSums(x: Tensor, w: Tensor, r: Tensor, padding: Int) {
        expectMatchesDoubleSums(x: x, w: w, r: r, stride: 1, padding: padding)
    }

    /// Per-image GEMMs (28x28 outputs) and the wide GEMM (7x7 outputs, stride 2),
    /// both with more than 4M multiply-adds, so both are cut into parts.
    @Test(arguments: [([24, 4, 20, 20], [16, 4, 3, 3], 1, 1), ([96, 8, 14, 14], [16, 8, 3, 3], 2, 1)])
    func splitConvolutionMatchesNaiveAndIsWidthIndependent(_ xShape: [Int], _ wShape: [Int], _ stride: Int, _ padding: Int) {
        var rng = SeededGenerator(seed: 11)
        let x = Tensor.randomNormal(shape: xShape, using: &rng).requiringGradient()
        let w = Tensor.randomNormal(shape: wShape, using: &rng).requiringGradient()
        let r = Tensor.randomNormal(shape: conv2d(x, weight: w, bias: nil, stride: stride, padding: padding).shape,
                                    using: &rng)
        Self.expectMatchesDoubleSums(x: x, w: w, r: r, stride: stride, padding: padding, tolerance: 1e-4)
    }

    /// The forward unfolds and multiplies blocks of images; without a weight gradient
    /// into a reused scratch block, with one into the kept im2col matrix. Both give the
    /// same bits, with and without bias, for per-image GEMMs (20x20 outputs) and the
    /// wide GEMM (7x7, stride 2), over several blocks.
    @Test(arguments: [([24, 4, 20, 20], [16, 4, 3, 3], 1), ([96, 8, 14, 14], [16, 8, 3, 3], 2), ([75, 64, 14, 14], [64, 64, 3, 3], 2)])
    func blockedForwardGivesTheKeptColumnsBits(_ xShape: [Int], _ wShape: [Int], _ stride: Int) {
        var rng = SeededGenerator(seed: 13)
        let x = Tensor.randomNormal(shape: xShape, using: &rng)
        let w = Tensor.randomNormal(shape: wShape, using: &rng)
        let b = Tensor.randomNormal(shape: [wShape[0]], using: &rng)
        for bias in [nil, b] {
            let kept = conv2d(x, weight: w.requiringGradient(), bias: bias, stride: stride, padding: 1)
            let blocked = withoutGradient { conv2d(x, weight: w.requiringGradient(), bias: bias, stride: stride, padding: 1) }
            let identical = kept.scalars == blocked.scalars
            #expect(identical, "blocked forward must give the kept-columns forward's bits (bias: \(bias != nil))")
        }
    }

    /// Batch norm (forward and fused backward) and max pooling over 100k
    /// elements: every channel is normalised, and one or two threads agree.
    @Test func splitBatchNormAndPoolingAreWidthIndependent() {
        var rng = SeededGenerator(seed: 12)
        let x = (Tensor.randomNormal(shape: [32, 16, 14, 14], using: &rng) * 3 + 1).requiringGradient()
        let scale = Tensor.randomNormal(shape: [16], using: &rng).requiringGradient()
        let offset = Tensor.randomNormal(shape: [16], using: &rng).requiringGradient()
        let r = Tensor.randomNormal(shape: [32, 16, 7, 7], using: &rng)
        func run(_ width: Int) -> [[Float]] {
            IntraOpParallelism.withWidth(width) {
                let normalised = batchNorm(x, scale: nil, offset: nil)
                let y = maxPool2d(batchNorm(x, scale: scale, offset: offset), kernel: 2, stride: 2)
                let g = gradients(of: (y * r).sum(), with: [x, scale, offset])
                return [normalised.scalars, y.scalars] + g.map(\.scalars)
            }
        }
        let serial = run(1), parallel = run(2)
        let identical = serial == parallel  // compared outside #expect, which would print every value
        #expect(identical, "two threads must give the same bits as one")
        let normalised = Tensor(shape: x.shape, scalars: serial[0])
        let means = normalised.mean(axes: [0, 2, 3]).scalars
        let variances = normalised.squared().mean(axes: [0, 2, 3]).scalars
        #expect(means.allSatisfy { Swift.abs($0) < 1e-4 }, "\(means)")
        #expect(variances.allSatisfy { Swift.abs($0 - 1) < 1e-3 }, "\(variances)")
        #expect(serial[3].allSatisfy { $0 != 0 }, "every channel's scale gets a gradient")
    }
}
