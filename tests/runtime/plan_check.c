/* plan_check.c - the plan's wiring, checked end to end on the CPU backend.
 *
 * The per-kind kernels have their own gradient checks (tests/cpu/); this
 * test is about what the plan adds: shared gradient storage, in-place
 * steps, views, gradients that accumulate where a tensor feeds several
 * consumers (branches, identity shortcuts).  For small DAG-shaped networks
 * the gradient of the mean loss with respect to every parameter sampled is
 * compared with central finite differences of the plan's own forward pass,
 * on fresh random inputs.  A ReLU folded into its convolution must change
 * no bit of the loss or the gradients.  Then a tiny network must overfit
 * one batch, and two runs with one seed must agree bit for bit.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "lang/lang.h"
#include "runtime/plan/plan.h"
#include "runtime/rng.h"

static int failures;

static nl_graph *build(const char *src)
{
	nl_ctx *cx = nl_ctx_new();
	nl_graph *g = NULL;
	if (nl_load_string(cx, "<test>", 1, src, strlen(src)) == NL_OK)
		g = nl_build(cx);
	nl_ctx_free(cx);
	if (!g) {
		fprintf(stderr, "FAIL: could not build:\n%s\n", src);
		exit(1);
	}
	return g;
}

static void random_batch(nl_plan *p, nl_rng *r)
{
	const nl_shape *in = &p->g->nodes[0].shape;
	size_t n = (size_t)p->batch * in->c * in->h * in->w;
	for (size_t i = 0; i < n; i++)
		p->input[i] = (float)(2 * nl_rng_double(r) - 1);
	for (int i = 0; i < p->batch; i++)
		p->labels[i] = (int32_t)nl_rng_below(r, (uint32_t)p->classes);
}

static double mean_loss(nl_plan *p)
{
	double l, c;
	nl_plan_reset_acc(p);
	p->forwards = 0;   /* the dropout mask of the analytic pass, every time */
	nl_plan_forward(p, 1);
	nl_plan_loss(p, p->batch, 0);
	nl_plan_read_acc(p, &l, &c);
	return l / p->batch;
}

/* Central difference of the mean loss in parameter i, restoring it. */
static double central(nl_plan *p, size_t i, float keep, double h)
{
	p->params[i] = (float)(keep + h);
	double lp = mean_loss(p);
	p->params[i] = (float)(keep - h);
	double lm = mean_loss(p);
	p->params[i] = keep;
	return (lp - lm) / (2 * h);
}

/* What one forward/backward of a plan gave. */
typedef struct pass {
	float *grads;        /* every parameter's; the caller frees */
	size_t np;
	double loss;         /* summed over the batch */
	int folded;          /* ReLU steps the plan folded into convolutions */
	int lost;            /* ... of which the convolution was not told */
} pass;

/* One forward/backward in a plan made with `flags`.  Inputs and the
 * parameter jitter follow from seed alone, so two plans of one net see
 * the same numbers.  grads is NULL when no plan could be made. */
static pass plan_pass(const nl_graph *g, int batch, uint64_t seed, int flags)
{
	nl_backend *be = nl_cpu_backend_new(1);
	nl_plan *p = nl_plan_new(be, g, batch, flags);
	pass out = { 0 };
	if (p) {
		nl_rng r = { seed };
		nl_plan_init_params(p, seed);
		for (size_t i = 0; i < p->layout.nparams; i++)
			p->params[i] += (float)(0.1 * (2 * nl_rng_double(&r) - 1));
		random_batch(p, &r);
		nl_plan_reset_acc(p);
		nl_plan_forward(p, 1);
		nl_plan_loss(p, p->batch, 1);
		nl_plan_backward(p);
		double correct;
		nl_plan_read_acc(p, &out.loss, &correct);
		for (int i = 0; i < p->nsteps; i++)
			if (p->folded[i]) {
				out.folded++;
				out.lost += !p->steps[p->g->nodes[i].inputs[0]].fuse_relu &&
				            !p->steps[p->g->nodes[i].inputs[0]].fuse_sigmoid;
			}
		out.np = p->layout.nparams;
		out.grads = malloc(out.np * sizeof *out.grads);
		memcpy(out.grads, p->grads, out.np * sizeof *out.grads);
	}
	nl_plan_free(p);
	be->destroy(be);
	return out;
}

static float *plan_grads(const nl_graph *g, int batch, uint64_t seed, int flags, size_t *np)
{
	pass r = plan_pass(g, batch, seed, flags);
	*np = r.np;
	return r.grads;
}

/* A ReLU or sigmoid folded into the convolution before it (nl_step's
 * fuse_relu, fuse_sigmoid) does the same arithmetic as its own step: the
 * same values meet the same comparison with zero or the same expression
 * 1 / (1 + e^-x), and backward feeds the convolution the same gradient
 * (masked, or times y (1 - y) in the same order), so the loss and every
 * gradient must agree bit for bit with the fusion off.  `want` is how
 * many the plan must fold (one whose convolution's output has another
 * reader must not be). */
static void fusion_check(const char *name, const char *src, int batch, uint64_t seed, int want)
{
	nl_graph *g = build(src);
	pass a = plan_pass(g, batch, seed, NL_PLAN_TRAIN);
	pass b = plan_pass(g, batch, seed, NL_PLAN_TRAIN | NL_PLAN_NO_FUSE);
	double worst = 0;
	int same = a.grads && b.grads && a.np == b.np && a.loss == b.loss;
	for (size_t i = 0; same && i < a.np; i++)
		if (a.grads[i] != b.grads[i]) {
			same = 0;
			worst = fabs((double)a.grads[i] - b.grads[i]);
		}
	int ok = same && a.folded == want && !a.lost && b.folded == 0;
	const char *conv = getenv("NL_CPU_CONV");
	printf("%s %s%s%s: %d activations folded into their convolutions (want %d, %d not told); "
	       "loss %.6f and %zu gradients %s the unfused plan's\n", ok ? "ok" : "FAIL", name,
	       conv ? " with " : "", conv ? conv : "", a.folded, want, a.lost, a.loss / batch,
	       a.np, same ? "identical to" : "differ from");
	if (!same && a.grads && b.grads)
		printf("  %s: loss %.9g against %.9g, first gradient off by %.3g\n", name, a.loss,
		       b.loss, worst);
	failures += !ok;
	free(a.grads);
	free(b.grads);
	nl_graph_free(g);
}

/* NL_CPU_FUSE=0 turns the fusion off in the backend, whatever the plan
 * asks, and the gradients are the same. */
static void fusion_env_check(const char *src, int batch, uint64_t seed)
{
	nl_graph *g = build(src);
	pass a = plan_pass(g, batch, seed, NL_PLAN_TRAIN);
	setenv("NL_CPU_FUSE", "0", 1);
	pass b = plan_pass(g, batch, seed, NL_PLAN_TRAIN);
	unsetenv("NL_CPU_FUSE");
	int ok = a.grads && b.grads && a.folded > 0 && !a.lost && b.folded == 0 && a.np == b.np &&
	         memcmp(a.grads, b.grads, a.np * sizeof *a.grads) == 0;
	printf("%s NL_CPU_FUSE=0: %d ReLUs folded (%d without it), same gradients\n",
	       ok ? "ok" : "FAIL", b.folded, a.folded);
	failures += !ok;
	free(a.grads);
	free(b.grads);
	nl_graph_free(g);
}

/* In-place ReLU and dropout, and views, must not change a single bit of
 * the gradients. */
static void in_place_check(const char *name, const char *src, int batch, uint64_t seed)
{
	nl_graph *g = build(src);
	size_t na = 0, nb = 0;
	float *a = plan_grads(g, batch, seed, NL_PLAN_TRAIN, &na);
	float *b = plan_grads(g, batch, seed, NL_PLAN_TRAIN | NL_PLAN_NO_IN_PLACE, &nb);
	int same = a && b && na == nb && memcmp(a, b, na * sizeof *a) == 0;
	printf("%s %s: in-place and separate buffers give identical gradients (%zu parameters)\n",
	       same ? "ok" : "FAIL", name, na);
	failures += !same;
	free(a);
	free(b);
	nl_graph_free(g);
}

/* The residual join runs in place over its first input, the second
 * batchnorm's output (nothing else reads it, and neither's backward reads
 * it), and not with NL_PLAN_NO_IN_PLACE: counts the add steps whose
 * output is their first input's storage, and their gradients too. */
static int adds_in_place(const nl_graph *g, int flags)
{
	nl_backend *be = nl_cpu_backend_new(1);
	nl_plan *p = nl_plan_new(be, g, 2, NL_PLAN_TRAIN | flags);
	int n = p ? 0 : -1;
	for (int i = 1; p && i < p->nsteps; i++) {
		const nl_step *s = &p->steps[i];
		if (g->nodes[i].kind == NL_ADD && s->y == s->x[0] && s->dx[0] == s->dy)
			n++;
	}
	nl_plan_free(p);
	be->destroy(be);
	return n;
}

static void add_in_place_check(const char *name, const char *src)
{
	nl_graph *g = build(src);
	int on = adds_in_place(g, 0), off = adds_in_place(g, NL_PLAN_NO_IN_PLACE);
	int ok = on == 1 && off == 0;
	printf("%s %s: the add runs in place over its batchnorm (%d add in place; %d without "
	       "in-place steps)\n", ok ? "ok" : "FAIL", name, on, off);
	failures += !ok;
	nl_graph_free(g);
}

/* Training plans keep activations and gradients in one arena: a gradient
 * of node i may lie over the activation of node k only when k's storage is
 * dead while i's gradient lives, that is when k comes after every consumer
 * of i (backward runs from the last node down, and k's own backward is the
 * last to read it).  Counts the overlaps; every one must keep that rule,
 * and a chain as deep as `wide` must have some. */
static void lifetime_check(const char *name, const char *src, int batch)
{
	nl_graph *g = build(src);
	nl_backend *be = nl_cpu_backend_new(1);
	nl_plan *p = nl_plan_new(be, g, batch, NL_PLAN_TRAIN);
	int overlaps = 0, broken = 0;
	for (int i = 1; p && i < p->nsteps; i++) {
		const nl_step *si = &p->steps[i];
		if (!si->dy)
			continue;
		int last = i;   /* i's last consumer (the loss for the logits) */
		for (int c = i + 1; c < g->nnodes; c++)
			for (int k = 0; k < g->nodes[c].ninputs; k++)
				if (g->nodes[c].inputs[k] == i)
					last = c;
		if (i == p->logits)
			last = g->nnodes;
		size_t gb = (size_t)p->batch * si->ys.c * si->ys.h * si->ys.w * sizeof(float);
		for (int k = 0; k < p->nsteps; k++) {
			const nl_step *sk = &p->steps[k];
			size_t ab = (size_t)p->batch * sk->ys.c * sk->ys.h * sk->ys.w * sizeof(float);
			const char *a0 = (const char *)sk->y, *g0 = (const char *)si->dy;
			if (a0 < g0 + gb && g0 < a0 + ab) {
				overlaps++;
				broken += k <= last;
			}
		}
	}
	int ok = p && overlaps > 0 && broken == 0;
	printf("%s %s: %d activations under gradients, each dead by then (%d not)\n",
	       ok ? "ok" : "FAIL", name, overlaps, broken);
	failures += !ok;
	nl_plan_free(p);
	be->destroy(be);
	nl_graph_free(g);
}

/* smooth: every parameter, none may miss.  Otherwise (ReLU, max): 60
 * sampled, kinks skipped, and 90% must agree, since a unit that flips
 * within the step can hide from the two-step test. */
static void grad_check(const char *name, const char *src, int batch, uint64_t seed, int smooth)
{
	nl_graph *g = build(src);
	nl_backend *be = nl_cpu_backend_new(1);
	nl_plan *p = nl_plan_new(be, g, batch, 1);
	if (!p) {
		printf("FAIL %s: no plan\n", name);
		failures++;
		goto out;
	}
	nl_rng r = { seed };
	nl_plan_init_params(p, seed);
	/* Non-zero biases and batchnorm shifts, so that every path matters. */
	for (size_t i = 0; i < p->layout.nparams; i++)
		p->params[i] += (float)(0.1 * (2 * nl_rng_double(&r) - 1));
	random_batch(p, &r);

	nl_plan_reset_acc(p);
	nl_plan_forward(p, 1);
	nl_plan_loss(p, p->batch, 1);
	nl_plan_backward(p);

	size_t np = p->layout.nparams;
	float *analytic = malloc(np * sizeof *analytic);
	memcpy(analytic, p->grads, np * sizeof *analytic);
	const double h = 1e-3;
	double worst = 0;
	int checked = 0, bad = 0, kinks = 0;
	int all = smooth || getenv("NETLANG_TEST_ALL") != NULL;   /* every parameter */
	for (size_t t = 0; t < (all ? np : 60); t++) {
		size_t i = all ? t : nl_rng_below(&r, (uint32_t)np);
		float keep = p->params[i];
		double fd = central(p, i, keep, h), fd2 = central(p, i, keep, h / 2);
		double err = fabs(fd - analytic[i]);
		double tol = 2e-3 + 3e-2 * fmax(fabs(fd), fabs(analytic[i]));
		/* A ReLU or a max that flips inside [-h, h] makes the finite
		 * difference itself unreliable; two step sizes that disagree
		 * reveal it.  Such points are skipped, and counted. */
		if (fabs(fd - fd2) > tol) {
			kinks++;
			continue;
		}
		if (err > tol) {
			if (bad < 5)
				printf("  %s: param %zu analytic %.6g finite-difference %.6g\n", name, i,
				       analytic[i], fd);
			bad++;
		}
		if (err / (fabs(fd) + 1e-3) > worst)
			worst = err / (fabs(fd) + 1e-3);
		checked++;
	}
	/* Too many kinks and the check proves nothing. */
	int too_kinky = kinks * 5 > checked + kinks;
	int failed = too_kinky || (smooth ? bad != 0 : bad * 10 > checked);
	printf("%s %s: %d parameters checked, %d off, worst relative error %.2e, %d skipped at "
	       "kinks (seed %llu)\n", failed ? "FAIL" : "ok", name, checked, bad, worst, kinks,
	       (unsigned long long)seed);
	failures += failed;
	free(analytic);
out:
	nl_plan_free(p);
	be->destroy(be);
	nl_graph_free(g);
}

/* Train a tiny net on one fixed batch; return the final mean loss and
 * leave the parameters in out (np floats) when out is not NULL. */
static double overfit(uint64_t seed, float *out, size_t *np_out)
{
	nl_graph *g = build("input 1x8x8\nconv 3x3 -> 8 pad 1\nrelu\nmaxpool 2x2\n"
	                    "flatten\nfc 32\nrelu\nfc 10\n");
	nl_backend *be = nl_cpu_backend_new(1);
	nl_plan *p = nl_plan_new(be, g, 32, 1);
	nl_rng r = { seed };
	nl_plan_init_params(p, seed);
	random_batch(p, &r);
	double loss = 0;
	for (int step = 0; step < 400; step++) {
		nl_plan_reset_acc(p);
		nl_plan_forward(p, 1);
		nl_plan_loss(p, p->batch, 1);
		nl_plan_backward(p);
		nl_plan_update(p, 0.1f, 0.9f, 0.0f);
		double c;
		nl_plan_read_acc(p, &loss, &c);
		loss /= p->batch;
	}
	if (out)
		memcpy(out, p->params, p->layout.nparams * sizeof *out);
	if (np_out)
		*np_out = p->layout.nparams;
	nl_plan_free(p);
	be->destroy(be);
	nl_graph_free(g);
	return loss;
}

/* Networks with ReLU and max: in-place steps, kinks. */
static const char chain[] =
	"input 1x9x9\nconv 3x3/2 -> 4 pad 1\nrelu\nmaxpool 2x2\nflatten\nfc 7\nrelu\n"
	"dropout 0.3\nfc 3\n";
static const char branches[] =
	"input 2x7x7\nconv 3x3 -> 4 pad 1\nrelu\n"
	"concat {\n branch { conv 1x1 -> 3 }\n branch { }\n branch { maxpool 3x3/1 pad 1 }\n}\n"
	"add {\n branch { conv 3x3 -> 11 pad 1; relu }\n branch { }\n}\nrelu\n"
	"avgpool global\nflatten\nfc 5\n";
static const char residual[] =
	"input 1x6x6\nconv 3x3 -> 4 pad 1\nbatchnorm\nrelu\n"
	"add {\n branch { conv 3x3 -> 4 pad 1; batchnorm; relu; conv 3x3 -> 4 pad 1; batchnorm }\n"
	" branch { conv 1x1 -> 4 }\n}\nrelu\nflatten\nfc 8\nbatchnorm\nrelu\nfc 3\n";
/* Wide enough for the im2col path's shared sgemm (32 output channels)
 * and for Winograd (16 channels on both sides of a 3x3 stride-1 layer). */
static const char wide[] =
	"input 16x7x6\nconv 3x3 -> 32 pad 1\nrelu\nconv 3x3 -> 16 pad 1\nrelu\n"
	"conv 3x3 -> 16 pad 2\nrelu\nmaxpool 2x2\nflatten\nfc 5\n";
/* The convolution's output has a second reader: no fusion. */
static const char shared_output[] =
	"input 2x6x6\nconv 3x3 -> 4 pad 1\n"
	"add {\n branch { relu }\n branch { }\n}\nflatten\nfc 3\n";
/* LeNet's pattern: a sigmoid after each convolution (folded) and after
 * the first fc (a step of its own, in place). */
static const char sigmoids[] =
	"input 1x12x12\nconv 5x5 -> 6 pad 2\nsigmoid\navgpool 2x2/2\nconv 5x5 -> 16\n"
	"sigmoid\navgpool 2x2/2\nflatten\nfc 10\nsigmoid\nfc 3\n";
/* Smooth ones: every parameter must match. */
static const char smooth_chain[] =
	"input 2x8x6\nconv 3x2 -> 3\nsigmoid\navgpool 2x2/1\nflatten\nfc 6\ntanh\nfc 4\nsoftmax\n";
static const char smooth_branches[] =
	"input 2x7x7\nconv 3x3 -> 4 pad 1\ntanh\n"
	"concat {\n branch { conv 1x1 -> 3 }\n branch { }\n branch { avgpool 3x3/1 pad 1 }\n}\n"
	"add {\n branch { conv 3x3 -> 11 pad 1; tanh }\n branch { }\n branch { }\n}\n"
	"batchnorm\navgpool global\nflatten\nfc 5\n";

/* A backend whose table misses a kind is refused with the kind named
 * (nl_backend_check), instead of a NULL call mid-step. */
static void table_check(void)
{
	nl_backend *be = nl_cpu_backend_new(1);
	FILE *cap = tmpfile();
	if (!be || !cap) {
		failures++;
		return;
	}
	int whole = nl_backend_check(be) == 0;
	void (*saved)(nl_backend *, nl_step *) = be->backward[NL_TANH];
	be->backward[NL_TANH] = NULL;
	fflush(stderr);
	int fd = dup(2);
	dup2(fileno(cap), 2);
	int missing = nl_backend_check(be);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	be->backward[NL_TANH] = saved;
	char msg[256] = "";
	rewind(cap);
	size_t got = fread(msg, 1, sizeof msg - 1, cap);
	msg[got] = '\0';
	fclose(cap);
	int ok = whole && missing == -1 && strstr(msg, "backward") && strstr(msg, "'tanh'");
	printf("%s backend table: complete for the cpu; a missing entry refused (%s)\n",
	       ok ? "ok" : "FAIL", got ? strtok(msg, "\n") : "no message");
	failures += !ok;
	be->destroy(be);
}

int main(void)
{
	uint64_t seed = (uint64_t)time(NULL);
	const char *env = getenv("NETLANG_TEST_SEED");
	if (env)
		seed = strtoull(env, NULL, 10);

	table_check();
	grad_check("smooth-chain", smooth_chain, 2, seed + 1, 1);
	grad_check("smooth-branches", smooth_branches, 3, seed + 4, 1);
	grad_check("chain", chain, 3, seed, 0);
	grad_check("branches", branches, 2, seed + 2, 0);
	grad_check("batchnorm-residual", residual, 4, seed + 3, 0);
	in_place_check("chain", chain, 3, seed);
	in_place_check("branches", branches, 2, seed + 2);
	in_place_check("batchnorm-residual", residual, 4, seed + 3);
	add_in_place_check("batchnorm-residual", residual);
	lifetime_check("wide", wide, 3);
	lifetime_check("batchnorm-residual", residual, 4);
	lifetime_check("branches", branches, 2);
	fusion_check("chain", chain, 3, seed, 1);
	fusion_check("branches", branches, 2, seed + 2, 2);
	fusion_check("batchnorm-residual", residual, 4, seed + 3, 0);
	fusion_check("shared-output", shared_output, 2, seed + 5, 0);
	fusion_check("wide", wide, 3, seed + 6, 3);
	/* Every convolution algorithm's fused pass: */
	setenv("NL_CPU_CONV", "winograd", 1);
	fusion_check("wide", wide, 3, seed + 6, 3);
	setenv("NL_CPU_CONV", "im2col", 1);
	fusion_check("wide", wide, 3, seed + 6, 3);
	/* The sigmoid: computed in lanes.c's passes (a batch of a group and
	 * a part), or as its own passes around the other paths. */
	fusion_check("sigmoids", sigmoids, 21, seed + 7, 2);
	setenv("NL_CPU_CONV", "lanes", 1);
	fusion_check("sigmoids", sigmoids, 21, seed + 7, 2);
	setenv("NL_CPU_CONV", "direct", 1);
	fusion_check("sigmoids", sigmoids, 21, seed + 7, 2);
	unsetenv("NL_CPU_CONV");
	fusion_check("sigmoids", sigmoids, 21, seed + 7, 2);
	fusion_env_check(chain, 3, seed);

	size_t np = 0;
	overfit(seed, NULL, &np);
	float *a = malloc(np * sizeof *a), *b = malloc(np * sizeof *b);
	double la = overfit(seed, a, NULL), lb = overfit(seed, b, NULL);
	printf("%s overfit: loss %.5f after 400 steps on one batch (want < 0.05)\n",
	       la < 0.05 ? "ok" : "FAIL", la);
	failures += !(la < 0.05);
	int same = la == lb && memcmp(a, b, np * sizeof *a) == 0;
	printf("%s repeatable: two runs with seed %llu agree bit for bit\n", same ? "ok" : "FAIL",
	       (unsigned long long)seed);
	failures += !same;
	free(a);
	free(b);
	return failures ? 1 : 0;
}
