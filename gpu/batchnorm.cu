/* batchnorm.cu - batch-norm backward with the statistics held constant,
 * which cuDNN has no call for: after an evaluation forward (the running
 * statistics normalised), and for the parameter gradients of a training
 * forward when no one wants dx (cuDNN's backward always writes dx).
 *
 * With xhat = (x - mean) invstd and the statistics constants:
 *   dbeta = sum dy,  dgamma = sum dy xhat,  dx = gamma invstd dy,
 * the CPU's formulas (runtime/cpu/batchnorm.c) with its "eval" branch.
 * One block per channel; each thread sums its share in double, then the
 * block adds the shares in a fixed order (deterministic, no atomics).
 */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

__global__ void k_bn_backward_const(const float *x, const float *dy, float *dx, int accumulate,
                                    const float *gamma, const float *mean, const float *stat,
                                    int stat_is_var, float eps, int n, int c, size_t hw,
                                    float *dgamma, float *dbeta)
{
	__shared__ double s_dy[NL_K_THREADS];
	__shared__ double s_dyx[NL_K_THREADS];
	const int ch = blockIdx.x;
	const float mu = mean[ch];
	/* The inverse standard deviation as the CPU rounds it. */
	const float is = stat_is_var ? (float)(1.0 / sqrt((double)stat[ch] + (double)eps))
	                             : stat[ch];
	const float k = gamma ? gamma[ch] * is : is;
	const size_t m = (size_t)n * hw;
	double sdy = 0.0, sdyx = 0.0;
	for (size_t e = threadIdx.x; e < m; e += blockDim.x) {
		size_t img = e / hw;
		size_t at = (img * (size_t)c + (size_t)ch) * hw + (e - img * hw);
		float g = dy[at];
		sdy += g;
		sdyx += (double)g * (double)(x[at] - mu);
		if (dx) {
			float v = k * g;
			dx[at] = accumulate ? dx[at] + v : v;
		}
	}
	s_dy[threadIdx.x] = sdy;
	s_dyx[threadIdx.x] = sdyx;
	__syncthreads();
	for (int half = blockDim.x / 2; half > 0; half /= 2) {
		if ((int)threadIdx.x < half) {
			s_dy[threadIdx.x] += s_dy[threadIdx.x + half];
			s_dyx[threadIdx.x] += s_dyx[threadIdx.x + half];
		}
		__syncthreads();
	}
	if (threadIdx.x == 0) {
		if (dbeta)
			dbeta[ch] = (float)s_dy[0];
		if (dgamma)
			dgamma[ch] = (float)(s_dyx[0] * is);
	}
}

cudaError_t nl_k_bn_backward_const(cudaStream_t st, const float *x, const float *dy, float *dx,
                                   int accumulate, const float *gamma, const float *mean,
                                   const float *stat, int stat_is_var, float eps, int n, int c,
                                   size_t hw, float *dgamma, float *dbeta)
{
	if (c <= 0)
		return cudaSuccess;
	k_bn_backward_const<<<(unsigned)c, NL_K_THREADS, 0, st>>>(x, dy, dx, accumulate, gamma,
	                                                        mean, stat, stat_is_var, eps, n, c,
	                                                        hw, dgamma, dbeta);
	return cudaGetLastError();
}
