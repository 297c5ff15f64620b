/* device.c - choosing a backend for --device. */
#include <config.h>

#include <stdio.h>
#include "runtime/train/train.h"

nl_backend *nl_backend_open(const nl_options *o)
{
	if (o->device == NL_DEV_GPU) {
		nl_backend *be = nl_gpu_backend_new(0, !o->no_tf32, 0);
		if (!be)
			fprintf(stderr, "netlang: --device gpu: no usable GPU\n");
		return be;
	}
	if (o->device == NL_DEV_AUTO) {
		nl_backend *be = nl_gpu_backend_new(0, !o->no_tf32, 1);
		if (be)
			return be;
		if (!o->quiet)
			fprintf(stderr, "netlang: no usable GPU; running on the CPU\n");
	}
	return nl_cpu_backend_new(o->threads);
}
