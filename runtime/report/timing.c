/* timing.c - --time: where a training step's time goes, layer by layer,
 * as `caffe time` reports it, and the step's throughput.
 *
 * Per-layer figures wait for the device after every layer, which a real
 * step never does; the throughput lines time whole steps without those
 * waits, so they are the figures to compare with other frameworks.  Both
 * run the plan's own step functions, so a timed step is a real one
 * (dropout draws a fresh mask each time, as in training).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "lang/kinds.h"
#include "runtime/plan/plan.h"
#include "runtime/report/report.h"
#include "runtime/rng.h"
#include "runtime/train/train.h"

/* Steps run before timing: caches, page faults and one-time choices. */
enum { WARMUP = 1 };

static int random_batch(nl_plan *p, uint64_t seed)
{
	const nl_shape *in = &p->g->nodes[0].shape;
	size_t n = (size_t)p->batch * in->c * in->h * in->w;
	float *x = malloc(n * sizeof *x);
	int32_t *y = malloc((size_t)p->batch * sizeof *y);
	if (!x || !y) {
		free(x);
		free(y);
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	nl_rng r = { seed };
	for (size_t i = 0; i < n; i++)
		x[i] = (float)nl_rng_double(&r);
	for (int i = 0; i < p->batch; i++)
		y[i] = (int32_t)nl_rng_below(&r, (uint32_t)p->classes);
	p->be->upload(p->be, p->input, x, n * sizeof *x);
	p->be->upload(p->be, p->labels, y, (size_t)p->batch * sizeof *y);
	free(x);
	free(y);
	return 0;
}

static void train_step(nl_plan *p, const nl_options *o)
{
	nl_plan_forward(p, 1);
	nl_plan_loss(p, p->batch, 1);
	nl_plan_backward(p);
	nl_plan_update(p, (float)o->lr, (float)o->momentum, (float)o->weight_decay);
}

int nl_time(const nl_graph *g, const nl_options *o)
{
	nl_backend *be = nl_backend_open(o);
	if (!be)
		return 1;
	nl_plan *p = nl_plan_new(be, g, o->batch, NL_PLAN_TRAIN);
	double *fw = calloc((size_t)g->nnodes, sizeof *fw);
	double *bw = calloc((size_t)g->nnodes, sizeof *bw);
	int status = 1;
	if (!p || !fw || !bw || nl_plan_init_params(p, o->seed) || random_batch(p, o->seed))
		goto out;
	/* The update must not wreck the weights while we time: lr 0 would be
	 * skipped by no backend, so a tiny rate keeps the work identical. */
	nl_options q = *o;
	q.lr = 1e-6;

	for (int i = 0; i < WARMUP; i++)
		train_step(p, &q);
	be->sync(be);

	int iters = o->iterations;
	double loss_t = 0, upd_t = 0;
	for (int it = 0; it < iters; it++) {
		nl_plan_forward_timed(p, 1, fw);
		double t0 = be->clock(be);
		nl_plan_loss(p, p->batch, 1);
		loss_t += be->clock(be) - t0;
		nl_plan_backward_timed(p, bw);
		t0 = be->clock(be);
		nl_plan_update(p, (float)q.lr, (float)q.momentum, (float)q.weight_decay);
		upd_t += be->clock(be) - t0;
	}

	/* The yardstick: the backend's own large matrix product. */
	double ceiling = be->gemm_ceiling ? be->gemm_ceiling(be) : 0.0;
	if (ceiling > 0)
		printf("sgemm ceiling: %.1f GFLOP/s (%s, 1024x1024x1024)\n", ceiling, be->name);
	printf("%-28s %-16s %12s %12s %9s %9s %8s\n", "layer", "output", "forward ms",
	       "backward ms", "fwd GF/s", "bwd GF/s", ceiling > 0 ? "of ceil" : "");
	double tf = 0, tb = 0;
	for (int i = 1; i <= p->logits; i++) {
		const nl_node *nd = &g->nodes[i];
		char what[64], shape[40];
		nl_node_text(nd, what, sizeof what);
		if (nd->shape.rank == 2)
			snprintf(shape, sizeof shape, "%d", nd->shape.c);
		else
			snprintf(shape, sizeof shape, "%dx%dx%d", nd->shape.c, nd->shape.h, nd->shape.w);
		printf("%-28s %-16s %12.3f %12.3f", what, shape, 1e3 * fw[i] / iters,
		       1e3 * bw[i] / iters);
		/* Speeds for the layers that are matrix products (convolution,
		 * fully connected): forward FLOPs as the listing counts them,
		 * backward the weight gradient's as many again, and the input
		 * gradient's when the step computes one. */
		if (nl_kind_info_of(nd->kind)->params == NL_PAR_WEIGHTS && fw[i] > 0 && bw[i] > 0) {
			double ff = (double)nd->flops * p->batch * iters;
			double bf = ff * (p->steps[i].dx[0] ? 2.0 : 1.0);
			printf(" %9.1f %9.1f", ff / fw[i] * 1e-9, bf / bw[i] * 1e-9);
			if (ceiling > 0)
				printf(" %7.0f%%", 100.0 * (ff + bf) / (fw[i] + bw[i]) * 1e-9 / ceiling);
		}
		printf("\n");
		tf += fw[i];
		tb += bw[i];
	}
	printf("%-28s %-16s %12.3f %12s\n", "loss", "", 1e3 * loss_t / iters, "");
	printf("%-28s %-16s %12s %12.3f\n", "update", "", "", 1e3 * upd_t / iters);
	printf("%-28s %-16s %12.3f %12.3f\n", "total (synchronised)", "",
	       1e3 * (tf + loss_t) / iters, 1e3 * (tb + upd_t) / iters);

	/* Whole steps, no waits between layers. */
	double t0 = be->clock(be);
	for (int it = 0; it < iters; it++)
		train_step(p, &q);
	double ts = (be->clock(be) - t0) / iters;
	t0 = be->clock(be);
	for (int it = 0; it < iters; it++)
		nl_plan_forward(p, 0);
	double ti = (be->clock(be) - t0) / iters;
	printf("device: %s, batch %d, %d iterations after %d warm-up\n", be->name, p->batch,
	       iters, WARMUP);
	printf("train: %.1f examples/sec (batch %d, %.2f ms/step)\n", p->batch / ts, p->batch,
	       1e3 * ts);
	printf("inference: %.1f examples/sec (batch %d, %.2f ms/batch)\n", p->batch / ti,
	       p->batch, 1e3 * ti);
	status = 0;
out:
	free(fw);
	free(bw);
	nl_plan_free(p);
	be->destroy(be);
	return status;
}
