/* none.c - dist.h in a build without MPI: always a job of one. */
#include <config.h>

#include "runtime/dist/dist.h"

int nl_dist_init(void) { return 0; }
int nl_dist_finalize(int status) { return status; }
int nl_dist_rank(void) { return 0; }
int nl_dist_size(void) { return 1; }
int nl_dist_local_rank(void) { return 0; }
int nl_dist_local_size(void) { return 1; }

int nl_dist_sum_floats(float *buf, size_t n, float scale)
{
	if (scale != 1.0f)
		for (size_t i = 0; i < n; i++)
			buf[i] *= scale;
	return 0;
}

int nl_dist_sum_device(float *buf, size_t n, float scale, int device)
{
	(void)buf; (void)n; (void)scale; (void)device;
	return 1;
}

void nl_dist_sum_doubles(double *v, int n) { (void)v; (void)n; }
int nl_dist_agree(int failed) { return failed ? 0 : -1; }
int nl_dist_max(int v) { return v; }
