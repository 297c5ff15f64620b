/* join.c - concatenation along channels, element-wise addition, flatten.
 *
 * In NCHW one example of input i is one contiguous run of c_i*h*w floats,
 * and it lands at channel offset off_i of the output's example: a
 * concatenation is, per input, a copy of N rows between two row pitches.
 * Backward is the same copy the other way (or an addition, for
 * dx_accumulate); a NULL dx is skipped.
 */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

static size_t example(const nl_shape *s)
{
	return nl_gpu_numel(s) / (size_t)s->n;
}

void nl_gpu_concat_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	size_t ypitch = example(&s->ys), off = 0;
	for (int i = 0; i < s->ninputs; i++) {
		size_t width = example(&s->xs[i]);
		NL_CUDA(nl_k_store_rows(g->stream, s->y + off, ypitch, s->x[i], width, width,
		                        (size_t)s->ys.n, 0));
		off += width;
	}
}

void nl_gpu_concat_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	size_t ypitch = example(&s->ys), off = 0;
	for (int i = 0; i < s->ninputs; i++) {
		size_t width = example(&s->xs[i]);
		if (s->dx[i])
			NL_CUDA(nl_k_store_rows(g->stream, s->dx[i], width, s->dy + off, ypitch, width,
			                        (size_t)s->ys.n, s->dx_accumulate[i]));
		off += width;
	}
}

void nl_gpu_add_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	size_t n = nl_gpu_numel(&s->ys);
	if (s->ninputs == 1) {
		be->copy(be, s->y, s->x[0], n * sizeof(float));
		return;
	}
	/* y = x0 + x1 first, so y may share storage with x0 or x1. */
	NL_CUDA(nl_k_add(g->stream, s->y, s->x[0], s->x[1], n));
	for (int i = 2; i < s->ninputs; i++)
		NL_CUDA(nl_k_add(g->stream, s->y, s->y, s->x[i], n));
}

void nl_gpu_add_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	size_t n = nl_gpu_numel(&s->ys);
	for (int i = 0; i < s->ninputs; i++)
		nl_gpu_grad_store(g, s->dx[i], s->dy, n, s->dx_accumulate[i]);
}

void nl_gpu_flatten_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	be->copy(be, s->y, s->x[0], nl_gpu_numel(&s->ys) * sizeof(float));
}

void nl_gpu_flatten_backward(nl_backend *be, nl_step *s)
{
	nl_gpu_grad_store(nl_gpu_of(be), s->dx[0], s->dy, nl_gpu_numel(&s->ys),
	                  s->dx_accumulate[0]);
}
