/* pytorch.c - a program as a runnable PyTorch module, written as D2L writes
 * its networks (netlang NET.net --format pytorch).
 *
 * The program is translated as written, not as expanded: each `def` called
 * becomes a Python function of the same parameters returning nn.Sequential
 * (D2L's vgg_block), `repeat` a for loop, `if` an if, and each concat or add
 * inside a def a small nn.Module class named after the def whose branches
 * are its attributes b1, b2, ... (D2L's Inception and Residual).  Joins at
 * top level use the generic Concat and Add classes, so that D2L's listing
 * of the module prints the names netlang's `--format d2l` does.
 *
 * Layers are PyTorch's lazy modules (D2L's LazyConv2d, LazyLinear), which
 * learn their input size from a first forward pass: a def does not know the
 * channels it is called on.  Module registration order is the program's
 * order, which is the graph's node order and so netlang's parameter layout
 * (params.h): load_netlang() fills the state_dict in that order, checking
 * every tensor's kind, role and shape and the file's CRC.
 *
 * The graph is consulted only where the program alone does not say: the
 * input size, the parameter total, and whether a batchnorm statement runs
 * on flat or image input (BatchNorm1d or BatchNorm2d).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/program.h"
#include "runtime/export/export.h"

/* PyTorch's constructor arguments beyond what a kind's syntax gives. */
static const char *const torch_extra_args[NL_NKINDS] = {
	[NL_SOFTMAX] = "dim=1",
};

/* Names the module itself uses, and Python's keywords: a block or parameter
 * of the same name gets a trailing underscore. */
static const char *const reserved[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break",
	"class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
	"from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
	"pass", "raise", "return", "try", "while", "with", "yield",
	"argparse", "gzip", "os", "struct", "sys", "time", "warnings", "zlib", "torch", "nn", "F",
	"range", "int", "bool", "len", "print", "super", "self", "type", "isinstance",
	"layers", "net", "Branches", "Concat", "Add", "INPUT_SHAPE", "RECIPE",
	"WEIGHT_CODES", "materialize", "load_netlang", "netlang_tensors", "read_idx",
	"find_data", "load_data", "fit", "evaluate_accuracy", "train", "main",
	"_div", "_mod", "_", "X", "Y",
};

typedef struct join_class {
	const nl_stmt *join;     /* a concat or add inside a def */
	const nl_stmt *def;
	char name[96];
} join_class;

typedef struct temp_list {
	const nl_stmt *branch;
	int id;
} temp_list;

typedef struct pyw {
	FILE *f;
	const nl_ctx *cx;
	const nl_graph *g;
	const nl_stmt **defs;    /* the defs the program calls, in definition order */
	int ndefs;
	join_class *joins;
	int njoins;
	temp_list *temps;
	int ntemps, captemps;
	const nl_stmt *def;      /* the def being written, NULL at top level */
	int need_div, need_mod, need_join;
	int failed;              /* an error was reported */
	int oom;
} pyw;

/* ---- names ---- */

static int is_reserved(const char *name)
{
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(reserved[i], name) == 0)
			return 1;
	/* the temporaries' names: _b1, _b2, ... */
	return name[0] == '_' && name[1] == 'b' && name[2] && strspn(name + 2, "0123456789") ==
	       strlen(name + 2);
}

static void put_name(pyw *w, const char *name)
{
	fputs(name, w->f);
	if (is_reserved(name))
		fputc('_', w->f);
}

/* vgg_block -> VggBlock */
static void camel(const char *name, char *buf, size_t n)
{
	size_t k = 0;
	int up = 1;
	for (const char *p = name; *p && k + 1 < n; p++) {
		if (*p == '_') {
			up = 1;
			continue;
		}
		buf[k++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		up = 0;
	}
	buf[k] = '\0';
	if (k == 0 || (buf[0] >= '0' && buf[0] <= '9'))
		snprintf(buf, n, "Block%s", name);
}

/* ---- expressions ---- */

static int prec(nl_expr_op op)
{
	switch (op) {
	case NL_E_OR: return 1;
	case NL_E_AND: return 2;
	case NL_E_EQ: case NL_E_NE: case NL_E_LT: case NL_E_LE: case NL_E_GT: case NL_E_GE:
		return 3;
	case NL_E_ADD: case NL_E_SUB: return 4;
	case NL_E_MUL: return 5;
	case NL_E_NEG: return 6;
	default: return 7;  /* leaves, calls of _div and _mod, not */
	}
}

static int is_boolean(const nl_expr *e)
{
	return e->op >= NL_E_EQ || e->op == NL_E_NOT;
}

static void put_expr(pyw *w, const nl_expr *e);

/* A child in parentheses when Python would group it otherwise; comparisons
 * always (Python chains a < b < c, C does not). */
static void put_child(pyw *w, const nl_expr *c, int parent_prec, int right)
{
	int p = prec(c->op);
	int paren = p < parent_prec || (right && p == parent_prec) || (p == 3 && parent_prec == 3);
	if (paren)
		fputc('(', w->f);
	put_expr(w, c);
	if (paren)
		fputc(')', w->f);
}

/* && and || give 0 or 1 in netlang; Python's give an operand. */
static void put_truth(pyw *w, const nl_expr *e, int parent_prec)
{
	if (is_boolean(e)) {
		put_child(w, e, parent_prec, 0);
		return;
	}
	fputs("bool(", w->f);
	put_expr(w, e);
	fputc(')', w->f);
}

static void put_expr(pyw *w, const nl_expr *e)
{
	static const char *const op_text[] = {
		[NL_E_ADD] = " + ", [NL_E_SUB] = " - ", [NL_E_MUL] = " * ",
		[NL_E_EQ] = " == ", [NL_E_NE] = " != ", [NL_E_LT] = " < ", [NL_E_LE] = " <= ",
		[NL_E_GT] = " > ", [NL_E_GE] = " >= ", [NL_E_AND] = " and ", [NL_E_OR] = " or ",
	};
	switch (e->op) {
	case NL_E_NUM:
		fprintf(w->f, "%lld", (long long)e->value);
		return;
	case NL_E_NAME:
		put_name(w, e->name);
		return;
	case NL_E_NEG:
		fputc('-', w->f);
		put_child(w, e->a, prec(NL_E_NEG), 0);
		return;
	case NL_E_NOT:
		fputs("(not ", w->f);
		put_child(w, e->a, prec(NL_E_NUM), 0);
		fputc(')', w->f);
		return;
	case NL_E_DIV: case NL_E_MOD:
		/* C's division, truncating toward zero, as netlang computes it */
		if (e->op == NL_E_DIV)
			w->need_div = 1;
		else
			w->need_mod = 1;
		fputs(e->op == NL_E_DIV ? "_div(" : "_mod(", w->f);
		put_expr(w, e->a);
		fputs(", ", w->f);
		put_expr(w, e->b);
		fputc(')', w->f);
		return;
	case NL_E_AND: case NL_E_OR:
		put_truth(w, e->a, prec(e->op));
		fputs(op_text[e->op], w->f);
		put_truth(w, e->b, prec(e->op) + 1);
		return;
	default:
		put_child(w, e->a, prec(e->op), 0);
		fputs(op_text[e->op], w->f);
		put_child(w, e->b, prec(e->op), 1);
		return;
	}
}

static int same_expr(const nl_expr *a, const nl_expr *b)
{
	if (a->op != b->op)
		return 0;
	switch (a->op) {
	case NL_E_NUM: return a->value == b->value;
	case NL_E_NAME: return strcmp(a->name, b->name) == 0;
	case NL_E_NEG: case NL_E_NOT: return same_expr(a->a, b->a);
	default: return same_expr(a->a, b->a) && same_expr(a->b, b->b);
	}
}

/* A size written KHxKW: one number when both are the same, else a tuple. */
static void put_dims(pyw *w, const nl_dims *d)
{
	if (d->n == 1 || (d->n == 2 && same_expr(d->e[0], d->e[1]))) {
		put_expr(w, d->e[0]);
		return;
	}
	fputc('(', w->f);
	for (int i = 0; i < d->n; i++) {
		if (i)
			fputs(", ", w->f);
		put_expr(w, d->e[i]);
	}
	fputc(')', w->f);
}

/* ---- the graph, where the program does not say ---- */

static int same_loc(nl_loc a, nl_loc b)
{
	return a.line == b.line && a.col == b.col && a.file && b.file &&
	       strcmp(a.file, b.file) == 0;
}

/* The rank of the input a layer statement runs on: 2 or 4, 0 when the net
 * never runs it, -1 when it runs on both. */
static int stmt_rank(const pyw *w, const nl_stmt *s)
{
	int rank = 0;
	for (int i = 1; i < w->g->nnodes; i++) {
		const nl_node *nd = &w->g->nodes[i];
		if (nd->kind != s->layer || !same_loc(nd->loc, s->loc))
			continue;
		int r = w->g->nodes[nd->inputs[0]].shape.rank;
		if (rank && r != rank)
			return -1;
		rank = r;
	}
	return rank;
}

/* ---- statements ---- */

static void indent(pyw *w, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", w->f);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void error_at(pyw *w, nl_loc loc, const char *msg)
{
	fprintf(stderr, "%s:%d:%d: error: %s\n", loc.file, loc.line, loc.col, msg);
	w->failed = 1;
}

static void put_layer(pyw *w, const nl_stmt *s)
{
	const nl_kind_info *ki = nl_kind_info_of(s->layer);
	const char *cls = ki->torch;
	if (ki->torch_flat) {
		int r = stmt_rank(w, s);
		if (r < 0) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s runs on both flat and image inputs; PyTorch "
			         "has %s for one and %s for the other", ki->word, ki->torch_flat,
			         ki->torch);
			error_at(w, s->loc, msg);
		}
		if (r == 2)
			cls = ki->torch_flat;
	}
	fprintf(w->f, "nn.%s%s(", ki->params != NL_PAR_NONE ? "Lazy" : "", cls);
	const char *sep = "";
	switch (ki->syntax) {
	case NL_SYN_CONV: case NL_SYN_POOL:
		if (ki->syntax == NL_SYN_CONV) {
			put_expr(w, s->out);
			sep = ", ";
		}
		fprintf(w->f, "%skernel_size=", sep);
		put_dims(w, &s->kernel);
		sep = ", ";
		if (s->has_stride) {
			fputs(", stride=", w->f);
			put_dims(w, &s->stride);
		}
		if (s->has_pad) {
			fputs(", padding=", w->f);
			put_dims(w, &s->pad);
		}
		break;
	case NL_SYN_GLOBAL:
		fputs("(1, 1)", w->f);
		sep = ", ";
		break;
	case NL_SYN_FEATURES:
		put_expr(w, s->out);
		sep = ", ";
		break;
	case NL_SYN_PROB:
		fputs(s->p_text ? s->p_text : "0.5", w->f);
		sep = ", ";
		break;
	default:
		break;
	}
	if (torch_extra_args[s->layer])
		fprintf(w->f, "%s%s", sep, torch_extra_args[s->layer]);
	fputc(')', w->f);
}

static const join_class *class_of(const pyw *w, const nl_stmt *join)
{
	for (int i = 0; i < w->njoins; i++)
		if (w->joins[i].join == join)
			return &w->joins[i];
	return NULL;
}

static int temp_of(const pyw *w, const nl_stmt *branch)
{
	for (int i = 0; i < w->ntemps; i++)
		if (w->temps[i].branch == branch)
			return w->temps[i].id;
	return 0;
}

static int new_temp(pyw *w, const nl_stmt *branch)
{
	if (w->ntemps == w->captemps) {
		int cap = w->captemps ? w->captemps * 2 : 16;
		temp_list *t = realloc(w->temps, (size_t)cap * sizeof *t);
		if (!t) {
			w->oom = 1;
			return 0;
		}
		w->temps = t;
		w->captemps = cap;
	}
	w->temps[w->ntemps] = (temp_list){ branch, w->ntemps + 1 };
	return ++w->ntemps;
}

/* A list without repeat or if: its modules can be written as arguments. */
static int is_straight(const nl_stmt *s)
{
	for (; s; s = s->next)
		if (s->kind == NL_S_REPEAT || s->kind == NL_S_IF)
			return 0;
	return 1;
}

static void put_list_stmts(pyw *w, const nl_stmt *s, const char *var, int depth);
static void put_items(pyw *w, const nl_stmt *s, int depth);

static void put_branch(pyw *w, const nl_stmt *br, int depth)
{
	if (!br->body) {
		fputs("nn.Identity()", w->f);
		return;
	}
	int t = temp_of(w, br);
	if (t) {
		fprintf(w->f, "nn.Sequential(*_b%d)", t);
		return;
	}
	fputs("nn.Sequential(", w->f);
	put_items(w, br->body, depth + 1);
	fputc(')', w->f);
}

/* A module as an expression: a layer, a call of a def, a join. */
static void put_item(pyw *w, const nl_stmt *s, int depth)
{
	switch (s->kind) {
	case NL_S_LAYER:
		put_layer(w, s);
		return;
	case NL_S_CALL:
		put_name(w, s->name);
		fputc('(', w->f);
		for (int i = 0; i < s->nargs; i++) {
			if (i)
				fputs(", ", w->f);
			put_expr(w, s->args[i]);
		}
		fputc(')', w->f);
		return;
	case NL_S_CONCAT: case NL_S_ADD: {
		const join_class *jc = class_of(w, s);
		if (jc) {
			fprintf(w->f, "%s(", jc->name);
			for (int i = 0; i < jc->def->nargs; i++) {
				if (i)
					fputs(", ", w->f);
				put_name(w, jc->def->params[i]);
			}
			fputc(')', w->f);
			return;
		}
		w->need_join = 1;
		fputs(s->kind == NL_S_CONCAT ? "Concat(" : "Add(", w->f);
		for (const nl_stmt *br = s->body; br; br = br->next) {
			fputc('\n', w->f);
			indent(w, depth + 1);
			put_branch(w, br, depth + 1);
			if (br->next)
				fputc(',', w->f);
		}
		fputc(')', w->f);
		return;
	}
	default:
		return;
	}
}

/* Branches of joins written inline that need statements first (a branch
 * with repeat or if): their lists, named _b1, _b2, ... */
static void prep_item(pyw *w, const nl_stmt *s, int depth)
{
	if ((s->kind != NL_S_CONCAT && s->kind != NL_S_ADD) || class_of(w, s))
		return;
	for (const nl_stmt *br = s->body; br; br = br->next) {
		if (is_straight(br->body)) {
			for (const nl_stmt *it = br->body; it; it = it->next)
				prep_item(w, it, depth);
			continue;
		}
		int t = new_temp(w, br);
		if (!t)
			return;
		char var[32];
		snprintf(var, sizeof var, "_b%d", t);
		indent(w, depth);
		fprintf(w->f, "%s = []\n", var);
		put_list_stmts(w, br->body, var, depth);
	}
}

/* Modules separated by commas, those of one source line on one line. */
static void put_items(pyw *w, const nl_stmt *s, int depth)
{
	int line = -1;
	const char *file = NULL;
	for (; s; s = s->next) {
		if (s->kind == NL_S_INPUT)
			continue;
		if (line >= 0) {
			if (s->loc.line == line && s->loc.file == file) {
				fputs(", ", w->f);
			} else {
				fputs(",\n", w->f);
				indent(w, depth);
			}
		} else {
			fputc('\n', w->f);
			indent(w, depth);
		}
		put_item(w, s, depth);
		line = s->loc.line;
		file = s->loc.file;
	}
}

static void put_body_or_pass(pyw *w, const nl_stmt *s, const char *var, int depth)
{
	if (!s) {
		indent(w, depth);
		fputs("pass\n", w->f);
		return;
	}
	put_list_stmts(w, s, var, depth);
}

/* Statements that append a list's modules to var. */
static void put_list_stmts(pyw *w, const nl_stmt *s, const char *var, int depth)
{
	for (; s; s = s->next) {
		switch (s->kind) {
		case NL_S_LAYER: case NL_S_CALL: case NL_S_CONCAT: case NL_S_ADD:
			prep_item(w, s, depth);
			indent(w, depth);
			fprintf(w->f, "%s.append(", var);
			put_item(w, s, depth);
			fputs(")\n", w->f);
			break;
		case NL_S_REPEAT:
			indent(w, depth);
			fputs("for _ in range(", w->f);
			put_expr(w, s->cond);
			fputs("):\n", w->f);
			put_body_or_pass(w, s->body, var, depth + 1);
			break;
		case NL_S_IF: {
			const nl_stmt *c = s;
			indent(w, depth);
			fputs("if ", w->f);
			for (;;) {
				put_expr(w, c->cond);
				fputs(":\n", w->f);
				put_body_or_pass(w, c->body, var, depth + 1);
				if (c->else_is_if) {
					c = c->else_body;
					indent(w, depth);
					fputs("elif ", w->f);
					continue;
				}
				if (c->else_body) {
					indent(w, depth);
					fputs("else:\n", w->f);
					put_body_or_pass(w, c->else_body, var, depth + 1);
				}
				break;
			}
			break;
		}
		default:
			break;
		}
	}
}

/* Is a def's body one concat or add and nothing else? */
static int single_join(const nl_stmt *def)
{
	const nl_stmt *b = def->body;
	return b && !b->next && (b->kind == NL_S_CONCAT || b->kind == NL_S_ADD);
}

/* `return nn.Sequential(...)` or `net = nn.Sequential(...)` for a list;
 * cls names the module (nn.Sequential, or a subclass such as DenseBlock). */
static void put_sequential_of(pyw *w, const nl_stmt *body, const char *lhs, const char *cls,
                              int depth)
{
	if (is_straight(body)) {
		for (const nl_stmt *it = body; it; it = it->next)
			prep_item(w, it, depth);
		indent(w, depth);
		fprintf(w->f, "%s%s(", lhs, cls);
		put_items(w, body, depth + 1);
		fputs(")\n", w->f);
		return;
	}
	indent(w, depth);
	fputs("layers = []\n", w->f);
	put_list_stmts(w, body, "layers", depth);
	indent(w, depth);
	fprintf(w->f, "%s%s(*layers)\n", lhs, cls);
}

static void put_sequential(pyw *w, const nl_stmt *body, const char *lhs, int depth)
{
	put_sequential_of(w, body, lhs, "nn.Sequential", depth);
}

/* ---- defs and their joins ---- */

static void put_params(pyw *w, const nl_stmt *def, int self)
{
	fputc('(', w->f);
	if (self)
		fputs(def->nargs ? "self, " : "self", w->f);
	for (int i = 0; i < def->nargs; i++) {
		if (i)
			fputs(", ", w->f);
		put_name(w, def->params[i]);
	}
	fputc(')', w->f);
}

static void put_join_class(pyw *w, const join_class *jc)
{
	const nl_stmt *s = jc->join;
	fprintf(w->f, "class %s(%s):\n", jc->name, s->kind == NL_S_CONCAT ? "Concat" : "Add");
	fprintf(w->f, "    \"\"\"%s:%d, %s\"\"\"\n", base_name(s->loc.file), s->loc.line,
	        s->kind == NL_S_CONCAT ? "branches joined along channels"
	                               : "branches added element-wise");
	fputs("    def __init__", w->f);
	put_params(w, jc->def, 1);
	fputs(":\n", w->f);
	for (const nl_stmt *br = s->body; br; br = br->next)
		if (br->body && !is_straight(br->body)) {
			int t = new_temp(w, br);
			char var[32];
			snprintf(var, sizeof var, "_b%d", t);
			indent(w, 2);
			fprintf(w->f, "%s = []\n", var);
			put_list_stmts(w, br->body, var, 2);
		}
	fputs("        super().__init__(", w->f);
	for (const nl_stmt *br = s->body; br; br = br->next) {
		fputs("\n            ", w->f);
		put_branch(w, br, 3);
		if (br->next)
			fputc(',', w->f);
	}
	fputs(")\n\n\n", w->f);
}

static void put_def(pyw *w, const nl_stmt *def)
{
	w->def = def;
	int own = 0;
	for (int i = 0; i < w->njoins; i++)
		if (w->joins[i].def == def) {
			put_join_class(w, &w->joins[i]);
			own = 1;
		}
	if (own && !single_join(def)) {
		char cls[96];
		camel(def->name, cls, sizeof cls);
		fprintf(w->f, "class %s(nn.Sequential):\n    \"\"\"%s's layers, as D2L's code names "
		        "the block\"\"\"\n\n\n", cls, def->name);
	}
	fputs("def ", w->f);
	put_name(w, def->name);
	put_params(w, def, 0);
	fprintf(w->f, ":\n    \"\"\"%s:%d\"\"\"\n", base_name(def->loc.file), def->loc.line);
	/* D2L's class for a block that joins branches itself: the join's own
	 * class, or a Sequential named after the block (put_block_class) */
	int joins = 0;
	for (int i = 0; i < w->njoins; i++)
		joins |= w->joins[i].def == def;
	if (joins && single_join(def)) {
		prep_item(w, def->body, 1);
		fputs("    return ", w->f);
		put_item(w, def->body, 2);
		fputs("\n", w->f);
	} else if (joins) {
		char cls[96];
		camel(def->name, cls, sizeof cls);
		put_sequential_of(w, def->body, "return ", cls, 1);
	} else {
		put_sequential(w, def->body, "return ", 1);
	}
	fputs("\n\n", w->f);
	w->def = NULL;
}

static int add_join(pyw *w, const nl_stmt *join, const nl_stmt *def, int *cap)
{
	if (w->njoins == *cap) {
		int c = *cap ? *cap * 2 : 8;
		join_class *j = realloc(w->joins, (size_t)c * sizeof *j);
		if (!j)
			return -1;
		w->joins = j;
		*cap = c;
	}
	w->joins[w->njoins++] = (join_class){ join, def, "" };
	return 0;
}

/* Joins of a def's body, nested ones too, in source order. */
static int find_joins(pyw *w, const nl_stmt *s, const nl_stmt *def, int *cap)
{
	for (; s; s = s->next) {
		if (s->kind == NL_S_CONCAT || s->kind == NL_S_ADD) {
			if (add_join(w, s, def, cap))
				return -1;
			for (const nl_stmt *br = s->body; br; br = br->next)
				if (find_joins(w, br->body, def, cap))
					return -1;
		} else if (s->kind == NL_S_REPEAT || s->kind == NL_S_IF) {
			if (find_joins(w, s->body, def, cap) ||
			    find_joins(w, s->else_body, def, cap))
				return -1;
		}
	}
	return 0;
}

static void find_calls(pyw *w, const nl_stmt *s, const nl_stmt **seen, int *nseen);

/* Mark the defs a statement calls, and theirs. */
static void find_calls_in(pyw *w, const nl_stmt *s, const nl_stmt **seen, int *nseen)
{
	switch (s->kind) {
	case NL_S_CALL: {
		const nl_stmt *d = nl_program_def(w->cx, s->name);
		int known = 0;
		for (int i = 0; i < *nseen; i++)
			known |= seen[i] == d;
		if (d && !known) {
			seen[(*nseen)++] = d;
			find_calls(w, d->body, seen, nseen);
		}
		break;
	}
	case NL_S_CONCAT: case NL_S_ADD:
		for (const nl_stmt *br = s->body; br; br = br->next)
			find_calls(w, br->body, seen, nseen);
		break;
	case NL_S_REPEAT: case NL_S_IF:
		find_calls(w, s->body, seen, nseen);
		find_calls(w, s->else_body, seen, nseen);
		break;
	default:
		break;
	}
}

static void find_calls(pyw *w, const nl_stmt *s, const nl_stmt **seen, int *nseen)
{
	for (; s; s = s->next)
		find_calls_in(w, s, seen, nseen);
}

/* The defs to write and their join classes, with names unique among
 * themselves, the defs and the module's own. */
static int plan_defs(pyw *w)
{
	int n = nl_program_ndefs(w->cx), nseen = 0, cap = 0;
	const nl_stmt **seen = calloc((size_t)n + 1, sizeof *seen);
	w->defs = calloc((size_t)n + 1, sizeof *w->defs);
	if (!seen || !w->defs) {
		free(seen);
		return -1;
	}
	for (int i = 0; i < nl_program_nstmts(w->cx); i++)
		find_calls_in(w, nl_program_stmt(w->cx, i), seen, &nseen);
	for (int i = 0; i < n; i++) {
		const nl_stmt *d = nl_program_def_at(w->cx, i);
		for (int k = 0; k < nseen; k++)
			if (seen[k] == d)
				w->defs[w->ndefs++] = d;
	}
	free(seen);
	for (int i = 0; i < w->ndefs; i++) {
		int first = w->njoins;
		if (find_joins(w, w->defs[i]->body, w->defs[i], &cap))
			return -1;
		char base[80];
		camel(w->defs[i]->name, base, sizeof base);
		/* a def that is more than its join is a class of its own in D2L's
		 * code (DenseBlock): its joins are then its units */
		if (w->njoins > first && !single_join(w->defs[i]))
			snprintf(base + strlen(base), sizeof base - strlen(base), "Unit");
		for (int j = first; j < w->njoins; j++) {
			if (w->njoins - first == 1)
				snprintf(w->joins[j].name, sizeof w->joins[j].name, "%s", base);
			else
				snprintf(w->joins[j].name, sizeof w->joins[j].name, "%s%d", base,
				         j - first + 1);
		}
	}
	/* a class name that is taken gets underscores until it is not */
	for (int j = 0; j < w->njoins; j++) {
		for (;;) {
			char *nm = w->joins[j].name;
			int taken = is_reserved(nm);
			for (int i = 0; i < w->ndefs && !taken; i++)
				taken = strcmp(w->defs[i]->name, nm) == 0;
			for (int i = 0; i < j && !taken; i++)
				taken = strcmp(w->joins[i].name, nm) == 0;
			size_t len = strlen(nm);
			if (!taken || len + 2 > sizeof w->joins[j].name)
				break;
			nm[len] = '_';
			nm[len + 1] = '\0';
		}
	}
	return 0;
}

/* ---- the module ---- */

static const char py_imports[] =
"import argparse\n"
"import gzip\n"
"import os\n"
"import struct\n"
"import sys\n"
"import time\n"
"import warnings\n"
"import zlib\n"
"\n"
"import torch\n"
"from torch import nn\n"
"from torch.nn import functional as F\n"
"\n"
"# PyTorch 1.x calls its lazy modules new; D2L uses them all the same\n"
"warnings.filterwarnings('ignore', message='Lazy modules are a new feature')\n"
"\n\n";

static const char py_joins[] =
"class Branches(nn.Module):\n"
"    \"\"\"Branches that all read the same input, kept as attributes b1, b2, ...\n"
"    (an empty branch, the identity, is nn.Identity).\"\"\"\n"
"    def __init__(self, *branches):\n"
"        super().__init__()\n"
"        for i, branch in enumerate(branches, 1):\n"
"            setattr(self, f'b{i}', branch)\n"
"\n\n"
"class Concat(Branches):\n"
"    \"\"\"netlang's concat: the branches' outputs joined along channels.\"\"\"\n"
"    def forward(self, X):\n"
"        return torch.cat([branch(X) for branch in self.children()], dim=1)\n"
"\n\n"
"class Add(Branches):\n"
"    \"\"\"netlang's add: the branches' outputs summed element-wise.\"\"\"\n"
"    def forward(self, X):\n"
"        branches = list(self.children())\n"
"        Y = branches[0](X)\n"
"        for branch in branches[1:]:\n"
"            Y = Y + branch(X)\n"
"        return Y\n"
"\n\n";

static const char py_div[] =
"def _div(a, b):\n"
"    \"\"\"netlang's integer division, truncating toward zero.\"\"\"\n"
"    return int(a / b)\n"
"\n\n";

static const char py_mod[] =
"def _mod(a, b):\n"
"    \"\"\"netlang's remainder, with the sign of a.\"\"\"\n"
"    return a - b * int(a / b)\n"
"\n\n";

/* After the net: weights, data, training, the command line. */
static const char py_rest[] =
"def materialize(net):\n"
"    \"\"\"Give the lazy modules their parameters with one forward pass, in\n"
"    evaluation mode so that no batch statistics are recorded.\"\"\"\n"
"    training = net.training\n"
"    net.eval()\n"
"    with torch.no_grad():\n"
"        net(torch.zeros(1, *INPUT_SHAPE))\n"
"    net.train(training)\n"
"\n\n"
"materialize(net)\n"
"\n\n"
"def netlang_tensors(net):\n"
"    \"\"\"The net's tensors in a netlang weights file's order, each as (kind\n"
"    code, role code, tensor): every layer's weight and bias in the order of\n"
"    the layers, then every batch norm's running mean and variance.\"\"\"\n"
"    trainable, state = [], []\n"
"    for m in net.modules():\n"
"        code = WEIGHT_CODES.get(type(m))\n"
"        if code is None:\n"
"            continue\n"
"        trainable += [(code, 1, m.weight), (code, 2, m.bias)]\n"
"        if isinstance(m, nn.modules.batchnorm._BatchNorm):\n"
"            state += [(code, 3, m.running_mean), (code, 4, m.running_var)]\n"
"    return trainable + state\n"
"\n\n"
"def load_netlang(path, net):\n"
"    \"\"\"Read a netlang weights file into net's state_dict.\n"
"\n"
"    The format (netlang(1), Weights files): \"NETLANGW\", then little-endian uint32 version,\n"
"    tensor count, and per tensor kind, role, ndims, dims[4], 0; then the\n"
"    tensors' float32 data in that order; in version 2 the class names (uint32\n"
"    count and byte length, then the names, NUL-terminated); then zlib's CRC-32\n"
"    of every byte before it.  Every tensor must match the net's in kind, role\n"
"    and shape.  Returns the class names (empty when the file has none).\"\"\"\n"
"    with open(path, 'rb') as f:\n"
"        blob = f.read()\n"
"    if len(blob) < 20 or blob[:8] != b'NETLANGW':\n"
"        raise ValueError(f'{path}: not a netlang weights file')\n"
"    if zlib.crc32(blob[:-4]) != struct.unpack('<I', blob[-4:])[0]:\n"
"        raise ValueError(f'{path}: CRC-32 does not match: the file is damaged')\n"
"    version, count = struct.unpack_from('<II', blob, 8)\n"
"    if version not in (1, 2):\n"
"        raise ValueError(f'{path}: version {version}; this code reads versions 1 and 2')\n"
"    ours = netlang_tensors(net)\n"
"    if count != len(ours):\n"
"        raise ValueError(f'{path}: {count} tensors; the net has {len(ours)}')\n"
"    at = 16 + 32 * count\n"
"    if at > len(blob) - 4:\n"
"        raise ValueError(f'{path}: truncated tensor table')\n"
"    for i, (kind, role, tensor) in enumerate(ours):\n"
"        k, r, ndims, *dims = struct.unpack_from('<8I', blob, 16 + 32 * i)\n"
"        shape = tuple(dims[:ndims]) if ndims <= 4 else None\n"
"        if (k, r, shape) != (kind, role, tuple(tensor.shape)):\n"
"            raise ValueError(f'{path}: tensor {i} is kind {k} role {r} shape {shape}; '\n"
"                             f'the net has kind {kind} role {role} shape {tuple(tensor.shape)}')\n"
"        n = tensor.numel()\n"
"        if at + 4 * n > len(blob) - 4:\n"
"            raise ValueError(f'{path}: truncated at tensor {i}')\n"
"        data = torch.frombuffer(bytearray(blob[at:at + 4 * n]), dtype=torch.float32)\n"
"        if sys.byteorder == 'big':\n"
"            data = data.view(torch.int32).byteswap().view(torch.float32)  # pragma: no cover\n"
"        with torch.no_grad():\n"
"            tensor.copy_(data.view(tensor.shape))\n"
"        at += 4 * n\n"
"    names = []\n"
"    if version == 2:\n"
"        if at + 8 > len(blob) - 4:\n"
"            raise ValueError(f'{path}: truncated class names')\n"
"        nnames, nbytes = struct.unpack_from('<II', blob, at)\n"
"        at += 8\n"
"        if at + nbytes > len(blob) - 4:\n"
"            raise ValueError(f'{path}: truncated class names')\n"
"        names = [b.decode('utf-8', 'replace') for b in blob[at:at + nbytes].split(b'\\0')[:nnames]]\n"
"        at += nbytes\n"
"    if at != len(blob) - 4:\n"
"        raise ValueError(f'{path}: {len(blob) - 4 - at} bytes after the last tensor')\n"
"    return names\n"
"\n\n"
"def read_idx(path):\n"
"    \"\"\"An IDX file of unsigned bytes (gzipped or not) as a uint8 tensor.\"\"\"\n"
"    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:\n"
"        data = f.read()\n"
"    ndims = data[3]\n"
"    dims = struct.unpack_from(f'>{ndims}I', data, 4)\n"
"    return torch.frombuffer(bytearray(data[4 + 4 * ndims:]), dtype=torch.uint8).view(*dims)\n"
"\n\n"
"IDX_FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',\n"
"             't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')\n"
"\n\n"
"def find_data(spec):\n"
"    \"\"\"The four IDX files of a data set (a name or a directory), looked for\n"
"    where netlang looks: $NETLANG_DATA, the user's cache, /usr/share/datasets.\"\"\"\n"
"    name = spec or 'fashion-mnist'\n"
"    env = os.environ.get('NETLANG_DATA')\n"
"    cache = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')\n"
"    places = ([os.path.join(env, name), env] if env else []) + [\n"
"        os.path.join(cache, 'netlang', name), os.path.join('/usr/share/datasets', name), name]\n"
"    for place in places:\n"
"        found = [next((p for p in (os.path.join(place, f), os.path.join(place, f + '.gz'))\n"
"                       if os.path.isfile(p)), None) for f in IDX_FILES]\n"
"        if all(found):\n"
"            return found\n"
"    sys.exit(f'{name}: data set not found in {\", \".join(places)} (netlang --train fetches it)')\n"
"\n\n"
"def load_data(spec, batch_size):\n"
"    \"\"\"D2L's load_data_fashion_mnist: pixels scaled to [0, 1]; the training\n"
"    set shuffled each epoch, its last partial batch dropped as netlang does.\"\"\"\n"
"    files = [read_idx(p) for p in find_data(spec)]\n"
"    sets = [torch.utils.data.TensorDataset(files[i].unsqueeze(1), files[i + 1].long())\n"
"            for i in (0, 2)]\n"
"    return (torch.utils.data.DataLoader(sets[0], batch_size, shuffle=True, drop_last=True),\n"
"            torch.utils.data.DataLoader(sets[1], batch_size))\n"
"\n\n"
"def fit(X):\n"
"    \"\"\"uint8 images as the net's input: scaled to [0, 1] and, when the net's\n"
"    input is another size, resized bilinearly (half-pixel centres) as netlang does.\"\"\"\n"
"    X = X.float() / 255\n"
"    if tuple(X.shape[-2:]) != INPUT_SHAPE[1:]:\n"
"        X = F.interpolate(X, size=INPUT_SHAPE[1:], mode='bilinear', align_corners=False)\n"
"    return X\n"
"\n\n"
"def evaluate_accuracy(net, data_iter, device):\n"
"    \"\"\"The fraction of data_iter's examples that net classifies right.\"\"\"\n"
"    net.eval()\n"
"    correct = total = 0\n"
"    with torch.no_grad():\n"
"        for X, y in data_iter:\n"
"            X, y = fit(X.to(device)), y.to(device)\n"
"            correct += (net(X).argmax(dim=1) == y).sum().item()\n"
"            total += y.numel()\n"
"    return correct / total\n"
"\n\n"
"def train(net, train_iter, test_iter, num_epochs, lr, device, momentum=0, weight_decay=0):\n"
"    \"\"\"D2L's train_ch6: Xavier-uniform weights and zero biases, minibatch SGD\n"
"    on the softmax cross-entropy, test accuracy after each epoch.\"\"\"\n"
"    def init_weights(m):\n"
"        if type(m) in (nn.Linear, nn.Conv2d):\n"
"            nn.init.xavier_uniform_(m.weight)\n"
"            nn.init.zeros_(m.bias)\n"
"    net.apply(init_weights)\n"
"    print('training on', device)\n"
"    net.to(device)\n"
"    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum,\n"
"                                weight_decay=weight_decay)\n"
"    loss = LOSS\n"
"    seconds = examples = 0\n"
"    for epoch in range(num_epochs):\n"
"        net.train()\n"
"        total_loss = correct = seen = 0\n"
"        start = time.time()\n"
"        for X, y in train_iter:\n"
"            X, y = fit(X.to(device)), y.to(device)\n"
"            optimizer.zero_grad()\n"
"            y_hat = net(X)\n"
"            l = loss(y_hat, y)\n"
"            l.backward()\n"
"            optimizer.step()\n"
"            total_loss += l.item() * y.numel()\n"
"            correct += (y_hat.argmax(dim=1) == y).sum().item()\n"
"            seen += y.numel()\n"
"        seconds += time.time() - start\n"
"        examples += seen\n"
"        train_l, train_acc = total_loss / seen, correct / seen\n"
"        test_acc = evaluate_accuracy(net, test_iter, device)\n"
"        print(f'epoch {epoch + 1}/{num_epochs}: loss {train_l:.3f}, '\n"
"              f'train acc {train_acc:.3f}, test acc {test_acc:.3f}')\n"
"    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')\n"
"    print(f'{examples / seconds:.1f} examples/sec on {str(device)}')\n"
"\n\n"
"def main():\n"
"    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
"    parser.add_argument('--load', metavar='WEIGHTS',\n"
"                        help=\"report the test accuracy of netlang's weights instead of training\")\n"
"    parser.add_argument('--data', default=RECIPE['data'], help='data set name or directory')\n"
"    parser.add_argument('--epochs', type=int, default=RECIPE['epochs'])\n"
"    parser.add_argument('--lr', type=float, default=RECIPE['lr'])\n"
"    parser.add_argument('--batch', type=int, default=RECIPE['batch'])\n"
"    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')\n"
"    args = parser.parse_args()\n"
"    torch.manual_seed(RECIPE['seed'])\n"
"    device = torch.device(args.device)\n"
"    train_iter, test_iter = load_data(args.data, args.batch)\n"
"    if args.load:\n"
"        load_netlang(args.load, net)\n"
"        print(f'test acc {evaluate_accuracy(net.to(device), test_iter, device):.3f}')\n"
"    else:\n"
"        train(net, train_iter, test_iter, args.epochs, args.lr, device,\n"
"              RECIPE['momentum'], RECIPE['weight_decay'])\n"
"\n\n"
"if __name__ == '__main__':\n"
"    main()\n";

static void put_py_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 32)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void put_recipe(FILE *f, const nl_options *o)
{
	fputs("# the train { } section's recipe, with the command line's changes\n", f);
	fputs("RECIPE = dict(data=", f);
	if (o->data)
		put_py_string(f, o->data);
	else
		fputs("'fashion-mnist'", f);
	fprintf(f, ", batch=%d, lr=%.9g, epochs=%d, momentum=%.9g,\n"
	        "              weight_decay=%.9g, seed=%llu)\n\n",
	        o->batch, o->lr, o->epochs, o->momentum, o->weight_decay,
	        (unsigned long long)o->seed);
}

/* nn.Conv2d: 1, nn.Linear: 2, ... from the weights codes of kinds.def. */
static void put_weight_codes(FILE *f)
{
	fputs("# each layer class's code in netlang weights files\nWEIGHT_CODES = {", f);
	const char *sep = "";
	for (int k = 0; k < NL_NKINDS; k++) {
		const nl_kind_info *ki = nl_kind_info_of((nl_kind)k);
		if (!ki->wcode)
			continue;
		fprintf(f, "%snn.%s: %u", sep, ki->torch, ki->wcode);
		sep = ", ";
		if (ki->torch_flat)
			fprintf(f, "%snn.%s: %u", sep, ki->torch_flat, ki->wcode);
	}
	fputs("}\n\n", f);
}

int nl_export_pytorch(FILE *out, const nl_ctx *cx, const nl_graph *g, const nl_options *o,
                      const char *path)
{
	pyw w = { .cx = cx, .g = g };
	char *body = NULL;
	size_t body_len = 0;
	int rc = -1;
	w.f = open_memstream(&body, &body_len);
	if (!w.f || plan_defs(&w)) {
		fprintf(stderr, "netlang: out of memory writing PyTorch code\n");
		goto out;
	}
	for (int i = 0; i < w.ndefs; i++)
		put_def(&w, w.defs[i]);

	const nl_shape *in = &g->nodes[0].shape;
	fprintf(w.f, "INPUT_SHAPE = (%d, %d, %d)  # channels, height, width\n\n", in->c, in->h,
	        in->w);
	/* The top-level statements, input left out, as one list: shallow
	 * copies linked for the list writers (the context keeps an array). */
	int n = nl_program_nstmts(cx), k = 0;
	nl_stmt *top = calloc((size_t)n + 1, sizeof *top);
	if (!top) {
		fprintf(stderr, "netlang: out of memory writing PyTorch code\n");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const nl_stmt *s = nl_program_stmt(cx, i);
		if (s->kind == NL_S_INPUT)
			continue;
		top[k] = *s;
		top[k].next = NULL;
		if (k)
			top[k - 1].next = &top[k];
		k++;
	}
	put_sequential(&w, k ? top : NULL, "net = ", 0);
	free(top);
	fputs("\n\n", w.f);
	if (w.failed || w.oom || fflush(w.f) || ferror(w.f)) {
		if (w.oom)
			fprintf(stderr, "netlang: out of memory writing PyTorch code\n");
		goto out;
	}

	/* The module: a header, the helpers the body used, the body, the rest. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char title[256];
	snprintf(title, sizeof title, "%s", base);
	char *dot = strrchr(title, '.');
	if (dot && strcmp(dot, ".net") == 0)
		*dot = '\0';
	char digits[32], total[48];
	int nd = snprintf(digits, sizeof digits, "%" PRId64, g->params), nt = 0;
	for (int i = 0; i < nd && nt + 2 < (int)sizeof total; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			total[nt++] = ',';
		total[nt++] = digits[i];
	}
	total[nt] = '\0';
	fprintf(out, "\"\"\"%s: %s as PyTorch code, in the style of D2L.\n\n", title, base);
	fprintf(out, "Written by netlang %s (`netlang %s --format pytorch`).  The layers are\n"
	        "lazy modules, as D2L writes them: each learns its input size from a first\n"
	        "forward pass, which this module makes when it is imported.  %s parameters.\n\n",
	        PACKAGE_VERSION, base, total);
	fprintf(out, "    python3 %s.py                train with %s's train { } recipe\n"
	        "    python3 %s.py --load W       test accuracy of netlang's weights W\n"
	        "\"\"\"\n", title, base, title);
	fputs(py_imports, out);
	if (w.need_div)
		fputs(py_div, out);
	if (w.need_mod)
		fputs(py_mod, out);
	if (w.need_join || w.njoins)
		fputs(py_joins, out);
	fwrite(body, 1, body_len, out);
	put_weight_codes(out);
	put_recipe(out, o);
	/* a final softmax is folded into netlang's loss; here the loss takes
	 * the log of the net's probabilities instead */
	if (nl_kind_has(g->nodes[g->nnodes - 1].kind, NL_KF_LAST))
		fputs("# the net ends in a softmax: the cross-entropy of its probabilities\n"
		      "LOSS = lambda y_hat, y: F.nll_loss(torch.log(y_hat), y)\n\n\n", out);
	else
		fputs("LOSS = nn.CrossEntropyLoss()\n\n\n", out);
	fputs(py_rest, out);
	rc = fflush(out) || ferror(out) ? -1 : 0;
	if (rc)
		fprintf(stderr, "netlang: error writing PyTorch code\n");
out:
	if (w.f)
		fclose(w.f);
	free(body);
	free(w.defs);
	free(w.joins);
	free(w.temps);
	return rc;
}
