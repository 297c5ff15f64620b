/* print.c - what a line added, one line per layer or per block call.
 *
 * The session's own format shows a layer as
 *     Conv2d output shape: [1, 96, 54, 54]    34,944 params
 * and a top-level block call as one line with the call's output and its
 * size, expandable with :expand.  The d2l format is the front end's own
 * printer (nl_print_nodes), so a session prints exactly what
 * `netlang --format d2l FILE.net` prints, "Sequential" for a block call.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "runtime/repl/session.h"
#include "runtime/report/report.h"

static void shape_text(const nl_shape *s, char *buf, size_t len)
{
	if (s->rank == 2)
		snprintf(buf, len, "[%d, %d]", s->n, s->c);
	else
		snprintf(buf, len, "[%d, %d, %d, %d]", s->n, s->c, s->h, s->w);
}

/* 46787978 -> "46,787,978" */
static void count_text(int64_t v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
	size_t o = 0;
	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0 && digits[0] != '-')
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
}

static void print_shape_line(FILE *f, const char *what, const nl_shape *s,
                             nl_format fmt, int indent, const char *tail)
{
	char shape[96];
	shape_text(s, shape, sizeof shape);
	if (fmt == NL_FMT_D2L)
		fprintf(f, "%s output shape:\t torch.Size(%s)\n", what, shape);
	else
		fprintf(f, "%*s%s output shape: %s%s\n", indent, "", what, shape, tail);
}

void repl_print_node(FILE *f, const nl_graph *g, int i, nl_format fmt, int indent)
{
	const nl_node *nd = &g->nodes[i];
	if (nd->kind == NL_INPUT) {
		/* D2L makes its input tensor silently; the session confirms it. */
		if (fmt != NL_FMT_D2L) {
			char shape[96];
			shape_text(&nd->shape, shape, sizeof shape);
			fprintf(f, "%*sInput shape: %s\n", indent, "", shape);
		}
		return;
	}
	char tail[64] = "";
	if (nd->params) {
		char n[32];
		count_text(nd->params, n, sizeof n);
		snprintf(tail, sizeof tail, "    %s params", n);
	}
	print_shape_line(f, nl_node_torch_name(nd), &nd->shape, fmt, indent, tail);
}

static int top_call(const nl_graph *g, int origin)
{
	/* Parents come before children; the bound stops a malformed chain. */
	for (int guard = 0; origin >= 0 && g->origins[origin].parent >= 0 &&
	     guard < g->norigins; guard++)
		origin = g->origins[origin].parent;
	return origin;
}

static void print_call(const nl_graph *g, int call, int first)
{
	const nl_origin *o = &g->origins[call];
	int last = o->last_node;
	int64_t params = 0;
	for (int i = first; i <= last; i++)
		params += g->nodes[i].params;
	char tail[128], n[32];
	count_text(params, n, sizeof n);
	snprintf(tail, sizeof tail, "    %d layer%s, %s params (:expand lists them)",
	         last - first + 1, last == first ? "" : "s", n);
	print_shape_line(stdout, o->name, &g->nodes[last].shape, NL_FMT_TABLE, 0, tail);
}

int repl_explain_nodes(const repl *r, const nl_graph *g, int first, int last, int failed)
{
	(void)r;
	nl_rfield *rf = calloc((size_t)g->nnodes + 1, sizeof *rf);
	if (!rf)
		return -1;
	nl_rfields(g, rf);
	char line[2048];
	for (int i = first; i <= last; i++) {
		nl_explain_node(g, i, rf, i == failed, line, sizeof line);
		printf("%s\n", line);
	}
	free(rf);
	return 0;
}

void repl_print_added(const repl *r, const nl_graph *g, int from)
{
	if (r->explain) {
		/* every layer, calls expanded: the arithmetic is the point */
		repl_explain_nodes(r, g, from, g->nnodes - 1, -1);
		return;
	}
	if (r->fmt == NL_FMT_D2L) {
		nl_print_nodes(stdout, g, from, NL_FMT_D2L);
		return;
	}
	for (int i = from; i < g->nnodes; i++) {
		int call = top_call(g, g->nodes[i].origin);
		if (call >= 0 && g->origins[call].last_node >= i &&
		    g->origins[call].last_node < g->nnodes) {
			print_call(g, call, i);
			i = g->origins[call].last_node;
		} else {
			repl_print_node(stdout, g, i, r->fmt, 0);
		}
	}
}

/* How deep node i sits inside `call` (1 directly in it). */
static int depth_in(const nl_graph *g, int origin, int call)
{
	int d = 1;
	for (int guard = 0; origin >= 0 && origin != call && guard < g->norigins; guard++) {
		origin = g->origins[origin].parent;
		d++;
	}
	return d;
}

int repl_find_call(const repl *r, const char *name, int *first_out)
{
	const nl_graph *g = r->g;
	if (!g)
		return -1;
	int call = -1;
	for (int k = 0; k < g->norigins; k++) {
		const nl_origin *o = &g->origins[k];
		if (o->parent >= 0 && !name)
			continue;
		if (name && strcmp(o->name, name) != 0)
			continue;
		if (o->last_node < 0)
			continue;   /* a call that made no layers has none to list */
		if (call < 0 || o->last_node > g->origins[call].last_node)
			call = k;
	}
	if (call < 0)
		return -1;
	int last = g->origins[call].last_node;
	int first = last;
	/* The call's nodes are the run ending at last_node whose origins
	 * lead up to it. */
	while (first > 0) {
		int o = g->nodes[first - 1].origin;
		int inside = 0;
		for (int guard = 0; o >= 0 && guard <= g->norigins; guard++) {
			if (o == call) {
				inside = 1;
				break;
			}
			o = g->origins[o].parent;
		}
		if (!inside)
			break;
		first--;
	}
	*first_out = first;
	return call;
}

int repl_print_expand(const repl *r, const char *name)
{
	const nl_graph *g = r->g;
	int first, call = repl_find_call(r, name, &first);
	if (call < 0)
		return -1;
	int last = g->origins[call].last_node;
	if (r->fmt != NL_FMT_D2L)
		printf("%s (line %d), %d layer%s:\n", g->origins[call].name,
		       g->origins[call].loc.line, last - first + 1, last == first ? "" : "s");
	for (int i = first; i <= last; i++)
		repl_print_node(stdout, g, i, r->fmt,
		                2 * depth_in(g, g->nodes[i].origin, call));
	return 0;
}
