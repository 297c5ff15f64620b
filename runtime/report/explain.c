/* explain.c - --explain: the arithmetic behind every layer's shape, the
 * way chapter 6 of the D2L book teaches it,
 *
 *   conv 11x11/4 -> 96 on 1x224x224: (224 + 2*0 - 11) / 4 + 1 = 54 (floor),
 *   96 channels; params 96*(1*11*11) + 96 = 11,712; receptive field 11x11
 *
 * (one line), and for the layer whose shape failed the same arithmetic
 * going wrong.  Each line is worked out from the layer's attributes and
 * its inputs' shapes, not from its own output, so that a failed layer,
 * which has none, is explained like the others.
 */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/outline.h"
#include "lang/shape.h"
#include "runtime/report/report.h"

typedef struct text {
	char *buf;
	size_t n, k;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
	if (t->k >= t->n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(t->buf + t->k, t->n - t->k, fmt, ap);
	va_end(ap);
	t->k += w > 0 ? (size_t)w : 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* "(224 + 2*0 - 11) / 4 + 1 = 54 (floor)"; returns the side. */
static int64_t side(text *t, int64_t in, int p, int k, int s)
{
	int64_t num = in + 2 * (int64_t)p - k, out = floor_div(num, s) + 1;
	put(t, "(%" PRId64 " + 2*%d - %d) / %d + 1 = %" PRId64 "%s", in, p, k, s, out,
	    num % s ? " (floor)" : "");
	return out;
}

static void rfield(text *t, const nl_rfield *r)
{
	if (r->all)
		put(t, "; receptive field the whole input");
	else
		put(t, "; receptive field %" PRId64 "x%" PRId64, r->h, r->w);
}

static void window(text *t, const nl_node *nd, const nl_shape *in, int failed)
{
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	char sb[64];
	if (in->rank != 4) {
		put(t, "a window slides over height and width, but the input is %s flat "
		    "features", nl_shape_str(in, sb, sizeof sb));
		return;
	}
	int pool = ki->params != NL_PAR_WEIGHTS;
	if (pool && (2 * (int64_t)nd->ph > nd->kh || 2 * (int64_t)nd->pw > nd->kw)) {
		put(t, "padding %dx%d is more than half the %dx%d kernel (2*%d > %d)", nd->ph,
		    nd->pw, nd->kh, nd->kw, 2 * nd->ph > nd->kh ? nd->ph : nd->pw,
		    2 * nd->ph > nd->kh ? nd->kh : nd->kw);
		return;
	}
	int64_t oh, ow;
	if (in->h == in->w && nd->kh == nd->kw && nd->sh == nd->sw && nd->ph == nd->pw) {
		oh = ow = side(t, in->h, nd->ph, nd->kh, nd->sh);
	} else {
		put(t, "height ");
		oh = side(t, in->h, nd->ph, nd->kh, nd->sh);
		put(t, ", width ");
		ow = side(t, in->w, nd->pw, nd->kw, nd->sw);
	}
	if (failed && (oh < 1 || ow < 1)) {
		put(t, ", less than 1: the %dx%d kernel is larger than the padded %dx%d input",
		    nd->kh, nd->kw, in->h + 2 * nd->ph, in->w + 2 * nd->pw);
		return;
	}
	int c = pool ? in->c : nd->out;
	put(t, ", %d channel%s", c, c == 1 ? "" : "s");
	if (!pool) {
		char n[32];
		int64_t params = (int64_t)nd->out * in->c * nd->kh * nd->kw + nd->out;
		put(t, "; params %d*(%d*%d*%d) + %d = %s", nd->out, in->c, nd->kh, nd->kw, nd->out,
		    nl_thousands(params, n, sizeof n));
	}
}

static void join(text *t, const nl_graph *g, const nl_node *nd, int failed)
{
	char sb[64];
	for (int k = 0; k < nd->ninputs; k++)
		put(t, "%s%s", k == 0 ? " of " : k + 1 == nd->ninputs ? " and " : ", ",
		    nl_shape_str(&g->nodes[nd->inputs[k]].shape, sb, sizeof sb));
	put(t, ": ");
	const nl_shape *a = &g->nodes[nd->inputs[0]].shape;
	int concat = nd->kind == NL_CONCAT;
	if (failed) {
		for (int k = 1; k < nd->ninputs; k++) {
			const nl_shape *b = &g->nodes[nd->inputs[k]].shape;
			if (b->rank != a->rank)
				put(t, "one is flat, the other is not");
			else if (b->h != a->h || b->w != a->w)
				put(t, "heights and widths differ (%dx%d, %dx%d)", a->h, a->w, b->h, b->w);
			else if (!concat && b->c != a->c)
				put(t, "channels differ (%d, %d)", a->c, b->c);
			else
				continue;
			put(t, "; %s needs them %s", nl_kind_name(nd->kind),
			    concat ? "to agree in height and width" : "equal");
			return;
		}
	}
	if (concat) {
		int64_t c = 0;
		for (int k = 0; k < nd->ninputs; k++) {
			int ck = g->nodes[nd->inputs[k]].shape.c;
			put(t, "%s%d", k ? " + " : "", ck);
			c += ck;
		}
		put(t, " = %" PRId64 " channels", c);
		if (a->rank == 4)
			put(t, ", %dx%d", a->h, a->w);
	} else {
		put(t, "summed element by element, %s", nl_shape_str(a, sb, sizeof sb));
	}
}

int nl_explain_node(const nl_graph *g, int i, const nl_rfield *rf, int failed,
                    char *buf, size_t n)
{
	text t = { buf, n, 0 };
	const nl_node *nd = &g->nodes[i];
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	char what[128], sb[64], num[32];
	buf[0] = '\0';
	nl_node_text(nd, what, sizeof what);
	if (ki->shape == NL_SHP_INPUT) {
		put(&t, "%s: %d channel%s of %dx%d pixels", what, nd->shape.c,
		    nd->shape.c == 1 ? "" : "s", nd->shape.h, nd->shape.w);
		return 0;
	}
	put(&t, "%s", what);
	if (ki->shape == NL_SHP_JOIN) {
		/* "concat (4 branches)" names the count; the shapes follow */
		join(&t, g, nd, failed);
		if (!failed)
			rfield(&t, &rf[i]);
		return t.k >= n ? -1 : 0;
	}
	const nl_shape *in = &g->nodes[nd->inputs[0]].shape;
	put(&t, " on %s: ", nl_shape_str(in, sb, sizeof sb));
	switch (ki->shape) {
	case NL_SHP_WINDOW:
		window(&t, nd, in, failed);
		break;
	case NL_SHP_GLOBAL:
		if (in->rank != 4) {
			put(&t, "it pools over height and width, but the input is %s flat features", sb);
			break;
		}
		put(&t, "%dx1x1, one value per channel from its %dx%d", in->c, in->h, in->w);
		break;
	case NL_SHP_DENSE:
		if (in->rank != 4) {
			put(&t, "%d features; params %d*%d + %d = %s", nd->out, nd->out, in->c, nd->out,
			    nl_thousands((int64_t)nd->out * in->c + nd->out, num, sizeof num));
			break;
		}
		put(&t, "%s takes flat features; flatten first would give %d*%d*%d = %s",
		    ki->word, in->c, in->h, in->w,
		    nl_thousands((int64_t)in->c * in->h * in->w, num, sizeof num));
		break;
	case NL_SHP_FLAT:
		if (in->rank == 4)
			put(&t, "%d*%d*%d = %s features", in->c, in->h, in->w,
			    nl_thousands((int64_t)in->c * in->h * in->w, num, sizeof num));
		else
			put(&t, "already flat, %s features", sb);
		break;
	default:
		put(&t, "same shape, %s", sb);
		if (ki->params == NL_PAR_NORM)
			put(&t, "; params 2*%d = %d (a scale and a shift per %s), and 2*%d running "
			    "statistics, not trained", in->c, 2 * in->c,
			    in->rank == 4 ? "channel" : "feature", in->c);
		break;
	}
	if (!failed)
		rfield(&t, &rf[i]);
	return t.k >= n ? -1 : 0;
}

int nl_explain(FILE *f, const nl_graph *g, int failed)
{
	nl_rfield *rf = calloc((size_t)g->nnodes + 1, sizeof *rf);
	if (!rf) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	nl_rfields(g, rf);
	char line[2048];
	for (int i = 0; i < g->nnodes; i++) {
		nl_explain_node(g, i, rf, i == failed, line, sizeof line);
		fprintf(f, "%s\n", line);
	}
	free(rf);
	return 0;
}
