/* activation.cu - GELU, which cuDNN's activation modes do not have
 * (PyTorch's exact form, x Phi(x)); the other activations are cuDNN's. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

__global__ void k_gelu_forward(const float *x, float *y, size_t n)
{
	NL_K_FOR(i, n)
		y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

cudaError_t nl_k_gelu_forward(cudaStream_t st, const float *x, float *y, size_t n)
{
	if (n == 0)
		return cudaSuccess;
	k_gelu_forward<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(x, y, n);
	return cudaGetLastError();
}

__global__ void k_gelu_backward(const float *x, const float *dy, float *dx, size_t n,
                                int accumulate)
{
	NL_K_FOR(i, n) {
		float v = x[i];
		float d = 0.5f * (1.0f + erff(v * 0.70710678118654752f)) +
		          v * 0.3989422804014327f * expf(-0.5f * v * v);
		float g = dy[i] * d;
		dx[i] = accumulate ? dx[i] + g : g;
	}
}

cudaError_t nl_k_gelu_backward(cudaStream_t st, const float *x, const float *dy, float *dx,
                               size_t n, int accumulate)
{
	if (n == 0)
		return cudaSuccess;
	k_gelu_backward<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(x, dy, dx, n, accumulate);
	return cudaGetLastError();
}
