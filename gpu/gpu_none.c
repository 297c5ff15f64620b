/* gpu_none.c - the GPU backend of a build without CUDA: there is none, and
 * the caller (--device auto) goes on with the CPU. */
#include <config.h>

#include <stdio.h>

#include "runtime/backend.h"

int nl_gpu_device_count(void)
{
	return 0;
}

nl_backend *nl_gpu_backend_new(int device, int tf32, int quiet)
{
	(void)device;
	(void)tf32;
	if (!quiet)
		fprintf(stderr, "netlang: this netlang was built without CUDA (no GPU backend)\n");
	return NULL;
}

void *nl_gpu_symbol(const char *name)
{
	(void)name;
	return NULL;
}
