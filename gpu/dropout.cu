/* dropout.cu - inverted dropout.  Element i is kept when
 * nl_rng_uniform(key, i) >= p, the same hash the CPU evaluates, so both
 * backends drop the same elements for the same key.  The mask is kept (one
 * byte per element, in the step's aux memory) rather than recomputed in
 * backward, so backward does not depend on the key still being set. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"
#include "runtime/rng.h"

__global__ void k_dropout_forward(const float *x, float *y, uint8_t *mask, size_t n,
                                  uint64_t key, float p, float scale)
{
	NL_K_FOR(i, n) {
		uint8_t keep = nl_rng_uniform(key, (uint64_t)i) >= p;
		mask[i] = keep;
		y[i] = keep ? x[i] * scale : 0.0f;
	}
}

cudaError_t nl_k_dropout_forward(cudaStream_t st, const float *x, float *y, uint8_t *mask,
                                 size_t n, uint64_t key, float p)
{
	if (n == 0)
		return cudaSuccess;
	float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
	k_dropout_forward<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(x, y, mask, n, key, p, scale);
	return cudaGetLastError();
}

__global__ void k_dropout_backward(const float *dy, float *dx, const uint8_t *mask, size_t n,
                                   float scale, int accumulate)
{
	NL_K_FOR(i, n) {
		/* 0 dropped, 1 kept (scaled), 2 an evaluation forward's identity */
		uint8_t m = mask[i];
		float g = m == 0 ? 0.0f : m == 1 ? dy[i] * scale : dy[i];
		if (accumulate)
			dx[i] += g;
		else
			dx[i] = g;
	}
}

cudaError_t nl_k_dropout_backward(cudaStream_t st, const float *dy, float *dx,
                                  const uint8_t *mask, size_t n, float p, int accumulate)
{
	if (n == 0)
		return cudaSuccess;
	float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
	k_dropout_backward<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(dy, dx, mask, n, scale,
	                                                           accumulate);
	return cudaGetLastError();
}
