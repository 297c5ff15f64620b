/* writer.c - nl_write_source: a context's program back as .net text
 * (the REPL's "save").  Parentheses are written where the user wrote them,
 * which is enough to read back the same tree. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "lang/ctx.h"
#include "lang/kinds.h"

static const char *const op_text[] = {
	[NL_E_ADD] = "+", [NL_E_SUB] = "-", [NL_E_MUL] = "*", [NL_E_DIV] = "/",
	[NL_E_MOD] = "%", [NL_E_EQ] = "==", [NL_E_NE] = "!=", [NL_E_LT] = "<",
	[NL_E_LE] = "<=", [NL_E_GT] = ">", [NL_E_GE] = ">=", [NL_E_AND] = "&&",
	[NL_E_OR] = "||",
};

static void put_expr(FILE *f, const nl_expr *e)
{
	if (e->paren)
		fputc('(', f);
	switch (e->op) {
	case NL_E_NUM: fprintf(f, "%lld", (long long)e->value); break;
	case NL_E_NAME: fputs(e->name, f); break;
	case NL_E_NEG: fputc('-', f); put_expr(f, e->a); break;
	case NL_E_NOT: fputc('!', f); put_expr(f, e->a); break;
	default:
		put_expr(f, e->a);
		fprintf(f, " %s ", op_text[e->op]);
		put_expr(f, e->b);
		break;
	}
	if (e->paren)
		fputc(')', f);
}

static void put_dims(FILE *f, const nl_dims *d)
{
	for (int i = 0; i < d->n; i++) {
		if (i)
			fputs(d->literal ? "x" : " x ", f);
		put_expr(f, d->e[i]);
	}
}

static void indent(FILE *f, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", f);
}

static void put_list(FILE *f, const nl_stmt *s, int depth);

static void put_block(FILE *f, const nl_stmt *body, int depth)
{
	fputs("{\n", f);
	put_list(f, body, depth + 1);
	indent(f, depth);
	fputc('}', f);
}

static void put_stmt(FILE *f, const nl_stmt *s, int depth)
{
	switch (s->kind) {
	case NL_S_INPUT:
		fputs("input ", f);
		put_dims(f, &s->kernel);
		break;
	case NL_S_LAYER:
		switch (nl_kind_info_of(s->layer)->syntax) {
		case NL_SYN_CONV: case NL_SYN_POOL:
			fprintf(f, "%s ", nl_kind_name(s->layer));
			put_dims(f, &s->kernel);
			if (s->has_stride) {
				fputc('/', f);
				put_dims(f, &s->stride);
			}
			if (nl_kind_info_of(s->layer)->syntax == NL_SYN_CONV) {
				fputs(" -> ", f);
				put_expr(f, s->out);
			}
			if (s->has_pad) {
				fputs(" pad ", f);
				put_dims(f, &s->pad);
			}
			break;
		case NL_SYN_FEATURES:
			fprintf(f, "%s ", s->spelling ? s->spelling : nl_kind_name(s->layer));
			put_expr(f, s->out);
			break;
		case NL_SYN_PROB:
			fprintf(f, "%s %s", nl_kind_name(s->layer), s->p_text);
			break;
		default:
			fputs(nl_kind_name(s->layer), f);  /* includes "avgpool global" */
			break;
		}
		break;
	case NL_S_CALL:
		fprintf(f, "%s(", s->name);
		for (int i = 0; i < s->nargs; i++) {
			if (i)
				fputs(", ", f);
			put_expr(f, s->args[i]);
		}
		fputc(')', f);
		break;
	case NL_S_BARE_NAME:
		fputs(s->name, f);
		break;
	case NL_S_REPEAT:
		fputs("repeat ", f);
		put_expr(f, s->cond);
		fputc(' ', f);
		put_block(f, s->body, depth);
		break;
	case NL_S_IF:
		fputs("if ", f);
		put_expr(f, s->cond);
		fputc(' ', f);
		put_block(f, s->body, depth);
		if (s->else_is_if) {
			fputs(" else ", f);
			put_stmt(f, s->else_body, depth);
		} else if (s->else_body) {
			fputs(" else ", f);
			put_block(f, s->else_body, depth);
		}
		break;
	case NL_S_CONCAT: case NL_S_ADD:
		fputs(s->kind == NL_S_CONCAT ? "concat {\n" : "add {\n", f);
		for (const nl_stmt *br = s->body; br; br = br->next) {
			indent(f, depth + 1);
			fputs("branch ", f);
			put_block(f, br->body, depth + 1);
			fputc('\n', f);
		}
		indent(f, depth);
		fputc('}', f);
		break;
	case NL_S_DEF:
		fprintf(f, "def %s(", s->name);
		for (int i = 0; i < s->nargs; i++)
			fprintf(f, "%s%s", i ? ", " : "", s->params[i]);
		fputs(") ", f);
		put_block(f, s->body, depth);
		break;
	case NL_S_TRAIN:
		fputs("train {", f);
		for (const nl_train_item *it = s->items; it; it = it->next) {
			fprintf(f, " %s ", it->key);
			if (it->nvalues) {
				for (int j = 0; j < it->nvalues; j++)
					fprintf(f, "%s%.9g", j ? " " : "", it->values[j]);
			} else if (it->is_int)
				fprintf(f, "%.0f", it->number);
			else if (it->is_number)
				fputs(it->text, f);
			else if (strspn(it->text, "abcdefghijklmnopqrstuvwxyz"
			                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
			         strlen(it->text) && it->text[0] >= 'A')
				fputs(it->text, f);
			else
				fprintf(f, "\"%s\"", it->text);
			if (it->next)
				fputc(';', f);
		}
		fputs(" }", f);
		break;
	case NL_S_USE:
		fprintf(f, "use %s", s->name);
		break;
	case NL_S_BRANCH:
		fputs("branch ", f);
		put_block(f, s->body, depth);
		break;
	}
}

static void put_list(FILE *f, const nl_stmt *s, int depth)
{
	for (; s; s = s->next) {
		indent(f, depth);
		put_stmt(f, s, depth);
		fputc('\n', f);
	}
}

int nl_write_source(const nl_ctx *cx, FILE *f)
{
	for (int i = 0; i < cx->uses.n; i++) {
		const nl_use *u = cx->uses.v[i];
		if (u->written)
			fprintf(f, "use %s\n", u->name);
	}
	for (int i = 0; i < cx->defs.n; i++) {
		const nl_stmt *d = cx->defs.v[i];
		if (!d->from_lib) {
			put_stmt(f, d, 0);
			fputc('\n', f);
		}
	}
	for (int i = 0; i < cx->stmts.n; i++) {
		put_stmt(f, cx->stmts.v[i], 0);
		fputc('\n', f);
	}
	for (int i = 0; i < cx->trains.n; i++) {
		put_stmt(f, cx->trains.v[i], 0);
		fputc('\n', f);
	}
	return ferror(f) ? NL_ERR : NL_OK;
}
