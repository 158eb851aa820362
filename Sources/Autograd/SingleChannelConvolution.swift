import CConvKernels

/// Direct convolution for 3x3 stride-1 kernels over a single input channel (the
/// first layer on grayscale images such as Omniglot), where im2col + GEMM has
/// K = 9: OpenBLAS spends more time packing, zeroing and handling the narrow
/// edge than multiplying (the forward of ProtoNet's first layer ran at 24
/// GFLOP/s, its weight gradient at 15, against ~75 for large GEMMs).
///
/// The kernels (`Sources/CConvKernels`, AVX2 and FMA through per-function target
/// attributes) read zero-padded copies of the input planes: the forward loads
/// each of the 9 taps' 8-pixel vectors (16 with AVX-512, `VectorInstructions`:
/// the same bits) once and reuses them for every output channel; the weight
/// gradient keeps one 8-lane accumulator per tap and output channel and sums
/// over images in order. They run only when the CPU has AVX2
/// and FMA (checked once) and `ConvolutionAlgorithm` is `.automatic`; the
/// choice is kept in the geometry like Winograd's. Parts by images (forward)
/// and by output channels (weight gradient), so results do not depend on the
/// number of threads. The input gradient (needed only when the images
/// themselves are differentiated) stays on the im2col path.
public enum SingleChannelConvolution {
    /// Whether this CPU can run the kernels (AVX2 and FMA); where it cannot,
    /// single-channel convolutions use im2col + GEMM.
    public static let isAvailable = ccv_has_avx2_fma() != 0

    /// Whether a convolution of this geometry runs through these kernels.
    static func applies(_ g: ConvGeometry) -> Bool {
        g.c == 1 && g.kh == 3 && g.kw == 3 && g.stride == 1 && isAvailable
            && ConvolutionAlgorithm.current == .automatic
    }

    /// Zero-padded copies of the planes of `images`, each at its image's index in a
    /// buffer sized for all `n` (so the kernels index planes by image), for the
    /// duration of `body`.
    private static func withPlanes<R>(_ g: ConvGeometry, x: UnsafePointer<Float>, images: Range<Int>,
                                      _ body: (UnsafePointer<Float>) -> R) -> R {
        let size = ccv_plane_size(g.ho, g.wo)
        return BufferPool.withScratch(g.n * size) { planes in
            ccv_pad_planes(x, images.lowerBound, images.upperBound, g.h, g.w, g.padding, planes)
            return body(planes)
        }
    }

    /// `out = conv(x, w) + bias`.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>) {
        let parts = ConvKernels.parts(g, items: g.n)
        let wide = VectorInstructions.inForce == .avx512  // read here, before the parts start
        IntraOpParallelism.forEachRange(of: g.n, parts: parts) { images in
            withPlanes(g, x: x, images: images) { planes in
                (wide ? ccv_forward_avx512 : ccv_forward_avx2)(planes, w, bias, out, images.lowerBound, images.upperBound,
                                                               g.o, g.ho, g.wo)
            }
        }
    }

    /// `dw = conv_backward_weight(x, dy)`; `dw` is overwritten.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dw: UnsafeMutablePointer<Float>) {
        let parts = ConvKernels.parts(g, items: g.o)
        withPlanes(g, x: x, images: 0..<g.n) { planes in
            IntraOpParallelism.forEachRange(of: g.o, parts: parts) { rows in
                ccv_weight_gradient_avx2(planes, dy, dw, g.n, g.o, rows.lowerBound, rows.upperBound, g.ho, g.wo)
            }
        }
    }
}
