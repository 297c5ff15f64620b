/* loss.c - the table's loss and sgd entries: thin wrappers that queue the
 * kernels of loss.cu on the backend's stream, and the report of invalid
 * labels.
 *
 * The CPU rejects a label outside 0..k-1 with a message and a NaN loss;
 * the loss kernel does the same arithmetic but cannot print, so it counts
 * such labels in a few ints of mapped host memory, and the host reports
 * them once the queue has drained (after every download, sync and clock
 * reading), before the training loop looks at the NaN loss.  Mapped
 * memory costs the loss no copy and the host no wait.
 */
#include <config.h>

#include <stdio.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

int nl_gpu_loss_init(nl_gpu *g)
{
	int *host = NULL;
	NL_CUDA_OR(cudaHostAlloc((void **)&host, 4 * sizeof(int), cudaHostAllocMapped), return -1);
	host[0] = host[1] = host[2] = host[3] = 0;
	NL_CUDA_OR(cudaHostGetDevicePointer((void **)&g->bad_dev, host, 0), {
		cudaFreeHost(host);
		return -1;
	});
	g->bad_host = host;
	return 0;
}

void nl_gpu_loss_report(nl_gpu *g)
{
	volatile int *bad = g->bad_host;
	if (!bad || !bad[0])
		return;
	int count = bad[0];
	if (count > 1)
		fprintf(stderr, "netlang: label %d of example %d is outside 0..%d (and %d more)\n",
		        bad[1], bad[2], bad[3] - 1, count - 1);
	else
		fprintf(stderr, "netlang: label %d of example %d is outside 0..%d\n", bad[1], bad[2],
		        bad[3] - 1);
	bad[0] = 0;
}

void nl_gpu_loss_fini(nl_gpu *g)
{
	if (!g->bad_host)
		return;
	nl_gpu_loss_report(g);
	cudaFreeHost((void *)g->bad_host);
	g->bad_host = NULL;
	g->bad_dev = NULL;
}

void nl_gpu_loss(nl_backend *be, const float *logits, const int32_t *labels,
                 int n, int k, float *dlogits, float *acc)
{
	nl_gpu *g = nl_gpu_of(be);
	NL_CUDA(nl_k_loss(g->stream, logits, labels, n, k, dlogits, acc, g->bad_dev));
}

void nl_gpu_sgd(nl_backend *be, float *w, const float *g, float *v, size_t n,
                float lr, float momentum, float weight_decay)
{
	NL_CUDA(nl_k_sgd(nl_gpu_of(be)->stream, w, g, v, n, lr, momentum, weight_decay));
}
