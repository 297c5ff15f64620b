/* status.c - reports for failed CUDA, cuDNN and cuBLAS calls.
 *
 * The macros in gpu.h pass the call's source text; the report names the
 * function (the text up to its parenthesis), where it was called, and the
 * library's own words for the status.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu.h"

static void report(const char *call, const char *file, int line, const char *lib,
                   const char *why)
{
	size_t len = strcspn(call, "(");
	fprintf(stderr, "netlang: %s: %.*s failed at %s:%d: %s\n", lib, (int)len, call, file,
	        line, why);
}

int nl_gpu_cuda_failed(cudaError_t e, const char *call, const char *file, int line)
{
	if (e == cudaSuccess)
		return 0;
	/* Clear a sticky-free error so the next check reports its own. */
	(void)cudaGetLastError();
	report(call, file, line, "cuda", cudaGetErrorString(e));
	return 1;
}

int nl_gpu_cudnn_failed(cudnnStatus_t e, const char *call, const char *file, int line)
{
	if (e == CUDNN_STATUS_SUCCESS)
		return 0;
	char why[512];
	char detail[256] = "";
	cudnnGetLastErrorString(detail, sizeof detail);
	if (detail[0])
		snprintf(why, sizeof why, "%s (%s)", cudnnGetErrorString(e), detail);
	else
		snprintf(why, sizeof why, "%s", cudnnGetErrorString(e));
	report(call, file, line, "cudnn", why);
	return 1;
}

int nl_gpu_cublas_failed(cublasStatus_t e, const char *call, const char *file, int line)
{
	if (e == CUBLAS_STATUS_SUCCESS)
		return 0;
	report(call, file, line, "cublas", cublasGetStatusString(e));
	return 1;
}

void nl_gpu_fatal(void)
{
	fprintf(stderr, "netlang: stopping: the GPU step cannot go on after this error\n");
	exit(EXIT_FAILURE);
}
