/* activation.c - ReLU, sigmoid, tanh, GELU and softmax along channels.
 *
 * The plan may run ReLU in place (y == x) and hand backward dx == dy, so
 * its derivative, and those that have a form in y, are computed from y:
 * relu' = (y > 0), sigmoid' = y (1 - y), tanh' = 1 - y^2.  Each loop reads
 * element i before writing element i, which is all aliasing needs.  GELU's
 * derivative needs x, so GELU never runs in place (kinds.def).
 */
#include <config.h>

#include <math.h>

#include "runtime/cpu/cpu.h"

void nl_cpu_relu_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0];
	float *y = s->y;
	/* x < 0 ? 0 : x keeps a NaN visible, as PyTorch does.  A select, not
	 * a branch, so the loop vectorises; both cores share the memory
	 * traffic, which is all this step is. */
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void nl_cpu_relu_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	float *dx = s->dx[0];
	if (!dx)
		return;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *y = s->y, *dy = s->dy;
	/* dy[i] is read whatever y[i] is: a read only where y > 0 is a
	 * branch the compiler keeps (it cannot know the read is safe), and
	 * its mispredictions on a random sign made this loop ten times slower
	 * than the forward one.  Read, it is a vector select. */
	if (s->dx_accumulate[0]) {
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++) {
			float g = dy[i];
			dx[i] += y[i] > 0.0f ? g : 0.0f;
		}
	} else {
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++) {
			float g = dy[i];
			dx[i] = y[i] > 0.0f ? g : 0.0f;
		}
	}
}

void nl_cpu_sigmoid_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0];
	float *y = s->y;
#ifdef _OPENMP
#pragma omp parallel if (n > NL_CPU_PAR_MIN)
	{
		size_t lo, hi;
		nl_cpu_thread_span(n, &lo, &hi);
		nl_cpu_sigmoid_span(x + lo, y + lo, hi - lo);
	}
#else
	nl_cpu_sigmoid_span(x, y, n);
#endif
}

/* The same over a convolution's output in place, for a sigmoid folded into
 * a convolution path that does not compute it in its own output pass. */
void nl_cpu_sigmoid_inplace(float *y, size_t n)
{
#ifdef _OPENMP
#pragma omp parallel if (n > NL_CPU_PAR_MIN)
	{
		size_t lo, hi;
		nl_cpu_thread_span(n, &lo, &hi);
		nl_cpu_sigmoid_span(y + lo, y + lo, hi - lo);
	}
#else
	nl_cpu_sigmoid_span(y, y, n);
#endif
}

/* dy = dy y (1 - y) in place: the folded sigmoid's backward, before the
 * convolution's. */
void nl_cpu_sigmoid_grad_inplace(float *dy, const float *y, size_t n)
{
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++)
		dy[i] = dy[i] * y[i] * (1.0f - y[i]);
}

void nl_cpu_sigmoid_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	float *dx = s->dx[0];
	if (!dx)
		return;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *y = s->y, *dy = s->dy;
	if (s->dx_accumulate[0]) {
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++)
			dx[i] += dy[i] * y[i] * (1.0f - y[i]);
	} else {
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++)
			dx[i] = dy[i] * y[i] * (1.0f - y[i]);
	}
}

void nl_cpu_tanh_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0];
	float *y = s->y;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++)
		y[i] = tanhf(x[i]);
}

void nl_cpu_tanh_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	float *dx = s->dx[0];
	if (!dx)
		return;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *y = s->y, *dy = s->dy;
	const int acc = s->dx_accumulate[0];
	for (size_t i = 0; i < n; i++) {
		float g = dy[i] * (1.0f - y[i] * y[i]);
		dx[i] = acc ? dx[i] + g : g;
	}
}

/* GELU in PyTorch's exact form: y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2.
 * erff keeps NaN and gives 0 at -inf and x at +inf. */
void nl_cpu_gelu_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0];
	float *y = s->y;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++)
		y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
}

/* gelu'(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi). */
void nl_cpu_gelu_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	float *dx = s->dx[0];
	if (!dx)
		return;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0], *dy = s->dy;
	const int acc = s->dx_accumulate[0];
	const float inv_sqrt_2pi = 0.3989422804014327f;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++) {
		float v = x[i];
		float d = 0.5f * (1.0f + erff(v * (float)M_SQRT1_2)) +
		          v * inv_sqrt_2pi * expf(-0.5f * v * v);
		float g = dy[i] * d;
		dx[i] = acc ? dx[i] + g : g;
	}
}

/* Softmax over C at every (n, h, w): elements of one softmax are hw apart. */
void nl_cpu_softmax_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const int n = s->ys.n, c = s->ys.c;
	const size_t hw = (size_t)s->ys.h * s->ys.w;
	for (int i = 0; i < n; i++) {
		for (size_t p = 0; p < hw; p++) {
			const float *x = s->x[0] + (size_t)i * c * hw + p;
			float *y = s->y + (size_t)i * c * hw + p;
			float m = x[0];
			for (int k = 1; k < c; k++)
				if (x[k * hw] > m)
					m = x[k * hw];
			float sum = 0.0f;
			for (int k = 0; k < c; k++) {
				y[k * hw] = expf(x[k * hw] - m);
				sum += y[k * hw];
			}
			float inv = 1.0f / sum;
			for (int k = 0; k < c; k++)
				y[k * hw] *= inv;
		}
	}
}

/* dx = y * (dy - sum_k dy_k y_k) */
void nl_cpu_softmax_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	if (!s->dx[0])
		return;
	const int n = s->ys.n, c = s->ys.c;
	const size_t hw = (size_t)s->ys.h * s->ys.w;
	const int acc = s->dx_accumulate[0];
	for (int i = 0; i < n; i++) {
		for (size_t p = 0; p < hw; p++) {
			const float *y = s->y + (size_t)i * c * hw + p;
			const float *dy = s->dy + (size_t)i * c * hw + p;
			float *dx = s->dx[0] + (size_t)i * c * hw + p;
			float dot = 0.0f;
			for (int k = 0; k < c; k++)
				dot += dy[k * hw] * y[k * hw];
			for (int k = 0; k < c; k++) {
				float g = y[k * hw] * (dy[k * hw] - dot);
				dx[k * hw] = acc ? dx[k * hw] + g : g;
			}
		}
	}
}
