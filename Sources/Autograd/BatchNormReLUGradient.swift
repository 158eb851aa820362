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
/// `∂L/∂g = M·w`. Without `createGraph` these run as loops over the rows; with it (third
/// derivatives) as the same formulas in differentiable ops.
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
        let (mask, gBase, gzBase) = (ctx.mask.base, g.storage.base, gz.base)
        for i in 0..<(m * c) { gzBase[i] = mask[i] * gBase[i] }
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

    /// Runs `body` with `k` zeroed per-channel arrays of `c` floats.
    private static func withChannelScratch<R>(_ k: Int, _ c: Int, _ body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
        BufferPool.withScratch(k * c) { base in
            base.update(repeating: 0, count: k * c)
            return body((0..<k).map { base + $0 * c })
        }
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
        let dScale = TensorStorage(count: c, repeating: 0)
        // Per channel: μ, s, γ, then the sums of u, u·x̂, h, h·x̂, u·h over the rows.
        withChannelScratch(8, c) { t in
            let (mu, s, gamma) = (t[0], t[1], t[2])
            let (uSum, uxSum, hSum, hxSum, uhSum) = (t[3], t[4], t[5], t[6], t[7])
            for j in 0..<c {
                (mu[j], s[j]) = (ctx.mean[j], ctx.invStd[j])
                gamma[j] = hasScale ? b.inputs[2].storage.base[j] : 1
            }
            for r in 0..<m {
                let (xr, gr, ur, mr) = (x + r &* c, g + r &* c, u + r &* c, mask + r &* c)
                for j in 0..<c {
                    let xh = (xr[j] - mu[j]) * s[j], h = mr[j] * gr[j] * gamma[j], uu = ur[j]
                    uSum[j] += uu
                    uxSum[j] += uu * xh
                    hSum[j] += h
                    hxSum[j] += h * xh
                    uhSum[j] += uu * h
                }
            }
            // Now the means, and the x coefficient uh − ū·h̄ − 3·hx·ux in uhSum.
            let count = 1 / Float(m)
            for j in 0..<c {
                uSum[j] *= count; uxSum[j] *= count; hSum[j] *= count; hxSum[j] *= count; uhSum[j] *= count
                uhSum[j] = uhSum[j] - uSum[j] * hSum[j] - 3 * hxSum[j] * uxSum[j]
            }
            let (dxBase, dgBase, dsBase) = (dx?.base, dg?.base, dScale.base)
            for r in 0..<m {
                let (xr, gr, ur, mr) = (x + r &* c, g + r &* c, u + r &* c, mask + r &* c)
                if let dxBase {
                    let d = dxBase + r &* c
                    for j in 0..<c {
                        let xh = (xr[j] - mu[j]) * s[j], h = mr[j] * gr[j] * gamma[j]
                        d[j] = s[j] * s[j] * (-xh * uhSum[j] - uxSum[j] * (h - hSum[j]) - hxSum[j] * (ur[j] - uSum[j]))
                    }
                }
                if let dgBase {
                    let d = dgBase + r &* c
                    for j in 0..<c {
                        let xh = (xr[j] - mu[j]) * s[j]
                        d[j] = mr[j] * gamma[j] * s[j] * (ur[j] - uSum[j] - xh * uxSum[j])
                    }
                }
                if hasScale {
                    for j in 0..<c {
                        let xh = (xr[j] - mu[j]) * s[j]
                        dsBase[j] += s[j] * (ur[j] - uSum[j] - xh * uxSum[j]) * mr[j] * gr[j]
                    }
                }
            }
        }
        var grads: [Tensor?] = [dx.map { Tensor(storage: $0, shape: b.inputs[0].shape) },
                                dg.map { Tensor(storage: $0, shape: b.inputs[1].shape) }]
        if hasScale { grads.append(b.needs[2] ? Tensor(storage: dScale, shape: [c]) : nil) }
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
        // Per channel: μ, s, then the means of gz and gz·x̂.
        withChannelScratch(4, c) { t in
            let (mu, s, gzMean, gzxMean) = (t[0], t[1], t[2], t[3])
            for j in 0..<c { (mu[j], s[j]) = (ctx.mean[j], ctx.invStd[j]) }
            for r in 0..<m {
                let (xr, gr, mr) = (x + r &* c, g + r &* c, mask + r &* c)
                for j in 0..<c {
                    let gz = mr[j] * gr[j]
                    gzMean[j] += gz
                    gzxMean[j] += gz * (xr[j] - mu[j]) * s[j]
                }
            }
            let count = 1 / Float(m)
            for j in 0..<c { gzMean[j] *= count; gzxMean[j] *= count }
            let (dxBase, dgBase) = (dx?.base, dg?.base)
            for r in 0..<m {
                let (xr, gr, mr) = (x + r &* c, g + r &* c, mask + r &* c)
                if let dxBase {
                    let d = dxBase + r &* c
                    for j in 0..<c {
                        let xh = (xr[j] - mu[j]) * s[j]
                        d[j] = w[j] * s[j] * (mr[j] * gr[j] - gzMean[j] - xh * gzxMean[j])
                    }
                }
                if let dgBase {
                    let d = dgBase + r &* c
                    for j in 0..<c { d[j] = mr[j] * w[j] * (xr[j] - mu[j]) * s[j] }
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
        let w = b.grad.storage.base, mask = ctx.mask.base
        for r in 0..<m {
            for j in 0..<c { out.base[r &* c &+ j] = mask[r &* c &+ j] * w[j] }
        }
        return [Tensor(storage: out, shape: b.inputs[0].shape)]
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
