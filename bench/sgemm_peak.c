/* sgemm_peak.c - the machine's measured sgemm ceiling, the yardstick for
 * netlang's convolution speeds (bench/train_bench.py prints it above the
 * table).
 *
 *     bench/sgemm_peak [THREADS [SIZE]]
 *
 * times OpenBLAS's sgemm on SIZE x SIZE x SIZE (default 2048) with THREADS
 * threads (default: all cores) two ways: OpenBLAS's own threads, and split
 * across OpenMP threads over a single-threaded OpenBLAS as netlang runs it
 * (runtime/cpu/gemm.c).  Each figure is the best of several runs after a
 * warm-up, so it is what the cores can do, not what a busy moment allowed.
 * The last line, "sgemm: X GFLOP/s", is the better of the two.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cblas.h>

#include "runtime/cpu/cpu.h"

#define RUNS 5

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best GFLOP/s over RUNS multiplications (after one untimed). */
static double best_of(int split, int n, const float *a, const float *b, float *c)
{
	double best = 0.0, flops = 2.0 * n * (double)n * n;
	for (int r = 0; r <= RUNS; r++) {
		double t0 = now();
		if (split)
			nl_cpu_sgemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
		else
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
			            1.0f, a, n, b, n, 0.0f, c, n);
		double g = flops / (now() - t0) * 1e-9;
		if (r > 0 && g > best)
			best = g;
	}
	return best;
}

int main(int argc, char **argv)
{
	nl_cpu_blas_check(argv);   /* the kernels netlang runs (blas_core.c) */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = argc > 1 ? atoi(argv[1]) : (int)(cores > 0 ? cores : 1);
	int n = argc > 2 ? atoi(argv[2]) : 2048;
	if (threads < 1 || n < 16 || n > 16384) {
		fprintf(stderr, "usage: sgemm_peak [THREADS [SIZE]] (SIZE 16 .. 16384)\n");
		return 2;
	}
	size_t nn = (size_t)n * (size_t)n;
	float *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b);
	float *c = malloc(nn * sizeof *c);
	if (!a || !b || !c) {
		fprintf(stderr, "sgemm_peak: out of memory for %d x %d matrices\n", n, n);
		return 1;
	}
	for (size_t i = 0; i < nn; i++) {
		a[i] = (float)(i % 7) * 0.25f - 0.75f;
		b[i] = (float)(i % 5) * 0.5f - 1.0f;
		c[i] = 0.0f;
	}

	/* The backend sets OpenMP to `threads` and OpenBLAS to one thread. */
	nl_backend *be = nl_cpu_backend_new(threads);
	if (!be)
		return 1;
	double split = best_of(1, n, a, b, c);
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	openblas_set_num_threads(threads);
	double own = best_of(0, n, a, b, c);
	printf("OpenBLAS threads: %.1f GFLOP/s\n", own);
#else
	double own = 0.0;
#endif
	printf("OpenMP split (netlang's): %.1f GFLOP/s\n", split);
	printf("sgemm: %.1f GFLOP/s (%d^3, %d threads, best of %d)\n",
	       own > split ? own : split, n, threads, RUNS);
	be->destroy(be);
	free(a);
	free(b);
	free(c);
	return 0;
}
