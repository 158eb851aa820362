#ifndef CCV_KERNEL_TARGET_H
#define CCV_KERNEL_TARGET_H
// Internal to CConvKernels: how a loop body is written once and compiled twice. `BODY`
// marks the shared body (inlined into both callers); `AVX2` the caller built for AVX2 with
// FMA, chosen at run time when `HAS_AVX2`; the other caller stays baseline x86-64.
#include "CConvKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#define HAS_AVX2 ccv_has_avx2_fma()
#else
#define AVX2
#define HAS_AVX2 0
#endif
#define BODY static inline __attribute__((always_inline))

#endif
