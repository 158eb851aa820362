import CConvKernels

/// The differentiable backward of `batchNormReLUChannelsLast`: what its `createGraph`
/// backward records, so that second-order methods (MAML) differentiate it again.
///
/// Batch norm's gradient built from elementwise ops (`BatchNormKernels.composite`: about
/// a dozen ops forward, two or three more each backward, and sums where values are
/// reused) took 7-8% of a MAML task. Here it is three ops whose values come from the
/// fused first-order kernels and whose own backward is written out:
///
/// with `x̂ = (x − μ)·s` (`s = 1/sqrt(σ² + ε)`, batch statistics per channel), `M` the
/// ReLU mask (the forward's output `> 0`), `gz = M·g` and `h = γ·gz`,
///
/// - `dx = s·(h − mean(h) − x̂·mean(h·x̂))`,
/// - `dγ = Σ gz·x̂`, `dβ = Σ gz` (sums and means over the rows, per channel).
///
/// Given `u = ∂L/∂dx`: `∂L/∂g = M·γ·s·(u − ū − x̂·mean(u·x̂))`,
/// `∂L/∂γ = Σ s·(u − ū − x̂·mean(u·x̂))·gz` and
/// `∂L/∂x = s²·(−x̂·(mean(u·h) − ū·h̄ − 3·mean(h·x̂)·mean(u·x̂)) − mean(u·x̂)·(h − h̄) − mean(h·x̂)·(u − ū))`
/// (through `s` and `x̂`; the mask is piecewise constant). Given `w = ∂L/∂dγ`:
/// `∂L/∂g = M·w·x̂`, `∂L/∂x = w·s·(gz − mean(gz) − x̂·mean(gz·x̂))`; given `w = ∂L/∂dβ`:
/// `∂L/∂g = M·w`. Without `createGraph` these run as loops over the rows (`ccv_bn_cl_second_*`
/// in `BatchNormSecondOrder.c`: vectorised along the channels, rows in parts as in
/// `ChannelsLastBatchNorm`, so the results do not depend on the thread count); with it
/// (third derivatives) as the same formulas in differentiable ops.
enum BatchNormReLUGradient {
    /// What the three ops share: the rows and channels, the ReLU mask (1 or 0 per value,
    /// row-major like `x`) and the forward's per-channel statistics.
    struct Context: @unchecked Sendable {
        let rows: Int, channels: Int
        let mask: TensorStorage
        let mean: [Float], invStd: [Float]
        let epsilon: Float
    }

    /// `dx`, `dScale` and `dOffset` (each nil unless `needs`) of batch norm + ReLU at `x`
    /// (`[..., C]`) for the gradient `g` at its (unbordered) output; `scale` `[C]` or nil.
    static func gradients(x: Tensor, g: Tensor, scale: Tensor?, context ctx: Context,
                          needs: (x: Bool, scale: Bool, offset: Bool)) -> (Tensor?, Tensor?, Tensor?) {
        let (m, c) = (ctx.rows, ctx.channels)
        let dx = needs.x ? TensorStorage(uninitializedCount: m * c) : nil
        let dScale = TensorStorage(uninitializedCount: c), dOffset = TensorStorage(uninitializedCount: c)
        // The values: the fused first-order kernels on the masked gradient, with an affine
        // map (0·x + 1) that the kernels' own ReLU test passes everywhere.
        let gz = TensorStorage(uninitializedCount: m * c)
        ccv_bn_cl_mask_product(ctx.mask.base, g.storage.base, gz.base, m * c)
        let saved = ChannelsLastBatchNorm.Saved(mean: ctx.mean, invStd: ctx.invStd, a: Array(repeating: 0, count: c),
                                                b: Array(repeating: 1, count: c))
        ChannelsLastBatchNorm.backward(x: x.storage.base, g: gz.base, rows: m, channels: c, saved: saved,
                                       scale: scale.map { UnsafePointer($0.storage.base) }, dx: dx?.base,
                                       dScale: dScale.base, dOffset: dOffset.base)
        let record = Tensor.shouldRecord([x, g] + (scale.map { [$0] } ?? []))
        var outDx: Tensor?, outScale: Tensor?, outOffset: Tensor?
        if let dx {
            let inputs = [x, g] + (scale.map { [$0] } ?? [])
            outDx = Tensor.result("batchNormReLUGradient.dx", dx, shape: x.shape, inputs: inputs, record: record,
                                  backward: { b in inputGradientBackward(b, ctx) })
        }
        if needs.scale {
            outScale = Tensor.result("batchNormReLUGradient.dScale", dScale, shape: [c], inputs: [x, g],
                                     record: Tensor.shouldRecord(x, g), backward: { b in scaleGradientBackward(b, ctx) })
        }
        if needs.offset {
            outOffset = Tensor.result("batchNormReLUGradient.dOffset", dOffset, shape: [c], inputs: [g],
                                      record: Tensor.shouldRecord(g), backward: { b in offsetGradientBackward(b, ctx) })
        }
        return (outDx, outScale, outOffset)
    }

    /// The backward of `dx` (inputs `x`, `g`, and `scale` when given).
    private static func inputGradientBackward(_ b: BackwardContext, _ ctx: Context) -> [Tensor?] {
        let (m, c) = (ctx.rows, ctx.channels)
        let hasScale = b.inputs.count == 3
        if b.createGraph {
            let (x, g) = (b.inputs[0].reshaped([m, c]), b.inputs[1].reshaped([m, c]))
            let gamma = hasScale ? b.inputs[2].reshaped([1, c]) : nil
            let u = b.grad.reshaped([m, c]), mask = maskTensor(ctx)
            let (s, xh) = normalised(x, ctx)
            let gz = g * mask, h = gamma.map { gz * $0 } ?? gz
            let uMean = u.mean(axes: [0], keepingDimensions: true)
            let uxMean = (u * xh).mean(axes: [0], keepingDimensions: true)
            let hMean = h.mean(axes: [0], keepingDimensions: true)
            let hxMean = (h * xh).mean(axes: [0], keepingDimensions: true)
            let uhMean = (u * h).mean(axes: [0], keepingDimensions: true)
            let projected = s * (u - uMean - xh * uxMean)
            let dg = gamma.map { mask * $0 * projected } ?? mask * projected
            let dx = (s * s) * ((xh * (uhMean - uMean * hMean - 3 * hxMean * uxMean)).scaled(by: -1)
                                - uxMean * (h - hMean) - hxMean * (u - uMean))
            var grads: [Tensor?] = [b.needs[0] ? dx.reshaped(b.inputs[0].shape) : nil,
                                    b.needs[1] ? dg.reshaped(b.inputs[1].shape) : nil]
            if hasScale { grads.append(b.needs[2] ? (projected * gz).sum(axes: [0]) : nil) }
            return grads
        }
        let x = b.inputs[0].storage.base, g = b.inputs[1].storage.base, u = b.grad.storage.base
        let mask = ctx.mask.base
        let dx = b.needs[0] ? TensorStorage(uninitializedCount: m * c) : nil
        let dg = b.needs[1] ? TensorStorage(uninitializedCount: m * c) : nil
        let dScale = hasScale && b.needs[2] ? TensorStorage(uninitializedCount: c) : nil
        let parts = IntraOpParallelism.parts(elements: m * c, items: m)
        // Per part: the five sums (5·c), their work (5·c), a partial dScale (c) and its
        // work (c); then the five coefficients of the second pass (5·c) and γ (c).
        let perPart = 12 * c
        BufferPool.withScratch(parts * perPart + 6 * c) { scratch in
            let coefficients = scratch + parts * perPart, gamma = coefficients + 5 * c
            for j in 0..<c { gamma[j] = hasScale ? b.inputs[2].storage.base[j] : 1 }
            ctx.mean.withUnsafeBufferPointer { mean in
            ctx.invStd.withUnsafeBufferPointer { invStd in
                let (mu, s) = (mean.baseAddress!, invStd.baseAddress!)
                IntraOpParallelism.run(parts: parts) { part in
                    let range = IntraOpParallelism.range(part, of: parts, count: m), first = range.lowerBound * c
                    let sums = scratch + part * perPart
                    ccv_bn_cl_second_input_sums(x + first, g + first, u + first, mask + first, range.count, c, c,
                                                mu, s, gamma, sums, sums + 5 * c)
                }
                // The means of u, u·x̂, h, h·x̂, and the x coefficient uh − ū·h̄ − 3·hx·ux.
                addParts(scratch, parts: parts, stride: perPart, count: 5 * c, scaledBy: 1 / Float(m),
                         into: coefficients)
                for j in 0..<c {
                    let (uMean, uxMean, hMean, hxMean) = (coefficients[j], coefficients[c + j],
                                                          coefficients[2 * c + j], coefficients[3 * c + j])
                    coefficients[4 * c + j] = coefficients[4 * c + j] - uMean * hMean - 3 * hxMean * uxMean
                }
                IntraOpParallelism.run(parts: parts) { part in
                    let range = IntraOpParallelism.range(part, of: parts, count: m)
                    let first = range.lowerBound * c, region = scratch + part * perPart
                    ccv_bn_cl_second_input_apply(x + first, g + first, u + first, mask + first, range.count, c, c,
                                                 mu, s, gamma, coefficients, dx.map { $0.base + first },
                                                 dg.map { $0.base + first }, dScale == nil ? nil : region + 10 * c,
                                                 region + 11 * c)
                }
            }
            }
            if let dScale {
                addParts(scratch + 10 * c, parts: parts, stride: perPart, count: c, scaledBy: 1, into: dScale.base)
            }
        }
        var grads: [Tensor?] = [dx.map { Tensor(storage: $0, shape: b.inputs[0].shape) },
                                dg.map { Tensor(storage: $0, shape: b.inputs[1].shape) }]
        if hasScale { grads.append(dScale.map { Tensor(storage: $0, shape: [c]) }) }
        return grads
    }

    /// The backward of `dScale` (inputs `x`, `g`).
    private static func scaleGradientBackward(_ b: BackwardContext, _ ctx: Context) -> [Tensor?] {
        let (m, c) = (ctx.rows, ctx.channels)
        if b.createGraph {
            let (x, g) = (b.inputs[0].reshaped([m, c]), b.inputs[1].reshaped([m, c]))
            let w = b.grad.reshaped([1, c]), mask = maskTensor(ctx)
            let (s, xh) = normalised(x, ctx)
            let gz = g * mask
            let dx = w * s * (gz - gz.mean(axes: [0], keepingDimensions: true)
                              - xh * (gz * xh).mean(axes: [0], keepingDimensions: true))
            return [b.needs[0] ? dx.reshaped(b.inputs[0].shape) : nil,
                    b.needs[1] ? (mask * w * xh).reshaped(b.inputs[1].shape) : nil]
        }
        let x = b.inputs[0].storage.base, g = b.inputs[1].storage.base, w = b.grad.storage.base
        let mask = ctx.mask.base
        let dx = b.needs[0] ? TensorStorage(uninitializedCount: m * c) : nil
        let dg = b.needs[1] ? TensorStorage(uninitializedCount: m * c) : nil
        let parts = IntraOpParallelism.parts(elements: m * c, items: m)
        // Per part: the sums of gz and gz·x̂ (2·c) and their work (2·c); then their means.
        BufferPool.withScratch(parts * 4 * c + 2 * c) { scratch in
            let means = scratch + parts * 4 * c
            ctx.mean.withUnsafeBufferPointer { mean in
            ctx.invStd.withUnsafeBufferPointer { invStd in
                let (mu, s) = (mean.baseAddress!, invStd.baseAddress!)
                IntraOpParallelism.run(parts: parts) { part in
                    let range = IntraOpParallelism.range(part, of: parts, count: m), first = range.lowerBound * c
                    let sums = scratch + part * 4 * c
                    ccv_bn_cl_second_scale_sums(x + first, g + first, mask + first, range.count, c, c, mu, s, sums,
                                                sums + 2 * c)
                }
                addParts(scratch, parts: parts, stride: 4 * c, count: 2 * c, scaledBy: 1 / Float(m), into: means)
                IntraOpParallelism.run(parts: parts) { part in
                    let range = IntraOpParallelism.range(part, of: parts, count: m), first = range.lowerBound * c
                    ccv_bn_cl_second_scale_apply(x + first, g + first, mask + first, range.count, c, c, mu, s, w,
                                                 means, dx.map { $0.base + first }, dg.map { $0.base + first })
                }
            }
            }
        }
        return [dx.map { Tensor(storage: $0, shape: b.inputs[0].shape) },
                dg.map { Tensor(storage: $0, shape: b.inputs[1].shape) }]
    }

    /// The backward of `dOffset` (input `g`): the mask times the channel's gradient.
    private static func offsetGradientBackward(_ b: BackwardContext, _ ctx: Context) -> [Tensor?] {
        let (m, c) = (ctx.rows, ctx.channels)
        guard b.needs[0] else { return [nil] }
        if b.createGraph { return [(maskTensor(ctx) * b.grad.reshaped([1, c])).reshaped(b.inputs[0].shape)] }
        let out = TensorStorage(uninitializedCount: m * c)
        ccv_bn_cl_mask_rows(ctx.mask.base, b.grad.storage.base, out.base, m, c, c)
        return [Tensor(storage: out, shape: b.inputs[0].shape)]
    }

    /// `out[j] = factor · Σ partial[part·stride + j]` over the parts, added in part order
    /// (so the result does not depend on how many threads ran the parts).
    private static func addParts(_ partial: UnsafePointer<Float>, parts: Int, stride: Int, count: Int,
                                 scaledBy factor: Float, into out: UnsafeMutablePointer<Float>) {
        for j in 0..<count {
            var sum: Float = 0
            for part in 0..<parts { sum += partial[part * stride + j] }
            out[j] = sum * factor
        }
    }

    /// The mask as a constant `[m, c]` tensor.
    private static func maskTensor(_ ctx: Context) -> Tensor {
        Tensor(storage: ctx.mask, shape: [ctx.rows, ctx.channels])
    }

    /// `s` (`[1, c]`) and `x̂` (`[m, c]`) as differentiable functions of `x` (`[m, c]`).
    private static func normalised(_ x: Tensor, _ ctx: Context) -> (Tensor, Tensor) {
        let centred = x - x.mean(axes: [0], keepingDimensions: true)
        let s = (centred.squared().mean(axes: [0], keepingDimensions: true) + ctx.epsilon).pow(-0.5)
        return (s, centred * s)
    }
}
