/* dist_step.c - the data-parallel step: rank r takes the r-th contiguous
 * share of every global batch from the same shuffled order (every rank
 * shuffles with the same seed), and the gradients are made exact.  A
 * single process's gradient is the mean over the global batch B; a rank's
 * loss gives the mean over its own n_r examples (dlogits / n_r), so each
 * rank's gradient is weighted by n_r / B before the sum: the sum is then
 * the single process's gradient whatever the shares.  One allreduce per
 * step over the plan's single gradient buffer. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dist/dist.h"
#include "runtime/train/dist_step.h"

int nl_dist_plan_batch(int global_batch, int quiet)
{
	int size = nl_dist_size();
	if (size == 1)
		return global_batch;
	if (global_batch < size) {
		if (nl_dist_rank() == 0)
			fprintf(stderr, "netlang: batch %d is smaller than the %d ranks (each "
			        "needs an example of every batch)\n", global_batch, size);
		return -1;
	}
	long first, most;
	nl_dist_share(global_batch, 0, size, &first, &most);
	if (global_batch % size && nl_dist_rank() == 0 && !quiet)
		printf("batch %d over %d ranks: the first %d take %ld examples, the rest %ld\n",
		       global_batch, size, global_batch % size, most, most - 1);
	return (int)most;
}

int nl_dist_same(int v, int failed)
{
	int hi = nl_dist_max(failed ? INT_MIN : v);
	int lo = -nl_dist_max(failed ? -INT_MAX : -v);
	return failed || (hi == v && lo == v);
}

/* Host memory a GPU's gradients go through when NCCL cannot take them. */
static float *host;
static size_t host_n;

void nl_dist_exchange_end(void)
{
	free(host);
	host = NULL;
	host_n = 0;
}

int nl_dist_exchange_grads(nl_plan *p, long share, long total)
{
	size_t n = p->layout.nparams;
	if (nl_dist_size() == 1 || n == 0 || !p->grads)
		return 0;
	nl_backend *be = p->be;
	float scale = (float)((double)share / (double)total);
	if (strcmp(be->name, "cpu") == 0)   /* the CPU's memory is the host's */
		return nl_dist_sum_floats(p->grads, n, scale);
	be->sync(be);
	int device;
	if (sscanf(be->name, "cuda:%d", &device) != 1)
		device = nl_dist_local_rank();
	int rc = nl_dist_sum_device(p->grads, n, scale, device);
	if (rc <= 0)
		return rc;
	if (host_n < n) {
		free(host);
		host = malloc(n * sizeof *host);
		host_n = host ? n : 0;
		if (!host) {
			fprintf(stderr, "netlang: out of memory for the gradients' host copy "
			        "(%zu MB)\n", n * sizeof *host >> 20);
			return -1;
		}
	}
	be->download(be, host, p->grads, n * sizeof *host);
	if (nl_dist_sum_floats(host, n, scale))
		return -1;
	be->upload(be, p->grads, host, n * sizeof *host);
	return 0;
}
