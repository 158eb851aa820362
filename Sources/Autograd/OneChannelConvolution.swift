import CConvKernels

/// Direct channels-last kernels for 3x3 convolutions over a single input channel at any
/// stride (MAML's first layer on grayscale images: 1 -> 64 channels, stride 2), in
/// `OneChannelConvolution.c`.
///
/// As im2col GEMMs (`ChannelsLastConvKernels`' one-channel path) the forward and the
/// weight gradient have a reduction or an output side of 9, where OpenBLAS spends more
/// time packing the 64-channel side and handling the narrow edge than multiplying:
/// 6% of a FOMAML task, for 1% of its multiply-adds. Here the output channels lie along
/// the vector lanes and each pixel's 9 inputs are broadcast from its zero-padded plane;
/// every value is one chain of fused multiply-adds in a fixed order (the bias, then the
/// taps; or the pixels in order), so the AVX2 and AVX-512 kernels give the same bits,
/// and parts (images for the forward, groups of output channels for the weight gradient)
/// do not change them. The forward keeps the padded planes for the weight gradient;
/// the input gradient (wanted only when the images themselves are differentiated) stays
/// on the GEMM path.
enum OneChannelConvolution {
    /// Whether a convolution of this geometry runs through these kernels (decided in
    /// `ConvGeometry`, with the other kernel choices, at the forward).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.c == 1 && g.kh == 3 && g.kw == 3 && g.o % 8 == 0 && ImplicitColumnConvolution.isAvailable
            && ConvolutionAlgorithm.current == .automatic
    }

    private static func geometry(_ g: ConvGeometry) -> ccv_cl1_geometry {
        ccv_cl1_geometry(o: g.o, ho: g.ho, wo: g.wo, hp: g.h + 2 * g.padding, wp: g.w + 2 * g.padding, stride: g.stride)
    }

    /// Floats of one padded plane.
    private static func plane(_ g: ConvGeometry) -> Int { (g.h + 2 * g.padding) * (g.w + 2 * g.padding) }

    /// Output channels per group of the weight gradient's parts: 16 where they divide `o`.
    private static func group(_ g: ConvGeometry) -> Int { g.o % 16 == 0 ? 16 : 8 }

    /// Whether the 512-bit kernels run (read on the calling thread, before the parts start).
    private static func wide(_ g: ConvGeometry) -> Bool {
        VectorInstructions.inForce == .avx512 && g.o % 16 == 0
    }

    /// Zero-padded planes of `images` (`x` is `[n, h, w, 1]`) into `dst`, the first image's at
    /// `dst`: one channel's padded channels-last image is its padded plane.
    private static func pad(_ g: ConvGeometry, _ x: UnsafePointer<Float>, images: Range<Int>,
                            _ dst: UnsafeMutablePointer<Float>) {
        for (i, ni) in images.enumerated() {
            ChannelsLastConvKernels.pad(g, x + ni * g.h * g.w, dst + i * plane(g))
        }
    }

    /// `out = conv(x, w) + bias`, `x` `[n, h, w, 1]` and `out` `[n, ho, wo, o]`. When
    /// `keepForWeight`, returns the padded planes for `backwardWeight`.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keepForWeight: Bool) -> TensorStorage? {
        let size = plane(g), p = g.p, o = g.o
        let kept = keepForWeight ? TensorStorage(uninitializedCount: g.n * size) : nil
        let kernel = wide(g) ? ccv_cl1_forward_avx512 : ccv_cl1_forward_avx2
        withUnsafePointer(to: geometry(g)) { geo in
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                BufferPool.withScratch(kept == nil ? images.count * size : 0) { scratch in
                    let planes = kept.map { $0.base + images.lowerBound * size } ?? scratch
                    pad(g, x, images: images, planes)
                    kernel(geo, planes, w, bias, 0, images.count * p, out + images.lowerBound * p * o)
                }
            }
        }
        return kept
    }

    /// `dw = conv_backward_weight(x, dy)` (OIHW, overwritten), `dy` `[n, ho, wo, o]`. `kept`,
    /// when given, is what `forward` kept.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dw: UnsafeMutablePointer<Float>, kept: TensorStorage?) {
        let size = plane(g), step = group(g)
        let planes = kept ?? {
            let fresh = TensorStorage(uninitializedCount: g.n * size)
            let base = fresh.base
            IntraOpParallelism.forEachRange(of: g.n, parts: ConvKernels.parts(g, items: g.n)) { images in
                pad(g, x, images: images, base + images.lowerBound * size)
            }
            return fresh
        }()
        let kernel = wide(g) ? ccv_cl1_weight_gradient_avx512 : ccv_cl1_weight_gradient_avx2
        withUnsafePointer(to: geometry(g)) { geo in
            IntraOpParallelism.forEachRange(of: g.o / step, parts: ConvKernels.parts(g, items: g.o / step)) { groups in
                kernel(geo, planes.base, dy, g.n * g.p, groups.lowerBound * step, groups.upperBound * step, dw)
            }
        }
        withExtendedLifetime(planes) {}
    }
}
