import Autograd
import Testing

/// `conv2dChannelsLast` and `batchNormReLUChannelsLast` against their NCHW counterparts
/// on the transposed tensors: forward, first- and second-order gradients agree to
/// rounding on every kernel path, results are the same bits at one and two threads and
/// with or without a recorded gradient. (Finite differences of the ops themselves are
/// in `OpCase.all`.)
@Suite struct ChannelsLastOpsTests {
    static let toNHWC = [0, 2, 3, 1], toNCHW = [0, 3, 1, 2]

    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        let scale = max(b.map { Swift.abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { Swift.abs($0 - $1) }.max()! / scale
    }

    /// Forward, input and weight (and bias) gradients, and the second-order terms
    /// (gradient of `<g, v>` with `createGraph`), of a convolution in `layout`.
    static func passes(channelsLast: Bool, x: Tensor, w: Tensor, b: Tensor?, stride: Int, padding: Int,
                       seed: UInt64) -> [[Float]] {
        // x is NCHW; the channels-last run sees its transpose and returns NCHW-ordered values.
        let leaves = ([x, w] + (b.map { [$0] } ?? [])).map { $0.detached().requiringGradient() }
        let input = channelsLast ? leaves[0].permuted(toNHWC) : leaves[0]
        let bias = b == nil ? nil : leaves[2]
        var y = channelsLast
            ? conv2dChannelsLast(input, weight: leaves[1], bias: bias, stride: stride, padding: padding)
            : conv2d(input, weight: leaves[1], bias: bias, stride: stride, padding: padding)
        if channelsLast { y = y.permuted(toNCHW) }
        var rng = SeededGenerator(seed: seed)
        let r = Tensor.randomNormal(shape: y.shape, using: &rng)
        let g = gradients(of: (y.tanh() * r).sum(), with: leaves, createGraph: true)
        let v = leaves.map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        var dot = Tensor(0)
        for (gk, vk) in zip(g, v) { dot = dot + (gk * vk).sum() }
        let h = gradients(of: dot, with: leaves)
        return [y.scalars] + g.map(\.scalars) + h.map(\.scalars)
    }

    /// MAML's Conv4 layers 2-4 (the channels-last tiles: 64 -> 64 channels at stride 2 on
    /// 14x14, 7x7 and 2x2 maps), 24 output channels (the forward not tiled), the first
    /// layer (one channel, stride 2: `OneChannelConvolution`; stride 1: the single-channel
    /// kernel between transposes), 3 -> 16 channels (NCHW im2col between transposes),
    /// a stride-1 Winograd shape, and a 5x5 kernel.
    @Test(arguments: [([6, 64, 14, 14], [64, 64, 3, 3], 2, 1), ([5, 64, 7, 7], [64, 64, 3, 3], 2, 1),
                      ([9, 64, 2, 2], [64, 64, 3, 3], 2, 1), ([4, 16, 7, 7], [24, 16, 3, 3], 2, 1),
                      ([7, 1, 28, 28], [64, 1, 3, 3], 2, 1), ([3, 1, 10, 9], [16, 1, 3, 3], 1, 1),
                      ([3, 3, 9, 8], [16, 3, 3, 3], 2, 1), ([2, 16, 9, 9], [16, 16, 3, 3], 1, 1),
                      ([2, 32, 9, 8], [32, 32, 5, 5], 1, 2)])
    func agreesWithNCHW(_ xShape: [Int], _ wShape: [Int], _ stride: Int, _ padding: Int) {
        var rng = SeededGenerator(seed: UInt64(xShape.reduce(0, +) + wShape[0]))
        let x = Tensor.randomNormal(shape: xShape, using: &rng)
        let w = Tensor.randomNormal(shape: wShape, using: &rng) * (1 / Float(wShape[1] * 9).squareRoot())
        let b = Tensor.randomNormal(shape: [wShape[0]], using: &rng)
        let nchw = Self.passes(channelsLast: false, x: x, w: w, b: b, stride: stride, padding: padding, seed: 3)
        let nhwc = Self.passes(channelsLast: true, x: x, w: w, b: b, stride: stride, padding: padding, seed: 3)
        let names = ["output", "dx", "dw", "db", "second order x", "second order w", "second order b"]
        for (name, (a, ref)) in zip(names, zip(nhwc, nchw)) {
            #expect(Self.worst(a, ref) < 5e-5, "\(name) \(xShape) \(wShape)")
        }
        #expect(nhwc[4].contains { $0 != 0 } && nhwc[5].contains { $0 != 0 }, "second-order terms are not all zero")
    }

    /// The same bits at one and two threads (parts are cut by shape), and the forward
    /// recorded for a weight gradient (which keeps columns or a padded copy) gives the
    /// bits of the unrecorded one (which reads a scratch block).
    @Test(arguments: [([12, 14, 14, 64], [64, 64, 3, 3]), ([40, 28, 28, 1], [64, 1, 3, 3]),
                      ([8, 9, 9, 3], [16, 3, 3, 3])])
    func widthAndRecordingIndependent(_ xShape: [Int], _ wShape: [Int]) {
        var rng = SeededGenerator(seed: 41)
        let x = Tensor.randomNormal(shape: xShape, using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: wShape, using: &rng) * 0.1).requiringGradient()
        let b = Tensor.randomNormal(shape: [wShape[0]], using: &rng).requiringGradient()
        func run() -> [[Float]] {
            let y = conv2dChannelsLast(x, weight: w, bias: b, stride: 2, padding: 1)
            let r = Tensor(shape: y.shape, scalars: (0..<y.count).map { Float($0 % 7) - 3 })
            return [y.scalars] + gradients(of: (y * r).sum(), with: [x, w, b]).map(\.scalars)
        }
        let one = IntraOpParallelism.withWidth(1) { run() }
        let two = IntraOpParallelism.withWidth(2) { run() }
        let sameAcrossWidths = one == two  // compared outside #expect, which would print every value
        #expect(sameAcrossWidths, "one and two threads must give the same bits")
        let unrecorded = withoutGradient { conv2dChannelsLast(x, weight: w, bias: b, stride: 2, padding: 1).scalars }
        let sameForward = unrecorded == one[0]
        #expect(sameForward, "the forward must not depend on whether the weight gradient is wanted")
    }

    /// A forward recorded under `.im2col` (NCHW kernels between transposes) and its
    /// gradient taken under `.automatic` (and the reverse) read what was kept as it was
    /// written: both agree with the NCHW convolution.
    @Test func gradientUsesTheForwardsKernel() {
        var rng = SeededGenerator(seed: 43)
        let x = Tensor.randomNormal(shape: [3, 16, 7, 7], using: &rng).requiringGradient()
        let w = (Tensor.randomNormal(shape: [16, 16, 3, 3], using: &rng) * 0.1).requiringGradient()
        let r = Tensor.randomNormal(shape: [3, 16, 4, 4], using: &rng)
        let reference = gradients(of: (conv2d(x, weight: w, bias: nil, stride: 2, padding: 1) * r).sum(), with: [x, w])
        let classic = ConvolutionAlgorithm.with(.im2col) {
            conv2dChannelsLast(x.permuted(Self.toNHWC), weight: w, bias: nil, stride: 2, padding: 1)
        }
        let fast = conv2dChannelsLast(x.permuted(Self.toNHWC), weight: w, bias: nil, stride: 2, padding: 1)
        let g1 = gradients(of: (classic.permuted(Self.toNCHW) * r).sum(), with: [x, w])
        let g2 = ConvolutionAlgorithm.with(.im2col) { gradients(of: (fast.permuted(Self.toNCHW) * r).sum(), with: [x, w]) }
        for g in [g1, g2] {
            #expect(Self.worst(g[0].scalars, reference[0].scalars) < 2e-5)
            #expect(Self.worst(g[1].scalars, reference[1].scalars) < 2e-5)
        }
    }

    /// Batch norm + ReLU channels-last against the NCHW op on the transposed input:
    /// forward, first-order gradients (the fused kernel, whose ReLU mask is recomputed
    /// from the input) and second-order terms (`BatchNormReLUGradient` against the NCHW
    /// composite), with a scale and without one (`conv4-maml-tf`). Shapes: MAML's layer
    /// outputs at a small batch, odd sizes split into parts, and `[N, C]`.
    @Test(arguments: [[6, 64, 14, 14], [75, 64, 2, 2], [5, 3, 7, 9], [40, 20, 9, 9], [12, 7]], [true, false])
    func batchNormReLUAgreesWithNCHW(_ shape: [Int], scaled: Bool) {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(0, +)))
        let c = shape[1]
        let x = (Tensor.randomNormal(shape: shape, using: &rng) * 2 + 0.5).requiringGradient()
        let scaleValues = Tensor.randomUniform(shape: [c], low: 0.5, high: 1.5, using: &rng).requiringGradient()
        let scale: Tensor? = scaled ? scaleValues : nil
        let offset = Tensor.randomUniform(shape: [c], low: -0.5, high: 0.5, using: &rng).requiringGradient()
        let inputs = scaled ? [x, scaleValues, offset] : [x, offset]
        let toLast = shape.count == 4 ? Self.toNHWC : [0, 1], toFirst = shape.count == 4 ? Self.toNCHW : [0, 1]
        let ref = batchNormReLU(x, scale: scale, offset: offset)
        let out = batchNormReLUChannelsLast(x.permuted(toLast), scale: scale, offset: offset).permuted(toFirst)
        #expect(Self.worst(out.scalars, ref.scalars) < 1e-5, "forward")
        let zeros = out.scalars.filter { $0 == 0 }.count
        #expect(zeros > 0 && zeros < out.count, "the inputs must reach both sides of the ReLU")

        let r = Tensor.randomNormal(shape: ref.shape, using: &rng)
        let v = inputs.map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        func grads(_ y: Tensor) -> [[Float]] {
            let first = gradients(of: (y * r).sum(), with: inputs)
            let g = gradients(of: (y * y * r).sum(), with: inputs, createGraph: true)
            var dot = Tensor(0)
            for (gk, vk) in zip(g, v) { dot = dot + (gk * vk).sum() }
            return first.map(\.scalars) + gradients(of: dot, with: inputs).map(\.scalars)
        }
        let a = grads(out), b = grads(ref)
        let names = scaled ? ["dx", "dscale", "doffset", "Hv x", "Hv scale", "Hv offset"]
                           : ["dx", "doffset", "Hv x", "Hv offset"]
        #expect(a.count == names.count)
        for (name, (ga, gb)) in zip(names, zip(a, b)) {
            #expect(Self.worst(ga, gb) < 5e-5, "\(name) \(shape)")
            #expect(ga.contains { $0 != 0 }, "\(name) \(shape) must not vanish")
        }
        if !scaled {
            // Without a scale the op equals the scaled one at scale 1.
            let ones = batchNormReLUChannelsLast(x.permuted(toLast), scale: Tensor(ones: [c]), offset: offset)
            #expect(Self.worst(ones.permuted(toFirst).scalars, out.scalars) == 0, "scale nil = scale 1")
        }
    }

    /// Third derivatives of batch norm + ReLU: the second-order backward's ops
    /// (`BatchNormReLUGradient`) run their backward as loops, or, recorded, as the same
    /// formulas in differentiable ops. Both give the same Hessian-vector product, and the
    /// recorded one's gradient (a third derivative) matches central differences of it.
    @Test(arguments: [[4, 3, 2, 5], [9, 6]])
    func batchNormReLUThirdDerivatives(_ shape: [Int]) {
        let c = shape[shape.count - 1]
        var rng = SeededGenerator(seed: UInt64(61 + shape.count))
        let x0 = Tensor.randomNormal(shape: shape, using: &rng) * 2 + 0.3
        let scale0 = Tensor.randomUniform(shape: [c], low: 0.5, high: 1.5, using: &rng)
        let offset0 = Tensor.randomUniform(shape: [c], low: -0.3, high: 0.3, using: &rng)
        let r = Tensor.randomNormal(shape: shape, using: &rng)
        let v = [x0, scale0, offset0].map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        let q = [x0, scale0, offset0].map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        let d = [x0, scale0, offset0].map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        /// Hv of L = Σ r·tanh(y) at the inputs, recorded (createGraph) or not.
        func hv(_ inputs: [Tensor], recorded: Bool) -> [Tensor] {
            let leaves = inputs.map { $0.requiresGradient ? $0 : $0.requiringGradient() }
            let y = batchNormReLUChannelsLast(leaves[0], scale: leaves[1], offset: leaves[2])
            let g = gradients(of: (y.tanh() * r).sum(), with: leaves, createGraph: true)
            var dot = Tensor(0)
            for (gk, vk) in zip(g, v) { dot = dot + (gk * vk).sum() }
            return gradients(of: dot, with: leaves, createGraph: recorded)
        }
        let inputs = [x0, scale0, offset0]
        let loops = hv(inputs, recorded: false), recordedValues = hv(inputs, recorded: true)
        for (k, (a, b)) in zip(loops, recordedValues).enumerated() {
            #expect(Self.worst(b.scalars, a.scalars) < 1e-4, "Hv of input \(k), recorded against loops")
        }
        // Q = Σ q·Hv: its gradient (third derivatives) along d against central differences.
        func quadratic(_ t: [Tensor]) -> Double {
            zip(t, q).reduce(0.0) { sum, pair in
                sum + zip(pair.0.scalars, pair.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
        }
        let leaves = inputs.map { $0.requiringGradient() }
        let t = hv(leaves, recorded: true)
        var qt = Tensor(0)
        for (tk, qk) in zip(t, q) { qt = qt + (tk * qk).sum() }
        let third = gradients(of: qt, with: leaves)
        let analytic = zip(third, d).reduce(0.0) { sum, pair in
            sum + zip(pair.0.scalars, pair.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let eps: Float = 2e-3
        let plus = quadratic(hv(zip(inputs, d).map { $0 + $1 * eps }, recorded: false))
        let minus = quadratic(hv(zip(inputs, d).map { $0 - $1 * eps }, recorded: false))
        let numeric = (plus - minus) / (2 * Double(eps))
        #expect(Swift.abs(analytic - numeric) <= 1e-2 + 2e-2 * Swift.max(Swift.abs(analytic), Swift.abs(numeric)),
                "third derivative along d: analytic \(analytic), numeric \(numeric)")
        #expect(Swift.abs(analytic) > 1e-2, "the third derivative must not vanish here")
    }

    /// The one-pass statistics are shifted by each channel's first value: a channel whose
    /// mean is 10^4 times its spread still normalises to unit variance (an unshifted
    /// `E[x²] − E[x]²` loses all of it in Float: E[x²] ≈ 10^8, resolution 8).
    @Test func statisticsSurviveALargeMean() {
        var rng = SeededGenerator(seed: 47)
        let x = Tensor.randomNormal(shape: [64, 8], using: &rng) + 10_000
        // No ReLU zeros would hide the variance: compare the pre-ReLU values through an offset.
        let y = batchNormReLUChannelsLast(x, scale: nil, offset: Tensor(shape: [8], scalars: Array(repeating: 10, count: 8)))
        let ref = batchNormReLU(x, scale: nil, offset: Tensor(shape: [8], scalars: Array(repeating: 10, count: 8)))
        #expect(Self.worst(y.scalars, ref.scalars) < 1e-3)
        let centred = y.scalars.map { $0 - 10 }
        for ci in 0..<8 {
            let column = stride(from: ci, to: centred.count, by: 8).map { Double(centred[$0]) }
            let variance = column.map { $0 * $0 }.reduce(0, +) / Double(column.count)
            #expect(Swift.abs(variance - 1) < 2e-2, "channel \(ci): variance \(variance)")
        }
    }

    /// The same bits at one and two threads (parts own row ranges), for the forward, the
    /// first-order gradients and the second-order terms (`BatchNormReLUGradient`'s loops:
    /// a Hessian-vector product through all three of its ops).
    @Test func batchNormReLUIsWidthIndependent() {
        var rng = SeededGenerator(seed: 53)
        let x = Tensor.randomNormal(shape: [40, 14, 14, 64], using: &rng).requiringGradient()
        let scale = Tensor.randomUniform(shape: [64], low: 0.5, high: 1.5, using: &rng).requiringGradient()
        let offset = Tensor.randomUniform(shape: [64], low: -0.5, high: 0.5, using: &rng).requiringGradient()
        let r = Tensor.randomNormal(shape: x.shape, using: &rng)
        let v = [x, scale, offset].map { Tensor.randomNormal(shape: $0.shape, using: &rng) }
        func run() -> [[Float]] {
            let y = batchNormReLUChannelsLast(x, scale: scale, offset: offset)
            let first = gradients(of: (y * r).sum(), with: [x, scale, offset])
            let g = gradients(of: (y * y * r).sum(), with: [x, scale, offset], createGraph: true)
            var dot = Tensor(0)
            for (gk, vk) in zip(g, v) { dot = dot + (gk * vk).sum() }
            let second = gradients(of: dot, with: [x, scale, offset])
            return [y.scalars] + first.map(\.scalars) + second.map(\.scalars)
        }
        let one = IntraOpParallelism.withWidth(1) { run() }
        let two = IntraOpParallelism.withWidth(2) { run() }
        let same = one == two
        #expect(same)
    }
}
