/* dropout.c - inverted dropout.
 *
 * Element i is kept iff nl_rng_uniform(rng_key, i) >= p (rng.h), the same
 * draw the GPU makes, and kept elements are scaled by 1/(1-p) so that
 * evaluation is the identity.  The mask is kept in aux, one byte per element:
 * backward then does not depend on the key still being the forward's, and
 * works when the plan runs dropout in place (y == x, dx == dy).  A 64-byte
 * header in front of the mask holds the scale the forward used, so a
 * backward after an evaluation forward is the identity it should be.
 */
#include <config.h>

#include "runtime/cpu/cpu.h"
#include "runtime/rng.h"

#define DROPOUT_HEADER 64

size_t nl_cpu_dropout_aux(const nl_step *s)
{
	return DROPOUT_HEADER + nl_cpu_numel(&s->ys);
}

void nl_cpu_dropout_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	const size_t n = nl_cpu_numel(&s->ys);
	const float *x = s->x[0];
	float *y = s->y;
	float *used_scale = s->aux;
	uint8_t *mask = (uint8_t *)s->aux + DROPOUT_HEADER;
	const float p = s->node->p;

	if (!training || p <= 0.0f) {
		if (y != x)
			memcpy(y, x, n * sizeof *y);
		memset(mask, 1, n);
		*used_scale = 1.0f;
		return;
	}
	if (p >= 1.0f) {        /* everything dropped; 1/(1-p) would be inf */
		memset(y, 0, n * sizeof *y);
		memset(mask, 0, n);
		*used_scale = 0.0f;
		return;
	}
	const float scale = 1.0f / (1.0f - p);
	*used_scale = scale;
	const uint64_t key = s->rng_key;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > NL_CPU_PAR_MIN)
#endif
	for (size_t i = 0; i < n; i++) {
		uint8_t keep = nl_rng_uniform(key, i) >= p;
		mask[i] = keep;
		y[i] = keep ? x[i] * scale : 0.0f;
	}
}

void nl_cpu_dropout_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	float *dx = s->dx[0];
	if (!dx)
		return;
	const size_t n = nl_cpu_numel(&s->ys);
	const float k = *(const float *)s->aux;
	const uint8_t *mask = (const uint8_t *)s->aux + DROPOUT_HEADER;
	const float *dy = s->dy;
	const int acc = s->dx_accumulate[0];
	for (size_t i = 0; i < n; i++) {
		float g = mask[i] ? dy[i] * k : 0.0f;
		dx[i] = acc ? dx[i] + g : g;
	}
}
