#include "CConvKernels.h"

// The row loops of channels-last batch normalisation (`ChannelsLastBatchNorm` in
// Autograd): every row adds `cw` consecutive values into `cw` running sums, so the
// inner loops run along the channels and vectorise. Each body is written once and
// compiled twice: for AVX2 with FMA, and for baseline x86-64, chosen at run time.
// Rows are summed in blocks of `CCV_BN_BLOCK`, then the block sums in order.

#define CCV_BN_BLOCK 128

#include "KernelTarget.h"

// The normalised value, and whether ReLU passes it: the backward recomputes the mask
// from the input with the very expression of the forward (contracted to one fused
// multiply-add in the AVX2 bodies, in both), so it never reads the output.
#define AFFINE(x, a, b) ((x) * (a) + (b))
#define RECTIFIED(x, a, b) (AFFINE(x, a, b) > 0)

BODY void shifted_sums(const float *restrict x, size_t m, size_t c, size_t cw, const float *restrict shift,
                       float *restrict s1, float *restrict s2, float *restrict b1, float *restrict b2) {
    for (size_t j = 0; j < cw; j++) { s1[j] = 0; s2[j] = 0; }
    for (size_t r = 0; r < m; r += CCV_BN_BLOCK) {
        size_t end = r + CCV_BN_BLOCK < m ? r + CCV_BN_BLOCK : m;
        for (size_t j = 0; j < cw; j++) { b1[j] = 0; b2[j] = 0; }
        for (size_t row = r; row < end; row++) {
            const float *restrict xr = x + row * c;
            for (size_t j = 0; j < cw; j++) {
                float d = xr[j] - shift[j];
                b1[j] += d;
                b2[j] += d * d;
            }
        }
        for (size_t j = 0; j < cw; j++) { s1[j] += b1[j]; s2[j] += b2[j]; }
    }
}

BODY void affine_relu(const float *restrict x, float *restrict y, size_t m, size_t c, size_t cw,
                      const float *restrict a, const float *restrict b) {
    for (size_t row = 0; row < m; row++) {
        const float *restrict xr = x + row * c;
        float *restrict yr = y + row * c;
        for (size_t j = 0; j < cw; j++) {
            float z = AFFINE(xr[j], a[j], b[j]);
            yr[j] = z > 0 ? z : 0;
        }
    }
}

BODY void gradient_sums(const float *restrict x, const float *restrict g, size_t m, size_t c, size_t cw,
                        const float *restrict a, const float *restrict b, const float *restrict mu,
                        float *restrict sg, float *restrict sgx, float *restrict b1, float *restrict b2) {
    for (size_t j = 0; j < cw; j++) { sg[j] = 0; sgx[j] = 0; }
    for (size_t r = 0; r < m; r += CCV_BN_BLOCK) {
        size_t end = r + CCV_BN_BLOCK < m ? r + CCV_BN_BLOCK : m;
        for (size_t j = 0; j < cw; j++) { b1[j] = 0; b2[j] = 0; }
        for (size_t row = r; row < end; row++) {
            const float *restrict xr = x + row * c, *restrict gr = g + row * c;
            for (size_t j = 0; j < cw; j++) {
                // Both loads unconditional: a select, not a masked load of `g`.
                float xj = xr[j], gj = gr[j];
                float gv = RECTIFIED(xj, a[j], b[j]) ? gj : 0;
                b1[j] += gv;
                b2[j] += gv * (xj - mu[j]);
            }
        }
        for (size_t j = 0; j < cw; j++) { sg[j] += b1[j]; sgx[j] += b2[j]; }
    }
}

BODY void input_gradient(const float *restrict x, const float *restrict g, float *restrict dx, size_t m, size_t c,
                         size_t cw, const float *restrict a, const float *restrict b, const float *restrict mu,
                         const float *restrict k1, const float *restrict k2, const float *restrict meanG) {
    for (size_t row = 0; row < m; row++) {
        const float *restrict xr = x + row * c, *restrict gr = g + row * c;
        float *restrict dr = dx + row * c;
        for (size_t j = 0; j < cw; j++) {
            float xj = xr[j], gj = gr[j];
            float gv = RECTIFIED(xj, a[j], b[j]) ? gj : 0;
            dr[j] = k1[j] * (gv - meanG[j] - (xj - mu[j]) * k2[j]);
        }
    }
}

AVX2 static void shifted_sums_avx2(const float *x, size_t m, size_t c, size_t cw, const float *shift, float *s1,
                                   float *s2, float *work) {
    shifted_sums(x, m, c, cw, shift, s1, s2, work, work + cw);
}
static void shifted_sums_base(const float *x, size_t m, size_t c, size_t cw, const float *shift, float *s1,
                              float *s2, float *work) {
    shifted_sums(x, m, c, cw, shift, s1, s2, work, work + cw);
}
void ccv_bn_cl_shifted_sums(const float *x, size_t m, size_t c, size_t cw, const float *shift, float *s1,
                            float *s2, float *work) {
    (HAS_AVX2 ? shifted_sums_avx2 : shifted_sums_base)(x, m, c, cw, shift, s1, s2, work);
}

AVX2 static void affine_relu_avx2(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a,
                                  const float *b) {
    affine_relu(x, y, m, c, cw, a, b);
}
static void affine_relu_base(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a,
                             const float *b) {
    affine_relu(x, y, m, c, cw, a, b);
}
void ccv_bn_cl_affine_relu(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a, const float *b) {
    (HAS_AVX2 ? affine_relu_avx2 : affine_relu_base)(x, y, m, c, cw, a, b);
}

AVX2 static void gradient_sums_avx2(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                                    const float *b, const float *mu, float *sg, float *sgx, float *work) {
    gradient_sums(x, g, m, c, cw, a, b, mu, sg, sgx, work, work + cw);
}
static void gradient_sums_base(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                               const float *b, const float *mu, float *sg, float *sgx, float *work) {
    gradient_sums(x, g, m, c, cw, a, b, mu, sg, sgx, work, work + cw);
}
void ccv_bn_cl_gradient_sums(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                             const float *b, const float *mu, float *sg, float *sgx, float *work) {
    (HAS_AVX2 ? gradient_sums_avx2 : gradient_sums_base)(x, g, m, c, cw, a, b, mu, sg, sgx, work);
}

AVX2 static void input_gradient_avx2(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                                     const float *a, const float *b, const float *mu, const float *k1,
                                     const float *k2, const float *meanG) {
    input_gradient(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG);
}
static void input_gradient_base(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                                const float *a, const float *b, const float *mu, const float *k1, const float *k2,
                                const float *meanG) {
    input_gradient(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG);
}
void ccv_bn_cl_input_gradient(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                              const float *a, const float *b, const float *mu, const float *k1, const float *k2,
                              const float *meanG) {
    (HAS_AVX2 ? input_gradient_avx2 : input_gradient_base)(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG);
}
