/* program.h - the parsed program, read-only: its top-level statements and
 * block definitions as syntax trees (ast.h), for tools that translate the
 * program as written rather than its expanded graph (the PyTorch code of
 * runtime/export/ writes each `def` as a function). */
#ifndef NL_PROGRAM_H
#define NL_PROGRAM_H

#include "lang/ast.h"
#include "lang/lang.h"

/* Top-level statements in order, `input` among them. */
int nl_program_nstmts(const nl_ctx *cx);
const nl_stmt *nl_program_stmt(const nl_ctx *cx, int i);

/* Block definitions in the order they were read (used files first). */
int nl_program_ndefs(const nl_ctx *cx);
const nl_stmt *nl_program_def_at(const nl_ctx *cx, int i);
/* The definition of name, or NULL. */
const nl_stmt *nl_program_def(const nl_ctx *cx, const char *name);

#endif
