#ifndef CCV_LANE_MASK_H
#define CCV_LANE_MASK_H
// Internal to CConvKernels: the mask of a row's last partial chunk of 8 floats.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stddef.h>

/// Lanes [0, count) of 8 set (all 8 when count >= 8), for masked loads and stores.
__attribute__((target("avx2,fma"))) static inline __m256i ccv_lane_mask(size_t count) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count < 8 ? count : 8)), lanes);
}
#endif
#endif
