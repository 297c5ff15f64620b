/* elementwise.cu - fill, gradient stores, strided row copies (concat),
 * sums (add), the fully connected layer's bias, and GELU. */
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

__global__ void k_store_rows(float *dst, size_t dpitch, const float *src, size_t spitch,
                             size_t width, size_t rows, int accumulate)
{
	size_t total = width * rows;
	NL_K_FOR(i, total) {
		size_t r = i / width, j = i - r * width;
		float v = src[r * spitch + j];
		if (accumulate)
			dst[r * dpitch + j] += v;
		else
			dst[r * dpitch + j] = v;
	}
}

cudaError_t nl_k_store_rows(cudaStream_t st, float *dst, size_t dpitch,
                            const float *src, size_t spitch, size_t width,
                            size_t rows, int accumulate)
{
	if (width == 0 || rows == 0)
		return cudaSuccess;
	k_store_rows<<<nl_k_blocks(width * rows), NL_K_THREADS, 0, st>>>(
		dst, dpitch, src, spitch, width, rows, accumulate);
	return cudaGetLastError();
}

__global__ void k_add(float *y, const float *a, const float *b, size_t n)
{
	NL_K_FOR(i, n)
		y[i] = a[i] + b[i];
}

cudaError_t nl_k_add(cudaStream_t st, float *y, const float *a, const float *b, size_t n)
{
	if (n == 0)
		return cudaSuccess;
	k_add<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(y, a, b, n);
	return cudaGetLastError();
}

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
