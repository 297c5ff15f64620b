/* gather.c - the table's gather entry: queues the kernel of gather.cu on
 * the backend's stream. */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

void nl_gpu_gather(nl_backend *be, const uint8_t *images, const uint8_t *labels,
                   const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                   const float *norm, float *out, int32_t *labels_out)
{
	nl_k_norm kn = { 0, { 0 }, { 0 } };
	if (norm && c <= NL_GATHER_MAX_NORM) {
		kn.on = 1;
		for (int i = 0; i < c; i++) {
			kn.mean[i] = norm[i];
			kn.std[i] = norm[c + i];
		}
	}
	NL_CUDA(nl_k_gather(nl_gpu_of(be)->stream, images, labels, idx, n, c, h, w, oh, ow, kn,
	                    out, labels_out));
}
