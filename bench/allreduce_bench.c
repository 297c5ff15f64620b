/* allreduce_bench.c - the time one data-parallel step spends summing its
 * gradients: nl_dist_sum_floats (dist.h) over a buffer of each size given,
 * in millions of floats (default AlexNet's 47 M and VGG-11's 129 M
 * parameters), best and median of REPS.  Run under mpirun; rank 0 prints
 * one line per size.
 *
 *     mpirun -np 2 bench/allreduce_bench [REPS [MFLOATS...]]
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/dist/dist.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (nl_dist_init())
		return 1;
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	if (reps < 1 || reps > 1000)
		reps = 5;
	static const char *const def[] = { "47", "129" };
	const char *const *sizes = argc > 2 ? (const char *const *)argv + 2 : def;
	int nsizes = argc > 2 ? argc - 2 : 2;
	int status = 0;
	double *t = malloc(reps * sizeof *t);
	for (int s = 0; s < nsizes && t; s++) {
		double m = atof(sizes[s]);
		size_t n = (size_t)(m * 1e6);
		float *buf = malloc(n * sizeof *buf);
		if (nl_dist_agree(!buf) >= 0) {
			status = 1;
			free(buf);
			break;
		}
		for (size_t i = 0; i < n; i++)
			buf[i] = 1.0f;
		for (int r = 0; r < reps; r++) {
			nl_dist_agree(0);   /* start together */
			double t0 = now();
			nl_dist_sum_floats(buf, n, 0.5f);
			t[r] = now() - t0;
		}
		qsort(t, reps, sizeof *t, by_value);
		if (nl_dist_rank() == 0)
			printf("%d ranks, %g M floats (%.0f MB): best %.3f s, median %.3f s, "
			       "%.2f GB/s of gradient\n", nl_dist_size(), m, n * 4 / 1e6, t[0],
			       t[reps / 2], n * 4 / 1e9 / t[reps / 2]);
		free(buf);
	}
	free(t);
	return nl_dist_finalize(status);
}
