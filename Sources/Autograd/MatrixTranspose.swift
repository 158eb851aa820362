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

extension MatrixTranspose {
    /// One image `x` (`[c, h, w]`) -> `dst` (`[h + 2·padding, w + 2·padding, c]`,
    /// channels innermost), with the border zeroed: the layout in which
    /// `ImplicitColumnConvolution` reads every kernel row of a pixel as one run.
    public static func toPaddedChannelsLast(_ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                            padding: Int, _ dst: UnsafeMutablePointer<Float>) {
        if isVectorised {
            ccv_to_padded_channels_last_avx2(x, c, h, w, padding, dst)
            return
        }
        let wp = w + 2 * padding
        dst.update(repeating: 0, count: (h + 2 * padding) * wp * c)
        for y in 0..<h {
            for xi in 0..<w {
                let d = dst + ((y + padding) * wp + xi + padding) * c
                for ci in 0..<c { d[ci] = x[(ci * h + y) * w + xi] }
            }
        }
    }

    /// The inverse of `toPaddedChannelsLast`: the interior of `src` -> `x` (`[c, h, w]`).
    public static func fromPaddedChannelsLast(_ src: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                              padding: Int, _ x: UnsafeMutablePointer<Float>) {
        if isVectorised {
            ccv_from_padded_channels_last_avx2(src, c, h, w, padding, x)
            return
        }
        let wp = w + 2 * padding
        for y in 0..<h {
            for xi in 0..<w {
                let s = src + ((y + padding) * wp + xi + padding) * c
                for ci in 0..<c { x[(ci * h + y) * w + xi] = s[ci] }
            }
        }
    }
}
