/* nlcheck.c - the front end on its own: load .net files, check them, and
 * print the listing, the parameter total, or the diagnostic.
 *
 *   nlcheck [-L DIR]... [--format table|d2l] [--params] [--graph]
 *           [--source] [--chunks] FILE...
 *
 * --params prints only the total parameter count; --graph the graph as
 * plain lines for the drawing's tests ("node I WORD SHAPE origin O inputs
 * A B", "origin O NAME parent P call TEXT"); --source writes the
 * program back as text (nl_write_source); --chunks feeds each FILE line by
 * line through nl_load_string the way the REPL does, keeping a line that is
 * NL_INCOMPLETE pending until more comes, and rolling back lines that fail.
 * Exit status: 0 if it checks, 1 if a diagnostic was printed.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/lang.h"
#include "lang/shape.h"

static int load_chunks(nl_ctx *cx, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NL_ERR;
	}
	char line[4096], *pending = NULL;
	size_t plen = 0;
	int lineno = 0, first = 1, rc = NL_OK;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		char *p = realloc(pending, plen + len + 1);
		if (!p)
			abort();
		pending = p;
		memcpy(pending + plen, line, len + 1);
		plen += len;
		nl_mark m = nl_get_mark(cx);
		int r = nl_load_string(cx, "<stdin>", first, pending, plen);
		if (r == NL_INCOMPLETE)
			continue;
		if (r == NL_ERR) {
			nl_rollback(cx, m);
			rc = NL_ERR;
		}
		plen = 0;
		first = lineno + 1;
	}
	if (plen) {
		fprintf(stderr, "<stdin>:%d: error: unexpected end of input\n", lineno);
		rc = NL_ERR;
	}
	free(pending);
	fclose(f);
	return rc;
}

static void print_graph(const nl_graph *g)
{
	char sb[64];
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		printf("node %d %s %s origin %d inputs", i, nl_kind_name(nd->kind),
		       nl_shape_str(&nd->shape, sb, sizeof sb), nd->origin);
		for (int k = 0; k < nd->ninputs; k++)
			printf(" %d", nd->inputs[k]);
		putchar('\n');
	}
	for (int o = 0; o < g->norigins; o++)
		printf("origin %d %s parent %d call %s\n", o, g->origins[o].name,
		       g->origins[o].parent, g->origins[o].call);
}

int main(int argc, char **argv)
{
	nl_format fmt = NL_FMT_TABLE;
	int params_only = 0, source = 0, chunks = 0, graph = 0, rc = 0, nfiles = 0;
	nl_ctx *cx = nl_ctx_new();
	if (!cx)
		return 2;
	nl_set_diag_stream(cx, stdout);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-L") == 0 && i + 1 < argc) {
			nl_add_lib_dir(cx, argv[++i]);
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			fmt = strcmp(argv[++i], "d2l") == 0 ? NL_FMT_D2L : NL_FMT_TABLE;
		} else if (strcmp(a, "--params") == 0) {
			params_only = 1;
		} else if (strcmp(a, "--graph") == 0) {
			graph = 1;
		} else if (strcmp(a, "--source") == 0) {
			source = 1;
		} else if (strcmp(a, "--chunks") == 0) {
			chunks = 1;
		} else {
			nfiles++;
			int r = chunks ? load_chunks(cx, a) : nl_load_file(cx, a);
			if (r != NL_OK) {
				rc = 1;
				if (!chunks)
					goto out;
			}
		}
	}
	if (nfiles == 0) {
		fputs("usage: nlcheck [-L DIR] [--format table|d2l] "
		      "[--params] [--source] [--chunks] FILE...\n", stderr);
		rc = 2;
		goto out;
	}
	if (source) {
		nl_write_source(cx, stdout);
		goto out;
	}
	nl_graph *g = nl_build(cx);
	if (!g) {
		rc = 1;
		goto out;
	}
	if (params_only)
		printf("%lld\n", (long long)g->params);
	else if (graph)
		print_graph(g);
	else
		nl_print_graph(stdout, g, fmt);
	nl_graph_free(g);
out:
	nl_ctx_free(cx);
	return rc;
}
