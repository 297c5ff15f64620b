/* device.c - choosing a backend for --device.  On one rank of several
 * (dist.h), rank r of a machine takes GPU r modulo the machine's count,
 * and the CPU backend by default its share of the machine's cores. */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "runtime/dist/dist.h"
#include "runtime/train/train.h"

static int gpu_of_rank(void)
{
	int count = nl_dist_size() > 1 ? nl_gpu_device_count() : 0;
	return count > 0 ? nl_dist_local_rank() % count : 0;
}

static int cpu_threads(const nl_options *o)
{
	if (o->threads > 0 || nl_dist_local_size() <= 1)
		return o->threads;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long share = cores / nl_dist_local_size();
	return share > 0 ? (int)share : 1;
}

nl_backend *nl_backend_open(const nl_options *o)
{
	if (o->device == NL_DEV_GPU) {
		nl_backend *be = nl_gpu_backend_new(gpu_of_rank(), !o->no_tf32, 0);
		if (!be)
			fprintf(stderr, "netlang: --device gpu: no usable GPU\n");
		return be;
	}
	if (o->device == NL_DEV_AUTO) {
		nl_backend *be = nl_gpu_backend_new(gpu_of_rank(), !o->no_tf32, 1);
		if (be)
			return be;
		if (!o->quiet && nl_dist_rank() == 0)
			fprintf(stderr, "netlang: no usable GPU; running on the CPU\n");
	}
	return nl_cpu_backend_new(cpu_threads(o));
}
