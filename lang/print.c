/* print.c - listings of a checked graph: netlang's table and D2L's lines. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/lang.h"
#include "lang/outline.h"
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

/* The class D2L's code gives a top-level block: PyTorch has no module for
 * a join, so a block that joins branches itself (not through a block it
 * calls) is a class of the book's own, named as netlang's block in
 * CamelCase (dense_block: DenseBlock); any other block is an
 * nn.Sequential.  A join at top level prints as the join. */
static const char *d2l_class(const nl_graph *g, const nl_row *row, char *buf, size_t n)
{
	const nl_origin *o = &g->origins[row->call];
	if (!strchr(o->call, '('))
		return nl_node_torch_name(&g->nodes[row->last]);
	int joins = 0;
	for (int i = row->first; i <= row->last && !joins; i++) {
		const nl_node *nd = &g->nodes[i];
		joins = nd->origin == row->call && nl_kind_info_of(nd->kind)->shape == NL_SHP_JOIN;
	}
	if (!joins)
		return "Sequential";
	size_t k = 0;
	int up = 1;
	for (const char *p = o->name; *p && k + 1 < n; p++) {
		if (*p == '_') {
			up = 1;
			continue;
		}
		buf[k++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		up = 0;
	}
	buf[k] = '\0';
	return buf;
}

static void print_d2l(FILE *f, const nl_graph *g, int from)
{
	nl_row *rows;
	int n = nl_outline_rows(g, 1, &rows, NULL);
	for (int r = 0; r < n; r++) {
		if (rows[r].last < (from > 1 ? from : 1))
			continue;
		const nl_node *nd = &g->nodes[rows[r].last];
		char name[128];
		const char *cls = rows[r].call < 0 ? nl_node_torch_name(nd)
		                : d2l_class(g, &rows[r], name, sizeof name);
		d2l_line(f, cls, &nd->shape);
	}
	free(rows);
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
