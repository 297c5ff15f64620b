/* kernels.h - launchers for the few CUDA kernels no library call covers.
 *
 * Compiled by nvcc (the .cu files) and called from the C files; each queues
 * its kernel on the given stream and returns the launch status
 * (cudaGetLastError), which the caller checks by name.  Sizes are in
 * elements, not bytes.
 */
#ifndef NL_GPU_KERNELS_H
#define NL_GPU_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <cuda_runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* backend.cu */
cudaError_t nl_k_fill(cudaStream_t st, float *dst, float value, size_t n);
/* dst = src, or dst += src when accumulate. */
cudaError_t nl_k_store(cudaStream_t st, float *dst, const float *src, size_t n,
                       int accumulate);

/* join.cu */
/* rows x width block between two row-pitched arrays (pitches in floats):
 * dst[r*dpitch + j] (=|+=) src[r*spitch + j].  Concatenation along
 * channels is this with rows = batch, width = c*h*w of one input. */
cudaError_t nl_k_store_rows(cudaStream_t st, float *dst, size_t dpitch,
                            const float *src, size_t spitch, size_t width,
                            size_t rows, int accumulate);
/* y = a + b (y may be a or b). */
cudaError_t nl_k_add(cudaStream_t st, float *y, const float *a, const float *b, size_t n);

/* fc.cu */
/* y[r][j] = b[j] for r < rows, j < cols. */
cudaError_t nl_k_bias_set_rows(cudaStream_t st, float *y, const float *b, int rows, int cols);
/* db[j] = sum over r of dy[r][j]. */
cudaError_t nl_k_bias_grad_rows(cudaStream_t st, float *db, const float *dy, int rows, int cols);

/* activation.cu: y = x Phi(x), PyTorch's exact GELU; dx (+)= dy (Phi(x) + x phi(x)). */
cudaError_t nl_k_gelu_forward(cudaStream_t st, const float *x, float *y, size_t n);
cudaError_t nl_k_gelu_backward(cudaStream_t st, const float *x, const float *dy, float *dx,
                               size_t n, int accumulate);

/* dropout.cu: inverted dropout with the mask of rng.h.  The mask has one
 * byte per element: 0 dropped, 1 kept (scaled by 1/(1-p)), 2 passed
 * through unscaled (set by an evaluation forward). */
cudaError_t nl_k_dropout_forward(cudaStream_t st, const float *x, float *y, uint8_t *mask,
                                 size_t n, uint64_t key, float p);
cudaError_t nl_k_dropout_backward(cudaStream_t st, const float *dy, float *dx,
                                  const uint8_t *mask, size_t n, float p, int accumulate);

/* batchnorm.cu: backward with the statistics held constant (mean, and
 * stat the inverse standard deviation, or the variance when stat_is_var,
 * then with eps): dbeta = sum dy, dgamma = sum dy xhat, and, when dx is not
 * NULL, dx (=|+=) gamma invstd dy.  dgamma and dbeta may be NULL. */
cudaError_t nl_k_bn_backward_const(cudaStream_t st, const float *x, const float *dy, float *dx,
                                   int accumulate, const float *gamma, const float *mean,
                                   const float *stat, int stat_is_var, float eps, int n, int c,
                                   size_t hw, float *dgamma, float *dbeta);

/* loss.cu.  bad (may be NULL) gets the count of labels outside 0..k-1,
 * then the first one's label, example and k. */
cudaError_t nl_k_loss(cudaStream_t st, const float *logits, const int32_t *labels,
                      int n, int k, float *dlogits, float *acc, int *bad);
cudaError_t nl_k_sgd(cudaStream_t st, float *w, const float *g, float *v, size_t n,
                     float lr, float momentum, float weight_decay);

/* gather.cu.  The per-channel normalisation, passed by value (on == 0:
 * none). */
typedef struct nl_k_norm {
	int on;
	float mean[4], std[4];
} nl_k_norm;
cudaError_t nl_k_gather(cudaStream_t st, const uint8_t *images, const uint8_t *labels,
                        const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                        nl_k_norm norm, float *out, int32_t *labels_out);

#ifdef __cplusplus
}
#endif

#endif
