/// The geometry of a 2-D convolution over NCHW input with OIHW weights.
struct ConvGeometry: Sendable, Equatable {
    let n, c, h, w: Int
    let o, kh, kw: Int
    let stride, padding: Int
    let ho, wo: Int

    init(input: [Int], weight: [Int], stride: Int, padding: Int) {
        precondition(input.count == 4, "conv2d: input must be NCHW (rank 4), got shape \(input)")
        precondition(weight.count == 4, "conv2d: weight must be [out, in, kh, kw], got shape \(weight)")
        precondition(input[1] == weight[1], "conv2d: input has \(input[1]) channels, weight expects \(weight[1])")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride) must be >= 1 and padding \(padding) >= 0")
        n = input[0]; c = input[1]; h = input[2]; w = input[3]
        o = weight[0]; kh = weight[2]; kw = weight[3]
        self.stride = stride
        self.padding = padding
        ho = (h + 2 * padding - kh) / stride + 1
        wo = (w + 2 * padding - kw) / stride + 1
        precondition(h + 2 * padding >= kh && w + 2 * padding >= kw && ho > 0 && wo > 0,
                     "conv2d: kernel \(kh)x\(kw) larger than padded input \(h)x\(w) (padding \(padding))")
    }

    /// Output pixels per image and channel.
    var p: Int { ho * wo }
    /// Rows of the im2col matrix (= columns of the flattened weight).
    var ckk: Int { c * kh * kw }
    var inputShape: [Int] { [n, c, h, w] }
    var weightShape: [Int] { [o, c, kh, kw] }
    var outputShape: [Int] { [n, o, ho, wo] }

    /// The range of output columns `ox` whose input column `ox·stride − padding + j` is inside `0..<w`.
    @inline(__always)
    func validRange(offset j: Int, size: Int, outSize: Int) -> Range<Int> {
        // ox*stride + (j - padding) in [0, size)
        let shift = j - padding
        var lo = 0
        if shift < 0 { lo = (-shift + stride - 1) / stride }
        var hi = outSize
        let lastValid = size - 1 - shift  // ox*stride <= lastValid
        if lastValid < 0 { hi = 0 } else { hi = Swift.min(outSize, lastValid / stride + 1) }
        return lo..<Swift.max(lo, hi)
    }

    /// Unfolds `x` (NCHW) into `col`, a `[ckk, n·p]` row-major matrix.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let np = n &* p, hw = h &* w
        for ci in 0..<c {
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = col + ((ci &* kh &+ i) &* kw &+ j) &* np
                    let xr = validRange(offset: j, size: w, outSize: wo)
                    let shift = j &- padding
                    for ni in 0..<n {
                        let src = x + (ni &* c &+ ci) &* hw
                        let dst = row + ni &* p
                        for oy in 0..<ho {
                            let iy = oy &* stride &- padding &+ i
                            let d = dst + oy &* wo
                            if iy < 0 || iy >= h {
                                d.update(repeating: 0, count: wo)
                                continue
                            }
                            let s = src + iy &* w
                            for ox in 0..<xr.lowerBound { d[ox] = 0 }
                            if stride == 1 {
                                (d + xr.lowerBound).update(from: s + (xr.lowerBound &+ shift), count: xr.count)
                            } else {
                                for ox in xr { d[ox] = s[ox &* stride &+ shift] }
                            }
                            for ox in xr.upperBound..<wo { d[ox] = 0 }
                        }
                    }
                }
            }
        }
    }

    /// Folds `col` (`[ckk, n·p]`) back, adding into `x` (NCHW, must be initialised).
    func col2im(_ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        let np = n &* p, hw = h &* w
        for ci in 0..<c {
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = col + ((ci &* kh &+ i) &* kw &+ j) &* np
                    let xr = validRange(offset: j, size: w, outSize: wo)
                    let shift = j &- padding
                    for ni in 0..<n {
                        let dst = x + (ni &* c &+ ci) &* hw
                        let src = row + ni &* p
                        for oy in 0..<ho {
                            let iy = oy &* stride &- padding &+ i
                            if iy < 0 || iy >= h { continue }
                            let s = src + oy &* wo
                            let d = dst + iy &* w
                            if stride == 1 {
                                for ox in xr { d[ox &+ shift] += s[ox] }
                            } else {
                                for ox in xr { d[ox &* stride &+ shift] += s[ox] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `[n, o, p]` -> `[o, n·p]`.
    func toChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let np = n &* p
        for ni in 0..<n {
            for oi in 0..<o {
                (dst + (oi &* np &+ ni &* p)).update(from: src + (ni &* o &+ oi) &* p, count: p)
            }
        }
    }

    /// `[o, n·p]` -> `[n, o, p]`, adding `bias[o]` when given.
    func fromChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?) {
        let np = n &* p
        for ni in 0..<n {
            for oi in 0..<o {
                let s = src + (oi &* np &+ ni &* p), d = dst + (ni &* o &+ oi) &* p
                if let bias {
                    let bv = bias[oi]
                    for k in 0..<p { d[k] = s[k] + bv }
                } else {
                    d.update(from: s, count: p)
                }
            }
        }
    }
}

/// Raw convolution kernels (im2col + sgemm). They allocate only their workspace.
enum ConvKernels {
    /// `out = conv(x, w) + bias`.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>) {
        let np = g.n * g.p, ckk = g.ckk
        let col = UnsafeMutablePointer<Float>.allocate(capacity: ckk * np)
        defer { col.deallocate() }
        g.im2col(x, col)
        if g.n == 1 && bias == nil {
            BLAS.sgemm(transposeA: false, transposeB: false, m: g.o, n: np, k: ckk, w, lda: ckk, col, ldb: np, out, ldc: np)
            return
        }
        let tmp = UnsafeMutablePointer<Float>.allocate(capacity: g.o * np)
        defer { tmp.deallocate() }
        BLAS.sgemm(transposeA: false, transposeB: false, m: g.o, n: np, k: ckk, w, lda: ckk, col, ldb: np, tmp, ldc: np)
        g.fromChannelMajor(tmp, out, bias: bias)
    }

    /// `dx = conv_backward_input(dy, w)`; `dx` is overwritten.
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let np = g.n * g.p, ckk = g.ckk
        let col = UnsafeMutablePointer<Float>.allocate(capacity: ckk * np)
        defer { col.deallocate() }
        if g.n == 1 {
            BLAS.sgemm(transposeA: true, transposeB: false, m: ckk, n: np, k: g.o, w, lda: ckk, dy, ldb: np, col, ldc: np)
        } else {
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: g.o * np)
            defer { tmp.deallocate() }
            g.toChannelMajor(dy, tmp)
            BLAS.sgemm(transposeA: true, transposeB: false, m: ckk, n: np, k: g.o, w, lda: ckk, tmp, ldb: np, col, ldc: np)
        }
        dx.update(repeating: 0, count: g.n * g.c * g.h * g.w)
        g.col2im(col, dx)
    }

    /// `dw = conv_backward_weight(x, dy)`; `dw` is overwritten.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>) {
        let np = g.n * g.p, ckk = g.ckk
        let col = UnsafeMutablePointer<Float>.allocate(capacity: ckk * np)
        defer { col.deallocate() }
        g.im2col(x, col)
        if g.n == 1 {
            BLAS.sgemm(transposeA: false, transposeB: true, m: g.o, n: ckk, k: np, dy, lda: np, col, ldb: np, dw, ldc: ckk)
        } else {
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: g.o * np)
            defer { tmp.deallocate() }
            g.toChannelMajor(dy, tmp)
            BLAS.sgemm(transposeA: false, transposeB: true, m: g.o, n: ckk, k: np, tmp, lda: np, col, ldb: np, dw, ldc: ckk)
        }
    }
}

/// 2-D convolution (cross-correlation, as in deep-learning libraries) of NCHW `input`
/// with `weight` `[out, in, kh, kw]`, optional `bias` `[out]`, zero `padding` on all sides.
/// Output: `[N, out, (H + 2p − kh)/stride + 1, (W + 2p − kw)/stride + 1]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    let geo = ConvGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding)
    if let bias {
        precondition(bias.shape == [geo.o], "conv2d: bias must have shape [\(geo.o)], got \(bias.shape)")
    }
    let out = TensorStorage(uninitializedCount: Shape.count(geo.outputShape))
    ConvKernels.forward(geo, x: input.storage.base, w: weight.storage.base,
                        bias: bias.map { UnsafePointer($0.storage.base) }, out: out.base)
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return Tensor.result("conv2d", out, shape: geo.outputShape, inputs: inputs, record: Tensor.shouldRecord(inputs),
                         backward: { ctx in
        let g = ctx.grad
        var grads: [Tensor?] = [nil, nil]
        if ctx.needs[0] { grads[0] = Tensor.conv2dBackwardInput(g, weight: ctx.inputs[1], geometry: geo) }
        if ctx.needs[1] { grads[1] = Tensor.conv2dBackwardWeight(ctx.inputs[0], g, geometry: geo) }
        if ctx.inputs.count == 3 { grads.append(ctx.needs[2] ? g.sum(axes: [0, 2, 3]) : nil) }
        return grads
    })
}

extension Tensor {
    /// The gradient of a convolution with respect to its input: bilinear in (`dy`, `weight`).
    static func conv2dBackwardInput(_ dy: Tensor, weight: Tensor, geometry geo: ConvGeometry) -> Tensor {
        let out = TensorStorage(uninitializedCount: Shape.count(geo.inputShape))
        ConvKernels.backwardInput(geo, dy: dy.storage.base, w: weight.storage.base, dx: out.base)
        return result("conv2dBackwardInput", out, shape: geo.inputShape, inputs: [dy, weight], record: shouldRecord(dy, weight),
                      backward: { ctx in
            let u = ctx.grad
            return [ctx.needs[0] ? conv2d(u, weight: ctx.inputs[1], bias: nil, stride: geo.stride, padding: geo.padding) : nil,
                    ctx.needs[1] ? conv2dBackwardWeight(u, ctx.inputs[0], geometry: geo) : nil]
        })
    }

    /// The gradient of a convolution with respect to its weight: bilinear in (`x`, `dy`).
    static func conv2dBackwardWeight(_ x: Tensor, _ dy: Tensor, geometry geo: ConvGeometry) -> Tensor {
        let out = TensorStorage(uninitializedCount: Shape.count(geo.weightShape))
        ConvKernels.backwardWeight(geo, x: x.storage.base, dy: dy.storage.base, dw: out.base)
        return result("conv2dBackwardWeight", out, shape: geo.weightShape, inputs: [x, dy], record: shouldRecord(x, dy),
                      backward: { ctx in
            let v = ctx.grad
            return [ctx.needs[0] ? conv2dBackwardInput(ctx.inputs[1], weight: v, geometry: geo) : nil,
                    ctx.needs[1] ? conv2d(ctx.inputs[0], weight: v, bias: nil, stride: geo.stride, padding: geo.padding) : nil]
        })
    }
}
