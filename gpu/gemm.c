/* gemm.c - row-major sgemm on cuBLAS, the GPU's nl_cpu_sgemm.
 *
 * cuBLAS is column-major, and a row-major m x n matrix read column-major
 * is its transpose (same leading dimension).  So the row-major
 *     C = op(A) op(B)      is the column-major      C^T = op(B)^T op(A)^T,
 * one cublasSgemm with the operands (and m, n) swapped, each operand
 * keeping its own transpose flag.  The math mode (TF32 or not) is the
 * handle's, set once when the backend starts.
 */
#include <config.h>

#include "gpu/gpu.h"

void nl_gpu_sgemm(nl_gpu *g, int transa, int transb, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c,
                  int ldc)
{
	if (m <= 0 || n <= 0)
		return;
	NL_CUBLAS(cublasSgemm(g->cublas, transb ? CUBLAS_OP_T : CUBLAS_OP_N,
	                      transa ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b, ldb, a,
	                      lda, &beta, c, ldc));
}
