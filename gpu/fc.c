/* fc.c - fully connected: y = x W^T + b with W stored [out][in], on cuBLAS.
 *
 * Forward and both gradients are one sgemm each over the whole batch, the
 * same calls as the CPU backend's (gemm.c turns them into cuBLAS's
 * column-major form); the input may still be rank 4 (its c*h*w features
 * are contiguous per example, which is all a flat view needs).  As on the
 * CPU, y starts as the bias in every row and sgemm adds x W^T onto it; the
 * bias rows and the bias gradient are the two kernels of fc.cu.
 */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

static void dims(const nl_step *s, int *n, int *in, int *out)
{
	*n = s->ys.n;
	*in = (int)(nl_gpu_numel(&s->xs[0]) / (size_t)s->xs[0].n);
	*out = s->ys.c;
}

void nl_gpu_fc_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	int n, in, out;
	dims(s, &n, &in, &out);
	if (s->b)
		NL_CUDA(nl_k_bias_set_rows(g->stream, s->y, s->b, n, out));
	nl_gpu_sgemm(g, 0, 1, n, out, in, 1.0f, s->x[0], in, s->w, in, s->b ? 1.0f : 0.0f, s->y,
	             out);
}

void nl_gpu_fc_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	int n, in, out;
	dims(s, &n, &in, &out);
	if (s->db)
		NL_CUDA(nl_k_bias_grad_rows(g->stream, s->db, s->dy, n, out));
	if (s->dw)   /* dW[out][in] = dy^T x */
		nl_gpu_sgemm(g, 1, 0, out, in, n, 1.0f, s->dy, out, s->x[0], in, 0.0f, s->dw, in);
	if (s->dx[0])   /* dx[n][in] = dy W */
		nl_gpu_sgemm(g, 0, 0, n, in, out, 1.0f, s->dy, out, s->w, in,
		             s->dx_accumulate[0] ? 1.0f : 0.0f, s->dx[0], in);
}
