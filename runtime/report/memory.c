/* memory.c - the listing's last line: what a training step will hold in
 * memory, as the execution plan counts it (a plan made only to measure,
 * on the CPU backend, which allocates nothing of it).
 */
#include <config.h>

#include <stdio.h>

#include "runtime/plan/plan.h"
#include "runtime/report/report.h"

static const char *bytes_str(size_t b, char *buf, size_t n)
{
	if (b >= (size_t)1 << 30)
		snprintf(buf, n, "%.2f GiB", (double)b / (1 << 30));
	else if (b >= (size_t)1 << 20)
		snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, n, "%.1f KiB", (double)b / (1 << 10));
	return buf;
}

/* ", activations 3.10 GiB" when bytes is not 0. */
static void part(FILE *f, const char *what, size_t bytes)
{
	char b[32];
	if (bytes)
		fprintf(f, ", %s %s", what, bytes_str(bytes, b, sizeof b));
}

int nl_print_memory(FILE *f, const nl_graph *g, const nl_options *o)
{
	if (nl_plan_logits(g) < 0) {
		fprintf(f, "training memory at batch %d: not known until the net ends in "
		        "class scores (fc N)\n", o->batch);
		return 0;
	}
	nl_backend *be = nl_cpu_backend_new(1);
	if (!be)
		return -1;
	nl_plan *p = nl_plan_new(be, g, o->batch, NL_PLAN_TRAIN | NL_PLAN_MEASURE);
	if (!p) {
		be->destroy(be);
		return -1;
	}
	nl_plan_memory m = nl_plan_memory_of(p, o->momentum > 0);
	char b[32], c[32];
	fprintf(f, "training memory at batch %d on the cpu: %s (parameters %s", o->batch,
	        bytes_str(m.total, b, sizeof b), bytes_str(m.params, c, sizeof c));
	part(f, "their gradients", m.grads);
	part(f, "momentum", m.momentum);
	part(f, "batch-norm statistics", m.state);
	/* a training plan keeps both in one arena, shared by lifetime */
	part(f, "activations and their gradients", m.activations);
	part(f, "layer scratch", m.aux);
	part(f, "workspace", m.workspace);
	fputs(")\n", f);
	nl_plan_free(p);
	be->destroy(be);
	return 0;
}
