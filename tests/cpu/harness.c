/* harness.c - see harness.h. */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/cpu/harness.h"

nl_backend *H_BE;
nl_rng H_RNG;

static int failures;
static const char *current = "";

/* Finite-difference step, and how many elements of a tensor get a
 * finite-difference check at most (all of a small tensor). */
#define FD_H 1e-3
#define FD_MAX 240

void h_fail(const char *fmt, ...)
{
	va_list ap;
	failures++;
	fprintf(stderr, "FAIL [%s] ", current);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int h_failures(void)
{
	return failures;
}

void h_report(const char *name, int before)
{
	printf("%s %s\n", failures == before ? "ok  " : "FAIL", name);
	fflush(stdout);
}

void h_init(const char *program)
{
	uint64_t seed;
	const char *e = getenv("NL_TEST_SEED");
	if (e && *e) {
		seed = strtoull(e, NULL, 0);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_sec * 1000000007ull) ^ (uint64_t)ts.tv_nsec ^
		       ((uint64_t)getpid() << 32);
	}
	printf("%s: seed %llu (NL_TEST_SEED=%llu repeats this run)\n", program,
	       (unsigned long long)seed, (unsigned long long)seed);
	fflush(stdout);
	H_RNG.s = seed;
	const char *th = getenv("NL_TEST_THREADS");
	H_BE = nl_cpu_backend_new(th && *th ? atoi(th) : 2);
	if (!H_BE) {
		fprintf(stderr, "%s: no cpu backend\n", program);
		exit(99);
	}
}

int h_finish(void)
{
	H_BE->destroy(H_BE);   /* frees the workspace too */
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}

double h_uniform(double lo, double hi)
{
	return lo + (hi - lo) * nl_rng_double(&H_RNG);
}

size_t h_numel(const nl_shape *s)
{
	return (size_t)s->n * (size_t)s->c * (size_t)s->h * (size_t)s->w;
}

nl_shape h_shape4(int n, int c, int h, int w)
{
	nl_shape s = { 4, n, c, h, w };
	return s;
}

nl_shape h_shape2(int n, int c)
{
	nl_shape s = { 2, n, c, 1, 1 };
	return s;
}

void *h_alloc(size_t bytes)
{
	void *p = H_BE->alloc(H_BE, bytes);
	if (!p)
		abort();
	return p;
}

int h_compare(const char *what, const float *got, const double *want,
              size_t n, double rtol)
{
	double amax = 0.0;
	for (size_t i = 0; i < n; i++)
		if (fabs(want[i]) > amax)
			amax = fabs(want[i]);
	size_t bad = 0, worst = 0;
	double worst_ratio = 0.0;
	for (size_t i = 0; i < n; i++) {
		double tol = rtol * (fabs(want[i]) + 0.1 * amax);
		double err = fabs((double)got[i] - want[i]);
		/* !(err <= tol) also catches a NaN. */
		if (!(err <= tol)) {
			double ratio = tol > 0 ? err / tol : INFINITY;
			if (bad == 0 || ratio > worst_ratio || isnan(err)) {
				worst = i;
				worst_ratio = ratio;
			}
			bad++;
		}
	}
	if (bad) {
		h_fail("%s: %zu of %zu values off, worst at %zu: got %.9g want %.9g (rtol %g, max|want| %g)",
		       what, bad, n, worst, (double)got[worst], want[worst], rtol, amax);
		return 0;
	}
	return 1;
}

static void fill_inputs(const layer_test *t, int i, double *xd, size_t n)
{
	if (i == 0 && t->distinct) {
		/* A shuffled grid: value k*0.01 - n*0.005 for a permutation. */
		for (size_t k = 0; k < n; k++)
			xd[k] = (double)k * 0.01 - (double)n * 0.005;
		for (size_t k = n; k > 1; k--) {
			size_t j = nl_rng_below(&H_RNG, (uint32_t)k);
			double tmp = xd[k - 1];
			xd[k - 1] = xd[j];
			xd[j] = tmp;
		}
		return;
	}
	for (size_t k = 0; k < n; k++) {
		double v = h_uniform(-1.0, 1.0);
		if (t->kink && fabs(v) < 0.01)
			v = v < 0 ? v - 0.01 : v + 0.01;
		xd[k] = v;
	}
}

/* L = sum r * f(x, w, b), the scalar whose gradients backward computes. */
static double loss_of(const layer_test *t, double *const *xd, const double *wd,
                      const double *bd, const double *rd, double *ytmp)
{
	t->ref(t, (const double *const *)xd, wd, bd, ytmp);
	size_t ny = h_numel(&t->ys);
	double l = 0.0;
	for (size_t j = 0; j < ny; j++)
		l += rd[j] * ytmp[j];
	return l;
}

/* Checks a gradient buffer against finite differences of L with respect to
 * `var` (n doubles, perturbed in place and restored); base is added to the
 * expectation (the accumulate contract). */
static void check_grad(const char *what, const layer_test *t, double *var,
                       size_t n, const float *got, const float *base,
                       double *const *xd, const double *wd, const double *bd,
                       const double *rd, double *ytmp)
{
	size_t m = n <= FD_MAX ? n : FD_MAX;
	size_t *idx = malloc(m * sizeof *idx);
	float *g = malloc(m * sizeof *g);
	double *want = malloc(m * sizeof *want);
	if (!idx || !g || !want)
		abort();
	for (size_t k = 0; k < m; k++) {
		size_t j = n <= FD_MAX ? k : nl_rng_below(&H_RNG, (uint32_t)n);
		idx[k] = j;
		double keep = var[j];
		var[j] = keep + FD_H;
		double lp = loss_of(t, xd, wd, bd, rd, ytmp);
		var[j] = keep - FD_H;
		double lm = loss_of(t, xd, wd, bd, rd, ytmp);
		var[j] = keep;
		want[k] = (lp - lm) / (2.0 * FD_H) + (base ? (double)base[j] : 0.0);
		g[k] = got[j];
	}
	h_compare(what, g, want, m, t->grad_rtol);
	free(idx);
	free(g);
	free(want);
}

void h_check_layer(layer_test *t)
{
	nl_backend *be = H_BE;
	current = t->name;
	const int failures_before = failures;
	if (t->fwd_rtol == 0)
		t->fwd_rtol = 1e-4;
	if (t->grad_rtol == 0)
		t->grad_rtol = 1e-3;
	t->node.shape = t->ys;
	t->node.shape.n = 1;
	t->node.ninputs = t->ninputs;

	const size_t ny = h_numel(&t->ys);
	float *xf[NL_MAX_INPUTS] = { 0 };
	double *xd[NL_MAX_INPUTS] = { 0 };
	for (int i = 0; i < t->ninputs; i++) {
		size_t n = h_numel(&t->xs[i]);
		xf[i] = h_alloc(n * sizeof(float));
		xd[i] = malloc(n * sizeof(double));
		if (!xd[i])
			abort();
		fill_inputs(t, i, xd[i], n);
		for (size_t k = 0; k < n; k++) {
			xf[i][k] = (float)xd[i][k];
			xd[i][k] = xf[i][k];   /* the reference sees what the backend sees */
		}
	}
	float *wf = NULL, *bf = NULL, *dw = NULL, *db = NULL;
	double *wd = calloc(t->nw + 1, sizeof *wd), *bd = calloc(t->nb + 1, sizeof *bd);
	if (!wd || !bd)
		abort();
	if (t->nw) {
		wf = h_alloc(t->nw * sizeof(float));
		dw = h_alloc(t->nw * sizeof(float));
		for (size_t k = 0; k < t->nw; k++) {
			wf[k] = (float)h_uniform(-1.0, 1.0);
			wd[k] = wf[k];
			dw[k] = 777.0f;   /* backward must overwrite, not add */
		}
	}
	if (t->nb) {
		bf = h_alloc(t->nb * sizeof(float));
		db = h_alloc(t->nb * sizeof(float));
		for (size_t k = 0; k < t->nb; k++) {
			bf[k] = (float)h_uniform(-1.0, 1.0);
			bd[k] = bf[k];
			db[k] = 777.0f;
		}
	}

	nl_step s;
	memset(&s, 0, sizeof s);
	s.node = &t->node;
	s.ninputs = t->ninputs;
	for (int i = 0; i < t->ninputs; i++) {
		s.xs[i] = t->xs[i];
		s.x[i] = xf[i];
	}
	s.ys = t->ys;
	s.y = t->in_place ? xf[0] : h_alloc(ny * sizeof(float));
	s.w = wf; s.b = bf; s.nw = t->nw; s.nb = t->nb;
	s.rng_key = t->rng_key;
	if (t->node.kind == NL_BATCHNORM) {
		s.running_mean = h_alloc((size_t)t->ys.c * sizeof(float));
		s.running_var = h_alloc((size_t)t->ys.c * sizeof(float));
		for (int c = 0; c < t->ys.c; c++) {
			s.running_mean[c] = (float)t->run_mean0[c];
			s.running_var[c] = (float)t->run_var0[c];
			t->run_mean0[c] = s.running_mean[c];
			t->run_var0[c] = s.running_var[c];
		}
	}

	size_t aux_bytes = 0, ws_bytes = 0;
	if (be->prepare(be, &s, &aux_bytes, &ws_bytes) != 0) {
		h_fail("prepare refused the step");
		return;
	}
	s.aux = aux_bytes ? h_alloc(aux_bytes) : NULL;
	s.aux_bytes = aux_bytes;
	if (ws_bytes > be->workspace_bytes) {
		if (be->workspace)
			be->release(be, be->workspace);
		be->workspace = h_alloc(ws_bytes);
		be->workspace_bytes = ws_bytes;
	}

	/* Forward against the reference. */
	double *yref = malloc(ny * sizeof *yref);
	double *ytmp = malloc(ny * sizeof *ytmp);
	double *rd = malloc(ny * sizeof *rd);
	if (!yref || !ytmp || !rd)
		abort();
	t->ref(t, (const double *const *)xd, wd, bd, yref);
	be->forward[t->node.kind](be, &s, t->training);
	h_compare("forward y", s.y, yref, ny, t->fwd_rtol);
	if (t->node.kind == NL_BATCHNORM && t->run_mean1) {
		for (int c = 0; c < t->ys.c; c++) {
			t->run_mean1[c] = s.running_mean[c];
			t->run_var1[c] = s.running_var[c];
		}
	}

	/* Backward with dy = r. */
	float *dy = h_alloc(ny * sizeof(float));
	for (size_t j = 0; j < ny; j++) {
		dy[j] = (float)h_uniform(-1.0, 1.0);
		rd[j] = dy[j];
	}
	s.dy = dy;
	float *base[NL_MAX_INPUTS] = { 0 };
	for (int i = 0; i < t->ninputs; i++) {
		size_t n = h_numel(&t->xs[i]);
		if (t->in_place && i == 0) {
			s.dx[0] = dy;
			continue;
		}
		switch (t->dx_mode[i]) {
		case DX_NULL:
			s.dx[i] = NULL;
			break;
		case DX_ACCUMULATE:
			s.dx[i] = h_alloc(n * sizeof(float));
			s.dx_accumulate[i] = 1;
			base[i] = malloc(n * sizeof(float));
			if (!base[i])
				abort();
			for (size_t k = 0; k < n; k++)
				s.dx[i][k] = base[i][k] = (float)h_uniform(-1.0, 1.0);
			break;
		default:
			s.dx[i] = h_alloc(n * sizeof(float));
			for (size_t k = 0; k < n; k++)
				s.dx[i][k] = 555.0f;   /* must be overwritten */
			break;
		}
	}
	s.dw = dw;
	s.db = db;
	be->backward[t->node.kind](be, &s);

	char what[64];
	for (int i = 0; i < t->ninputs; i++) {
		if (!s.dx[i])
			continue;
		snprintf(what, sizeof what, "dx[%d]%s%s", i,
		         base[i] ? " (accumulated)" : "", t->in_place ? " (in place)" : "");
		check_grad(what, t, xd[i], h_numel(&t->xs[i]), s.dx[i], base[i],
		           xd, wd, bd, rd, ytmp);
	}
	if (t->nw)
		check_grad("dw", t, wd, t->nw, dw, NULL, xd, wd, bd, rd, ytmp);
	if (t->nb)
		check_grad("db", t, bd, t->nb, db, NULL, xd, wd, bd, rd, ytmp);

	be->unprepare(be, &s);
	for (int i = 0; i < t->ninputs; i++) {
		if (s.dx[i] && s.dx[i] != dy)
			be->release(be, s.dx[i]);
		be->release(be, xf[i]);
		free(xd[i]);
		free(base[i]);
	}
	if (!t->in_place)
		be->release(be, s.y);
	be->release(be, dy);
	be->release(be, s.aux);
	be->release(be, wf);
	be->release(be, bf);
	be->release(be, dw);
	be->release(be, db);
	be->release(be, s.running_mean);
	be->release(be, s.running_var);
	free(wd);
	free(bd);
	free(yref);
	free(ytmp);
	free(rd);
	printf("%s %s\n", failures == failures_before ? "ok  " : "FAIL", t->name);
	fflush(stdout);
}
