/* loss_sgd_test.c - softmax cross-entropy (value, gradient, correct count,
 * stability with huge logits) against a double reference, and the SGD
 * update against a naive loop of PyTorch's formulation over several steps.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/cpu/harness.h"

static void loss_case(const char *name, int n, int k, double spread)
{
	const int before = h_failures();
	float *z = h_alloc((size_t)n * k * sizeof *z);
	float *d = h_alloc((size_t)n * k * sizeof *d);
	int32_t *lab = h_alloc((size_t)n * sizeof *lab);
	float *acc = h_alloc(2 * sizeof *acc);
	double *want_d = malloc((size_t)n * k * sizeof *want_d);
	if (!want_d)
		abort();
	for (int i = 0; i < n * k; i++)
		z[i] = (float)h_uniform(-spread, spread);
	for (int i = 0; i < n; i++)
		lab[i] = (int32_t)nl_rng_below(&H_RNG, (uint32_t)k);
	/* Make a few rows correct for sure, so the count is not always ~n/k. */
	for (int i = 0; i < n; i += 3)
		z[(size_t)i * k + lab[i]] = (float)(spread + 1.0);

	double want_loss = 0.0, want_correct = 0.0;
	for (int i = 0; i < n; i++) {
		const float *r = z + (size_t)i * k;
		double m = r[0];
		int best = 0;
		for (int j = 1; j < k; j++)
			if (r[j] > r[best])
				best = j;
		m = r[best];
		double sum = 0.0;
		for (int j = 0; j < k; j++)
			sum += exp((double)r[j] - m);
		double lse = m + log(sum);
		want_loss += lse - r[lab[i]];
		want_correct += best == lab[i];
		for (int j = 0; j < k; j++)
			want_d[(size_t)i * k + j] =
				(exp((double)r[j] - lse) - (j == lab[i])) / n;
	}
	acc[0] = 1.5f;   /* loss adds to what is there */
	acc[1] = 2.0f;
	H_BE->loss(H_BE, z, lab, n, k, d, acc);
	double wl = 1.5 + want_loss;
	h_compare("loss value", &acc[0], &wl, 1, 1e-5);
	if (acc[1] != (float)(2.0 + want_correct))
		h_fail("correct count %g, want %g", acc[1], 2.0 + want_correct);
	h_compare("dlogits", d, want_d, (size_t)n * k, 1e-5);

	/* Without dlogits only the accumulator changes. */
	acc[0] = acc[1] = 0.0f;
	H_BE->loss(H_BE, z, lab, n, k, NULL, acc);
	h_compare("loss value (no gradient)", &acc[0], &want_loss, 1, 1e-5);

	H_BE->release(H_BE, z); H_BE->release(H_BE, d);
	H_BE->release(H_BE, lab); H_BE->release(H_BE, acc);
	free(want_d);
	h_report(name, before);
}

/* Logits of 1e4 overflow a naive exp; the loss must stay finite and exact. */
static void loss_stability(void)
{
	const int before = h_failures();
	float z[6] = { 10000.0f, 9990.0f, -10000.0f, -5000.0f, -5003.0f, -5001.0f };
	int32_t lab[2] = { 1, 2 };
	float d[6], acc[2] = { 0, 0 };
	H_BE->loss(H_BE, z, lab, 2, 3, d, acc);
	/* row 0: lse = 10000 + log(1 + e^-10), loss = 10 + log(1 + e^-10)
	 * row 1: max -5000; loss = log(1 + e^-3 + e^-1) + 1 */
	double want = 10.0 + log1p(exp(-10.0)) + log(1.0 + exp(-3.0) + exp(-1.0)) + 1.0;
	h_compare("loss with huge logits", &acc[0], &want, 1, 1e-5);
	if (acc[1] != 0.0f)
		h_fail("huge logits: correct %g, want 0", acc[1]);
	for (int i = 0; i < 6; i++)
		if (!isfinite(d[i]))
			h_fail("huge logits: dlogits[%d] = %g", i, d[i]);
	h_report("loss is stable for huge logits", before);
}

static void sgd_case(const char *name, float lr, float momentum, float wd, int with_v)
{
	const int before = h_failures();
	const size_t n = 1001;
	float *w = h_alloc(n * sizeof *w), *g = h_alloc(n * sizeof *g);
	float *v = with_v ? h_alloc(n * sizeof *v) : NULL;
	double *rw = malloc(n * sizeof *rw), *rv = calloc(n, sizeof *rv);
	if (!rw || !rv)
		abort();
	for (size_t i = 0; i < n; i++)
		rw[i] = w[i] = (float)h_uniform(-1, 1);
	for (int step = 0; step < 4; step++) {
		for (size_t i = 0; i < n; i++)
			g[i] = (float)h_uniform(-1, 1);
		H_BE->sgd(H_BE, w, g, v, n, lr, momentum, wd);
		/* torch.optim.SGD.step, dampening 0, nesterov False */
		for (size_t i = 0; i < n; i++) {
			double d = g[i] + (double)wd * rw[i];
			if (momentum != 0.0f) {
				rv[i] = step == 0 ? d : momentum * rv[i] + d;
				d = rv[i];
			}
			rw[i] -= (double)lr * d;
		}
	}
	h_compare("sgd weights after 4 steps", w, rw, n, 1e-5);
	H_BE->release(H_BE, w); H_BE->release(H_BE, g); H_BE->release(H_BE, v);
	free(rw); free(rv);
	h_report(name, before);
}

int main(void)
{
	h_init("loss_sgd_test");
	loss_case("loss: 37 examples, 10 classes", 37, 10, 3.0);
	loss_case("loss: 5 examples, 2 classes, wide logits", 5, 2, 30.0);
	loss_case("loss: 1 example, 1000 classes", 1, 1000, 5.0);
	loss_stability();
	sgd_case("sgd plain", 0.1f, 0.0f, 0.0f, 0);
	sgd_case("sgd with weight decay", 0.05f, 0.0f, 1e-2f, 0);
	sgd_case("sgd with momentum", 0.05f, 0.9f, 0.0f, 1);
	sgd_case("sgd with momentum and weight decay", 0.01f, 0.9f, 5e-4f, 1);
	return h_finish();
}
