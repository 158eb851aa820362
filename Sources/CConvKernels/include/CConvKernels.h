#ifndef CCONVKERNELS_H
#define CCONVKERNELS_H

// Hand-vectorised convolution kernels that OpenBLAS serves poorly: a 3x3 stride-1
// convolution of a single input channel (the first layer on grayscale images), where
// im2col + GEMM has K = 9; the matrix transposes of channels-last convolution; and its
// forward and input-gradient GEMMs with the column matrix left implicit.
// The kernels use AVX2 and FMA (or AVX-512F, for the `_avx512` ones) through
// per-function target attributes and are only called when `ccv_has_avx2_fma()`
// (`ccv_has_avx512f()`) says the CPU has them; the rest of the package stays
// baseline x86-64.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU supports AVX2 and FMA (the kernels below may be called), else 0.
int ccv_has_avx2_fma(void);

/// 1 when the CPU (and the OS, which must save the 512-bit registers) supports
/// AVX-512F (the `_avx512` kernels may be called), else 0.
int ccv_has_avx512f(void);

/// 1 when the CPU and OS support AVX-512 F, CD, BW, DQ and VL, the set OpenBLAS's
/// SkylakeX kernels are built for, else 0.
int ccv_has_avx512_skylakex(void);

/// Row pitch (floats) of the zero-padded planes the kernels read: room for an 8-wide
/// load at every 8-aligned output column plus the 2 kernel taps to its right.
size_t ccv_plane_pitch(size_t wo);

/// Floats per padded plane: (ho + 2) rows of `ccv_plane_pitch(wo)`.
size_t ccv_plane_size(size_t ho, size_t wo);

/// Copies images `[first, last)` of `x` (`[n, 1, h, w]`) into zero-padded planes
/// (`planes + i * ccv_plane_size(ho, wo)` for image i), the image at (padding, padding).
/// `ho = h + 2 padding - 2`, `wo = w + 2 padding - 2`.
void ccv_pad_planes(const float *x, size_t first, size_t last, size_t h, size_t w, size_t padding,
                    float *planes);

/// out[i, o, y, x] = bias[o] + sum_{a,b} weight[o, a, b] * plane_i[y + a, x + b] for images
/// [first, last) and all `o`; `bias` may be NULL. `out` is `[n, o, ho, wo]`.
void ccv_forward_avx2(const float *planes, const float *weight, const float *bias, float *out,
                      size_t first, size_t last, size_t o, size_t ho, size_t wo);

/// `ccv_forward_avx2` with 512-bit registers (16 outputs a vector): the same bits.
void ccv_forward_avx512(const float *planes, const float *weight, const float *bias, float *out,
                        size_t first, size_t last, size_t o, size_t ho, size_t wo);

/// dw[k, a, b] = sum_i sum_{y,x} dy[i, k, y, x] * plane_i[y + a, x + b] for output channels
/// k in [oFirst, oLast), over images 0..<n in order (overwrites those rows of `dw`).
void ccv_weight_gradient_avx2(const float *planes, const float *dy, float *dw, size_t n,
                              size_t o, size_t oFirst, size_t oLast, size_t ho, size_t wo);

/// dst[j * rows + i] = src[i * cols + j] for i < rows, j < cols (an out-of-place
/// transpose of a row-major matrix), 8x8 blocks in AVX registers (Transpose.c).
void ccv_transpose_avx2(const float *src, size_t rows, size_t cols, float *dst);

/// One image `x` (`[c, h, w]`) -> `dst` (`[h + 2 pad, w + 2 pad, c]`), the border zeroed.
void ccv_to_padded_channels_last_avx2(const float *x, size_t c, size_t h, size_t w, size_t pad, float *dst);

/// The inverse: the interior of `src` (`[h + 2 pad, w + 2 pad, c]`) -> `x` (`[c, h, w]`).
void ccv_from_padded_channels_last_avx2(const float *src, size_t c, size_t h, size_t w, size_t pad, float *x);

/// A channels-last convolution as `ChannelsLastGEMM.c` sees it: `c` input channels,
/// a `kh` x `kw` kernel with stride `stride`, `ho` x `wo` outputs per image, and the
/// input images zero-padded to `hp` x `wp` (channels innermost).
typedef struct {
    /// `hp = h + 2 pad` and `wp = w + 2 pad`: the zero-padded image's size. `border` is
    /// how much of that border the images are stored with: `pad` (zero-padded images) or 0
    /// (the images as they are; the kernels never touch a tap on the border either way).
    size_t c, kh, kw, stride, ho, wo, hp, wp, pad, border;
} ccv_cl_geometry;

/// out[r, 0..o) = bias + sum over the pixel's (tap, channel) values of value * weight, for
/// the `rows` output pixels of a block of images (`[rows, o]`, channels-last). With
/// `fromColumns`, `source` is the block's column matrix (`[rows, taps * c]`); otherwise it
/// is the block's channels-last images (`[images, hp, wp, c]` zero-padded, or without their
/// border as `g->border` says), read in place; then `rows` must be whole images. All give the
/// same bits. `bias` may be NULL.
void ccv_cl_forward_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                         const float *packed, size_t o, const float *bias, float *out);

/// Adds to `dx` (the block's channels-last images, zero-padded or not as `g->border` says) the
/// input gradient of the block's `rows` output pixels, whose channels-last gradient is
/// `dy` (`[rows, o]`): every (tap, channel) column of dy x weight straight into the value
/// it belongs to, without a column matrix, in tiles of 6 rows grouped by the taps that fall
/// inside the image (the border's values are left as they were). `rows` must be whole images.
void ccv_cl_input_gradient_avx2(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                const float *packed, size_t o, float *dx);

/// `ccv_cl_forward_avx2` with 512-bit registers (tiles of 6 rows x 64 columns): the same
/// sums in the same order, so the same bits.
void ccv_cl_forward_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                           const float *packed, size_t o, const float *bias, float *out);

/// The weight gradient of the block's `rows` output pixels, for output channels
/// `[oFirst, oLast)`: `dw[oi][k] = sum over r < rows, in order, of dy[r * ldy + oi] * B[r][k]`,
/// where `dy` is channels-last (`[rows][ldy]`, `ldy >= oLast`) and B's row r is pixel r's `kh·kw·c` (tap, channel)
/// values: with `fromColumns`, row r of `source` (the columns); otherwise read in place from the
/// block's channels-last images (zero-padded or not, as `g->border` says). `dw` is `[o][kh·kw·c]` in
/// (tap, channel) order, those rows overwritten; `c` must be a multiple of 16. Each value is
/// one chain of fused multiply-adds over the pixels in order, so the bits depend neither on
/// the source, nor on `[oFirst, oLast)`, nor on the register width.
void ccv_cl_weight_gradient_avx2(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                 const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw);

/// `ccv_cl_weight_gradient_avx2` with 512-bit registers (tiles of 6 channels x 64 columns).
void ccv_cl_weight_gradient_avx512(const ccv_cl_geometry *g, const float *source, int fromColumns, size_t rows,
                                   const float *dy, size_t ldy, size_t oFirst, size_t oLast, float *dw);

/// `ccv_cl_input_gradient_avx2` with 512-bit registers: the same bits.
void ccv_cl_input_gradient_avx512(const ccv_cl_geometry *g, const float *dy, size_t rows,
                                  const float *packed, size_t o, float *dx);

/// A one-channel 3x3 convolution with a channels-last output (`OneChannelConvolution.c`):
/// `o` output channels (a multiple of 8), `ho` x `wo` outputs per image, stride `stride`,
/// each image's plane zero-padded to `hp` x `wp`.
typedef struct {
    size_t o, ho, wo, hp, wp, stride;
} ccv_cl1_geometry;

/// out[r, 0..o) = bias + the 9 taps' inputs of output pixel r x the weight (OIHW, `[o][9]`),
/// in tap order, for pixels `[first, last)` of the images whose padded planes are `planes`
/// (`[images, hp, wp]`); `out` is `[pixels, o]`. `bias` may be NULL.
void ccv_cl1_forward_avx2(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                          size_t first, size_t last, float *out);

/// `ccv_cl1_forward_avx2` with 512-bit registers (`o` a multiple of 16): the same bits.
void ccv_cl1_forward_avx512(const ccv_cl1_geometry *g, const float *planes, const float *w, const float *bias,
                            size_t first, size_t last, float *out);

/// dw[oc][k] = sum over pixels r < rows, in order, of dy[r][oc] x tap k's input of pixel r, for
/// output channels `[channelFirst, channelLast)` (multiples of 8); those rows of `dw` (OIHW,
/// `[o][9]`) are overwritten. One chain of fused multiply-adds per value: the same bits for
/// any channel range or register width.
void ccv_cl1_weight_gradient_avx2(const ccv_cl1_geometry *g, const float *planes, const float *dy, size_t rows,
                                  size_t channelFirst, size_t channelLast, float *dw);

/// `ccv_cl1_weight_gradient_avx2` with 512-bit registers (channel bounds multiples of 16).
void ccv_cl1_weight_gradient_avx512(const ccv_cl1_geometry *g, const float *planes, const float *dy, size_t rows,
                                    size_t channelFirst, size_t channelLast, float *dw);

/// `c = a·b` (overwriting `c`) for row-major `a` `[m, k]`, `b` `[k, n]` and `c` `[m, n]`
/// with leading dimensions `lda`, `ldb`, `ldc`, using AVX-512F: each value one chain of
/// fused multiply-adds over `p = 0..<k` in order, so the bits depend on nothing but the
/// operands. No packing: meant for small `m` and `k` (Winograd's tile GEMMs).
void ccv_sgemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                      float *c, size_t ldc);

/// Winograd F(2x2, 3x3) output transform `Y = Aᵀ M A (+ bias)` with AVX2, the kernel of
/// `WinogradKernels.transformOutput` (the same bits): `m` `[16, o, tiles]` (readable 8
/// values past its end), images `[first, last)` (the first of image `firstImage` at
/// column 0, `per = ty·tx` tiles each) into `out` (NCHW `ho x wo` planes); `bias` may be
/// NULL. `phases` holds `4·(per + 8)` floats.
void ccv_winograd_output_avx2(const float *m, size_t o, size_t tiles, size_t per, size_t tx, size_t ho, size_t wo,
                              size_t first, size_t last, size_t firstImage, const float *bias, float *out,
                              float *phases);

/// Floats of scratch `ccv_winograd_input_avx2` needs for a tile grid of `ty x tx`.
size_t ccv_winograd_input_scratch(size_t ty, size_t tx);

/// Winograd F(2x2, 3x3) input transform `V = Bᵀ d B` of images `[first, last)` of `x`
/// (NCHW, `c` channels of `h x w`, zero-padded by `padding` into a grid of `ty x tx`
/// tiles): into `v` as `[16][c][tiles]`, image `ni`'s tiles at columns
/// `(ni - firstImage)·ty·tx` onwards. 8 tiles a vector; the same bits as the portable
/// transform of `WinogradKernels`. `scratch` holds `ccv_winograd_input_scratch(ty, tx)` floats.
void ccv_winograd_input_avx2(const float *x, size_t c, size_t h, size_t w, size_t padding, size_t ty,
                             size_t tx, size_t first, size_t last, size_t firstImage, float *v,
                             size_t tiles, float *scratch);

// Channels-last batch normalisation (`ChannelsLastBatchNorm`), over a slice of `cw`
// channels of `m` rows of `c` values: every pointer to row data starts at the slice's
// first channel of row 0. AVX2 and FMA where the CPU has them, else baseline x86-64.

/// `s1[j] = sum over rows of (x − shift[j])`, `s2[j]` of its square. `work`: `2·cw` floats.
void ccv_bn_cl_shifted_sums(const float *x, size_t m, size_t c, size_t cw, const float *shift, float *s1,
                            float *s2, float *work);

/// `y = max(0, x·a[j] + b[j])`.
void ccv_bn_cl_affine_relu(const float *x, float *y, size_t m, size_t c, size_t cw, const float *a, const float *b);

/// With `dz = (x·a[j] + b[j] > 0) ? g : 0` (the gradient at the normalised values, masked
/// by ReLU as the forward's output was, recomputed from `x`): `sg[j] = sum of dz`,
/// `sgx[j] = sum of dz·(x − mu[j])`. `work`: `2·cw` floats.
void ccv_bn_cl_gradient_sums(const float *x, const float *g, size_t m, size_t c, size_t cw, const float *a,
                             const float *b, const float *mu, float *sg, float *sgx, float *work);

/// `dx = k1[j]·(dz − meanG[j] − (x − mu[j])·k2[j])`, `dz` as above.
void ccv_bn_cl_input_gradient(const float *x, const float *g, float *dx, size_t m, size_t c, size_t cw,
                              const float *a, const float *b, const float *mu, const float *k1, const float *k2,
                              const float *meanG);

// The second-order backward of channels-last batch norm + ReLU (`BatchNormReLUGradient`),
// over a slice of `cw` channels of `m` rows as above. `mask` holds ReLU's mask (1 or 0
// per value), `mu`, `s` and `gamma` the channels' mean, 1/sqrt(variance + epsilon) and
// scale; `x̂ = (x − mu)·s`, `h = mask·g·gamma`.

/// `sums` (`5·cw` floats): the sums over rows of `u`, `u·x̂`, `h`, `h·x̂` and `u·h`, in
/// that order. `work`: `5·cw` floats.
void ccv_bn_cl_second_input_sums(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                 size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                 float *sums, float *work);

/// With `coefficients` = (ū, mean u·x̂, h̄, mean h·x̂, k), `5·cw` floats: when not NULL,
/// `dx = s²·(−x̂·k − mean(u·x̂)·(h − h̄) − mean(h·x̂)·(u − ū))`,
/// `dg = mask·gamma·s·(u − ū − x̂·mean(u·x̂))` and `dScale[j]` = the sum over rows of
/// `s·(u − ū − x̂·mean(u·x̂))·mask·g`. `work`: `cw` floats.
void ccv_bn_cl_second_input_apply(const float *x, const float *g, const float *u, const float *mask, size_t m,
                                  size_t c, size_t cw, const float *mu, const float *s, const float *gamma,
                                  const float *coefficients, float *dx, float *dg, float *dScale, float *work);

/// `sums` (`2·cw` floats): the sums over rows of `mask·g` and `mask·g·x̂`. `work`: `2·cw` floats.
void ccv_bn_cl_second_scale_sums(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                 const float *mu, const float *s, float *sums, float *work);

/// With `means` = (mean of mask·g, mean of mask·g·x̂), `2·cw` floats: when not NULL,
/// `dx = w·s·(mask·g − means[0] − x̂·means[1])` and `dg = mask·w·x̂` (`w` per channel).
void ccv_bn_cl_second_scale_apply(const float *x, const float *g, const float *mask, size_t m, size_t c, size_t cw,
                                  const float *mu, const float *s, const float *w, const float *means, float *dx,
                                  float *dg);

/// `out = mask·w[j]` (`w` per channel).
void ccv_bn_cl_mask_rows(const float *mask, const float *w, float *out, size_t m, size_t c, size_t cw);

/// `out[i] = mask[i]·g[i]` for `count` values.
void ccv_bn_cl_mask_product(const float *mask, const float *g, float *out, size_t count);

// NCHW batch normalisation (`BatchNormKernels`, `batchNormReLU` in Autograd), one channel
// per call: `n` planes of `s = h·w` values, plane i at `x + i·stride`; pooled outputs
// (`[N, C, h/2, w/2]`, `p` values per plane) `pooledStride` apart. Indices are flat
// indices into the whole input tensor. AVX2 and FMA where the CPU has them.

/// The channel's mean and `1 / sqrt(variance + epsilon)` (biased variance, two passes).
void ccv_bn_planes_statistics(const float *x, size_t n, size_t s, size_t stride, float epsilon, float *mean,
                              float *invStd);

/// 2x2 max pooling (stride 2) of `max(0, x·a + b)` (a product and a sum, never fused): `y`
/// the first maximal value of each window, rectified, `idx` its flat index (`first` is
/// that of the channel's first value) and, unless `xmax` is NULL, `xmax` the input there.
void ccv_bn_planes_relu_pool(const float *x, size_t n, size_t h, size_t w, size_t stride, size_t pooledStride,
                             int32_t first, float a, float b, float *y, int32_t *idx, float *xmax);

/// The backward of the pooled op over channels `c0 ..< c1` of `[n, c, ·]` tensors, image by
/// image (`s` input, `p` pooled values per plane), with `dz = y > 0 ? g : 0` at each
/// window's maximum, whose input value is `xmax`: `sg[ci]` = sum of dz, `sgx[ci]` = sum of
/// dz·(xmax − mu[ci]).
void ccv_bn_pooled_gradient_sums(const float *xmax, const float *g, const float *y, size_t n, size_t c, size_t c0,
                                 size_t c1, size_t p, const float *mu, float *sg, float *sgx);

/// `dx = k1·(dz − meanG − (x − mu)·k2)` (per-channel constants) over channels `c0 ..< c1`,
/// `dz` as above at the maxima `idx` (flat indices into `x` and `dx`) and zero elsewhere.
void ccv_bn_pooled_input_gradient(const float *x, const float *g, const float *y, const int32_t *idx, float *dx,
                                  size_t n, size_t c, size_t c0, size_t c1, size_t s, size_t p, const float *mu,
                                  const float *k1, const float *k2, const float *meanG);

#ifdef __cplusplus
}
#endif

#endif
