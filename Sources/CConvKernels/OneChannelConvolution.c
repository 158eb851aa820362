#include "CConvKernels.h"

#include <stdlib.h>

// Direct 3x3 convolution of one input channel with a channels-last output (MAML's first
// layer on grayscale images, any stride and padding): `out[r][oc] = bias[oc] + sum over
// the 9 taps k, in order, of x_k(r) * w[oc][k]` for output pixel r, and the weight
// gradient `dw[oc][k] = sum over pixels r, in order, of dy[r][oc] * x_k(r)`, where x_k(r)
// is tap k of pixel r's receptive field in the zero-padded plane of its image.
//
// Through im2col and OpenBLAS both are GEMMs with a 9-long side, where packing and the
// narrow edge cost more than the multiplications. Here the output channels lie along the
// vector lanes: the forward keeps the 9 taps' weights of a channel group in registers and
// broadcasts each pixel's 9 inputs; the weight gradient keeps one accumulator per tap and
// channel group and broadcasts the inputs against each pixel's row of `dy`. Every output
// value is one chain of fused multiply-adds in the same order whatever the vector width,
// channel grouping or part, so the AVX2 and AVX-512 kernels give the same bits.

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f")))

/// Offset (floats) of pixel r's top-left tap in the padded planes.
static inline size_t origin(const ccv_cl1_geometry *g, size_t r) {
    const size_t p = g->ho * g->wo, n = r / p, pix = r % p, oy = pix / g->wo, ox = pix % g->wo;
    return (n * g->hp + oy * g->stride) * g->wp + ox * g->stride;
}

/// Offsets (floats) of the 9 taps from a pixel's top-left tap, in (row, column) order.
static inline void taps(const ccv_cl1_geometry *g, size_t tap[9]) {
    for (size_t k = 0; k < 9; k++) tap[k] = (k / 3) * g->wp + k % 3;
}

// Pixels per step of the forward (independent accumulator chains per weight register).
#define PIX 4

AVX512 void ccv_cl1_forward_avx512(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                                   size_t first, size_t last, float *out) {
    const size_t o = g->o;
    size_t tap[9];
    taps(g, tap);
    // Two groups of 16 channels at a time (18 weight registers, 8 accumulators), then one.
    for (size_t c0 = 0; c0 < o; c0 += 32) {
        const size_t groups = o - c0 >= 32 ? 2 : 1;
        __m512 wk[9][2], b[2];
        for (size_t q = 0; q < groups; q++) {
            for (size_t k = 0; k < 9; k++) {
                float col[16];
                for (size_t l = 0; l < 16; l++) col[l] = w[(c0 + 16 * q + l) * 9 + k];
                wk[k][q] = _mm512_loadu_ps(col);
            }
            b[q] = bias ? _mm512_loadu_ps(bias + c0 + 16 * q) : _mm512_setzero_ps();
        }
        size_t r = first;
        for (; r + PIX <= last; r += PIX) {
            const float *s[PIX];
            for (size_t i = 0; i < PIX; i++) s[i] = planes + origin(g, r + i);
            if (groups == 2) {
                __m512 acc[PIX][2];
                for (size_t i = 0; i < PIX; i++) acc[i][0] = b[0], acc[i][1] = b[1];
                for (size_t k = 0; k < 9; k++) {
                    for (size_t i = 0; i < PIX; i++) {
                        const __m512 t = _mm512_set1_ps(s[i][tap[k]]);
                        acc[i][0] = _mm512_fmadd_ps(t, wk[k][0], acc[i][0]);
                        acc[i][1] = _mm512_fmadd_ps(t, wk[k][1], acc[i][1]);
                    }
                }
                for (size_t i = 0; i < PIX; i++) {
                    _mm512_storeu_ps(out + (r + i) * o + c0, acc[i][0]);
                    _mm512_storeu_ps(out + (r + i) * o + c0 + 16, acc[i][1]);
                }
            } else {
                __m512 acc[PIX];
                for (size_t i = 0; i < PIX; i++) acc[i] = b[0];
                for (size_t k = 0; k < 9; k++)
                    for (size_t i = 0; i < PIX; i++)
                        acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(s[i][tap[k]]), wk[k][0], acc[i]);
                for (size_t i = 0; i < PIX; i++) _mm512_storeu_ps(out + (r + i) * o + c0, acc[i]);
            }
        }
        for (; r < last; r++) {
            const float *s = planes + origin(g, r);
            for (size_t q = 0; q < groups; q++) {
                __m512 acc = b[q];
                for (size_t k = 0; k < 9; k++) acc = _mm512_fmadd_ps(_mm512_set1_ps(s[tap[k]]), wk[k][q], acc);
                _mm512_storeu_ps(out + r * o + c0 + 16 * q, acc);
            }
        }
    }
}

AVX2 void ccv_cl1_forward_avx2(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                               size_t first, size_t last, float *out) {
    const size_t o = g->o;
    size_t tap[9];
    taps(g, tap);
    // One group of 8 channels at a time: 9 weight registers, PIX accumulators.
    for (size_t c0 = 0; c0 < o; c0 += 8) {
        __m256 wk[9];
        for (size_t k = 0; k < 9; k++) {
            float col[8];
            for (size_t l = 0; l < 8; l++) col[l] = w[(c0 + l) * 9 + k];
            wk[k] = _mm256_loadu_ps(col);
        }
        const __m256 b = bias ? _mm256_loadu_ps(bias + c0) : _mm256_setzero_ps();
        size_t r = first;
        for (; r + PIX <= last; r += PIX) {
            const float *s[PIX];
            __m256 acc[PIX];
            for (size_t i = 0; i < PIX; i++) s[i] = planes + origin(g, r + i), acc[i] = b;
            for (size_t k = 0; k < 9; k++)
                for (size_t i = 0; i < PIX; i++)
                    acc[i] = _mm256_fmadd_ps(_mm256_set1_ps(s[i][tap[k]]), wk[k], acc[i]);
            for (size_t i = 0; i < PIX; i++) _mm256_storeu_ps(out + (r + i) * o + c0, acc[i]);
        }
        for (; r < last; r++) {
            const float *s = planes + origin(g, r);
            __m256 acc = b;
            for (size_t k = 0; k < 9; k++) acc = _mm256_fmadd_ps(_mm256_set1_ps(s[tap[k]]), wk[k], acc);
            _mm256_storeu_ps(out + r * o + c0, acc);
        }
    }
}

/// Writes the 9 taps' sums of channels c0 ..< c0 + 16·groups from `acc[k][q]` into `dw` (OIHW).
#define STORE_DW(acc, groups, lanes, store)                                                  \
    for (size_t q = 0; q < (groups); q++)                                                     \
        for (size_t k = 0; k < 9; k++) {                                                      \
            float v[lanes];                                                                   \
            store(v, acc[k][q]);                                                              \
            for (size_t l = 0; l < (lanes); l++) dw[(c0 + (lanes) * q + l) * 9 + k] = v[l];   \
        }

AVX512 void ccv_cl1_weight_gradient_avx512(const ccv_cl1_geometry *g, const float *planes, const float *dy,
                                           size_t rows, size_t channelFirst, size_t channelLast, float *dw) {
    const size_t o = g->o;
    size_t tap[9];
    taps(g, tap);
    for (size_t c0 = channelFirst; c0 < channelLast; c0 += 32) {
        const size_t groups = channelLast - c0 >= 32 ? 2 : 1;
        __m512 acc[9][2];
        for (size_t k = 0; k < 9; k++) acc[k][0] = acc[k][1] = _mm512_setzero_ps();
        if (groups == 2) {
            for (size_t r = 0; r < rows; r++) {
                const float *s = planes + origin(g, r);
                const __m512 d0 = _mm512_loadu_ps(dy + r * o + c0), d1 = _mm512_loadu_ps(dy + r * o + c0 + 16);
                for (size_t k = 0; k < 9; k++) {
                    const __m512 t = _mm512_set1_ps(s[tap[k]]);
                    acc[k][0] = _mm512_fmadd_ps(d0, t, acc[k][0]);
                    acc[k][1] = _mm512_fmadd_ps(d1, t, acc[k][1]);
                }
            }
        } else {
            for (size_t r = 0; r < rows; r++) {
                const float *s = planes + origin(g, r);
                const __m512 d0 = _mm512_loadu_ps(dy + r * o + c0);
                for (size_t k = 0; k < 9; k++) acc[k][0] = _mm512_fmadd_ps(d0, _mm512_set1_ps(s[tap[k]]), acc[k][0]);
            }
        }
        STORE_DW(acc, groups, 16, _mm512_storeu_ps)
    }
}

AVX2 void ccv_cl1_weight_gradient_avx2(const ccv_cl1_geometry *g, const float *planes, const float *dy,
                                       size_t rows, size_t channelFirst, size_t channelLast, float *dw) {
    const size_t o = g->o;
    size_t tap[9];
    taps(g, tap);
    // One group of 8 channels at a time: 9 accumulators.
    for (size_t c0 = channelFirst; c0 < channelLast; c0 += 8) {
        __m256 acc[9][1];
        for (size_t k = 0; k < 9; k++) acc[k][0] = _mm256_setzero_ps();
        for (size_t r = 0; r < rows; r++) {
            const float *s = planes + origin(g, r);
            const __m256 d = _mm256_loadu_ps(dy + r * o + c0);
            for (size_t k = 0; k < 9; k++) acc[k][0] = _mm256_fmadd_ps(d, _mm256_set1_ps(s[tap[k]]), acc[k][0]);
        }
        STORE_DW(acc, 1, 8, _mm256_storeu_ps)
    }
}

#else

// Never called: `ccv_has_avx2_fma()` is 0 here.

void ccv_cl1_forward_avx512(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                            size_t first, size_t last, float *out) { abort(); }
void ccv_cl1_forward_avx2(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                          size_t first, size_t last, float *out) { abort(); }
void ccv_cl1_weight_gradient_avx512(const ccv_cl1_geometry *g, const float *planes, const float *dy, size_t rows,
                                    size_t channelFirst, size_t channelLast, float *dw) { abort(); }
void ccv_cl1_weight_gradient_avx2(const ccv_cl1_geometry *g, const float *planes, const float *dy, size_t rows,
                                  size_t channelFirst, size_t channelLast, float *dw) { abort(); }

#endif
