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

/* "vgg11.net:9 vgg_block" or, nested, "googlenet.net:30 b3 > inception"
 * for the chain of calls from `origin` up; a chain deeper than four shows
 * its outermost call, "...", and the innermost two. */
static void chain_str(const nl_graph *g, int origin, char *buf, size_t n)
{
	int inner[3], total = 0, outer = origin;
	for (int o = origin; o >= 0 && total <= g->norigins; o = g->origins[o].parent) {
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

typedef struct row {
	char num[16], layer[128], from[64], origin[128], shape[48], params[32],
	     flops[32], rf[32];
} row;

typedef struct table {
	const nl_graph *g;
	nl_row *rows;
	int *row_of;
	int nrows;
	nl_rfield *rf;       /* NULL: no receptive-field column */
	int show_from;       /* the net branches: number rows, say what each reads */
} table;

static void make_row(const table *t, int r, row *out)
{
	const nl_graph *g = t->g;
	const nl_row *rw = &t->rows[r];
	const nl_node *last = &g->nodes[rw->last];
	snprintf(out->num, sizeof out->num, "%d", r);
	if (rw->call >= 0 && strchr(g->origins[rw->call].call, '('))
		snprintf(out->layer, sizeof out->layer, "%s", g->origins[rw->call].call);
	else
		nl_node_text(last, out->layer, sizeof out->layer);
	int from[8], nf = nl_row_inputs(g, t->rows, t->row_of, r, from, 8);
	size_t k = 0;
	out->from[0] = '\0';
	for (int i = 0; i < nf && i < 8 && k < sizeof out->from; i++)
		k += (size_t)snprintf(out->from + k, sizeof out->from - k, "%s%d",
		                      i ? "," : "", from[i]);
	if (nf > 8 && k < sizeof out->from)
		snprintf(out->from + k, sizeof out->from - k, ",...");
	/* a collapsed call is where it is written: at top level its line, in
	 * a block the calls around it */
	int origin = rw->call >= 0 ? g->origins[rw->call].parent : last->origin;
	nl_loc at = rw->call >= 0 ? g->origins[rw->call].loc : last->loc;
	if (origin < 0)
		snprintf(out->origin, sizeof out->origin, "%s:%d", base_name(at.file), at.line);
	else
		chain_str(g, origin, out->origin, sizeof out->origin);
	nl_shape_str(&last->shape, out->shape, sizeof out->shape);
	int64_t params = 0, flops = 0;
	for (int i = rw->first; i <= rw->last; i++) {
		params += g->nodes[i].params;
		flops += g->nodes[i].flops;
	}
	nl_thousands(params, out->params, sizeof out->params);
	nl_thousands(flops, out->flops, sizeof out->flops);
	if (t->rf)
		nl_rfield_str(&t->rf[rw->last], out->rf, sizeof out->rf);
	else
		out->rf[0] = '\0';
}

/* Whether some row reads from other than the row before it. */
static int branches(const table *t)
{
	for (int r = 1; r < t->nrows; r++) {
		int from[2], n = nl_row_inputs(t->g, t->rows, t->row_of, r, from, 2);
		if (n != 1 || from[0] != r - 1)
			return 1;
	}
	return 0;
}

enum { NCOLS = 8 };

static void cols(const row *r, const char *c[NCOLS])
{
	c[0] = r->num; c[1] = r->layer; c[2] = r->from; c[3] = r->origin;
	c[4] = r->shape; c[5] = r->params; c[6] = r->flops; c[7] = r->rf;
}

static void put_row(FILE *f, const table *t, const int *w, const char *const c[NCOLS])
{
	/* #, layer, from, origin, shape left-aligned; numbers right-aligned */
	if (t->show_from)
		fprintf(f, "%*s  %-*s  %-*s  ", w[0], c[0], w[1], c[1], w[2], c[2]);
	else
		fprintf(f, "%-*s  ", w[1], c[1]);
	fprintf(f, "%-*s  %-*s  %*s  %*s", w[3], c[3], w[4], c[4], w[5], c[5], w[6], c[6]);
	if (t->rf)
		fprintf(f, "  %*s", w[7], c[7]);
	fputc('\n', f);
}

static void print_rows(FILE *f, const table *t, int from, int header)
{
	static const char *const head[NCOLS] = { "#", "layer", "from", "origin", "shape",
	                                         "params", "FLOPs", "RF" };
	int w[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		w[i] = header ? (int)strlen(head[i]) : 0;
	w[1] = w[1] < 5 ? 5 : w[1];
	w[3] = w[3] < 6 ? 6 : w[3];
	row r;
	const char *c[NCOLS];
	for (int i = from; i < t->nrows; i++) {
		make_row(t, i, &r);
		cols(&r, c);
		for (int k = 0; k < NCOLS; k++) {
			int len = (int)strlen(c[k]);
			w[k] = len > w[k] ? len : w[k];
		}
	}
	char tp[32], tf[32];
	nl_thousands(t->g->params, tp, sizeof tp);
	nl_thousands(t->g->flops, tf, sizeof tf);
	if (header) {
		w[5] = (int)strlen(tp) > w[5] ? (int)strlen(tp) : w[5];
		w[6] = (int)strlen(tf) > w[6] ? (int)strlen(tf) : w[6];
		put_row(f, t, w, head);
	}
	for (int i = from; i < t->nrows; i++) {
		make_row(t, i, &r);
		cols(&r, c);
		put_row(f, t, w, c);
	}
	if (!header)
		return;
	const char *total[NCOLS] = { "", "total", "", "", "", tp, tf, "" };
	if (t->show_from) {
		/* "total" starts the line, as it always has */
		fprintf(f, "%-*s  ", w[0] + 2 + w[1] + 2 + w[2], "total");
		fprintf(f, "%-*s  %-*s  %*s  %*s", w[3], "", w[4], "", w[5], tp, w[6], tf);
		if (t->rf)
			fprintf(f, "  %*s", w[7], "");
		fputc('\n', f);
	} else {
		put_row(f, t, w, total);
	}
}

static int table_open(table *t, const nl_graph *g, const nl_table_opts *o)
{
	memset(t, 0, sizeof *t);
	t->g = g;
	t->row_of = malloc(((size_t)g->nnodes + 1) * sizeof *t->row_of);
	if (o && o->rf)
		t->rf = malloc(((size_t)g->nnodes + 1) * sizeof *t->rf);
	t->nrows = t->row_of ? nl_outline_rows(g, o ? o->depth : 0, &t->rows, t->row_of) : -1;
	if (t->nrows < 0 || (o && o->rf && !t->rf)) {
		free(t->row_of);
		free(t->rf);
		free(t->rows);
		fprintf(stderr, "netlang: out of memory printing the table\n");
		return -1;
	}
	if (t->rf)
		nl_rfields(g, t->rf);
	t->show_from = branches(t);
	return 0;
}

static void table_close(table *t)
{
	free(t->rows);
	free(t->row_of);
	free(t->rf);
}

void nl_print_summary(FILE *f, const nl_graph *g)
{
	int64_t state = 0, madds = 0;
	for (int i = 0; i < g->nnodes; i++) {
		state += nl_node_state(&g->nodes[i]);
		madds += nl_node_multadds(&g->nodes[i]);
	}
	char a[32], b[32], c[32], e[32], h[32];
	fprintf(f, "parameters: %s trainable (%s), %s non-trainable (batch-norm running "
	        "statistics)\n", nl_thousands(g->params, a, sizeof a),
	        nl_human(g->params, b, sizeof b), nl_thousands(state, c, sizeof c));
	fprintf(f, "mult-adds: %s per image (%s: conv and fc, a multiply-add counted once, "
	        "as torchinfo counts; FLOPs count it twice, %s)\n",
	        nl_mega_giga(madds, e, sizeof e), nl_thousands(madds, h, sizeof h),
	        nl_mega_giga(g->flops, a, sizeof a));
}

int nl_print_table(FILE *f, const nl_graph *g, const nl_table_opts *o)
{
	table t;
	if (table_open(&t, g, o))
		return -1;
	print_rows(f, &t, 0, 1);
	table_close(&t);
	nl_print_summary(f, g);
	return 0;
}

void nl_print_graph(FILE *f, const nl_graph *g, nl_format fmt)
{
	if (fmt == NL_FMT_D2L)
		print_d2l(f, g, 1);
	else
		nl_print_table(f, g, NULL);
}

void nl_print_nodes(FILE *f, const nl_graph *g, int from, nl_format fmt)
{
	if (from < 0)
		from = 0;
	if (fmt == NL_FMT_D2L) {
		print_d2l(f, g, from);
		return;
	}
	table t;
	if (table_open(&t, g, NULL))
		return;
	print_rows(f, &t, from, 0);
	table_close(&t);
}
