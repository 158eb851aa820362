import CConvKernels

/// Batch normalisation, ReLU and (optionally) 2x2 max pooling with stride 2 as
/// one op: the block tail of the Conv4 backbones.
///
/// `batchNormReLU(x, scale: s, offset: o)` equals `batchNorm(x, scale: s, offset: o).relu()`
/// and `batchNormReLU(x, scale: s, offset: o, maxPool: true)` equals
/// `maxPool2d(batchNorm(x, scale: s, offset: o).relu(), kernel: 2, stride: 2)`, bit for
/// bit in the forward pass (ReLU is monotone, so it commutes with the maximum, and the
/// pooled maximum is taken over the same normalised values). The fused form passes
/// over the activations once instead of three times: each channel's statistics and
/// its normalised, rectified (and pooled) output are computed while the channel is in
/// cache, and only the op's output is stored, not the normalised and rectified
/// intermediates. On ProtoNet's first block (`[80, 64, 28, 28]`, 16 MB per tensor)
/// this is most of the memory traffic outside the convolutions.
///
/// The first-order backward is one fused kernel too: the ReLU mask is read from the
/// output (`y > 0` exactly where the normalised value is positive) and, when pooled,
/// only the recorded maximal positions receive gradient, so the batch-norm sums run
/// over a quarter of the elements. With `createGraph` the backward is built from
/// differentiable ops (masked gradient, scatter, then batch norm's composite
/// backward), so second derivatives are exact, as for the separate ops.
///
/// Input `[N, C, H, W]` (or `[N, C]` without pooling); `scale` and `offset`, when
/// given, `[C]`. With `maxPool` the output is `[N, C, H/2, W/2]` (rounded down, as
/// `maxPool2d(kernel: 2, stride: 2)`). Large inputs are split by channels over
/// `IntraOpParallelism` parts, with the same arithmetic at every width.
public func batchNormReLU(_ input: Tensor, scale: Tensor?, offset: Tensor?, epsilon: Float = 1e-5,
                          maxPool: Bool = false) -> Tensor {
    precondition(input.rank == 4 || (input.rank == 2 && !maxPool),
                 "batchNormReLU: input must be [N, C, H, W]\(maxPool ? "" : " or [N, C]"), got shape \(input.shape)")
    let n = input.shape[0], c = input.shape[1]
    let h = input.rank == 4 ? input.shape[2] : 1, w = input.rank == 4 ? input.shape[3] : 1
    let s = h * w
    precondition(n * s > 0, "batchNormReLU: empty batch in shape \(input.shape)")
    precondition(!maxPool || (h >= 2 && w >= 2), "batchNormReLU: 2x2 pooling needs at least 2x2 planes, got \(h)x\(w)")
    if let scale { precondition(scale.shape == [c], "batchNormReLU: scale must have shape [\(c)], got \(scale.shape)") }
    if let offset { precondition(offset.shape == [c], "batchNormReLU: offset must have shape [\(c)], got \(offset.shape)") }
    let ho = maxPool ? h / 2 : h, wo = maxPool ? w / 2 : w, p = ho * wo
    let outShape = maxPool ? [n, c, ho, wo] : input.shape
    let x = input.storage.base
    let out = TensorStorage(uninitializedCount: n * c * p)
    let y = out.base
    var inputs = [input]
    if let scale { inputs.append(scale) }
    if let offset { inputs.append(offset) }
    let record = Tensor.shouldRecord(inputs)
    // Pooled: each output's input index and, for the first-order backward, the input value
    // there; both in pooled buffers (a fresh array a step was a page fault per 4 KB).
    let indices = maxPool ? BatchNormKernels.PoolingIndices(count: n * c * p) : nil
    let kept = maxPool && record ? TensorStorage(uninitializedCount: n * c * p) : nil
    // The same per-channel affine map as `batchNorm`, so the values are the same bits.
    let (mean, invStd) =
    BatchNormKernels.forEachChannel(x, n: n, c: c, s: s, scale: scale, offset: offset, epsilon: epsilon) { ci, a, b in
        if let indices {
            // The first maximal value of each window, as `maxPool2d` picks it (`PooledBatchNorm.c`).
            ccv_bn_planes_relu_pool(x + ci &* s, n, h, w, c &* s, c &* p, Int32(truncatingIfNeeded: ci &* s), a, b,
                                    y + ci &* p, indices.pointer + ci &* p, kept.map { $0.base + ci &* p })
            return
        }
        for ni in 0..<n {
            let plane = (ni &* c &+ ci) &* s
            let src = x + plane, dst = y + plane
            for k in 0..<s { let z = src[k] * a + b; dst[k] = z > 0 ? z : 0 }
        }
    }
    let savedMean = mean, savedInvStd = invStd
    let scaleIndex = scale != nil ? 1 : -1, offsetIndex = offset != nil ? (scale != nil ? 2 : 1) : -1
    let inShape = input.shape
    return Tensor.result("batchNormReLU", out, shape: outShape, inputs: inputs, record: record,
                         backward: { ctx in
        if ctx.createGraph {
            // d/dz of relu (and the pooling's routing) applied to the incoming gradient,
            // then batch norm's differentiable backward. `y > 0` is the ReLU mask, at the
            // pooled resolution when pooled (the scatter then routes it to the maxima).
            var gz = Tensor.maskedGradient(ctx.grad, sign: ctx.output, negativeSlope: 0)
            if let indices { gz = gz.scatteredFlat(indices.array, shape: inShape) }
            let inner = BackwardContext(inputs: ctx.inputs, needs: ctx.needs, grad: gz, output: ctx.output, createGraph: true)
            return BatchNormKernels.composite(inner, scaleIndex: scaleIndex, offsetIndex: offsetIndex, epsilon: epsilon)
        }
        let rectified = BatchNormKernels.Rectified(output: ctx.output.storage.base, indices: indices, kept: kept,
                                                   pooledPlane: p)
        return BatchNormKernels.fused(ctx, mean: savedMean, invStd: savedInvStd, scaleIndex: scaleIndex,
                                       offsetIndex: offsetIndex, rectified: rectified)
    })
}
