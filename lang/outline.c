/* outline.c - rows at a depth, receptive fields and counts (outline.h). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/outline.h"

/* ---- rows at a depth ---- */

int nl_node_level(const nl_graph *g, int i)
{
	int level = 0;
	/* parents come first; the bound stops a malformed chain */
	for (int o = g->nodes[i].origin; o >= 0 && level <= g->norigins; o = g->origins[o].parent)
		level++;
	return level;
}

/* The call at nesting level `depth` (1: top level) that encloses node i,
 * or -1 when i sits at a shallower level. */
static int call_at_depth(const nl_graph *g, int i, int depth)
{
	int level = nl_node_level(g, i);
	if (depth <= 0 || level < depth)
		return -1;
	int o = g->nodes[i].origin;
	for (int up = level - depth; up > 0; up--)
		o = g->origins[o].parent;
	return o;
}

int nl_outline_rows(const nl_graph *g, int depth, nl_row **rows, int *row_of)
{
	nl_row *r = malloc(((size_t)g->nnodes + 1) * sizeof *r);
	if (!r) {
		*rows = NULL;
		return -1;
	}
	int n = 0;
	for (int i = 0; i < g->nnodes; i++) {
		int call = call_at_depth(g, i, depth);
		if (call >= 0 && n > 0 && r[n - 1].call == call) {
			r[n - 1].last = i;   /* a call's nodes are consecutive */
		} else {
			r[n++] = (nl_row){ i, i, call };
		}
		if (row_of)
			row_of[i] = n - 1;
	}
	*rows = r;
	return n;
}

int nl_row_inputs(const nl_graph *g, const nl_row *rows, const int *row_of, int r,
                  int *from, int max)
{
	int n = 0;
	for (int i = rows[r].first; i <= rows[r].last; i++) {
		const nl_node *nd = &g->nodes[i];
		for (int k = 0; k < nd->ninputs; k++) {
			int src = row_of[nd->inputs[k]];
			if (src == r)
				continue;
			int seen = 0;
			for (int j = 0; j < n && j < max && !seen; j++)
				seen = from[j] == src;
			if (seen)
				continue;
			if (n < max)
				from[n] = src;
			n++;
		}
	}
	return n;
}

/* ---- receptive fields ---- */

static int64_t sat(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v;   /* a size no input has */
}

nl_rfield nl_rfield_of(const nl_graph *g, int i, const nl_rfield *rf)
{
	const nl_node *nd = &g->nodes[i];
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	nl_rfield r = { 1, 1, 1, 1, 0 };
	if (nd->ninputs == 0)
		return r;   /* the input: each value is one pixel */
	r = rf[nd->inputs[0]];
	switch (ki->shape) {
	case NL_SHP_WINDOW:
		/* k neighbouring inputs, each jump pixels from the next */
		r.h = sat(r.h + (int64_t)(nd->kh - 1) * r.jh);
		r.w = sat(r.w + (int64_t)(nd->kw - 1) * r.jw);
		r.jh = sat(r.jh * nd->sh);
		r.jw = sat(r.jw * nd->sw);
		break;
	case NL_SHP_GLOBAL: case NL_SHP_DENSE:
		r.all = 1;   /* every position feeds every output */
		break;
	case NL_SHP_JOIN:
		for (int k = 1; k < nd->ninputs; k++) {
			const nl_rfield *o = &rf[nd->inputs[k]];
			r.h = o->h > r.h ? o->h : r.h;
			r.w = o->w > r.w ? o->w : r.w;
			r.jh = o->jh > r.jh ? o->jh : r.jh;
			r.jw = o->jw > r.jw ? o->jw : r.jw;
			r.all |= o->all;
		}
		break;
	default:
		break;   /* element-wise, flatten: each value keeps its field */
	}
	return r;
}

void nl_rfields(const nl_graph *g, nl_rfield *rf)
{
	for (int i = 0; i < g->nnodes; i++)
		rf[i] = nl_rfield_of(g, i, rf);
}

const char *nl_rfield_str(const nl_rfield *r, char *buf, size_t n)
{
	if (r->all)
		snprintf(buf, n, "all");
	else
		snprintf(buf, n, "%" PRId64 "x%" PRId64, r->h, r->w);
	return buf;
}

/* ---- counts ---- */

int64_t nl_node_multadds(const nl_node *nd)
{
	if (nl_kind_info_of(nd->kind)->params != NL_PAR_WEIGHTS)
		return 0;
	/* the weights are the parameters less one bias per output channel */
	int64_t weights = nd->params - nd->out;
	return weights * nd->shape.h * nd->shape.w;
}

int64_t nl_node_state(const nl_node *nd)
{
	if (nl_kind_info_of(nd->kind)->params != NL_PAR_NORM)
		return 0;
	return 2 * (int64_t)nd->shape.c;   /* running mean and variance */
}

const char *nl_thousands(int64_t v, char *buf, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%" PRIu64,
	                   v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	size_t k = 0;
	if (n == 0)
		return buf;
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

const char *nl_human(int64_t v, char *buf, size_t n)
{
	static const char units[] = " KMGTPE";
	double x = (double)v;
	int u = 0;
	while ((x >= 999.5 || x <= -999.5) && u < 6) {
		x /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%" PRId64, v);
	else
		snprintf(buf, n, "%.*f %c", x >= 99.95 || x <= -99.95 ? 0 : x >= 9.995 || x <= -9.995 ? 1 : 2,
		         x, units[u]);
	return buf;
}

const char *nl_mega_giga(int64_t v, char *buf, size_t n)
{
	if (v >= 1000000000)
		snprintf(buf, n, "%.2f G", (double)v / 1e9);
	else
		snprintf(buf, n, "%.2f M", (double)v / 1e6);
	return buf;
}
