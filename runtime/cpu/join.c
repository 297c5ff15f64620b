/* join.c - steps that only move data: flatten, concatenation along
 * channels, and element-wise addition of several inputs.
 */
#include <config.h>

#include "runtime/cpu/cpu.h"

/* The plan usually aliases a flatten's output to its input (same bytes,
 * new shape); then there is nothing to do in either direction. */
void nl_cpu_flatten_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	if (s->y != s->x[0])
		memcpy(s->y, s->x[0], nl_cpu_numel(&s->ys) * sizeof *s->y);
}

void nl_cpu_flatten_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	if (s->dx[0])
		nl_cpu_grad_store(s->dx[0], s->dy, nl_cpu_numel(&s->ys),
		                  s->dx_accumulate[0]);
}

/* y[n] is the inputs' example n one after another: channels of input 0,
 * then of input 1, ... (each input's c*h*w block is contiguous). */
void nl_cpu_concat_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const int N = s->ys.n;
	const size_t ychw = nl_cpu_chw(&s->ys);
	for (int n = 0; n < N; n++) {
		float *dst = s->y + (size_t)n * ychw;
		for (int i = 0; i < s->ninputs; i++) {
			size_t k = nl_cpu_chw(&s->xs[i]);
			memcpy(dst, s->x[i] + (size_t)n * k, k * sizeof *dst);
			dst += k;
		}
	}
}

void nl_cpu_concat_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	const int N = s->ys.n;
	const size_t ychw = nl_cpu_chw(&s->ys);
	size_t off = 0;
	for (int i = 0; i < s->ninputs; i++) {
		size_t k = nl_cpu_chw(&s->xs[i]);
		if (s->dx[i])
			for (int n = 0; n < N; n++)
				nl_cpu_grad_store(s->dx[i] + (size_t)n * k,
				                  s->dy + (size_t)n * ychw + off, k,
				                  s->dx_accumulate[i]);
		off += k;
	}
}

void nl_cpu_add_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const size_t n = nl_cpu_numel(&s->ys);
	float *y = s->y;
	/* One pass per element: safe when y aliases any of the inputs. */
	if (s->ninputs == 2) {
		const float *a = s->x[0], *b = s->x[1];
		for (size_t j = 0; j < n; j++)
			y[j] = a[j] + b[j];
		return;
	}
	for (size_t j = 0; j < n; j++) {
		float v = s->x[0][j];
		for (int i = 1; i < s->ninputs; i++)
			v += s->x[i][j];
		y[j] = v;
	}
}

void nl_cpu_add_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	const size_t n = nl_cpu_numel(&s->ys);
	for (int i = 0; i < s->ninputs; i++)
		if (s->dx[i])
			nl_cpu_grad_store(s->dx[i], s->dy, n, s->dx_accumulate[i]);
}
