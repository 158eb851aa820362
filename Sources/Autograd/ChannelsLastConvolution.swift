/// Convolution through a channels-last unfolding, for inputs with many channels
/// where neither Winograd nor the single-channel kernels apply: MAML's Conv4
/// (3x3, stride 2, 64 channels, on 14x14, 7x7 and 4x4 maps), stride-1
/// convolutions on small maps, and any kernel size or stride.
///
/// NCHW im2col (`ConvGeometry.im2col`) copies each `(channel, tap)` row of the
/// column matrix from an input plane in runs of `wo` values: on MAML's planes
/// runs of 7, 4 and 2 with stride 2, which no loop vectorises (at ~3 cycles per
/// value it was 16% of a meta-test task). Here a block of images is first
/// transposed to channels-last (`[n, h, w, c]`, one pass over the input), and
/// the columns are laid out per output pixel (`[n·p, kh·kw·c]`, taps outer,
/// channels inner), so every kernel row of a pixel is one contiguous copy of
/// `kw·c` values (192 for a 3x3 kernel over 64 channels) whatever the stride.
/// The weight is permuted to the same `(tap, channel)` order (`[o, kh·kw·c]`),
/// a copy the size of the weight, and the GEMMs read the columns transposed:
///
/// - forward: `y[o, n·p] = w'[o, k] · colsᵀ`, then reordered to NCHW with the bias;
/// - input gradient: `dcols[n·p, k] = dyᵀ · w'`, folded back by contiguous adds
///   into a channels-last gradient, then transposed to NCHW;
/// - weight gradient: `dw'[o, k] = dy · cols`, permuted back to OIHW.
///
/// Blocks of images (about `ConvKernels.blockBytes` of columns) keep the columns
/// in cache between unfolding and GEMM. Parts are cut as in `ConvKernels`: by
/// images for the forward and input gradient, by output channels for the weight
/// gradient, each part reducing over all images in order, so the results do not
/// depend on the number of threads. Results differ from NCHW im2col's in
/// rounding only (the GEMM sums the same products in another order).
enum ChannelsLastConvolution {
    /// The fewest input channels for which this path is used: with fewer, a
    /// kernel row (`kw·c` values) is too short for the contiguous copies to pay.
    static let minimumChannels = 16

    /// Whether a convolution of this geometry runs through these kernels (asked
    /// after Winograd and the single-channel kernels, which take precedence).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.c >= minimumChannels && ConvolutionAlgorithm.current == .automatic
    }

    /// Images per block: about `ConvKernels.blockBytes` of columns.
    @inline(__always)
    private static func imagesPerBlock(_ g: ConvGeometry) -> Int {
        max(1, ConvKernels.blockBytes / (4 &* g.ckk &* g.p))
    }

    /// `w` (`[o, c, kh, kw]`) -> `wt` (`[o, kh, kw, c]`).
    static func permuteWeight(_ g: ConvGeometry, _ w: UnsafePointer<Float>, _ wt: UnsafeMutablePointer<Float>) {
        let (c, kk) = (g.c, g.kh &* g.kw)
        for oi in 0..<g.o {
            MatrixTranspose.transpose(w + oi &* c &* kk, rows: c, columns: kk, wt + oi &* c &* kk)
        }
    }

    /// `rows` of `wt` (`[o, kh, kw, c]`) -> the same rows of `w` (`[o, c, kh, kw]`).
    static func unpermuteWeight(_ g: ConvGeometry, _ wt: UnsafePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                                rows: Range<Int>) {
        let (c, kk) = (g.c, g.kh &* g.kw)
        for oi in rows {
            MatrixTranspose.transpose(wt + oi &* c &* kk, rows: kk, columns: c, w + oi &* c &* kk)
        }
    }

    /// Images `images` of `x` (NCHW) -> `dst` (`[images.count, h, w, c]`).
    static func toChannelsLast(_ g: ConvGeometry, _ x: UnsafePointer<Float>, images: Range<Int>,
                               _ dst: UnsafeMutablePointer<Float>) {
        let (c, hw) = (g.c, g.h &* g.w)
        for ni in images {
            MatrixTranspose.transpose(x + ni &* c &* hw, rows: c, columns: hw, dst + (ni &- images.lowerBound) &* hw &* c)
        }
    }

    /// `src` (`[images.count, h, w, c]`) -> images `images` of `x` (NCHW), overwritten.
    static func fromChannelsLast(_ g: ConvGeometry, _ src: UnsafePointer<Float>, images: Range<Int>,
                                 _ x: UnsafeMutablePointer<Float>) {
        let (c, hw) = (g.c, g.h &* g.w)
        for ni in images {
            MatrixTranspose.transpose(src + (ni &- images.lowerBound) &* hw &* c, rows: hw, columns: c, x + ni &* c &* hw)
        }
    }

    /// Calls `body(row, input, lo, hi)` for each kernel row of each output pixel of
    /// `count` images, in column order: `row` is the row's offset in the columns
    /// (`[count·p, kh·kw·c]`), `input` the offset in the channels-last images of the
    /// input value its tap `lo` reads, or nil when the row lies in the padding;
    /// taps `lo..<hi` fall inside the image (none when `lo == hi`).
    @inline(__always)
    private static func forEachKernelRow(_ g: ConvGeometry, count: Int,
                                         _ body: (_ row: Int, _ input: Int?, _ lo: Int, _ hi: Int) -> Void) {
        let (c, h, w, kw) = (g.c, g.h, g.w, g.kw)
        let run = kw &* c, k = g.ckk
        for b in 0..<count {
            for oy in 0..<g.ho {
                for ox in 0..<g.wo {
                    let row = ((b &* g.ho &+ oy) &* g.wo &+ ox) &* k
                    let x0 = ox &* g.stride &- g.padding
                    let lo = max(0, -x0), hi = max(lo, min(kw, w &- x0))
                    for i in 0..<g.kh {
                        let y = oy &* g.stride &- g.padding &+ i
                        let inside = y >= 0 && y < h && lo < hi
                        body(row &+ i &* run, inside ? ((b &* h &+ y) &* w &+ x0 &+ lo) &* c : nil, lo, hi)
                    }
                }
            }
        }
    }

    /// Unfolds `count` channels-last images (`xt`) into `cols` (`[count·p, kh·kw·c]`):
    /// each output pixel's row holds its `kh` kernel rows of `kw·c` values, zeros
    /// where the kernel hangs over the padding.
    static func unfold(_ g: ConvGeometry, _ xt: UnsafePointer<Float>, count: Int, _ cols: UnsafeMutablePointer<Float>) {
        let (c, kw) = (g.c, g.kw)
        forEachKernelRow(g, count: count) { row, input, lo, hi in
            let d = cols + row
            guard let input else {
                d.update(repeating: 0, count: kw &* c)
                return
            }
            if lo > 0 { d.update(repeating: 0, count: lo &* c) }
            (d + lo &* c).update(from: xt + input, count: (hi &- lo) &* c)
            if hi < kw { (d + hi &* c).update(repeating: 0, count: (kw &- hi) &* c) }
        }
    }

    /// The adjoint of `unfold`: `xt` (`[count, h, w, c]`) is overwritten with the
    /// sums of the column entries that read each input value.
    static func fold(_ g: ConvGeometry, _ cols: UnsafePointer<Float>, count: Int, _ xt: UnsafeMutablePointer<Float>) {
        let c = g.c
        xt.update(repeating: 0, count: count &* g.h &* g.w &* c)
        forEachKernelRow(g, count: count) { row, input, lo, hi in
            guard let input else { return }
            UnalignedSIMD.add(cols + (row &+ lo &* c), into: xt + input, count: (hi &- lo) &* c)
        }
    }

    /// `out = conv(x, w) + bias`. When `keepColumns`, returns what `backwardWeight` reads:
    /// the columns (`[n·p, kh·kw·c]`), or, where `ImplicitColumnConvolution` computes the
    /// weight gradient, its zero-padded channels-last input (or nil: it pads anew).
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keepColumns: Bool) -> TensorStorage? {
        let ownWeightGradient = ImplicitColumnConvolution.weightGradientApplies(g)
        if ImplicitColumnConvolution.forwardApplies(g) {
            let keep: ImplicitColumnConvolution.Kept = !keepColumns ? .nothing : ownWeightGradient ? .paddedInput : .columns
            return ImplicitColumnConvolution.forward(g, x: x, w: w, bias: bias, out: out, keep: keep)
        }
        let (k, p, o, chw) = (g.ckk, g.p, g.o, g.c &* g.h &* g.w)
        // Columns are kept for OpenBLAS's weight gradient only; the implicit one pads the input anew.
        let columns = keepColumns && !ownWeightGradient ? TensorStorage(uninitializedCount: g.n * p * k) : nil
        let perBlock = imagesPerBlock(g)
        BufferPool.withScratch(o * k) { wt in
            permuteWeight(g, w, wt)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                let most = min(perBlock, images.count)
                let colScratch = columns == nil ? most * p * k : 0
                BufferPool.withScratch(most * chw + colScratch + o * most * p) { scratch in
                    let xt = scratch, tmp = scratch + most * chw + colScratch
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                        let block = first..<min(first + perBlock, images.upperBound)
                        let col = columns.map { $0.base + first * p * k } ?? scratch + most * chw
                        toChannelsLast(g, x, images: block, xt)
                        unfold(g, xt, count: block.count, col)
                        // Kept columns and the scratch block run the same GEMM call, so the
                        // output has the same bits whether the weight gradient is wanted or not.
                        BLAS.sgemm(transposeA: false, transposeB: true, m: o, n: block.count * p, k: k, wt, lda: k,
                                   col, ldb: k, tmp, ldc: block.count * p)
                        g.fromChannelMajor(tmp, out, bias: bias, images: block, rowLength: block.count * p)
                    }
                }
            }
        }
        return columns
    }

    /// `dx = conv_backward_input(dy, w)`; `dx` is overwritten.
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>) {
        if ImplicitColumnConvolution.inputGradientApplies(g) {
            return ImplicitColumnConvolution.backwardInput(g, dy: dy, w: w, dx: dx)
        }
        let (k, p, o, np, chw) = (g.ckk, g.p, g.o, g.n &* g.p, g.c &* g.h &* g.w)
        let perBlock = imagesPerBlock(g)
        BufferPool.withScratch(o * k + o * np) { scratch in
            let wt = scratch, dyt = scratch + o * k
            permuteWeight(g, w, wt)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                g.toChannelMajor(dy, dyt, images: images)
                let most = min(perBlock, images.count)
                BufferPool.withScratch(most * p * k + most * chw) { work in
                    let dcol = work, dxt = work + most * p * k
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                        let block = first..<min(first + perBlock, images.upperBound)
                        BLAS.sgemm(transposeA: true, transposeB: false, m: block.count * p, n: k, k: o,
                                   dyt + first * p, lda: np, wt, ldb: k, dcol, ldc: k)
                        fold(g, dcol, count: block.count, dxt)
                        fromChannelsLast(g, dxt, images: block, dx)
                    }
                }
            }
        }
    }

    /// `dw = conv_backward_weight(x, dy)`; `dw` is overwritten. `columns`, when
    /// given, is what `forward` kept: the unfolding of `x`, or its zero-padded
    /// channels-last copy where `ImplicitColumnConvolution` computes the weight gradient.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dw: UnsafeMutablePointer<Float>, columns: TensorStorage?) {
        if ImplicitColumnConvolution.weightGradientApplies(g) {
            return ImplicitColumnConvolution.backwardWeight(g, x: x, dy: dy, dw: dw, paddedInput: columns)
        }
        let (k, p, o, np, chw) = (g.ckk, g.p, g.o, g.n &* g.p, g.c &* g.h &* g.w)
        let imageParts = ConvKernels.parts(g, items: g.n), rowParts = ConvKernels.parts(g, items: o)
        let columns = columns ?? {
            let fresh = TensorStorage(uninitializedCount: np * k)
            let col = fresh.base, perBlock = imagesPerBlock(g)
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                BufferPool.withScratch(min(perBlock, images.count) * chw) { xt in
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                        let block = first..<min(first + perBlock, images.upperBound)
                        toChannelsLast(g, x, images: block, xt)
                        unfold(g, xt, count: block.count, col + first * p * k)
                    }
                }
            }
            return fresh
        }()
        let col = UnsafePointer(columns.base)
        BufferPool.withScratch(o * np + o * k) { scratch in
            let dyt = scratch, dwt = scratch + o * np
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                g.toChannelMajor(dy, dyt, images: images)
            }
            // Each part owns rows of dw and reduces over all images in order.
            IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                BLAS.sgemm(transposeA: false, transposeB: false, m: rows.count, n: k, k: np,
                           dyt + rows.lowerBound * np, lda: np, col, ldb: k, dwt + rows.lowerBound * k, ldc: k)
                unpermuteWeight(g, dwt, dw, rows: rows)
            }
        }
    }
}
