/* fc.cu - the fully connected layer's bias: added to every row of the
 * output, and its gradient summed down the rows. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

__global__ void k_bias_rows(float *y, const float *b, int rows, int cols)
{
	size_t total = (size_t)rows * (size_t)cols;
	NL_K_FOR(i, total)
		y[i] += b[i % (size_t)cols];
}

cudaError_t nl_k_bias_rows(cudaStream_t st, float *y, const float *b, int rows, int cols)
{
	size_t total = (size_t)rows * (size_t)cols;
	if (total == 0)
		return cudaSuccess;
	k_bias_rows<<<nl_k_blocks(total), NL_K_THREADS, 0, st>>>(y, b, rows, cols);
	return cudaGetLastError();
}

/* One thread per column, summing down the rows: neighbouring threads read
 * neighbouring addresses, and the sum's order is fixed (deterministic). */
__global__ void k_bias_grad_rows(float *db, const float *dy, int rows, int cols)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x;
	if (j >= cols)
		return;
	float s = 0.0f;
	for (int r = 0; r < rows; r++)
		s += dy[(size_t)r * cols + j];
	db[j] = s;
}

cudaError_t nl_k_bias_grad_rows(cudaStream_t st, float *db, const float *dy, int rows, int cols)
{
	if (cols <= 0)
		return cudaSuccess;
	unsigned blocks = (unsigned)((cols + NL_K_THREADS - 1) / NL_K_THREADS);
	k_bias_grad_rows<<<blocks, NL_K_THREADS, 0, st>>>(db, dy, rows, cols);
	return cudaGetLastError();
}
