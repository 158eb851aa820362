// C = A·B for row-major A [m, k], B [k, n], C [m, n] with 512-bit registers, without
// packing either operand: for the small GEMMs of Winograd convolution ([o, c] x [c, tiles]
// with o, c of 16 to a few hundred), where OpenBLAS spent about as long packing and
// zeroing as multiplying. Tiles of 6 rows x 64 columns in 24 registers; a block of 64
// columns of B (k rows) stays in L1 while every row tile of A passes over it.
#include "CConvKernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))

// R rows (1...6) of C at columns [j, j + 64) masked by m0...m3: each value one chain of
// fused multiply-adds over p = 0, 1, ..., k - 1.
AVX512 static inline __attribute__((always_inline)) void
tile(const size_t R, size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
     __mmask16 m0, __mmask16 m1, __mmask16 m2, __mmask16 m3, const int ahead) {
    __m512 acc[6][4];
#pragma clang loop unroll(full)
    for (size_t r = 0; r < 6; r++) {
#pragma clang loop unroll(full)
        for (size_t v = 0; v < 4; v++) acc[r][v] = _mm512_setzero_ps();
    }
    for (size_t p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        if (ahead) {  // the next column block's row p: its first pass would otherwise wait on memory
            _mm_prefetch((const char *)(bp + 64), _MM_HINT_T0);
            _mm_prefetch((const char *)(bp + 80), _MM_HINT_T0);
            _mm_prefetch((const char *)(bp + 96), _MM_HINT_T0);
            _mm_prefetch((const char *)(bp + 112), _MM_HINT_T0);
        }
        __m512 b0 = _mm512_maskz_loadu_ps(m0, bp), b1 = _mm512_maskz_loadu_ps(m1, bp + 16);
        __m512 b2 = _mm512_maskz_loadu_ps(m2, bp + 32), b3 = _mm512_maskz_loadu_ps(m3, bp + 48);
#pragma clang loop unroll(full)
        for (size_t r = 0; r < 6; r++) {
            if (r < R) {
                __m512 x = _mm512_set1_ps(a[r * lda + p]);
                acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(x, b2, acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(x, b3, acc[r][3]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (size_t r = 0; r < 6; r++) {
        if (r < R) {
            float *cr = c + r * ldc;
            _mm512_mask_storeu_ps(cr, m0, acc[r][0]);
            _mm512_mask_storeu_ps(cr + 16, m1, acc[r][1]);
            _mm512_mask_storeu_ps(cr + 32, m2, acc[r][2]);
            _mm512_mask_storeu_ps(cr + 48, m3, acc[r][3]);
        }
    }
}

// Each row count its own copy of the tile (the accumulators stay in registers).
#define TILE(R)                                                                                       \
    AVX512 __attribute__((noinline)) static void tile##R(size_t k, const float *a, size_t lda,        \
                                                         const float *b, size_t ldb, float *c,        \
                                                         size_t ldc, __mmask16 m0, __mmask16 m1,      \
                                                         __mmask16 m2, __mmask16 m3) {                \
        tile(R, k, a, lda, b, ldb, c, ldc, m0, m1, m2, m3, 0);                                        \
    }
TILE(1)
TILE(2)
TILE(3)
TILE(4)
TILE(5)
TILE(6)
#undef TILE

// The first row tile of a column block, prefetching the next block's columns as it goes.
AVX512 __attribute__((noinline)) static void tile6ahead(size_t k, const float *a, size_t lda, const float *b,
                                                        size_t ldb, float *c, size_t ldc, __mmask16 m0,
                                                        __mmask16 m1, __mmask16 m2, __mmask16 m3) {
    tile(6, k, a, lda, b, ldb, c, ldc, m0, m1, m2, m3, 1);
}

static __mmask16 lanes(size_t columns, size_t first) {
    if (columns <= first) return 0;
    size_t n = columns - first;
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

AVX512 void ccv_sgemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                             float *c, size_t ldc) {
    for (size_t j = 0; j < n; j += 64) {
        const size_t columns = n - j < 64 ? n - j : 64;
        const __mmask16 m0 = lanes(columns, 0), m1 = lanes(columns, 16), m2 = lanes(columns, 32),
                        m3 = lanes(columns, 48);
        size_t i = 0;
        if (m >= 6 && j + 64 < n) {
            tile6ahead(k, a, lda, b + j, ldb, c + j, ldc, m0, m1, m2, m3);
            i = 6;
        }
        for (; i + 6 <= m; i += 6) tile6(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, m0, m1, m2, m3);
        const float *ai = a + i * lda;
        float *ci = c + i * ldc + j;
        switch (m - i) {
            case 5: tile5(k, ai, lda, b + j, ldb, ci, ldc, m0, m1, m2, m3); break;
            case 4: tile4(k, ai, lda, b + j, ldb, ci, ldc, m0, m1, m2, m3); break;
            case 3: tile3(k, ai, lda, b + j, ldb, ci, ldc, m0, m1, m2, m3); break;
            case 2: tile2(k, ai, lda, b + j, ldb, ci, ldc, m0, m1, m2, m3); break;
            case 1: tile1(k, ai, lda, b + j, ldb, ci, ldc, m0, m1, m2, m3); break;
            default: break;
        }
    }
}

#else

// Never called: `ccv_has_avx512f()` is 0 here.
void ccv_sgemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                      float *c, size_t ldc) {
    abort();
}

#endif
