import Autograd
import Testing

/// The direct 3x3 stride-1 kernels for one input channel (`SingleChannelConvolution`,
/// AVX2): forward, weight gradient (and the im2col input gradient beside them)
/// against Double sums at row widths that are and are not multiples of 8 and
/// paddings 0, 1, 2; bit-identical with one or two threads; used only for one
/// input channel, 3x3 and stride 1, and not under `.im2col`.
@Suite struct SingleChannelConvolutionTests {
    typealias Reference = IntraOpParallelismTests

    /// 80 Omniglot-sized images are cut into parts; 7x9 and 5x13 leave partial
    /// 8-lane chunks at the end of every row.
    @Test(arguments: [([80, 1, 28, 28], [64, 1, 3, 3], 1), ([3, 1, 7, 9], [5, 1, 3, 3], 1),
                      ([2, 1, 9, 15], [8, 1, 3, 3], 0), ([4, 1, 5, 11], [16, 1, 3, 3], 2)])
    func matchesDoubleSumsAndIsWidthIndependent(_ xShape: [Int], _ wShape: [Int], _ padding: Int) {
        let (x, w, r) = WinogradTests.inputs(xShape, wShape, padding: padding, seed: 31)
        Reference.expectStrideOneMatchesDoubleSums(x: x, w: w, r: r, padding: padding)
    }

    /// With AVX-512F the forward computes 16 outputs a vector, the last chunk of a row
    /// under a mask; each output is the same chain of fused multiply-adds as with AVX2's
    /// 8, so the bits must be the same (with and without bias). Widths 28, 14, 5, 17 and
    /// 33 give full, partial and single-lane last chunks; padding 2 widens the rows.
    @Test(.enabled(if: VectorInstructions.detected == .avx512, "needs a CPU with AVX-512F"),
          arguments: [([80, 1, 28, 28], [64, 1, 3, 3], 1), ([3, 1, 14, 14], [8, 1, 3, 3], 1),
                      ([2, 1, 7, 5], [5, 1, 3, 3], 1), ([2, 1, 9, 17], [16, 1, 3, 3], 0),
                      ([2, 1, 6, 31], [4, 1, 3, 3], 2)])
    func vectorWidthsGiveTheSameBits(_ xShape: [Int], _ wShape: [Int], _ padding: Int) {
        let (x, w, _) = WinogradTests.inputs(xShape, wShape, padding: padding, seed: 36)
        var rng = SeededGenerator(seed: 37)
        let bias = Tensor.randomNormal(shape: [wShape[0]], using: &rng)
        for b in [nil, bias] {
            let wide = conv2d(x, weight: w, bias: b, stride: 1, padding: padding).scalars
            let narrow = VectorInstructions.limited(to: .avx2) {
                conv2d(x, weight: w, bias: b, stride: 1, padding: padding).scalars
            }
            let same = wide == narrow  // compared outside #expect, which would print every value
            #expect(same, "16-lane and 8-lane forwards must give the same bits (bias: \(b != nil))")
        }
    }

    @Test func biasIsAddedToEveryOutput() {
        let (x, w, _) = WinogradTests.inputs([2, 1, 9, 10], [6, 1, 3, 3], padding: 1, seed: 32)
        var rng = SeededGenerator(seed: 33)
        let bias = Tensor.randomNormal(shape: [6], using: &rng)
        let with = conv2d(x, weight: w, bias: bias, stride: 1, padding: 1).scalars
        let without = conv2d(x, weight: w, bias: nil, stride: 1, padding: 1).scalars
        for (i, (a, b)) in zip(with, without).enumerated() {
            #expect(Swift.abs(a - b - bias.scalars[(i / 90) % 6]) < 1e-5)
        }
    }

    /// On a CPU with AVX2 and FMA the kernels round differently from im2col + GEMM
    /// where they apply, and do not change anything where they do not. With a bias: the
    /// kernel starts each chain from it where im2col adds it to the GEMM's sum (without
    /// one, a GEMM kernel that also sums the 9 products in order from zero, as OpenBLAS's
    /// AVX-512 kernels do, gives the same bits).
    @Test func usedOnlyForOneChannelThreeByThreeStrideOne() {
        func both(_ xShape: [Int], _ wShape: [Int], stride: Int) -> (automatic: [Float], im2col: [Float]) {
            var rng = SeededGenerator(seed: 34)
            let x = Tensor.randomNormal(shape: xShape, using: &rng), w = Tensor.randomNormal(shape: wShape, using: &rng)
            let b = Tensor.randomNormal(shape: [wShape[0]], using: &rng)
            let automatic = conv2d(x, weight: w, bias: b, stride: stride, padding: 1).scalars
            let im2col = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: b, stride: stride, padding: 1).scalars }
            return (automatic, im2col)
        }
        let eligible = both([4, 1, 28, 28], [64, 1, 3, 3], stride: 1)
        #expect(Reference.worstError(eligible.automatic, eligible.im2col) < 1e-5)
        if SingleChannelConvolution.isAvailable {
            #expect(eligible.automatic != eligible.im2col, "a 1-channel 3x3 stride-1 convolution runs the direct kernel")
        }
        for (xShape, wShape, stride, why) in [([2, 1, 28, 28], [16, 1, 3, 3], 2, "stride 2"),
                                              ([2, 2, 28, 28], [16, 2, 3, 3], 1, "2 input channels"),
                                              ([2, 1, 28, 28], [16, 1, 5, 5], 1, "5x5 kernel")] {
            let other = both(xShape, wShape, stride: stride)
            #expect(other.automatic == other.im2col, "\(why): im2col in both")
        }
    }

    /// A forward recorded under `.im2col` has its weight gradient from im2col's path
    /// even when the gradient is taken outside that scope, and the other way round.
    @Test func gradientUsesTheForwardsAlgorithm() {
        let (x, w, r) = WinogradTests.inputs([3, 1, 12, 12], [8, 1, 3, 3], padding: 1, seed: 35)
        let reference = Reference.naive(x: x, w: w, r: r, stride: 1, padding: 1)
        let y = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: nil, stride: 1, padding: 1) }
        let g = gradients(of: (y * r).sum(), with: [w])
        #expect(Reference.worstError(g[0].scalars, reference.dw) < 2e-4)
        let z = conv2d(x, weight: w, bias: nil, stride: 1, padding: 1)
        let h = ConvolutionAlgorithm.with(.im2col) { gradients(of: (z * r).sum(), with: [w]) }
        #expect(Reference.worstError(h[0].scalars, reference.dw) < 2e-4)
    }
}
