/* backend.cu - the table's own kernels: fill, and the gradient store every
 * op file uses for dx = g or dx += g. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

__global__ void k_fill(float *dst, float value, size_t n)
{
	NL_K_FOR(i, n)
		dst[i] = value;
}

cudaError_t nl_k_fill(cudaStream_t st, float *dst, float value, size_t n)
{
	if (n == 0)
		return cudaSuccess;
	k_fill<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(dst, value, n);
	return cudaGetLastError();
}

__global__ void k_store(float *dst, const float *src, size_t n, int accumulate)
{
	if (accumulate) {
		NL_K_FOR(i, n)
			dst[i] += src[i];
	} else {
		NL_K_FOR(i, n)
			dst[i] = src[i];
	}
}

cudaError_t nl_k_store(cudaStream_t st, float *dst, const float *src, size_t n,
                       int accumulate)
{
	if (n == 0)
		return cudaSuccess;
	k_store<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(dst, src, n, accumulate);
	return cudaGetLastError();
}
