import CConvKernels

/// Out-of-place transposes of row-major `Float` matrices, for the layout changes
/// of `ChannelsLastConvolution` (NCHW <-> NHWC images, OIHW <-> OHWI weights).
///
/// On CPUs with AVX2 (checked once) the work runs in 8x8 blocks held in vector
/// registers (`ccv_transpose_avx2` in `Sources/CConvKernels/Transpose.c`: 8 row
/// loads, 24 shuffles, 8 row stores per block); elsewhere, and for the edges, one
/// value at a time. Pure data movement: the result is exact either way.
public enum MatrixTranspose {
    /// Whether the vector kernel can run here.
    public static let isVectorised = ccv_has_avx2_fma() != 0

    /// `dst[j·rows + i] = src[i·columns + j]` for `i < rows`, `j < columns`.
    @inline(__always)
    public static func transpose(_ src: UnsafePointer<Float>, rows: Int, columns: Int, _ dst: UnsafeMutablePointer<Float>) {
        if isVectorised {
            ccv_transpose_avx2(src, rows, columns, dst)
        } else {
            scalarTranspose(src, rows: rows, columns: columns, dst)
        }
    }

    /// The same, one value at a time (the portable path; also the tests' reference).
    public static func scalarTranspose(_ src: UnsafePointer<Float>, rows: Int, columns: Int, _ dst: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            for j in 0..<columns { dst[j &* rows &+ i] = src[i &* columns &+ j] }
        }
    }
}
