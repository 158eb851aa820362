/// 2-D convolution (cross-correlation) of channels-last `input` (`[N, H, W, C]`) with
/// `weight` `[out, in, kh, kw]` (OIHW, the same parameters as `conv2d`), optional `bias`
/// `[out]`, zero `padding` on all sides. Output: channels-last
/// `[N, (H + 2p − kh)/stride + 1, (W + 2p − kw)/stride + 1, out]`.
///
/// The same function as `conv2d` on the transposed tensors:
/// `conv2dChannelsLast(x, ...) == conv2d(x.permuted([0, 3, 1, 2]), ...).permuted([0, 2, 3, 1])`
/// up to rounding. A network that stays channels-last from one layer to the next
/// (`Conv4` with `.channelsLast` layout, followed by `batchNormReLUChannelsLast`) skips
/// the layout changes that an NCHW convolution makes around its channels-last tiles
/// (see `ChannelsLastConvKernels`). Its gradients are differentiable again, for
/// second-order methods, like `conv2d`'s.
public func conv2dChannelsLast(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(input.rank == 4, "conv2dChannelsLast: input must be NHWC (rank 4), got shape \(input.shape)")
    let s = input.shape
    let geo = ConvGeometry(input: [s[0], s[3], s[1], s[2]], weight: weight.shape, stride: stride, padding: padding)
    if let bias {
        precondition(bias.shape == [geo.o], "conv2dChannelsLast: bias must have shape [\(geo.o)], got \(bias.shape)")
    }
    let shape = Tensor.channelsLastOutputShape(geo)
    let out = TensorStorage(uninitializedCount: Shape.count(shape))
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    let record = Tensor.shouldRecord(inputs)
    let kept = ChannelsLastConvKernels.forward(geo, x: input.storage.base, w: weight.storage.base,
                                               bias: bias.map { UnsafePointer($0.storage.base) }, out: out.base,
                                               keepForWeight: record && weight.requiresGradient)
    return Tensor.result("conv2dChannelsLast", out, shape: shape, inputs: inputs, record: record, backward: { ctx in
        let g = ctx.grad
        var grads: [Tensor?] = [nil, nil]
        if ctx.needs[0] { grads[0] = Tensor.conv2dChannelsLastBackwardInput(g, weight: ctx.inputs[1], geometry: geo) }
        if ctx.needs[1] { grads[1] = Tensor.conv2dChannelsLastBackwardWeight(ctx.inputs[0], g, geometry: geo, kept: kept) }
        if ctx.inputs.count == 3 { grads.append(ctx.needs[2] ? g.sum(axes: [0, 1, 2]) : nil) }
        return grads
    })
}

extension Tensor {
    static func channelsLastInputShape(_ g: ConvGeometry) -> [Int] { [g.n, g.h, g.w, g.c] }
    static func channelsLastOutputShape(_ g: ConvGeometry) -> [Int] { [g.n, g.ho, g.wo, g.o] }

    /// The gradient of a channels-last convolution with respect to its input: bilinear in (`dy`, `weight`).
    static func conv2dChannelsLastBackwardInput(_ dy: Tensor, weight: Tensor, geometry geo: ConvGeometry) -> Tensor {
        let shape = channelsLastInputShape(geo)
        let out = TensorStorage(uninitializedCount: Shape.count(shape))
        ChannelsLastConvKernels.backwardInput(geo, dy: dy.storage.base, w: weight.storage.base, dx: out.base)
        return result("conv2dChannelsLastBackwardInput", out, shape: shape, inputs: [dy, weight],
                      record: shouldRecord(dy, weight), backward: { ctx in
            let u = ctx.grad
            return [ctx.needs[0] ? conv2dChannelsLast(u, weight: ctx.inputs[1], bias: nil, stride: geo.stride,
                                                      padding: geo.padding) : nil,
                    ctx.needs[1] ? conv2dChannelsLastBackwardWeight(u, ctx.inputs[0], geometry: geo) : nil]
        })
    }

    /// The gradient of a channels-last convolution with respect to its weight: bilinear in (`x`, `dy`).
    static func conv2dChannelsLastBackwardWeight(_ x: Tensor, _ dy: Tensor, geometry geo: ConvGeometry,
                                                 kept: TensorStorage? = nil) -> Tensor {
        let out = TensorStorage(uninitializedCount: Shape.count(geo.weightShape))
        ChannelsLastConvKernels.backwardWeight(geo, x: x.storage.base, dy: dy.storage.base, dw: out.base, kept: kept)
        return result("conv2dChannelsLastBackwardWeight", out, shape: geo.weightShape, inputs: [x, dy],
                      record: shouldRecord(x, dy), backward: { ctx in
            let v = ctx.grad
            return [ctx.needs[0] ? conv2dChannelsLastBackwardInput(ctx.inputs[1], weight: v, geometry: geo) : nil,
                    ctx.needs[1] ? conv2dChannelsLast(ctx.inputs[0], weight: v, bias: nil, stride: geo.stride,
                                                      padding: geo.padding) : nil]
        })
    }
}
