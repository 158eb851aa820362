import CConvKernels

/// The kernels of `batchNormReLUChannelsLast`: batch statistics, the normalised and
/// rectified output, and the first-order backward over `rows` rows of `channels`
/// contiguous values (`[N, H, W, C]` flattened to `[N·H·W, C]`).
///
/// In NCHW a channel's values are `N` planes of `H·W`; on MAML's 4x4 and 2x2 maps those
/// are runs of 16 and 4 values, each reduced on its own. Channels-last, every row adds
/// `C` consecutive values into `C` running sums, so the loops run along the channels,
/// vectorised (`ccv_bn_cl_*` in `ChannelsLastBatchNorm.c`), whatever the map size.
///
/// Parts own contiguous ranges of rows, so every part streams through whole rows: parts
/// owning halves of the channels (as the NCHW kernels own channels) read half of every
/// 256-byte row each, and the two passes over MAML's first layer ran at half the speed
/// (a MAML meta-iteration 18% slower). Each part sums its rows into its own partial sums,
/// which are then added in part order; the number of parts depends on the shape alone,
/// so the results do not depend on the thread count.
///
/// The statistics take one pass: sums of `x − k` and `(x − k)²`, with `k` the channel's
/// value in the first row, which keeps the variance `E[(x−k)²] − E[x−k]²` free of the
/// cancellation that an unshifted one-pass formula suffers when the mean is large
/// against the spread. Rows are summed in blocks, then the block sums in order.
enum ChannelsLastBatchNorm {
    /// What the forward keeps for the backward, per channel.
    struct Saved {
        var mean, invStd: [Float]
        /// The affine map `x·a + b` whose positive values ReLU passes.
        var a, b: [Float]
    }

    /// Runs `body(part, rows)` for the row ranges of a pass over `m` rows of `c` values.
    private static func forEachRowRange(_ m: Int, _ c: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        IntraOpParallelism.run(parts: parts) { part in
            body(part, IntraOpParallelism.range(part, of: parts, count: m))
        }
    }

    /// Normalises, scales, offsets and rectifies `x` into `y`; returns each channel's
    /// mean, `1 / sqrt(variance + epsilon)` (biased variance) and affine map, for the backward.
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows m: Int, channels c: Int,
                        scale: UnsafePointer<Float>?, offset: UnsafePointer<Float>?, epsilon: Float) -> Saved {
        var saved = Saved(mean: [Float](repeating: 0, count: c), invStd: [Float](repeating: 0, count: c),
                          a: [Float](repeating: 0, count: c), b: [Float](repeating: 0, count: c))
        let parts = IntraOpParallelism.parts(elements: m * c, items: m)
        // Per part: its sums of (x − shift) and of the squares, and 2·c floats of work.
        BufferPool.withScratch(4 * parts * c) { partial in
            let shift = UnsafePointer(x)
            forEachRowRange(m, c, parts: parts) { part, rows in
                let s1 = partial + 4 * part * c
                ccv_bn_cl_shifted_sums(x + rows.lowerBound * c, rows.count, c, c, shift, s1, s1 + c, s1 + 2 * c)
            }
            let count = Float(m)
            for j in 0..<c {
                var sum: Float = 0, squares: Float = 0
                for part in 0..<parts {
                    sum += partial[4 * part * c + j]
                    squares += partial[4 * part * c + c + j]
                }
                let centre = sum / count
                let variance = Swift.max(0, squares / count - centre * centre)
                let mu = shift[j] + centre, inv = 1 / (variance + epsilon).squareRoot()
                // a = invStd·scale and b = offset − mean·a, the affine map.
                let a = inv * (scale?[j] ?? 1)
                saved.mean[j] = mu
                saved.invStd[j] = inv
                saved.a[j] = a
                saved.b[j] = (offset?[j] ?? 0) - mu * a
            }
        }
        saved.a.withUnsafeBufferPointer { a in
        saved.b.withUnsafeBufferPointer { b in
            let (a, b) = (a.baseAddress!, b.baseAddress!)
            forEachRowRange(m, c, parts: parts) { _, rows in
                let first = rows.lowerBound * c
                ccv_bn_cl_affine_relu(x + first, y + first, rows.count, c, c, a, b)
            }
        }
        }
        return saved
    }

    /// The first-order backward given what the forward saved (the ReLU mask is recomputed
    /// from `x` and the affine map, never read from the output) and the incoming gradient
    /// `g`: `dScale`, `dOffset` (`[c]`) and, when `dx` is given, the input gradient.
    static func backward(x: UnsafePointer<Float>, g: UnsafePointer<Float>, rows m: Int, channels c: Int, saved: Saved,
                         scale: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                         dScale: UnsafeMutablePointer<Float>, dOffset: UnsafeMutablePointer<Float>) {
        let parts = IntraOpParallelism.parts(elements: m * c, items: m)
        saved.mean.withUnsafeBufferPointer { mean in
        saved.invStd.withUnsafeBufferPointer { invStd in
        saved.a.withUnsafeBufferPointer { affineA in
        saved.b.withUnsafeBufferPointer { affineB in
        let (mu, invStd) = (mean.baseAddress!, invStd.baseAddress!)
        let (a, b) = (affineA.baseAddress!, affineB.baseAddress!)
        // Per part: its sums of dz and of dz·(x − mean), and 2·c floats of work; then
        // k1, k2 and meanG for the second pass.
        BufferPool.withScratch(4 * parts * c + 3 * c) { partial in
            forEachRowRange(m, c, parts: parts) { part, rows in
                let sg = partial + 4 * part * c, first = rows.lowerBound * c
                ccv_bn_cl_gradient_sums(x + first, g + first, rows.count, c, c, a, b, mu, sg, sg + c, sg + 2 * c)
            }
            let k1 = partial + 4 * parts * c, k2 = k1 + c, meanG = k2 + c
            let count = Float(m)
            for j in 0..<c {
                var sg: Float = 0, sgx: Float = 0
                for part in 0..<parts {
                    sg += partial[4 * part * c + j]
                    sgx += partial[4 * part * c + c + j]
                }
                let inv = invStd[j]
                dScale[j] = sgx * inv
                dOffset[j] = sg
                // dx = gamma·inv·(dz − mean(dz) − xhat·mean(dz·xhat)) = k1·(dz − meanG − (x − mean)·k2).
                k1[j] = (scale?[j] ?? 1) * inv
                k2[j] = sgx * inv / count * inv
                meanG[j] = sg / count
            }
            guard let dx else { return }
            forEachRowRange(m, c, parts: parts) { _, rows in
                let first = rows.lowerBound * c
                ccv_bn_cl_input_gradient(x + first, g + first, dx + first, rows.count, c, c, a, b, mu, k1, k2, meanG)
            }
        }
        }
        }
        }
        }
    }
}

/// Batch normalisation with batch statistics, then ReLU, over channels-last input
/// (`[N, H, W, C]`, or any rank with the channels last, e.g. `[N, C]`): equal to
/// `batchNormReLU` on the NCHW tensor, transposed, up to rounding. `scale` and `offset`,
/// when given, `[C]`. Used by `Conv4`'s channels-last layout after `conv2dChannelsLast`.
///
/// The forward and the first-order backward are fused kernels (`ChannelsLastBatchNorm`);
/// with `createGraph` the backward records three ops with their own exact backward
/// (`BatchNormReLUGradient`), so second derivatives are exact.
public func batchNormReLUChannelsLast(_ input: Tensor, scale: Tensor?, offset: Tensor?, epsilon: Float = 1e-5) -> Tensor {
    precondition(input.rank >= 2, "batchNormReLUChannelsLast: input must have the channels last, e.g. [N, H, W, C], got shape \(input.shape)")
    let c = input.shape[input.rank - 1], m = c == 0 ? 0 : input.count / c
    precondition(m > 0 && c > 0, "batchNormReLUChannelsLast: empty batch in shape \(input.shape)")
    if let scale { precondition(scale.shape == [c], "batchNormReLUChannelsLast: scale must have shape [\(c)], got \(scale.shape)") }
    if let offset { precondition(offset.shape == [c], "batchNormReLUChannelsLast: offset must have shape [\(c)], got \(offset.shape)") }
    let out = TensorStorage(uninitializedCount: input.count)
    let saved = ChannelsLastBatchNorm.forward(input.storage.base, out.base, rows: m, channels: c,
                                                       scale: scale.map { UnsafePointer($0.storage.base) },
                                                       offset: offset.map { UnsafePointer($0.storage.base) },
                                                       epsilon: epsilon)
    var inputs = [input]
    if let scale { inputs.append(scale) }
    if let offset { inputs.append(offset) }
    let scaleIndex = scale != nil ? 1 : -1, offsetIndex = offset != nil ? (scale != nil ? 2 : 1) : -1
    return Tensor.result("batchNormReLUChannelsLast", out, shape: input.shape, inputs: inputs,
                         record: Tensor.shouldRecord(inputs), backward: { ctx in
        if ctx.createGraph {
            // Three ops with their own exact backward (`BatchNormReLUGradient`), the ReLU
            // mask read from the output.
            let mask = TensorStorage(uninitializedCount: m * c)
            let y = ctx.output.storage.base
            for i in 0..<(m * c) { mask.base[i] = y[i] > 0 ? 1 : 0 }
            let context = BatchNormReLUGradient.Context(rows: m, channels: c, mask: mask, mean: saved.mean,
                                                        invStd: saved.invStd, epsilon: epsilon)
            let (dx, dScale, dOffset) = BatchNormReLUGradient.gradients(
                x: ctx.inputs[0], g: ctx.grad, scale: scaleIndex >= 0 ? ctx.inputs[scaleIndex] : nil, context: context,
                needs: (ctx.needs[0], scaleIndex >= 0 && ctx.needs[scaleIndex], offsetIndex >= 0 && ctx.needs[offsetIndex]))
            var grads = [Tensor?](repeating: nil, count: ctx.inputs.count)
            grads[0] = dx
            if scaleIndex >= 0 { grads[scaleIndex] = dScale }
            if offsetIndex >= 0 { grads[offsetIndex] = dOffset }
            return grads
        }
        let x = ctx.inputs[0]
        let dxStorage = ctx.needs[0] ? TensorStorage(uninitializedCount: x.count) : nil
        let dScale = TensorStorage(uninitializedCount: c), dOffset = TensorStorage(uninitializedCount: c)
        ChannelsLastBatchNorm.backward(x: x.storage.base, g: ctx.grad.storage.base, rows: m, channels: c, saved: saved,
                                       scale: scaleIndex >= 0 ? UnsafePointer(ctx.inputs[scaleIndex].storage.base) : nil,
                                       dx: dxStorage?.base, dScale: dScale.base, dOffset: dOffset.base)
        var grads = [Tensor?](repeating: nil, count: ctx.inputs.count)
        if let dxStorage { grads[0] = Tensor(storage: dxStorage, shape: x.shape) }
        if scaleIndex >= 0 && ctx.needs[scaleIndex] { grads[scaleIndex] = Tensor(storage: dScale, shape: [c]) }
        if offsetIndex >= 0 && ctx.needs[offsetIndex] { grads[offsetIndex] = Tensor(storage: dOffset, shape: [c]) }
        return grads
    })
}
