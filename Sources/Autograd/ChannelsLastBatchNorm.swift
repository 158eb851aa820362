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
    /// With a `border`, `y` is the bordered tensor (`[n, h + 2·pad, w + 2·pad, c]`): the values
    /// go to its interior and its border is zeroed.
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows m: Int, channels c: Int,
                        scale: UnsafePointer<Float>?, offset: UnsafePointer<Float>?, epsilon: Float,
                        border: ccv_bn_cl_border? = nil) -> Saved {
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
        if let border { zeroBorder(y, border, images: m / (border.h * border.w), channels: c) }
        saved.a.withUnsafeBufferPointer { a in
        saved.b.withUnsafeBufferPointer { b in
        withBorder(border) { border in
            let (a, b) = (a.baseAddress!, b.baseAddress!)
            forEachRowRange(m, c, parts: parts) { _, rows in
                let first = rows.lowerBound * c
                ccv_bn_cl_affine_relu(x + first, border == nil ? y + first : y, rows.count, c, c, a, b, border,
                                      rows.lowerBound)
            }
        }
        }
        }
        return saved
    }

    /// Runs `body` with a pointer to `border` (nil without one), as the kernels take it.
    private static func withBorder<R>(_ border: ccv_bn_cl_border?,
                                      _ body: (UnsafePointer<ccv_bn_cl_border>?) -> R) -> R {
        guard let border else { return body(nil) }
        return withUnsafePointer(to: border) { body($0) }
    }

    /// `mask[r·c + j] = 1` where the (bordered, with a `border`) output `y` is positive, else 0.
    static func rectifiedMask(_ y: UnsafePointer<Float>, rows m: Int, channels c: Int, border: ccv_bn_cl_border?,
                              _ mask: UnsafeMutablePointer<Float>) {
        let (h, w, pd) = border.map { ($0.h, $0.w, $0.pad) } ?? (1, m, 0)
        let wp = w + 2 * pd, hp = h + 2 * pd
        for r in 0..<m {
            let (x, line, image) = (r % w, r / w % h, r / (w * h))
            let row = y + ((image * hp + line + pd) * wp + x + pd) * c, out = mask + r * c
            for j in 0..<c { out[j] = row[j] > 0 ? 1 : 0 }
        }
    }

    /// Zeroes the border of `images` bordered maps of `channels` values per pixel.
    private static func zeroBorder(_ y: UnsafeMutablePointer<Float>, _ border: ccv_bn_cl_border, images: Int,
                                   channels c: Int) {
        let (h, w, pd) = (border.h, border.w, border.pad)
        let wp = w + 2 * pd, hp = h + 2 * pd
        for ni in 0..<images {
            let image = y + ni * hp * wp * c
            image.update(repeating: 0, count: pd * wp * c)
            for row in 0..<h {
                let line = image + (row + pd) * wp * c
                line.update(repeating: 0, count: pd * c)
                (line + (pd + w) * c).update(repeating: 0, count: pd * c)
            }
            (image + (pd + h) * wp * c).update(repeating: 0, count: pd * wp * c)
        }
    }

    /// The first-order backward given what the forward saved (the ReLU mask is recomputed
    /// from `x` and the affine map, never read from the output) and the incoming gradient
    /// `g` (bordered as the output was, with a `border`): `dScale`, `dOffset` (`[c]`) and,
    /// when `dx` is given, the input gradient.
    static func backward(x: UnsafePointer<Float>, g: UnsafePointer<Float>, rows m: Int, channels c: Int, saved: Saved,
                         scale: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                         dScale: UnsafeMutablePointer<Float>, dOffset: UnsafeMutablePointer<Float>,
                         border: ccv_bn_cl_border? = nil) {
        let parts = IntraOpParallelism.parts(elements: m * c, items: m)
        saved.mean.withUnsafeBufferPointer { mean in
        saved.invStd.withUnsafeBufferPointer { invStd in
        saved.a.withUnsafeBufferPointer { affineA in
        saved.b.withUnsafeBufferPointer { affineB in
        let (mu, invStd) = (mean.baseAddress!, invStd.baseAddress!)
        let (a, b) = (affineA.baseAddress!, affineB.baseAddress!)
        // Per part: its sums of dz and of dz·(x − mean), and 2·c floats of work; then
        // k1, k2 and meanG for the second pass.
        withBorder(border) { border in
        BufferPool.withScratch(4 * parts * c + 3 * c) { partial in
            forEachRowRange(m, c, parts: parts) { part, rows in
                let sg = partial + 4 * part * c, first = rows.lowerBound * c
                ccv_bn_cl_gradient_sums(x + first, border == nil ? g + first : g, rows.count, c, c, a, b, mu, sg,
                                        sg + c, sg + 2 * c, border, rows.lowerBound)
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
                ccv_bn_cl_input_gradient(x + first, border == nil ? g + first : g, dx + first, rows.count, c, c, a, b,
                                         mu, k1, k2, meanG, border, rows.lowerBound)
            }
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
/// With `padding` p > 0 (rank-4 input only) the output is `[N, H + 2p, W + 2p, C]`: the
/// same values inside a zero border of p pixels, which is the zero-padded input that the
/// next `conv2dChannelsLast(…, padding: 0)` reads in place. That convolution then equals
/// `conv2dChannelsLast(…, padding: p)` on the unbordered output, bit for bit, without the
/// padded copy its forward makes, the unpadding copy of its input gradient, or the
/// unbordered output itself. The border is a constant: its gradient is dropped.
///
/// The forward and the first-order backward are fused kernels (`ChannelsLastBatchNorm`);
/// with `createGraph` the backward records three ops with their own exact backward
/// (`BatchNormReLUGradient`; the border dropped by slices before them), so second
/// derivatives are exact.
public func batchNormReLUChannelsLast(_ input: Tensor, scale: Tensor?, offset: Tensor?, epsilon: Float = 1e-5,
                                      padding: Int = 0) -> Tensor {
    precondition(input.rank >= 2, "batchNormReLUChannelsLast: input must have the channels last, e.g. [N, H, W, C], got shape \(input.shape)")
    precondition(padding >= 0 && (padding == 0 || input.rank == 4),
                 "batchNormReLUChannelsLast: padding \(padding) needs a [N, H, W, C] input, got shape \(input.shape)")
    let c = input.shape[input.rank - 1], m = c == 0 ? 0 : input.count / c
    precondition(m > 0 && c > 0, "batchNormReLUChannelsLast: empty batch in shape \(input.shape)")
    if let scale { precondition(scale.shape == [c], "batchNormReLUChannelsLast: scale must have shape [\(c)], got \(scale.shape)") }
    if let offset { precondition(offset.shape == [c], "batchNormReLUChannelsLast: offset must have shape [\(c)], got \(offset.shape)") }
    let inShape = input.shape
    let border = padding == 0 ? nil : ccv_bn_cl_border(h: inShape[1], w: inShape[2], pad: padding)
    let outShape = padding == 0 ? inShape : [inShape[0], inShape[1] + 2 * padding, inShape[2] + 2 * padding, c]
    let out = TensorStorage(uninitializedCount: Shape.count(outShape))
    let saved = ChannelsLastBatchNorm.forward(input.storage.base, out.base, rows: m, channels: c,
                                              scale: scale.map { UnsafePointer($0.storage.base) },
                                              offset: offset.map { UnsafePointer($0.storage.base) },
                                              epsilon: epsilon, border: border)
    var inputs = [input]
    if let scale { inputs.append(scale) }
    if let offset { inputs.append(offset) }
    let scaleIndex = scale != nil ? 1 : -1, offsetIndex = offset != nil ? (scale != nil ? 2 : 1) : -1
    return Tensor.result("batchNormReLUChannelsLast", out, shape: outShape, inputs: inputs,
                         record: Tensor.shouldRecord(inputs), backward: { ctx in
        if ctx.createGraph {
            // The border's gradient dropped (by slices, differentiably), then three ops with
            // their own backward (`BatchNormReLUGradient`), the mask read from the output.
            let g = padding == 0 ? ctx.grad
                : ctx.grad.slice(axis: 1, range: padding..<(padding + inShape[1]))
                    .slice(axis: 2, range: padding..<(padding + inShape[2]))
            let mask = TensorStorage(uninitializedCount: m * c)
            ChannelsLastBatchNorm.rectifiedMask(ctx.output.storage.base, rows: m, channels: c, border: border, mask.base)
            let context = BatchNormReLUGradient.Context(rows: m, channels: c, mask: mask, mean: saved.mean,
                                                        invStd: saved.invStd, epsilon: epsilon)
            let (dx, dScale, dOffset) = BatchNormReLUGradient.gradients(
                x: ctx.inputs[0], g: g, scale: scaleIndex >= 0 ? ctx.inputs[scaleIndex] : nil, context: context,
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
                                       dx: dxStorage?.base, dScale: dScale.base, dOffset: dOffset.base, border: border)
        var grads = [Tensor?](repeating: nil, count: ctx.inputs.count)
        if let dxStorage { grads[0] = Tensor(storage: dxStorage, shape: x.shape) }
        if scaleIndex >= 0 && ctx.needs[scaleIndex] { grads[scaleIndex] = Tensor(storage: dScale, shape: [c]) }
        if offsetIndex >= 0 && ctx.needs[offsetIndex] { grads[offsetIndex] = Tensor(storage: dOffset, shape: [c]) }
        return grads
    })
}
