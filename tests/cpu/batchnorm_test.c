/* batchnorm_test.c - batch normalization per channel (rank 4) and per
 * feature (rank 2), training and evaluation, against a double reference
 * and finite differences (the batch statistics depend on x, so the
 * training-mode gradient is the full one), and the running statistics
 * against PyTorch's update rule (momentum, unbiased variance).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/cpu/harness.h"

/* Element (n, c, p) of an N x C x HW tensor. */
#define IDX(n, c, p) (((size_t)(n) * C + (c)) * HW + (p))

static void batch_stats(const layer_test *t, const double *x, int c,
                        double *mean, double *var)
{
	const int N = t->xs[0].n, C = t->xs[0].c;
	const size_t HW = (size_t)t->xs[0].h * t->xs[0].w;
	double s = 0.0, ss = 0.0;
	for (int n = 0; n < N; n++)
		for (size_t p = 0; p < HW; p++)
			s += x[IDX(n, c, p)];
	*mean = s / (double)(N * HW);
	for (int n = 0; n < N; n++)
		for (size_t p = 0; p < HW; p++) {
			double d = x[IDX(n, c, p)] - *mean;
			ss += d * d;
		}
	*var = ss / (double)(N * HW);
}

static void ref_bn(const layer_test *t, const double *const *x,
                   const double *w, const double *b, double *y)
{
	const int N = t->xs[0].n, C = t->xs[0].c;
	const size_t HW = (size_t)t->xs[0].h * t->xs[0].w;
	const double eps = t->node.eps;
	for (int c = 0; c < C; c++) {
		double mean, var;
		if (t->training) {
			batch_stats(t, x[0], c, &mean, &var);
		} else {
			mean = t->run_mean0[c];
			var = t->run_var0[c];
		}
		for (int n = 0; n < N; n++)
			for (size_t p = 0; p < HW; p++)
				y[IDX(n, c, p)] = w[c] * (x[0][IDX(n, c, p)] - mean) /
				                  sqrt(var + eps) + b[c];
	}
}

static void bn_case(const char *name, nl_shape s, int training, int dx_mode)
{
	const int C = s.c;
	double *m0 = malloc(C * sizeof *m0), *v0 = malloc(C * sizeof *v0);
	double *m1 = malloc(C * sizeof *m1), *v1 = malloc(C * sizeof *v1);
	if (!m0 || !v0 || !m1 || !v1)
		abort();
	for (int c = 0; c < C; c++) {
		m0[c] = h_uniform(-0.5, 0.5);
		v0[c] = h_uniform(0.5, 2.0);
	}
	layer_test t = { 0 };
	t.name = name;
	t.node.kind = NL_BATCHNORM;
	t.node.eps = 1e-5f;
	t.node.momentum = 0.1f;
	t.ninputs = 1;
	t.xs[0] = t.ys = s;
	t.nw = t.nb = (size_t)C;
	t.training = training;
	t.dx_mode[0] = dx_mode;
	t.run_mean0 = m0;
	t.run_var0 = v0;
	t.run_mean1 = m1;
	t.run_var1 = v1;
	t.ref = ref_bn;
	h_check_layer(&t);

	/* Evaluation must leave the running statistics alone (training's
	 * update is checked exactly by running_stats below). */
	for (int c = 0; c < C; c++) {
		if (!training && (m1[c] != (float)m0[c] || v1[c] != (float)v0[c]))
			h_fail("batchnorm eval moved the running statistics of channel %d", c);
	}
	free(m0); free(v0); free(m1); free(v1);
}

/* Running statistics after one training forward, on an input kept here:
 * r_mean = 0.9 r_mean + 0.1 mean, r_var = 0.9 r_var + 0.1 var * M/(M-1). */
static void running_stats(nl_shape s)
{
	const int before = h_failures();
	const int N = s.n, C = s.c;
	const size_t HW = (size_t)s.h * s.w, M = (size_t)N * HW, total = M * C;
	nl_node nd = { 0 };
	nd.kind = NL_BATCHNORM;
	nd.eps = 1e-5f;
	nd.momentum = 0.1f;
	nl_step st = { 0 };
	st.node = &nd;
	st.ninputs = 1;
	st.xs[0] = st.ys = s;
	size_t aux = 0, ws = 0;
	H_BE->prepare(H_BE, &st, &aux, &ws);
	float *x = h_alloc(total * sizeof *x), *y = h_alloc(total * sizeof *y);
	float *w = h_alloc(C * sizeof *w), *b = h_alloc(C * sizeof *b);
	float *rm = h_alloc(C * sizeof *rm), *rv = h_alloc(C * sizeof *rv);
	double *want_m = malloc(C * sizeof *want_m), *want_v = malloc(C * sizeof *want_v);
	double *xd = malloc(total * sizeof *xd);
	if (!want_m || !want_v || !xd)
		abort();
	for (size_t i = 0; i < total; i++)
		xd[i] = x[i] = (float)h_uniform(-2.0, 3.0);
	for (int c = 0; c < C; c++) {
		w[c] = 1.0f;
		rm[c] = (float)h_uniform(-1, 1);
		rv[c] = (float)h_uniform(0.5, 2);
	}
	layer_test t = { 0 };
	t.xs[0] = s;
	for (int c = 0; c < C; c++) {
		double mean, var;
		batch_stats(&t, xd, c, &mean, &var);
		want_m[c] = 0.9 * rm[c] + 0.1 * mean;
		want_v[c] = 0.9 * rv[c] + 0.1 * var * (double)M / (double)(M - 1);
	}
	st.x[0] = x; st.y = y; st.w = w; st.b = b;
	st.running_mean = rm; st.running_var = rv;
	st.aux = h_alloc(aux);
	H_BE->forward[NL_BATCHNORM](H_BE, &st, 1);
	h_compare("running_mean", rm, want_m, C, 1e-5);
	h_compare("running_var (unbiased)", rv, want_v, C, 1e-5);
	H_BE->release(H_BE, x); H_BE->release(H_BE, y);
	H_BE->release(H_BE, w); H_BE->release(H_BE, b);
	H_BE->release(H_BE, rm); H_BE->release(H_BE, rv);
	H_BE->release(H_BE, st.aux);
	free(want_m); free(want_v); free(xd);
	char name[80];
	snprintf(name, sizeof name, "batchnorm running statistics (rank %d)", s.rank);
	h_report(name, before);
}

int main(void)
{
	h_init("batchnorm_test");
	bn_case("batchnorm rank 4, training", h_shape4(3, 5, 4, 3), 1, DX_WRITE);
	bn_case("batchnorm rank 4, training, dx accumulated", h_shape4(2, 3, 3, 5), 1, DX_ACCUMULATE);
	bn_case("batchnorm rank 2, training", h_shape2(7, 6), 1, DX_WRITE);
	bn_case("batchnorm rank 4, evaluation", h_shape4(3, 5, 4, 3), 0, DX_WRITE);
	bn_case("batchnorm rank 2, evaluation", h_shape2(7, 6), 0, DX_WRITE);
	bn_case("batchnorm rank 4, dx NULL", h_shape4(2, 3, 3, 3), 1, DX_NULL);
	running_stats(h_shape4(4, 7, 5, 6));
	running_stats(h_shape2(9, 11));
	return h_finish();
}
