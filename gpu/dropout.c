/* dropout.c - inverted dropout (kernels in dropout.cu).  Not cuDNN's
 * dropout: its masks come from its own generator, and the GPU must drop
 * exactly the elements the CPU drops for the same key (rng.h). */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

void nl_gpu_dropout_forward(nl_backend *be, nl_step *s, int training)
{
	nl_gpu *g = nl_gpu_of(be);
	size_t n = nl_gpu_numel(&s->ys);
	if (!training || s->node->p <= 0.0f) {
		be->copy(be, s->y, s->x[0], n * sizeof(float));
		/* Mask 2: a backward after this identity forward passes dy on. */
		if (s->aux)
			NL_CUDA(cudaMemsetAsync(s->aux, 2, n, g->stream));
		return;
	}
	NL_CUDA(nl_k_dropout_forward(g->stream, s->x[0], s->y, s->aux, n, s->rng_key,
	                             s->node->p));
}

void nl_gpu_dropout_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	if (!s->dx[0])
		return;
	size_t n = nl_gpu_numel(&s->ys);
	float p = s->node->p > 0.0f ? s->node->p : 0.0f;
	NL_CUDA(nl_k_dropout_backward(g->stream, s->dy, s->dx[0], s->aux, n, p,
	                              s->dx_accumulate[0]));
}
