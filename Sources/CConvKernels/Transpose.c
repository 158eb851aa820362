#include "CConvKernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

/// The 8x8 block whose rows start at `s[0..8)` transposed into the rows starting at
/// `d[0..8)`: 8 row loads, 8 unpacks, 8 in-lane shuffles, 8 lane permutes, 8 row stores.
AVX2 static inline void block8x8(const float *const s[8], float *const d[8]) {
    __m256 r0 = _mm256_loadu_ps(s[0]), r1 = _mm256_loadu_ps(s[1]);
    __m256 r2 = _mm256_loadu_ps(s[2]), r3 = _mm256_loadu_ps(s[3]);
    __m256 r4 = _mm256_loadu_ps(s[4]), r5 = _mm256_loadu_ps(s[5]);
    __m256 r6 = _mm256_loadu_ps(s[6]), r7 = _mm256_loadu_ps(s[7]);
    // Per 128-bit lane: rows 2k and 2k+1 interleaved.
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    // Per lane: one column of four rows (columns j and j + 4 in the two lanes).
    __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    _mm256_storeu_ps(d[0], _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(d[1], _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(d[2], _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(d[3], _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(d[4], _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(d[5], _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(d[6], _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(d[7], _mm256_permute2f128_ps(u3, u7, 0x31));
}

AVX2 void ccv_transpose_avx2(const float *src, size_t rows, size_t cols, float *dst) {
    const size_t lds = cols, ldd = rows;
    size_t i = 0;
    for (; i + 8 <= rows; i += 8) {
        size_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            const float *rs[8];
            float *rd[8];
            for (size_t k = 0; k < 8; k++) { rs[k] = src + (i + k) * lds + j; rd[k] = dst + (j + k) * ldd + i; }
            block8x8(rs, rd);
        }
        for (; j < cols; j++) {
            for (size_t k = 0; k < 8; k++) dst[j * ldd + i + k] = src[(i + k) * lds + j];
        }
    }
    for (; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
    }
}

/// Offsets of the pixels `q < h * w` (row-major in an h x w image) in the padded
/// channels-last image (`[h + 2 pad, w + 2 pad, c]`), walked row by row: no division
/// per pixel (one per pixel and 8 channels had cost more than the transposes).
/// Returns `stack` when it holds h * w entries, else memory the caller frees.
static size_t *padded_offsets(size_t h, size_t w, size_t pad, size_t c, size_t *stack, size_t capacity) {
    size_t *table = h * w <= capacity ? stack : malloc(sizeof(size_t) * h * w);
    const size_t wp = w + 2 * pad;
    for (size_t y = 0, q = 0; y < h; y++)
        for (size_t x = 0; x < w; x++, q++) table[q] = ((y + pad) * wp + x + pad) * c;
    return table;
}

#define CCV_OFFSETS_ON_STACK 1024

AVX2 void ccv_to_padded_channels_last_avx2(const float *x, size_t c, size_t h, size_t w, size_t pad, float *dst) {
    const size_t hw = h * w, wp = w + 2 * pad, hp = h + 2 * pad;
    // The border: `pad` whole rows above and below, `pad` values left and right of each row.
    for (size_t i = 0; i < pad * wp * c; i++) { dst[i] = 0; dst[(hp - pad) * wp * c + i] = 0; }
    for (size_t y = pad; y < hp - pad; y++) {
        float *row = dst + y * wp * c;
        for (size_t i = 0; i < pad * c; i++) { row[i] = 0; row[(wp - pad) * c + i] = 0; }
    }
    size_t stack[CCV_OFFSETS_ON_STACK];
    size_t *at = padded_offsets(h, w, pad, c, stack, CCV_OFFSETS_ON_STACK);
    size_t ci = 0;
    for (; ci + 8 <= c; ci += 8) {
        size_t q = 0;
        for (; q + 8 <= hw; q += 8) {
            const float *rs[8];
            float *rd[8];
            for (size_t k = 0; k < 8; k++) { rs[k] = x + (ci + k) * hw + q; rd[k] = dst + at[q + k] + ci; }
            block8x8(rs, rd);
        }
        for (; q < hw; q++) {
            for (size_t k = 0; k < 8; k++) dst[at[q] + ci + k] = x[(ci + k) * hw + q];
        }
    }
    for (; ci < c; ci++) {
        for (size_t q = 0; q < hw; q++) dst[at[q] + ci] = x[ci * hw + q];
    }
    if (at != stack) free(at);
}

AVX2 void ccv_from_padded_channels_last_avx2(const float *src, size_t c, size_t h, size_t w, size_t pad, float *x) {
    const size_t hw = h * w;
    size_t stack[CCV_OFFSETS_ON_STACK];
    size_t *at = padded_offsets(h, w, pad, c, stack, CCV_OFFSETS_ON_STACK);
    size_t q = 0;
    for (; q + 8 <= hw; q += 8) {
        size_t ci = 0;
        for (; ci + 8 <= c; ci += 8) {
            const float *rs[8];
            float *rd[8];
            for (size_t k = 0; k < 8; k++) { rs[k] = src + at[q + k] + ci; rd[k] = x + (ci + k) * hw + q; }
            block8x8(rs, rd);
        }
        for (; ci < c; ci++) {
            for (size_t k = 0; k < 8; k++) x[ci * hw + q + k] = src[at[q + k] + ci];
        }
    }
    for (; q < hw; q++) {
        for (size_t ci = 0; ci < c; ci++) x[ci * hw + q] = src[at[q] + ci];
    }
    if (at != stack) free(at);
}

#else

// Never called: `ccv_has_avx2_fma()` is 0 here.
void ccv_transpose_avx2(const float *src, size_t rows, size_t cols, float *dst) { abort(); }
void ccv_to_padded_channels_last_avx2(const float *x, size_t c, size_t h, size_t w, size_t pad, float *dst) { abort(); }
void ccv_from_padded_channels_last_avx2(const float *src, size_t c, size_t h, size_t w, size_t pad, float *x) { abort(); }

#endif
