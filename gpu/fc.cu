/* fc.cu - the fully connected layer's bias: written into every row of the
 * output (which sgemm then adds x W^T to), and its gradient summed down
 * the rows. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

/* Each thread owns a column j (b[j] read once, kept in a register) and
 * walks down the rows with a stride; a block is 32..256 columns wide and
 * as many rows high as make 256 threads, so a narrow layer (10 classes)
 * still fills its blocks.  No division or modulo per element. */
__global__ void k_bias_set_rows(float *y, const float *b, int rows, int cols)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x;
	if (j >= cols)
		return;
	const float v = b[j];
	for (int r = blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += gridDim.y * blockDim.y)
		y[(size_t)r * cols + j] = v;
}

cudaError_t nl_k_bias_set_rows(cudaStream_t st, float *y, const float *b, int rows, int cols)
{
	if (rows <= 0 || cols <= 0)
		return cudaSuccess;
	unsigned tx = cols >= NL_K_THREADS ? NL_K_THREADS : (unsigned)(cols + 31) / 32 * 32;
	unsigned ty = NL_K_THREADS / tx;
	unsigned gy = ((unsigned)rows + ty - 1) / ty;
	if (gy > 4096)
		gy = 4096;
	dim3 grid(((unsigned)cols + tx - 1) / tx, gy), block(tx, ty);
	k_bias_set_rows<<<grid, block, 0, st>>>(y, b, rows, cols);
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
