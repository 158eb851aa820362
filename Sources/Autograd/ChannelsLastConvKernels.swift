import CConvKernels

/// The kernels of `conv2dChannelsLast`: a 2-D convolution whose input, output and
/// gradients are channels-last (`[N, H, W, C]`), with OIHW weights as everywhere.
///
/// `ImplicitColumnConvolution`'s tiles already compute in channels-last: they read
/// a `[n, h, w, c]` input (zero-padded, or as it is: they leave out the taps on the
/// border) or the `[n·p, kh·kw·c]` columns, and write `[n·p, o]` outputs. Called from
/// NCHW, every convolution pays four transposes around them (input and output in the
/// forward, output gradient and input gradient in the backward): 12-15% of a MAML task.
/// Here the tensors are already in the tiles' layout, so the forward reads the input
/// in place and writes the output in place; the input gradient is added straight into
/// `dx`; the weight gradient reads the input and the output gradient as they are.
///
/// Where the tiles do not apply (fewer than 16 input or output channels, Winograd's
/// stride-1 shapes, a non-AVX2 CPU, or an `.im2col` scope of `ConvolutionAlgorithm`)
/// the NCHW kernels of `ConvKernels` run between transposes (none for one channel,
/// where both layouts are the same memory). Which path a convolution takes is decided
/// by its geometry and the CPU alone, the same for its forward and its gradients, so
/// what the forward keeps is what the weight gradient expects. Parts are cut by shape
/// as in `ConvKernels`, so the results do not depend on the thread count; they equal
/// the NCHW convolution's up to rounding (the same products summed in another order
/// only where the weight gradient runs through a differently shaped GEMM).
enum ChannelsLastConvKernels {
    /// Whether the forward runs through the channels-last tiles.
    static func tiledForward(_ g: ConvGeometry) -> Bool {
        g.channelsLast && ImplicitColumnConvolution.forwardApplies(g)
    }

    /// Whether the input gradient runs through the channels-last tiles.
    static func tiledInputGradient(_ g: ConvGeometry) -> Bool {
        g.channelsLast && ImplicitColumnConvolution.inputGradientApplies(g)
    }

    /// Whether a one-channel convolution (the first layer on grayscale images) runs as
    /// im2col GEMMs that write and read the channels-last output directly: one channel's
    /// image is the same memory in both layouts, and its `[kh·kw, n·p]` columns need no
    /// transpose; BLAS reads them and the channels-last `dy` transposed. The stride-1
    /// 3x3 shapes keep `SingleChannelConvolution` (between transposes).
    static func oneChannelGEMM(_ g: ConvGeometry) -> Bool {
        g.c == 1 && !g.winograd && !g.singleChannel
    }

    /// Floats of one channels-last image.
    private static func image(_ g: ConvGeometry) -> Int { g.h &* g.w &* g.c }

    /// One channels-last image `x` (`[h, w, c]`) -> `dst` (`[h + 2·padding, w + 2·padding, c]`)
    /// with the border zeroed: `h` contiguous copies of `w·c` values.
    static func pad(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let (c, pd) = (g.c, g.padding)
        let wp = g.w &+ 2 &* pd, row = g.w &* c, paddedRow = wp &* c
        dst.update(repeating: 0, count: pd &* paddedRow &+ pd &* c)
        for y in 0..<g.h {
            let d = dst + ((y &+ pd) &* wp &+ pd) &* c
            d.update(from: x + y &* row, count: row)
            // The right border of this row and the left border of the next.
            (d + row).update(repeating: 0, count: 2 &* pd &* c)
        }
        let tail = dst + ((g.h &+ pd) &* wp &+ pd) &* c
        tail.update(repeating: 0, count: (pd &- 1) &* paddedRow &+ (wp &- pd) &* c)
    }

    /// `dst[ni] = src[ni]ᵀ` for each image: `[rows, columns]` planes, in parts by images.
    private static func transposeImages(_ src: UnsafePointer<Float>, count: Int, rows: Int, columns: Int,
                                        _ dst: UnsafeMutablePointer<Float>) {
        let plane = rows &* columns
        let parts = IntraOpParallelism.parts(elements: count &* plane, items: count)
        IntraOpParallelism.forEachRange(of: count, parts: parts) { images in
            for ni in images {
                MatrixTranspose.transpose(src + ni &* plane, rows: rows, columns: columns, dst + ni &* plane)
            }
        }
    }

    /// Runs `body` with an NCHW copy of `n` channels-last images of `pixels` x `channels`
    /// (the input `x`, or the output gradient `dy`); with one channel, the images themselves
    /// (the same memory in both layouts).
    private static func withChannelsFirst<R>(_ t: UnsafePointer<Float>, images n: Int, pixels: Int, channels: Int,
                                             _ body: (UnsafePointer<Float>) -> R) -> R {
        if channels == 1 { return body(t) }
        return BufferPool.withScratch(n &* pixels &* channels) { nchw in
            transposeImages(t, count: n, rows: pixels, columns: channels, nchw)
            return body(nchw)
        }
    }

    /// `out = conv(x, w) + bias`, `x` `[n, h, w, c]` and `out` `[n, ho, wo, o]`. When
    /// `keepForWeight`, returns what `backwardWeight` reads (see `ImplicitColumnConvolution.Kept`;
    /// on the NCHW path, what `ConvKernels.forward` keeps).
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keepForWeight: Bool) -> TensorStorage? {
        if g.oneChannelDirect {
            return OneChannelConvolution.forward(g, x: x, w: w, bias: bias, out: out, keepForWeight: keepForWeight)
        }
        if oneChannelGEMM(g) {
            return oneChannelForward(g, x: x, w: w, bias: bias, out: out, keepColumns: keepForWeight)
        }
        guard tiledForward(g) else {
            return withChannelsFirst(x, images: g.n, pixels: g.h &* g.w, channels: g.c) { nchw in
                if g.o == 1 {
                    return ConvKernels.forward(g, x: nchw, w: w, bias: bias, out: out, keepColumns: keepForWeight)
                }
                return BufferPool.withScratch(g.n &* g.p &* g.o) { y in
                    let kept = ConvKernels.forward(g, x: nchw, w: w, bias: bias, out: y, keepColumns: keepForWeight)
                    transposeImages(y, count: g.n, rows: g.o, columns: g.p, out)
                    return kept
                }
            }
        }
        // The tiles read the input in place, leaving out the taps on the border (no padded
        // copy); the implicit weight gradient reads it in place too, so only the OpenBLAS
        // weight gradient (CPUs without AVX-512F) needs the columns kept.
        let (k, p, o, hwc) = (g.ckk, g.p, g.o, image(g))
        let keepColumns = keepForWeight && !ImplicitColumnConvolution.weightGradientApplies(g)
        let kept = keepColumns ? TensorStorage(uninitializedCount: g.n * p * k) : nil
        let perBlock = ImplicitColumnConvolution.imagesPerBlock(g, floatsPerImage: keepColumns ? p * k : hwc)
        let kernel = ImplicitColumnConvolution.wide ? ccv_cl_forward_avx512 : ccv_cl_forward_avx2
        withUnsafePointer(to: ImplicitColumnConvolution.geometry(g, padded: false)) { geo in
        BufferPool.withScratch(o * k) { packed in
            ImplicitColumnConvolution.packForward(g, w, packed)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                    let block = first..<min(first + perBlock, images.upperBound)
                    let rows = block.count * p, y = out + first * p * o
                    if let kept {
                        // The kept columns and the images in place give the same bits.
                        let col = kept.base + first * p * k
                        ChannelsLastConvolution.unfold(g, x + first * hwc, count: block.count, col)
                        kernel(geo, col, 1, rows, packed, o, bias, y)
                    } else {
                        kernel(geo, x + first * hwc, 0, rows, packed, o, bias, y)
                    }
                }
            }
        }
        }
        return kept
    }

    /// `dx = conv_backward_input(dy, w)`, `dy` `[n, ho, wo, o]` and `dx` `[n, h, w, c]` (overwritten).
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>) {
        guard tiledInputGradient(g) else {
            withChannelsFirst(dy, images: g.n, pixels: g.p, channels: g.o) { dyNCHW in
                if g.c == 1 {
                    ConvKernels.backwardInput(g, dy: dyNCHW, w: w, dx: dx)
                    return
                }
                BufferPool.withScratch(g.n &* image(g)) { nchw in
                    ConvKernels.backwardInput(g, dy: dyNCHW, w: w, dx: nchw)
                    transposeImages(nchw, count: g.n, rows: g.c, columns: g.h &* g.w, dx)
                }
            }
            return
        }
        // The tiles add each pixel's valid taps straight into `dx` (no padded scratch to
        // zero and crop), a block's images zeroed first.
        let (k, p, o, hwc) = (g.ckk, g.p, g.o, image(g))
        let kernel = ImplicitColumnConvolution.wide ? ccv_cl_input_gradient_avx512 : ccv_cl_input_gradient_avx2
        withUnsafePointer(to: ImplicitColumnConvolution.geometry(g, padded: false)) { geo in
        BufferPool.withScratch(o * k) { packed in
            ImplicitColumnConvolution.packInputGradient(g, w, packed)
            let perBlock = ImplicitColumnConvolution.imagesPerBlock(g, floatsPerImage: hwc)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                    let count = min(perBlock, images.upperBound - first), block = dx + first * hwc
                    block.update(repeating: 0, count: count * hwc)
                    kernel(geo, dy + first * p * o, count * p, packed, o, block)
                }
            }
        }
        }
    }

    /// `dw = conv_backward_weight(x, dy)` (OIHW, overwritten), `x` `[n, h, w, c]` and `dy`
    /// `[n, ho, wo, o]`. `kept`, when given, is what `forward` kept for it.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dw: UnsafeMutablePointer<Float>, kept: TensorStorage?) {
        if g.oneChannelDirect {
            return OneChannelConvolution.backwardWeight(g, x: x, dy: dy, dw: dw, kept: kept)
        }
        if oneChannelGEMM(g) {
            return oneChannelWeightGradient(g, x: x, dy: dy, dw: dw, columns: kept)
        }
        guard g.channelsLast else {
            withChannelsFirst(x, images: g.n, pixels: g.h &* g.w, channels: g.c) { xNCHW in
                withChannelsFirst(dy, images: g.n, pixels: g.p, channels: g.o) { dyNCHW in
                    ConvKernels.backwardWeight(g, x: xNCHW, dy: dyNCHW, dw: dw, columns: kept)
                }
            }
            return
        }
        let (k, p, o, np, hwc) = (g.ckk, g.p, g.o, g.n &* g.p, image(g))
        let imageParts = ConvKernels.parts(g, items: g.n), rowParts = ConvKernels.parts(g, items: o)
        if ImplicitColumnConvolution.weightGradientApplies(g) {
            // The input in place: each tap's sums run over the pixels it reads inside the image.
            let kernel = ImplicitColumnConvolution.wide ? ccv_cl_weight_gradient_avx512 : ccv_cl_weight_gradient_avx2
            withUnsafePointer(to: ImplicitColumnConvolution.geometry(g, padded: false)) { geo in
            BufferPool.withScratch(o * k) { dwt in
                IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                    kernel(geo, x, 0, np, dy, o, rows.lowerBound, rows.upperBound, dwt)
                    ChannelsLastConvolution.unpermuteWeight(g, dwt, dw, rows: rows)
                }
            }
            }
            return
        }
        // OpenBLAS: dw'[o, k] = dyᵀ · cols, reading dy (`[n·p, o]`) transposed in place.
        let columns = kept ?? {
            let fresh = TensorStorage(uninitializedCount: np * k)
            let col = fresh.base
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                ChannelsLastConvolution.unfold(g, x + images.lowerBound * hwc, count: images.count,
                                               col + images.lowerBound * p * k)
            }
            return fresh
        }()
        let col = UnsafePointer(columns.base)
        BufferPool.withScratch(o * k) { dwt in
            // Each part owns rows of dw and reduces over all pixels in order.
            IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                BLAS.sgemm(transposeA: true, transposeB: false, m: rows.count, n: k, k: np,
                           dy + rows.lowerBound, lda: o, col, ldb: k, dwt + rows.lowerBound * k, ldc: k)
                ChannelsLastConvolution.unpermuteWeight(g, dwt, dw, rows: rows)
            }
        }
        withExtendedLifetime(columns) {}
    }

    /// The forward of a one-channel convolution (`oneChannelGEMM`): per block of images,
    /// `y[n·p, o] = colsᵀ · wᵀ` straight into the channels-last output, onto the bias.
    /// Kept columns (`[kh·kw, n·p]`) and a scratch block run the same GEMM calls, so the
    /// output has the same bits whether the weight gradient is wanted or not.
    private static func oneChannelForward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                          bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                          keepColumns: Bool) -> TensorStorage? {
        let (k, p, o, np) = (g.ckk, g.p, g.o, g.n &* g.p)
        let columns = keepColumns ? TensorStorage(uninitializedCount: k * np) : nil
        let perBlock = max(1, ConvKernels.blockBytes / (4 * k * p))
        IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
            BufferPool.withScratch(columns == nil ? min(perBlock, images.count) * p * k : 0) { scratch in
                for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                    let block = first..<min(first + perBlock, images.upperBound)
                    let rows = block.count * p, y = out + first * p * o
                    let col: UnsafeMutablePointer<Float>, ld: Int
                    if let columns {
                        g.im2col(x, columns.base, images: block)
                        (col, ld) = (columns.base + first * p, np)
                    } else {
                        g.im2col(x, scratch, images: block, rowLength: rows)
                        (col, ld) = (scratch, rows)
                    }
                    if let bias {
                        for r in 0..<rows { (y + r * o).update(from: bias, count: o) }
                    }
                    BLAS.sgemm(transposeA: true, transposeB: true, m: rows, n: o, k: k, col, lda: ld, w, ldb: k,
                               beta: bias == nil ? 0 : 1, y, ldc: o)
                }
            }
        }
        return columns
    }

    /// The weight gradient of a one-channel convolution: `dw[o, kh·kw] = dyᵀ · colsᵀ`, BLAS
    /// reading the channels-last `dy` (`[n·p, o]`) and the columns (`[kh·kw, n·p]`) transposed.
    /// Parts own rows of `dw` and reduce over all pixels in order.
    private static func oneChannelWeightGradient(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                                 dw: UnsafeMutablePointer<Float>, columns: TensorStorage?) {
        let (k, o, np) = (g.ckk, g.o, g.n &* g.p)
        let columns = columns ?? {
            let fresh = TensorStorage(uninitializedCount: k * np)
            let col = fresh.base
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                g.im2col(x, col, images: images)
            }
            return fresh
        }()
        let col = UnsafePointer(columns.base)
        IntraOpParallelism.forEachRange(of: o, parts: ConvKernels.parts(g, items: o)) { rows in
            BLAS.sgemm(transposeA: true, transposeB: true, m: rows.count, n: k, k: np, dy + rows.lowerBound, lda: o,
                       col, ldb: np, dw + rows.lowerBound * k, ldc: k)
        }
        withExtendedLifetime(columns) {}
    }
}
