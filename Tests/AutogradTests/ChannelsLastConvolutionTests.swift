import Autograd
import Testing

/// Channels-last convolutions (16+ input channels where Winograd and the
/// single-channel kernels do not apply: MAML's stride-2 Conv4 layers, small
/// maps, other kernel sizes and strides): forward, input gradient and weight
/// gradient against Double sums, bit-identical at one and two threads, chosen
/// exactly where documented, and read back by the gradient as the forward kept them.
@Suite struct ChannelsLastConvolutionTests {
    typealias Reference = IntraOpParallelismTests

    /// Stride 2 on even and odd maps (MAML's 14x14 and 7x7 layers, 12 images: cut
    /// into parts), stride 1 on a 3x3 map, a 5x5 kernel, stride 3, channel counts that
    /// are not multiples of 8 (the transposes' edges) and C != O. Channel counts that
    /// are multiples of 16 run through `ImplicitColumnConvolution` (forward: output
    /// channels; input gradient: input channels), the others through OpenBLAS; the
    /// second-to-last case gives those kernels a 5x5 kernel (5 kernel rows per pixel)
    /// and 3 panels of 16 output channels; the last has 24 output channels (forward
    /// by OpenBLAS, and on AVX-512 CPUs a weight gradient that pads its input anew).
    @Test(arguments: [([12, 64, 14, 14], [64, 64, 3, 3], 2, 1),
                      ([5, 16, 7, 7], [24, 16, 3, 3], 2, 1),
                      ([3, 20, 3, 3], [16, 20, 3, 3], 1, 1), ([2, 18, 9, 7], [10, 18, 5, 5], 1, 2),
                      ([2, 16, 11, 10], [16, 16, 3, 3], 3, 0), ([64, 16, 4, 4], [16, 16, 3, 3], 2, 1),
                      ([3, 32, 9, 8], [48, 32, 5, 5], 1, 2), ([4, 32, 7, 7], [24, 32, 3, 3], 2, 1),
                      ([3, 16, 7, 7], [8, 16, 3, 3], 2, 1)])
    func matchesDoubleSumsAndIsWidthIndependent(_ xShape: [Int], _ wShape: [Int], _ stride: Int, _ padding: Int) {
        #expect(ConvolutionAlgorithm.kernel(input: xShape, weight: wShape, stride: stride, padding: padding) == .channelsLast)
        var rng = SeededGenerator(seed: 31)
        let x = Tensor.randomNormal(shape: xShape, using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: wShape, using: &rng) * 0.1).requiringGradient()
        let r = Tensor.randomNormal(shape: conv2d(x, weight: w, bias: nil, stride: stride, padding: padding).shape,
                                    using: &rng)
        Reference.expectMatchesDoubleSums(x: x, w: w, r: r, stride: stride, padding: padding)
        // Without a gradient the implicit forward reads the padded input in place instead of
        // the kept columns: the same sums in the same order, so the same bits.
        let recorded = conv2d(x, weight: w, bias: nil, stride: stride, padding: padding).scalars
        let inPlace = withoutGradient { conv2d(x, weight: w, bias: nil, stride: stride, padding: padding).scalars }
        let same = recorded == inPlace  // compared outside #expect, which would print every value
        #expect(same, "the forward without a gradient must give the recorded forward's bits")
    }

    /// With AVX-512F the implicit-column kernels run 512-bit tiles (6 x 64 columns, and
    /// groups of 2 and 1 panels for the rest); limited to AVX2 they run 16-column tiles.
    /// Each output is the same chain of fused multiply-adds either way, so the forward,
    /// both gradients and the second-order terms (whose weight gradients pad their
    /// input anew instead of reading the forward's kept copy) must be the same bits.
    /// Geometries: 4 panels at once; 3 panels (2 + 1) with 800 (tap, channel) columns;
    /// 16 channels (one panel; 9 for the input gradient: 4 + 4 + 1); output channels
    /// not a multiple of 16 (forward by OpenBLAS, weight gradient here with no kept
    /// input) nor of 6 (the weight gradient's tiles of 6 channels); 8 output channels (a
    /// tile of 6 rows and one of 2, the partial tile's own loop).
    @Test(.enabled(if: VectorInstructions.detected == .avx512, "needs a CPU with AVX-512F"),
          arguments: [([12, 64, 14, 14], [64, 64, 3, 3], 2, 1), ([3, 32, 9, 8], [48, 32, 5, 5], 1, 2),
                      ([5, 16, 7, 7], [16, 16, 3, 3], 2, 1), ([4, 32, 7, 7], [24, 32, 3, 3], 2, 1),
                      ([2, 16, 11, 10], [32, 16, 3, 3], 3, 0), ([3, 16, 7, 7], [8, 16, 3, 3], 2, 1)])
    func vectorWidthsGiveTheSameBits(_ xShape: [Int], _ wShape: [Int], _ stride: Int, _ padding: Int) {
        var rng = SeededGenerator(seed: 34)
        let x = Tensor.randomNormal(shape: xShape, using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: wShape, using: &rng) * 0.1).requiringGradient()
        let yShape = conv2d(x, weight: w, bias: nil, stride: stride, padding: padding).shape
        let r = Tensor.randomNormal(shape: yShape, using: &rng)
        let vx = Tensor.randomNormal(shape: xShape, using: &rng), vw = Tensor.randomNormal(shape: wShape, using: &rng)
        func run() -> [[Float]] {
            let y = conv2d(x, weight: w, bias: nil, stride: stride, padding: padding)
            let g = gradients(of: (y * r).sum(), with: [x, w], createGraph: true)
            let h = gradients(of: (g[0] * vx).sum() + (g[1] * vw).sum(), with: [x, w])
            return [y.scalars, g[0].scalars, g[1].scalars, h[0].scalars, h[1].scalars]
        }
        let wide = run()
        let narrow = VectorInstructions.limited(to: .avx2) {
            #expect(VectorInstructions.inForce == .avx2)
            return run()
        }
        for (name, (a, b)) in zip(["output", "input gradient", "weight gradient", "second order (x)",
                                   "second order (w)"], zip(wide, narrow)) {
            let same = a == b  // compared outside #expect, which would print every value
            #expect(same, "\(name): 512-bit and 256-bit tiles must give the same bits")
        }
        #expect(wide[3].contains { $0 != 0 } && wide[4].contains { $0 != 0 }, "the second-order terms are not all zero")
    }

    /// Which kernel each geometry gets: channels-last takes 16+ input channels that
    /// Winograd leaves, and `.im2col` turns every special kernel off.
    /// The tiles leave out the taps that fall on the zero border (a pixel on the top row
    /// skips its kernel's top row, one in the first column its left column). The products
    /// left out are exact zeros, so a padded convolution gives the bits of the same
    /// convolution without padding on the input zero-padded beforehand, where every tap is
    /// read: the output and the weight gradient (each a sum over taps, or over pixels, in
    /// the same order). Cases: MAML's 14x14 and 7x7 layers (the 7x7 one also has a bottom
    /// row and a right column whose last taps fall on the border), its 2x2 outputs, and a
    /// 5x5 kernel with a border of 2 on an 9x8 map.
    @Test(arguments: [([12, 64, 14, 14], [64, 64, 3, 3], 2, 1), ([4, 32, 7, 7], [32, 32, 3, 3], 2, 1),
                      ([6, 16, 4, 4], [16, 16, 3, 3], 2, 1), ([3, 32, 9, 8], [48, 32, 5, 5], 1, 2)])
    func borderTapsLeftOutChangeNoBits(_ xShape: [Int], _ wShape: [Int], _ stride: Int, _ padding: Int) {
        var rng = SeededGenerator(seed: 35)
        let x = Tensor.randomNormal(shape: xShape, using: &rng)
        let w = (Tensor.randomNormal(shape: wShape, using: &rng) * 0.1).requiringGradient()
        let (n, c, h, wd) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (hp, wp) = (h + 2 * padding, wd + 2 * padding)
        var padded = [Float](repeating: 0, count: n * c * hp * wp)
        let xs = x.scalars
        for plane in 0..<(n * c) {
            for y in 0..<h {
                for xi in 0..<wd { padded[(plane * hp + y + padding) * wp + xi + padding] = xs[(plane * h + y) * wd + xi] }
            }
        }
        let xp = Tensor(shape: [n, c, hp, wp], scalars: padded)
        #expect(ConvolutionAlgorithm.kernel(input: xShape, weight: wShape, stride: stride, padding: padding) == .channelsLast)
        #expect(ConvolutionAlgorithm.kernel(input: xp.shape, weight: wShape, stride: stride, padding: 0) == .channelsLast)
        let y = conv2d(x, weight: w, bias: nil, stride: stride, padding: padding)
        let yp = conv2d(xp, weight: w, bias: nil, stride: stride, padding: 0)
        #expect(y.shape == yp.shape)
        let r = Tensor.randomNormal(shape: y.shape, using: &rng)
        let dw = gradients(of: (y * r).sum(), with: [w])[0].scalars
        let dwp = gradients(of: (yp * r).sum(), with: [w])[0].scalars
        let (sameOutput, sameWeightGradient) = (y.scalars == yp.scalars, dw == dwp)
        #expect(sameOutput, "output: the border's taps must add nothing")
        #expect(sameWeightGradient, "weight gradient: the border's pixels must add nothing")
        #expect(y.scalars.contains { $0 != 0 } && dw.contains { $0 != 0 })
    }

    @Test func kernelChoice() {
        let k = ConvolutionAlgorithm.kernel
        #expect(k([2, 64, 14, 14], [64, 64, 3, 3], 1, 1) == .winograd)
        #expect(k([2, 64, 14, 14], [64, 64, 3, 3], 2, 1) == .channelsLast)
        #expect(k([2, 64, 3, 3], [64, 64, 3, 3], 1, 1) == .channelsLast, "3x3 outputs: Winograd does not pay")
        #expect(k([2, 16, 14, 14], [16, 16, 5, 5], 1, 2) == .channelsLast)
        #expect(k([2, 16, 14, 14], [8, 16, 3, 3], 1, 1) == .channelsLast, "8 output channels: no Winograd")
        #expect(k([2, 8, 14, 14], [16, 8, 3, 3], 2, 1) == .im2col, "8 input channels")
        #expect(k([2, 1, 28, 28], [64, 1, 3, 3], 2, 1) == .im2col, "one channel, stride 2")
        ConvolutionAlgorithm.with(.im2col) {
            #expect(k([2, 64, 14, 14], [64, 64, 3, 3], 2, 1) == .im2col)
            #expect(k([2, 64, 14, 14], [64, 64, 3, 3], 1, 1) == .im2col)
        }
    }

    /// Channels-last and NCHW im2col sum the same products in another order: they
    /// agree to rounding, with and without bias, and differ in some bits (so the
    /// comparison is between two paths, not one path twice).
    @Test func agreesWithIm2colToRounding() {
        var rng = SeededGenerator(seed: 32)
        let x = Tensor.randomNormal(shape: [6, 32, 14, 14], using: &rng)
        let w = Tensor.randomNormal(shape: [40, 32, 3, 3], using: &rng) * 0.1
        let b = Tensor.randomNormal(shape: [40], using: &rng)
        for bias in [nil, b] {
            let fast = conv2d(x, weight: w, bias: bias, stride: 2, padding: 1).scalars
            let classic = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: bias, stride: 2, padding: 1).scalars }
            #expect(Reference.worstError(fast, classic) < 1e-5)
            #expect(fast != classic)
        }
    }

    /// A forward recorded under `.im2col` keeps NCHW columns, one recorded under
    /// `.automatic` channels-last columns; each gradient, taken in the other scope,
    /// must read them as they were written.
    @Test func gradientUsesTheForwardsKernel() {
        var rng = SeededGenerator(seed: 33)
        let x = Tensor.randomNormal(shape: [3, 16, 7, 7], using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: [16, 16, 3, 3], using: &rng) * 0.1).requiringGradient()
        let r = Tensor.randomNormal(shape: [3, 16, 4, 4], using: &rng)
        let reference = Reference.naive(x: x, w: w, r: r, stride: 2, padding: 1)
        let classic = ConvolutionAlgorithm.with(.im2col) { conv2d(x, weight: w, bias: nil, stride: 2, padding: 1) }
        let fast = conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)
        let g1 = gradients(of: (classic * r).sum(), with: [x, w])
        let g2 = ConvolutionAlgorithm.with(.im2col) { gradients(of: (fast * r).sum(), with: [x, w]) }
        for g in [g1, g2] {
            #expect(Reference.worstError(g[0].scalars, reference.dx) < 2e-5)
            #expect(Reference.worstError(g[1].scalars, reference.dw) < 2e-4)
        }
    }
}

/// `MatrixTranspose` (8x8 vector blocks and scalar edges, and the portable
/// scalar path) against the definition.
@Suite struct MatrixTransposeTests {
    @Test(arguments: [(1, 1), (8, 8), (64, 9), (9, 64), (13, 27), (16, 196), (196, 64), (7, 3)])
    func transposeIsExact(_ rows: Int, _ columns: Int) {
        let src = (0..<(rows * columns)).map { Float($0) * 0.5 - 7 }
        for (path, transpose) in [("dispatched", MatrixTranspose.transpose), ("scalar", MatrixTranspose.scalarTranspose)] {
            var dst = [Float](repeating: .nan, count: rows * columns)
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    transpose(s.baseAddress!, rows, columns, d.baseAddress!)
                }
            }
            var wrong = 0
            for i in 0..<rows { for j in 0..<columns where dst[j * rows + i] != src[i * columns + j] { wrong += 1 } }
            #expect(wrong == 0, "\(path) \(rows)x\(columns): \(wrong) values misplaced")
        }
    }
}

/// The zero-padded channels-last layout of `ImplicitColumnConvolution`, both ways
/// (the vector kernels with their 8x8 blocks and edges, on this CPU), against the
/// definition: a destination full of NaN must come back with every border value
/// zero and every interior value in place.
@Suite struct PaddedChannelsLastTests {
    @Test(arguments: [(64, 14, 14, 1), (64, 7, 7, 1), (16, 4, 4, 1), (20, 3, 3, 2), (9, 11, 10, 0), (8, 1, 1, 1)])
    func roundTripsWithZeroBorders(_ c: Int, _ h: Int, _ w: Int, _ padding: Int) {
        let hp = h + 2 * padding, wp = w + 2 * padding
        let x = (0..<(c * h * w)).map { Float($0) * 0.25 + 1 }
        var padded = [Float](repeating: .nan, count: hp * wp * c)
        var back = [Float](repeating: .nan, count: c * h * w)
        x.withUnsafeBufferPointer { xs in
            padded.withUnsafeMutableBufferPointer { p in
                MatrixTranspose.toPaddedChannelsLast(xs.baseAddress!, channels: c, height: h, width: w, padding: padding,
                                                     p.baseAddress!)
            }
        }
        var misplaced = 0, dirtyBorder = 0
        for y in 0..<hp {
            for xi in 0..<wp {
                for ci in 0..<c {
                    let v = padded[(y * wp + xi) * c + ci]
                    let (iy, ix) = (y - padding, xi - padding)
                    if iy >= 0 && iy < h && ix >= 0 && ix < w {
                        if v != x[(ci * h + iy) * w + ix] { misplaced += 1 }
                    } else if v != 0 {
                        dirtyBorder += 1
                    }
                }
            }
        }
        #expect(misplaced == 0 && dirtyBorder == 0, "\(c)x\(h)x\(w) pad \(padding): \(misplaced) misplaced, \(dirtyBorder) border values not zero")
        padded.withUnsafeBufferPointer { p in
            back.withUnsafeMutableBufferPointer { b in
                MatrixTranspose.fromPaddedChannelsLast(p.baseAddress!, channels: c, height: h, width: w, padding: padding,
                                                       b.baseAddress!)
            }
        }
        #expect(back == x)
    }
}

