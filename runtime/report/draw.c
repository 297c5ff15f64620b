/* draw.c - --draw: a network's architecture as an SVG drawing, the way
 * the D2L book draws LeNet, AlexNet, VGG's blocks, the Inception block and
 * the residual block: one box per layer (its text as written and its
 * output shape), block calls as framed groups, or one box each where
 * --depth collapses them, and the branches of a concat or add side by side,
 * split where they leave their common input and joined where they meet.
 *
 * The drawing is a tree read off the graph: a sequence of items, each a
 * box, a frame around a sequence, or a join with one sequence per branch.
 * A join's branches are found from dominators: every path from the input
 * to a join passes through the node its branches start from, the nearest
 * such node.  Frames come from the block calls that made the nodes (the
 * graph's origins).  The tree is measured bottom-up and placed top-down
 * along a main axis (the flow: down, or right for a short chain) and a
 * cross axis (branches side by side); text is monospace, so its width is
 * known without fonts.
 *
 * Edges are drawn by walking the tree with a "port", the path so far from
 * the box an edge leaves: a join extends it to a split bar and along its
 * branch's lane, so an edge into a branch's first box, or through an empty
 * branch to the join, is one polyline from the box it leaves.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/outline.h"
#include "lang/shape.h"
#include "runtime/data/data.h"
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

/* Sizes in px.  CHAR_W is DejaVu Sans Mono's advance at FONT px (0.602
 * em) with a little to spare for other monospace fonts. */
#define FONT 12
#define CHAR_W 7.4
#define LABEL_FONT 11
#define LABEL_CHAR_W 6.8
enum {
	LINE = 15,        /* text line height in a box */
	PAD_X = 8,        /* text to box border */
	PAD_Y = 6,
	GAP = 28,         /* between items along the flow: room for an arrow */
	BRANCH_GAP = 20,  /* between branches side by side */
	EMPTY_W = 16,     /* the width of an empty branch's lane */
	FRAME_PAD = 10,   /* frame border to its content */
	FRAME_HEAD = 20,  /* the frame's label band */
	MARGIN = 20,
	TITLE_H = 44,     /* title and summary lines above the drawing */
	LR_MAX_BOXES = 16 /* a chain of at most this many boxes runs left to right */
};

typedef struct item item;

typedef struct seq {
	item *v;
	int n;
	double main, a, b;  /* size along the flow; cross extent before, after the axis */
} seq;

typedef enum { IT_BOX, IT_FRAME, IT_JOIN } item_kind;

struct item {
	item_kind kind;
	int row;            /* IT_BOX, IT_JOIN: the row its box shows */
	int call;           /* IT_FRAME: the block call framed */
	seq body;           /* IT_FRAME */
	seq *br;            /* IT_JOIN: the branches, nbr of them */
	int nbr;
	double *lane;       /* IT_JOIN: each branch's axis, from the join's */
	double region;      /* IT_JOIN: the branches' length along the flow */
	double bw, bh;      /* IT_BOX, IT_JOIN: the box on the page */
	double main, a, b;
	double m, c;        /* placed: start along the flow, axis across it */
};

typedef struct point { double m, c; } point;

/* The path an edge has come so far, from the box of row src. */
typedef struct port {
	int src;
	int n;
	point *p;
} port;

typedef struct drawing {
	const nl_graph *g;
	nl_row *rows;
	int *row_of, nrows;
	int *idom, *dom_depth;  /* the dominator tree of the nodes */
	int *frame_up;          /* per origin: the nearest enclosing framed call */
	int lr;                 /* the flow runs left to right */
	int oom;
	FILE *f;
} drawing;

/* ---- the tree ---- */

static void *xcalloc(drawing *d, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		d->oom = 1;
	return p;
}

static void seq_free(seq *s);

static void item_free(item *it)
{
	if (it->kind == IT_FRAME)
		seq_free(&it->body);
	if (it->kind == IT_JOIN) {
		for (int k = 0; k < it->nbr; k++)
			seq_free(&it->br[k]);
		free(it->br);
		free(it->lane);
	}
}

static void seq_free(seq *s)
{
	for (int i = 0; i < s->n; i++)
		item_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int seq_push(drawing *d, seq *s, const item *it, int *cap)
{
	if (s->n == *cap) {
		int c = *cap ? 2 * *cap : 8;
		item *v = realloc(s->v, (size_t)c * sizeof *v);
		if (!v) {
			d->oom = 1;
			return -1;
		}
		s->v = v;
		*cap = c;
	}
	s->v[s->n++] = *it;
	return 0;
}

static int lca(const drawing *d, int a, int b)
{
	while (a != b) {
		while (d->dom_depth[a] > d->dom_depth[b])
			a = d->idom[a];
		while (d->dom_depth[b] > d->dom_depth[a])
			b = d->idom[b];
		if (a != b) {
			a = d->idom[a];
			b = d->idom[b];
		}
	}
	return a;
}

/* Immediate dominators in one pass: the nodes are in topological order,
 * so a node's inputs have theirs already. */
static void dominators(drawing *d)
{
	const nl_graph *g = d->g;
	d->idom[0] = 0;
	d->dom_depth[0] = 0;
	for (int i = 1; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		int x = nd->inputs[0];
		for (int k = 1; k < nd->ninputs; k++)
			x = lca(d, x, nd->inputs[k]);
		d->idom[i] = x;
		d->dom_depth[i] = d->dom_depth[x] + 1;
	}
}

/* The items from the one after node `base` to node t, read backwards
 * from t: a box per row, a join with its branches (each read back from
 * one of its inputs to the join's dominator, where they split). */
static int parse(drawing *d, int base, int t, seq *out)
{
	const nl_graph *g = d->g;
	seq rev = { 0 };
	int cap = 0;
	while (t != base && !d->oom) {
		const nl_row *r = &d->rows[d->row_of[t]];
		item it;
		memset(&it, 0, sizeof it);
		it.row = d->row_of[t];
		if (r->call >= 0) {
			/* a collapsed call: one box; its nodes read from
			 * outside only what its first node reads */
			it.kind = IT_BOX;
			seq_push(d, &rev, &it, &cap);
			t = g->nodes[r->first].inputs[0];
			continue;
		}
		const nl_node *nd = &g->nodes[t];
		if (nd->ninputs < 2) {
			it.kind = IT_BOX;
			seq_push(d, &rev, &it, &cap);
			t = nd->inputs[0];
			continue;
		}
		it.kind = IT_JOIN;
		it.nbr = nd->ninputs;
		it.br = xcalloc(d, (size_t)it.nbr, sizeof *it.br);
		it.lane = xcalloc(d, (size_t)it.nbr, sizeof *it.lane);
		int split = d->idom[t];
		for (int k = 0; it.br && it.lane && k < it.nbr; k++)
			if (parse(d, split, nd->inputs[k], &it.br[k]))
				break;
		if (seq_push(d, &rev, &it, &cap))
			item_free(&it);
		t = split;
	}
	/* backwards into forwards */
	for (int i = 0, j = rev.n - 1; i < j; i++, j--) {
		item x = rev.v[i];
		rev.v[i] = rev.v[j];
		rev.v[j] = x;
	}
	*out = rev;
	if (d->oom) {
		seq_free(out);
		return -1;
	}
	return 0;
}

static int is_join_origin(const nl_graph *g, int o)
{
	return !strchr(g->origins[o].call, '(');
}

/* The innermost framed call around an item: a layer's or join's own
 * call, a collapsed call's enclosing one.  A join at top level has an
 * origin of its own (for the listings), but its frame is the join. */
static int item_origin(const drawing *d, const item *it)
{
	const nl_row *r = &d->rows[it->row];
	int o = r->call >= 0 ? d->g->origins[r->call].parent : d->g->nodes[r->last].origin;
	return o >= 0 && is_join_origin(d->g, o) ? d->frame_up[o] : o;
}

/* Below frame `in`, the call directly inside it that encloses origin o
 * (o itself, or one of its ancestors), or -1 when o is `in`. */
static int child_of(const drawing *d, int o, int in)
{
	for (int guard = 0; o >= 0 && guard <= d->g->norigins; guard++) {
		int up = d->frame_up[o];
		if (o == in)
			return -1;
		if (up == in)
			return o;
		o = up;
	}
	return -1;
}

/* Frame the runs of items that one call made, inside frame `in`. */
static int group(drawing *d, seq *s, int in)
{
	seq out = { 0 };
	int cap = 0;
	for (int i = 0; i < s->n && !d->oom;) {
		item *it = &s->v[i];
		int c = child_of(d, item_origin(d, it), in);
		if (c < 0) {
			/* the item is this frame's own; a join's branches are
			 * framed inside the call that made the join */
			if (it->kind == IT_JOIN) {
				int own = item_origin(d, it);
				for (int k = 0; k < it->nbr; k++)
					group(d, &it->br[k], own);
			}
			seq_push(d, &out, it, &cap);
			i++;
			continue;
		}
		item fr;
		memset(&fr, 0, sizeof fr);
		fr.kind = IT_FRAME;
		fr.call = c;
		int bcap = 0, j = i;
		while (j < s->n && child_of(d, item_origin(d, &s->v[j]), in) == c) {
			seq_push(d, &fr.body, &s->v[j], &bcap);
			j++;
		}
		group(d, &fr.body, c);
		seq_push(d, &out, &fr, &cap);
		i = j;
	}
	free(s->v);
	*s = out;
	return d->oom ? -1 : 0;
}

/* ---- text in boxes ---- */

/* Up to three lines: the layer as written (or the call), the output
 * shape, and for a collapsed call its size. */
static int box_lines(const drawing *d, int row, char lines[3][160])
{
	const nl_graph *g = d->g;
	const nl_row *r = &d->rows[row];
	const nl_node *last = &g->nodes[r->last];
	const nl_kind_info *ki = nl_kind_info_of(last->kind);
	if (r->call >= 0 && !is_join_origin(g, r->call))
		snprintf(lines[0], 160, "%s", g->origins[r->call].call);
	else if (r->call < 0 && (ki->shape == NL_SHP_INPUT || ki->shape == NL_SHP_JOIN))
		snprintf(lines[0], 160, "%s", ki->word);
	else
		nl_node_text(last, lines[0], 160);
	nl_shape_str(&last->shape, lines[1], 160);
	if (r->call < 0)
		return 2;
	int64_t params = 0;
	for (int i = r->first; i <= r->last; i++)
		params += g->nodes[i].params;
	char h[32];
	int n = r->last - r->first + 1;
	snprintf(lines[2], 160, "%d layer%s, %s params", n, n == 1 ? "" : "s",
	         nl_human(params, h, sizeof h));
	return 3;
}

/* ---- measuring and placing ---- */

static void measure_seq(drawing *d, seq *s);

static double label_width(const char *text)
{
	return (double)strlen(text) * LABEL_CHAR_W;
}

static void measure_box(drawing *d, item *it)
{
	char lines[3][160];
	int n = box_lines(d, it->row, lines);
	size_t w = 0;
	for (int i = 0; i < n; i++)
		w = strlen(lines[i]) > w ? strlen(lines[i]) : w;
	it->bw = (double)w * CHAR_W + 2 * PAD_X;
	it->bh = n * LINE + 2 * PAD_Y;
	double along = d->lr ? it->bw : it->bh, across = d->lr ? it->bh : it->bw;
	it->main = along;
	it->a = it->b = across / 2;
}

static void measure_item(drawing *d, item *it)
{
	switch (it->kind) {
	case IT_BOX:
		measure_box(d, it);
		break;
	case IT_FRAME: {
		measure_seq(d, &it->body);
		double lw = label_width(d->g->origins[it->call].call) + 12;
		if (d->lr) {
			it->main = it->body.main + 2 * FRAME_PAD;
			if (it->main < lw)
				it->main = lw;
			it->a = it->body.a + FRAME_PAD + FRAME_HEAD;
			it->b = it->body.b + FRAME_PAD;
		} else {
			/* the label, top left, must end before the axis, where
			 * the edge into the frame runs */
			it->main = FRAME_HEAD + it->body.main + FRAME_PAD;
			it->a = it->body.a + FRAME_PAD;
			if (it->a < lw + 8)
				it->a = lw + 8;
			it->b = it->body.b + FRAME_PAD;
		}
		break;
	}
	case IT_JOIN: {
		double span = 0, region = 0;
		int full = 0, only = -1;
		for (int k = 0; k < it->nbr; k++) {
			seq *b = &it->br[k];
			measure_seq(d, b);
			if (b->n == 0)
				b->a = b->b = EMPTY_W / 2.0;
			else
				full++, only = k;
			span += b->a + b->b + (k ? BRANCH_GAP : 0);
			region = b->main > region ? b->main : region;
		}
		double before = span / 2, after = span / 2;
		if (full == 1) {
			/* one path and shortcuts (ResNet, DenseNet): the path
			 * stays on the axis, the shortcuts run beside it */
			double pos = -it->br[only].a;
			for (int k = only - 1; k >= 0; k--) {
				pos -= BRANCH_GAP + EMPTY_W / 2.0;
				it->lane[k] = pos;
				pos -= EMPTY_W / 2.0;
			}
			before = -pos;
			pos = it->br[only].b;
			for (int k = only + 1; k < it->nbr; k++) {
				pos += BRANCH_GAP + EMPTY_W / 2.0;
				it->lane[k] = pos;
				pos += EMPTY_W / 2.0;
			}
			after = pos;
			it->lane[only] = 0;
		} else {
			double pos = -span / 2;
			for (int k = 0; k < it->nbr; k++) {
				it->lane[k] = pos + it->br[k].a;
				pos += it->br[k].a + it->br[k].b + BRANCH_GAP;
			}
		}
		it->region = region > 0 ? region : GAP;
		measure_box(d, it);   /* the join's own box */
		double box_main = it->main, box_half = it->a;
		it->main = GAP + it->region + GAP + box_main;
		it->a = before > box_half ? before : box_half;
		it->b = after > box_half ? after : box_half;
		break;
	}
	}
}

static void measure_seq(drawing *d, seq *s)
{
	s->main = s->a = s->b = 0;
	for (int i = 0; i < s->n; i++) {
		item *it = &s->v[i];
		measure_item(d, it);
		s->main += it->main + (i ? GAP : 0);
		s->a = it->a > s->a ? it->a : s->a;
		s->b = it->b > s->b ? it->b : s->b;
	}
}

static void place_seq(seq *s, double m, double c, int lr);

static void place_item(item *it, double m, double c, int lr)
{
	it->m = m;
	it->c = c;
	if (it->kind == IT_FRAME) {
		if (lr)
			place_seq(&it->body, m + (it->main - it->body.main) / 2, c, lr);
		else
			place_seq(&it->body, m + FRAME_HEAD, c, lr);
	} else if (it->kind == IT_JOIN) {
		for (int k = 0; k < it->nbr; k++)
			place_seq(&it->br[k], m + GAP, c + it->lane[k], lr);
	}
}

static void place_seq(seq *s, double m, double c, int lr)
{
	for (int i = 0; i < s->n; i++) {
		place_item(&s->v[i], m, c, lr);
		m += s->v[i].main + GAP;
	}
}

/* Where a join's own box starts along the flow. */
static double join_box_m(const item *it)
{
	return it->m + GAP + it->region + GAP;
}

/* ---- output ---- */

static double px(const drawing *d, point p) { return d->lr ? p.m : p.c; }
static double py(const drawing *d, point p) { return d->lr ? p.c : p.m; }

/* Fill colours by what a layer does, read from its row in kinds.def. */
static const char *fill_of(const drawing *d, int row)
{
	const nl_row *r = &d->rows[row];
	if (r->call >= 0 && !is_join_origin(d->g, r->call))
		return "#d0e0e3";   /* a collapsed block */
	const nl_node *nd = &d->g->nodes[r->last];
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	switch (ki->shape) {
	case NL_SHP_INPUT: return "#ffffff";
	case NL_SHP_WINDOW: return ki->params == NL_PAR_WEIGHTS ? "#cfe2f3" : "#d9ead3";
	case NL_SHP_GLOBAL: return "#d9ead3";
	case NL_SHP_DENSE: return "#fce5cd";
	case NL_SHP_FLAT: return "#eeeeee";
	case NL_SHP_JOIN: return "#fff2cc";
	default: return ki->params == NL_PAR_NORM ? "#ead1dc" : "#f3f3f3";
	}
}

static void draw_box(drawing *d, const item *it, double m)
{
	FILE *f = d->f;
	const nl_row *r = &d->rows[it->row];
	double x = d->lr ? m : it->c - it->bw / 2;
	double y = d->lr ? it->c - it->bh / 2 : m;
	const char *cls = r->call >= 0 ? "box block" : it->kind == IT_JOIN ? "box join"
	                : "box layer";
	fprintf(f, "<g class=\"%s\" data-row=\"%d\" data-first=\"%d\" data-last=\"%d\">\n",
	        cls, it->row, r->first, r->last);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%d\" "
	        "fill=\"%s\" stroke=\"#404040\" stroke-width=\"1\"/>\n", x, y, it->bw, it->bh,
	        it->kind == IT_JOIN ? 12 : 3, fill_of(d, it->row));
	char lines[3][160];
	int n = box_lines(d, it->row, lines);
	static const char *const role[3] = { "op", "shape", "size" };
	for (int i = 0; i < n; i++) {
		fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>",
		        role[i], x + it->bw / 2, y + PAD_Y + LINE * i + 11.5,
		        i == 1 ? " fill=\"#505050\"" : i == 2 ? " fill=\"#505050\" font-style=\"italic\""
		        : "");
		nl_svg_text(f, lines[i]);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
}

static void draw_frames(drawing *d, const seq *s, int level)
{
	FILE *f = d->f;
	for (int i = 0; i < s->n; i++) {
		const item *it = &s->v[i];
		if (it->kind == IT_JOIN)
			for (int k = 0; k < it->nbr; k++)
				draw_frames(d, &it->br[k], level);
		if (it->kind != IT_FRAME)
			continue;
		double x = d->lr ? it->m : it->c - it->a;
		double y = d->lr ? it->c - it->a : it->m;
		double w = d->lr ? it->main : it->a + it->b;
		double h = d->lr ? it->a + it->b : it->main;
		const nl_origin *o = &d->g->origins[it->call];
		fprintf(f, "<g class=\"frame\" data-call=\"%d\">\n<rect x=\"%.1f\" y=\"%.1f\" "
		        "width=\"%.1f\" height=\"%.1f\" rx=\"6\" fill=\"%s\" fill-opacity=\"0.5\" "
		        "stroke=\"#7f7f7f\" stroke-dasharray=\"5,3\"/>\n", it->call, x, y, w, h,
		        level % 2 ? "#f4f4f4" : "#fbfbfb");
		fprintf(f, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" font-family=\"DejaVu Sans "
		        "Mono, monospace\" font-size=\"%d\" fill=\"#303030\">", x + 6, y + 14,
		        LABEL_FONT);
		nl_svg_text(f, o->call);
		fputs("</text>\n</g>\n", f);
		draw_frames(d, &it->body, level + 1);
	}
}

static void draw_boxes(drawing *d, const seq *s)
{
	for (int i = 0; i < s->n; i++) {
		const item *it = &s->v[i];
		if (it->kind == IT_BOX)
			draw_box(d, it, it->m);
		else if (it->kind == IT_FRAME)
			draw_boxes(d, &it->body);
		else {
			for (int k = 0; k < it->nbr; k++)
				draw_boxes(d, &it->br[k]);
			draw_box(d, it, join_box_m(it));
		}
	}
}

static int port_add(drawing *d, port *p, double m, double c)
{
	point *q = realloc(p->p, (size_t)(p->n + 1) * sizeof *q);
	if (!q) {
		d->oom = 1;
		return -1;
	}
	p->p = q;
	p->p[p->n++] = (point){ m, c };
	return 0;
}

static port port_copy(drawing *d, const port *p)
{
	port q = { p->src, 0, NULL };
	for (int i = 0; i < p->n; i++)
		port_add(d, &q, p->p[i].m, p->p[i].c);
	return q;
}

static port port_at(drawing *d, int src, double m, double c)
{
	port q = { src, 0, NULL };
	port_add(d, &q, m, c);
	return q;
}

/* The edge along p, then on to the box of row dst whose near side is at
 * (m, c): straight on when it is in line, else with a turn halfway. */
static void edge(drawing *d, port *p, int dst, double m, double c)
{
	point last = p->p[p->n - 1];
	if (last.c != c) {
		double mid = (last.m + m) / 2;
		port_add(d, p, mid, last.c);
		port_add(d, p, mid, c);
	}
	port_add(d, p, m, c);
	if (d->oom)
		return;
	fprintf(d->f, "<path class=\"edge\" data-from=\"%d\" data-to=\"%d\" d=\"", p->src, dst);
	int first = 1;
	for (int i = 0; i < p->n; i++) {
		/* leave out repeated points and the middle of straight runs */
		if (i > 0 && p->p[i].m == p->p[i - 1].m && p->p[i].c == p->p[i - 1].c)
			continue;
		if (i > 0 && i + 1 < p->n) {
			point a = p->p[i - 1], b = p->p[i], e = p->p[i + 1];
			if ((a.m == b.m && b.m == e.m) || (a.c == b.c && b.c == e.c))
				continue;
		}
		fprintf(d->f, "%s%.1f %.1f", first ? "M" : " L", px(d, p->p[i]), py(d, p->p[i]));
		first = 0;
	}
	fputs("\" fill=\"none\" stroke=\"#404040\" stroke-width=\"1.2\" "
	      "marker-end=\"url(#arrow)\"/>\n", d->f);
}

/* Draw the edges of s entered along p; returns the port it leaves by. */
static port edges(drawing *d, const seq *s, port p)
{
	for (int i = 0; i < s->n && !d->oom; i++) {
		const item *it = &s->v[i];
		if (it->kind == IT_BOX) {
			if (p.src >= 0)
				edge(d, &p, it->row, it->m, it->c);
			free(p.p);
			p = port_at(d, it->row, it->m + it->main, it->c);
		} else if (it->kind == IT_FRAME) {
			p = edges(d, &it->body, p);
		} else {
			/* down the axis to the split bar, along it to each lane */
			double split = it->m + GAP / 2.0, merge = join_box_m(it) - GAP / 2.0;
			point last = p.p[p.n - 1];
			if (last.c != it->c) {
				port_add(d, &p, (last.m + split) / 2, last.c);
				port_add(d, &p, (last.m + split) / 2, it->c);
			}
			port_add(d, &p, split, it->c);
			for (int k = 0; k < it->nbr && !d->oom; k++) {
				port b = port_copy(d, &p);
				port_add(d, &b, split, it->c + it->lane[k]);
				b = edges(d, &it->br[k], b);
				/* from the branch's end to the merge bar, to the join */
				point e = b.p[b.n - 1];
				port_add(d, &b, merge, e.c);
				port_add(d, &b, merge, it->c);
				edge(d, &b, it->row, join_box_m(it), it->c);
				free(b.p);
			}
			free(p.p);
			double box_main = d->lr ? it->bw : it->bh;
			p = port_at(d, it->row, join_box_m(it) + box_main, it->c);
		}
	}
	return p;
}

static int svg(drawing *d, const seq *root, const char *path, const char *title)
{
	const nl_graph *g = d->g;
	char sum[256], a[32], b[32];
	int64_t madds = 0;
	for (int i = 0; i < g->nnodes; i++)
		madds += nl_node_multadds(&g->nodes[i]);
	snprintf(sum, sizeof sum, "%d layers, %s parameters, %s mult-adds per image",
	         g->nnodes - 1, nl_human(g->params, a, sizeof a), nl_mega_giga(madds, b, sizeof b));
	double cross = root->a + root->b;
	double w = 2 * MARGIN + (d->lr ? root->main : cross);
	double h = 2 * MARGIN + TITLE_H + (d->lr ? cross : root->main);
	double tw = (double)(strlen(sum) > strlen(title) ? strlen(sum) : strlen(title)) * 7.0;
	if (w < tw + 2 * MARGIN)
		w = tw + 2 * MARGIN;

	nl_atomic_file af;
	if (nl_atomic_open(&af, path) != 0)
		return -1;
	d->f = af.f;
	FILE *f = af.f;
	nl_svg_begin(f, w, h, title);
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	      "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 "
	      "z\" fill=\"#404040\"/></marker></defs>\n", f);
	fprintf(f, "<text class=\"title\" x=\"%d\" y=\"%d\" font-size=\"15\" "
	        "font-weight=\"bold\">", MARGIN, MARGIN + 10);
	nl_svg_text(f, title);
	fprintf(f, "</text>\n<text class=\"summary\" x=\"%d\" y=\"%d\" fill=\"#505050\">",
	        MARGIN, MARGIN + 28);
	nl_svg_text(f, sum);
	fputs("</text>\n", f);
	fprintf(f, "<g font-family=\"DejaVu Sans Mono, monospace\" font-size=\"%d\">\n", FONT);
	draw_frames(d, root, 0);
	port p = { -1, 0, NULL };
	port_add(d, &p, 0, 0);
	p = edges(d, root, p);
	free(p.p);
	draw_boxes(d, root);
	fputs("</g>\n", f);
	nl_svg_end(f);
	if (d->oom || ferror(f)) {
		fprintf(stderr, "netlang: %s: %s\n", path, d->oom ? "out of memory" : "cannot write");
		nl_atomic_abort(&af);
		return -1;
	}
	return nl_atomic_commit(&af);
}

/* Whether the tree has a join, and how many boxes it shows. */
static void count(const seq *s, int *boxes, int *joins)
{
	for (int i = 0; i < s->n; i++) {
		const item *it = &s->v[i];
		if (it->kind == IT_FRAME)
			count(&it->body, boxes, joins);
		else if (it->kind == IT_JOIN) {
			(*joins)++;
			for (int k = 0; k < it->nbr; k++)
				count(&it->br[k], boxes, joins);
		}
		(*boxes)++;
	}
}

int nl_draw_svg(const char *path, const nl_graph *g, int depth, const char *title)
{
	drawing d;
	memset(&d, 0, sizeof d);
	d.g = g;
	size_t n = (size_t)g->nnodes;
	d.row_of = xcalloc(&d, n, sizeof *d.row_of);
	d.idom = xcalloc(&d, n, sizeof *d.idom);
	d.dom_depth = xcalloc(&d, n, sizeof *d.dom_depth);
	d.frame_up = xcalloc(&d, (size_t)g->norigins, sizeof *d.frame_up);
	seq root = { 0 };
	int rc = -1;
	if (d.oom || (d.nrows = nl_outline_rows(g, depth, &d.rows, d.row_of)) < 0) {
		fprintf(stderr, "netlang: out of memory drawing %s\n", path);
		goto out;
	}
	/* a join at top level is drawn as a join, never framed */
	for (int o = 0; o < g->norigins; o++) {
		int up = g->origins[o].parent;
		while (up >= 0 && is_join_origin(g, up))
			up = g->origins[up].parent;
		d.frame_up[o] = up;
	}
	dominators(&d);
	item in;
	memset(&in, 0, sizeof in);
	in.kind = IT_BOX;
	in.row = 0;
	int cap = 0;
	seq rest;
	if (seq_push(&d, &root, &in, &cap) || parse(&d, 0, g->nnodes - 1, &rest)) {
		fprintf(stderr, "netlang: out of memory drawing %s\n", path);
		goto out;
	}
	for (int i = 0; i < rest.n; i++)
		seq_push(&d, &root, &rest.v[i], &cap);
	free(rest.v);
	if (group(&d, &root, -1)) {
		fprintf(stderr, "netlang: out of memory drawing %s\n", path);
		goto out;
	}
	int boxes = 0, joins = 0;
	count(&root, &boxes, &joins);
	d.lr = joins == 0 && boxes <= LR_MAX_BOXES;
	measure_seq(&d, &root);
	place_seq(&root, MARGIN + (d.lr ? 0 : TITLE_H), MARGIN + (d.lr ? TITLE_H : 0) + root.a,
	          d.lr);
	rc = svg(&d, &root, path, title);
out:
	seq_free(&root);
	free(d.rows);
	free(d.row_of);
	free(d.idom);
	free(d.dom_depth);
	free(d.frame_up);
	return rc;
}
