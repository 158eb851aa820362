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

// A walk over the rows of an operand stored with a zero border (`ccv_bn_cl_border`): the
// storage row of logical row r0, then of each next one (one add, and two more at the end
// of a map row or of an image). Without a border, logical row r0 + i is storage row i.
typedef struct { size_t at, x, y; } border_walk;

BODY border_walk walk_start(const ccv_bn_cl_border *bd, size_t r0) {
    border_walk k = {0, 0, 0};
    if (!bd) return k;
    const size_t wp = bd->w + 2 * bd->pad, hp = bd->h + 2 * bd->pad;
    k.x = r0 % bd->w;
    k.y = r0 / bd->w % bd->h;
    k.at = (r0 / bd->w / bd->h * hp + k.y + bd->pad) * wp + k.x + bd->pad;
    return k;
}

BODY void walk_next(border_walk *k, const ccv_bn_cl_border *bd) {
    k->at++;
    if (!bd || ++k->x < bd->w) return;
    k->x = 0;
    k->at += 2 * bd->pad;
    if (++k->y < bd->h) return;
    k->y = 0;
    k->at += 2 * bd->pad * (bd->w + 2 * bd->pad);
}

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
                      const float *restrict a, const float *restrict b, const ccv_bn_cl_border *bd, size_t r0) {
    border_walk k = walk_start(bd, r0);
    for (size_t row = 0; row < m; row++, walk_next(&k, bd)) {
        const float *restrict xr = x + row * c;
        float *restrict yr = y + k.at * c;
        for (size_t j = 0; j < cw; j++) {
            float z = AFFINE(xr[j], a[j], b[j]);
            yr[j] = z > 0 ? z : 0;
        }
    }
}

BODY void gradient_sums(const float *restrict x, const float *restrict g, size_t m, size_t c, size_t cw,
                        const float *restrict a, const float *restrict b, const float *restrict mu,
                        float *restrict sg, float *restrict sgx, float *restrict b1, float *restrict b2,
                        const ccv_bn_cl_border *bd, size_t r0) {
    border_walk k = walk_start(bd, r0);
    for (size_t j = 0; j < cw; j++) { sg[j] = 0; sgx[j] = 0; }
    for (size_t r = 0; r < m; r += CCV_BN_BLOCK) {
        size_t end = r + CCV_BN_BLOCK < m ? r + CCV_BN_BLOCK : m;
        for (size_t j = 0; j < cw; j++) { b1[j] = 0; b2[j] = 0; }
        for (size_t row = r; row < end; row++, walk_next(&k, bd)) {
            const float *restrict xr = x + row * c, *restrict gr = g + k.at * c;
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
                         const float *restrict k1, const float *restrict k2, const float *restrict meanG,
                         const ccv_bn_cl_border *bd, size_t r0) {
    border_walk k = walk_start(bd, r0);
    for (size_t row = 0; row < m; row++, walk_next(&k, bd)) {
        const float *restrict xr = x + row * c, *restrict gr = g + k.at * c;
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
                                  const float *b, const ccv_bn_cl_border *bd, size_t r0) {
    affine_relu(x, y, m, c, cw, a, b, bd, r0);
}
static void affine_relu_base(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a,
                             const float *b, const ccv_bn_cl_border *bd, size_t r0) {
    affine_relu(x, y, m, c, cw, a, b, bd, r0);
}
void ccv_bn_cl_affine_relu(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a, const float *b,
                           const ccv_bn_cl_border *border, size_t r0) {
    (HAS_AVX2 ? affine_relu_avx2 : affine_relu_base)(x, y, m, c, cw, a, b, border, r0);
}

AVX2 static void gradient_sums_avx2(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                                    const float *b, const float *mu, float *sg, float *sgx, float *work,
                                    const ccv_bn_cl_border *bd, size_t r0) {
    gradient_sums(x, g, m, c, cw, a, b, mu, sg, sgx, work, work + cw, bd, r0);
}
static void gradient_sums_base(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                               const float *b, const float *mu, float *sg, float *sgx, float *work,
                               const ccv_bn_cl_border *bd, size_t r0) {
    gradient_sums(x, g, m, c, cw, a, b, mu, sg, sgx, work, work + cw, bd, r0);
}
void ccv_bn_cl_gradient_sums(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                             const float *b, const float *mu, float *sg, float *sgx, float *work,
                             const ccv_bn_cl_border *border, size_t r0) {
    (HAS_AVX2 ? gradient_sums_avx2 : gradient_sums_base)(x, g, m, c, cw, a, b, mu, sg, sgx, work, border, r0);
}

AVX2 static void input_gradient_avx2(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                                     const float *a, const float *b, const float *mu, const float *k1,
                                     const float *k2, const float *meanG, const ccv_bn_cl_border *bd, size_t r0) {
    input_gradient(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG, bd, r0);
}
static void input_gradient_base(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                                const float *a, const float *b, const float *mu, const float *k1, const float *k2,
                                const float *meanG, const ccv_bn_cl_border *bd, size_t r0) {
    input_gradient(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG, bd, r0);
}
void ccv_bn_cl_input_gradient(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                              const float *a, const float *b, const float *mu, const float *k1, const float *k2,
                              const float *meanG, const ccv_bn_cl_border *border, size_t r0) {
    (HAS_AVX2 ? input_gradient_avx2 : input_gradient_base)(x, g, dx, m, c, cw, a, b, mu, k1, k2, meanG, border, r0);
}
