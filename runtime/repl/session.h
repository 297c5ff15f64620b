/* session.h - what the parts of a session share: the net being built,
 * the text of a statement still open over several lines, and the counters
 * that decide the exit status of a script.
 *
 * repl.c reads lines and feeds them here; commands.c runs the `:`
 * commands; print.c prints what a line added; readline.c is the
 * terminal side (prompt, history, completion, Ctrl-C).
 */
#ifndef NL_REPL_SESSION_H
#define NL_REPL_SESSION_H

#include <stddef.h>
#include <stdio.h>

#include "lang/lang.h"
#include "lang/settings.h"

/* A statement open longer than this is refused: a script that never closes
 * its block must not grow it without bound. */
enum { REPL_MAX_CHUNK = 16 << 20 };

/* An open block is parsed again at every line (so a mistake is reported on
 * its line) while it has at most this many lines; past that, only when its
 * braces and parentheses close (so a block of many lines costs what its
 * lines cost, not their square).  Mistakes past the limit are reported
 * when the block closes. */
enum { REPL_PARSE_EVERY_LINE = 200 };

typedef struct repl {
	nl_ctx *cx;
	const nl_options *opts;   /* the command line's, the base for :train */
	nl_format fmt;            /* how added layers print */
	const char *name;         /* "<stdin>" or the script, in diagnostics */
	int interactive;
	nl_graph *g;              /* the net as last built; NULL before `input` */
	nl_mark start;            /* the empty session, for :reset */
	int line;                 /* number of the last line read */
	int errors;               /* lines that failed */
	int located;              /* repl_error calls so far */
	int quit;                 /* :quit was given, or a signal ended :train */
	int signalled;            /* 128 + the signal that ended the session, or 0 */
	int echo;                 /* a script's lines are printed as they are read */
	int explain;              /* :explain on: layers print their arithmetic */

	/* :undo's stack: the context as it was before each line (or :load)
	 * that added statements. */
	nl_mark *undo;
	int nundo, capundo;

	/* A statement or block still open: its text and first line, and its
	 * open braces and parentheses (outside comments and strings). */
	char *chunk;
	size_t len, cap;
	int chunk_line;
	int depth;
} repl;

/* One line of input (without its newline; it may hold NUL bytes).
 * Returns 0, or -1 after a diagnostic. */
int repl_feed_line(repl *r, const char *text, size_t len);

/* Drop the open statement, if any (Ctrl-C, :reset). */
void repl_drop_chunk(repl *r);

/* Rebuild the net after the context changed; on failure roll the context
 * back to `before` (so the net is as it was) and return -1.  When
 * print_added, the layers past the old net's end are printed.  A line
 * that added statements is remembered for :undo. */
int repl_rebuild(repl *r, nl_mark before, int print_added);

/* A `:` command (text starts at the colon).  Returns 0 or -1. */
int repl_command(repl *r, char *text);

/* The i-th command's name, NULL past the last (for completion). */
const char *repl_command_name(int i);

/* A located diagnostic in the front end's style, at line/col of the input. */
void repl_error(const repl *r, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Printing (print.c). */
void repl_print_added(const repl *r, const nl_graph *g, int from);
/* The layers of the last top-level call of `name` (any block when NULL).
 * Returns -1 when there is none. */
int repl_print_expand(const repl *r, const char *name);
/* One layer's line in the session's format. */
void repl_print_node(FILE *f, const nl_graph *g, int i, nl_format fmt, int indent);
/* The last call of block `name` (the last top-level call of any block
 * when NULL) that made layers: its origin index, its first node in
 * *first (its last is the origin's last_node); -1 when there is none. */
int repl_find_call(const repl *r, const char *name, int *first);

/* Explain nodes first..last of g, one line each (failed: the node whose
 * shape failed, or -1).  Returns -1 when memory ran out. */
int repl_explain_nodes(const repl *r, const nl_graph *g, int first, int last, int failed);

/* Parse :train's words into o (which holds the base options).  Strings in
 * o point into argv.  Returns 0, or -1 after a message. */
int repl_train_options(const repl *r, int argc, char **argv, nl_options *o);

/* The i-th :train option's name without "--", NULL past the last. */
const char *repl_train_option_name(int i);

/* The terminal (readline.c). */
void repl_rl_init(repl *r, FILE *in);
/* A line typed at the prompt (malloc'ed, caller frees); NULL at Ctrl-D.
 * *interrupted is set when Ctrl-C abandoned the line. */
char *repl_rl_read(const char *prompt, int *interrupted);
void repl_rl_remember(const char *line);
/* Ctrl-C's default action (end the program) while training runs, so a
 * long :train can be stopped; our handler again after. */
void repl_rl_sigint_default(int dflt);
void repl_rl_done(void);

#endif
