/// The geometry of a 2-D convolution over NCHW input with OIHW weights.
struct ConvGeometry: Sendable, Equatable {
    let n, c, h, w: Int
    let o, kh, kw: Int
    let stride, padding: Int
    let ho, wo: Int
    /// Whether the passes of this convolution run through `WinogradKernels`; decided
    /// once, when the forward is recorded, so its backward reads what it kept.
    private(set) var winograd = false
    /// Whether the forward and weight gradient run through `SingleChannelConvolution`
    /// (decided with `winograd`, at the forward).
    private(set) var singleChannel = false
    /// Whether all three passes run through `ChannelsLastConvolution` (decided with
    /// `winograd`, at the forward, for convolutions neither of the above takes).
    private(set) var channelsLast = false
    /// Whether a channels-last forward and weight gradient of this one-channel 3x3
    /// convolution run through `OneChannelConvolution` (decided with `winograd`).
    private(set) var oneChannelDirect = false

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
        winograd = WinogradKernels.applies(self)
        singleChannel = SingleChannelConvolution.applies(self)
        channelsLast = !winograd && !singleChannel && ChannelsLastConvolution.applies(self)
        oneChannelDirect = !winograd && !singleChannel && OneChannelConvolution.applies(self)
    }

    /// Output pixels per image and channel.
    var p: Int { ho * wo }
    /// Rows of the im2col matrix (= columns of the flattened weight).
    var ckk: Int { c * kh * kw }
    var inputShape: [Int] { [n, c, h, w] }
    var weightShape: [Int] { [o, c, kh, kw] }
    var outputShape: [Int] { [n, o, ho, wo] }

    /// Runs `body(offsets, padded, paddedWidth)` with a table of the top-left input offset of every
    /// output pixel inside a zero-padded plane, and a scratch plane of that padded size (zeroed).
    @inline(__always)
    func withPaddedPlane<R>(_ body: (UnsafeMutableBufferPointer<Int>, UnsafeMutablePointer<Float>, Int) -> R) -> R {
        let hp = h &+ 2 &* padding, wp = w &+ 2 &* padding
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: p) { offsets in
            for oy in 0..<ho {
                for ox in 0..<wo { offsets[oy &* wo &+ ox] = oy &* stride &* wp &+ ox &* stride }
            }
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: hp &* wp) { plane in
                let padded = plane.baseAddress!
                padded.initialize(repeating: 0, count: hp &* wp)
                return body(offsets, padded, wp)
            }
        }
    }

    /// Unfolds `x` (NCHW) into `col`, a `[ckk, n·p]` row-major matrix: the
    /// columns of the images in `images` (all by default). With `rowLength`, `col`
    /// is instead a `[ckk, rowLength]` block whose first column is image
    /// `images.lowerBound`'s first pixel (a block of images, for blocked GEMMs).
    ///
    /// Each input plane is copied once into a zero-padded plane; every `(i, j)` kernel
    /// tap then reads one output plane's worth of values (stride 1 and 2 by rows,
    /// other strides through a precomputed offset table), with no bounds checks in
    /// the inner loop.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, images: Range<Int>? = nil,
                rowLength: Int? = nil) {
        let images = images ?? 0..<n
        let np = rowLength ?? n &* p, hw = h &* w, p = p
        let col = rowLength == nil ? col : col - images.lowerBound &* p
        let (ho, wo, stride, padding, h, w, kh, kw, c) = (ho, wo, stride, padding, h, w, kh, kw, c)
        withPaddedPlane { offsets, padded, wp in
            let off = UnsafePointer(offsets.baseAddress!)
            for ni in images {
                for ci in 0..<c {
                    let plane = x + (ni &* c &+ ci) &* hw
                    for y in 0..<h {
                        let d = padded + ((y &+ padding) &* wp &+ padding), s = plane + y &* w
                        for k in 0..<w { d[k] = s[k] }
                    }
                    for i in 0..<kh {
                        for j in 0..<kw {
                            let row = col + (((ci &* kh &+ i) &* kw &+ j) &* np &+ ni &* p)
                            let src = UnsafePointer(padded + (i &* wp &+ j))
                            if stride == 1 {
                                for oy in 0..<ho {
                                    let d = row + oy &* wo, s = src + oy &* wp
                                    for ox in 0..<wo { d[ox] = s[ox] }
                                }
                            } else if stride == 2 {
                                // A constant stride: LLVM vectorises it as an interleaved load.
                                for oy in 0..<ho {
                                    let d = row + oy &* wo, s = src + oy &* 2 &* wp
                                    for ox in 0..<wo { d[ox] = s[2 &* ox] }
                                }
                            } else {
                                for q in 0..<p { row[q] = src[off[q]] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Folds `col` (`[ckk, n·p]`, or a `[ckk, rowLength]` block of `images` as in
    /// `im2col`) back into `x` (NCHW), overwriting the images in `images` (all by
    /// default): the adjoint of `im2col`.
    func col2im(_ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, images: Range<Int>? = nil,
                rowLength: Int? = nil) {
        let images = images ?? 0..<n
        let np = rowLength ?? n &* p, hw = h &* w, p = p
        let col = rowLength == nil ? col : col - images.lowerBound &* p
        let (ho, wo, stride, padding, h, w, kh, kw, c) = (ho, wo, stride, padding, h, w, kh, kw, c)
        withPaddedPlane { offsets, padded, wp in
            let off = UnsafePointer(offsets.baseAddress!)
            let hp = h &+ 2 &* padding
            for ni in images {
                for ci in 0..<c {
                    padded.update(repeating: 0, count: hp &* wp)
                    for i in 0..<kh {
                        for j in 0..<kw {
                            let row = col + (((ci &* kh &+ i) &* kw &+ j) &* np &+ ni &* p)
                            let dst = padded + (i &* wp &+ j)
                            if stride == 1 {
                                for oy in 0..<ho {
                                    let d = dst + oy &* wp, s = row + oy &* wo
                                    for ox in 0..<wo { d[ox] += s[ox] }
                                }
                            } else if stride == 2 {
                                for oy in 0..<ho {
                                    let d = dst + oy &* 2 &* wp, s = row + oy &* wo
                                    for ox in 0..<wo { d[2 &* ox] += s[ox] }
                                }
                            } else {
                                for q in 0..<p { dst[off[q]] += row[q] }
                            }
                        }
                    }
                    let plane = x + (ni &* c &+ ci) &* hw
                    for y in 0..<h {
                        let s = padded + ((y &+ padding) &* wp &+ padding), d = plane + y &* w
                        for k in 0..<w { d[k] = s[k] }
                    }
                }
            }
        }
    }

    /// `[n, o, p]` -> `[o, n·p]`, for the images in `images`.
    func toChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, images: Range<Int>) {
        let np = n &* p
        for ni in images {
            for oi in 0..<o {
                (dst + (oi &* np &+ ni &* p)).update(from: src + (ni &* o &+ oi) &* p, count: p)
            }
        }
    }

    /// `[o, n·p]` -> `[n, o, p]` for the images in `images`, adding `bias[o]` when given.
    /// With `rowLength`, `src` is a `[o, rowLength]` block starting at image `images.lowerBound`.
    func fromChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                          images: Range<Int>, rowLength: Int? = nil) {
        let np = rowLength ?? n &* p
        let src = rowLength == nil ? src : src - images.lowerBound &* p
        for ni in images {
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

/// Raw convolution kernels: im2col into a pooled workspace, then OpenBLAS sgemm.
/// Convolutions that `WinogradKernels.applies` to go through Winograd instead;
/// for them the kept "columns" are Winograd's transformed input.
///
/// The im2col matrix holds all images side by side (`[ckk, n·p]`). When an image
/// has many output pixels (`p >= perImageThreshold`) each image gets its own GEMM
/// that reads and writes NCHW directly; otherwise one GEMM covers the batch (a
/// wider, faster GEMM) at the cost of a reorder between `[o, n·p]` and `[n, o, p]`.
///
/// Large convolutions are cut into `IntraOpParallelism` parts by shape: the
/// forward and input-gradient passes by images (each part unfolds, multiplies
/// and folds its own images; the wide GEMM becomes one GEMM per block of image
/// columns), the weight gradient by output channels (each part owns rows of
/// `dw` and reduces over all images in the same order). The parts run
/// concurrently when the scope's width allows, with identical arithmetic.
enum ConvKernels {
    /// Output pixels per image from which per-image GEMMs are used.
    static let perImageThreshold = 128

    /// Whether each image gets its own GEMM.
    @inline(__always)
    static func perImage(_ g: ConvGeometry) -> Bool { g.n == 1 || g.p >= perImageThreshold }

    /// The parts a convolution pass of this geometry is cut into (over `items`).
    @inline(__always)
    static func parts(_ g: ConvGeometry, items: Int) -> Int {
        IntraOpParallelism.parts(multiplyAdds: g.o &* g.ckk &* g.n &* g.p, items: items)
    }

    /// `out = conv(x, w) + bias`. When `keepColumns`, returns the im2col matrix (Winograd's
    /// transformed input when it applies) for the weight gradient.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keepColumns: Bool) -> TensorStorage? {
        if g.winograd {
            return WinogradKernels.forward(g, x: x, w: w, bias: bias, out: out, keepTransformedInput: keepColumns)
        }
        if g.singleChannel {
            // The weight gradient re-reads the input planes; nothing is kept.
            SingleChannelConvolution.forward(g, x: x, w: w, bias: bias, out: out)
            return nil
        }
        if g.channelsLast {
            return ChannelsLastConvolution.forward(g, x: x, w: w, bias: bias, out: out, keepColumns: keepColumns)
        }
        let np = g.n * g.p, ckk = g.ckk, p = g.p, o = g.o
        let parts = parts(g, items: g.n)
        let columns = keepColumns ? TensorStorage(uninitializedCount: ckk * np) : nil
        // Each part unfolds and multiplies its images a block at a time, so a block's
        // columns are still in cache for its GEMM. Kept columns are unfolded in place
        // into the whole matrix; otherwise into a scratch block that is reused (no
        // matrix written out to memory and read back). Both run the same GEMM calls
        // (OpenBLAS's sums depend on a call's shape, not on the leading dimensions),
        // so the output has the same bits whether the weight gradient is wanted or not.
        let imagesPerBlock = max(1, blockBytes / (4 * ckk * p))
        let perImage = perImage(g)
        IntraOpParallelism.forEachRange(of: g.n, parts: parts) { images in
            let most = min(imagesPerBlock, images.count) * p
            BufferPool.withScratch((columns == nil ? ckk : 0) * most + (perImage ? 0 : o * most)) { scratch in
                let tmp = scratch + (columns == nil ? ckk * most : 0)
                for first in stride(from: images.lowerBound, to: images.upperBound, by: imagesPerBlock) {
                    let block = first..<min(first + imagesPerBlock, images.upperBound)
                    let length = block.count * p
                    let col: UnsafeMutablePointer<Float>, ldb: Int
                    if let columns {
                        g.im2col(x, columns.base, images: block)
                        (col, ldb) = (columns.base + first * p, np)
                    } else {
                        g.im2col(x, scratch, images: block, rowLength: length)
                        (col, ldb) = (scratch, length)
                    }
                    if !perImage {
                        BLAS.sgemm(transposeA: false, transposeB: false, m: o, n: length, k: ckk, w, lda: ckk,
                                   col, ldb: ldb, tmp, ldc: length)
                        g.fromChannelMajor(tmp, out, bias: bias, images: block, rowLength: length)
                        continue
                    }
                    for ni in block {
                        if let bias {
                            for oi in 0..<o { (out + (ni * o + oi) * p).update(repeating: bias[oi], count: p) }
                        }
                        BLAS.sgemm(transposeA: false, transposeB: false, m: o, n: p, k: ckk, w, lda: ckk,
                                   col + (ni - first) * p, ldb: ldb, beta: bias == nil ? 0 : 1, out + ni * o * p, ldc: p)
                    }
                }
            }
        }
        return columns
    }

    /// Bytes of im2col columns per block: small enough to stay in L2 (1 MB per core
    /// here) next to OpenBLAS's packed panels.
    static let blockBytes = 256 << 10

    /// `dx = conv_backward_input(dy, w)`; `dx` is overwritten.
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        if g.winograd {
            WinogradKernels.backwardInput(g, dy: dy, w: w, dx: dx)
            return
        }
        if g.channelsLast {
            ChannelsLastConvolution.backwardInput(g, dy: dy, w: w, dx: dx)
            return
        }
        let np = g.n * g.p, ckk = g.ckk, p = g.p, o = g.o
        let parts = parts(g, items: g.n)
        // Blocks of images whose column gradients are still in cache for col2im (as in
        // `forward`).
        let imagesPerBlock = max(1, blockBytes / (4 * ckk * p))
        let perImage = perImage(g)
        let body = { (tmp: UnsafeMutablePointer<Float>?) in
            IntraOpParallelism.forEachRange(of: g.n, parts: parts) { images in
                if let tmp { g.toChannelMajor(dy, tmp, images: images) }
                BufferPool.withScratch(ckk * min(imagesPerBlock, images.count) * p) { col in
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: imagesPerBlock) {
                        let block = first..<min(first + imagesPerBlock, images.upperBound)
                        let length = block.count * p
                        if let tmp {
                            BLAS.sgemm(transposeA: true, transposeB: false, m: ckk, n: length, k: o, w, lda: ckk,
                                       tmp + first * p, ldb: np, col, ldc: length)
                        } else {
                            for ni in block {
                                BLAS.sgemm(transposeA: true, transposeB: false, m: ckk, n: p, k: o, w, lda: ckk,
                                           dy + ni * o * p, ldb: p, col + (ni - first) * p, ldc: length)
                            }
                        }
                        g.col2im(col, dx, images: block, rowLength: length)
                    }
                }
            }
        }
        if perImage {
            body(nil)
        } else {
            BufferPool.withScratch(o * np) { tmp in body(tmp) }
        }
    }

    /// `dw = conv_backward_weight(x, dy)`; `dw` is overwritten. `columns`, when given, is the
    /// forward pass's im2col of `x`.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                               columns: TensorStorage?) {
        if g.winograd {
            WinogradKernels.backwardWeight(g, x: x, dy: dy, dw: dw, transformedInput: columns)
            return
        }
        if g.singleChannel {
            SingleChannelConvolution.backwardWeight(g, x: x, dy: dy, dw: dw)
            return
        }
        if g.channelsLast {
            ChannelsLastConvolution.backwardWeight(g, x: x, dy: dy, dw: dw, columns: columns)
            return
        }
        let np = g.n * g.p, ckk = g.ckk, p = g.p, o = g.o
        let imageParts = parts(g, items: g.n), rowParts = parts(g, items: o)
        let columns = columns ?? {
            let fresh = TensorStorage(uninitializedCount: ckk * np)
            let col = fresh.base
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                g.im2col(x, col, images: images)
            }
            return fresh
        }()
        let col = UnsafePointer(columns.base)
        if perImage(g) {
            // Each part owns rows of dw and accumulates over the images in order.
            IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                for ni in 0..<g.n {
                    BLAS.sgemm(transposeA: false, transposeB: true, m: rows.count, n: ckk, k: p,
                               dy + (ni * o + rows.lowerBound) * p, lda: p, col + ni * p, ldb: np,
                               beta: ni == 0 ? 0 : 1, dw + rows.lowerBound * ckk, ldc: ckk)
                }
            }
        } else {
            BufferPool.withScratch(o * np) { tmp in
                IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                    g.toChannelMajor(dy, tmp, images: images)
                }
                IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                    BLAS.sgemm(transposeA: false, transposeB: true, m: rows.count, n: ckk, k: np,
                               tmp + rows.lowerBound * np, lda: np, col, ldb: np, dw + rows.lowerBound * ckk, ldc: ckk)
                }
            }
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
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    let record = Tensor.shouldRecord(inputs)
    // The im2col matrix is kept for the weight gradient when the weight is differentiated.
    let columns = ConvKernels.forward(geo, x: input.storage.base, w: weight.storage.base,
                                      bias: bias.map { UnsafePointer($0.storage.base) }, out: out.base,
                                      keepColumns: record && weight.requiresGradient)
    return Tensor.result("conv2d", out, shape: geo.outputShape, inputs: inputs, record: record,
                         backward: { ctx in
        let g = ctx.grad
        var grads: [Tensor?] = [nil, nil]
        if ctx.needs[0] { grads[0] = Tensor.conv2dBackwardInput(g, weight: ctx.inputs[1], geometry: geo) }
        if ctx.needs[1] { grads[1] = Tensor.conv2dBackwardWeight(ctx.inputs[0], g, geometry: geo, columns: columns) }
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
    static func conv2dBackwardWeight(_ x: Tensor, _ dy: Tensor, geometry geo: ConvGeometry,
                                     columns: TensorStorage? = nil) -> Tensor {
        let out = TensorStorage(uninitializedCount: Shape.count(geo.weightShape))
        ConvKernels.backwardWeight(geo, x: x.storage.base, dy: dy.storage.base, dw: out.base, columns: columns)
        return result("conv2dBackwardWeight", out, shape: geo.weightShape, inputs: [x, dy], record: shouldRecord(x, dy),
                      backward: { ctx in
            let v = ctx.grad
            return [ctx.needs[0] ? conv2dBackwardInput(ctx.inputs[1], weight: v, geometry: geo) : nil,
                    ctx.needs[1] ? conv2d(ctx.inputs[0], weight: v, bias: nil, stride: geo.stride, padding: geo.padding) : nil]
        })
    }
}
