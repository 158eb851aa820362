#include "CConvKernels.h"

// The row loops of batch norm + ReLU's second-order backward (`BatchNormReLUGradient` in
// Autograd): the backward of its input gradient `dx` and of its scale gradient `dγ`.
// As in `ChannelsLastBatchNorm.c`, every row adds `cw` consecutive values into `cw`
// running sums, so the inner loops run along the channels and vectorise; each body is
// written once and compiled twice (AVX2 with FMA, baseline x86-64), chosen at run time.
// Rows are summed in blocks of `CCV_BN2_BLOCK`, then the block sums in order.
//
// Written in Swift these loops stayed scalar (baseline x86-64, and pointers Swift could
// not prove apart): 8-9% of a 20-way MAML task with five inner steps.

#define CCV_BN2_BLOCK 128

#include "KernelTarget.h"

BODY void second_input_sums(const float *restrict x, const float *restrict g, const float *restrict u,
                            const float *restrict mask, size_t m, size_t c, size_t cw, const float *restrict mu,
                            const float *restrict s, const float *restrict gamma, float *restrict su,
                            float *restrict sux, float *restrict sh, float *restrict shx, float *restrict suh,
                            float *restrict bu, float *restrict bux, float *restrict bh, float *restrict bhx,
                            float *restrict buh) {
    for (size_t j = 0; j < cw; j++) { su[j] = 0; sux[j] = 0; sh[j] = 0; shx[j] = 0; suh[j] = 0; }
    for (size_t r = 0; r < m; r += CCV_BN2_BLOCK) {
        size_t end = r + CCV_BN2_BLOCK < m ? r + CCV_BN2_BLOCK : m;
        for (size_t j = 0; j < cw; j++) { bu[j] = 0; bux[j] = 0; bh[j] = 0; bhx[j] = 0; buh[j] = 0; }
        for (size_t row = r; row < end; row++) {
            const float *restrict xr = x + row * c, *restrict gr = g + row * c;
            const float *restrict ur = u + row * c, *restrict mr = mask + row * c;
            for (size_t j = 0; j < cw; j++) {
                float xh = (xr[j] - mu[j]) * s[j], h = mr[j] * gr[j] * gamma[j], uu = ur[j];
                bu[j] += uu;
                bux[j] += uu * xh;
                bh[j] += h;
                bhx[j] += h * xh;
                buh[j] += uu * h;
            }
        }
        for (size_t j = 0; j < cw; j++) {
            su[j] += bu[j]; sux[j] += bux[j]; sh[j] += bh[j]; shx[j] += bhx[j]; suh[j] += buh[j];
        }
    }
}

BODY void second_input_apply(const float *restrict x, const float *restrict g, const float *restrict u,
                             const float *restrict mask, size_t m, size_t c, size_t cw, const float *restrict mu,
                             const float *restrict s, const float *restrict gamma, const float *restrict um,
                             const float *restrict uxm, const float *restrict hm, const float *restrict hxm,
                             const float *restrict k, float *restrict dx, float *restrict dg,
                             float *restrict dScale, float *restrict b) {
    if (dScale) for (size_t j = 0; j < cw; j++) dScale[j] = 0;
    for (size_t r = 0; r < m; r += CCV_BN2_BLOCK) {
        size_t end = r + CCV_BN2_BLOCK < m ? r + CCV_BN2_BLOCK : m;
        if (dScale) for (size_t j = 0; j < cw; j++) b[j] = 0;
        for (size_t row = r; row < end; row++) {
            const float *restrict xr = x + row * c, *restrict gr = g + row * c;
            const float *restrict ur = u + row * c, *restrict mr = mask + row * c;
            if (dx) {
                float *restrict d = dx + row * c;
                for (size_t j = 0; j < cw; j++) {
                    float xh = (xr[j] - mu[j]) * s[j], h = mr[j] * gr[j] * gamma[j];
                    d[j] = s[j] * s[j] * (-xh * k[j] - uxm[j] * (h - hm[j]) - hxm[j] * (ur[j] - um[j]));
                }
            }
            if (dg) {
                float *restrict d = dg + row * c;
                for (size_t j = 0; j < cw; j++) {
                    float xh = (xr[j] - mu[j]) * s[j];
                    d[j] = mr[j] * gamma[j] * s[j] * (ur[j] - um[j] - xh * uxm[j]);
                }
            }
            if (dScale) {
                for (size_t j = 0; j < cw; j++) {
                    float xh = (xr[j] - mu[j]) * s[j];
                    b[j] += s[j] * (ur[j] - um[j] - xh * uxm[j]) * mr[j] * gr[j];
                }
            }
        }
        if (dScale) for (size_t j = 0; j < cw; j++) dScale[j] += b[j];
    }
}

BODY void second_scale_sums(const float *restrict x, const float *restrict g, const float *restrict mask, size_t m,
                            size_t c, size_t cw, const float *restrict mu, const float *restrict s,
                            float *restrict sg, float *restrict sgx, float *restrict bg, float *restrict bgx) {
    for (size_t j = 0; j < cw; j++) { sg[j] = 0; sgx[j] = 0; }
    for (size_t r = 0; r < m; r += CCV_BN2_BLOCK) {
        size_t end = r + CCV_BN2_BLOCK < m ? r + CCV_BN2_BLOCK : m;
        for (size_t j = 0; j < cw; j++) { bg[j] = 0; bgx[j] = 0; }
        for (size_t row = r; row < end; row++) {
            const float *restrict xr = x + row * c, *restrict gr = g + row * c, *restrict mr = mask + row * c;
            for (size_t j = 0; j < cw; j++) {
                float gz = mr[j] * gr[j];
                bg[j] += gz;
                bgx[j] += gz * (xr[j] - mu[j]) * s[j];
            }
        }
        for (size_t j = 0; j < cw; j++) { sg[j] += bg[j]; sgx[j] += bgx[j]; }
    }
}

BODY void second_scale_apply(const float *restrict x, const float *restrict g, const float *restrict mask,
                             size_t m, size_t c, size_t cw, const float *restrict mu, const float *restrict s,
                             const float *restrict w, const float *restrict gm, const float *restrict gxm,
                             float *restrict dx, float *restrict dg) {
    for (size_t row = 0; row < m; row++) {
        const float *restrict xr = x + row * c, *restrict gr = g + row * c, *restrict mr = mask + row * c;
        if (dx) {
            float *restrict d = dx + row * c;
            for (size_t j = 0; j < cw; j++) {
                float xh = (xr[j] - mu[j]) * s[j];
                d[j] = w[j] * s[j] * (mr[j] * gr[j] - gm[j] - xh * gxm[j]);
            }
        }
        if (dg) {
            float *restrict d = dg + row * c;
            for (size_t j = 0; j < cw; j++) d[j] = mr[j] * w[j] * (xr[j] - mu[j]) * s[j];
        }
    }
}

BODY void mask_rows(const float *restrict mask, const float *restrict w, float *restrict out, size_t m, size_t c,
                    size_t cw) {
    for (size_t row = 0; row < m; row++) {
        const float *restrict mr = mask + row * c;
        float *restrict o = out + row * c;
        for (size_t j = 0; j < cw; j++) o[j] = mr[j] * w[j];
    }
}

BODY void mask_product(const float *restrict mask, const float *restrict g, float *restrict out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = mask[i] * g[i];
}

AVX2 static void second_input_sums_avx2(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                        size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                        float *sums, float *work) {
    second_input_sums(x, g, u, mask, m, c, cw, mu, s, gamma, sums, sums + cw, sums + 2 * cw, sums + 3 * cw,
                      sums + 4 * cw, work, work + cw, work + 2 * cw, work + 3 * cw, work + 4 * cw);
}
static void second_input_sums_base(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                   size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                   float *sums, float *work) {
    second_input_sums(x, g, u, mask, m, c, cw, mu, s, gamma, sums, sums + cw, sums + 2 * cw, sums + 3 * cw,
                      sums + 4 * cw, work, work + cw, work + 2 * cw, work + 3 * cw, work + 4 * cw);
}
void ccv_bn_cl_second_input_sums(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                 size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                 float *sums, float *work) {
    (HAS_AVX2 ? second_input_sums_avx2 : second_input_sums_base)(x, g, u, mask, m, c, cw, mu, s, gamma, sums, work);
}

AVX2 static void second_input_apply_avx2(const float *x, const float *g, const float *u, const float *mask,
                                         size_t m, size_t c, size_t cw, const float *mu, const float *s,
                                         const float *gamma, const float *coefficients, float *dx, float *dg,
                                         float *dScale, float *work) {
    const float *k = coefficients;
    second_input_apply(x, g, u, mask, m, c, cw, mu, s, gamma, k, k + cw, k + 2 * cw, k + 3 * cw, k + 4 * cw, dx,
                       dg, dScale, work);
}
static void second_input_apply_base(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                    size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                    const float *coefficients, float *dx, float *dg, float *dScale, float *work) {
    const float *k = coefficients;
    second_input_apply(x, g, u, mask, m, c, cw, mu, s, gamma, k, k + cw, k + 2 * cw, k + 3 * cw, k + 4 * cw, dx,
                       dg, dScale, work);
}
void ccv_bn_cl_second_input_apply(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                  size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                  const float *coefficients, float *dx, float *dg, float *dScale, float *work) {
    (HAS_AVX2 ? second_input_apply_avx2 : second_input_apply_base)(x, g, u, mask, m, c, cw, mu, s, gamma,
                                                                   coefficients, dx, dg, dScale, work);
}

AVX2 static void second_scale_sums_avx2(const float *x, const float *g, const float *mask, size_t m, size_t c,
                                        size_t cw, const float *mu, const float *s, float *sums, float *work) {
    second_scale_sums(x, g, mask, m, c, cw, mu, s, sums, sums + cw, work, work + cw);
}
static void second_scale_sums_base(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                   const float *mu, const float *s, float *sums, float *work) {
    second_scale_sums(x, g, mask, m, c, cw, mu, s, sums, sums + cw, work, work + cw);
}
void ccv_bn_cl_second_scale_sums(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                 const float *mu, const float *s, float *sums, float *work) {
    (HAS_AVX2 ? second_scale_sums_avx2 : second_scale_sums_base)(x, g, mask, m, c, cw, mu, s, sums, work);
}

AVX2 static void second_scale_apply_avx2(const float *x, const float *g, const float *mask, size_t m, size_t c,
                                         size_t cw, const float *mu, const float *s, const float *w,
                                         const float *means, float *dx, float *dg) {
    second_scale_apply(x, g, mask, m, c, cw, mu, s, w, means, means + cw, dx, dg);
}
static void second_scale_apply_base(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                    const float *mu, const float *s, const float *w, const float *means, float *dx,
                                    float *dg) {
    second_scale_apply(x, g, mask, m, c, cw, mu, s, w, means, means + cw, dx, dg);
}
void ccv_bn_cl_second_scale_apply(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                  const float *mu, const float *s, const float *w, const float *means, float *dx,
                                  float *dg) {
    (HAS_AVX2 ? second_scale_apply_avx2 : second_scale_apply_base)(x, g, mask, m, c, cw, mu, s, w, means, dx, dg);
}

AVX2 static void mask_rows_avx2(const float *mask, const float *w, float *out, size_t m, size_t c, size_t cw) {
    mask_rows(mask, w, out, m, c, cw);
}
static void mask_rows_base(const float *mask, const float *w, float *out, size_t m, size_t c, size_t cw) {
    mask_rows(mask, w, out, m, c, cw);
}
void ccv_bn_cl_mask_rows(const float *mask, const float *w, float *out, size_t m, size_t c, size_t cw) {
    (HAS_AVX2 ? mask_rows_avx2 : mask_rows_base)(mask, w, out, m, c, cw);
}

AVX2 static void mask_product_avx2(const float *mask, const float *g, float *out, size_t count) {
    mask_product(mask, g, out, count);
}
static void mask_product_base(const float *mask, const float *g, float *out, size_t count) {
    mask_product(mask, g, out, count);
}
void ccv_bn_cl_mask_product(const float *mask, const float *g, float *out, size_t count) {
    (HAS_AVX2 ? mask_product_avx2 : mask_product_base)(mask, g, out, count);
}
