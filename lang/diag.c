/* diag.c - located diagnostics with the source line and a caret. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/ctx.h"
#include "lang/parse.h"

enum { MAX_SHOWN = 160 };  /* longest slice of a source line we print */

/* Print the line `loc` points into and a caret under its column.  Tabs in
 * the line are copied into the caret line so the caret lines up. */
static void show_line(FILE *f, nl_loc loc)
{
	if (!loc.file || loc.line <= 0)
		return;
	const nl_source *s = nl_source_of(loc.file);
	const char *p = s->text, *end = s->text + s->len;
	for (int line = s->first_line; line < loc.line && p < end; p++)
		if (*p == '\n')
			line++;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	size_t col = loc.col > 0 ? (size_t)loc.col - 1 : 0;
	size_t linelen = (size_t)(eol - p);
	if (col > linelen)
		col = linelen;
	/* Long lines: show a window around the column. */
	size_t from = col > MAX_SHOWN / 2 ? col - MAX_SHOWN / 2 : 0;
	size_t to = from + MAX_SHOWN < linelen ? from + MAX_SHOWN : linelen;
	if (to > from && p[to - 1] == '\r')
		to--;
	fputc(' ', f);
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)p[i];
		fputc(c == '\t' || (c >= 0x20 && c != 0x7f) ? c : '?', f);
	}
	fputs("\n ", f);
	for (size_t i = from; i < col; i++)
		fputc(p[i] == '\t' ? '\t' : ' ', f);
	fputs("^\n", f);
}

void nl_vdiag(FILE *f, nl_loc loc, const char *kind, const char *fmt, va_list ap)
{
	/* A message quotes names from the source, and a hostile source can
	 * make a name a megabyte long: cap what one message prints. */
	char msg[1024];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(f, "%s:%d:%d: %s: %s%s\n", loc.file ? loc.file : "<input>", loc.line,
	        loc.col, kind, msg, n >= (int)sizeof msg ? "..." : "");
	show_line(f, loc);
}

void nl_diag(nl_ctx *cx, nl_loc loc, const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	nl_vdiag(cx->diag, loc, kind, fmt, ap);
	va_end(ap);
	fflush(cx->diag);
}

void nl_parse_error(nl_parse *pc, int line, int col, const char *fmt, ...)
{
	if (pc->failed)
		return;  /* one error per chunk: the rest would be noise */
	pc->failed = 1;
	pc->cx->syntax_error_line = line;
	va_list ap;
	va_start(ap, fmt);
	nl_vdiag(pc->cx->diag, (nl_loc){ pc->src->name, line, col }, "error", fmt, ap);
	va_end(ap);
	fflush(pc->cx->diag);
}
