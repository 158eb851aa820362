import CConvKernels

/// The forward and input-gradient GEMMs of `ChannelsLastConvolution` without a
/// column matrix in between, on CPUs with AVX2 and FMA (`ChannelsLastGEMM.c`),
/// with 512-bit registers where the CPU has AVX-512F (`VectorInstructions`).
///
/// With OpenBLAS, the forward unfolds each pixel's receptive field into the columns,
/// which `sgemm` then copies again into its packed panels, and zeroes its output
/// before accumulating; the input gradient has `sgemm` zero and fill a column
/// matrix 2.25-9x the size of the input (`kh·kw/stride²`), then folds it back. The
/// kernels here compute tiles of 6 output pixels x 16 columns in registers and
/// read each pixel's operand in place by broadcasts (with AVX-512, tiles of 6
/// pixels x 64 columns in 24 registers: the same sums in the same order, so the
/// same bits):
///
/// - forward: the pixel's kernel rows straight from a zero-padded channels-last
///   copy of the input (`kh` runs of `kw·c` values), or from the columns when the
///   weight gradient wants them kept anyway; both give the same bits;
/// - input gradient: the pixel's channels-last output gradient, each tile of 16
///   (tap, channel) columns added straight into the zero-padded channels-last
///   input gradient at its tap's place, which replaces the column matrix and fold.
///
/// Only the weight is packed, into panels of 16 columns. The forward needs the
/// output channels, the input gradient the input channels, to be multiples of 16
/// (every Conv4 layer after the first); other convolutions keep the OpenBLAS
/// path. Every output value is one sum in a fixed order, and the input gradient's
/// additions follow the tiles of blocks that depend on the shapes alone (as the
/// parts do), so the results do not depend on the thread count; they differ from
/// the OpenBLAS path's in rounding only.
enum ImplicitColumnConvolution {
    /// Whether the kernels can run here (checked once).
    static let isAvailable = ccv_has_avx2_fma() != 0

    /// Whether `ChannelsLastConvolution.forward` runs through these kernels.
    static func forwardApplies(_ g: ConvGeometry) -> Bool { isAvailable && g.o % 16 == 0 }

    /// Whether `ChannelsLastConvolution.backwardInput` runs through these kernels.
    static func inputGradientApplies(_ g: ConvGeometry) -> Bool { isAvailable && g.c % 16 == 0 }

    /// Whether `ChannelsLastConvolution.backwardWeight` runs through these kernels; then
    /// the forward keeps the zero-padded channels-last input for it instead of columns.
    /// Only on CPUs with AVX-512F: with 16-column tiles OpenBLAS's packed GEMM is faster
    /// (MAML task 26 ms against 30). Decided by the CPU, never by the scope's
    /// `VectorInstructions` limit, so a forward and its gradient always agree on what
    /// is kept; under an AVX2 limit the AVX2 tiles give the same bits.
    static func weightGradientApplies(_ g: ConvGeometry) -> Bool {
        VectorInstructions.detected == .avx512 && g.c % 16 == 0
    }

    /// What a forward keeps for the weight gradient.
    enum Kept {
        /// Nothing (the weight is not differentiated).
        case nothing
        /// The columns (`[n·p, kh·kw·c]`), for the OpenBLAS weight gradient.
        case columns
        /// The zero-padded channels-last input (`[n, hp, wp, c]`), for `backwardWeight` here.
        case paddedInput
    }

    /// Whether the 512-bit tiles run in the current scope (read on the calling thread,
    /// before the parts start).
    static var wide: Bool { VectorInstructions.inForce == .avx512 }

    /// The kernels' geometry, for images stored zero-padded (`padded`) or as they are.
    static func geometry(_ g: ConvGeometry, padded: Bool = true) -> ccv_cl_geometry {
        ccv_cl_geometry(c: g.c, kh: g.kh, kw: g.kw, stride: g.stride, ho: g.ho, wo: g.wo,
                        hp: g.h + 2 * g.padding, wp: g.w + 2 * g.padding, pad: g.padding,
                        border: padded ? g.padding : 0)
    }

    /// Floats of one zero-padded channels-last image.
    static func paddedImage(_ g: ConvGeometry) -> Int { (g.h + 2 * g.padding) * (g.w + 2 * g.padding) * g.c }

    /// The forward's weight: panels of 16 output channels, each `[kh·kw·c][16]` with
    /// the reduction in (tap, channel) order (the permuted weight, transposed per panel).
    static func packForward(_ g: ConvGeometry, _ w: UnsafePointer<Float>, _ packed: UnsafeMutablePointer<Float>) {
        let k = g.ckk
        BufferPool.withScratch(g.o * k) { wt in
            ChannelsLastConvolution.permuteWeight(g, w, wt)
            for j in 0..<(g.o / 16) {
                MatrixTranspose.transpose(wt + 16 * j * k, rows: 16, columns: k, packed + 16 * j * k)
            }
        }
    }

    /// The input gradient's weight: panels of 16 consecutive (tap, channel) columns of
    /// the permuted weight, each `[o][16]`.
    static func packInputGradient(_ g: ConvGeometry, _ w: UnsafePointer<Float>,
                                          _ packed: UnsafeMutablePointer<Float>) {
        let (k, o) = (g.ckk, g.o)
        BufferPool.withScratch(o * k) { wt in
            ChannelsLastConvolution.permuteWeight(g, w, wt)
            for j in 0..<(k / 16) {
                for oi in 0..<o { (packed + (j * o + oi) * 16).update(from: wt + oi * k + 16 * j, count: 16) }
            }
        }
    }

    /// Images per block: about `ConvKernels.blockBytes` of the block's largest buffer.
    static func imagesPerBlock(_ g: ConvGeometry, floatsPerImage: Int) -> Int {
        max(1, ConvKernels.blockBytes / (4 * floatsPerImage))
    }

    /// `out = conv(x, w) + bias` (NCHW). Returns what `keep` asks for: the columns
    /// (`[n·p, kh·kw·c]`, as `ChannelsLastConvolution.unfold` lays them out) or the
    /// zero-padded channels-last input (`[n, hp, wp, c]`), which the forward then reads in
    /// place; the output has the same bits either way.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keep: Kept) -> TensorStorage? {
        let (k, p, o, chw) = (g.ckk, g.p, g.o, g.c * g.h * g.w)
        let padded = paddedImage(g)
        let kept: TensorStorage? = switch keep {
        case .nothing: nil
        case .columns: TensorStorage(uninitializedCount: g.n * p * k)
        case .paddedInput: TensorStorage(uninitializedCount: g.n * padded)
        }
        let perBlock = imagesPerBlock(g, floatsPerImage: keep == .columns ? p * k : padded)
        let wide = Self.wide
        // One immutable geometry, read by every part (no `&` of a shared var across threads).
        withUnsafePointer(to: geometry(g)) { geo in
        BufferPool.withScratch(o * k) { packed in
            packForward(g, w, packed)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                let most = min(perBlock, images.count)
                let source = switch keep {
                case .nothing: most * padded
                case .columns: most * chw
                case .paddedInput: 0
                }
                BufferPool.withScratch(source + most * p * o) { scratch in
                    let xt = scratch, yt = scratch + source
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                        let block = first..<min(first + perBlock, images.upperBound)
                        if keep == .columns, let kept {
                            let col = kept.base + first * p * k
                            ChannelsLastConvolution.toChannelsLast(g, x, images: block, xt)
                            ChannelsLastConvolution.unfold(g, xt, count: block.count, col)
                            (wide ? ccv_cl_forward_avx512 : ccv_cl_forward_avx2)(geo, col, 1, block.count * p, packed, o,
                                                                                bias, yt)
                        } else {
                            let images = keep == .paddedInput ? kept!.base + first * padded : xt
                            for ni in block {
                                MatrixTranspose.toPaddedChannelsLast(x + ni * chw, channels: g.c, height: g.h, width: g.w,
                                                                     padding: g.padding, images + (ni - first) * padded)
                            }
                            (wide ? ccv_cl_forward_avx512 : ccv_cl_forward_avx2)(geo, images, 0, block.count * p, packed,
                                                                                o, bias, yt)
                        }
                        for ni in block {
                            MatrixTranspose.transpose(yt + (ni - first) * p * o, rows: p, columns: o, out + ni * o * p)
                        }
                    }
                }
            }
        }
        }
        return kept
    }

    /// `dx = conv_backward_input(dy, w)` (NCHW); `dx` is overwritten.
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>) {
        let (k, p, o, chw) = (g.ckk, g.p, g.o, g.c * g.h * g.w)
        let padded = paddedImage(g)
        let perBlock = imagesPerBlock(g, floatsPerImage: padded + p * o)
        let wide = Self.wide
        withUnsafePointer(to: geometry(g)) { geo in
        BufferPool.withScratch(o * k) { packed in
            packInputGradient(g, w, packed)
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                let most = min(perBlock, images.count)
                BufferPool.withScratch(most * (p * o + padded)) { work in
                    let dyt = work, dxt = work + most * p * o
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perBlock) {
                        let block = first..<min(first + perBlock, images.upperBound)
                        for ni in block {
                            MatrixTranspose.transpose(dy + ni * o * p, rows: o, columns: p, dyt + (ni - first) * p * o)
                        }
                        dxt.update(repeating: 0, count: block.count * padded)
                        (wide ? ccv_cl_input_gradient_avx512 : ccv_cl_input_gradient_avx2)(geo, dyt, block.count * p, packed, o, dxt)
                        for ni in block {
                            MatrixTranspose.fromPaddedChannelsLast(dxt + (ni - first) * padded, channels: g.c, height: g.h,
                                                                   width: g.w, padding: g.padding, dx + ni * chw)
                        }
                    }
                }
            }
        }
        }
    }

    /// `dw = conv_backward_weight(x, dy)` (OIHW); `dw` is overwritten. `paddedInput`, when
    /// given, is the forward's zero-padded channels-last copy of `x` (`Kept.paddedInput`).
    ///
    /// Without a column matrix: tiles of 6 output channels x 64 (tap, channel) columns
    /// (16 with AVX2) are reduced over every output pixel in order, each pixel's 6
    /// gradients broadcast from the channels-last `dy` and its (tap, channel) values read
    /// in place from the padded input (`ccv_cl_weight_gradient_*`). OpenBLAS packed the
    /// columns (2.25x the input for MAML's stride 2) into its panels on every call, for
    /// only 64 output channels of reuse. Parts own output channels and reduce over all
    /// pixels, so the results do not depend on the thread count.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dw: UnsafeMutablePointer<Float>, paddedInput: TensorStorage?) {
        let (k, o, np, chw) = (g.ckk, g.o, g.n * g.p, g.c * g.h * g.w)
        let padded = paddedImage(g)
        let imageParts = ConvKernels.parts(g, items: g.n), rowParts = ConvKernels.parts(g, items: o)
        let source = paddedInput ?? {
            let fresh = TensorStorage(uninitializedCount: g.n * padded)
            let base = fresh.base
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                for ni in images {
                    MatrixTranspose.toPaddedChannelsLast(x + ni * chw, channels: g.c, height: g.h, width: g.w,
                                                         padding: g.padding, base + ni * padded)
                }
            }
            return fresh
        }()
        let src = UnsafePointer(source.base)
        let wide = Self.wide
        withUnsafePointer(to: geometry(g)) { geo in
        BufferPool.withScratch(o * np + o * k) { scratch in
            let dyt = scratch, dwt = scratch + o * np
            // The kernel reads dy channels-last (`[n·p, o]`): each image's `[o, p]` transposed.
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                for ni in images {
                    MatrixTranspose.transpose(dy + ni * o * g.p, rows: o, columns: g.p, dyt + ni * g.p * o)
                }
            }
            IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
                (wide ? ccv_cl_weight_gradient_avx512 : ccv_cl_weight_gradient_avx2)(
                    geo, src, 0, np, dyt, o, rows.lowerBound, rows.upperBound, dwt)
                ChannelsLastConvolution.unpermuteWeight(g, dwt, dw, rows: rows)
            }
        }
        }
        withExtendedLifetime(source) {}
    }
}
