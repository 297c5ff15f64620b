/* gemm.c - sgemm split across our own OpenMP threads.
 *
 * OpenBLAS's pthread pool and OpenMP's pool both busy-wait between jobs; on
 * two cores, alternating an OpenMP loop (im2col, pooling) with a threaded
 * sgemm made each pool spin on the core the other needed (LeNet's second
 * convolution ran 15x slower).  So BLAS runs single-threaded and this
 * wrapper cuts C into one block of rows or columns per OpenMP thread, each
 * a plain sgemm on a sub-matrix: one pool, no oversubscription.
 */
#include <config.h>

#include <stdlib.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "runtime/cpu/cpu.h"

/* Below this many multiply-adds a split costs more than it gains. */
#define GEMM_PAR_MIN (1 << 18)

void nl_cpu_sgemm(int transa, int transb, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, int ldc)
{
	const enum CBLAS_TRANSPOSE ta = transa ? CblasTrans : CblasNoTrans;
	const enum CBLAS_TRANSPOSE tb = transb ? CblasTrans : CblasNoTrans;
	int threads = 1;
#ifdef _OPENMP
	if ((double)m * n * k >= GEMM_PAR_MIN && !omp_in_parallel())
		threads = omp_get_max_threads();
#endif
	if (threads <= 1 || m <= 0 || n <= 0) {
		if (m > 0 && n > 0)
			cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda,
			            b, ldb, beta, c, ldc);
		return;
	}
	/* Split the larger side of C, in multiples of 16 (whole SIMD panels). */
	const int split_n = n >= m;
	const int len = split_n ? n : m;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
	{
		int t = omp_get_thread_num(), nt = omp_get_num_threads();
		int per = (len + nt - 1) / nt;
		per = (per + 15) / 16 * 16;
		int lo = t * per, hi = lo + per < len ? lo + per : len;
		if (lo < hi) {
			if (split_n) {
				/* C[:, lo:hi] = op(A) op(B)[:, lo:hi] */
				const float *bs = transb ? b + (size_t)lo * ldb : b + lo;
				cblas_sgemm(CblasRowMajor, ta, tb, m, hi - lo, k, alpha,
				            a, lda, bs, ldb, beta, c + lo, ldc);
			} else {
				/* C[lo:hi, :] = op(A)[lo:hi, :] op(B) */
				const float *as = transa ? a + lo : a + (size_t)lo * lda;
				cblas_sgemm(CblasRowMajor, ta, tb, hi - lo, n, k, alpha,
				            as, lda, b, ldb, beta, c + (size_t)lo * ldc, ldc);
			}
		}
	}
#endif
}

/* Best of three 1024^3 products through nl_cpu_sgemm (after one to warm
 * the caches and wake the threads): what the layers' sgemms can reach. */
double nl_cpu_gemm_ceiling(nl_backend *be)
{
	enum { N = 1024 };
	const size_t nn = (size_t)N * N;
	float *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b);
	float *c = malloc(nn * sizeof *c);
	double best = 0.0;
	if (a && b && c) {
		for (size_t i = 0; i < nn; i++) {
			a[i] = (float)(i % 7) * 0.25f - 0.75f;
			b[i] = (float)(i % 5) * 0.5f - 1.0f;
		}
		for (int r = 0; r < 4; r++) {
			double t0 = be->clock(be);
			nl_cpu_sgemm(0, 0, N, N, N, 1.0f, a, N, b, N, 0.0f, c, N);
			double t = be->clock(be) - t0;
			double g = t > 0 ? 2.0 * N * N * (double)N / t * 1e-9 : 0.0;
			if (r > 0 && g > best)
				best = g;
		}
	}
	free(a);
	free(b);
	free(c);
	return best;
}
