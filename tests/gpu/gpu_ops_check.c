/* gpu_ops_check.c - every GPU operation against the CPU backend.
 *
 * For each case, one step is built by hand (an nl_node and an nl_step, no
 * parser), given the same fresh random inputs, parameters, output gradient
 * and, where a case accumulates, the same prior input gradient on both
 * backends; forward (and backward) run on each, and every output tensor is
 * compared.  The CPU backend is the reference: it is checked against
 * double-precision loops and finite differences by its own tests.
 *
 * The error of a tensor is max|gpu - cpu| / max|cpu| over the tensor: an
 * error relative to the tensor's scale, which neither blows up where a
 * single element is near zero nor hides a wrong element among large ones.
 * The limit is 1e-5 with TF32 off and 5e-3 with TF32 on (TF32 keeps 10
 * mantissa bits: one rounding is 2^-11 ~ 5e-4 relative, and a long dot
 * product's errors add up to a few of those).  Both modes run.
 *
 *   gpu_ops_check [--device N] [--tf32 on|off|both] [--cpu-vs-cpu]
 *
 * --cpu-vs-cpu runs the same cases with a second CPU backend in the GPU's
 * place, which checks this harness on a machine without a GPU.  Without it,
 * no usable GPU is a failure (exit 1): this program is meant for a GPU
 * machine and must not pass where it proved nothing.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/backend.h"
#include "runtime/rng.h"

static nl_rng rng = { 0x5eed0f6e7c0ffeeull };
static int failures;
static int cases;
static double tolerance;
static const char *mode_name;

static float uniform(float lo, float hi)
{
	return lo + (hi - lo) * (float)nl_rng_double(&rng);
}

static float *host_random(size_t n, float lo, float hi)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	if (!p) {
		fprintf(stderr, "gpu_ops_check: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		p[i] = uniform(lo, hi);
	return p;
}

static float *host_zero(size_t n)
{
	float *p = calloc(n ? n : 1, sizeof *p);
	if (!p) {
		fprintf(stderr, "gpu_ops_check: out of memory\n");
		exit(2);
	}
	return p;
}

static size_t numel(const nl_shape *s)
{
	return (size_t)s->n * (size_t)s->c * (size_t)s->h * (size_t)s->w;
}

static nl_shape shape4(int n, int c, int h, int w)
{
	return (nl_shape){ 4, n, c, h, w };
}

static nl_shape shape2(int n, int c)
{
	return (nl_shape){ 2, n, c, 1, 1 };
}

/* max|a - b| / max|b|; when b is all zeros, the plain max|a - b|. */
static double rel_error(const float *a, const float *b, size_t n)
{
	double diff = 0.0, scale = 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - (double)b[i]);
		if (!(d <= diff))      /* also catches NaN */
			diff = isnan(d) ? INFINITY : d;
		if (fabs((double)b[i]) > scale)
			scale = fabs((double)b[i]);
	}
	return scale > 0.0 ? diff / scale : diff;
}

/* One result line: the case, then each tensor's error, then the verdict. */
typedef struct report {
	char text[512];
	size_t len;
	double worst;
} report;

static void report_add(report *r, const char *what, const float *gpu, const float *cpu,
                       size_t n)
{
	double e = rel_error(gpu, cpu, n);
	if (!(e <= r->worst))
		r->worst = isnan(e) ? INFINITY : e;
	if (r->len < sizeof r->text)
		r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "  %s %.1e",
		                           what, e);
}

static void report_end(report *r, const char *name)
{
	int ok = r->worst <= tolerance;
	cases++;
	if (!ok)
		failures++;
	printf("%-6s %-30s max %.2e %s |%s\n", mode_name, name, r->worst, ok ? "ok  " : "FAIL",
	       r->text);
	fflush(stdout);
}

/* ---- one step on one backend ------------------------------------------- */

typedef struct tcase {
	const char *name;
	nl_node node;
	int ninputs;
	nl_shape xs[NL_MAX_INPUTS];
	nl_shape ys;
	size_t nw, nb;          /* parameter counts (0 when none) */
	int bn;                 /* has running statistics */
	int training;
	int backward;
	int inplace;            /* y == x[0] and dx[0] == dy */
	unsigned accumulate;    /* bit i: dx_accumulate[i] with a prior dx */
	unsigned no_dx;         /* bit i: dx[i] is NULL */
} tcase;

/* The same host data for both backends. */
typedef struct tdata {
	float *x[NL_MAX_INPUTS], *dx0[NL_MAX_INPUTS], *dy, *w, *b, *rm, *rv;
} tdata;

/* What a backend produced. */
typedef struct tresult {
	float *y, *dx[NL_MAX_INPUTS], *dw, *db, *rm, *rv;
} tresult;

static void *dev(nl_backend *be, size_t bytes)
{
	void *p = be->alloc(be, bytes);
	if (!p) {
		fprintf(stderr, "gpu_ops_check: %s: cannot allocate %zu bytes\n", be->name, bytes);
		exit(2);
	}
	return p;
}

static void *dev_from(nl_backend *be, const float *host, size_t n)
{
	void *p = dev(be, n * sizeof(float));
	be->upload(be, p, host, n * sizeof(float));
	return p;
}

static float *fetch(nl_backend *be, const float *p, size_t n)
{
	float *h = host_zero(n);
	be->download(be, h, p, n * sizeof(float));
	return h;
}

static int run_step(nl_backend *be, const tcase *tc, const tdata *d, tresult *r)
{
	nl_step s;
	memset(&s, 0, sizeof s);
	s.node = &tc->node;
	s.ninputs = tc->ninputs;
	s.ys = tc->ys;
	size_t ny = numel(&tc->ys);
	for (int i = 0; i < tc->ninputs; i++) {
		s.xs[i] = tc->xs[i];
		s.x[i] = dev_from(be, d->x[i], numel(&tc->xs[i]));
	}
	s.y = tc->inplace ? (float *)s.x[0] : dev(be, ny * sizeof(float));
	if (tc->backward) {
		s.dy = dev_from(be, d->dy, ny);
		for (int i = 0; i < tc->ninputs; i++) {
			if (tc->no_dx >> i & 1)
				continue;
			if (tc->inplace && i == 0) {
				s.dx[0] = (float *)s.dy;
				continue;
			}
			s.dx[i] = dev_from(be, d->dx0[i], numel(&tc->xs[i]));
			s.dx_accumulate[i] = tc->accumulate >> i & 1;
		}
	}
	if (tc->nw) {
		s.w = dev_from(be, d->w, tc->nw);
		s.b = dev_from(be, d->b, tc->nb);
		s.nw = tc->nw;
		s.nb = tc->nb;
		if (tc->backward) {
			s.dw = dev(be, tc->nw * sizeof(float));
			s.db = dev(be, tc->nb * sizeof(float));
		}
	}
	if (tc->bn) {
		s.running_mean = dev_from(be, d->rm, tc->nb);
		s.running_var = dev_from(be, d->rv, tc->nb);
	}
	s.rng_key = 0x0123456789abcdefull;

	size_t aux = 0, ws = 0;
	if (be->prepare(be, &s, &aux, &ws)) {
		fprintf(stderr, "gpu_ops_check: %s: prepare refused %s\n", be->name, tc->name);
		return -1;
	}
	s.aux_bytes = aux;
	s.aux = aux ? dev(be, aux) : NULL;
	be->workspace = ws ? dev(be, ws) : NULL;
	be->workspace_bytes = ws;

	be->forward[tc->node.kind](be, &s, tc->training);
	if (tc->backward)
		be->backward[tc->node.kind](be, &s);
	be->sync(be);

	r->y = fetch(be, s.y, ny);
	if (tc->backward) {
		for (int i = 0; i < tc->ninputs; i++)
			if (s.dx[i])
				r->dx[i] = fetch(be, s.dx[i], numel(&tc->xs[i]));
		if (s.dw) {
			r->dw = fetch(be, s.dw, tc->nw);
			r->db = fetch(be, s.db, tc->nb);
		}
	}
	if (tc->bn) {
		r->rm = fetch(be, s.running_mean, tc->nb);
		r->rv = fetch(be, s.running_var, tc->nb);
	}

	be->unprepare(be, &s);
	if (be->workspace)
		be->release(be, be->workspace);
	be->workspace = NULL;
	be->workspace_bytes = 0;
	if (s.aux)
		be->release(be, s.aux);
	for (int i = 0; i < tc->ninputs; i++) {
		if (s.dx[i] && !(tc->inplace && i == 0))
			be->release(be, s.dx[i]);
		be->release(be, (void *)s.x[i]);
	}
	if (!tc->inplace)
		be->release(be, s.y);
	if (s.dy)
		be->release(be, (void *)s.dy);
	be->release(be, s.w);
	be->release(be, s.b);
	be->release(be, s.dw);
	be->release(be, s.db);
	be->release(be, s.running_mean);
	be->release(be, s.running_var);
	return 0;
}

static void result_free(tresult *r)
{
	free(r->y);
	for (int i = 0; i < NL_MAX_INPUTS; i++)
		free(r->dx[i]);
	free(r->dw);
	free(r->db);
	free(r->rm);
	free(r->rv);
}

static void run_case(nl_backend *cpu, nl_backend *gpu, tcase tc)
{
	tdata d;
	memset(&d, 0, sizeof d);
	tc.node.ninputs = tc.ninputs;
	for (int i = 0; i < tc.ninputs; i++) {
		d.x[i] = host_random(numel(&tc.xs[i]), -1.0f, 1.0f);
		d.dx0[i] = host_random(numel(&tc.xs[i]), -1.0f, 1.0f);
	}
	d.dy = host_random(numel(&tc.ys), -1.0f, 1.0f);
	if (tc.nw) {
		d.w = host_random(tc.nw, -0.5f, 0.5f);
		d.b = host_random(tc.nb, -0.5f, 0.5f);
	}
	if (tc.bn) {
		d.rm = host_random(tc.nb, -0.2f, 0.2f);
		d.rv = host_random(tc.nb, 0.5f, 1.5f);
	}
	tc.node.shape = tc.ys;
	tc.node.shape.n = 1;

	tresult rc, rg;
	memset(&rc, 0, sizeof rc);
	memset(&rg, 0, sizeof rg);
	report rep = { .worst = 0.0 };
	if (run_step(cpu, &tc, &d, &rc) || run_step(gpu, &tc, &d, &rg)) {
		rep.worst = INFINITY;
		snprintf(rep.text, sizeof rep.text, "  (a backend refused the step)");
	} else {
		report_add(&rep, "y", rg.y, rc.y, numel(&tc.ys));
		for (int i = 0; i < tc.ninputs; i++) {
			if (!rc.dx[i] || !rg.dx[i])
				continue;
			char what[16];
			snprintf(what, sizeof what, "dx%d", i);
			report_add(&rep, tc.ninputs > 1 ? what : "dx", rg.dx[i], rc.dx[i],
			           numel(&tc.xs[i]));
		}
		if (rc.dw) {
			report_add(&rep, "dw", rg.dw, rc.dw, tc.nw);
			report_add(&rep, "db", rg.db, rc.db, tc.nb);
		}
		if (rc.rm) {
			report_add(&rep, "mean", rg.rm, rc.rm, tc.nb);
			report_add(&rep, "var", rg.rv, rc.rv, tc.nb);
		}
	}
	report_end(&rep, tc.name);
	result_free(&rc);
	result_free(&rg);
	for (int i = 0; i < tc.ninputs; i++) {
		free(d.x[i]);
		free(d.dx0[i]);
	}
	free(d.dy);
	free(d.w);
	free(d.b);
	free(d.rm);
	free(d.rv);
}

/* ---- the cases ----------------------------------------------------------- */

static int out_side(int in, int k, int s, int p)
{
	return (in + 2 * p - k) / s + 1;
}

static tcase conv_case(const char *name, int n, int c, int h, int w, int out, int kh, int kw,
                       int sh, int sw, int ph, int pw)
{
	tcase tc = { .name = name, .ninputs = 1, .training = 1, .backward = 1 };
	tc.node = (nl_node){ .kind = NL_CONV, .kh = kh, .kw = kw, .sh = sh, .sw = sw, .ph = ph,
	                     .pw = pw, .out = out };
	tc.xs[0] = shape4(n, c, h, w);
	tc.ys = shape4(n, out, out_side(h, kh, sh, ph), out_side(w, kw, sw, pw));
	tc.nw = (size_t)out * c * kh * kw;
	tc.nb = (size_t)out;
	return tc;
}

static tcase pool_case(const char *name, nl_kind kind, int n, int c, int h, int w, int kh,
                       int kw, int sh, int sw, int ph, int pw)
{
	tcase tc = { .name = name, .ninputs = 1, .training = 1, .backward = 1 };
	tc.node = (nl_node){ .kind = kind, .kh = kh, .kw = kw, .sh = sh, .sw = sw, .ph = ph,
	                     .pw = pw };
	tc.xs[0] = shape4(n, c, h, w);
	tc.ys = shape4(n, c, out_side(h, kh, sh, ph), out_side(w, kw, sw, pw));
	return tc;
}

static tcase unary_case(const char *name, nl_kind kind, nl_shape x)
{
	tcase tc = { .name = name, .ninputs = 1, .training = 1, .backward = 1 };
	tc.node = (nl_node){ .kind = kind };
	tc.xs[0] = x;
	tc.ys = x;
	return tc;
}

static tcase fc_case(const char *name, int n, int in, int out)
{
	tcase tc = { .name = name, .ninputs = 1, .training = 1, .backward = 1 };
	tc.node = (nl_node){ .kind = NL_FC, .out = out };
	tc.xs[0] = shape2(n, in);
	tc.ys = shape2(n, out);
	tc.nw = (size_t)out * in;
	tc.nb = (size_t)out;
	return tc;
}

static tcase bn_case(const char *name, nl_shape x, int training)
{
	tcase tc = { .name = name, .ninputs = 1, .training = training, .backward = training,
	             .bn = 1 };
	tc.node = (nl_node){ .kind = NL_BATCHNORM, .eps = 1e-5f, .momentum = 0.1f };
	tc.xs[0] = x;
	tc.ys = x;
	tc.nw = tc.nb = (size_t)x.c;
	return tc;
}

static void step_cases(nl_backend *cpu, nl_backend *gpu)
{
	/* Convolutions: LeNet's and AlexNet's kinds of shape, and odd ones. */
	run_case(cpu, gpu, conv_case("conv 5x5 pad 2 (lenet)", 4, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2));
	run_case(cpu, gpu, conv_case("conv 11x11/4 (alexnet)", 2, 1, 67, 67, 16, 11, 11, 4, 4, 1, 1));
	run_case(cpu, gpu, conv_case("conv 3x3 pad 1 c=19", 3, 19, 13, 11, 21, 3, 3, 1, 1, 1, 1));
	run_case(cpu, gpu, conv_case("conv 3x5/2x1 pad 2x0", 2, 5, 17, 14, 7, 3, 5, 2, 1, 2, 0));
	run_case(cpu, gpu, conv_case("conv 1x1/2 (projection)", 3, 8, 9, 9, 12, 1, 1, 2, 2, 0, 0));
	{
		tcase tc = conv_case("conv 3x3 dx accumulate", 2, 6, 10, 12, 5, 3, 3, 1, 1, 1, 1);
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
		tc = conv_case("conv 3x3 no dx (first layer)", 2, 3, 10, 12, 5, 3, 3, 1, 1, 1, 1);
		tc.no_dx = 1;
		run_case(cpu, gpu, tc);
	}

	/* Pooling. */
	run_case(cpu, gpu, pool_case("maxpool 2x2/2", NL_MAXPOOL, 3, 4, 14, 10, 2, 2, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("maxpool 3x3/2 (overlap)", NL_MAXPOOL, 2, 5, 13, 15, 3, 3, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("maxpool 3x3/1 pad 1", NL_MAXPOOL, 2, 3, 9, 7, 3, 3, 1, 1, 1, 1));
	run_case(cpu, gpu, pool_case("maxpool 3x2/2x1 pad 1x0", NL_MAXPOOL, 2, 3, 9, 7, 3, 2, 2, 1, 1, 0));
	run_case(cpu, gpu, pool_case("avgpool 2x2/2", NL_AVGPOOL, 3, 4, 14, 10, 2, 2, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("avgpool 3x3/2 pad 1", NL_AVGPOOL, 2, 5, 13, 11, 3, 3, 2, 2, 1, 1));
	{
		tcase tc = pool_case("maxpool dx accumulate", NL_MAXPOOL, 2, 3, 8, 8, 2, 2, 2, 2, 0, 0);
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
		tcase g = { .name = "global avgpool 7x5", .ninputs = 1, .training = 1, .backward = 1 };
		g.node = (nl_node){ .kind = NL_GAVGPOOL };
		g.xs[0] = shape4(3, 6, 7, 5);
		g.ys = shape4(3, 6, 1, 1);
		run_case(cpu, gpu, g);
	}

	/* Fully connected. */
	run_case(cpu, gpu, fc_case("fc 400 -> 120 (lenet)", 5, 400, 120));
	run_case(cpu, gpu, fc_case("fc 37 -> 10", 7, 37, 10));
	{
		tcase tc = fc_case("fc 300 -> 50 dx accumulate", 3, 300, 50);
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
	}

	/* Activations, out of place, in place, accumulating. */
	nl_kind acts[] = { NL_RELU, NL_SIGMOID, NL_TANH };
	const char *act_names[][3] = {
		{ "relu", "relu in place", "relu dx accumulate" },
		{ "sigmoid", "sigmoid in place", "sigmoid dx accumulate" },
		{ "tanh", "tanh in place", "tanh dx accumulate" },
	};
	for (int a = 0; a < 3; a++) {
		run_case(cpu, gpu, unary_case(act_names[a][0], acts[a], shape4(3, 5, 7, 9)));
		tcase tc = unary_case(act_names[a][1], acts[a], shape2(6, 33));
		tc.inplace = 1;
		run_case(cpu, gpu, tc);
		tc = unary_case(act_names[a][2], acts[a], shape4(2, 4, 5, 3));
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
	}
	run_case(cpu, gpu, unary_case("softmax rank 2", NL_SOFTMAX, shape2(6, 10)));
	run_case(cpu, gpu, unary_case("softmax rank 4 (channels)", NL_SOFTMAX, shape4(2, 7, 3, 4)));

	/* Dropout: the same key must drop the same elements. */
	{
		tcase tc = unary_case("dropout 0.5", NL_DROPOUT, shape2(8, 300));
		tc.node.p = 0.5f;
		run_case(cpu, gpu, tc);
		tc = unary_case("dropout 0.3 in place", NL_DROPOUT, shape4(2, 3, 11, 13));
		tc.node.p = 0.3f;
		tc.inplace = 1;
		run_case(cpu, gpu, tc);
		tc = unary_case("dropout eval (identity)", NL_DROPOUT, shape2(4, 50));
		tc.node.p = 0.5f;
		tc.training = 0;
		run_case(cpu, gpu, tc);
	}

	/* Flatten. */
	{
		tcase tc = unary_case("flatten", NL_FLATTEN, shape4(3, 4, 5, 6));
		tc.ys = shape2(3, 4 * 5 * 6);
		run_case(cpu, gpu, tc);
	}

	/* Batch normalization: per channel and per feature, train and eval. */
	run_case(cpu, gpu, bn_case("batchnorm rank 4 train", shape4(4, 6, 7, 5), 1));
	run_case(cpu, gpu, bn_case("batchnorm rank 2 train", shape2(16, 84), 1));
	run_case(cpu, gpu, bn_case("batchnorm rank 4 eval", shape4(3, 5, 6, 6), 0));
	run_case(cpu, gpu, bn_case("batchnorm rank 2 eval", shape2(8, 20), 0));
	{
		tcase tc = bn_case("batchnorm dx accumulate", shape4(3, 4, 5, 5), 1);
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
		tc = bn_case("batchnorm no dx", shape4(3, 4, 5, 5), 1);
		tc.no_dx = 1;
		run_case(cpu, gpu, tc);
	}

	/* Concatenation of three (Inception-like) and of two rank-2 inputs. */
	{
		tcase tc = { .name = "concat of 3, one accumulating", .ninputs = 3, .training = 1,
		             .backward = 1, .accumulate = 2 };
		tc.node = (nl_node){ .kind = NL_CONCAT };
		tc.xs[0] = shape4(2, 3, 6, 5);
		tc.xs[1] = shape4(2, 7, 6, 5);
		tc.xs[2] = shape4(2, 2, 6, 5);
		tc.ys = shape4(2, 12, 6, 5);
		run_case(cpu, gpu, tc);
		tcase t2 = { .name = "concat rank 2, one no dx", .ninputs = 2, .training = 1,
		             .backward = 1, .no_dx = 1 };
		t2.node = (nl_node){ .kind = NL_CONCAT };
		t2.xs[0] = shape2(5, 9);
		t2.xs[1] = shape2(5, 4);
		t2.ys = shape2(5, 13);
		run_case(cpu, gpu, t2);
	}

	/* Addition (residual joins). */
	{
		tcase tc = { .name = "add of 2", .ninputs = 2, .training = 1, .backward = 1,
		             .accumulate = 1 };
		tc.node = (nl_node){ .kind = NL_ADD };
		tc.xs[0] = tc.xs[1] = tc.ys = shape4(3, 4, 5, 6);
		run_case(cpu, gpu, tc);
		tc.name = "add of 3";
		tc.ninputs = 3;
		tc.accumulate = 4;
		tc.xs[2] = tc.ys;
		run_case(cpu, gpu, tc);
	}
}

/* ---- loss, sgd, gather --------------------------------------------------- */

static void loss_case(nl_backend *cpu, nl_backend *gpu, int n, int k)
{
	float *logits = host_random((size_t)n * k, -4.0f, 4.0f);
	int32_t *labels = malloc((size_t)n * sizeof *labels);
	for (int i = 0; i < n; i++)
		labels[i] = (int32_t)nl_rng_below(&rng, (uint32_t)k);
	float *dl[2], acc[2][2];
	nl_backend *bes[2] = { cpu, gpu };
	for (int b = 0; b < 2; b++) {
		nl_backend *be = bes[b];
		float *dlog = dev_from(be, logits, (size_t)n * k);
		int32_t *dlab = dev(be, (size_t)n * sizeof *dlab);
		be->upload(be, dlab, labels, (size_t)n * sizeof *dlab);
		float start[2] = { 1.5f, 2.0f };   /* acc adds to what is there */
		float *dacc = dev_from(be, start, 2);
		float *dgrad = dev(be, (size_t)n * k * sizeof(float));
		be->loss(be, dlog, dlab, n, k, dgrad, dacc);
		dl[b] = fetch(be, dgrad, (size_t)n * k);
		be->download(be, acc[b], dacc, sizeof acc[b]);
		be->release(be, dlog);
		be->release(be, dlab);
		be->release(be, dacc);
		be->release(be, dgrad);
	}
	char name[64];
	snprintf(name, sizeof name, "loss n=%d k=%d", n, k);
	report rep = { .worst = 0.0 };
	report_add(&rep, "dlogits", dl[1], dl[0], (size_t)n * k);
	report_add(&rep, "loss", &acc[1][0], &acc[0][0], 1);
	if (acc[1][1] != acc[0][1]) {
		rep.worst = INFINITY;
		rep.len += (size_t)snprintf(rep.text + rep.len, sizeof rep.text - rep.len,
		                            "  correct %g vs %g", acc[1][1], acc[0][1]);
	} else {
		rep.len += (size_t)snprintf(rep.text + rep.len, sizeof rep.text - rep.len,
		                            "  correct %g = %g", acc[1][1], acc[0][1]);
	}
	report_end(&rep, name);
	free(dl[0]);
	free(dl[1]);
	free(logits);
	free(labels);
}

static void sgd_case(nl_backend *cpu, nl_backend *gpu, size_t n, float momentum, float wd)
{
	float *w = host_random(n, -1.0f, 1.0f), *g = host_random(n, -1.0f, 1.0f);
	float *v = host_random(n, -0.1f, 0.1f);
	float *rw[2], *rv[2] = { NULL, NULL };
	nl_backend *bes[2] = { cpu, gpu };
	for (int b = 0; b < 2; b++) {
		nl_backend *be = bes[b];
		float *dw = dev_from(be, w, n), *dg = dev_from(be, g, n);
		float *dv = momentum != 0.0f ? dev_from(be, v, n) : NULL;
		/* Two steps, so the velocity's carry-over is exercised. */
		be->sgd(be, dw, dg, dv, n, 0.05f, momentum, wd);
		be->sgd(be, dw, dg, dv, n, 0.05f, momentum, wd);
		rw[b] = fetch(be, dw, n);
		if (dv)
			rv[b] = fetch(be, dv, n);
		be->release(be, dw);
		be->release(be, dg);
		be->release(be, dv);
	}
	char name[64];
	snprintf(name, sizeof name, "sgd m=%g wd=%g", momentum, wd);
	report rep = { .worst = 0.0 };
	report_add(&rep, "w", rw[1], rw[0], n);
	if (rv[0])
		report_add(&rep, "v", rv[1], rv[0], n);
	report_end(&rep, name);
	free(rw[0]);
	free(rw[1]);
	free(rv[0]);
	free(rv[1]);
	free(w);
	free(g);
	free(v);
}

static void gather_case(nl_backend *cpu, nl_backend *gpu, int n, int c, int h, int w, int oh,
                        int ow, int normalise)
{
	const int count = 50;
	size_t plane = (size_t)c * h * w;
	const float norm[6] = { 0.49f, 0.48f, 0.45f, 0.25f, 0.24f, 0.26f };   /* c == 3 */
	const float norm1[2] = { 0.29f, 0.35f };                              /* c == 1 */
	uint8_t *images = malloc((size_t)count * plane), *labels = malloc(count);
	int32_t *idx = malloc((size_t)n * sizeof *idx);
	for (size_t i = 0; i < (size_t)count * plane; i++)
		images[i] = (uint8_t)nl_rng_below(&rng, 256);
	for (int i = 0; i < count; i++)
		labels[i] = (uint8_t)nl_rng_below(&rng, 10);
	for (int i = 0; i < n; i++)
		idx[i] = (int32_t)nl_rng_below(&rng, count);
	size_t out_n = (size_t)n * c * oh * ow;
	float *out[2];
	int32_t lab[2][64];
	nl_backend *bes[2] = { cpu, gpu };
	for (int b = 0; b < 2; b++) {
		nl_backend *be = bes[b];
		uint8_t *dimg = dev(be, (size_t)count * plane), *dlab = dev(be, count);
		int32_t *didx = dev(be, (size_t)n * sizeof *didx), *dlo = dev(be, (size_t)n * 4);
		float *dout = dev(be, out_n * sizeof(float));
		be->upload(be, dimg, images, (size_t)count * plane);
		be->upload(be, dlab, labels, count);
		be->upload(be, didx, idx, (size_t)n * sizeof *didx);
		be->gather(be, dimg, dlab, didx, n, c, h, w, oh, ow,
		           normalise ? (c == 3 ? norm : norm1) : NULL, dout, dlo);
		out[b] = fetch(be, dout, out_n);
		be->download(be, lab[b], dlo, (size_t)n * sizeof(int32_t));
		be->release(be, dimg);
		be->release(be, dlab);
		be->release(be, didx);
		be->release(be, dlo);
		be->release(be, dout);
	}
	char name[64];
	snprintf(name, sizeof name, "gather %dx%dx%d -> %dx%d%s", c, h, w, oh, ow,
	         normalise ? " normalised" : "");
	report rep = { .worst = 0.0 };
	report_add(&rep, "images", out[1], out[0], out_n);
	if (memcmp(lab[0], lab[1], (size_t)n * sizeof(int32_t))) {
		rep.worst = INFINITY;
		rep.len += (size_t)snprintf(rep.text + rep.len, sizeof rep.text - rep.len,
		                            "  labels differ");
	}
	report_end(&rep, name);
	free(out[0]);
	free(out[1]);
	free(images);
	free(labels);
	free(idx);
}

static void fill_case(nl_backend *cpu, nl_backend *gpu)
{
	const size_t n = 1000;
	float *r[2];
	nl_backend *bes[2] = { cpu, gpu };
	for (int b = 0; b < 2; b++) {
		float *d = dev(bes[b], n * sizeof(float));
		bes[b]->fill(bes[b], d, 0.25f, n - 1);   /* the last one stays 0 */
		r[b] = fetch(bes[b], d, n);
		bes[b]->release(bes[b], d);
	}
	report rep = { .worst = 0.0 };
	report_add(&rep, "fill", r[1], r[0], n);
	if (r[1][n - 1] != 0.0f || r[1][0] != 0.25f)
		rep.worst = INFINITY;
	report_end(&rep, "fill and zeroed alloc");
	free(r[0]);
	free(r[1]);
}

static void all_cases(nl_backend *cpu, nl_backend *gpu)
{
	fill_case(cpu, gpu);
	step_cases(cpu, gpu);
	loss_case(cpu, gpu, 7, 10);
	loss_case(cpu, gpu, 256, 10);
	loss_case(cpu, gpu, 33, 1000);
	sgd_case(cpu, gpu, 10007, 0.9f, 5e-4f);
	sgd_case(cpu, gpu, 999, 0.0f, 0.0f);
	gather_case(cpu, gpu, 6, 1, 28, 28, 28, 28, 0);
	gather_case(cpu, gpu, 5, 1, 28, 28, 224, 224, 0);
	gather_case(cpu, gpu, 4, 1, 28, 28, 45, 37, 0);
	gather_case(cpu, gpu, 4, 1, 28, 28, 13, 20, 0);
	gather_case(cpu, gpu, 6, 3, 32, 32, 32, 32, 1);
	gather_case(cpu, gpu, 4, 3, 32, 32, 96, 96, 1);
	gather_case(cpu, gpu, 4, 1, 28, 28, 28, 28, 1);
}

int main(int argc, char **argv)
{
	int device = 0, cpu_vs_cpu = 0, want_off = 1, want_on = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--tf32") && i + 1 < argc) {
			const char *m = argv[++i];
			want_off = !strcmp(m, "off") || !strcmp(m, "both");
			want_on = !strcmp(m, "on") || !strcmp(m, "both");
		} else if (!strcmp(argv[i], "--cpu-vs-cpu")) {
			cpu_vs_cpu = 1;
		} else {
			fprintf(stderr, "usage: gpu_ops_check [--device N] [--tf32 on|off|both] "
			        "[--cpu-vs-cpu]\n");
			return 2;
		}
	}
	nl_backend *cpu = nl_cpu_backend_new(0);
	if (!cpu)
		return 2;
	for (int mode = 0; mode < 2; mode++) {
		int tf32 = mode == 1;
		if ((tf32 && !want_on) || (!tf32 && !want_off))
			continue;
		nl_backend *gpu = cpu_vs_cpu ? nl_cpu_backend_new(0) : nl_gpu_backend_new(device, tf32, 0);
		if (!gpu) {
			printf("gpu_ops_check: no usable GPU: nothing was checked\n");
			cpu->destroy(cpu);
			return 1;
		}
		tolerance = tf32 ? 5e-3 : 1e-5;
		mode_name = tf32 ? "tf32" : "fp32";
		printf("== %s vs %s, TF32 %s, limit %.0e\n", gpu->name, cpu->name, tf32 ? "on" : "off",
		       tolerance);
		all_cases(cpu, gpu);
		gpu->destroy(gpu);
	}
	cpu->destroy(cpu);
	printf("%d passed, %d failed\n", cases - failures, failures);
	return failures ? 1 : 0;
}
