/* fc.c - fully connected: y = x W^T + b with W stored [out][in].
 *
 * Forward and both gradients are one sgemm each over the whole batch;
 * the input may still be rank 4 (its c*h*w features are contiguous per
 * example, which is all a flat view needs).
 */
#include <config.h>

#include "runtime/cpu/cpu.h"

void nl_cpu_fc_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const int n = s->xs[0].n;
	const int in = (int)nl_cpu_chw(&s->xs[0]);
	const int out = s->ys.c;
	/* Start y from the bias and let sgemm add x W^T onto it. */
	for (int i = 0; i < n; i++)
		memcpy(s->y + (size_t)i * out, s->b, (size_t)out * sizeof *s->y);
	nl_cpu_sgemm(0, 1, n, out, in,
	            1.0f, s->x[0], in, s->w, in, 1.0f, s->y, out);
}

void nl_cpu_fc_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	const int n = s->xs[0].n;
	const int in = (int)nl_cpu_chw(&s->xs[0]);
	const int out = s->ys.c;
	const float *dy = s->dy;

	if (s->dw)   /* dW[out][in] = dy^T x */
		nl_cpu_sgemm(1, 0, out, in, n,
		            1.0f, dy, out, s->x[0], in, 0.0f, s->dw, in);
	if (s->db) {
		for (int o = 0; o < out; o++)
			s->db[o] = 0.0f;
		for (int i = 0; i < n; i++) {
			const float *row = dy + (size_t)i * out;
			for (int o = 0; o < out; o++)
				s->db[o] += row[o];
		}
	}
	if (s->dx[0])   /* dx[n][in] = dy W */
		nl_cpu_sgemm(0, 0, n, in, out,
		            1.0f, dy, out, s->w, in,
		            s->dx_accumulate[0] ? 1.0f : 0.0f, s->dx[0], in);
}
