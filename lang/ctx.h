/* ctx.h - what an nl_ctx holds (private to lang/). */
#ifndef NL_CTX_H
#define NL_CTX_H

#include <stdarg.h>
#include <stdio.h>

#include "lang/ast.h"
#include "lang/lang.h"
#include "lang/names.h"
#include "lang/source.h"

typedef struct nl_build_cache nl_build_cache;

/* A growable array of pointers.  push returns -1 when memory ran out. */
typedef struct nl_ptrvec { void **v; int n, cap; } nl_ptrvec;
int nl_ptrvec_push(nl_ptrvec *pv, void *p);

typedef struct nl_use {
	char *name;        /* NAME of `use NAME` */
	int written;       /* written by the user (not pulled in by a library) */
	nl_loc loc;
} nl_use;

struct nl_ctx {
	FILE *diag;
	nl_ptrvec libdirs;   /* char * */
	nl_ptrvec sources;   /* nl_source *, index == id */
	nl_ptrvec arenas;    /* nl_arena *, one per successful parse */
	nl_ptrvec stmts;     /* nl_stmt *: input, layers, calls, joins, in order */
	nl_ptrvec defs;      /* nl_stmt * of kind NL_S_DEF */
	nl_ptrvec trains;    /* nl_stmt * of kind NL_S_TRAIN */
	nl_ptrvec uses;      /* nl_use * */
	int input_index;     /* in stmts, or -1 */
	int input_h, input_w;  /* nl_override_input_size(), 0 = as written */
	unsigned defs_gen;   /* changes whenever defs change (call caches) */
	unsigned build_id;
	int use_depth;       /* `use` inside used files */
	const char **names;  /* nl_block_names' answer */
	int syntax_error_line;   /* of the last load's syntax error, 0 if none */
	/* A session builds a line at a time (nl_set_incremental): the last
	 * build is kept, with where it stood after each statement, and
	 * statements from stmts_changed (rolled back or undone since) on are
	 * expanded again; the rest is not. */
	nl_build_cache *cache;
	int stmts_changed;
	int incremental;
	nl_names def_index;  /* name -> index in defs, for defs [0, ndef_indexed) */
	int ndef_indexed;
};

/* Diagnostics: "file:line:col: KIND: message", the source line, a caret. */
void nl_diag(nl_ctx *cx, nl_loc loc, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void nl_vdiag(FILE *f, nl_loc loc, const char *kind, const char *fmt, va_list ap);

nl_stmt *nl_find_def(const nl_ctx *cx, const char *name);

/* Free the kept build (expand.c). */
void nl_build_cache_free(nl_build_cache *c);

/* Whether a library file (NAME.net in a library directory, not yet used)
 * defines block `block`; its NAME in lib (load.c). */
int nl_lib_defining(nl_ctx *cx, const char *block, char *lib, size_t len);

#endif
