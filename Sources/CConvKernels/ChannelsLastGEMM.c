#include "CConvKernels.h"

#include <stdlib.h>

// Channels-last convolution GEMMs with the column matrix left implicit. A tile of 6
// output rows (pixels) x 16 columns is accumulated in 12 AVX registers over the
// reduction, reading each pixel's operand row by broadcasts straight from where it
// lies (the columns, the zero-padded channels-last image, or the channels-last
// output gradient), so no operand row is packed and no column matrix is zeroed or
// folded. Only the weight is packed, once per call, into panels of 16 columns.
//
// Every output value is one sum over the reduction in a fixed order (segments, then
// positions within a segment), whatever tile it falls in. The input gradient adds
// each tile into the padded image, tile after tile from the block's first pixel; the
// caller's blocks depend on the shapes alone, and so does the order of the additions.

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

/// For the `m <= 6` rows r of a tile and each 16-column panel j of `panels`:
/// v = sum over s < segments, q < length of a[r][s * stride + q] * packed[j][s * length + q][0..16),
/// then out[r] + offsets[j] is overwritten with v (+ bias[16 j ..], when given) or,
/// with `accumulate`, has v added.
AVX2 static void tile(size_t m, const float *const a[6], size_t segments, size_t length, ptrdiff_t stride,
                      const float *packed, size_t panels, float *const out[6], const ptrdiff_t *offsets,
                      int accumulate, const float *bias) {
    const size_t depth = segments * length;
    for (size_t j = 0; j < panels; j++) {
        const float *b = packed + j * depth * 16;
        __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (size_t s = 0; s < segments; s++) {
            const ptrdiff_t o = (ptrdiff_t)s * stride;
            const float *p0 = a[0] + o, *p1 = a[1] + o, *p2 = a[2] + o;
            const float *p3 = a[3] + o, *p4 = a[4] + o, *p5 = a[5] + o;
            for (size_t q = 0; q < length; q++, b += 16) {
                const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
                __m256 x = _mm256_broadcast_ss(p0 + q);
                c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
                x = _mm256_broadcast_ss(p1 + q);
                c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
                x = _mm256_broadcast_ss(p2 + q);
                c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
                x = _mm256_broadcast_ss(p3 + q);
                c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
                x = _mm256_broadcast_ss(p4 + q);
                c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
                x = _mm256_broadcast_ss(p5 + q);
                c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
            }
        }
        const __m256 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
        for (size_t r = 0; r < m; r++) {
            float *d = out[r] + offsets[j];
            __m256 lo = acc[2 * r], hi = acc[2 * r + 1];
            if (accumulate) {
                lo = _mm256_add_ps(_mm256_loadu_ps(d), lo);
                hi = _mm256_add_ps(_mm256_loadu_ps(d + 8), hi);
            } else if (bias) {
                lo = _mm256_add_ps(lo, _mm256_loadu_ps(bias + 16 * j));
                hi = _mm256_add_ps(hi, _mm256_loadu_ps(bias + 16 * j + 8));
            }
            _mm256_storeu_ps(d, lo);
            _mm256_storeu_ps(d + 8, hi);
        }
    }
}

/// The first row of pixel `r` (of `count` images of ho x wo outputs) in a zero-padded
/// channels-last image batch of wp-wide rows: its top-left tap.
static inline ptrdiff_t pixelOrigin(size_t r, const ccv_cl_geometry *g) {
    const size_t per = g->ho * g->wo, b = r / per, pix = r % per, oy = pix / g->wo, ox = pix % g->wo;
    return (ptrdiff_t)(((b * g->hp + oy * g->stride) * g->wp + ox * g->stride) * g->c);
}

AVX2 void ccv_cl_forward_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                              const float *packed, size_t o, const float *bias, float *out) {
    const size_t depth = g->kh * g->kw * g->c, panels = o / 16;
    ptrdiff_t *offsets = malloc(sizeof(ptrdiff_t) * panels);
    for (size_t j = 0; j < panels; j++) offsets[j] = (ptrdiff_t)(16 * j);
    for (size_t r0 = 0; r0 < rows; r0 += 6) {
        const size_t m = rows - r0 < 6 ? rows - r0 : 6;
        const float *a[6];
        float *dst[6];
        for (size_t i = 0; i < 6; i++) {
            const size_t r = r0 + (i < m ? i : 0);
            a[i] = fromColumns ? source + r * depth : source + pixelOrigin(r, g);
            dst[i] = out + r * o;
        }
        if (fromColumns) tile(m, a, 1, depth, 0, packed, panels, dst, offsets, 0, bias);
        else tile(m, a, g->kh, g->kw * g->c, (ptrdiff_t)(g->wp * g->c), packed, panels, dst, offsets, 0, bias);
    }
    free(offsets);
}

AVX2 void ccv_cl_input_gradient_avx2(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                     const float *packed, size_t o, float *dx) {
    const size_t depth = g->kh * g->kw * g->c, panels = depth / 16;
    ptrdiff_t *offsets = malloc(sizeof(ptrdiff_t) * panels);
    for (size_t j = 0; j < panels; j++) {
        const size_t k = 16 * j, t = k / g->c, ci = k % g->c;
        offsets[j] = (ptrdiff_t)(((t / g->kw) * g->wp + t % g->kw) * g->c + ci);
    }
    for (size_t r0 = 0; r0 < rows; r0 += 6) {
        const size_t m = rows - r0 < 6 ? rows - r0 : 6;
        const float *a[6];
        float *dst[6];
        for (size_t i = 0; i < 6; i++) {
            const size_t r = r0 + (i < m ? i : 0);
            a[i] = dy + r * o;
            dst[i] = dx + pixelOrigin(r, g);
        }
        tile(m, a, 1, o, 0, packed, panels, dst, offsets, 1, NULL);
    }
    free(offsets);
}

#else

// Never called: `ccv_has_avx2_fma()` is 0 here.
void ccv_cl_forward_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                         const float *packed, size_t o, const float *bias, float *out) { abort(); }
void ccv_cl_input_gradient_avx2(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                const float *packed, size_t o, float *dx) { abort(); }

#endif
