/* gpu_ops_check.c - every GPU operation against the CPU backend.
 *
 * For each case, one step is built by hand (an nl_node and an nl_step, no
 * parser), given the same fresh random inputs, parameters, output gradient
 * and, where a case accumulates, the same prior input gradient on both
 * backends; forward (and backward) run on each, and every output tensor is
 * compared.  The CPU backend is the reference: it is checked against
 * double-precision loops and finite differences by its own tests.  A few
 * cases chain two steps (a convolution and the ReLU after it), since the
 * GPU folds that pair into one cuDNN call.
 *
 * The error of a tensor is max|gpu - cpu| / max|cpu| over the tensor: an
 * error relative to the tensor's scale, which neither blows up where a
 * single element is near zero nor hides a wrong element among large ones.
 * The loss's gradient is compared row by row the same way, so a row of a
 * confident prediction (gradients of 1e-9) is not measured against the
 * scale of an unsure one.  NaN and infinity must sit in the same places
 * on both sides; a NaN where a case plants none is a failure.  The limit
 * is 1e-5 with TF32 off and 5e-3 with TF32 on (TF32 keeps 10 mantissa
 * bits: one rounding is 2^-11 ~ 5e-4 relative, and a long dot product's
 * errors add up to a few of those).  Both modes run.
 *
 *   gpu_ops_check [--device N] [--tf32 on|off|both] [--group G[,G...]]
 *                 [--cpu-vs-cpu | --self-test | --probe] [--list-groups]
 *
 * --group runs only the named groups of cases (--list-groups names them),
 * so a group whose error ends the process can be run, and the others
 * still checked, one at a time.
 * --cpu-vs-cpu runs the same cases with a second CPU backend in the GPU's
 * place, which checks this harness on a machine without a GPU.
 * --self-test does that, then runs every case again against a CPU backend
 * carrying planted faults (the ones the GPU backend once had: NaN dropped
 * by ReLU and max pooling, the loss gradient's p - 1 in float and invalid
 * labels scored, batch-norm backward after an evaluation forward, a
 * batch-norm workspace nobody needs): each fault must make the cases
 * written to catch it fail, and no other case may fail.
 * --probe only starts the backend and runs three small cases (fill, a
 * convolution, a fully connected layer): whether the GPU can be used.
 *
 * Exit status: 0 every case passed, 1 a case failed, 2 bad usage, 3 the
 * backend could not start (without --cpu-vs-cpu, no usable GPU is that
 * failure: this program is meant for a GPU machine and must not pass
 * where it proved nothing).
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/backend.h"
#include "runtime/rng.h"

/* The planted faults of --self-test, and what each case is written to catch. */
enum {
	FAULT_RELU_NAN = 1,          /* ReLU's forward turns NaN into 0 */
	FAULT_MAXPOOL_NAN = 2,       /* max pooling passes over NaN */
	FAULT_LOSS_FLOAT = 4,        /* p - 1 in float; invalid labels scored */
	FAULT_BN_EVAL_BACKWARD = 8,  /* backward after an evaluation forward
	                                uses the training formula */
	FAULT_BN_WORKSPACE = 16,     /* batch norm asks a full-size workspace */
};

static nl_rng rng = { 0x5eed0f6e7c0ffeeull };
static int failures;
static int cases;
static double tolerance;
static const char *mode_name;
static const char *groups_wanted;     /* NULL: all */
static unsigned planted;              /* faults the checked backend carries */
static int probe_only;

static float uniform(float lo, float hi)
{
	return lo + (hi - lo) * (float)nl_rng_double(&rng);
}

static void *xmalloc(size_t bytes)
{
	void *p = malloc(bytes ? bytes : 1);
	if (!p) {
		fprintf(stderr, "gpu_ops_check: out of memory\n");
		exit(2);
	}
	return p;
}

static float *host_random(size_t n, float lo, float hi)
{
	float *p = xmalloc(n * sizeof *p);
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

/* ---- groups -------------------------------------------------------------- */

static const char *const group_names[] = {
	"fill", "conv", "fused", "pool", "fc", "activation", "softmax", "dropout",
	"flatten", "batchnorm", "concat", "add", "loss", "sgd", "gather",
};
#define NGROUPS (sizeof group_names / sizeof *group_names)

static const char *kind_group(nl_kind k)
{
	switch (k) {
	case NL_CONV: return "conv";
	case NL_MAXPOOL: case NL_AVGPOOL: case NL_GAVGPOOL: return "pool";
	case NL_FC: return "fc";
	case NL_RELU: case NL_SIGMOID: case NL_TANH: return "activation";
	case NL_SOFTMAX: return "softmax";
	case NL_DROPOUT: return "dropout";
	case NL_FLATTEN: return "flatten";
	case NL_BATCHNORM: return "batchnorm";
	case NL_CONCAT: return "concat";
	case NL_ADD: return "add";
	default: return "other";
	}
}

/* Whether the group's cases run; the first case of a group announces it,
 * so a run that dies names the group it died in. */
static int wanted(const char *group)
{
	static const char *announced;
	if (groups_wanted) {
		size_t len = strlen(group);
		const char *p = groups_wanted;
		int found = 0;
		while (*p && !found) {
			size_t span = strcspn(p, ",");
			found = span == len && !strncmp(p, group, len);
			p += span + (p[span] == ',');
		}
		if (!found)
			return 0;
	}
	if (announced != group) {
		printf("== group %s\n", group);
		fflush(stdout);
		announced = group;
	}
	return 1;
}

/* ---- comparison ------------------------------------------------------------ */

/* max|a - b| / max|b| over the finite elements of b; when b is all zeros,
 * the plain max|a - b|.  A NaN or an infinity on one side must be the same
 * on the other, or the error is infinite; *nonfinite counts those of b. */
static double rel_error(const float *a, const float *b, size_t n, size_t *nonfinite)
{
	double diff = 0.0, scale = 0.0;
	int mismatch = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(b[i]) || !isfinite(a[i])) {
			int same = (isnan(a[i]) && isnan(b[i])) || a[i] == b[i];
			mismatch |= !same;
			*nonfinite += !isfinite(b[i]);
			continue;
		}
		double d = fabs((double)a[i] - (double)b[i]);
		if (d > diff)
			diff = d;
		if (fabs((double)b[i]) > scale)
			scale = fabs((double)b[i]);
	}
	if (mismatch)
		return INFINITY;
	return scale > 0.0 ? diff / scale : diff;
}

/* One result line: the case, then each tensor's error, then the verdict. */
typedef struct report {
	char text[512];
	size_t len;
	double worst;
	int allow_nonfinite;     /* the case plants NaN: the reference has some */
	unsigned catches;        /* planted faults this case is written to catch */
} report;

static void report_text(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_text(report *r, const char *fmt, ...)
{
	if (r->len >= sizeof r->text)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		r->len += (size_t)k;
}

static void report_worst(report *r, double e)
{
	if (!(e <= r->worst))
		r->worst = isnan(e) ? INFINITY : e;
}

static void report_nonfinite(report *r, size_t nonfinite)
{
	if (!nonfinite)
		return;
	report_text(r, " (%zu non-finite)", nonfinite);
	if (!r->allow_nonfinite)
		r->worst = INFINITY;
}

static void report_add(report *r, const char *what, const float *gpu, const float *cpu,
                       size_t n)
{
	size_t nonfinite = 0;
	double e = rel_error(gpu, cpu, n, &nonfinite);
	report_worst(r, e);
	report_text(r, "  %s %.1e", what, e);
	report_nonfinite(r, nonfinite);
}

/* The same, each row of cols elements against its own scale. */
static void report_add_rows(report *r, const char *what, const float *gpu, const float *cpu,
                            size_t rows, size_t cols)
{
	size_t nonfinite = 0;
	double e = 0.0;
	for (size_t i = 0; i < rows; i++) {
		double ei = rel_error(gpu + i * cols, cpu + i * cols, cols, &nonfinite);
		if (!(ei <= e))
			e = ei;
	}
	report_worst(r, e);
	report_text(r, "  %s %.1e", what, e);
	report_nonfinite(r, nonfinite);
}

static void report_fail(report *r, const char *why)
{
	r->worst = INFINITY;
	report_text(r, "  %s", why);
}

/* Without planted faults a case passes when within the limit; with them,
 * a case written to catch one of them must fail, and any other pass. */
static void report_end(report *r, const char *group, const char *name)
{
	int within = r->worst <= tolerance;
	int expect_fail = (r->catches & planted) != 0;
	int ok = within != expect_fail;
	const char *verdict = !ok ? (expect_fail ? "MISSED" : "FAIL") : expect_fail ? "caught" : "ok";
	cases++;
	if (!ok)
		failures++;
	printf("%-6s %-10s %-36s max %.2e %-6s|%s\n", mode_name, group, name, r->worst, verdict,
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
	int nan_x;              /* NaN planted in this many cells of x[0] */
	int no_workspace;       /* prepare must ask for no shared workspace */
	unsigned catches;       /* planted faults the case is written to catch */
} tcase;

/* The same host data for both backends. */
typedef struct tdata {
	float *x[NL_MAX_INPUTS], *dx0[NL_MAX_INPUTS], *dy, *w, *b, *rm, *rv;
} tdata;

/* What a backend produced. */
typedef struct tresult {
	float *y, *dx[NL_MAX_INPUTS], *dw, *db, *rm, *rv;
	size_t ws;              /* the workspace prepare asked for */
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

/* A step's buffers on one backend, as the plan would lay them out:
 * everything assigned before prepare() sees the step. */
static void step_setup(nl_backend *be, const tcase *tc, const tdata *d, nl_step *s)
{
	memset(s, 0, sizeof *s);
	s->node = &tc->node;
	s->ninputs = tc->ninputs;
	s->ys = tc->ys;
	size_t ny = numel(&tc->ys);
	for (int i = 0; i < tc->ninputs; i++) {
		s->xs[i] = tc->xs[i];
		s->x[i] = dev_from(be, d->x[i], numel(&tc->xs[i]));
	}
	s->y = tc->inplace ? (float *)s->x[0] : dev(be, ny * sizeof(float));
	if (tc->backward) {
		s->dy = dev_from(be, d->dy, ny);
		for (int i = 0; i < tc->ninputs; i++) {
			if (tc->no_dx >> i & 1)
				continue;
			if (tc->inplace && i == 0) {
				s->dx[0] = (float *)s->dy;
				continue;
			}
			s->dx[i] = dev_from(be, d->dx0[i], numel(&tc->xs[i]));
			s->dx_accumulate[i] = tc->accumulate >> i & 1;
		}
	}
	if (tc->nw) {
		s->w = dev_from(be, d->w, tc->nw);
		s->b = dev_from(be, d->b, tc->nb);
		s->nw = tc->nw;
		s->nb = tc->nb;
		if (tc->backward) {
			s->dw = dev(be, tc->nw * sizeof(float));
			s->db = dev(be, tc->nb * sizeof(float));
		}
	}
	if (tc->bn) {
		s->running_mean = dev_from(be, d->rm, tc->nb);
		s->running_var = dev_from(be, d->rv, tc->nb);
	}
	s->rng_key = 0x0123456789abcdefull;
}

static int step_prepare(nl_backend *be, const tcase *tc, nl_step *s, size_t *ws)
{
	size_t aux = 0;
	*ws = 0;
	if (be->prepare(be, s, &aux, ws)) {
		fprintf(stderr, "gpu_ops_check: %s: prepare refused %s\n", be->name, tc->name);
		return -1;
	}
	s->aux_bytes = aux;
	s->aux = aux ? dev(be, aux) : NULL;
	return 0;
}

static void step_results(nl_backend *be, const tcase *tc, nl_step *s, tresult *r)
{
	r->y = fetch(be, s->y, numel(&tc->ys));
	if (tc->backward) {
		for (int i = 0; i < tc->ninputs; i++)
			if (s->dx[i])
				r->dx[i] = fetch(be, s->dx[i], numel(&tc->xs[i]));
		if (s->dw) {
			r->dw = fetch(be, s->dw, tc->nw);
			r->db = fetch(be, s->db, tc->nb);
		}
	}
	if (tc->bn) {
		r->rm = fetch(be, s->running_mean, tc->nb);
		r->rv = fetch(be, s->running_var, tc->nb);
	}
}

static void step_release(nl_backend *be, const tcase *tc, nl_step *s)
{
	be->unprepare(be, s);
	if (s->aux)
		be->release(be, s->aux);
	for (int i = 0; i < tc->ninputs; i++) {
		if (s->dx[i] && !(tc->inplace && i == 0))
			be->release(be, s->dx[i]);
		be->release(be, (void *)s->x[i]);
	}
	if (!tc->inplace)
		be->release(be, s->y);
	if (s->dy)
		be->release(be, (void *)s->dy);
	be->release(be, s->w);
	be->release(be, s->b);
	be->release(be, s->dw);
	be->release(be, s->db);
	be->release(be, s->running_mean);
	be->release(be, s->running_var);
}

static void set_workspace(nl_backend *be, size_t ws)
{
	if (be->workspace)
		be->release(be, be->workspace);
	be->workspace = ws ? dev(be, ws) : NULL;
	be->workspace_bytes = ws;
}

static int run_step(nl_backend *be, const tcase *tc, const tdata *d, tresult *r)
{
	nl_step s;
	step_setup(be, tc, d, &s);
	if (step_prepare(be, tc, &s, &r->ws))
		return -1;
	set_workspace(be, r->ws);
	be->forward[tc->node.kind](be, &s, tc->training);
	if (tc->backward)
		be->backward[tc->node.kind](be, &s);
	be->sync(be);
	step_results(be, tc, &s, r);
	step_release(be, tc, &s);
	set_workspace(be, 0);
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

static void data_make(tcase *tc, tdata *d)
{
	memset(d, 0, sizeof *d);
	tc->node.ninputs = tc->ninputs;
	for (int i = 0; i < tc->ninputs; i++) {
		d->x[i] = host_random(numel(&tc->xs[i]), -1.0f, 1.0f);
		d->dx0[i] = host_random(numel(&tc->xs[i]), -1.0f, 1.0f);
	}
	for (int k = 0; k < tc->nan_x; k++)
		d->x[0][nl_rng_below(&rng, (uint32_t)numel(&tc->xs[0]))] = NAN;
	d->dy = host_random(numel(&tc->ys), -1.0f, 1.0f);
	if (tc->nw) {
		d->w = host_random(tc->nw, -0.5f, 0.5f);
		d->b = host_random(tc->nb, -0.5f, 0.5f);
	}
	if (tc->bn) {
		d->rm = host_random(tc->nb, -0.2f, 0.2f);
		d->rv = host_random(tc->nb, 0.5f, 1.5f);
	}
	tc->node.shape = tc->ys;
	tc->node.shape.n = 1;
}

static void data_free(const tcase *tc, tdata *d)
{
	for (int i = 0; i < tc->ninputs; i++) {
		free(d->x[i]);
		free(d->dx0[i]);
	}
	free(d->dy);
	free(d->w);
	free(d->b);
	free(d->rm);
	free(d->rv);
}

static void compare_results(report *rep, const tcase *tc, tresult *rg, tresult *rc)
{
	report_add(rep, "y", rg->y, rc->y, numel(&tc->ys));
	for (int i = 0; i < tc->ninputs; i++) {
		if (!rc->dx[i] || !rg->dx[i])
			continue;
		char what[16];
		snprintf(what, sizeof what, "dx%d", i);
		report_add(rep, tc->ninputs > 1 ? what : "dx", rg->dx[i], rc->dx[i],
		           numel(&tc->xs[i]));
	}
	if (rc->dw) {
		report_add(rep, "dw", rg->dw, rc->dw, tc->nw);
		report_add(rep, "db", rg->db, rc->db, tc->nb);
	}
	if (rc->rm) {
		report_add(rep, "mean", rg->rm, rc->rm, tc->nb);
		report_add(rep, "var", rg->rv, rc->rv, tc->nb);
	}
	if (tc->no_workspace && rg->ws) {
		report_text(rep, "  workspace %zu bytes", rg->ws);
		rep->worst = INFINITY;
	}
}

static void run_case(nl_backend *cpu, nl_backend *gpu, tcase tc)
{
	const char *group = kind_group(tc.node.kind);
	if (!wanted(group))
		return;
	tdata d;
	data_make(&tc, &d);
	tresult rc, rg;
	memset(&rc, 0, sizeof rc);
	memset(&rg, 0, sizeof rg);
	report rep = { .worst = 0.0, .allow_nonfinite = tc.nan_x > 0, .catches = tc.catches };
	if (run_step(cpu, &tc, &d, &rc) || run_step(gpu, &tc, &d, &rg))
		report_fail(&rep, "(a backend refused the step)");
	else
		compare_results(&rep, &tc, &rg, &rc);
	report_end(&rep, group, tc.name);
	result_free(&rc);
	result_free(&rg);
	data_free(&tc, &d);
}

/* ---- a convolution and the ReLU after it --------------------------------
 *
 * The plan runs a ReLU in place over its producer's output when it is the
 * only consumer, and then the ReLU's dx, its dy and the convolution's dy
 * are one buffer.  The GPU backend folds such a pair into one cuDNN call
 * (bias and activation fused into the convolution), so the pair is
 * checked as the plan runs it: both prepared in order, then forward and
 * backward through both. */

typedef struct chain {
	const char *name;
	tcase conv;
	int inplace;
	int training, backward;
	int nan_bias;          /* channel 1's bias is NaN */
	unsigned catches;
} chain;

static int run_chain(nl_backend *be, chain *ch, const tdata *d, tresult *r)
{
	tcase *tc = &ch->conv;
	tcase relu = { .name = ch->name, .ninputs = 1, .training = ch->training,
	               .backward = ch->backward, .inplace = ch->inplace };
	relu.node = (nl_node){ .kind = NL_RELU, .ninputs = 1, .shape = tc->node.shape };
	relu.xs[0] = relu.ys = tc->ys;
	size_t ny = numel(&tc->ys);

	nl_step cs, rs;
	step_setup(be, tc, d, &cs);         /* conv: x, y, w, b, dx, dw, db */
	memset(&rs, 0, sizeof rs);
	rs.node = &relu.node;
	rs.ninputs = 1;
	rs.xs[0] = rs.ys = tc->ys;
	rs.x[0] = cs.y;
	rs.y = ch->inplace ? cs.y : dev(be, ny * sizeof(float));
	if (ch->backward) {
		/* The relu's dy is the data's dy; the conv's dy is the relu's dx,
		 * which in place is the relu's dy itself. */
		rs.dy = dev_from(be, d->dy, ny);
		rs.dx[0] = ch->inplace ? (float *)rs.dy : dev(be, ny * sizeof(float));
		be->release(be, (void *)cs.dy);
		cs.dy = rs.dx[0];
	}
	size_t ws_conv, ws_relu;
	if (step_prepare(be, tc, &cs, &ws_conv) || step_prepare(be, &relu, &rs, &ws_relu))
		return -1;
	set_workspace(be, ws_conv > ws_relu ? ws_conv : ws_relu);
	be->forward[NL_CONV](be, &cs, ch->training);
	be->forward[NL_RELU](be, &rs, ch->training);
	if (ch->backward) {
		be->backward[NL_RELU](be, &rs);
		be->backward[NL_CONV](be, &cs);
	}
	be->sync(be);
	r->y = fetch(be, rs.y, ny);
	if (ch->backward) {
		r->dx[0] = fetch(be, cs.dx[0], numel(&tc->xs[0]));
		r->dw = fetch(be, cs.dw, tc->nw);
		r->db = fetch(be, cs.db, tc->nb);
	}
	be->unprepare(be, &rs);
	if (rs.aux)
		be->release(be, rs.aux);
	if (!ch->inplace)
		be->release(be, rs.y);
	if (ch->backward) {
		if (!ch->inplace)
			be->release(be, rs.dx[0]);
		be->release(be, (void *)rs.dy);
		cs.dy = NULL;                   /* released just above */
	}
	step_release(be, tc, &cs);
	set_workspace(be, 0);
	return 0;
}

static void chain_case(nl_backend *cpu, nl_backend *gpu, chain ch)
{
	if (!wanted("fused"))
		return;
	tcase *tc = &ch.conv;
	tc->training = ch.training;
	tc->backward = ch.backward;
	tdata d;
	data_make(tc, &d);
	if (ch.nan_bias)
		d.b[1] = NAN;
	tresult rc, rg;
	memset(&rc, 0, sizeof rc);
	memset(&rg, 0, sizeof rg);
	report rep = { .worst = 0.0, .allow_nonfinite = ch.nan_bias, .catches = ch.catches };
	if (run_chain(cpu, &ch, &d, &rc) || run_chain(gpu, &ch, &d, &rg)) {
		report_fail(&rep, "(a backend refused a step)");
	} else {
		report_add(&rep, "y", rg.y, rc.y, numel(&tc->ys));
		if (ch.backward) {
			report_add(&rep, "dx", rg.dx[0], rc.dx[0], numel(&tc->xs[0]));
			report_add(&rep, "dw", rg.dw, rc.dw, tc->nw);
			report_add(&rep, "db", rg.db, rc.db, tc->nb);
		}
	}
	report_end(&rep, "fused", ch.name);
	result_free(&rc);
	result_free(&rg);
	data_free(tc, &d);
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

/* Batch norm never needs the shared workspace (its statistics are aux). */
static tcase bn_case(const char *name, nl_shape x, int training, int backward)
{
	tcase tc = { .name = name, .ninputs = 1, .training = training, .backward = backward,
	             .bn = 1, .no_workspace = 1, .catches = FAULT_BN_WORKSPACE };
	tc.node = (nl_node){ .kind = NL_BATCHNORM, .eps = 1e-5f, .momentum = 0.1f };
	tc.xs[0] = x;
	tc.ys = x;
	tc.nw = tc.nb = (size_t)x.c;
	if (backward && !training)
		tc.catches |= FAULT_BN_EVAL_BACKWARD;
	return tc;
}

static void conv_cases(nl_backend *cpu, nl_backend *gpu)
{
	/* LeNet's and AlexNet's kinds of shape, and odd ones. */
	run_case(cpu, gpu, conv_case("conv 5x5 pad 2 (lenet)", 4, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2));
	if (probe_only)
		return;
	run_case(cpu, gpu, conv_case("conv 11x11/4 (alexnet)", 2, 1, 67, 67, 16, 11, 11, 4, 4, 1, 1));
	run_case(cpu, gpu, conv_case("conv 3x3 pad 1 c=19", 3, 19, 13, 11, 21, 3, 3, 1, 1, 1, 1));
	run_case(cpu, gpu, conv_case("conv 3x5/2x1 pad 2x0", 2, 5, 17, 14, 7, 3, 5, 2, 1, 2, 0));
	run_case(cpu, gpu, conv_case("conv 1x1/2 (projection)", 3, 8, 9, 9, 12, 1, 1, 2, 2, 0, 0));
	tcase tc = conv_case("conv 3x3 dx accumulate", 2, 6, 10, 12, 5, 3, 3, 1, 1, 1, 1);
	tc.accumulate = 1;
	run_case(cpu, gpu, tc);
	tc = conv_case("conv 3x3 no dx (first layer)", 2, 3, 10, 12, 5, 3, 3, 1, 1, 1, 1);
	tc.no_dx = 1;
	run_case(cpu, gpu, tc);
	tc = conv_case("conv 3x3 eval forward", 2, 4, 9, 9, 6, 3, 3, 1, 1, 1, 1);
	tc.training = 0;
	tc.backward = 0;
	run_case(cpu, gpu, tc);
}

static void fused_cases(nl_backend *cpu, nl_backend *gpu)
{
	chain ch = { .name = "conv 3x3 + relu in place", .inplace = 1, .training = 1,
	             .backward = 1 };
	ch.conv = conv_case(ch.name, 3, 5, 11, 9, 8, 3, 3, 1, 1, 1, 1);
	chain_case(cpu, gpu, ch);
	ch.name = "conv 5x5 + relu in place (lenet)";
	ch.conv = conv_case(ch.name, 4, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2);
	chain_case(cpu, gpu, ch);
	ch.name = "conv 1x1 + relu in place";
	ch.conv = conv_case(ch.name, 2, 16, 7, 7, 24, 1, 1, 1, 1, 0, 0);
	chain_case(cpu, gpu, ch);
	ch.name = "conv 3x3 + relu out of place";
	ch.inplace = 0;
	ch.conv = conv_case(ch.name, 2, 4, 8, 10, 6, 3, 3, 1, 1, 1, 1);
	chain_case(cpu, gpu, ch);
	ch.name = "conv 3x3 + relu in place, eval";
	ch.inplace = 1;
	ch.training = 0;
	ch.backward = 0;
	ch.conv = conv_case(ch.name, 2, 4, 8, 10, 6, 3, 3, 1, 1, 1, 1);
	chain_case(cpu, gpu, ch);
	/* A NaN bias makes a whole channel NaN whatever the convolution's
	 * algorithm; the ReLU after it must keep it NaN. */
	ch.name = "conv 3x3 + relu in place, NaN bias";
	ch.training = 1;
	ch.nan_bias = 1;
	ch.catches = FAULT_RELU_NAN;
	ch.conv = conv_case(ch.name, 2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1);
	chain_case(cpu, gpu, ch);
}

static void pool_cases(nl_backend *cpu, nl_backend *gpu)
{
	run_case(cpu, gpu, pool_case("maxpool 2x2/2", NL_MAXPOOL, 3, 4, 14, 10, 2, 2, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("maxpool 3x3/2 (overlap)", NL_MAXPOOL, 2, 5, 13, 15, 3, 3, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("maxpool 3x3/1 pad 1", NL_MAXPOOL, 2, 3, 9, 7, 3, 3, 1, 1, 1, 1));
	run_case(cpu, gpu, pool_case("maxpool 3x2/2x1 pad 1x0", NL_MAXPOOL, 2, 3, 9, 7, 3, 2, 2, 1, 1, 0));
	run_case(cpu, gpu, pool_case("avgpool 2x2/2", NL_AVGPOOL, 3, 4, 14, 10, 2, 2, 2, 2, 0, 0));
	run_case(cpu, gpu, pool_case("avgpool 3x3/2 pad 1", NL_AVGPOOL, 2, 5, 13, 11, 3, 3, 2, 2, 1, 1));
	tcase tc = pool_case("maxpool dx accumulate", NL_MAXPOOL, 2, 3, 8, 8, 2, 2, 2, 2, 0, 0);
	tc.accumulate = 1;
	run_case(cpu, gpu, tc);
	/* NaN wins its window, as in PyTorch, so a diverging loss shows. */
	tc = pool_case("maxpool 2x2/2 NaN", NL_MAXPOOL, 2, 3, 8, 8, 2, 2, 2, 2, 0, 0);
	tc.nan_x = 5;
	tc.catches = FAULT_MAXPOOL_NAN;
	run_case(cpu, gpu, tc);
	tc = pool_case("maxpool 3x3/2 pad 1 NaN", NL_MAXPOOL, 2, 2, 9, 9, 3, 3, 2, 2, 1, 1);
	tc.nan_x = 4;
	tc.catches = FAULT_MAXPOOL_NAN;
	run_case(cpu, gpu, tc);
	tcase g = { .name = "global avgpool 7x5", .ninputs = 1, .training = 1, .backward = 1 };
	g.node = (nl_node){ .kind = NL_GAVGPOOL };
	g.xs[0] = shape4(3, 6, 7, 5);
	g.ys = shape4(3, 6, 1, 1);
	run_case(cpu, gpu, g);
}

static void fc_cases(nl_backend *cpu, nl_backend *gpu)
{
	run_case(cpu, gpu, fc_case("fc 400 -> 120 (lenet)", 5, 400, 120));
	if (probe_only)
		return;
	run_case(cpu, gpu, fc_case("fc 37 -> 10", 7, 37, 10));
	run_case(cpu, gpu, fc_case("fc 3 -> 700, batch 300", 300, 3, 700));
	tcase tc = fc_case("fc 300 -> 50 dx accumulate", 3, 300, 50);
	tc.accumulate = 1;
	run_case(cpu, gpu, tc);
}

static void activation_cases(nl_backend *cpu, nl_backend *gpu)
{
	nl_kind acts[] = { NL_RELU, NL_SIGMOID, NL_TANH };
	const char *act_names[][5] = {
		{ "relu", "relu in place", "relu dx accumulate", "relu NaN", "relu NaN in place" },
		{ "sigmoid", "sigmoid in place", "sigmoid dx accumulate", "sigmoid NaN",
		  "sigmoid NaN in place" },
		{ "tanh", "tanh in place", "tanh dx accumulate", "tanh NaN", "tanh NaN in place" },
	};
	for (int a = 0; a < 3; a++) {
		run_case(cpu, gpu, unary_case(act_names[a][0], acts[a], shape4(3, 5, 7, 9)));
		tcase tc = unary_case(act_names[a][1], acts[a], shape2(6, 33));
		tc.inplace = 1;
		run_case(cpu, gpu, tc);
		tc = unary_case(act_names[a][2], acts[a], shape4(2, 4, 5, 3));
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
		/* NaN in, NaN out (PyTorch's behaviour), so a diverging loss
		 * shows as NaN and stops training. */
		tc = unary_case(act_names[a][3], acts[a], shape4(2, 3, 5, 4));
		tc.nan_x = 6;
		tc.catches = acts[a] == NL_RELU ? FAULT_RELU_NAN : 0;
		run_case(cpu, gpu, tc);
		tc = unary_case(act_names[a][4], acts[a], shape2(4, 30));
		tc.nan_x = 5;
		tc.inplace = 1;
		tc.catches = acts[a] == NL_RELU ? FAULT_RELU_NAN : 0;
		run_case(cpu, gpu, tc);
	}
	/* GELU never runs in place (its backward reads x). */
	run_case(cpu, gpu, unary_case("gelu", NL_GELU, shape4(3, 5, 7, 9)));
	{
		tcase tc = unary_case("gelu dx accumulate", NL_GELU, shape2(6, 33));
		tc.accumulate = 1;
		run_case(cpu, gpu, tc);
	}
	run_case(cpu, gpu, unary_case("softmax rank 2", NL_SOFTMAX, shape2(6, 10)));
	run_case(cpu, gpu, unary_case("softmax rank 4 (channels)", NL_SOFTMAX, shape4(2, 7, 3, 4)));
}

static void dropout_flatten_cases(nl_backend *cpu, nl_backend *gpu)
{
	/* Dropout: the same key must drop the same elements. */
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

	tc = unary_case("flatten", NL_FLATTEN, shape4(3, 4, 5, 6));
	tc.ys = shape2(3, 4 * 5 * 6);
	run_case(cpu, gpu, tc);
}

static void batchnorm_cases(nl_backend *cpu, nl_backend *gpu)
{
	/* Per channel and per feature, train and eval. */
	run_case(cpu, gpu, bn_case("batchnorm rank 4 train", shape4(4, 6, 7, 5), 1, 1));
	run_case(cpu, gpu, bn_case("batchnorm rank 2 train", shape2(16, 84), 1, 1));
	run_case(cpu, gpu, bn_case("batchnorm rank 4 eval", shape4(3, 5, 6, 6), 0, 0));
	run_case(cpu, gpu, bn_case("batchnorm rank 2 eval", shape2(8, 20), 0, 0));
	tcase tc = bn_case("batchnorm dx accumulate", shape4(3, 4, 5, 5), 1, 1);
	tc.accumulate = 1;
	run_case(cpu, gpu, tc);
	tc = bn_case("batchnorm no dx", shape4(3, 4, 5, 5), 1, 1);
	tc.no_dx = 1;
	run_case(cpu, gpu, tc);
	/* Backward after an evaluation forward: the statistics are the
	 * running ones, constants, so dx = gamma dy / sqrt(var + eps). */
	run_case(cpu, gpu, bn_case("batchnorm rank 4 eval backward", shape4(3, 5, 6, 4), 0, 1));
	run_case(cpu, gpu, bn_case("batchnorm rank 2 eval backward", shape2(9, 30), 0, 1));
	tc = bn_case("batchnorm eval backward accumulate", shape4(2, 3, 5, 5), 0, 1);
	tc.accumulate = 1;
	run_case(cpu, gpu, tc);
	tc = bn_case("batchnorm eval backward no dx", shape4(2, 3, 4, 4), 0, 1);
	tc.no_dx = 1;
	tc.catches &= ~(unsigned)FAULT_BN_EVAL_BACKWARD;   /* dx is the difference */
	run_case(cpu, gpu, tc);
}

static void join_cases(nl_backend *cpu, nl_backend *gpu)
{
	/* Concatenation of three (Inception-like) and of two rank-2 inputs. */
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

	/* Addition (residual joins). */
	tcase ta = { .name = "add of 2", .ninputs = 2, .training = 1, .backward = 1,
	             .accumulate = 1 };
	ta.node = (nl_node){ .kind = NL_ADD };
	ta.xs[0] = ta.xs[1] = ta.ys = shape4(3, 4, 5, 6);
	run_case(cpu, gpu, ta);
	ta.name = "add of 3";
	ta.ninputs = 3;
	ta.accumulate = 4;
	ta.xs[2] = ta.ys;
	run_case(cpu, gpu, ta);
}

/* ---- loss, sgd, gather, fill --------------------------------------------- */

enum { LOGITS_PLAIN, LOGITS_CONFIDENT, LOGITS_MIXED, LOGITS_BAD_LABELS };

/* plain: logits in [-4, 4], random labels.  confident: the label's logit
 * 15 to 25 above the others, so p is 1 - 1e-8 or so and p - 1 exists only
 * where it is computed without cancellation.  mixed: confident, the label
 * the winner in half the rows and a loser in the others.  bad labels:
 * plain, with two labels outside 0..k-1 (the CPU reports them and makes the
 * loss NaN, so training stops; their rows get no gradient). */
static void loss_case(nl_backend *cpu, nl_backend *gpu, const char *name, int n, int k,
                      int kind)
{
	if (!wanted("loss"))
		return;
	float *logits = host_random((size_t)n * k, -4.0f, 4.0f);
	int32_t *labels = xmalloc((size_t)n * sizeof *labels);
	for (int i = 0; i < n; i++) {
		labels[i] = (int32_t)nl_rng_below(&rng, (uint32_t)k);
		if (kind == LOGITS_CONFIDENT || kind == LOGITS_MIXED) {
			float *z = logits + (size_t)i * k;
			int top = kind == LOGITS_MIXED && i % 2 ? (labels[i] + 1) % k : labels[i];
			for (int j = 0; j < k; j++)
				z[j] = uniform(-1.0f, 1.0f);
			z[top] = uniform(15.0f, 25.0f);
		}
	}
	if (kind == LOGITS_BAD_LABELS) {
		labels[1] = k;
		labels[n - 2] = -1;
	}
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
	report rep = { .worst = 0.0, .allow_nonfinite = kind == LOGITS_BAD_LABELS,
	               .catches = kind == LOGITS_PLAIN ? 0u : (unsigned)FAULT_LOSS_FLOAT };
	report_add_rows(&rep, "dlogits", dl[1], dl[0], (size_t)n, (size_t)k);
	report_add(&rep, "loss", &acc[1][0], &acc[0][0], 1);
	if (kind == LOGITS_BAD_LABELS && !isnan(acc[0][0]))
		report_fail(&rep, "(the reference's loss is not NaN)");
	if (acc[1][1] != acc[0][1])
		rep.worst = INFINITY;
	report_text(&rep, "  correct %g %s %g", acc[1][1], acc[1][1] == acc[0][1] ? "=" : "!=",
	            acc[0][1]);
	report_end(&rep, "loss", name);
	free(dl[0]);
	free(dl[1]);
	free(logits);
	free(labels);
}

static void sgd_case(nl_backend *cpu, nl_backend *gpu, size_t n, float momentum, float wd)
{
	if (!wanted("sgd"))
		return;
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
	report_end(&rep, "sgd", name);
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
	if (!wanted("gather"))
		return;
	const int count = 50;
	size_t plane = (size_t)c * h * w;
	const float norm[6] = { 0.49f, 0.48f, 0.45f, 0.25f, 0.24f, 0.26f };   /* c == 3 */
	const float norm1[2] = { 0.29f, 0.35f };                              /* c == 1 */
	uint8_t *images = xmalloc((size_t)count * plane), *labels = xmalloc(count);
	int32_t *idx = xmalloc((size_t)n * sizeof *idx);
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
	if (memcmp(lab[0], lab[1], (size_t)n * sizeof(int32_t)))
		report_fail(&rep, "labels differ");
	report_end(&rep, "gather", name);
	free(out[0]);
	free(out[1]);
	free(images);
	free(labels);
	free(idx);
}

static void fill_case(nl_backend *cpu, nl_backend *gpu)
{
	if (!wanted("fill"))
		return;
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
		report_fail(&rep, "(not 0.25 then a zeroed last)");
	report_end(&rep, "fill", "fill and zeroed alloc");
	free(r[0]);
	free(r[1]);
}

static void all_cases(nl_backend *cpu, nl_backend *gpu)
{
	fill_case(cpu, gpu);
	conv_cases(cpu, gpu);
	fc_cases(cpu, gpu);
	if (probe_only)
		return;
	fused_cases(cpu, gpu);
	pool_cases(cpu, gpu);
	activation_cases(cpu, gpu);
	dropout_flatten_cases(cpu, gpu);
	batchnorm_cases(cpu, gpu);
	join_cases(cpu, gpu);
	loss_case(cpu, gpu, "loss n=7 k=10", 7, 10, LOGITS_PLAIN);
	loss_case(cpu, gpu, "loss n=256 k=10", 256, 10, LOGITS_PLAIN);
	loss_case(cpu, gpu, "loss n=33 k=1000", 33, 1000, LOGITS_PLAIN);
	loss_case(cpu, gpu, "loss confident n=16 k=10", 16, 10, LOGITS_CONFIDENT);
	loss_case(cpu, gpu, "loss confident, half wrong", 12, 10, LOGITS_MIXED);
	loss_case(cpu, gpu, "loss two invalid labels", 8, 10, LOGITS_BAD_LABELS);
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

/* ---- planted faults (--self-test) ----------------------------------------
 *
 * A CPU backend whose table entries are wrapped to behave as the GPU
 * backend once did.  The wrappers work on host memory: they are only ever
 * installed on a CPU backend. */

static nl_backend real;     /* the CPU's own entries, saved before wrapping */

static void faulty_relu_forward(nl_backend *be, nl_step *s, int training)
{
	real.forward[NL_RELU](be, s, training);
	size_t n = numel(&s->ys);
	for (size_t i = 0; i < n; i++)
		if (isnan(s->y[i]))
			s->y[i] = 0.0f;
}

static void faulty_maxpool_forward(nl_backend *be, nl_step *s, int training)
{
	size_t n = numel(&s->xs[0]);
	float *x = xmalloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = isnan(s->x[0][i]) ? -INFINITY : s->x[0][i];
	const float *keep = s->x[0];
	s->x[0] = x;
	real.forward[NL_MAXPOOL](be, s, training);
	s->x[0] = keep;
	free(x);
}

/* The loss as the GPU kernel once computed it: float throughout, and an
 * invalid label scored against the row's maximum. */
static void faulty_loss(nl_backend *be, const float *logits, const int32_t *labels, int n,
                        int k, float *dlogits, float *acc)
{
	(void)be;
	double loss = 0.0;
	int correct = 0;
	float inv_n = 1.0f / (float)n;
	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * k;
		float m = z[0];
		int arg = 0;
		for (int j = 1; j < k; j++)
			if (z[j] > m) {
				m = z[j];
				arg = j;
			}
		float sum = 0.0f;
		for (int j = 0; j < k; j++)
			sum += expf(z[j] - m);
		int lab = labels[i];
		int valid = lab >= 0 && lab < k;
		float zl = valid ? z[lab] : m;
		loss += (double)(logf(sum) + m - zl);
		correct += valid && arg == lab;
		if (dlogits) {
			float *d = dlogits + (size_t)i * k;
			float inv = 1.0f / sum;
			for (int j = 0; j < k; j++)
				d[j] = (expf(z[j] - m) * inv - (j == lab ? 1.0f : 0.0f)) * inv_n;
		}
	}
	acc[0] += (float)loss;
	acc[1] += (float)correct;
}

/* The CPU records which forward ran in the first float of its aux
 * (runtime/cpu/batchnorm.c); claiming a training forward makes backward
 * use the training formula with the evaluation's statistics. */
static void faulty_batchnorm_backward(nl_backend *be, nl_step *s)
{
	float *flag = s->aux, keep = flag[0];
	flag[0] = 1.0f;
	real.backward[NL_BATCHNORM](be, s);
	flag[0] = keep;
}

static int faulty_prepare(nl_backend *be, nl_step *s, size_t *aux, size_t *ws)
{
	int rc = real.prepare(be, s, aux, ws);
	if (!rc && s->node->kind == NL_BATCHNORM)
		*ws = numel(&s->xs[0]) * sizeof(float);
	return rc;
}

static const struct fault_name {
	unsigned bit;
	const char *name;
} fault_names[] = {
	{ FAULT_RELU_NAN, "relu drops NaN" },
	{ FAULT_MAXPOOL_NAN, "max pooling drops NaN" },
	{ FAULT_LOSS_FLOAT, "loss p - 1 in float, invalid labels scored" },
	{ FAULT_BN_EVAL_BACKWARD, "batchnorm backward ignores an evaluation forward" },
	{ FAULT_BN_WORKSPACE, "batchnorm asks a full-size workspace" },
};

/* Plant one fault, so each is shown to be caught on its own. */
static void plant_fault(nl_backend *be, unsigned fault)
{
	real = *be;
	switch (fault) {
	case FAULT_RELU_NAN: be->forward[NL_RELU] = faulty_relu_forward; break;
	case FAULT_MAXPOOL_NAN: be->forward[NL_MAXPOOL] = faulty_maxpool_forward; break;
	case FAULT_LOSS_FLOAT: be->loss = faulty_loss; break;
	case FAULT_BN_EVAL_BACKWARD: be->backward[NL_BATCHNORM] = faulty_batchnorm_backward; break;
	case FAULT_BN_WORKSPACE: be->prepare = faulty_prepare; break;
	}
	planted = fault;
}

/* ---- main ------------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: gpu_ops_check [--device N] [--tf32 on|off|both] "
	        "[--group G[,G...]] [--cpu-vs-cpu | --self-test | --probe] [--list-groups]\n");
	return 2;
}

static int groups_known(const char *list)
{
	const char *p = list;
	while (*p) {
		size_t span = strcspn(p, ",");
		int found = 0;
		for (size_t g = 0; g < NGROUPS && !found; g++)
			found = strlen(group_names[g]) == span && !strncmp(p, group_names[g], span);
		if (!found) {
			fprintf(stderr, "gpu_ops_check: no group '%.*s' (--list-groups names them)\n",
			        (int)span, p);
			return 0;
		}
		p += span + (p[span] == ',');
	}
	return 1;
}

/* One pass over the cases against `other`; returns 0, or 3 when it could
 * not be made. */
static int pass(nl_backend *cpu, nl_backend *other, int tf32, const char *label)
{
	if (!other) {
		printf("gpu_ops_check: the backend did not start: nothing was checked\n");
		return 3;
	}
	tolerance = tf32 ? 5e-3 : 1e-5;
	mode_name = label;
	printf("== %s vs %s, TF32 %s, limit %.0e\n", other->name, cpu->name, tf32 ? "on" : "off",
	       tolerance);
	fflush(stdout);
	all_cases(cpu, other);
	other->destroy(other);
	return 0;
}

int main(int argc, char **argv)
{
	int device = 0, cpu_vs_cpu = 0, self_test = 0, want_off = 1, want_on = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--tf32") && i + 1 < argc) {
			const char *m = argv[++i];
			want_off = !strcmp(m, "off") || !strcmp(m, "both");
			want_on = !strcmp(m, "on") || !strcmp(m, "both");
			if (!want_off && !want_on)
				return usage();
		} else if (!strcmp(argv[i], "--group") && i + 1 < argc) {
			groups_wanted = argv[++i];
			if (!groups_known(groups_wanted))
				return 2;
		} else if (!strcmp(argv[i], "--list-groups")) {
			for (size_t g = 0; g < NGROUPS; g++)
				printf("%s\n", group_names[g]);
			return 0;
		} else if (!strcmp(argv[i], "--cpu-vs-cpu")) {
			cpu_vs_cpu = 1;
		} else if (!strcmp(argv[i], "--self-test")) {
			self_test = 1;
		} else if (!strcmp(argv[i], "--probe")) {
			probe_only = 1;
		} else {
			return usage();
		}
	}
	nl_backend *cpu = nl_cpu_backend_new(0);
	if (!cpu)
		return 2;
	int rc = 0;
	if (self_test) {
		/* The harness against itself, then against each planted fault:
		 * the cases written to catch it must fail, all others pass. */
		rc = pass(cpu, nl_cpu_backend_new(0), 0, "self");
		for (size_t f = 0; f < sizeof fault_names / sizeof *fault_names && !rc; f++) {
			nl_backend *faulty = nl_cpu_backend_new(0);
			printf("== planted fault: %s\n", fault_names[f].name);
			if (faulty)
				plant_fault(faulty, fault_names[f].bit);
			rc = pass(cpu, faulty, 0, "fault");
		}
	} else {
		for (int mode = 0; mode < 2 && !rc; mode++) {
			int tf32 = mode == 1;
			if ((tf32 && !want_on) || (!tf32 && !want_off) || (tf32 && probe_only))
				continue;
			nl_backend *other = cpu_vs_cpu ? nl_cpu_backend_new(0)
			                               : nl_gpu_backend_new(device, tf32, 0);
			rc = pass(cpu, other, tf32, tf32 ? "tf32" : "fp32");
		}
	}
	cpu->destroy(cpu);
	if (rc)
		return rc;
	printf("%d passed, %d failed\n", cases - failures, failures);
	return failures ? 1 : 0;
}
