/* print.c - listings of a checked graph: netlang's table and D2L's lines. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/lang.h"
#include "lang/shape.h"

/* 46764746 -> "46,764,746" */
static const char *thousands(int64_t v, char *buf, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%" PRId64, v < 0 ? -v : v);
	size_t k = 0;
	if (v < 0 && k + 1 < n)
		buf[k++] = '-';
	for (int i = 0; i < len && k + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	return buf;
}

/* ---- D2L ---- */

static void d2l_line(FILE *f, const char *name, const nl_shape *s)
{
	if (s->rank == 2)
		fprintf(f, "%s output shape:\t torch.Size([1, %d])\n", name, s->c);
	else
		fprintf(f, "%s output shape:\t torch.Size([1, %d, %d, %d])\n", name,
		        s->c, s->h, s->w);
}

static void print_d2l(FILE *f, const nl_graph *g, int from)
{
	/* each call's outermost enclosing call (parents come first) */
	int *top = malloc(((size_t)g->norigins + 1) * sizeof *top);
	if (!top)
		return;
	for (int o = 0; o < g->norigins; o++) {
		int p = g->origins[o].parent;
		top[o] = p < 0 ? o : top[p];
	}
	for (int i = from > 1 ? from : 1; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		if (nd->origin < 0) {
			d2l_line(f, nl_node_torch_name(nd), &nd->shape);
			continue;
		}
		const nl_origin *o = &g->origins[top[nd->origin]];
		if (o->last_node != i)
			continue;  /* inside a top-level block: one line at its end */
		int is_join = strcmp(o->name, "concat") == 0 || strcmp(o->name, "add") == 0;
		d2l_line(f, is_join ? nl_node_torch_name(nd) : "Sequential", &nd->shape);
	}
	free(top);
}

/* ---- the table ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* "vgg11.net:9 vgg_block" or, nested, "googlenet.net:30 b3 > inception";
 * a chain deeper than four shows its outermost call, "...", and the
 * innermost two. */
static void origin_str(const nl_graph *g, const nl_node *nd, char *buf, size_t n)
{
	if (nd->origin < 0) {
		snprintf(buf, n, "%s:%d", base_name(nd->loc.file), nd->loc.line);
		return;
	}
	int inner[3], total = 0, outer = nd->origin;
	for (int o = nd->origin; o >= 0; o = g->origins[o].parent) {
		if (total < 3)
			inner[total] = o;
		total++;
		outer = o;
	}
	const nl_origin *top = &g->origins[outer];
	size_t k = (size_t)snprintf(buf, n, "%s:%d %s", base_name(top->loc.file),
	                            top->loc.line, top->name);
	if (total > 4) {
		k += (size_t)snprintf(buf + k, k < n ? n - k : 0, " > ...");
		total = 3;
	}
	for (int i = total - 2; i >= 0 && k < n; i--)
		k += (size_t)snprintf(buf + k, n - k, " > %s", g->origins[inner[i]].name);
}

typedef struct row { char layer[96], origin[128], shape[48], params[32], flops[32]; } row;

static void make_row(const nl_graph *g, int i, row *r)
{
	const nl_node *nd = &g->nodes[i];
	nl_node_text(nd, r->layer, sizeof r->layer);
	origin_str(g, nd, r->origin, sizeof r->origin);
	nl_shape_str(&nd->shape, r->shape, sizeof r->shape);
	thousands(nd->params, r->params, sizeof r->params);
	thousands(nd->flops, r->flops, sizeof r->flops);
}

static void print_table(FILE *f, const nl_graph *g, int from, int totals)
{
	int wl = 5, wo = 6, ws = 5, wp = 6, wf = 5;
	row r;
	for (int i = from; i < g->nnodes; i++) {
		make_row(g, i, &r);
		int a = (int)strlen(r.layer), b = (int)strlen(r.origin),
		    c = (int)strlen(r.shape), d = (int)strlen(r.params),
		    e = (int)strlen(r.flops);
		wl = a > wl ? a : wl; wo = b > wo ? b : wo; ws = c > ws ? c : ws;
		wp = d > wp ? d : wp; wf = e > wf ? e : wf;
	}
	char tp[32], tf[32];
	thousands(g->params, tp, sizeof tp);
	thousands(g->flops, tf, sizeof tf);
	if (totals) {
		wp = (int)strlen(tp) > wp ? (int)strlen(tp) : wp;
		wf = (int)strlen(tf) > wf ? (int)strlen(tf) : wf;
		fprintf(f, "%-*s  %-*s  %-*s  %*s  %*s\n", wl, "layer", wo, "origin",
		        ws, "shape", wp, "params", wf, "FLOPs");
	}
	for (int i = from; i < g->nnodes; i++) {
		make_row(g, i, &r);
		fprintf(f, "%-*s  %-*s  %-*s  %*s  %*s\n", wl, r.layer, wo, r.origin,
		        ws, r.shape, wp, r.params, wf, r.flops);
	}
	if (!totals)
		return;
	fprintf(f, "%-*s  %-*s  %-*s  %*s  %*s\n", wl, "total", wo, "", ws, "",
	        wp, tp, wf, tf);
}

void nl_print_graph(FILE *f, const nl_graph *g, nl_format fmt)
{
	if (fmt == NL_FMT_D2L)
		print_d2l(f, g, 1);
	else
		print_table(f, g, 0, 1);
}

void nl_print_nodes(FILE *f, const nl_graph *g, int from, nl_format fmt)
{
	if (from < 0)
		from = 0;
	if (fmt == NL_FMT_D2L)
		print_d2l(f, g, from);
	else
		print_table(f, g, from, 0);
}
