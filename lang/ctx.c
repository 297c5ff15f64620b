/* ctx.c - the context: creation, library directories, REPL bookkeeping. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ctx.h"

int nl_ptrvec_push(nl_ptrvec *pv, void *p)
{
	if (pv->n == pv->cap) {
		if (pv->cap > INT_MAX / 2)
			return -1;
		int cap = pv->cap ? pv->cap * 2 : 16;
		void **v = realloc(pv->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = p;
	return 0;
}

nl_ctx *nl_ctx_new(void)
{
	nl_ctx *cx = calloc(1, sizeof *cx);
	if (!cx)
		return NULL;
	cx->diag = stderr;
	cx->input_index = -1;
	cx->stmts_changed = INT_MAX;
	return cx;
}

void nl_ctx_free(nl_ctx *cx)
{
	if (!cx)
		return;
	for (int i = 0; i < cx->libdirs.n; i++)
		free(cx->libdirs.v[i]);
	for (int i = 0; i < cx->sources.n; i++)
		nl_source_free(cx->sources.v[i]);
	for (int i = 0; i < cx->arenas.n; i++) {
		nl_arena_free(cx->arenas.v[i]);
		free(cx->arenas.v[i]);
	}
	for (int i = 0; i < cx->uses.n; i++) {
		nl_use *u = cx->uses.v[i];
		free(u->name);
		free(u);
	}
	free(cx->libdirs.v);
	free(cx->sources.v);
	free(cx->arenas.v);
	free(cx->stmts.v);
	free(cx->defs.v);
	free(cx->trains.v);
	free(cx->uses.v);
	nl_names_free(&cx->def_index);
	nl_build_cache_free(cx->cache);
	free(cx->names);
	free(cx);
}

void nl_set_diag_stream(nl_ctx *cx, FILE *f)
{
	cx->diag = f ? f : stderr;
}

void nl_add_lib_dir(nl_ctx *cx, const char *dir)
{
	char *d = strdup(dir);
	if (d && nl_ptrvec_push(&cx->libdirs, d))
		free(d);   /* out of memory: one directory fewer to search */
}

/* The index follows defs lazily: definitions are only ever appended, or
 * rolled back from the end, so a shorter list means start over. */
nl_stmt *nl_find_def(const nl_ctx *cx, const char *name)
{
	nl_ctx *m = (nl_ctx *)cx;  /* the index is a cache */
	if (m->ndef_indexed > cx->defs.n) {
		nl_names_clear(&m->def_index);
		m->ndef_indexed = 0;
	}
	while (m->ndef_indexed < cx->defs.n) {
		const nl_stmt *d = cx->defs.v[m->ndef_indexed];
		if (nl_names_put(&m->def_index, d->name, m->ndef_indexed) < 0)
			goto linear;   /* out of memory: still right, only slower */
		m->ndef_indexed++;
	}
	int i = nl_names_get(&m->def_index, name);
	return i >= 0 ? cx->defs.v[i] : NULL;
linear:
	for (int i = 0; i < cx->defs.n; i++) {
		nl_stmt *d = cx->defs.v[i];
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

nl_mark nl_get_mark(const nl_ctx *cx)
{
	return (nl_mark){ .nstmts = cx->stmts.n, .ndefs = cx->defs.n,
	                  .has_input = cx->input_index >= 0,
	                  .has_train = cx->trains.n, .nuses = cx->uses.n };
}

void nl_rollback(nl_ctx *cx, nl_mark m)
{
	if (m.nstmts < cx->stmts.n)
		cx->stmts.n = m.nstmts;
	if (cx->stmts.n < cx->stmts_changed)
		cx->stmts_changed = cx->stmts.n;
	if (cx->input_index >= cx->stmts.n)
		cx->input_index = -1;
	if (m.ndefs < cx->defs.n) {
		cx->defs.n = m.ndefs;
		cx->defs_gen++;
	}
	if (m.has_train < cx->trains.n)
		cx->trains.n = m.has_train;
	while (cx->uses.n > m.nuses) {
		nl_use *u = cx->uses.v[--cx->uses.n];
		free(u->name);
		free(u);
	}
}

int nl_undo(nl_ctx *cx)
{
	int n = cx->stmts.n;
	if (n == 0 || n - 1 == cx->input_index)
		return 0;
	cx->stmts.n--;
	if (cx->stmts.n < cx->stmts_changed)
		cx->stmts_changed = cx->stmts.n;
	return 1;
}

int nl_syntax_error_line(const nl_ctx *cx)
{
	return cx->syntax_error_line;
}

int nl_nstatements(const nl_ctx *cx)
{
	return cx->stmts.n;
}

int nl_block_names(const nl_ctx *cx, const char ***names)
{
	nl_ctx *m = (nl_ctx *)cx;  /* the answer array is a cache */
	free(m->names);
	m->names = malloc(((size_t)cx->defs.n + 1) * sizeof *m->names);
	if (!m->names) {
		*names = NULL;
		return 0;
	}
	for (int i = 0; i < cx->defs.n; i++)
		m->names[i] = ((nl_stmt *)cx->defs.v[i])->name;
	m->names[cx->defs.n] = NULL;
	*names = m->names;
	return cx->defs.n;
}

int nl_block_params(const nl_ctx *cx, const char *name, const char *const **params)
{
	const nl_stmt *d = nl_find_def(cx, name);
	if (!d)
		return -1;
	*params = (const char *const *)d->params;
	return d->nargs;
}

int nl_lib_dirs(const nl_ctx *cx, const char *const **dirs)
{
	*dirs = (const char *const *)cx->libdirs.v;
	return cx->libdirs.n;
}

void nl_set_incremental(nl_ctx *cx, int on)
{
	cx->incremental = on != 0;
}

void nl_override_input_size(nl_ctx *cx, int h, int w)
{
	cx->stmts_changed = 0;   /* every shape may change */
	cx->input_h = h > 0 ? h : 0;
	cx->input_w = w > 0 ? w : 0;
}
