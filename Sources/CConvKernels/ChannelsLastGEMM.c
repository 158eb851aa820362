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

/// A tile kernel: `tile` (AVX2) or `tile512` (AVX-512), the same sums in the same order.
typedef void (*tile_fn)(size_t m, const float *const a[6], size_t segments, size_t length, ptrdiff_t stride,
                        const float *packed, size_t panels, float *const out[6], const ptrdiff_t *offsets,
                        int accumulate, const float *bias);

static void forward_driver(tile_fn kernel, const ccv_cl_geometry *g, const float *source, int fromColumns,
                           size_t rows, const float *packed, size_t o, const float *bias, float *out) {
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
        if (fromColumns) kernel(m, a, 1, depth, 0, packed, panels, dst, offsets, 0, bias);
        else kernel(m, a, g->kh, g->kw * g->c, (ptrdiff_t)(g->wp * g->c), packed, panels, dst, offsets, 0, bias);
    }
    free(offsets);
}

static void input_gradient_driver(tile_fn kernel, const ccv_cl_geometry *g, const float *dy, size_t rows,
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
        kernel(m, a, 1, o, 0, packed, panels, dst, offsets, 1, NULL);
    }
    free(offsets);
}

void ccv_cl_forward_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                         const float *packed, size_t o, const float *bias, float *out) {
    forward_driver(tile, g, source, fromColumns, rows, packed, o, bias, out);
}

void ccv_cl_input_gradient_avx2(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                const float *packed, size_t o, float *dx) {
    input_gradient_driver(tile, g, dy, rows, packed, o, dx);
}

// The AVX-512 tile: the same 6 rows, and `P` (4, 2 or 1) panels of 16 columns at once,
// one 512-bit register each (24 accumulators for 4 panels: 64 columns, all of a Conv4
// layer's output channels in one pass over the reduction). Each output value is
// still one chain of fused multiply-adds over the reduction in the same order, from
// zero, then the same final addition: the bits of `tile`, at twice the width.
#define AVX512 __attribute__((target("avx512f")))

/// One segment of a tile's reduction: for the 6 rows r and P panels k,
/// acc[4 r + k] += sum over q < length of p[r][q] * b[k][16 q ..]. The accumulators go
/// through memory between segments (exactly, so the sums are unchanged): one simple loop
/// per call keeps all 24 in registers, where a loop over segments around it made the
/// compiler shuffle and spill them on every step.
AVX512 static inline __attribute__((always_inline)) void
segment512(const size_t P, const float *const p[6], const float *const b[4], size_t length, __m512 *acc) {
    __m512 c[6][4];
    for (size_t r = 0; r < 6; r++)
        for (size_t k = 0; k < P; k++) c[r][k] = acc[4 * r + k];
    const float *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3], *p4 = p[4], *p5 = p[5];
    const float *b0 = b[0], *b1 = b[P > 1 ? 1 : 0], *b2 = b[P > 2 ? 2 : 0], *b3 = b[P > 3 ? 3 : 0];
    for (size_t q = 0; q < length; q++) {
        __m512 w[4];
        w[0] = _mm512_loadu_ps(b0 + 16 * q);
        if (P > 1) w[1] = _mm512_loadu_ps(b1 + 16 * q);
        if (P > 2) w[2] = _mm512_loadu_ps(b2 + 16 * q);
        if (P > 3) w[3] = _mm512_loadu_ps(b3 + 16 * q);
        __m512 x;
#define CCV_ROW(r, pr)                                                            \
        x = _mm512_set1_ps(pr[q]);                                                \
        for (size_t k = 0; k < P; k++) c[r][k] = _mm512_fmadd_ps(x, w[k], c[r][k]);
        CCV_ROW(0, p0) CCV_ROW(1, p1) CCV_ROW(2, p2) CCV_ROW(3, p3) CCV_ROW(4, p4) CCV_ROW(5, p5)
#undef CCV_ROW
    }
    for (size_t r = 0; r < 6; r++)
        for (size_t k = 0; k < P; k++) acc[4 * r + k] = c[r][k];
}

#define CCV_SEG512(P)                                                                                        \
    AVX512 __attribute__((noinline)) static void segment512_##P(const float *const p[6], const float *const b[4], \
                                                                size_t length, __m512 *acc) {                \
        segment512(P, p, b, length, acc);                                                                    \
    }
CCV_SEG512(4)
CCV_SEG512(2)
CCV_SEG512(1)
#undef CCV_SEG512

AVX512 static void group512(const size_t P, size_t m, const float *const a[6], size_t segments, size_t length,
                            ptrdiff_t stride, const float *packed, size_t j, size_t depth, float *const out[6],
                            const ptrdiff_t *offsets, int accumulate, const float *bias) {
    __m512 acc[24];
    for (size_t i = 0; i < 24; i++) acc[i] = _mm512_setzero_ps();
    for (size_t s = 0; s < segments; s++) {
        const ptrdiff_t o = (ptrdiff_t)s * stride;
        const float *p[6] = {a[0] + o, a[1] + o, a[2] + o, a[3] + o, a[4] + o, a[5] + o};
        const float *b[4];
        for (size_t k = 0; k < 4; k++) b[k] = packed + ((j + (k < P ? k : 0)) * depth + s * length) * 16;
        if (P == 4) segment512_4(p, b, length, acc);
        else if (P == 2) segment512_2(p, b, length, acc);
        else segment512_1(p, b, length, acc);
    }
    // Panel by panel, rows inner, as `tile` does: where two of a tile's values add into
    // the same input-gradient element (neighbouring pixels' overlapping taps), they must
    // do so in `tile`'s order.
    for (size_t k = 0; k < P; k++) {
        for (size_t r = 0; r < m; r++) {
            float *d = out[r] + offsets[j + k];
            __m512 v = acc[4 * r + k];
            if (accumulate) v = _mm512_add_ps(_mm512_loadu_ps(d), v);
            else if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + 16 * (j + k)));
            _mm512_storeu_ps(d, v);
        }
    }
}

/// `tile`'s contract, with 512-bit registers.
AVX512 static void tile512(size_t m, const float *const a[6], size_t segments, size_t length, ptrdiff_t stride,
                           const float *packed, size_t panels, float *const out[6], const ptrdiff_t *offsets,
                           int accumulate, const float *bias) {
    const size_t depth = segments * length;
    size_t j = 0;
    for (; j + 4 <= panels; j += 4)
        group512(4, m, a, segments, length, stride, packed, j, depth, out, offsets, accumulate, bias);
    if (j + 2 <= panels) {
        group512(2, m, a, segments, length, stride, packed, j, depth, out, offsets, accumulate, bias);
        j += 2;
    }
    if (j < panels) group512(1, m, a, segments, length, stride, packed, j, depth, out, offsets, accumulate, bias);
}

void ccv_cl_forward_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                           const float *packed, size_t o, const float *bias, float *out) {
    forward_driver(tile512, g, source, fromColumns, rows, packed, o, bias, out);
}

void ccv_cl_input_gradient_avx512(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                  const float *packed, size_t o, float *dx) {
    input_gradient_driver(tile512, g, dy, rows, packed, o, dx);
}

// The weight gradient: dw[oi][k] = sum over the block's pixels r, in order, of dy[r][oi] * B[r][k],
// where B[r] is pixel r's (tap, channel) row (the columns, or read in place from the zero-padded
// channels-last images through the input gradient's tap offsets). A tile holds 6 output channels
// x P panels of 16 (tap, channel) columns; per pixel it broadcasts the 6 channels' gradients (six
// neighbouring values of the pixel's row of dy, read in place: channels-last dy needs no
// transpose) and loads P x 16 values of B. The pixels are walked in chunks so that a chunk of B
// stays in cache across the tiles of output channels; the accumulators go to `dw` between chunks
// and come back for the next, which keeps each output one chain of fused multiply-adds over the
// pixels in order, from zero: the same bits for any chunk, tile, part or register width.

/// Pixels per chunk: 128 pixels of 64 channels x 9 taps is 288 KiB of B (L2), 32 KiB of dy.
#define CCV_WG_CHUNK 128

#ifndef CCV_WG_AHEAD
#define CCV_WG_AHEAD 8
#endif

/// Offsets (floats) of pixel r's row of B, and of each 16-column panel within it.
static void weight_gradient_offsets(const ccv_cl_geometry *g, int fromColumns, size_t rows, ptrdiff_t *origins,
                                    ptrdiff_t *offsets) {
    const size_t depth = g->kh * g->kw * g->c, panels = depth / 16;
    for (size_t r = 0; r < rows; r++) origins[r] = fromColumns ? (ptrdiff_t)(r * depth) : pixelOrigin(r, g);
    for (size_t j = 0; j < panels; j++) {
        const size_t k = 16 * j, t = k / g->c, ci = k % g->c;
        offsets[j] = fromColumns ? (ptrdiff_t)k : (ptrdiff_t)(((t / g->kw) * g->wp + t % g->kw) * g->c + ci);
    }
}

/// A weight-gradient tile's 6 rows: output channel o0 + i's gradient at pixel r0 (the next
/// pixel's is `ldy` floats on), and its row of `dw` from panel j on (rows past `m` repeat the
/// first, computed, not stored).
static inline void wg_rows(size_t m, const float *dy, size_t ldy, size_t o0, size_t r0, float *dw, size_t depth,
                           size_t j, const float *a[6], float *d[6]) {
    for (size_t i = 0; i < 6; i++) {
        const size_t oi = o0 + (i < m ? i : 0);
        a[i] = dy + r0 * ldy + oi;
        d[i] = dw + oi * depth + 16 * j;
    }
}

/// One tile of the weight gradient with 512-bit registers: output channels [o0, o0 + m) (m <= R,
/// R = 6 or 5 rows) x panels [j, j + P), over pixels [r0, r0 + count); `first` starts the sums
/// from zero.
AVX512 static inline __attribute__((always_inline)) void
wg_group512(const size_t R, const size_t P, size_t m, const float *dy, size_t ldy, size_t o0, const float *source,
            const ptrdiff_t *origins, const ptrdiff_t *offsets, size_t j, size_t r0, size_t count, int first,
            float *dw, size_t depth) {
    const float *a[6];
    float *d[6];
    wg_rows(m, dy, ldy, o0, r0, dw, depth, j, a, d);
    __m512 c[6][4];
    for (size_t i = 0; i < R; i++)
        for (size_t k = 0; k < P; k++) c[i][k] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(d[i] + 16 * k);
    ptrdiff_t off[4];
    for (size_t k = 0; k < P; k++) off[k] = offsets[j + k];
    const ptrdiff_t *org = origins + r0;
    // One pixel: P panels of B, then each row's gradient broadcast against them. A full tile
    // (m == R, every tile of 64 output channels) reads its R gradients through one pointer
    // at fixed offsets; with six pointers the loop runs out of general registers and
    // reloads two of them from the stack every pixel. Both loops do the same arithmetic.
#define CCV_PIXEL(ROW)                                                                        \
        const float *b = source + org[q];                                                     \
        {                                                                                     \
            const float *ahead = source + org[q + CCV_WG_AHEAD < count ? q + CCV_WG_AHEAD : q]; \
            for (size_t k = 0; k < P; k++) _mm_prefetch((const char *)(ahead + off[k]), _MM_HINT_T0); \
        }                                                                                     \
        __m512 w[4];                                                                          \
        for (size_t k = 0; k < P; k++) w[k] = _mm512_loadu_ps(b + off[k]);                    \
        __m512 x;                                                                             \
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4)                                                    \
        if (R > 5) { ROW(5) }
#define CCV_FMA(r) for (size_t k = 0; k < P; k++) c[r][k] = _mm512_fmadd_ps(x, w[k], c[r][k]);
    if (m == R) {
        const float *row = a[0];
#define CCV_ROW(r) x = _mm512_set1_ps(row[qo + r]); CCV_FMA(r)
        for (size_t q = 0, qo = 0; q < count; q++, qo += ldy) { CCV_PIXEL(CCV_ROW) }
#undef CCV_ROW
    } else {
        const float *p[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
#define CCV_ROW(r) x = _mm512_set1_ps(p[r][qo]); CCV_FMA(r)
        for (size_t q = 0, qo = 0; q < count; q++, qo += ldy) { CCV_PIXEL(CCV_ROW) }
#undef CCV_ROW
    }
#undef CCV_FMA
#undef CCV_PIXEL
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < P; k++) _mm512_storeu_ps(d[i] + 16 * k, c[i][k]);
}

/// `wg_group512` for 6 and 5 rows and 4, 2 and 1 panels, each compiled with both fixed.
#define CCV_WG512(R, P)                                                                                         \
    AVX512 static void wg_group512_##R##_##P(size_t m, const float *dy, size_t ldy, size_t o0, const float *source, \
                                             const ptrdiff_t *origins, const ptrdiff_t *offsets, size_t j,       \
                                             size_t r0, size_t count, int first, float *dw, size_t depth) {      \
        wg_group512(R, P, m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);         \
    }
CCV_WG512(6, 4)
CCV_WG512(6, 2)
CCV_WG512(6, 1)
CCV_WG512(5, 4)
CCV_WG512(5, 2)
CCV_WG512(5, 1)
#undef CCV_WG512

/// The AVX2 tile: 6 output channels x one panel of 16 columns (12 registers).
AVX2 static void wg_group256(size_t m, const float *dy, size_t ldy, size_t o0, const float *source,
                             const ptrdiff_t *origins, const ptrdiff_t *offsets, size_t j, size_t r0, size_t count,
                             int first, float *dw, size_t depth) {
    const float *a[6];
    float *d[6];
    wg_rows(m, dy, ldy, o0, r0, dw, depth, j, a, d);
    __m256 c[6][2];
    for (size_t i = 0; i < 6; i++)
        for (size_t h = 0; h < 2; h++) c[i][h] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(d[i] + 8 * h);
    const ptrdiff_t off = offsets[j];
    const ptrdiff_t *org = origins + r0;
    const float *p0 = a[0], *p1 = a[1], *p2 = a[2], *p3 = a[3], *p4 = a[4], *p5 = a[5];
    for (size_t q = 0, qo = 0; q < count; q++, qo += ldy) {
        const float *b = source + org[q] + off;
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 x;
#define CCV_ROW(r, p)                                                             \
        x = _mm256_broadcast_ss(p + qo);                                          \
        c[r][0] = _mm256_fmadd_ps(x, b0, c[r][0]); c[r][1] = _mm256_fmadd_ps(x, b1, c[r][1]);
        CCV_ROW(0, p0) CCV_ROW(1, p1) CCV_ROW(2, p2) CCV_ROW(3, p3) CCV_ROW(4, p4) CCV_ROW(5, p5)
#undef CCV_ROW
    }
    for (size_t i = 0; i < m; i++)
        for (size_t h = 0; h < 2; h++) _mm256_storeu_ps(d[i] + 8 * h, c[i][h]);
}

static void weight_gradient_driver(int wide, const ccv_cl_geometry *g, const float *source, int fromColumns,
                                   size_t rows, const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) {
    const size_t depth = g->kh * g->kw * g->c, panels = depth / 16;
    ptrdiff_t *origins = malloc(sizeof(ptrdiff_t) * (rows + panels));
    ptrdiff_t *offsets = origins + rows;
    weight_gradient_offsets(g, fromColumns, rows, origins, offsets);
    for (size_t r0 = 0; r0 < rows; r0 += CCV_WG_CHUNK) {
        const size_t count = rows - r0 < CCV_WG_CHUNK ? rows - r0 : CCV_WG_CHUNK;
        const int first = r0 == 0;
        size_t j = 0;
        while (j < panels) {
            const size_t P = !wide ? 1 : panels - j >= 4 ? 4 : panels - j >= 2 ? 2 : 1;
            // With 512-bit registers the channels go in tiles of 6 and 5 rows where they can
            // (32 = 2 x 6 + 4 x 5), so no tile computes rows it does not store.
            const size_t channels = oLast - oFirst, tiles = (channels + 5) / 6;
            const size_t sixes = wide && channels >= 5 * tiles ? channels - 5 * tiles : tiles;
            size_t o0 = oFirst;
            for (size_t t = 0; t < tiles && o0 < oLast; t++) {
                const size_t R = t < sixes ? 6 : 5, m = oLast - o0 < R ? oLast - o0 : R;
                if (!wide) wg_group256(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else if (R == 6 && P == 4) wg_group512_6_4(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else if (R == 6 && P == 2) wg_group512_6_2(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else if (R == 6) wg_group512_6_1(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else if (P == 4) wg_group512_5_4(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else if (P == 2) wg_group512_5_2(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                else wg_group512_5_1(m, dy, ldy, o0, source, origins, offsets, j, r0, count, first, dw, depth);
                o0 += m;
            }
            j += P;
        }
    }
    free(origins);
}

void ccv_cl_weight_gradient_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                 const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) {
    weight_gradient_driver(0, g, source, fromColumns, rows, dy, ldy, oFirst, oLast, dw);
}

void ccv_cl_weight_gradient_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                   const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) {
    weight_gradient_driver(1, g, source, fromColumns, rows, dy, ldy, oFirst, oLast, dw);
}

#else

// Never called: `ccv_has_avx2_fma()` and `ccv_has_avx512f()` are 0 here.
void ccv_cl_forward_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                         const float *packed, size_t o, const float *bias, float *out) { abort(); }
void ccv_cl_input_gradient_avx2(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                const float *packed, size_t o, float *dx) { abort(); }
void ccv_cl_forward_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                           const float *packed, size_t o, const float *bias, float *out) { abort(); }
void ccv_cl_input_gradient_avx512(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                  const float *packed, size_t o, float *dx) { abort(); }
void ccv_cl_weight_gradient_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                 const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) { abort(); }
void ccv_cl_weight_gradient_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                   const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) { abort(); }

#endif
