#include "CConvKernels.h"
#include "LaneMask.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define CCV_X86 1
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#endif

int ccv_has_avx2_fma(void) {
#ifdef CCV_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;  // other architectures use im2col + GEMM
#endif
}

int ccv_has_avx512f(void) {
#ifdef CCV_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

int ccv_has_avx512_skylakex(void) {
#ifdef CCV_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

size_t ccv_plane_pitch(size_t wo) { return ((wo + 7) / 8) * 8 + 8; }

size_t ccv_plane_size(size_t ho, size_t wo) { return (ho + 2) * ccv_plane_pitch(wo); }

void ccv_pad_planes(const float *x, size_t first, size_t last, size_t h, size_t w, size_t padding,
                    float *planes) {
    size_t ho = h + 2 * padding - 2, wo = w + 2 * padding - 2;
    size_t pitch = ccv_plane_pitch(wo), size = ccv_plane_size(ho, wo);
    for (size_t i = first; i < last; i++) {
        float *plane = planes + i * size;
        memset(plane, 0, size * sizeof(float));
        for (size_t r = 0; r < h; r++) {
            memcpy(plane + (r + padding) * pitch + padding, x + (i * h + r) * w, w * sizeof(float));
        }
    }
}

#ifdef CCV_X86

AVX2 void ccv_forward_avx2(const float *planes, const float *weight, const float *bias, float *out,
                           size_t first, size_t last, size_t o, size_t ho, size_t wo) {
    size_t pitch = ccv_plane_pitch(wo), size = ccv_plane_size(ho, wo), p = ho * wo;
    for (size_t i = first; i < last; i++) {
        const float *plane = planes + i * size;
        float *dst = out + i * o * p;
        for (size_t y = 0; y < ho; y++) {
            for (size_t x = 0; x < wo; x += 8) {
                // The 9 taps' inputs for 8 outputs, shared by every output channel.
                const float *s = plane + y * pitch + x;
                __m256 t0 = _mm256_loadu_ps(s), t1 = _mm256_loadu_ps(s + 1), t2 = _mm256_loadu_ps(s + 2);
                __m256 t3 = _mm256_loadu_ps(s + pitch), t4 = _mm256_loadu_ps(s + pitch + 1);
                __m256 t5 = _mm256_loadu_ps(s + pitch + 2), t6 = _mm256_loadu_ps(s + 2 * pitch);
                __m256 t7 = _mm256_loadu_ps(s + 2 * pitch + 1), t8 = _mm256_loadu_ps(s + 2 * pitch + 2);
                size_t remaining = wo - x;
                __m256i mask = ccv_lane_mask(remaining);
                for (size_t k = 0; k < o; k++) {
                    const float *wk = weight + 9 * k;
                    __m256 acc = _mm256_set1_ps(bias ? bias[k] : 0.0f);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[0]), t0, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[1]), t1, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[2]), t2, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[3]), t3, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[4]), t4, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[5]), t5, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[6]), t6, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[7]), t7, acc);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(wk[8]), t8, acc);
                    float *d = dst + k * p + y * wo + x;
                    if (remaining >= 8) {
                        _mm256_storeu_ps(d, acc);
                    } else {
                        _mm256_maskstore_ps(d, mask, acc);
                    }
                }
            }
        }
    }
}

#define AVX512 __attribute__((target("avx512f")))

/// `ccv_forward_avx2` with 16 outputs a vector: each output the same chain (bias, then
/// the 9 taps' fused multiply-adds in order), so the same bits. A row's last chunk loads
/// under a mask, since a 16-wide load past an 8-aligned row end may leave the plane.
AVX512 void ccv_forward_avx512(const float *planes, const float *weight, const float *bias, float *out,
                               size_t first, size_t last, size_t o, size_t ho, size_t wo) {
    size_t pitch = ccv_plane_pitch(wo), size = ccv_plane_size(ho, wo), p = ho * wo;
    for (size_t i = first; i < last; i++) {
        const float *plane = planes + i * size;
        float *dst = out + i * o * p;
        for (size_t y = 0; y < ho; y++) {
            for (size_t x = 0; x < wo; x += 16) {
                const size_t remaining = wo - x;
                const __mmask16 m = remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
                const float *s = plane + y * pitch + x;
                const __m512 t0 = _mm512_maskz_loadu_ps(m, s), t1 = _mm512_maskz_loadu_ps(m, s + 1);
                const __m512 t2 = _mm512_maskz_loadu_ps(m, s + 2), t3 = _mm512_maskz_loadu_ps(m, s + pitch);
                const __m512 t4 = _mm512_maskz_loadu_ps(m, s + pitch + 1), t5 = _mm512_maskz_loadu_ps(m, s + pitch + 2);
                const __m512 t6 = _mm512_maskz_loadu_ps(m, s + 2 * pitch);
                const __m512 t7 = _mm512_maskz_loadu_ps(m, s + 2 * pitch + 1);
                const __m512 t8 = _mm512_maskz_loadu_ps(m, s + 2 * pitch + 2);
                for (size_t k = 0; k < o; k++) {
                    const float *wk = weight + 9 * k;
                    __m512 acc = _mm512_set1_ps(bias ? bias[k] : 0.0f);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[0]), t0, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[1]), t1, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[2]), t2, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[3]), t3, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[4]), t4, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[5]), t5, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[6]), t6, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[7]), t7, acc);
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[8]), t8, acc);
                    _mm512_mask_storeu_ps(dst + k * p + y * wo + x, m, acc);
                }
            }
        }
    }
}

/// The sum of the 8 lanes in a fixed order.
AVX2 static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

AVX2 void ccv_weight_gradient_avx2(const float *planes, const float *dy, float *dw, size_t n,
                                   size_t o, size_t oFirst, size_t oLast, size_t ho, size_t wo) {
    size_t pitch = ccv_plane_pitch(wo), size = ccv_plane_size(ho, wo), p = ho * wo;
    for (size_t k = oFirst; k < oLast; k++) {
        // Each image's sums start from zero and are then added to the totals, so no
        // lane adds more than one image's worth of products in a row (the error grows
        // with the number of images, not with the number of pixels of all of them).
        __m256 total[9];
        for (int t = 0; t < 9; t++) total[t] = _mm256_setzero_ps();
        for (size_t i = 0; i < n; i++) {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
            const float *plane = planes + i * size, *g = dy + (i * o + k) * p;
            for (size_t y = 0; y < ho; y++) {
                for (size_t x = 0; x < wo; x += 8) {
                    size_t remaining = wo - x;
                    __m256 d = remaining >= 8 ? _mm256_loadu_ps(g + y * wo + x)
                                              : _mm256_maskload_ps(g + y * wo + x, ccv_lane_mask(remaining));
                    const float *s = plane + y * pitch + x;
                    a0 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s), a0);
                    a1 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + 1), a1);
                    a2 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + 2), a2);
                    a3 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + pitch), a3);
                    a4 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + pitch + 1), a4);
                    a5 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + pitch + 2), a5);
                    a6 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + 2 * pitch), a6);
                    a7 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + 2 * pitch + 1), a7);
                    a8 = _mm256_fmadd_ps(d, _mm256_loadu_ps(s + 2 * pitch + 2), a8);
                }
            }
            total[0] = _mm256_add_ps(total[0], a0); total[1] = _mm256_add_ps(total[1], a1);
            total[2] = _mm256_add_ps(total[2], a2); total[3] = _mm256_add_ps(total[3], a3);
            total[4] = _mm256_add_ps(total[4], a4); total[5] = _mm256_add_ps(total[5], a5);
            total[6] = _mm256_add_ps(total[6], a6); total[7] = _mm256_add_ps(total[7], a7);
            total[8] = _mm256_add_ps(total[8], a8);
        }
        float *out = dw + 9 * k;
        for (int t = 0; t < 9; t++) out[t] = horizontal_sum(total[t]);
    }
}

#else

// Never called: `ccv_has_avx2_fma()` is 0 here.
void ccv_forward_avx2(const float *planes, const float *weight, const float *bias, float *out,
                      size_t first, size_t last, size_t o, size_t ho, size_t wo) {
    abort();
}

void ccv_forward_avx512(const float *planes, const float *weight, const float *bias, float *out,
                        size_t first, size_t last, size_t o, size_t ho, size_t wo) {
    abort();
}

void ccv_weight_gradient_avx2(const float *planes, const float *dy, float *dw, size_t n,
                              size_t o, size_t oFirst, size_t oLast, size_t ho, size_t wo) {
    abort();
}

#endif
