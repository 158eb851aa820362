import Autograd
import Testing

/// Winograd F(2x2, 3x3) convolutions (3x3 stride-1 kernels with 16+ channels
/// and outputs of 7x7 or more): forward, input gradient and weight gradient
/// against Double sums, at even and odd sizes and paddings 0, 1, 2; bit-identical
/// with one or two threads; used exactly where it pays.
@Suite struct WinogradTests {
    typealias Reference = IntraOpParallelismTests

    static func inputs(_ xShape: [Int], _ wShape: [Int], padding: Int, seed: UInt64) -> (x: Tensor, w: Tensor, r: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor.randomNormal(shape: xShape, using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: wShape, using: &rng) * 0.1).requiringGradient()
        let ho = xShape[2] + 2 * padding - 2, wo = xShape[3] + 2 * padding - 2
        let r = Tensor.randomNormal(shape: [xShape[0], wShape[0], ho, wo], using: &rng)
        return (x, w, r)
    }

    /// 14x14 with 12 images is large enough to be cut into parts; 7x7 and 9x10
    /// outputs leave a cropped overhang in the last tile row and column.
    @Test(arguments: [([12, 16, 14, 14], [16, 16, 3, 3], 1), ([3, 16, 7, 7], [24, 16, 3, 3], 1),
                      ([2, 16, 9, 9], [20, 16, 3, 3], 0), ([2, 16, 7, 8], [16, 16, 3, 3], 2)])
    func matchesDoubleSumsAndIsWidthIndependent(_ xShape: [Int], _ wShape: [Int], _ padding: Int) {
        let (x, w, r) = Self.inputs(xShape, wShape, padding: padding, seed: 21)
        Reference.expectStrideOneMatchesDoubleSums(x: x, w: w, r: r, padding: padding)
    }

    /// Winograd rounds differently from im2col, so the two differ in the last
    /// bits where it applies; where it does not pay, another kernel is chosen.
    @Test func usedExactlyWhereItPays() {
        var rng = SeededGenerator(seed: 22)
        let x = Tensor.randomNormal(shape: [2, 16, 14, 14], using: &rng), w = Tensor.randomNormal(shape: [16, 16, 3, 3], using: &rng)
        let automatic = conv2d(x, weight: w, bias: nil, stride: 1, padding: 1).scalars
        let im2col = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: nil, stride: 1, padding: 1).scalars }
        #expect(automatic != im2col, "a 16-channel 14x14 3x3 convolution goes through Winograd")
        #expect(Reference.worstError(automatic, im2col) < 1e-5)
        #expect(ConvolutionAlgorithm.kernel(input: [2, 16, 14, 14], weight: [16, 16, 3, 3], stride: 1, padding: 1) == .winograd)
        for (xShape, wShape, stride, why) in [([2, 16, 14, 14], [16, 16, 3, 3], 2, "stride 2"),
                                              ([2, 16, 3, 3], [16, 16, 3, 3], 1, "3x3 outputs"),
                                              ([2, 8, 14, 14], [16, 8, 3, 3], 1, "8 input channels"),
                                              ([2, 16, 14, 14], [16, 16, 5, 5], 1, "5x5 kernel")] {
            let kernel = ConvolutionAlgorithm.kernel(input: xShape, weight: wShape, stride: stride, padding: 1)
            #expect(kernel != .winograd, "\(why): not Winograd")
        }
    }

    @Test func biasIsAddedToEveryOutput() {
        let (x, w, _) = Self.inputs([2, 16, 7, 7], [16, 16, 3, 3], padding: 1, seed: 23)
        var rng = SeededGenerator(seed: 24)
        let bias = Tensor.randomNormal(shape: [16], using: &rng)
        let with = conv2d(x, weight: w, bias: bias, stride: 1, padding: 1).scalars
        let without = conv2d(x, weight: w, bias: nil, stride: 1, padding: 1).scalars
        for (i, (a, b)) in zip(with, without).enumerated() {
            let channel = (i / 49) % 16
            #expect(Swift.abs(a - b - bias.scalars[channel]) < 1e-5)
        }
    }

    /// The algorithm is fixed when the forward runs: a forward recorded under
    /// `.im2col` keeps im2col columns, and its gradient taken outside that scope
    /// must still read them as such.
    @Test func gradientUsesTheForwardsAlgorithm() {
        let (x, w, r) = Self.inputs([2, 16, 7, 7], [16, 16, 3, 3], padding: 1, seed: 25)
        let y = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: nil, stride: 1, padding: 1) }
        let g = gradients(of: (y * r).sum(), with: [x, w])
        let reference = Reference.naive(x: x, w: w, r: r, stride: 1, padding: 1)
        #expect(Reference.worstError(g[1].scalars, reference.dw) < 2e-4)
        #expect(Reference.worstError(g[0].scalars, reference.dx) < 2e-5)
    }
}
