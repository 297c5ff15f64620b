/* expand.c - nl_build: expand block calls, repeat and if, and shape-check
 * every node as it is made.
 *
 * The walk keeps one "tip": the node the next layer reads.  A concat or add
 * starts every branch from the same tip and joins the branches' tips.  Block
 * parameters are integers held in a frame per call.  Hostile programs are
 * bounded three ways: nesting depth (calls, repeats, ifs and joins), total
 * nodes, and total expansion steps (so `repeat 1000000000 { }` ends too).
 */
#include <config.h>

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ctx.h"
#include "lang/graph_store.h"
#include "lang/kinds.h"
#include "lang/names.h"
#include "lang/suggest.h"
#include "lang/shape.h"

#ifndef NL_MAX_NODES
#define NL_MAX_NODES 10000000
#endif
#ifndef NL_MAX_STEPS
#define NL_MAX_STEPS 100000000
#endif
#ifndef NL_MAX_NESTING
#define NL_MAX_NESTING 1000
#endif
enum { MAX_NOTES = 5 };

typedef struct frame {
	const nl_stmt *def;
	const int64_t *vals;
	struct frame *up;
} frame;

typedef struct builder {
	nl_ctx *cx;
	nl_node *nodes;
	int n;
	size_t cap;
	int *edges;            /* node inputs; nodes hold offsets until the end */
	size_t nedges, capedges;
	size_t *edge_at;       /* per node: offset of its inputs in edges */
	nl_origin *origins;
	int norigins;
	size_t caporigins;
	int origin;            /* innermost call, -1 at top level */
	int tip;
	frame *frame;
	const nl_stmt **calls; /* the active calls, for recursion checks */
	int ncalls;
	int nesting;
	int64_t steps;
	int notes;
	int failed;            /* the node whose shape failed, or -1 */
	char *calls_text;      /* the calls as written ("vgg_block(2, 256)"),
	                          NUL-separated; origin i's at call_at[i] */
	size_t ncalls_text, capcalls_text;
	size_t *call_at;
	size_t capcall_at;
	int quiet;             /* estimating: failures print nothing */
	int64_t budget;        /* estimating: AST nodes left to look at */
} builder;

static int fail(builder *b, nl_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(builder *b, nl_loc loc, const char *fmt, ...)
{
	va_list ap;
	if (b->quiet)
		return -1;
	va_start(ap, fmt);
	nl_vdiag(b->cx->diag, loc, "error", fmt, ap);
	va_end(ap);
	return -1;
}

/* Make room for need elements in *p (doubling); -1 when memory ran out,
 * leaving *p as it was. */
static int grow(void *pp, size_t elem, size_t *cap, size_t need)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* ---- expressions ---- */

static int lookup(const builder *b, const char *name, int64_t *v)
{
	const frame *f = b->frame;
	if (!f)
		return -1;
	if (f->def->param_index) {
		int i = nl_names_get(f->def->param_index, name);
		if (i < 0)
			return -1;
		*v = f->vals[i];
		return 0;
	}
	for (int i = 0; i < f->def->nargs; i++)
		if (strcmp(f->def->params[i], name) == 0) {
			*v = f->vals[i];
			return 0;
		}
	return -1;
}

/* `kxk` where k is a parameter or a number: the user meant `k x k`. */
static int looks_like_size(const builder *b, const char *name)
{
	if (!strchr(name, 'x'))
		return 0;
	char part[64];
	const char *p = name;
	int parts = 0;
	for (;;) {
		const char *x = strchr(p, 'x');
		size_t len = x ? (size_t)(x - p) : strlen(p);
		if (len == 0 || len >= sizeof part)
			return 0;
		memcpy(part, p, len);
		part[len] = '\0';
		int64_t v;
		if (strspn(part, "0123456789") != len && lookup(b, part, &v) != 0)
			return 0;
		parts++;
		if (!x)
			break;
		p = x + 1;
	}
	return parts >= 2;
}

static int eval(builder *b, const nl_expr *e, int64_t *out)
{
	int64_t x, y, r = 0;
	switch (e->op) {
	case NL_E_NUM:
		*out = e->value;
		return 0;
	case NL_E_NAME:
		if (lookup(b, e->name, out) == 0)
			return 0;
		if (looks_like_size(b, e->name)) {
			char hint[512];
			size_t k = 0;
			for (const char *p = e->name; *p && k + 4 < sizeof hint; p++) {
				if (*p == 'x') {
					memcpy(hint + k, " x ", 3);
					k += 3;
				} else {
					hint[k++] = *p;
				}
			}
			hint[k] = '\0';
			return fail(b, e->loc, "unknown name '%s' (for a size write '%s')",
			            e->name, hint);
		}
		if (!b->frame)
			return fail(b, e->loc, "unknown name '%s' (only block parameters "
			            "have names)", e->name);
		return fail(b, e->loc, "unknown name '%s' (not a parameter of '%s')",
		            e->name, b->frame->def->name);
	case NL_E_NEG: case NL_E_NOT:
		if (eval(b, e->a, &x))
			return -1;
		r = e->op == NL_E_NEG ? -x : !x;
		if (r > INT_MAX)
			return fail(b, e->loc, "integer overflow (%" PRId64 " is out of range)", r);
		*out = r;
		return 0;
	default:
		break;
	}
	if (eval(b, e->a, &x))
		return -1;
	/* && and || do not evaluate their right side when the left decides */
	if (e->op == NL_E_AND && !x) { *out = 0; return 0; }
	if (e->op == NL_E_OR && x) { *out = 1; return 0; }
	if (eval(b, e->b, &y))
		return -1;
	switch (e->op) {
	case NL_E_ADD: r = x + y; break;
	case NL_E_SUB: r = x - y; break;
	case NL_E_MUL: r = x * y; break;  /* both within int32: no int64 overflow */
	case NL_E_DIV: case NL_E_MOD:
		if (y == 0)
			return fail(b, e->loc, "division by zero");
		r = e->op == NL_E_DIV ? x / y : x % y;
		break;
	case NL_E_EQ: r = x == y; break;
	case NL_E_NE: r = x != y; break;
	case NL_E_LT: r = x < y; break;
	case NL_E_LE: r = x <= y; break;
	case NL_E_GT: r = x > y; break;
	case NL_E_GE: r = x >= y; break;
	case NL_E_AND: r = y != 0; break;
	case NL_E_OR: r = y != 0; break;
	default: break;
	}
	if (r > INT_MAX || r < INT_MIN)
		return fail(b, e->loc, "integer overflow (%" PRId64 " is out of range)", r);
	*out = r;
	return 0;
}

/* Evaluate to an int in [lo, INT_MAX]; `what` names the value in errors. */
static int eval_int(builder *b, const nl_expr *e, int lo, const char *what, int *out)
{
	int64_t v;
	if (eval(b, e, &v))
		return -1;
	if (v < lo)
		return fail(b, e->loc, "%s must be %s, got %" PRId64, what,
		            lo > 0 ? "positive" : "at least 0", v);
	*out = (int)v;
	return 0;
}

/* Sizes written as one or two expressions: one means square. */
static int eval_pair(builder *b, const nl_dims *d, int lo, const char *what,
                     int *h, int *w)
{
	if (d->n > 2)
		return fail(b, d->loc, "%s takes one size or two (HxW), got %d", what, d->n);
	if (eval_int(b, d->e[0], lo, what, h))
		return -1;
	if (d->n == 1) {
		*w = *h;
		return 0;
	}
	return eval_int(b, d->e[1], lo, what, w);
}

/* ---- nodes ---- */

static nl_node *new_node(builder *b, nl_kind k, const nl_stmt *s, int ninputs)
{
	if (b->n >= NL_MAX_NODES) {
		fail(b, s->loc, "the network has more than %d layers", NL_MAX_NODES);
		return NULL;
	}
	size_t cap = b->cap, cap2 = b->cap;
	if (grow(&b->nodes, sizeof *b->nodes, &cap, (size_t)b->n + 1) ||
	    grow(&b->edge_at, sizeof *b->edge_at, &cap2, (size_t)b->n + 1) ||
	    grow(&b->edges, sizeof *b->edges, &b->capedges, b->nedges + (size_t)ninputs)) {
		fail(b, s->loc, "out of memory after %d layers", b->n);
		return NULL;
	}
	b->cap = cap < cap2 ? cap : cap2;
	b->edge_at[b->n] = b->nedges;
	b->nedges += (size_t)ninputs;
	nl_node *nd = &b->nodes[b->n++];
	memset(nd, 0, sizeof *nd);
	nd->kind = k;
	nd->ninputs = ninputs;
	nd->loc = s->loc;
	nd->origin = b->origin;
	return nd;
}

/* Finish a one-input node: shape it from the tip and make it the tip. */
/* A shape that fails only because --resize changed the input says so. */
static int shape_fail(builder *b, nl_loc loc, const char *why)
{
	fail(b, loc, "%s", why);
	const nl_ctx *cx = b->cx;
	if (cx->input_h > 0 && !b->quiet && cx->input_index >= 0) {
		const nl_stmt *in = cx->stmts.v[cx->input_index];
		nl_diag(b->cx, in->loc, "note", "the input is %dx%dx%d because of --resize %d; "
		        "the net as written may not work at that size", b->nodes[0].shape.c,
		        cx->input_h, cx->input_w, cx->input_h);
	}
	return -1;
}

static int link_node(builder *b, nl_node *nd, const nl_stmt *s)
{
	char why[256];
	b->edges[b->edge_at[b->n - 1]] = b->tip;
	if (nl_shape_layer(nd, &b->nodes[b->tip].shape, why, sizeof why)) {
		b->failed = b->n - 1;
		return shape_fail(b, s->loc, why);
	}
	b->tip = b->n - 1;
	return 0;
}

static int expand_layer(builder *b, const nl_stmt *s)
{
	nl_node *nd = new_node(b, s->layer, s, 1);
	if (!nd)
		return -1;
	const nl_kind_info *ki = nl_kind_info_of(s->layer);
	const char *w = ki->word;
	char what[64];
	switch (ki->syntax) {
	case NL_SYN_CONV: case NL_SYN_POOL:
		snprintf(what, sizeof what, "%s kernel", w);
		if (eval_pair(b, &s->kernel, 1, what, &nd->kh, &nd->kw))
			return -1;
		if (s->has_stride) {
			nd->stride_written = 1;
			snprintf(what, sizeof what, "%s stride", w);
			if (eval_pair(b, &s->stride, 1, what, &nd->sh, &nd->sw))
				return -1;
		} else if (ki->syntax == NL_SYN_CONV) {
			nd->sh = nd->sw = 1;
		} else {
			nd->sh = nd->kh;  /* pooling: stride defaults to the kernel */
			nd->sw = nd->kw;
		}
		if (s->has_pad) {
			snprintf(what, sizeof what, "%s padding", w);
			if (eval_pair(b, &s->pad, 0, what, &nd->ph, &nd->pw))
				return -1;
		}
		if (ki->syntax == NL_SYN_CONV) {
			snprintf(what, sizeof what, "%s output channels", w);
			if (eval_int(b, s->out, 1, what, &nd->out))
				return -1;
		}
		break;
	case NL_SYN_FEATURES:
		snprintf(what, sizeof what, "%s output features", w);
		if (eval_int(b, s->out, 1, what, &nd->out))
			return -1;
		break;
	case NL_SYN_PROB:
		if (!(s->p >= 0 && s->p < 1))
			return fail(b, s->loc, "%s probability must be in [0, 1), got %s",
			            w, s->p_text ? s->p_text : "?");
		nd->p = (float)s->p;
		break;
	default:
		break;
	}
	if (ki->params == NL_PAR_NORM) {
		nd->eps = 1e-5f;      /* PyTorch's defaults */
		nd->momentum = 0.1f;
	}
	return link_node(b, nd, s);
}

static int expand_list(builder *b, const nl_stmt *s);
static int note_call(builder *b, const nl_stmt *s, const int64_t *vals);

/* ---- the layer limit, before the layers ---- */

/* How many layers a statement list makes at the least, as far as can be
 * seen without making them: layers and joins count, repeats multiply by
 * counts that evaluate here, calls count their bodies, and whatever cannot
 * be evaluated (or looks too far: the budget) counts as nothing.  So a
 * `repeat 100000000 { conv ... }` is refused before its first layer, not
 * after ten million of them and gigabytes. */
static int64_t min_layers(builder *b, const nl_stmt *s)
{
	const int64_t cap = (int64_t)NL_MAX_NODES + 1;
	int64_t total = 0, v;
	for (; s && total < cap && b->budget > 0; s = s->next) {
		b->budget--;
		int64_t k = 0;
		switch (s->kind) {
		case NL_S_LAYER:
			k = 1;
			break;
		case NL_S_REPEAT:
			if (eval(b, s->cond, &v) == 0 && v > 0) {
				k = min_layers(b, s->body);
				k = k > 0 && v > cap / k ? cap : k * v;
			}
			break;
		case NL_S_IF:
			if (eval(b, s->cond, &v) == 0)
				k = min_layers(b, v ? s->body : s->else_body);
			break;
		case NL_S_CONCAT: case NL_S_ADD:
			k = 1;
			for (const nl_stmt *br = s->body; br; br = br->next)
				k += min_layers(b, br->body);
			break;
		case NL_S_CALL: {
			const nl_stmt *def = nl_find_def(b->cx, s->name);
			if (!def || def->nargs != s->nargs || b->ncalls >= NL_MAX_NESTING)
				break;
			int recursive = 0;
			for (int i = 0; i < b->ncalls; i++)
				recursive |= b->calls[i] == def;
			int64_t *vals = recursive ? NULL : malloc(((size_t)s->nargs + 1) * sizeof *vals);
			int ok = vals != NULL;
			for (int i = 0; ok && i < s->nargs; i++)
				ok = eval(b, s->args[i], &vals[i]) == 0;
			if (ok) {
				frame f = { def, vals, b->frame };
				b->frame = &f;
				b->calls[b->ncalls++] = def;
				k = min_layers(b, def->body);
				b->ncalls--;
				b->frame = f.up;
			}
			free(vals);
			break;
		}
		default:
			break;
		}
		total = k > cap - total ? cap : total + k;
	}
	return total;
}

/* Refuse a repeat whose layers cannot fit under the limit. */
static int check_repeat_size(builder *b, const nl_stmt *s, int n)
{
	int quiet = b->quiet;
	b->quiet = 1;
	b->budget = 100000;
	int64_t per = min_layers(b, s->body);
	b->quiet = quiet;
	int64_t room = (int64_t)NL_MAX_NODES - b->n;
	if (per > 0 && n > room / per)
		return fail(b, s->loc, "repeat %d of at least %lld layer%s each makes more than "
		            "%d layers", n, (long long)per, per == 1 ? "" : "s", NL_MAX_NODES);
	return 0;
}

static int enter(builder *b, const nl_stmt *s)
{
	if (b->nesting >= NL_MAX_NESTING)
		return fail(b, s->loc, "nesting too deep: more than %d calls, repeats, "
		            "ifs and joins inside one another", NL_MAX_NESTING);
	b->nesting++;
	return 0;
}

/* Where a branch's output comes from: its last layer, or for an empty
 * branch (the identity) the word `branch`. */
static nl_loc join_loc(const builder *b, int node, int base, const nl_stmt *br)
{
	return node > base ? b->nodes[node].loc : br->loc;
}

static int expand_join(builder *b, const nl_stmt *s)
{
	int nbr = 0;
	for (const nl_stmt *br = s->body; br; br = br->next)
		nbr++;
	const char *w = s->kind == NL_S_CONCAT ? "concat" : "add";
	if (nbr < 2)
		return fail(b, s->loc, "%s needs at least two branches, got %d", w, nbr);
	int *tips = malloc((size_t)nbr * sizeof *tips);
	if (!tips)
		return fail(b, s->loc, "out of memory");
	int base = b->tip, i = 0, saved_origin = b->origin, rc = 0;
	if (b->origin < 0 && !b->frame) {
		/* A join at top level is listed as one line, like a block call. */
		if (grow(&b->origins, sizeof *b->origins, &b->caporigins,
		         (size_t)b->norigins + 1)) {
			free(tips);
			return fail(b, s->loc, "out of memory");
		}
		if (note_call(b, NULL, 0)) {
			free(tips);
			return fail(b, s->loc, "out of memory");
		}
		b->origins[b->norigins] = (nl_origin){ w, w, s->loc, -1, -1 };
		b->origin = b->norigins++;
	}
	for (const nl_stmt *br = s->body; br; br = br->next, i++) {
		b->tip = base;
		if (expand_list(b, br->body)) {
			rc = -1;
			goto out;
		}
		tips[i] = b->tip;
	}
	nl_node *nd = new_node(b, s->kind == NL_S_CONCAT ? NL_CONCAT : NL_ADD, s, nbr);
	if (!nd) {
		rc = -1;
		goto out;
	}
	memcpy(&b->edges[b->edge_at[b->n - 1]], tips, (size_t)nbr * sizeof *tips);
	nl_shape sh = b->nodes[tips[0]].shape;
	int64_t channels = sh.c;
	for (i = 1; i < nbr; i++) {
		const nl_shape *t = &b->nodes[tips[i]].shape;
		int bad = s->kind == NL_S_ADD
		        ? t->rank != sh.rank || t->c != sh.c || t->h != sh.h || t->w != sh.w
		        : t->rank != sh.rank || t->h != sh.h || t->w != sh.w;
		if (bad) {
			char s1[64], s2[64];
			const nl_stmt *bk = s->body;
			for (int k = 0; k < i; k++)
				bk = bk->next;
			b->failed = b->n - 1;
			nl_loc l1 = join_loc(b, tips[0], base, s->body);
			nl_loc l2 = join_loc(b, tips[i], base, bk);
			char why[512];
			snprintf(why, sizeof why, "%s of %s (from %s:%d:%d) and %s (from %s:%d:%d): %s",
			          w, nl_shape_str(&sh, s1, sizeof s1), l1.file, l1.line, l1.col,
			          nl_shape_str(t, s2, sizeof s2), l2.file, l2.line, l2.col,
			          s->kind == NL_S_ADD ? "shapes differ"
			          : t->rank != sh.rank ? "one is flat, the other is not"
			          : "heights and widths differ");
			rc = shape_fail(b, s->loc, why);
			goto out;
		}
		channels += t->c;
	}
	if (s->kind == NL_S_CONCAT) {
		if (channels > INT_MAX) {
			rc = fail(b, s->loc, "concat: more than %d channels", INT_MAX);
			goto out;
		}
		sh.c = (int)channels;
	} else {
		int64_t e = (int64_t)sh.c * sh.h * sh.w;
		nd->flops = (int64_t)(nbr - 1) * nl_kind_info_of(NL_ADD)->cost * e;
	}
	nd->shape = sh;
	b->tip = b->n - 1;
	if (b->origin != saved_origin)
		b->origins[b->origin].last_node = b->tip;
out:
	b->origin = saved_origin;
	free(tips);
	return rc;
}

/* Keep the text of the call about to become origin b->norigins: the
 * block's name and its arguments' values, "vgg_block(2, 256)" (no text for
 * a join's origin: its name is its text).  -1 when memory ran out. */
static int note_call(builder *b, const nl_stmt *s, const int64_t *vals)
{
	char text[512];
	size_t k = 0;
	text[0] = '\0';
	if (s) {
		k = (size_t)snprintf(text, sizeof text, "%s(", s->name);
		for (int i = 0; i < s->nargs && k < sizeof text; i++)
			k += (size_t)snprintf(text + k, sizeof text - k, "%s%" PRId64,
			                      i ? ", " : "", vals[i]);
		if (k < sizeof text)
			snprintf(text + k, sizeof text - k, ")");
		k = strlen(text) + 1;
	}
	if (grow(&b->call_at, sizeof *b->call_at, &b->capcall_at, (size_t)b->norigins + 1) ||
	    grow(&b->calls_text, 1, &b->capcalls_text, b->ncalls_text + k + 1))
		return -1;
	b->call_at[b->norigins] = s ? b->ncalls_text : SIZE_MAX;
	if (s) {
		memcpy(b->calls_text + b->ncalls_text, text, k);
		b->ncalls_text += k;
	}
	return 0;
}

/* What an unknown name might have been: " (it is in vgg.net: write `use
 * vgg` first)" for a library's block, else " (did you mean 'conv'?)" for a
 * near miss among the layer keywords (when as_layer) and the blocks. */
static void unknown_hint(builder *b, const char *name, int as_layer, char *hint, size_t len)
{
	char lib[96];
	hint[0] = '\0';
	if (nl_lib_defining(b->cx, name, lib, sizeof lib)) {
		snprintf(hint, len, " (%s is defined in %s.net: write `use %s` first%s)", name,
		         lib, lib, as_layer ? ", then call it with its arguments" : "");
		return;
	}
	nl_suggest sg;
	nl_suggest_init(&sg, name);
	if (as_layer)
		for (int i = 0; nl_kind_keyword(i); i++)
			nl_suggest_add(&sg, nl_kind_keyword(i));
	const char **names = NULL;
	int n = nl_block_names(b->cx, &names);
	for (int i = 0; i < n; i++)
		nl_suggest_add(&sg, names[i]);
	const char *best = nl_suggest_best(&sg);
	if (best)
		snprintf(hint, len, " (did you mean '%s'?)", best);
}

static void call_chain(const builder *b, const nl_stmt *def, char *buf, size_t n)
{
	size_t k = 0;
	int start = 0;
	for (int i = 0; i < b->ncalls; i++)
		if (b->calls[i] == def)
			start = i;
	buf[0] = '\0';
	for (int i = start; i < b->ncalls && k + 48 < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s -> ", b->calls[i]->name);
	snprintf(buf + k, n - k, "%s", def->name);
}

static int expand_call(builder *b, const nl_stmt *s)
{
	const nl_stmt *def = nl_find_def(b->cx, s->name);
	if (!def)
	{
		char hint[512];
		unknown_hint(b, s->name, 0, hint, sizeof hint);
		return fail(b, s->loc, "unknown block '%s'%s", s->name, hint);
	}
	if (def->nargs != s->nargs)
		return fail(b, s->loc, "'%s' takes %d argument%s, got %d", s->name,
		            def->nargs, def->nargs == 1 ? "" : "s", s->nargs);
	for (int i = 0; i < b->ncalls; i++)
		if (b->calls[i] == def) {
			char chain[256];
			call_chain(b, def, chain, sizeof chain);
			return fail(b, s->loc, "recursive call of '%s' (%s)", s->name, chain);
		}
	int64_t *vals = malloc(((size_t)s->nargs + 1) * sizeof *vals);
	if (!vals)
		return fail(b, s->loc, "out of memory");
	for (int i = 0; i < s->nargs; i++)
		if (eval(b, s->args[i], &vals[i])) {
			free(vals);
			return -1;
		}
	if (grow(&b->origins, sizeof *b->origins, &b->caporigins, (size_t)b->norigins + 1)) {
		free(vals);
		return fail(b, s->loc, "out of memory");
	}
	if (note_call(b, s, vals)) {
		free(vals);
		return fail(b, s->loc, "out of memory");
	}
	int me = b->norigins++;
	b->origins[me] = (nl_origin){ def->name, NULL, s->loc, b->origin, -1 };

	frame f = { def, vals, b->frame };
	int saved_origin = b->origin, first = b->n;
	b->frame = &f;
	b->origin = me;
	b->calls[b->ncalls++] = def;
	int rc = expand_list(b, def->body);
	b->ncalls--;
	b->frame = f.up;
	b->origin = saved_origin;
	free(vals);
	if (rc) {
		if (!b->quiet && b->notes++ < MAX_NOTES)
			nl_diag(b->cx, s->loc, "note", "in a call of '%s'", s->name);
		return -1;
	}
	b->origins[me].last_node = b->n > first ? b->n - 1 : -1;
	return 0;
}

static int expand_stmt(builder *b, const nl_stmt *s)
{
	if (++b->steps > NL_MAX_STEPS)
		return fail(b, s->loc, "expansion takes more than %d steps", NL_MAX_STEPS);
	switch (s->kind) {
	case NL_S_LAYER:
		return expand_layer(b, s);
	case NL_S_INPUT:
		return 0;  /* made before the walk */
	case NL_S_BARE_NAME: {
		if (nl_find_def(b->cx, s->name))
			return fail(b, s->loc, "'%s' is a block: call it as %s(...)",
			            s->name, s->name);
		char hint[512];
		unknown_hint(b, s->name, 1, hint, sizeof hint);
		return fail(b, s->loc, "unknown layer '%s'%s", s->name, hint);
	}
	case NL_S_CALL: {
		if (enter(b, s))
			return -1;
		int rc = expand_call(b, s);
		b->nesting--;
		return rc;
	}
	case NL_S_REPEAT: {
		int n = 0;
		if (eval_int(b, s->cond, 0, "repeat count", &n) || check_repeat_size(b, s, n) ||
		    enter(b, s))
			return -1;
		int rc = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			if (++b->steps > NL_MAX_STEPS)
				rc = fail(b, s->loc, "expansion takes more than %d steps",
				          NL_MAX_STEPS);
			else
				rc = expand_list(b, s->body);
		}
		b->nesting--;
		return rc;
	}
	case NL_S_IF: {
		int64_t c;
		if (eval(b, s->cond, &c) || enter(b, s))
			return -1;
		int rc = expand_list(b, c ? s->body : s->else_body);
		b->nesting--;
		return rc;
	}
	case NL_S_CONCAT: case NL_S_ADD: {
		if (enter(b, s))
			return -1;
		int rc = expand_join(b, s);
		b->nesting--;
		return rc;
	}
	default:
		return fail(b, s->loc, "internal error: unexpected statement");
	}
}

static int expand_list(builder *b, const nl_stmt *s)
{
	for (; s; s = s->next)
		if (expand_stmt(b, s))
			return -1;
	return 0;
}

/* ---- the result ---- */

/* Strings copied into one block; failed is set, and 0 returned, when
 * memory runs out (finish checks once at the end). */
typedef struct strpool { char *s; size_t n, cap; int failed; } strpool;

static size_t pool_add(strpool *p, const char *s)
{
	size_t len = strlen(s) + 1, at = p->n;
	if (p->failed || grow(&p->s, 1, &p->cap, p->n + len)) {
		p->failed = 1;
		return 0;
	}
	memcpy(p->s + at, s, len);
	p->n += len;
	return at;
}

/* A train item's value other than a text: a number, or a list of them or
 * a word (auto) for a NUMBERS setting, whose value holds no pointer. */
static void set_value(nl_options *t, int id, const nl_train_item *it, char *err,
                      size_t errlen)
{
	if (nl_setting_info(id)->type != NL_ST_NUMBERS)
		nl_options_set_number(t, id, it->number, it->is_int, err, errlen);
	else if (!it->is_number)
		nl_options_set_text(t, id, it->text, err, errlen);
	else
		nl_options_set_numbers(t, id, it->nvalues ? it->values : &it->number,
		                       it->nvalues ? it->nvalues : 1, err, errlen);
}

/* The train sections' settings; texts go into the pool, at offsets
 * text_at[id] (SIZE_MAX where none), made pointers once the pool is whole.
 * load.c checked every item, so setting one cannot fail here. */
static void train_settings(nl_ctx *cx, nl_options *t, strpool *pool, size_t *text_at)
{
	char err[128];
	nl_options_init(t);
	for (int i = 0; i < NL_NSETTINGS; i++)
		text_at[i] = SIZE_MAX;
	for (int i = 0; i < cx->trains.n; i++) {
		const nl_stmt *s = cx->trains.v[i];
		for (const nl_train_item *it = s->items; it; it = it->next) {
			int id = nl_setting_find(it->key, strlen(it->key), NL_IN_FILE);
			if (id < 0)
				continue;
			if (nl_setting_info(id)->type == NL_ST_TEXT) {
				text_at[id] = pool_add(pool, it->text);
				t->given |= 1ull << id;
			} else {
				set_value(t, id, it, err, sizeof err);
			}
		}
	}
}

/* Point the text settings into the finished pool. */
static void train_texts(nl_options *t, const strpool *pool, const size_t *text_at)
{
	char err[128];
	for (int id = 0; id < NL_NSETTINGS; id++)
		if (text_at[id] != SIZE_MAX)
			nl_options_set_text(t, id, pool->s + text_at[id], err, sizeof err);
}

static nl_graph *finish(builder *b)
{
	nl_ctx *cx = b->cx;
	nl_graph *g = calloc(1, sizeof *g);
	nl_graph_store *st = calloc(1, sizeof *st);
	size_t *file_at = malloc(((size_t)cx->sources.n + 1) * sizeof *file_at);
	if (!g || !st || !file_at) {
		free(g);
		free(st);
		free(file_at);
		return NULL;
	}
	strpool pool = { 0 };
	size_t text_at[NL_NSETTINGS];
	train_settings(cx, &g->train, &pool, text_at);
	for (int i = 0; i < cx->sources.n; i++)
		file_at[i] = SIZE_MAX;
	unsigned id = ++cx->build_id;
	/* pass 1: strings into the pool, as offsets */
	for (int i = 0; i < b->n; i++) {
		const nl_source *src = nl_source_of(b->nodes[i].loc.file);
		if (file_at[src->id] == SIZE_MAX)
			file_at[src->id] = pool_add(&pool, src->name);
	}
	size_t *name_at = malloc(((size_t)b->norigins + 1) * sizeof *name_at);
	size_t *text_of = malloc(((size_t)b->norigins + 1) * sizeof *text_of);
	if (!name_at || !text_of)
		pool.failed = 1;
	for (int i = 0; text_of && i < b->norigins; i++)
		text_of[i] = b->call_at[i] == SIZE_MAX ? SIZE_MAX
		           : pool_add(&pool, b->calls_text + b->call_at[i]);
	for (int i = 0; name_at && i < b->norigins; i++) {
		nl_origin *o = &b->origins[i];
		const nl_source *src = nl_source_of(o->loc.file);
		if (file_at[src->id] == SIZE_MAX)
			file_at[src->id] = pool_add(&pool, src->name);
		nl_stmt *def = nl_find_def(cx, o->name);
		if (def && def->name == o->name) {
			if (def->graph_build != id) {
				def->graph_build = id;
				def->graph_name = (int)pool_add(&pool, def->name);
			}
			name_at[i] = (size_t)def->graph_name;
		} else {
			name_at[i] = SIZE_MAX;  /* "concat", "add": static strings */
		}
	}
	if (pool.failed) {
		free(name_at);
		free(text_of);
		free(file_at);
		free(pool.s);
		free(g);
		free(st);
		return NULL;
	}
	/* pass 2: pointers */
	for (int i = 0; i < b->n; i++) {
		nl_node *nd = &b->nodes[i];
		nd->loc.file = pool.s + file_at[nl_source_of(nd->loc.file)->id];
		nd->inputs = nd->ninputs ? b->edges + b->edge_at[i] : NULL;
		g->params += nd->params;
		g->flops += nd->flops;
	}
	for (int i = 0; i < b->norigins; i++) {
		nl_origin *o = &b->origins[i];
		o->loc.file = pool.s + file_at[nl_source_of(o->loc.file)->id];
		if (name_at[i] != SIZE_MAX)
			o->name = pool.s + name_at[i];
		o->call = text_of[i] != SIZE_MAX ? pool.s + text_of[i] : o->name;
	}
	train_texts(&g->train, &pool, text_at);
	free(name_at);
	free(text_of);
	free(file_at);
	free(b->edge_at);
	st->edges = b->edges;
	st->strings = pool.s;
	g->owner_ = st;
	g->nnodes = b->n;
	g->nodes = b->nodes;
	g->norigins = b->norigins;
	g->origins = b->origins;
	return g;
}

static int make_input(builder *b, const nl_stmt *s)
{
	nl_node *nd = new_node(b, NL_INPUT, s, 0);
	if (!nd)
		return -1;
	if (s->kernel.n != 3)
		return fail(b, s->loc, "input takes three sizes, CxHxW (e.g. 1x28x28), "
		            "got %d", s->kernel.n);
	int v[3];
	static const char *const what[3] = { "input channels", "input height",
	                                     "input width" };
	for (int i = 0; i < 3; i++)
		if (eval_int(b, s->kernel.e[i], 1, what[i], &v[i]))
			return -1;
	if (b->cx->input_h > 0) {
		v[1] = b->cx->input_h;
		v[2] = b->cx->input_w;
	}
	nd->shape = (nl_shape){ 4, 1, v[0], v[1], v[2] };
	if ((double)v[0] * v[1] * v[2] > 1099511627776.0)  /* 2^40 elements */
		return fail(b, s->loc, "input %dx%dx%d is too large", v[0], v[1], v[2]);
	b->tip = 0;
	return 0;
}

/* softmax is for the loss to fuse: anywhere but last is a mistake (nodes
 * [from, n - 1) are checked). */
static int check_last(builder *b, int from)
{
	for (int i = from > 0 ? from : 0; i + 1 < b->n; i++)
		if (nl_kind_has(b->nodes[i].kind, NL_KF_LAST))
			return fail(b, b->nodes[i].loc, "%s must be the last layer "
			            "(the loss applies it)", nl_kind_name(b->nodes[i].kind));
	return 0;
}

/* ---- a session's build, a statement at a time ---- */

/* Where the builder stood after a top-level statement. */
typedef struct checkpoint {
	const nl_stmt *stmt;    /* the last statement expanded (NULL: the input) */
	int n, norigins, tip;
	size_t nedges;
	int64_t steps, params, flops;
	size_t ncalls_text;
} checkpoint;

struct nl_build_cache {
	builder b;              /* the kept build's arrays and counters */
	checkpoint *ck;         /* ck[k]: after statements [0, k) */
	int nck, capck;
	const nl_stmt *input;   /* what the input node was made from, and at */
	int input_h, input_w;   /* which override */
	int *edges_seen;        /* b.edges when inputs were made pointers */
	int pointed;            /* nodes whose inputs are pointers into it */
	char *texts_seen;       /* b.calls_text when calls were made pointers */
	int called;             /* origins whose call points into it */
};

void nl_build_cache_free(nl_build_cache *c)
{
	if (!c)
		return;
	free(c->b.nodes);
	free(c->b.edges);
	free(c->b.edge_at);
	free(c->b.origins);
	free(c->b.calls);
	free(c->b.calls_text);
	free(c->b.call_at);
	free(c->ck);
	free(c);
}

static void restore(builder *b, const checkpoint *k)
{
	b->n = k->n;
	b->nedges = k->nedges;
	b->norigins = k->norigins;
	b->tip = k->tip;
	b->steps = k->steps;
	b->ncalls_text = k->ncalls_text;
	b->origin = -1;
	b->frame = NULL;
	b->ncalls = 0;
	b->nesting = 0;
}

/* Record where the builder stands after stmt; -1 when memory ran out. */
static int push_checkpoint(nl_build_cache *c, const nl_stmt *stmt)
{
	size_t cap = (size_t)c->capck;
	if (grow(&c->ck, sizeof *c->ck, &cap, (size_t)c->nck + 1))
		return -1;
	c->capck = (int)cap;
	const builder *b = &c->b;
	checkpoint k = { stmt, b->n, b->norigins, b->tip, b->nedges, b->steps, 0, 0,
	                 b->ncalls_text };
	int from = 0;
	if (c->nck > 0) {
		k.params = c->ck[c->nck - 1].params;
		k.flops = c->ck[c->nck - 1].flops;
		from = c->ck[c->nck - 1].n;
	}
	for (int i = from; i < b->n; i++) {
		k.params += b->nodes[i].params;
		k.flops += b->nodes[i].flops;
	}
	c->ck[c->nck++] = k;
	return 0;
}

/* The train sections' settings, texts pointing into the context. */
static void train_settings_direct(nl_ctx *cx, nl_options *t)
{
	char err[128];
	nl_options_init(t);
	for (int i = 0; i < cx->trains.n; i++) {
		const nl_stmt *s = cx->trains.v[i];
		for (const nl_train_item *it = s->items; it; it = it->next) {
			int id = nl_setting_find(it->key, strlen(it->key), NL_IN_FILE);
			if (id < 0)
				continue;
			if (nl_setting_info(id)->type == NL_ST_TEXT)
				nl_options_set_text(t, id, it->text, err, sizeof err);
			else
				set_value(t, id, it, err, sizeof err);
		}
	}
}

/* A graph that borrows the kept build's arrays (see nl_set_incremental). */
static nl_graph *borrow(nl_build_cache *c)
{
	builder *b = &c->b;
	nl_graph *g = calloc(1, sizeof *g);
	nl_graph_store *st = calloc(1, sizeof *st);
	if (!g || !st) {
		free(g);
		free(st);
		return NULL;
	}
	st->borrowed = 1;
	if (c->edges_seen != b->edges || c->pointed > b->n)
		c->pointed = 0;   /* the edges moved, or were rolled back */
	c->edges_seen = b->edges;
	for (int i = c->pointed; i < b->n; i++)
		b->nodes[i].inputs = b->nodes[i].ninputs ? b->edges + b->edge_at[i] : NULL;
	c->pointed = b->n;
	if (c->texts_seen != b->calls_text || c->called > b->norigins)
		c->called = 0;    /* the texts moved, or were rolled back */
	c->texts_seen = b->calls_text;
	for (int i = c->called; i < b->norigins; i++)
		b->origins[i].call = b->call_at[i] == SIZE_MAX ? b->origins[i].name
		                   : b->calls_text + b->call_at[i];
	c->called = b->norigins;
	train_settings_direct(b->cx, &g->train);
	g->params = c->ck[c->nck - 1].params;
	g->flops = c->ck[c->nck - 1].flops;
	g->nnodes = b->n;
	g->nodes = b->nodes;
	g->norigins = b->norigins;
	g->origins = b->origins;
	g->owner_ = st;
	return g;
}

/* Expand what changed since the last build: the statements from the first
 * one rolled back, undone or not yet built.  A long session costs what its
 * new lines cost, not what the whole net costs, at every line. */
static nl_graph *build_incremental(nl_ctx *cx)
{
	nl_build_cache *c = cx->cache;
	if (!c) {
		c = calloc(1, sizeof *c);
		if (c && !(c->b.calls = malloc((NL_MAX_NESTING + 1) * sizeof *c->b.calls))) {
			free(c);
			c = NULL;
		}
		if (!c) {
			fputs("netlang: out of memory building the network\n", cx->diag);
			return NULL;
		}
		c->b.origin = -1;
		cx->cache = c;
	}
	builder *b = &c->b;
	b->cx = cx;
	b->notes = 0;
	b->failed = -1;
	const nl_stmt *in = cx->stmts.v[cx->input_index];
	int valid = c->nck - 1;   /* statements whose expansion still holds */
	if (c->input != in || c->input_h != cx->input_h || c->input_w != cx->input_w)
		valid = -1;
	if (cx->stmts_changed < valid)
		valid = cx->stmts_changed;
	if (valid > cx->stmts.n)
		valid = cx->stmts.n;
	if (valid > 0 && c->ck[valid].stmt != cx->stmts.v[valid - 1])
		valid = -1;
	cx->stmts_changed = INT_MAX;
	if (valid < 0) {
		c->nck = 0;
		c->pointed = 0;
		c->called = 0;
		restore(b, &(checkpoint){ NULL, 0, 0, 0, 0, 0, 0, 0, 0 });
		c->input = NULL;
		if (make_input(b, in) || push_checkpoint(c, NULL)) {
			c->nck = 0;
			fflush(cx->diag);
			return NULL;
		}
		c->input = in;
		c->input_h = cx->input_h;
		c->input_w = cx->input_w;
		valid = 0;
	}
	c->nck = valid + 1;
	restore(b, &c->ck[valid]);
	/* What lies past the checkpoint is made anew (its nodes zeroed), so
	 * must be pointed anew even when the net grows back past it. */
	if (c->pointed > b->n)
		c->pointed = b->n;
	if (c->called > b->norigins)
		c->called = b->norigins;
	int first = b->n, rc = 0;
	for (int i = valid; rc == 0 && i < cx->stmts.n; i++) {
		rc = expand_stmt(b, cx->stmts.v[i]);
		if (rc == 0 && push_checkpoint(c, cx->stmts.v[i]))
			rc = fail(b, ((const nl_stmt *)cx->stmts.v[i])->loc, "out of memory");
	}
	if (rc == 0)
		rc = check_last(b, first - 1);
	nl_graph *g = NULL;
	if (rc == 0 && !(g = borrow(c)))
		fputs("netlang: out of memory building the network\n", cx->diag);
	if (!g)
		restore(b, &c->ck[c->nck - 1]);   /* as the last statement that held left it */
	fflush(cx->diag);
	return g;
}

/* partial: on a shape error, return the nodes up to the failed one; quiet:
 * print no diagnostic (it has been printed). */
static nl_graph *build(nl_ctx *cx, int partial, int quiet, int *failed)
{
	builder b = { .cx = cx, .origin = -1, .failed = -1, .quiet = quiet };
	if (failed)
		*failed = -1;
	if (cx->input_index < 0) {
		nl_loc loc = { "<input>", 0, 0 };
		if (cx->sources.n)
			loc = (nl_loc){ ((nl_source *)cx->sources.v[0])->name, 1, 1 };
		nl_diag(cx, loc, "error", "no 'input' statement: a network starts with "
		        "'input CxHxW'");
		return NULL;
	}
	if (cx->incremental && !partial)
		return build_incremental(cx);
	b.calls = malloc((NL_MAX_NESTING + 1) * sizeof *b.calls);
	int rc = b.calls ? 0 : -1;
	if (rc)
		fputs("netlang: out of memory building the network\n", cx->diag);
	if (rc == 0)
		rc = make_input(&b, cx->stmts.v[cx->input_index]);
	for (int i = 0; rc == 0 && i < cx->stmts.n; i++)
		rc = expand_stmt(&b, cx->stmts.v[i]);
	if (rc == 0)
		rc = check_last(&b, 0);
	free(b.calls);
	nl_graph *g = NULL;
	int keep = rc == 0 || (partial && b.failed >= 0 && b.failed == b.n - 1);
	if (keep && !(g = finish(&b)))
		fprintf(cx->diag, "netlang: out of memory building a network of %d layers\n", b.n);
	if (g && rc != 0 && failed)
		*failed = b.failed;
	if (!g) {
		free(b.nodes);
		free(b.edges);
		free(b.edge_at);
		free(b.origins);
	}
	free(b.calls_text);
	free(b.call_at);
	fflush(cx->diag);
	return g;
}

nl_graph *nl_build(nl_ctx *cx)
{
	return build(cx, 0, 0, NULL);
}

nl_graph *nl_build_partial(nl_ctx *cx, int *failed)
{
	*failed = -1;
	if (!cx->incremental)
		return build(cx, 1, 0, failed);
	/* A session: the kept build, as for any line; only a shape that fails
	 * costs a whole build, a quiet one apart from the kept build, for the
	 * layers up to it. */
	nl_graph *g = build(cx, 0, 0, NULL);
	if (g || !cx->cache || cx->cache->b.failed < 0)
		return g;
	return build(cx, 1, 1, failed);
}
