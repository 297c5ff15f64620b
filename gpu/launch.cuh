/* launch.cuh - grid sizing shared by the .cu files.
 *
 * Kernels loop with a grid stride, so the grid can be capped: a few blocks
 * per multiprocessor are enough to fill the card, and a cap keeps sizes
 * beyond 2^31 elements correct.
 */
#ifndef NL_GPU_LAUNCH_CUH
#define NL_GPU_LAUNCH_CUH

#include <stddef.h>

#define NL_K_THREADS 256

static inline unsigned nl_k_blocks(size_t n)
{
	size_t b = (n + NL_K_THREADS - 1) / NL_K_THREADS;
	const size_t cap = 65536;
	if (b > cap)
		b = cap;
	return b ? (unsigned)b : 1u;
}

/* for (i = global id; i < n; i += grid size) */
#define NL_K_FOR(i, n) \
	for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
	     i += (size_t)gridDim.x * blockDim.x)

#endif
