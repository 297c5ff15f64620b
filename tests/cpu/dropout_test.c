/* dropout_test.c - inverted dropout: the mask is the shared counter RNG's
 * (rng.h), kept elements are scaled by 1/(1-p), evaluation and p = 0 are
 * the identity, backward applies the forward's mask (also in place), and
 * the keep rate is 1-p within a few standard deviations.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cpu/harness.h"

static void ref_dropout(const layer_test *t, const double *const *x,
                        const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	size_t n = h_numel(&t->ys);
	double p = t->node.p;
	for (size_t i = 0; i < n; i++) {
		int keep = !t->training || nl_rng_uniform(t->rng_key, i) >= t->node.p;
		y[i] = !t->training ? x[0][i] : keep ? x[0][i] / (1.0 - p) : 0.0;
	}
}

static void grad_cases(void)
{
	layer_test t = { 0 };
	t.node.kind = NL_DROPOUT;
	t.ninputs = 1;
	t.xs[0] = t.ys = h_shape4(3, 4, 5, 3);
	t.ref = ref_dropout;
	t.training = 1;
	t.rng_key = nl_rng_next(&H_RNG);

	t.name = "dropout p=0.5, training";
	t.node.p = 0.5f;
	h_check_layer(&t);
	t.name = "dropout p=0.3 in place (y == x, dx == dy)";
	t.node.p = 0.3f;
	t.in_place = 1;
	h_check_layer(&t);
	t.name = "dropout p=0.7, dx accumulated";
	t.node.p = 0.7f;
	t.in_place = 0;
	t.dx_mode[0] = DX_ACCUMULATE;
	h_check_layer(&t);
	t.name = "dropout p=0 (identity while training)";
	t.node.p = 0.0f;
	t.dx_mode[0] = DX_WRITE;
	h_check_layer(&t);
	t.name = "dropout p=0.5, evaluation (identity)";
	t.node.p = 0.5f;
	t.training = 0;
	h_check_layer(&t);
}

/* Large-sample behaviour: keep rate, scale, determinism in the key, and a
 * different mask under a different key. */
static void statistics(void)
{
	const int before = h_failures();
	const size_t n = 200000;
	const float p = 0.35f;
	nl_node nd = { 0 };
	nd.kind = NL_DROPOUT;
	nd.p = p;
	nl_step s = { 0 };
	s.node = &nd;
	s.ninputs = 1;
	s.xs[0] = s.ys = h_shape2(1000, 200);
	size_t aux = 0, ws = 0;
	H_BE->prepare(H_BE, &s, &aux, &ws);
	float *x = h_alloc(n * sizeof *x), *y = h_alloc(n * sizeof *y);
	float *y2 = h_alloc(n * sizeof *y2);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)h_uniform(0.5, 1.5);   /* never zero */
	s.x[0] = x;
	s.y = y;
	s.aux = h_alloc(aux);
	s.rng_key = nl_rng_next(&H_RNG);
	H_BE->forward[NL_DROPOUT](H_BE, &s, 1);

	size_t kept = 0;
	const float scale = 1.0f / (1.0f - p);
	for (size_t i = 0; i < n; i++) {
		if (y[i] != 0.0f) {
			kept++;
			if (fabsf(y[i] - x[i] * scale) > 1e-6f * y[i])
				h_fail("dropout: kept y[%zu] = %g, want x/(1-p) = %g", i, y[i], x[i] * scale);
		}
		int want_keep = nl_rng_uniform(s.rng_key, i) >= p;
		if ((y[i] != 0.0f) != want_keep) {
			h_fail("dropout: element %zu %s, the shared RNG says %s", i,
			       y[i] != 0.0f ? "kept" : "dropped", want_keep ? "keep" : "drop");
			break;
		}
	}
	/* Binomial: mean n(1-p), sd sqrt(n p (1-p)) ~ 213; allow 5 sd. */
	double mean = (double)n * (1.0 - p), sd = sqrt((double)n * p * (1.0 - p));
	if (fabs((double)kept - mean) > 5.0 * sd)
		h_fail("dropout: kept %zu of %zu, expected %.0f +- %.0f", kept, n, mean, 5 * sd);

	/* The same key gives the same mask; another key another mask. */
	s.y = y2;
	H_BE->forward[NL_DROPOUT](H_BE, &s, 1);
	if (memcmp(y, y2, n * sizeof *y) != 0)
		h_fail("dropout: the same key gave a different output");
	s.rng_key ^= 0x5555;
	H_BE->forward[NL_DROPOUT](H_BE, &s, 1);
	size_t differ = 0;
	for (size_t i = 0; i < n; i++)
		differ += (y[i] != 0.0f) != (y2[i] != 0.0f);
	/* Two independent masks differ on 2p(1-p) of the elements. */
	if (differ < (size_t)(0.8 * 2.0 * p * (1.0 - p) * (double)n))
		h_fail("dropout: a new key changed only %zu of %zu mask bits", differ, n);

	/* p = 1 drops everything (no division by zero). */
	nd.p = 1.0f;
	H_BE->forward[NL_DROPOUT](H_BE, &s, 1);
	for (size_t i = 0; i < n; i++)
		if (y2[i] != 0.0f) {
			h_fail("dropout p=1: y[%zu] = %g", i, y2[i]);
			break;
		}
	H_BE->release(H_BE, x);
	H_BE->release(H_BE, y);
	H_BE->release(H_BE, y2);
	H_BE->release(H_BE, s.aux);
	h_report("dropout statistics, key determinism, p = 1", before);
}

int main(void)
{
	h_init("dropout_test");
	grad_cases();
	statistics();
	return h_finish();
}
