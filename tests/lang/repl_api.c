/* repl_api.c - the calls the REPL makes: chunks that end early
 * (NL_INCOMPLETE), failed chunks that change nothing, marks, rollback, undo,
 * block names, and printing only the nodes a line added. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static int load(nl_ctx *cx, int line, const char *s)
{
	return nl_load_string(cx, "<stdin>", line, s, strlen(s));
}

static int nnodes(nl_ctx *cx)
{
	nl_graph *g = nl_build(cx);
	if (!g)
		return -1;
	int n = g->nnodes;
	nl_graph_free(g);
	return n;
}

int main(void)
{
	char *diag = NULL;
	size_t dlen = 0;
	FILE *df = open_memstream(&diag, &dlen);
	nl_ctx *cx = nl_ctx_new();
	nl_set_diag_stream(cx, df);

	CHECK(load(cx, 1, "input 1x28x28\n") == NL_OK);
	CHECK(nnodes(cx) == 1);
	/* a block or a parenthesis left open: ask for more */
	CHECK(load(cx, 2, "def two(c) {\n") == NL_INCOMPLETE);
	CHECK(load(cx, 2, "fc (3 +\n   # a comment\n") == NL_INCOMPLETE);
	CHECK(load(cx, 2, "if 1 > 0\n") == NL_INCOMPLETE);   /* `{` may come next */
	CHECK(nl_nstatements(cx) == 1);
	fflush(df);
	CHECK(dlen == 0);  /* incomplete is not an error: nothing printed */
	/* a layer cut short can continue on no later line: an error at once */
	CHECK(load(cx, 2, "conv 3x3 ->\n") == NL_ERR);
	CHECK(load(cx, 2, "fc\n") == NL_ERR);
	fflush(df);
	CHECK(strstr(diag, "<stdin>:2:12: error: incomplete 'conv'") != NULL);
	CHECK(strstr(diag, "<stdin>:2:3: error: incomplete 'fc': write fc N") != NULL);
	CHECK(nl_nstatements(cx) == 1);
	fflush(df);
	rewind(df);
	dlen = 0;
	diag[0] = '\0';

	CHECK(load(cx, 2, "def two(c) {\n  conv 3x3 -> c pad 1; relu\n"
	                  "  conv 3x3 -> c pad 1; relu\n}\n") == NL_OK);
	const char **names;
	CHECK(nl_block_names(cx, &names) == 1 && strcmp(names[0], "two") == 0);

	/* a failed chunk adds nothing, not even its good first statement */
	nl_mark m = nl_get_mark(cx);
	CHECK(load(cx, 6, "relu\nconv 3x3 -> 8 $\n") == NL_ERR);
	fflush(df);
	CHECK(strstr(diag, "<stdin>:7:15: error: unexpected character '$'") != NULL);
	CHECK(nl_nstatements(cx) == 1);

	CHECK(load(cx, 8, "two(8)\n") == NL_OK);
	CHECK(nnodes(cx) == 5);
	/* what the last line added, as D2L prints it: one Sequential line */
	nl_graph *g = nl_build(cx);
	char *out = NULL;
	size_t olen = 0;
	FILE *of = open_memstream(&out, &olen);
	nl_print_nodes(of, g, 1, NL_FMT_D2L);
	fclose(of);
	CHECK(strcmp(out, "Sequential output shape:\t torch.Size([1, 8, 28, 28])\n") == 0);
	free(out);
	nl_graph_free(g);

	/* a statement that checks but does not build: the REPL rolls it back */
	m = nl_get_mark(cx);
	CHECK(load(cx, 9, "conv 99x99 -> 4\n") == NL_OK);
	CHECK(nnodes(cx) == -1);
	nl_rollback(cx, m);
	CHECK(nnodes(cx) == 5);

	/* rollback also forgets definitions and uses made after the mark */
	m = nl_get_mark(cx);
	CHECK(load(cx, 10, "def three() { relu }\ntrain { batch 7 }\n") == NL_OK);
	CHECK(nl_block_names(cx, &names) == 2);
	nl_rollback(cx, m);
	CHECK(nl_block_names(cx, &names) == 1);
	g = nl_build(cx);
	CHECK(g && g->train.batch == 0);
	nl_graph_free(g);

	/* undo drops statements but never `input` */
	CHECK(nl_undo(cx) == 1);
	CHECK(nnodes(cx) == 1);
	CHECK(nl_undo(cx) == 0);
	CHECK(nl_nstatements(cx) == 1);

	/* a second input is refused at once, with both places named */
	CHECK(load(cx, 11, "input 3x32x32\n") == NL_ERR);
	fflush(df);
	CHECK(strstr(diag, "<stdin>:11:1: error: a second 'input' (the first is at "
	                   "<stdin>:1)") != NULL);

	nl_ctx_free(cx);
	fclose(df);
	free(diag);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
