#include "CConvKernels.h"

// The per-channel loops of NCHW batch normalisation (`BatchNormKernels` in Autograd) and
// of `batchNormReLU` with 2x2 max pooling: a channel is `n` planes of `h·w` contiguous
// values, `stride` floats apart. Written once and compiled twice (AVX2 with FMA, and
// baseline x86-64), chosen at run time; the pooling loops have AVX2 intrinsics bodies
// that make the same comparisons in the same order as the scalar ones.
//
// The normalised value is `x·a + b` rounded twice (a product, then a sum), never one
// fused multiply-add: `batchNorm` (Swift, no contraction) computes it so, and the pooled
// op must give its bits.

#include <math.h>

#include "KernelTarget.h"

// Sixteen running sums, added pairwise at the end: the same order with or without vectors.
#define LANES 16

BODY float reduce_lanes(const float *acc) {
    float t[8];
    for (size_t j = 0; j < 8; j++) t[j] = acc[j] + acc[j + 8];
    for (size_t j = 0; j < 4; j++) t[j] = t[j] + t[j + 4];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

BODY float plane_sum(const float *restrict x, size_t s) {
    float acc[LANES] = {0};
    size_t k = 0;
    for (; k + LANES <= s; k += LANES)
        for (size_t j = 0; j < LANES; j++) acc[j] += x[k + j];
    float tail = 0;
    for (; k < s; k++) tail += x[k];
    return reduce_lanes(acc) + tail;
}

BODY float plane_squares(const float *restrict x, size_t s, float mu) {
    float acc[LANES] = {0};
    size_t k = 0;
    for (; k + LANES <= s; k += LANES)
        for (size_t j = 0; j < LANES; j++) {
            float d = x[k + j] - mu;
            acc[j] += d * d;
        }
    float tail = 0;
    for (; k < s; k++) {
        float d = x[k] - mu;
        tail += d * d;
    }
    return reduce_lanes(acc) + tail;
}

// A channel's planes are short runs far apart (3 KB every 200 KB on ProtoNet's first block),
// too short for the hardware prefetcher to ramp up on: the loops that read a plane from
// memory ask for the next one first.
BODY void prefetch_plane(const float *x, size_t s) {
    for (size_t k = 0; k < s; k += 16) __builtin_prefetch(x + k);
}

BODY void statistics(const float *restrict x, size_t n, size_t s, size_t stride, float epsilon, float *mean,
                     float *invStd) {
    const float m = (float)(n * s);
    float total = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n) prefetch_plane(x + (i + 1) * stride, s);
        total += plane_sum(x + i * stride, s);
    }
    const float mu = total / m;
    float squares = 0;
    for (size_t i = 0; i < n; i++) squares += plane_squares(x + i * stride, s, mu);
    *mean = mu;
    *invStd = 1 / sqrtf(squares / m + epsilon);
}

AVX2 static void statistics_avx2(const float *x, size_t n, size_t s, size_t stride, float epsilon, float *mean,
                                 float *invStd) {
    statistics(x, n, s, stride, epsilon, mean, invStd);
}
static void statistics_base(const float *x, size_t n, size_t s, size_t stride, float epsilon, float *mean,
                            float *invStd) {
    statistics(x, n, s, stride, epsilon, mean, invStd);
}
void ccv_bn_planes_statistics(const float *x, size_t n, size_t s, size_t stride, float epsilon, float *mean,
                              float *invStd) {
    (HAS_AVX2 ? statistics_avx2 : statistics_base)(x, n, s, stride, epsilon, mean, invStd);
}

// ---- 2x2 max pooling of max(0, x·a + b) ----

#pragma clang fp contract(off)

// One window at (oy, ox) of the plane at `src` (flat index `base` of src[0]): the first
// maximal normalised value (left, right, then the row below), rectified, its index and,
// when `kept` is given, the input value there (for the backward's sums).
BODY void pool_window(const float *restrict src, size_t w, size_t oy, size_t ox, float a, float b,
                      int32_t base, float *out, int32_t *index, float *kept) {
    const size_t r0 = 2 * oy * w + 2 * ox, r1 = r0 + w;
    // Selects, not branches: which value wins is data-dependent and unpredictable.
    size_t best = r0;
    float v = src[r0] * a + b;
    const float v1 = src[r0 + 1] * a + b, v2 = src[r1] * a + b, v3 = src[r1 + 1] * a + b;
    best = v1 > v ? r0 + 1 : best;
    v = v1 > v ? v1 : v;
    best = v2 > v ? r1 : best;
    v = v2 > v ? v2 : v;
    best = v3 > v ? r1 + 1 : best;
    v = v3 > v ? v3 : v;
    *out = v > 0 ? v : 0;
    *index = base + (int32_t)best;
    if (kept) *kept = src[best];
}

static void relu_pool_base(const float *x, size_t n, size_t h, size_t w, size_t stride, size_t pooledStride,
                           int32_t first, float a, float b, float *y, int32_t *idx, float *xmax) {
    const size_t ho = h / 2, wo = w / 2;
    for (size_t i = 0; i < n; i++) {
        const float *src = x + i * stride;
        float *out = y + i * pooledStride;
        int32_t *index = idx + i * pooledStride;
        float *kept = xmax ? xmax + i * pooledStride : NULL;
        const int32_t base = first + (int32_t)(i * stride);
        for (size_t oy = 0; oy < ho; oy++)
            for (size_t ox = 0; ox < wo; ox++)
                pool_window(src, w, oy, ox, a, b, base, out + oy * wo + ox, index + oy * wo + ox,
                            kept ? kept + oy * wo + ox : NULL);
    }
}

#if defined(__x86_64__) || defined(__i386__)
// Eight windows: 16 values of a row, split into the even (left) and odd (right) columns
// in window order. shuffle gives [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6]; the 64-bit permute
// puts them in order.
AVX2 static inline void split8(__m256 lo, __m256 hi, __m256 *even, __m256 *odd) {
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}
// Four windows: 8 values of a row (the 128-bit shuffle keeps the order).
AVX2 static inline void split4(__m128 lo, __m128 hi, __m128 *even, __m128 *odd) {
    *even = _mm_shuffle_ps(lo, hi, 0x88);
    *odd = _mm_shuffle_ps(lo, hi, 0xDD);
}

// Windows ox ..< ox + WIDTH of row oy, with the comparisons of `pool_window` lane by lane.
// V: vector type, P: intrinsic prefix, I: integer vector type.
#define POOL_BLOCK(WIDTH, V, I, P, SPLIT, LOADI, STOREI, SETI, ADDI, CAST_PS, CAST_SI, LANES_INIT)                \
    AVX2 static inline void pool##WIDTH(const float *src, size_t w, size_t wo, size_t oy, size_t ox, float a,      \
                                        float b, int32_t base, float *out, int32_t *index, float *kept) {          \
        const V av = P##_set1_ps(a), bv = P##_set1_ps(b), zero = P##_setzero_ps();                                  \
        const size_t r0 = 2 * oy * w + 2 * ox, j = oy * wo + ox;                                                    \
        const V x00l = P##_loadu_ps(src + r0), x00h = P##_loadu_ps(src + r0 + WIDTH);                               \
        const V x10l = P##_loadu_ps(src + r0 + w), x10h = P##_loadu_ps(src + r0 + w + WIDTH);                       \
        V v, z01, z10, z11;                                                                                         \
        SPLIT(P##_add_ps(P##_mul_ps(x00l, av), bv), P##_add_ps(P##_mul_ps(x00h, av), bv), &v, &z01);                \
        SPLIT(P##_add_ps(P##_mul_ps(x10l, av), bv), P##_add_ps(P##_mul_ps(x10h, av), bv), &z10, &z11);              \
        const I i0 = ADDI(SETI(base + (int32_t)r0), LANES_INIT), i1 = ADDI(i0, SETI((int32_t)w));                  \
        const I one = SETI(1);                                                                                      \
        V best = CAST_PS(i0);                                                                                       \
        const V m1 = P##_cmp_ps(z01, v, _CMP_GT_OQ);                                                                \
        v = P##_blendv_ps(v, z01, m1);                                                                              \
        best = P##_blendv_ps(best, CAST_PS(ADDI(i0, one)), m1);                                                     \
        const V m2 = P##_cmp_ps(z10, v, _CMP_GT_OQ);                                                                \
        v = P##_blendv_ps(v, z10, m2);                                                                              \
        best = P##_blendv_ps(best, CAST_PS(i1), m2);                                                                \
        const V m3 = P##_cmp_ps(z11, v, _CMP_GT_OQ);                                                                \
        v = P##_blendv_ps(v, z11, m3);                                                                              \
        best = P##_blendv_ps(best, CAST_PS(ADDI(i1, one)), m3);                                                     \
        /* v > 0 ? v : 0, as the scalar window (NaN and −0 become +0). */                                           \
        P##_storeu_ps(out + j, P##_and_ps(v, P##_cmp_ps(v, zero, _CMP_GT_OQ)));                                     \
        STOREI((I *)(index + j), CAST_SI(best));                                                                    \
        if (kept) {                                                                                                 \
            /* The input values at the maxima, picked with the same masks in the same order. */                    \
            V x00, x01, x10, x11;                                                                                   \
            SPLIT(x00l, x00h, &x00, &x01);                                                                          \
            SPLIT(x10l, x10h, &x10, &x11);                                                                          \
            V xv = P##_blendv_ps(x00, x01, m1);                                                                     \
            xv = P##_blendv_ps(xv, x10, m2);                                                                        \
            P##_storeu_ps(kept + j, P##_blendv_ps(xv, x11, m3));                                                    \
        }                                                                                                           \
    }

POOL_BLOCK(8, __m256, __m256i, _mm256, split8, _mm256_loadu_si256, _mm256_storeu_si256, _mm256_set1_epi32,
           _mm256_add_epi32, _mm256_castsi256_ps, _mm256_castps_si256,
           _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14))
POOL_BLOCK(4, __m128, __m128i, _mm, split4, _mm_loadu_si128, _mm_storeu_si128, _mm_set1_epi32, _mm_add_epi32,
           _mm_castsi128_ps, _mm_castps_si128, _mm_setr_epi32(0, 2, 4, 6))
#undef POOL_BLOCK

// Rows in blocks of 8 (or 4) windows; the last block of a row ends at the row's end and may
// overlap the one before it, which rewrites the same values. Rows under 4 windows run the
// scalar window.
AVX2 static void relu_pool_avx2(const float *x, size_t n, size_t h, size_t w, size_t stride, size_t pooledStride,
                                int32_t first, float a, float b, float *y, int32_t *idx, float *xmax) {
    const size_t ho = h / 2, wo = w / 2;
    for (size_t i = 0; i < n; i++) {
        const float *src = x + i * stride;
        float *out = y + i * pooledStride;
        int32_t *index = idx + i * pooledStride;
        float *kept = xmax ? xmax + i * pooledStride : NULL;
        const int32_t base = first + (int32_t)(i * stride);
        for (size_t oy = 0; oy < ho; oy++) {
            if (wo >= 8) {
                for (size_t ox = 0; ox < wo; ox += 8)
                    pool8(src, w, wo, oy, ox + 8 <= wo ? ox : wo - 8, a, b, base, out, index, kept);
            } else if (wo >= 4) {
                pool4(src, w, wo, oy, 0, a, b, base, out, index, kept);
                if (wo > 4) pool4(src, w, wo, oy, wo - 4, a, b, base, out, index, kept);
            } else {
                for (size_t ox = 0; ox < wo; ox++)
                    pool_window(src, w, oy, ox, a, b, base, out + oy * wo + ox, index + oy * wo + ox,
                                kept ? kept + oy * wo + ox : NULL);
            }
        }
    }
}
#else
static void relu_pool_avx2(const float *x, size_t n, size_t h, size_t w, size_t stride, size_t pooledStride,
                           int32_t first, float a, float b, float *y, int32_t *idx, float *xmax) {
    relu_pool_base(x, n, h, w, stride, pooledStride, first, a, b, y, idx, xmax);
}
#endif

void ccv_bn_planes_relu_pool(const float *x, size_t n, size_t h, size_t w, size_t stride, size_t pooledStride,
                             int32_t first, float a, float b, float *y, int32_t *idx, float *xmax) {
    (HAS_AVX2 ? relu_pool_avx2 : relu_pool_base)(x, n, h, w, stride, pooledStride, first, a, b, y, idx, xmax);
}

#pragma clang fp contract(on)

// ---- The first-order backward of the pooled op ----

// The backward runs over channels `c0 ..< c1` image by image: for image i those channels'
// planes are one contiguous run (of `x`, `dx` and the pooled arrays), which the hardware
// prefetcher follows, where a channel's planes alone are short runs far apart. Each
// channel still adds its planes' contributions in image order.

// Sums: gv = y > 0 ? g : 0 (only the maxima get gradient, and only where ReLU passed),
// sg += gv, sgx += gv·(xmax − mu), with `xmax` the input at each maximum as the forward
// kept it (no gather). Sixteen lanes per plane, as above.
BODY void pooled_sums(const float *restrict xmax, const float *restrict g, const float *restrict y, size_t n,
                      size_t c, size_t c0, size_t c1, size_t p, const float *restrict mu, float *restrict sg,
                      float *restrict sgx) {
    for (size_t ci = c0; ci < c1; ci++) { sg[ci] = 0; sgx[ci] = 0; }
    for (size_t i = 0; i < n; i++) {
        for (size_t ci = c0; ci < c1; ci++) {
            const size_t o = (i * c + ci) * p;
            const float *restrict xr = xmax + o, *restrict gr = g + o, *restrict yr = y + o;
            const float m = mu[ci];
            float a[LANES] = {0}, b[LANES] = {0};
            size_t k = 0;
            for (; k + LANES <= p; k += LANES)
                for (size_t j = 0; j < LANES; j++) {
                    // Both loads unconditional: a select, not a masked load.
                    const float gv = yr[k + j] > 0 ? gr[k + j] : 0;
                    a[j] += gv;
                    b[j] += gv * (xr[k + j] - m);
                }
            float at = 0, bt = 0;
            for (; k < p; k++) {
                const float gv = yr[k] > 0 ? gr[k] : 0;
                at += gv;
                bt += gv * (xr[k] - m);
            }
            sg[ci] += reduce_lanes(a) + at;
            sgx[ci] += reduce_lanes(b) + bt;
        }
    }
}

AVX2 static void pooled_sums_avx2(const float *xmax, const float *g, const float *y, size_t n, size_t c, size_t c0,
                                  size_t c1, size_t p, const float *mu, float *sg, float *sgx) {
    pooled_sums(xmax, g, y, n, c, c0, c1, p, mu, sg, sgx);
}
static void pooled_sums_base(const float *xmax, const float *g, const float *y, size_t n, size_t c, size_t c0,
                             size_t c1, size_t p, const float *mu, float *sg, float *sgx) {
    pooled_sums(xmax, g, y, n, c, c0, c1, p, mu, sg, sgx);
}
void ccv_bn_pooled_gradient_sums(const float *xmax, const float *g, const float *y, size_t n, size_t c, size_t c0,
                                 size_t c1, size_t p, const float *mu, float *sg, float *sgx) {
    (HAS_AVX2 ? pooled_sums_avx2 : pooled_sums_base)(xmax, g, y, n, c, c0, c1, p, mu, sg, sgx);
}

// dx = k1·(dz − meanG − (x − mu)·k2), where dz is zero except at each window's recorded
// maximum, which gets y > 0 ? g : 0: first every value of a plane without dz, then k1·dz
// added at the maxima while the plane is still in cache.
BODY void pooled_input_gradient(const float *restrict x, const float *restrict g, const float *restrict y,
                                const int32_t *restrict idx, float *dx, size_t n, size_t c, size_t c0, size_t c1,
                                size_t s, size_t p, const float *restrict mu, const float *restrict k1,
                                const float *restrict k2, const float *restrict meanG) {
    for (size_t i = 0; i < n; i++) {
        for (size_t ci = c0; ci < c1; ci++) {
            const float *restrict xr = x + (i * c + ci) * s;
            float *dr = dx + (i * c + ci) * s;  // not restrict: the maxima are updated through dx
            const float m = mu[ci], f = k1[ci], f2 = k2[ci], mg = meanG[ci];
            for (size_t k = 0; k < s; k++) dr[k] = f * (-mg - (xr[k] - m) * f2);
            const size_t o = (i * c + ci) * p;
            for (size_t j = 0; j < p; j++) {
                const float gv = y[o + j] > 0 ? g[o + j] : 0;
                dx[idx[o + j]] += f * gv;
            }
        }
    }
}

AVX2 static void input_gradient_avx2(const float *x, const float *g, const float *y, const int32_t *idx, float *dx,
                                     size_t n, size_t c, size_t c0, size_t c1, size_t s, size_t p, const float *mu,
                                     const float *k1, const float *k2, const float *meanG) {
    pooled_input_gradient(x, g, y, idx, dx, n, c, c0, c1, s, p, mu, k1, k2, meanG);
}
static void input_gradient_base(const float *x, const float *g, const float *y, const int32_t *idx, float *dx,
                                size_t n, size_t c, size_t c0, size_t c1, size_t s, size_t p, const float *mu,
                                const float *k1, const float *k2, const float *meanG) {
    pooled_input_gradient(x, g, y, idx, dx, n, c, c0, c1, s, p, mu, k1, k2, meanG);
}
void ccv_bn_pooled_input_gradient(const float *x, const float *g, const float *y, const int32_t *idx, float *dx,
                                  size_t n, size_t c, size_t c0, size_t c1, size_t s, size_t p, const float *mu,
                                  const float *k1, const float *k2, const float *meanG) {
    (HAS_AVX2 ? input_gradient_avx2 : input_gradient_base)(x, g, y, idx, dx, n, c, c0, c1, s, p, mu, k1, k2, meanG);
}
