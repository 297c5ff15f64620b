/* gather.c - the table's gather entry: queues the kernel of gather.cu on
 * the backend's stream. */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

void nl_gpu_gather(nl_backend *be, const uint8_t *images, const uint8_t *labels,
                   const int32_t *idx, int n, int h, int w, int oh, int ow,
                   float *out, int32_t *labels_out)
{
	NL_CUDA(nl_k_gather(nl_gpu_of(be)->stream, images, labels, idx, n, h, w, oh, ow, out,
	                    labels_out));
}
