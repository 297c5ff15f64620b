/* loss.c - the table's loss and sgd entries: thin wrappers that queue the
 * kernels of loss.cu on the backend's stream. */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

void nl_gpu_loss(nl_backend *be, const float *logits, const int32_t *labels,
                 int n, int k, float *dlogits, float *acc)
{
	NL_CUDA(nl_k_loss(nl_gpu_of(be)->stream, logits, labels, n, k, dlogits, acc));
}

void nl_gpu_sgd(nl_backend *be, float *w, const float *g, float *v, size_t n,
                float lr, float momentum, float weight_decay)
{
	NL_CUDA(nl_k_sgd(nl_gpu_of(be)->stream, w, g, v, n, lr, momentum, weight_decay));
}
