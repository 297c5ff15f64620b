/* conv_bench.c - one convolution layer's forward and backward, each
 * algorithm the CPU backend has for it, timed in one process in turns.
 *
 *     bench/conv_bench N C H W K R [PAD [STRIDE [ROUNDS [THREADS]]]]
 *
 * times an R x R convolution of N images of C x H x W into K channels with
 * im2col and, where the layer allows it, Winograd (NL_CPU_CONV picks the
 * algorithm at prepare()), alternating im2col, Winograd, im2col, ... for
 * ROUNDS rounds (default 5), and prints each one's median forward,
 * backward-data and backward-filter (with the bias gradient) times and the
 * GFLOP/s of the direct arithmetic they stand for (2 N K C R^2 OH OW per
 * pass).  With one thread the times are the process's CPU time.  On a
 * shared machine turns and medians make the two comparable; callgrind's
 * instruction counts make a repeatable second opinion (NL_CPU_CONV=NAME
 * runs that algorithm only):
 *
 *     NL_CPU_CONV=winograd valgrind --tool=callgrind \
 *         bench/conv_bench 16 64 24 24 64 3 1 1 1 1
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/cpu/cpu.h"

/* With one thread the process's CPU time, which a busy machine's other
 * work does not inflate (its caches still can); with more, wall time. */
static clockid_t clock_used = CLOCK_MONOTONIC;

static double now(void)
{
	struct timespec ts;
	clock_gettime(clock_used, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static float *filled(nl_backend *be, size_t n, unsigned seed)
{
	float *p = be->alloc(be, n * sizeof *p);
	if (!p)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (float)((seed >> 9) & 0xffff) / 32768.0f - 1.0f;
	}
	return p;
}

int main(int argc, char **argv)
{
	nl_cpu_blas_check(argv);   /* the kernels netlang runs (blas_core.c) */
	if (argc < 7) {
		fprintf(stderr, "usage: conv_bench N C H W K R [PAD [STRIDE [ROUNDS [THREADS]]]]\n");
		return 2;
	}
	int n = atoi(argv[1]), c = atoi(argv[2]), h = atoi(argv[3]), w = atoi(argv[4]);
	int k = atoi(argv[5]), r = atoi(argv[6]);
	int pad = argc > 7 ? atoi(argv[7]) : r / 2, stride = argc > 8 ? atoi(argv[8]) : 1;
	int rounds = argc > 9 ? atoi(argv[9]) : 5, threads = argc > 10 ? atoi(argv[10]) : 0;
	if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || pad < 0 || stride < 1 ||
	    rounds < 1 || h + 2 * pad < r || w + 2 * pad < r) {
		fprintf(stderr, "conv_bench: bad layer\n");
		return 2;
	}
	int oh = (h + 2 * pad - r) / stride + 1, ow = (w + 2 * pad - r) / stride + 1;
	nl_backend *be = nl_cpu_backend_new(threads);
	if (!be)
		return 1;
	/* the count the backend gave OpenMP (all cores when threads <= 0) */
	int nthreads = omp_get_max_threads();
	if (nthreads == 1)
		clock_used = CLOCK_PROCESS_CPUTIME_ID;
	/* NL_WG_CHUNK=FLOATS: Winograd's chunk size, for tuning it. */
	const char *chunk = getenv("NL_WG_CHUNK");
	if (chunk && *chunk)
		nl_cpu_wg_chunk_limit((size_t)strtoull(chunk, NULL, 10));

	nl_node node;
	memset(&node, 0, sizeof node);
	node.kind = NL_CONV;
	node.kh = node.kw = r;
	node.sh = node.sw = stride;
	node.ph = node.pw = pad;
	node.out = k;
	node.ninputs = 1;
	node.shape = (nl_shape){ 4, 1, k, oh, ow };
	size_t nx = (size_t)n * c * h * w, ny = (size_t)n * k * oh * ow;
	size_t nw = (size_t)k * c * r * r;
	float *x = filled(be, nx, 1), *wt = filled(be, nw, 2), *b = filled(be, (size_t)k, 3);
	float *dy = filled(be, ny, 4), *y = filled(be, ny, 5), *dx = filled(be, nx, 6);
	float *dw = filled(be, nw, 7), *db = filled(be, (size_t)k, 8);
	for (size_t i = 0; i < nw; i++)
		wt[i] *= 0.1f;

	nl_step s;
	memset(&s, 0, sizeof s);
	s.node = &node;
	s.ninputs = 1;
	s.xs[0] = (nl_shape){ 4, n, c, h, w };
	s.ys = (nl_shape){ 4, n, k, oh, ow };
	s.x[0] = x; s.y = y; s.dy = dy; s.dx[0] = dx;
	s.w = wt; s.b = b; s.dw = dw; s.db = db; s.nw = nw; s.nb = (size_t)k;

	const char *algos[] = { "im2col", "winograd" };
	int nalgo = nl_cpu_wg_applies(&s) ? 2 : 1;
	/* NL_CPU_CONV=NAME: that one only (for a profiler). */
	const char *only = getenv("NL_CPU_CONV");
	if (only && strcmp(only, "winograd") == 0 && nalgo == 2) {
		algos[0] = "winograd";
		nalgo = 1;
	} else if (only && *only) {
		nalgo = 1;
	}
	double *tf = calloc((size_t)(2 * rounds), sizeof *tf);
	double *td = calloc((size_t)(2 * rounds), sizeof *td);
	double *tw = calloc((size_t)(2 * rounds), sizeof *tw);
	size_t ws[2] = { 0, 0 };
	if (!tf || !td || !tw)
		return 1;
	for (int round = -1; round < rounds; round++) {     /* round -1: warm-up */
		for (int a = 0; a < nalgo; a++) {
			setenv("NL_CPU_CONV", algos[a], 1);
			size_t aux = 0;
			if (be->prepare(be, &s, &aux, &ws[a]))
				return 1;
			if (ws[a] > be->workspace_bytes) {
				be->release(be, be->workspace);
				be->workspace = be->alloc(be, ws[a]);
				be->workspace_bytes = ws[a];
				if (!be->workspace)
					return 1;
			}
			double t0 = now();
			be->forward[NL_CONV](be, &s, 1);
			double t1 = now();
			s.dw = NULL;                 /* data only */
			s.db = NULL;
			be->backward[NL_CONV](be, &s);
			double t2 = now();
			s.dw = dw;                   /* filter (and bias) only */
			s.db = db;
			s.dx[0] = NULL;
			be->backward[NL_CONV](be, &s);
			double t3 = now();
			s.dx[0] = dx;
			be->unprepare(be, &s);
			if (round >= 0) {
				tf[a * rounds + round] = t1 - t0;
				td[a * rounds + round] = t2 - t1;
				tw[a * rounds + round] = t3 - t2;
			}
		}
	}
	double gflop = 2.0 * n * k * c * r * r * (double)oh * ow * 1e-9;
	printf("conv %dx%d/%d pad %d: %d x %dx%dx%d -> %dx%dx%d, %d threads, %d rounds, "
	       "isa %s, %s time\n", r, r, stride, pad, n, c, h, w, k, oh, ow, nthreads, rounds,
	       nl_cpu_isa_name(nl_cpu_isa()), nthreads == 1 ? "CPU" : "wall");
	for (int a = 0; a < nalgo; a++) {
		double *t[3] = { tf + a * rounds, td + a * rounds, tw + a * rounds }, med[3];
		for (int i = 0; i < 3; i++) {
			qsort(t[i], (size_t)rounds, sizeof *t[i], cmp);
			med[i] = t[i][rounds / 2];
		}
		printf("%-9s forward %8.2f ms (%5.1f GFLOP/s)  data %8.2f ms (%5.1f)  filter "
		       "%8.2f ms (%5.1f)  workspace %.1f MiB\n", algos[a], 1e3 * med[0],
		       gflop / med[0], 1e3 * med[1], gflop / med[1], 1e3 * med[2], gflop / med[2],
		       (double)ws[a] / (1 << 20));
	}
	be->destroy(be);
	return 0;
}
