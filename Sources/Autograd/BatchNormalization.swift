import CConvKernels
import RealModule

/// Batch normalisation in training mode: each channel is normalised with the
/// statistics of the current batch (mean and biased variance over N, H, W for
/// NCHW input, over N for `[N, C]` input), then scaled and offset per channel.
///
/// `scale` and `offset`, when given, have shape `[C]`. This is the form MAML
/// uses (no running statistics). The forward pass and the first-order backward
/// are fused kernels; with `createGraph` the backward is built from
/// differentiable ops, so second derivatives are exact. Large inputs are
/// split by channels over `IntraOpParallelism` parts.
public func batchNorm(_ input: Tensor, scale: Tensor?, offset: Tensor?, epsilon: Float = 1e-5) -> Tensor {
    precondition(input.rank == 4 || input.rank == 2,
                 "batchNorm: input must be [N, C, H, W] or [N, C], got shape \(input.shape)")
    let n = input.shape[0], c = input.shape[1]
    let s = input.rank == 4 ? input.shape[2] * input.shape[3] : 1
    precondition(n * s > 0, "batchNorm: empty batch in shape \(input.shape)")
    if let scale { precondition(scale.shape == [c], "batchNorm: scale must have shape [\(c)], got \(scale.shape)") }
    if let offset { precondition(offset.shape == [c], "batchNorm: offset must have shape [\(c)], got \(offset.shape)") }
    let x = input.storage.base
    let out = TensorStorage(uninitializedCount: input.count)
    let y = out.base
    let (mean, invStd) = BatchNormKernels.forEachChannel(x, n: n, c: c, s: s, scale: scale, offset: offset,
                                                         epsilon: epsilon) { ci, a, b in
        for ni in 0..<n {
            let off = (ni &* c &+ ci) &* s
            Kernels.map(s, x + off, y + off) { $0 * a + b }
        }
    }
    let savedMean = mean, savedInvStd = invStd
    var inputs = [input]
    if let scale { inputs.append(scale) }
    if let offset { inputs.append(offset) }
    let hasScale = scale != nil, hasOffset = offset != nil
    return Tensor.result("batchNorm", out, shape: input.shape, inputs: inputs, record: Tensor.shouldRecord(inputs),
                         backward: { ctx in
        let scaleIndex = hasScale ? 1 : -1, offsetIndex = hasOffset ? (hasScale ? 2 : 1) : -1
        if ctx.createGraph {
            return BatchNormKernels.composite(ctx, scaleIndex: scaleIndex, offsetIndex: offsetIndex, epsilon: epsilon)
        }
        return BatchNormKernels.fused(ctx, mean: savedMean, invStd: savedInvStd, scaleIndex: scaleIndex, offsetIndex: offsetIndex)
    })
}

/// The kernels of `batchNorm` and `batchNormReLU`: the forwards' per-channel driver and
/// statistics, and the two backward implementations.
enum BatchNormKernels {
    /// Computes each channel's statistics of `x` (`[n, c, s]` contiguous) and calls
    /// `body(channel, a, b)` with the channel's affine map `x -> x·a + b`
    /// (`a = invStd·scale`, `b = offset − mean·a`) while the channel is in cache.
    /// Channels are independent: `IntraOpParallelism` parts own whole channels.
    /// Returns the means and inverse standard deviations, for the backward.
    static func forEachChannel(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, scale: Tensor?, offset: Tensor?,
                               epsilon: Float, _ body: (_ channel: Int, _ a: Float, _ b: Float) -> Void)
        -> (mean: [Float], invStd: [Float]) {
        var mean = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        let gamma = scale.map { UnsafePointer($0.storage.base) }, beta = offset.map { UnsafePointer($0.storage.base) }
        let parts = IntraOpParallelism.parts(elements: n * c * s, items: c)
        mean.withUnsafeMutableBufferPointer { meanOut in
        invStd.withUnsafeMutableBufferPointer { invStdOut in
        IntraOpParallelism.forEachRange(of: c, parts: parts) { slice in
        for ci in slice {
            let (mu, inv) = statistics(x, n: n, c: c, s: s, channel: ci, epsilon: epsilon)
            meanOut[ci] = mu
            invStdOut[ci] = inv
            let a = inv * (gamma?[ci] ?? 1)
            body(ci, a, (beta?[ci] ?? 0) - mu * a)
        }
        }
        }
        }
        return (mean, invStd)
    }

    /// The mean and `1 / sqrt(variance + epsilon)` (biased variance, two passes) of
    /// channel `channel` of `x`, `[n, c, s]` contiguous (`ccv_bn_planes_statistics`).
    @inline(__always)
    static func statistics(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, channel ci: Int,
                           epsilon: Float) -> (mean: Float, invStd: Float) {
        var mu: Float = 0, inv: Float = 0
        ccv_bn_planes_statistics(x + ci &* s, n, s, c &* s, epsilon, &mu, &inv)
        return (mu, inv)
    }

    /// Differentiable backward (recomputes the statistics from the recorded input). The
    /// channels are axis 1 of `[N, C, H, W]` or `[N, C]` (channels-last batch norm has its
    /// own, `BatchNormReLUGradient`).
    static func composite(_ ctx: BackwardContext, scaleIndex: Int, offsetIndex: Int, epsilon: Float) -> [Tensor?] {
        let x = ctx.inputs[0], g = ctx.grad
        let c = x.shape[1]
        let axes = x.rank == 4 ? [0, 2, 3] : [0]
        let channelShape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
        let mean = x.mean(axes: axes, keepingDimensions: true)
        let centered = x - mean
        let inv = (centered.squared().mean(axes: axes, keepingDimensions: true) + epsilon).pow(-0.5)
        let xhat = centered * inv
        var grads = [Tensor?](repeating: nil, count: ctx.inputs.count)
        if ctx.needs[0] {
            let dxhat = scaleIndex >= 0 ? g * ctx.inputs[scaleIndex].reshaped(channelShape) : g
            let dx = inv * (dxhat - dxhat.mean(axes: axes, keepingDimensions: true)
                            - xhat * (dxhat * xhat).mean(axes: axes, keepingDimensions: true))
            grads[0] = dx
        }
        if scaleIndex >= 0 && ctx.needs[scaleIndex] { grads[scaleIndex] = (g * xhat).sum(axes: axes) }
        if offsetIndex >= 0 && ctx.needs[offsetIndex] { grads[offsetIndex] = g.sum(axes: axes) }
        return grads
    }

    /// The flat input index of each pooled output, in a `BufferPool` buffer (a step's
    /// fresh multi-megabyte arrays cost page faults). Only C writes and reads them
    /// through `pointer`; `array` copies them out for the differentiable backward.
    /// Sendable as `TensorStorage` is: written once by the forward, then only read.
    final class PoolingIndices: @unchecked Sendable {
        private let storage: TensorStorage
        let count: Int
        init(count: Int) {
            self.count = count
            storage = TensorStorage(uninitializedCount: count)  // Int32 and Float have the same size
        }
        var pointer: UnsafeMutablePointer<Int32> { UnsafeMutablePointer(OpaquePointer(storage.base)) }
        var array: [Int32] {
            let raw = UnsafeRawPointer(storage.base)
            return (0..<count).map { raw.load(fromByteOffset: $0 &* 4, as: Int32.self) }
        }
    }

    /// What `batchNormReLU` adds to the backward: its output, whose positive entries
    /// are the ReLU mask, and with pooling the flat input index of each output.
    struct Rectified {
        let output: UnsafePointer<Float>
        /// Nil without pooling.
        let indices: PoolingIndices?
        /// The input value at each index (nil without pooling).
        let kept: TensorStorage?
        /// Output pixels per pooled plane.
        let pooledPlane: Int
    }

    /// First-order backward as one fused kernel (no graph): of `batchNorm`, or with
    /// `rectified` of `batchNormReLU`, where the gradient at the normalised values is
    /// the incoming one masked by ReLU (and, pooled, routed to the recorded maxima).
    static func fused(_ ctx: BackwardContext, mean: [Float], invStd: [Float], scaleIndex: Int, offsetIndex: Int,
                      rectified: Rectified? = nil) -> [Tensor?] {
        let input = ctx.inputs[0]
        let n = input.shape[0], c = input.shape[1]
        let s = input.rank == 4 ? input.shape[2] * input.shape[3] : 1
        let m = Float(n * s)
        let x = input.storage.base, g = ctx.grad.storage.base
        let needX = ctx.needs[0]
        let dxStorage = needX ? TensorStorage(uninitializedCount: input.count) : nil
        let dScale = TensorStorage(uninitializedCount: c), dOffset = TensorStorage(uninitializedCount: c)
        let dx = dxStorage?.base
        let gammas = scaleIndex >= 0 ? UnsafePointer(ctx.inputs[scaleIndex].storage.base) : nil
        let y = rectified?.output, p = rectified?.pooledPlane ?? 0
        let parts = IntraOpParallelism.parts(elements: input.count, items: c)
        if let y, let indices = rectified?.indices {
            guard let kept = rectified?.kept else { preconditionFailure("batchNormReLU: a recorded pooled op keeps its maxima") }
            // The pooled case in C (`PooledBatchNorm.c`): per part, its channels' sums over the
            // maxima, then dx over their planes.
            let gammas = gammas
            BufferPool.withScratch(5 * c) { work in
                let sg = work, sgx = work + c, k1 = work + 2 * c, k2 = work + 3 * c, meanG = work + 4 * c
                mean.withUnsafeBufferPointer { mean in
                invStd.withUnsafeBufferPointer { invStd in
                IntraOpParallelism.forEachRange(of: c, parts: parts) { slice in
                    ccv_bn_pooled_gradient_sums(kept.base, g, y, n, c, slice.lowerBound, slice.upperBound, p,
                                                mean.baseAddress!, sg, sgx)
                    for ci in slice {
                        let inv = invStd[ci]
                        dScale.base[ci] = sgx[ci] * inv
                        dOffset.base[ci] = sg[ci]
                        k1[ci] = (gammas?[ci] ?? 1) * inv
                        meanG[ci] = sg[ci] / m
                        k2[ci] = sgx[ci] * inv / m * inv
                    }
                    guard let dx else { return }
                    ccv_bn_pooled_input_gradient(x, g, y, indices.pointer, dx, n, c, slice.lowerBound, slice.upperBound,
                                                 s, p, mean.baseAddress!, k1, k2, meanG)
                }
                }
                }
            }
        } else {
        mean.withUnsafeBufferPointer { mean in
        invStd.withUnsafeBufferPointer { invStd in
        IntraOpParallelism.forEachRange(of: c, parts: parts) { slice in
        for ci in slice {
            let mu = mean[ci], inv = invStd[ci]
            // sg = sum of dz, sgx = sum of dz (x - mean), dz the gradient at the normalised values.
            var sg: Float = 0, sgx: Float = 0
            for ni in 0..<n {
                let off = (ni &* c &+ ci) &* s
                let xr = x + off, gr = g + off
                var a: Float = 0, b: Float = 0
                if let y {
                    let yr = y + off
                    for k in 0..<s {
                        // Both loads unconditional, so the mask is a select and the loop vectorises.
                        let gk = gr[k], yk = yr[k]
                        let gv: Float = yk > 0 ? gk : 0
                        a = Relaxed.sum(a, gv)
                        b = Relaxed.multiplyAdd(gv, xr[k] - mu, b)
                    }
                } else {
                    for k in 0..<s {
                        a = Relaxed.sum(a, gr[k])
                        b = Relaxed.multiplyAdd(gr[k], xr[k] - mu, b)
                    }
                }
                sg += a
                sgx += b
            }
            sgx *= inv
            dScale.base[ci] = sgx
            dOffset.base[ci] = sg
            guard let dx else { continue }
            // dx = gamma inv (dz - mean(dz) - xhat mean(dz xhat)).
            let gamma = gammas?[ci] ?? 1
            let k1 = gamma * inv, meanG = sg / m, k2 = sgx / m * inv
            for ni in 0..<n {
                let off = (ni &* c &+ ci) &* s
                let xr = x + off, gr = g + off, dr = dx + off
                if let y {
                    let yr = y + off
                    for k in 0..<s {
                        let gk = gr[k], yk = yr[k]
                        let gv: Float = yk > 0 ? gk : 0
                        dr[k] = k1 * (gv - meanG - (xr[k] - mu) * k2)
                    }
                } else {
                    for k in 0..<s { dr[k] = k1 * (gr[k] - meanG - (xr[k] - mu) * k2) }
                }
            }
        }
        }
        }
        }
        }
        var grads = [Tensor?](repeating: nil, count: ctx.inputs.count)
        if let dxStorage { grads[0] = Tensor(storage: dxStorage, shape: input.shape) }
        if scaleIndex >= 0 && ctx.needs[scaleIndex] { grads[scaleIndex] = Tensor(storage: dScale, shape: [c]) }
        if offsetIndex >= 0 && ctx.needs[offsetIndex] { grads[offsetIndex] = Tensor(storage: dOffset, shape: [c]) }
        return grads
    }
}
