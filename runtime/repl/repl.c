/* repl.c - the session: lines in, the net grows, shapes out.
 *
 * Each line is appended to the open statement's text and the whole text is
 * handed to the front end; NL_INCOMPLETE means a block or a parenthesis is
 * still open, so the next line continues it.  A complete chunk is built
 * into a fresh graph, and only the layers past the previous graph's end are
 * printed.  Any failure rolls the context back to the mark taken before the
 * chunk, so a bad line leaves the net exactly as it was.
 *
 * Diagnostics go to stderr and results to stdout, so that a teaching
 * script's stdout can be diffed whatever errors it provokes.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/repl/repl.h"
#include "runtime/repl/session.h"

void repl_error(const repl *r, int line, int col, const char *fmt, ...)
{
	va_list ap;
	((repl *)r)->located++;   /* a count, not the session's state */
	fflush(stdout);
	fprintf(stderr, "%s:%d:%d: error: ", r->name, line, col);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void repl_drop_chunk(repl *r)
{
	r->len = 0;
	r->chunk_line = 0;
	r->depth = 0;
}

/* The change in open braces and parentheses a line makes, outside
 * comments and strings (which end at the line's end, as the scanner's do). */
static int depth_change(const char *text, size_t len)
{
	int d = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '#')
			break;
		if (c == '"') {
			const char *q = memchr(text + i + 1, '"', len - i - 1);
			if (!q)
				break;
			i = (size_t)(q - text);
		} else if (c == '{' || c == '(') {
			d++;
		} else if (c == '}' || c == ')') {
			d--;
		}
	}
	return d;
}

/* Remember the context before a line that added statements other than
 * the input, for :undo. */
static void remember_line(repl *r, nl_mark before)
{
	nl_mark now = nl_get_mark(r->cx);
	int added = now.nstmts - before.nstmts - (now.has_input && !before.has_input);
	if (added <= 0)
		return;
	if (r->nundo == r->capundo) {
		int cap = r->capundo ? 2 * r->capundo : 16;
		nl_mark *u = realloc(r->undo, (size_t)cap * sizeof *u);
		if (!u)
			return;   /* out of memory: this line cannot be undone */
		r->undo = u;
		r->capundo = cap;
	}
	r->undo[r->nundo++] = before;
}

int repl_rebuild(repl *r, nl_mark before, int print_added)
{
	nl_mark now = nl_get_mark(r->cx);
	if (!now.has_input && now.nstmts == before.nstmts) {
		/* Definitions, `use` or a train section before any input: there
		 * is nothing to build yet, and nothing to check against. */
		return 0;
	}
	/* :explain on shows the arithmetic of a shape that fails */
	int failed = -1;
	nl_graph *g = r->explain ? nl_build_partial(r->cx, &failed) : nl_build(r->cx);
	if (g && failed >= 0) {
		repl_explain_nodes(r, g, failed, failed, failed);
		nl_graph_free(g);
		g = NULL;
	}
	if (!g) {
		nl_rollback(r->cx, before);
		/* The net as it was: the failed build may have moved the memory
		 * the old graph borrowed (nl_set_incremental). */
		if (r->g) {
			nl_graph_free(r->g);
			r->g = nl_build(r->cx);
		}
		return -1;
	}
	int from = r->g ? r->g->nnodes : 0;
	if (print_added && g->nnodes > from)
		repl_print_added(r, g, from);
	if (r->g)
		nl_graph_free(r->g);
	r->g = g;
	remember_line(r, before);
	return 0;
}

/* The open text plus one line.  Returns -1 when it would grow too long. */
static int chunk_append(repl *r, const char *text, size_t len)
{
	if (r->len + len + 1 > REPL_MAX_CHUNK)
		return -1;
	if (r->len + len + 2 > r->cap) {
		size_t cap = r->cap ? r->cap : 256;
		while (cap < r->len + len + 2)
			cap *= 2;
		char *p = realloc(r->chunk, cap);
		if (!p)
			return -1;
		r->chunk = p;
		r->cap = cap;
	}
	memcpy(r->chunk + r->len, text, len);
	r->len += len;
	r->chunk[r->len++] = '\n';
	r->chunk[r->len] = 0;
	return 0;
}

static int blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			return 0;
	return 1;
}

int repl_feed_line(repl *r, const char *text, size_t len)
{
	size_t skip = 0;
	while (skip < len && (text[skip] == ' ' || text[skip] == '\t'))
		skip++;

	if (r->len == 0) {
		if (skip < len && text[skip] == ':') {
			if (memchr(text, 0, len)) {
				repl_error(r, r->line, (int)skip + 1, "a NUL byte in a command");
				return -1;
			}
			char *cmd = strndup(text + skip, len - skip);
			if (!cmd) {
				repl_error(r, r->line, 1, "out of memory");
				return -1;
			}
			int rc = repl_command(r, cmd);
			free(cmd);
			return rc;
		}
		if (blank(text, len))
			return 0;
		r->chunk_line = r->line;
	} else if (skip < len && text[skip] == ':') {
		repl_error(r, r->line, (int)skip + 1,
		           "a statement is still open since line %d: finish it%s before a command",
		           r->chunk_line, r->interactive ? " (or press Ctrl-C)" : "");
		return -1;
	}

	size_t open_len = r->len;   /* an open block's text, fine so far */
	if (chunk_append(r, text, len) < 0) {
		repl_error(r, r->chunk_line, 1,
		           "statement longer than %d MiB (is a '}' missing?)",
		           REPL_MAX_CHUNK >> 20);
		repl_drop_chunk(r);
		return -1;
	}
	nl_mark before = nl_get_mark(r->cx);
	r->depth += depth_change(text, len);
	if (r->depth > 0 && r->line - r->chunk_line >= REPL_PARSE_EVERY_LINE)
		return 0;   /* a long open block: parsed when it closes */
	int rc = nl_load_string(r->cx, r->name, r->chunk_line, r->chunk, r->len);
	if (rc == NL_INCOMPLETE)
		return 0;
	if (rc == NL_ERR && open_len && nl_syntax_error_line(r->cx) == r->line) {
		/* A mistake on this line of an open block: the block stays open
		 * without the line, which may be typed again. */
		r->len = open_len;
		r->chunk[r->len] = '\0';
		r->depth -= depth_change(text, len);
		return -1;
	}
	repl_drop_chunk(r);
	if (rc != NL_OK)
		return -1;
	return repl_rebuild(r, before, 1);
}

/* End of input with a statement still open: a located error at the line
 * where it began (the front end, told nothing more is coming, has no call
 * to say so itself). */
static void report_open_chunk(repl *r)
{
	const char *first = r->chunk;
	const char *nl = memchr(first, '\n', r->len);
	int n = nl ? (int)(nl - first) : (int)r->len;
	int col = 1;
	while (col <= n && (first[col - 1] == ' ' || first[col - 1] == '\t'))
		col++;
	repl_error(r, r->chunk_line, col,
	           "end of input inside a statement or block that starts here (a '}' or ')' is missing)");
	if (n > 200)
		n = 200;
	fputc(' ', stderr);
	for (int i = 0; i < n; i++)
		fputc(first[i] ? first[i] : ' ', stderr);
	fprintf(stderr, "\n %*s^\n", col - 1, "");
	repl_drop_chunk(r);
}

/* --echo: the line as the session would show it typed.  A comment or a
 * blank line outside a statement is the lesson's own text and is printed
 * as it is; anything else follows the prompt it would be typed at. */
static void echo_line(const repl *r, const char *text, size_t len)
{
	size_t skip = 0;
	while (skip < len && (text[skip] == ' ' || text[skip] == '\t' || text[skip] == '\r'))
		skip++;
	if (r->len == 0 && (skip == len || text[skip] == '#'))
		fwrite(text, 1, len, stdout);
	else {
		fputs(r->len ? "...> " : "netlang> ", stdout);
		fwrite(text, 1, len, stdout);
	}
	putchar('\n');
}

/* One line of a script, without its newline, into *buf: 1, or 0 at the end
 * of the input, or -1 after a message.  A line longer than any statement
 * may be is an error on its line (and the rest of it is skipped), not the
 * end of the script; a read error is an error, not the end either. */
static int read_line(repl *r, FILE *in, char **buf, size_t *cap, size_t *len)
{
	size_t n = 0;
	int c, too_long = 0;
	while ((c = getc(in)) != EOF && c != '\n') {
		if (too_long)
			continue;
		if (n + 1 >= *cap) {
			size_t ncap = *cap ? 2 * *cap : 256;
			char *b = n < REPL_MAX_CHUNK ? realloc(*buf, ncap) : NULL;
			if (!b) {
				too_long = 1;
				continue;
			}
			*buf = b;
			*cap = ncap;
		}
		(*buf)[n++] = (char)c;
	}
	if (c == EOF && ferror(in)) {
		fprintf(stderr, "netlang: %s: cannot read line %d: %s\n", r->name, r->line + 1,
		        strerror(errno));
		return -1;
	}
	if (c == EOF && n == 0 && !too_long)
		return 0;
	r->line++;
	if (too_long) {
		repl_error(r, r->line, 1, "line longer than %d MiB (or than memory allows)",
		           REPL_MAX_CHUNK >> 20);
		return -1;
	}
	*len = n;
	return 1;
}

/* A script: lines from `in`, no prompt, stop at the first error unless
 * keep_going. */
static int run_script(repl *r, FILE *in, int keep_going)
{
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int got;
	while (!r->quit && (got = read_line(r, in, &buf, &cap, &len)) != 0) {
		if (got > 0 && r->echo)
			echo_line(r, buf ? buf : "", len);
		if (got < 0 || repl_feed_line(r, buf ? buf : "", len) < 0) {
			r->errors++;
			if (!keep_going || ferror(in))
				break;
		}
		fflush(stdout);
	}
	free(buf);
	if (r->len && (keep_going || r->errors == 0)) {
		report_open_chunk(r);
		r->errors++;
	}
	return r->errors ? 1 : 0;
}

static int run_interactive(repl *r, FILE *in)
{
	repl_rl_init(r, in);
	printf("netlang %s: type a layer to see its shape; :help lists the commands, Ctrl-D quits.\n",
	       PACKAGE_VERSION);
	while (!r->quit) {
		int interrupted = 0;
		char *text = repl_rl_read(r->len ? "...> " : "netlang> ", &interrupted);
		if (interrupted) {
			/* Ctrl-C: the line, and any block it was continuing, are
			 * gone; the context never saw them. */
			free(text);
			repl_drop_chunk(r);
			continue;
		}
		if (!text) {
			putchar('\n');
			if (r->len) {
				/* Ctrl-D in an open block drops the block, as Ctrl-C
				 * does; at the prompt it ends the session */
				fprintf(stderr, "(the open block was abandoned; Ctrl-D again ends the "
				        "session)\n");
				repl_drop_chunk(r);
				continue;
			}
			break;
		}
		r->line++;
		if (*text)
			repl_rl_remember(text);
		if (repl_feed_line(r, text, strlen(text)) < 0)
			r->errors++;
		free(text);
		fflush(stdout);
	}
	repl_rl_done();
	return 0;
}

int nl_repl_run(nl_ctx *cx, const nl_options *o, nl_format fmt, FILE *in,
                const char *name, int interactive, int keep_going, int echo)
{
	repl r;
	memset(&r, 0, sizeof r);
	r.cx = cx;
	r.opts = o;
	r.fmt = fmt;
	r.name = name;
	r.interactive = interactive;
	r.echo = echo && !interactive;
	r.start = nl_get_mark(cx);
	/* Diagnostics on stderr whatever the caller set: stdout is the
	 * script's result.  The net grows a statement at a time. */
	nl_set_diag_stream(cx, stderr);
	nl_set_incremental(cx, 1);

	int status = interactive ? run_interactive(&r, in) : run_script(&r, in, keep_going);
	fflush(stdout);
	if (r.g)
		nl_graph_free(r.g);
	free(r.chunk);
	free(r.undo);
	return r.signalled ? r.signalled : status;
}
