/* program.c - read-only access to a context's syntax trees (program.h). */
#include <config.h>

#include "lang/ctx.h"
#include "lang/program.h"

int nl_program_nstmts(const nl_ctx *cx)
{
	return cx->stmts.n;
}

const nl_stmt *nl_program_stmt(const nl_ctx *cx, int i)
{
	return i >= 0 && i < cx->stmts.n ? cx->stmts.v[i] : NULL;
}

int nl_program_ndefs(const nl_ctx *cx)
{
	return cx->defs.n;
}

const nl_stmt *nl_program_def_at(const nl_ctx *cx, int i)
{
	return i >= 0 && i < cx->defs.n ? cx->defs.v[i] : NULL;
}

const nl_stmt *nl_program_def(const nl_ctx *cx, const char *name)
{
	return nl_find_def(cx, name);
}
