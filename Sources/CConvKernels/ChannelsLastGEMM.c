#include "CConvKernels.h"

#include <stdint.h>
#include <stdlib.h>

// Channels-last convolution GEMMs with the column matrix left implicit. A tile of 6
// output rows (pixels) x 16 columns is accumulated in 12 AVX registers over the
// reduction, reading each pixel's operand row by broadcasts straight from where it
// lies (the columns, the zero-padded channels-last image, or the channels-last
// output gradient), so no operand row is packed and no column matrix is zeroed or
// folded. Only the weight is packed, once per call, into panels of 16 columns.
//
// Every output value is one sum over the reduction in a fixed order (segments, then
// positions within a segment), whatever tile it falls in. Taps that fall on the zero
// border are left out (their products are exact zeros, so no sum changes): the forward
// and the input gradient group a block's pixels into classes by their valid taps and run
// each class's tiles over those taps only; the weight gradient runs each tap's panels
// over the pixels that tap reads inside the image. The input gradient adds each tile into
// the padded image, class by class and tile after tile; the caller's blocks depend on the
// shapes alone, and so does the order of the additions.

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

/// Where a tile's reduction lies in the packed weight: panel j's value at segment s,
/// position q is `packed[(j * depth + start + s * step + q) * 16 ..]`. The whole
/// reduction is `{depth, 0, length}`; a tile of pixels whose top kernel rows or left
/// taps fall on the zero border starts further in and skips them.
typedef struct {
    size_t depth, start, step;
} ccv_cl_reduction;

/// For the `m <= 6` rows r of a tile and each 16-column panel j of `panels`:
/// v = sum over s < segments, q < length of a[r][s * stride + q] * (panel j's value at s, q),
/// then out[r] + offsets[j] is overwritten with v (+ bias[16 j ..], when given) or,
/// with `accumulate`, has v added.
AVX2 static void tile(size_t m, const float *const a[6], size_t segments, size_t length, ptrdiff_t stride,
                      const float *packed, const ccv_cl_reduction *red, size_t panels, float *const out[6],
                      const ptrdiff_t *offsets, int accumulate, const float *bias) {
    for (size_t j = 0; j < panels; j++) {
        __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (size_t s = 0; s < segments; s++) {
            const ptrdiff_t o = (ptrdiff_t)s * stride;
            const float *b = packed + (j * red->depth + red->start + s * red->step) * 16;
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

/// The first row of pixel `r` (of `count` images of ho x wo outputs) in a channels-last
/// image batch, stored with its zero border (wp-wide rows) or without it: the offset of
/// its top-left tap.
static inline ptrdiff_t pixelOrigin(size_t r, const ccv_cl_geometry *g) {
    const size_t per = g->ho * g->wo, b = r / per, pix = r % per, oy = pix / g->wo, ox = pix % g->wo;
    const ptrdiff_t d = (ptrdiff_t)(g->pad - g->border), sh = (ptrdiff_t)g->hp - 2 * d, sw = (ptrdiff_t)g->wp - 2 * d;
    // Without the stored border (d > 0) this is before the image's first value for pixels
    // on the top row or the first column: only their valid taps are ever added to it.
    return (((ptrdiff_t)b * sh + (ptrdiff_t)(oy * g->stride) - d) * sw + (ptrdiff_t)(ox * g->stride) - d)
        * (ptrdiff_t)g->c;
}

/// The width of a stored image (`wp`, or `w` without its border): rows are this many pixels apart.
static inline size_t storedWidth(const ccv_cl_geometry *g) { return g->wp - 2 * (g->pad - g->border); }

/// A tile kernel: `tile` (AVX2) or `tile512` (AVX-512), the same sums in the same order.
typedef void (*tile_fn)(size_t m, const float *const a[6], size_t segments, size_t length, ptrdiff_t stride,
                        const float *packed, const ccv_cl_reduction *red, size_t panels, float *const out[6],
                        const ptrdiff_t *offsets, int accumulate, const float *bias);

/// The taps of output pixel `pix` (of one image) that read the image and not its zero
/// border: kernel rows [y0, y1) and columns [x0, x1). Taps on the border contribute exact
/// zeros (a zero times a finite weight, added to a sum that is never -0), so leaving them
/// out changes no bits of a forward value; in Conv4's stride-2 layers they are 9% (7x7
/// outputs) to 31% (4x4 and 2x2) of the multiply-adds.
typedef struct {
    size_t y0, y1, x0, x1;
} ccv_cl_taps;

static ccv_cl_taps valid_taps(const ccv_cl_geometry *g, size_t pix) {
    const size_t py = (pix / g->wo) * g->stride, px = (pix % g->wo) * g->stride;
    const size_t top = g->hp - g->pad, right = g->wp - g->pad;
    ccv_cl_taps t;
    t.y0 = py < g->pad ? g->pad - py : 0;
    t.y1 = top > py ? (top - py < g->kh ? top - py : g->kh) : 0;
    t.x0 = px < g->pad ? g->pad - px : 0;
    t.x1 = right > px ? (right - px < g->kw ? right - px : g->kw) : 0;
    if (t.y1 < t.y0) t.y1 = t.y0;
    if (t.x1 < t.x0) t.x1 = t.x0;
    return t;
}

static int same_taps(ccv_cl_taps a, ccv_cl_taps b) {
    return a.y0 == b.y0 && a.y1 == b.y1 && a.x0 == b.x0 && a.x1 == b.x1;
}

/// The block's `rows` pixels grouped by their valid taps: `order` lists them class by
/// class (classes in the order of their first pixel in an image; within a class, image
/// by image, pixels in raster order), `bounds[k]..bounds[k + 1]` is class k's part of it
/// and `taps[k]` its taps. Returns the number of classes (at most ho * wo). The grouping
/// depends on the shapes alone, so the order of the sums does too.
static size_t tap_classes(const ccv_cl_geometry *g, size_t rows, size_t *order, size_t *bounds,
                          ccv_cl_taps *taps, size_t *classOf) {
    const size_t per = g->ho * g->wo, images = rows / per;
    size_t classes = 0;
    for (size_t pix = 0; pix < per; pix++) {
        const ccv_cl_taps t = valid_taps(g, pix);
        size_t k = 0;
        while (k < classes && !same_taps(taps[k], t)) k++;
        if (k == classes) taps[classes++] = t;
        classOf[pix] = k;
    }
    size_t n = 0;
    for (size_t k = 0; k < classes; k++) {
        bounds[k] = n;
        // The first image's pixels of the class, then the same shifted for the others.
        for (size_t pix = 0; pix < per; pix++)
            if (classOf[pix] == k) order[n++] = pix;
        const size_t inImage = n - bounds[k];
        for (size_t b = 1; b < images; b++)
            for (size_t i = 0; i < inImage; i++) order[n++] = b * per + order[bounds[k] + i];
    }
    bounds[classes] = n;
    return classes;
}

/// Scratch of `tap_classes` for `rows` pixels (one allocation; freed by the caller).
typedef struct {
    size_t *order, *bounds, *classOf;
    ccv_cl_taps *taps;
    size_t classes;
} ccv_cl_grouping;

static int group_pixels(const ccv_cl_geometry *g, size_t rows, ccv_cl_grouping *grouping) {
    const size_t per = g->ho * g->wo;
    if (per == 0 || rows % per != 0) return 0;
    grouping->order = malloc(sizeof(size_t) * (rows + 2 * per + 1));
    grouping->taps = malloc(sizeof(ccv_cl_taps) * per);
    if (!grouping->order || !grouping->taps) abort();
    grouping->bounds = grouping->order + rows;
    grouping->classOf = grouping->bounds + per + 1;
    grouping->classes = tap_classes(g, rows, grouping->order, grouping->bounds, grouping->taps, grouping->classOf);
    return 1;
}

static void release_grouping(ccv_cl_grouping *grouping) {
    free(grouping->order);
    free(grouping->taps);
}

/// The pixels of the tile at position `r0` of a run ending at `last`: `order[r0 + i]` (or
/// `r0 + i` without an order), the rows past the run's end repeating its first pixel, and
/// each one's place in the images plus `shift` (`at`). Returns how many are stored (m <= 6).
static size_t tile_pixels(const ccv_cl_geometry *g, const size_t *order, size_t r0, size_t last, ptrdiff_t shift,
                          size_t r[6], ptrdiff_t at[6]) {
    const size_t m = last - r0 < 6 ? last - r0 : 6;
    for (size_t i = 0; i < 6; i++) {
        const size_t q = r0 + (i < m ? i : 0);
        r[i] = order ? order[q] : q;
        at[i] = pixelOrigin(r[i], g) + shift;
    }
    return m;
}

static void forward_driver(tile_fn kernel, const ccv_cl_geometry *g, const float *source, int fromColumns,
                           size_t rows, const float *packed, size_t o, const float *bias, float *out) {
    const size_t depth = g->kh * g->kw * g->c, panels = o / 16;
    ptrdiff_t *offsets = malloc(sizeof(ptrdiff_t) * panels);
    for (size_t j = 0; j < panels; j++) offsets[j] = (ptrdiff_t)(16 * j);
    ccv_cl_grouping grouping;
    if (fromColumns) {
        // The columns hold the border's zeros in every row: every tap of every pixel.
        const ccv_cl_reduction whole = {depth, 0, depth};
        for (size_t r0 = 0; r0 < rows; r0 += 6) {
            size_t r[6];
            ptrdiff_t at[6];
            const size_t m = tile_pixels(g, NULL, r0, rows, 0, r, at);
            const float *a[6];
            float *dst[6];
            for (size_t i = 0; i < 6; i++) a[i] = source + r[i] * depth;
            for (size_t i = 0; i < 6; i++) dst[i] = out + r[i] * o;
            kernel(m, a, 1, depth, 0, packed, &whole, panels, dst, offsets, 0, bias);
        }
        free(offsets);
        return;
    }
    // The callers' blocks are whole images, which the classes need.
    if (!group_pixels(g, rows, &grouping)) abort();
    for (size_t k = 0; k < grouping.classes; k++) {
        const ccv_cl_taps t = grouping.taps[k];
        const size_t first = grouping.bounds[k], last = grouping.bounds[k + 1];
        const ccv_cl_reduction part = {depth, (t.y0 * g->kw + t.x0) * g->c, g->kw * g->c};
        const ptrdiff_t skip = (ptrdiff_t)((t.y0 * storedWidth(g) + t.x0) * g->c);
        for (size_t r0 = first; r0 < last; r0 += 6) {
            size_t r[6];
            ptrdiff_t at[6];
            const size_t m = tile_pixels(g, grouping.order, r0, last, skip, r, at);
            const float *a[6];
            float *dst[6];
            for (size_t i = 0; i < 6; i++) a[i] = source + at[i];
            for (size_t i = 0; i < 6; i++) dst[i] = out + r[i] * o;
            kernel(m, a, t.y1 - t.y0, (t.x1 - t.x0) * g->c, (ptrdiff_t)(storedWidth(g) * g->c), packed, &part, panels,
                   dst, offsets, 0, bias);
        }
    }
    release_grouping(&grouping);
    free(offsets);
}

static void input_gradient_driver(tile_fn kernel, const ccv_cl_geometry *g, const float *dy, size_t rows,
                                  const float *packed, size_t o, float *dx) {
    const size_t depth = g->kh * g->kw * g->c, panels = depth / 16, perTap = g->c / 16;
    ptrdiff_t *offsets = malloc(sizeof(ptrdiff_t) * panels);
    for (size_t j = 0; j < panels; j++) {
        const size_t k = 16 * j, t = k / g->c, ci = k % g->c;
        offsets[j] = (ptrdiff_t)(((t / g->kw) * storedWidth(g) + t % g->kw) * g->c + ci);
    }
    const ccv_cl_reduction whole = {o, 0, o};
    ccv_cl_grouping grouping;
    // The callers' blocks are whole images, which the classes need.
    if (!group_pixels(g, rows, &grouping)) abort();
    // Class by class, each tile adding only the (tap, channel) columns of its pixels' valid
    // taps: for each valid kernel row, the panels of taps x0..x1 (contiguous, c a multiple of 16).
    // The additions run in this fixed order (it depends on the shapes alone), and the border,
    // where images carry one, is left as it was. Each row's pointer is its first valid tap's
    // place and the class's panel offsets count from there, so no pointer points outside
    // images stored without a border.
    ptrdiff_t *shifted = malloc(sizeof(ptrdiff_t) * panels);
    if (!shifted) abort();
    for (size_t k = 0; k < grouping.classes; k++) {
        const ccv_cl_taps t = grouping.taps[k];
        const size_t first = grouping.bounds[k], last = grouping.bounds[k + 1];
        const ptrdiff_t base = (ptrdiff_t)((t.y0 * storedWidth(g) + t.x0) * g->c);
        for (size_t j = 0; j < panels; j++) shifted[j] = offsets[j] - base;
        for (size_t r0 = first; r0 < last; r0 += 6) {
            size_t r[6];
            ptrdiff_t at[6];
            const size_t m = tile_pixels(g, grouping.order, r0, last, base, r, at);
            const float *a[6];
            float *dst[6];
            for (size_t i = 0; i < 6; i++) a[i] = dy + r[i] * o;
            for (size_t i = 0; i < 6; i++) dst[i] = dx + at[i];
            for (size_t ky = t.y0; ky < t.y1; ky++) {
                const size_t j0 = (ky * g->kw + t.x0) * perTap, count = (t.x1 - t.x0) * perTap;
                if (count) kernel(m, a, 1, o, 0, packed + j0 * o * 16, &whole, count, dst, shifted + j0, 1, NULL);
            }
        }
    }
    free(shifted);
    release_grouping(&grouping);
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
                            ptrdiff_t stride, const float *packed, size_t j, const ccv_cl_reduction *red,
                            float *const out[6], const ptrdiff_t *offsets, int accumulate, const float *bias) {
    __m512 acc[24];
    for (size_t i = 0; i < 24; i++) acc[i] = _mm512_setzero_ps();
    for (size_t s = 0; s < segments; s++) {
        const ptrdiff_t o = (ptrdiff_t)s * stride;
        const float *p[6] = {a[0] + o, a[1] + o, a[2] + o, a[3] + o, a[4] + o, a[5] + o};
        const float *b[4];
        for (size_t k = 0; k < 4; k++)
            b[k] = packed + ((j + (k < P ? k : 0)) * red->depth + red->start + s * red->step) * 16;
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
                           const float *packed, const ccv_cl_reduction *red, size_t panels, float *const out[6],
                           const ptrdiff_t *offsets, int accumulate, const float *bias) {
    size_t j = 0;
    for (; j + 4 <= panels; j += 4)
        group512(4, m, a, segments, length, stride, packed, j, red, out, offsets, accumulate, bias);
    if (j + 2 <= panels) {
        group512(2, m, a, segments, length, stride, packed, j, red, out, offsets, accumulate, bias);
        j += 2;
    }
    if (j < panels) group512(1, m, a, segments, length, stride, packed, j, red, out, offsets, accumulate, bias);
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
        offsets[j] = fromColumns ? (ptrdiff_t)k : (ptrdiff_t)(((t / g->kw) * storedWidth(g) + t % g->kw) * g->c + ci);
    }
}

/// A weight-gradient tile's 6 rows: output channel o0 + i's gradient at the block's first
/// pixel (pixel r's is `r * ldy` floats on), and its row of `dw` from panel j on (rows past
/// `m` repeat the first, computed, not stored).
static inline void wg_rows(size_t m, const float *dy, size_t o0, float *dw, size_t depth, size_t j,
                           const float *a[6], float *d[6]) {
    for (size_t i = 0; i < 6; i++) {
        const size_t oi = o0 + (i < m ? i : 0);
        a[i] = dy + oi;
        d[i] = dw + oi * depth + 16 * j;
    }
}

/// One tile of the weight gradient with 512-bit registers: output channels [o0, o0 + m) (m <= R,
/// R = 6 or 5 rows) x panels [j, j + P), over the `count` pixels `list[0..count)` (ascending);
/// `first` starts the sums from zero.
AVX512 static inline __attribute__((always_inline)) void
wg_group512(const size_t R, const size_t P, size_t m, const float *dy, size_t ldy, size_t o0, const float *source,
            const ptrdiff_t *origins, const ptrdiff_t *offsets, size_t j, const uint32_t *list, size_t count,
            int first, float *dw, size_t depth) {
    const float *a[6];
    float *d[6];
    wg_rows(m, dy, o0, dw, depth, j, a, d);
    __m512 c[6][4];
    for (size_t i = 0; i < R; i++)
        for (size_t k = 0; k < P; k++) c[i][k] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(d[i] + 16 * k);
    ptrdiff_t off[4];
    for (size_t k = 0; k < P; k++) off[k] = offsets[j + k];
    // One pixel: P panels of B, then each row's gradient broadcast against them. A full tile
    // (m == R, every tile of 64 output channels) reads its R gradients through one pointer
    // at fixed offsets; with six pointers the loop runs out of general registers and
    // reloads two of them from the stack every pixel. Both loops do the same arithmetic.
#define CCV_PIXEL(ROW)                                                                        \
        const size_t qo = (size_t)list[q] * ldy;                                              \
        const ptrdiff_t b = origins[list[q]];                                                 \
        {                                                                                     \
            const ptrdiff_t ahead = origins[list[q + CCV_WG_AHEAD < count ? q + CCV_WG_AHEAD : q]]; \
            for (size_t k = 0; k < P; k++) _mm_prefetch((const char *)(source + (ahead + off[k])), _MM_HINT_T0); \
        }                                                                                     \
        __m512 w[4];                                                                          \
        for (size_t k = 0; k < P; k++) w[k] = _mm512_loadu_ps(source + (b + off[k]));         \
        __m512 x;                                                                             \
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4)                                                    \
        if (R > 5) { ROW(5) }
#define CCV_FMA(r) for (size_t k = 0; k < P; k++) c[r][k] = _mm512_fmadd_ps(x, w[k], c[r][k]);
    if (m == R) {
        const float *row = a[0];
#define CCV_ROW(r) x = _mm512_set1_ps(row[qo + r]); CCV_FMA(r)
        for (size_t q = 0; q < count; q++) { CCV_PIXEL(CCV_ROW) }
#undef CCV_ROW
    } else {
        const float *p[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
#define CCV_ROW(r) x = _mm512_set1_ps(p[r][qo]); CCV_FMA(r)
        for (size_t q = 0; q < count; q++) { CCV_PIXEL(CCV_ROW) }
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
                                             const uint32_t *list, size_t count, int first, float *dw,           \
                                             size_t depth) {                                                     \
        wg_group512(R, P, m, dy, ldy, o0, source, origins, offsets, j, list, count, first, dw, depth);       \
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
                             const ptrdiff_t *origins, const ptrdiff_t *offsets, size_t j, const uint32_t *list,
                             size_t count, int first, float *dw, size_t depth) {
    const float *a[6];
    float *d[6];
    wg_rows(m, dy, o0, dw, depth, j, a, d);
    __m256 c[6][2];
    for (size_t i = 0; i < 6; i++)
        for (size_t h = 0; h < 2; h++) c[i][h] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(d[i] + 8 * h);
    const ptrdiff_t off = offsets[j];
    const float *p0 = a[0], *p1 = a[1], *p2 = a[2], *p3 = a[3], *p4 = a[4], *p5 = a[5];
    for (size_t q = 0; q < count; q++) {
        const size_t qo = (size_t)list[q] * ldy;
        const float *b = source + (origins[list[q]] + off);
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

/// The pixels (of `rows`, ascending) whose tap t reads the image and not its zero border,
/// tap by tap: `lists + t * rows`, `lengths[t]` of them. Returns 0 (no lists) when the block
/// is not whole images.
static int weight_gradient_lists(const ccv_cl_geometry *g, size_t rows, uint32_t *lists, size_t *lengths) {
    const size_t per = g->ho * g->wo, taps = g->kh * g->kw;
    if (per == 0 || rows % per != 0) return 0;
    for (size_t t = 0; t < taps; t++) {
        const size_t ky = t / g->kw, kx = t % g->kw;
        uint32_t *list = lists + t * rows;
        // The first image's pixels, then the same pattern shifted for the others.
        size_t n = 0;
        for (size_t pix = 0; pix < per; pix++) {
            const size_t py = (pix / g->wo) * g->stride + ky, px = (pix % g->wo) * g->stride + kx;
            if (py >= g->pad && py < g->hp - g->pad && px >= g->pad && px < g->wp - g->pad) list[n++] = (uint32_t)pix;
        }
        const size_t valid = n;
        for (size_t b = per; b < rows; b += per)
            for (size_t i = 0; i < valid; i++) list[n++] = (uint32_t)b + list[i];
        lengths[t] = n;
    }
    return 1;
}

static void weight_gradient_driver(int wide, const ccv_cl_geometry *g, const float *source, int fromColumns,
                                   size_t rows, const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw) {
    const size_t depth = g->kh * g->kw * g->c, panels = depth / 16, taps = g->kh * g->kw, perTap = g->c / 16;
    ptrdiff_t *origins = malloc(sizeof(ptrdiff_t) * (rows + panels));
    ptrdiff_t *offsets = origins + rows;
    weight_gradient_offsets(g, fromColumns, rows, origins, offsets);
    // Tap by tap, each panel's sums run over the pixels whose tap is inside the image: the
    // others would read the border's zeros (in padded images or in the columns) or, in images
    // stored without it, nothing at all; leaving their exact zero products out changes no
    // bits. A 512-bit tile's panels stay within one tap (4 of them when c is a multiple of
    // 64, as in Conv4). Blocks that are not whole images run every panel over every pixel.
    uint32_t *lists = malloc(sizeof(uint32_t) * rows * (taps + 1));
    size_t *lengths = malloc(sizeof(size_t) * taps);
    if (!origins || !lists || !lengths) abort();
    uint32_t *all = lists + taps * rows;
    const int byTap = weight_gradient_lists(g, rows, lists, lengths);
    if (!byTap)
        for (size_t r = 0; r < rows; r++) all[r] = (uint32_t)r;
    if (!byTap && !fromColumns && g->border != g->pad) abort();  // images without their border need the lists
    for (size_t r0 = 0; r0 < rows; r0 += CCV_WG_CHUNK) {
        const int first = r0 == 0;
        size_t j = 0;
        while (j < panels) {
            // A tile's panels belong to one tap when the pixels are walked tap by tap.
            const size_t left = byTap ? perTap - j % perTap : panels - j;
            const size_t P = !wide ? 1 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
            const size_t tap = j / perTap, length = byTap ? lengths[tap] : rows;
            const uint32_t *list = byTap ? lists + tap * rows : all;
            // A tap's list is cut into chunks at the same places as the pixels (`r0`); a tap
            // with fewer pixels runs out early (and one with none stores zeros once).
            if (r0 >= length && !first) { j += P; continue; }
            const size_t count = r0 >= length ? 0 : length - r0 < CCV_WG_CHUNK ? length - r0 : CCV_WG_CHUNK;
            // With 512-bit registers the channels go in tiles of 6 and 5 rows where they can
            // (32 = 2 x 6 + 4 x 5), so no tile computes rows it does not store.
            const size_t channels = oLast - oFirst, tiles = (channels + 5) / 6;
            const size_t sixes = wide && channels >= 5 * tiles ? channels - 5 * tiles : tiles;
            size_t o0 = oFirst;
            const uint32_t *l = list + r0;
            for (size_t t = 0; t < tiles && o0 < oLast; t++) {
                const size_t R = t < sixes ? 6 : 5, m = oLast - o0 < R ? oLast - o0 : R;
                if (!wide) wg_group256(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else if (R == 6 && P == 4) wg_group512_6_4(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else if (R == 6 && P == 2) wg_group512_6_2(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else if (R == 6) wg_group512_6_1(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else if (P == 4) wg_group512_5_4(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else if (P == 2) wg_group512_5_2(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                else wg_group512_5_1(m, dy, ldy, o0, source, origins, offsets, j, l, count, first, dw, depth);
                o0 += m;
            }
            j += P;
        }
    }
    free(lists);
    free(lengths);
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
