/* parse.h - the state one parse shares between the scanner and the parser. */
#ifndef NL_PARSE_H
#define NL_PARSE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "lang/ast.h"
#include "lang/source.h"

struct nl_ctx;

typedef struct nl_parse {
	struct nl_ctx *cx;
	nl_source *src;
	nl_arena *arena;
	int line, col;              /* where the next character is */
	size_t offset;              /* bytes consumed */
	int last_line, last_col;    /* just after the last real token */
	int paren, brace;           /* open ( and { */
	int allow_incomplete;       /* a chunk from the REPL */
	int incomplete;             /* ended inside a block or statement */
	int failed;                 /* a diagnostic was printed */
	nl_stmt_list top;           /* top-level statements, in order */
	const char *last_name;      /* the last name scanned, for messages */
} nl_parse;

/* Parse src into pc->top.  Returns 0 on success. */
int nl_parse_source(nl_parse *pc);

/* Where the scanner jumps when flex runs out of memory (set during
 * nl_parse_source; see parser.y). */
extern _Thread_local jmp_buf *nl_scan_on_oom;

/* A located error from the scanner or the parser. */
void nl_parse_error(nl_parse *pc, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
