// Winograd F(2x2, 3x3) input transform V = Bᵀ d B with AVX2 (8 tiles a vector), the
// kernel behind `WinogradKernels.transformInput` on CPUs with AVX2 and FMA. Each value
// is the same two additions or subtractions of the same inputs in the same order as the
// portable Swift transform, so the two give the same bits.
#include "CConvKernels.h"
#include "LaneMask.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

// The 8 floats at p[0], p[2], ..., p[14] (`even`) and p[1], p[3], ..., p[15] (`odd`).
AVX2 static inline __attribute__((always_inline)) void
split(const float *p, __m256 *even, __m256 *odd) {
    __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    // Within each 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; then put the 64-bit pairs in order.
    __m256 e = _mm256_shuffle_ps(a, b, 0x88), o = _mm256_shuffle_ps(a, b, 0xDD);
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xD8));
}

// Stores the first n (1...8) lanes of v at p.
AVX2 static inline __attribute__((always_inline)) void
store(float *p, __m256 v, size_t n) {
    if (n >= 8) {
        _mm256_storeu_ps(p, v);
    } else {
        _mm256_maskstore_ps(p, ccv_lane_mask(n), v);
    }
}

// Copies n floats (rows of 7 to 28 here: inline vectors instead of a call to memcpy).
AVX2 static inline __attribute__((always_inline)) void
copy(float *to, const float *from, size_t n) {
    size_t k = 0;
    for (; k + 8 <= n; k += 8) _mm256_storeu_ps(to + k, _mm256_loadu_ps(from + k));
    if (k < n) {
        const __m256i mask = ccv_lane_mask(n - k);
        _mm256_maskstore_ps(to + k, mask, _mm256_maskload_ps(from + k, mask));
    }
}

size_t ccv_winograd_input_scratch(size_t ty, size_t tx) {
    size_t hp = 2 * ty + 2, wp = 2 * tx + 2, phaseCount = (ty + 1) * tx + 8;
    return 2 * (hp * wp + 32) + 8 * phaseCount;
}

AVX2 void ccv_winograd_input_avx2(const float *x, size_t c, size_t h, size_t w, size_t padding, size_t ty,
                                  size_t tx, size_t first, size_t last, size_t firstImage, float *v,
                                  size_t tiles, float *scratch) {
    const size_t hp = 2 * ty + 2, wp = 2 * tx + 2, per = ty * tx, plane = c * tiles;
    // phase(a, k) holds padded[2m + a][2l + k] at m·tx + l (m in 0...ty).
    const size_t phaseCount = (ty + 1) * tx + 8;
    // Two zero-padded planes, filled one plane ahead of the split that reads them: the split's
    // 256-bit loads straddle the copy's stores, and reading those while still in the store
    // buffer stalls (store forwarding fails), which was a third of this function's time.
    float *buffers[2] = {scratch, scratch + hp * wp + 32}, *phases = scratch + 2 * (hp * wp + 32);
    memset(scratch, 0, ccv_winograd_input_scratch(ty, tx) * sizeof(float));
    const size_t planes = (last - first) * c;
    for (size_t p = 0; p <= planes; p++) {
        if (p < planes) {  // copy plane p
            const float *src = x + (first * c + p) * h * w;
            float *to = buffers[p & 1];
            for (size_t y = 0; y < h; y++) copy(to + (y + padding) * wp + padding, src + y * w, w);
        }
        if (p == 0) continue;
        {  // transform plane p - 1
            const size_t ni = first + (p - 1) / c, ci = (p - 1) % c;
            const float *padded = buffers[(p - 1) & 1];
            // Rows in order: a store's lanes past a phase row land in the next row before it is written.
            for (size_t a = 0; a < 2; a++) {
                for (size_t m = 0; m <= ty; m++) {
                    const float *row = padded + (2 * m + a) * wp;
                    float *d = phases + a * 4 * phaseCount + m * tx;
                    for (size_t l = 0; l < tx; l += 8) {
                        __m256 e0, o0, e2, o2;
                        split(row + 2 * l, &e0, &o0);
                        split(row + 2 * l + 2, &e2, &o2);
                        _mm256_storeu_ps(d + l, e0);
                        _mm256_storeu_ps(d + phaseCount + l, o0);
                        _mm256_storeu_ps(d + 2 * phaseCount + l, e2);
                        _mm256_storeu_ps(d + 3 * phaseCount + l, o2);
                    }
                }
            }
            float *out = v + ci * tiles + (ni - firstImage) * per;
            for (size_t q = 0; q < per; q += 8) {
                const size_t n = per - q;
                // Row i of Bᵀ d, column k (rows 0 and 2 of d from phase a = 0, rows 1 and 3 from
                // a = 1), then row i of (Bᵀ d) B; one row at a time keeps everything in registers.
#define D0(k) _mm256_loadu_ps(phases + (k) * phaseCount + q)
#define D1(k) _mm256_loadu_ps(phases + (4 + (k)) * phaseCount + q)
#define D2(k) _mm256_loadu_ps(phases + (k) * phaseCount + q + tx)
#define D3(k) _mm256_loadu_ps(phases + (4 + (k)) * phaseCount + q + tx)
#define ROW(i, S)                                                                   \
    do {                                                                            \
        __m256 s0 = S(0), s1 = S(1), s2 = S(2), s3 = S(3);                         \
        float *o0 = out + 4 * (i) * plane + q;                                     \
        store(o0, _mm256_sub_ps(s0, s2), n);                                        \
        store(o0 + plane, _mm256_add_ps(s1, s2), n);                                \
        store(o0 + 2 * plane, _mm256_sub_ps(s2, s1), n);                            \
        store(o0 + 3 * plane, _mm256_sub_ps(s1, s3), n);                            \
    } while (0)
#define S0(k) _mm256_sub_ps(D0(k), D2(k))
#define S1(k) _mm256_add_ps(D1(k), D2(k))
#define S2(k) _mm256_sub_ps(D2(k), D1(k))
#define S3(k) _mm256_sub_ps(D1(k), D3(k))
                ROW(0, S0);
                ROW(1, S1);
                ROW(2, S2);
                ROW(3, S3);
#undef S0
#undef S1
#undef S2
#undef S3
#undef ROW
#undef D0
#undef D1
#undef D2
#undef D3
            }
        }
    }
}

// Y = Aᵀ M A (+ bias) for the tiles of images [first, last): the same sums in the same
// order as `WinogradKernels.transformOutput` (Swift), so the same bits. Per channel, the
// four output phases y[2r + a][2c + b] go to `phases` (4 rows of per + 8), then are
// interleaved into the plane's rows, 16 values a store while the store stays inside the
// plane (lanes past a row's end are rewritten by the next row).
AVX2 void ccv_winograd_output_avx2(const float *m, size_t o, size_t tiles, size_t per, size_t tx, size_t ho, size_t wo,
                              size_t first, size_t last, size_t firstImage, const float *bias, float *out,
                              float *phases) {
    const size_t plane = o * tiles, phaseCount = per + 8, odd = wo / 2, size = ho * wo;
    for (size_t ni = first; ni < last; ni++) {
        for (size_t oi = 0; oi < o; oi++) {
            const __m256 bv = _mm256_set1_ps(bias ? bias[oi] : 0.0f);
            const float *base = m + oi * tiles + (ni - firstImage) * per;
            for (size_t q = 0; q < per; q += 8) {
                // Row i of Aᵀ M for column j: (m0 + m1 + m2, m1 − m2 − m3), m_i = M[4i + j].
                __m256 u[4], l[4];
                for (size_t j = 0; j < 4; j++) {
                    const float *p = base + j * plane + q;
                    const __m256 m0 = _mm256_loadu_ps(p), m1 = _mm256_loadu_ps(p + 4 * plane);
                    const __m256 m2 = _mm256_loadu_ps(p + 8 * plane), m3 = _mm256_loadu_ps(p + 12 * plane);
                    u[j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
                    l[j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
                }
                float *d = phases + q;
                _mm256_storeu_ps(d, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(u[0], u[1]), u[2]), bv));
                _mm256_storeu_ps(d + phaseCount, _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(u[1], u[2]), u[3]), bv));
                _mm256_storeu_ps(d + 2 * phaseCount, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(l[0], l[1]), l[2]), bv));
                _mm256_storeu_ps(d + 3 * phaseCount,
                                 _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(l[1], l[2]), l[3]), bv));
            }
            float *dst = out + (ni * o + oi) * size;
            for (size_t y = 0; y < ho; y++) {
                const size_t r = (y / 2) * tx, a = y & 1;
                const float *even = phases + 2 * a * phaseCount + r, *oddSrc = even + phaseCount;
                float *d = dst + y * wo;
                size_t c = 0;
                for (; c < tx && y * wo + 2 * c + 16 <= size; c += 8) {
                    const __m256 e = _mm256_loadu_ps(even + c), f = _mm256_loadu_ps(oddSrc + c);
                    // e0 f0 e1 f1 | e4 f4 e5 f5 and e2 f2 e3 f3 | e6 f6 e7 f7, then the halves in order.
                    const __m256 lo = _mm256_unpacklo_ps(e, f), hi = _mm256_unpackhi_ps(e, f);
                    _mm256_storeu_ps(d + 2 * c, _mm256_permute2f128_ps(lo, hi, 0x20));
                    _mm256_storeu_ps(d + 2 * c + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
                }
                for (size_t k = c < tx ? c : tx; k < tx; k++) d[2 * k] = even[k];
                for (size_t k = c < odd ? c : odd; k < odd; k++) d[2 * k + 1] = oddSrc[k];
            }
        }
    }
}

#else

size_t ccv_winograd_input_scratch(size_t ty, size_t tx) { return 0; }

// Never called: `ccv_has_avx2_fma()` is 0 here.
void ccv_winograd_input_avx2(const float *x, size_t c, size_t h, size_t w, size_t padding, size_t ty,
                             size_t tx, size_t first, size_t last, size_t firstImage, float *v,
                             size_t tiles, float *scratch) {
    abort();
}

void ccv_winograd_output_avx2(const float *m, size_t o, size_t tiles, size_t per, size_t tx, size_t ho, size_t wo,
                              size_t first, size_t last, size_t firstImage, const float *bias, float *out,
                              float *phases) {
    abort();
}

#endif
