/* lang.h - the front end's public interface.
 *
 * An nl_ctx holds everything a program is made of: the source texts read so
 * far (kept for diagnostics), the block definitions, the top-level statements
 * and the train section.  Files and text chunks are added to it; nl_build()
 * expands the statements and shape-checks them into an nl_graph.
 *
 * The REPL uses the same calls a chunk at a time, with nl_mark()/nl_rollback()
 * to drop a line that failed, and nl_undo() to drop the last statement.
 *
 * Diagnostics go to the context's stream (stderr unless set) in the form
 *     file:line:col: error: message
 *      source line
 *          ^
 * and every function that fails returns NL_ERR after printing one.
 */
#ifndef NL_LANG_H
#define NL_LANG_H

#include <stdio.h>
#include "graph.h"

enum {
	NL_OK = 0,
	NL_ERR = 1,        /* a diagnostic was printed; the context is unchanged */
	NL_INCOMPLETE = 2  /* text ended inside an open block or statement:
	                      feed more (the REPL's continuation prompt) */
};

typedef struct nl_ctx nl_ctx;

nl_ctx *nl_ctx_new(void);
void nl_ctx_free(nl_ctx *cx);

/* Where diagnostics go (default stderr). */
void nl_set_diag_stream(nl_ctx *cx, FILE *f);

/* Directories searched, in order, for `use NAME` (NAME.net).  The driver adds
 * $NETLANG_PATH entries, the build tree's stdlib/ and the installed one. */
void nl_add_lib_dir(nl_ctx *cx, const char *dir);

/* Parse a whole file and append its definitions and statements. */
int nl_load_file(nl_ctx *cx, const char *path);

/* Parse a chunk of text named `name` whose first line is `first_line`
 * (so the REPL's errors say <stdin>:3:12).  Returns NL_INCOMPLETE, and adds
 * nothing, when the text ends inside a block. */
int nl_load_string(nl_ctx *cx, const char *name, int first_line,
                   const char *text, size_t len);

/* The line of the syntax error that made the last load fail, or 0 when it
 * did not fail on syntax (the REPL drops just that line of an open block). */
int nl_syntax_error_line(const nl_ctx *cx);

/* Expand and shape-check everything loaded so far.  Returns NULL after a
 * diagnostic on error.  The graph is independent of the context: it may
 * outlive it, and is freed with nl_graph_free(). */
nl_graph *nl_build(nl_ctx *cx);

/* nl_build for --explain: on a shape error the graph is returned all the
 * same, holding the layers made up to and including the one whose shape
 * failed, *failed being its index (its shape, parameters and FLOPs are
 * zero), so that the arithmetic that went wrong can be shown.  *failed is
 * -1 when the build succeeds; any other error returns NULL.  The
 * diagnostic is printed either way.  In a session (nl_set_incremental) a
 * build that succeeds is the kept build's, as nl_build's; the layers up to
 * a failed shape are a graph of their own. */
nl_graph *nl_build_partial(nl_ctx *cx, int *failed);

/* A session's context builds a statement at a time: nl_build then expands
 * only what was added (or changed by nl_rollback and nl_undo) since the
 * last build, and the graph it returns borrows the context's memory: it is
 * valid until the next nl_build or the context is freed, whichever comes
 * first (nl_graph_free it as any other).  Off by default: a file's graph
 * is independent of its context. */
void nl_set_incremental(nl_ctx *cx, int on);

/* Build with an input of height h and width w whatever the program's
 * `input` says (the driver's --resize: the same net at another image size);
 * 0, 0 restores the written size.  Shapes that no longer work are errors
 * at the layer, as usual. */
void nl_override_input_size(nl_ctx *cx, int h, int w);

/* REPL support. */
typedef struct nl_mark { int nstmts, ndefs, has_input, has_train;
                         int nuses; /* added: `use`s loaded so far */ } nl_mark;
nl_mark nl_get_mark(const nl_ctx *cx);
void nl_rollback(nl_ctx *cx, nl_mark m);  /* forget what came after m */
int nl_undo(nl_ctx *cx);                  /* drop the last top-level statement
                                             (not `input`); 0 if none left */
int nl_nstatements(const nl_ctx *cx);     /* top-level statements, input included */
/* Names of the blocks defined so far (stdlib and user), for completion. */
int nl_block_names(const nl_ctx *cx, const char ***names);
/* The parameter names of block `name` in *params (the context's own
 * strings), their number returned; -1 when no block has that name. */
int nl_block_params(const nl_ctx *cx, const char *name, const char *const **params);
/* The directories `use` searches, in order (nl_add_lib_dir); returns their
 * number.  Completion lists the libraries found there. */
int nl_lib_dirs(const nl_ctx *cx, const char *const **dirs);
/* Write the program (uses, defs, statements, train section) back as .net text. */
int nl_write_source(const nl_ctx *cx, FILE *f);

/* Output of a checked graph. */
typedef enum nl_format { NL_FMT_TABLE, NL_FMT_D2L } nl_format;
/* Print the listing.  NL_FMT_TABLE: netlang's table (layer, origin, shape,
 * params, FLOPs, totals; the runtime adds the memory a training step takes,
 * which only its plan knows).  NL_FMT_D2L: the exact lines D2L prints
 * ("Conv2d output shape:\t torch.Size([1, 96, 54, 54])"), one "Sequential"
 * line per top-level block call. */
void nl_print_graph(FILE *f, const nl_graph *g, nl_format fmt);
/* The table with options: depth > 0 shows every block call nested deeper
 * than depth as one row (depth 1: each top-level call, as the d2l format
 * does); rf adds each row's receptive field.  Where the net branches, rows
 * are numbered and a `from` column names the rows each one reads.  After
 * the total, nl_print_summary's lines.  Returns -1 when memory ran out. */
typedef struct nl_table_opts {
	int depth;
	int rf;
} nl_table_opts;
int nl_print_table(FILE *f, const nl_graph *g, const nl_table_opts *o);
/* The totals in words: trainable and non-trainable parameters with a
 * readable size (61.7 K), and mult-adds per image in M or G with the
 * convention they are counted in. */
void nl_print_summary(FILE *f, const nl_graph *g);
/* Print only nodes [from, nnodes) in the chosen format (the REPL prints what a
 * line added). */
void nl_print_nodes(FILE *f, const nl_graph *g, int from, nl_format fmt);

#endif
