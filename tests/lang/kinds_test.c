/* kinds_test.c - the table of kinds: every keyword finds its row, and every
 * layer a program can write is written back (nl_node_text) as text that
 * builds the same node, so the listings show what the user can type. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/lang.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* One layer of every kind that has a statement of its own, with strides,
 * paddings and sizes that differ from the defaults somewhere. */
static const char program[] =
	"input 3x32x32\n"
	"conv 3x3/2 -> 8 pad 1\n"
	"relu\n"
	"maxpool 3x3/2 pad 1\n"
	"avgpool 2x2/1\n"
	"sigmoid\n"
	"tanh\n"
	"batchnorm\n"
	"conv 1x3/1x2 -> 4 pad 0x1\n"
	"maxpool 2x2\n"
	"avgpool global\n"
	"flatten\n"
	"dropout 0.25\n"
	"linear 12\n"
	"batchnorm\n"
	"fc 10\n"
	"gelu\n"
	"softmax\n";

static nl_graph *build(const char *text)
{
	nl_ctx *cx = nl_ctx_new();
	nl_graph *g = NULL;
	if (cx && nl_load_string(cx, "<test>", 1, text, strlen(text)) == NL_OK)
		g = nl_build(cx);
	nl_ctx_free(cx);
	return g;
}

static int same_node(const nl_node *a, const nl_node *b)
{
	return a->kind == b->kind && a->kh == b->kh && a->kw == b->kw && a->sh == b->sh &&
	       a->sw == b->sw && a->ph == b->ph && a->pw == b->pw && a->out == b->out &&
	       a->p == b->p && a->shape.c == b->shape.c && a->shape.h == b->shape.h &&
	       a->shape.w == b->shape.w && a->shape.rank == b->shape.rank &&
	       a->params == b->params && a->flops == b->flops;
}

int main(void)
{
	/* Look-up: each row's word, the aliases, and near misses. */
	for (int k = 0; k < NL_NKINDS; k++) {
		const nl_kind_info *ki = nl_kind_info_of((nl_kind)k);
		if (ki->syntax == NL_SYN_NONE || ki->syntax == NL_SYN_GLOBAL)
			continue;
		const char *sp = NULL;
		CHECK(nl_kind_lookup(ki->word, strlen(ki->word), &sp) == k);
		CHECK(sp && strcmp(sp, ki->word) == 0);
		CHECK(nl_kind_lookup(ki->word, strlen(ki->word) - 1, NULL) != k);
	}
	const char *sp = NULL;
	CHECK(nl_kind_lookup("linear", 6, &sp) == NL_FC && sp && strcmp(sp, "linear") == 0);
	CHECK(nl_kind_lookup("relux", 5, NULL) < 0);
	CHECK(nl_kind_lookup("input", 5, NULL) < 0);   /* the language's own word */
	CHECK(nl_kind_global_of(NL_AVGPOOL) == NL_GAVGPOOL);
	CHECK(nl_kind_global_of(NL_MAXPOOL) < 0);
	CHECK(strcmp(nl_kind_name(NL_GAVGPOOL), "avgpool global") == 0);

	/* Completion words: each keyword once. */
	int nwords = 0;
	for (const char *w; (w = nl_kind_keyword(nwords)); nwords++) {
		CHECK(nl_kind_lookup(w, strlen(w), NULL) >= 0);
		for (int j = 0; j < nwords; j++)
			CHECK(strcmp(nl_kind_keyword(j), w) != 0);
	}
	CHECK(nwords >= 12);

	/* Every written kind is in the program (a new kind must join it). */
	nl_graph *g = build(program);
	CHECK(g != NULL);
	if (!g)
		return 1;
	for (int k = 0; k < NL_NKINDS; k++) {
		nl_syntax syn = nl_kind_info_of((nl_kind)k)->syntax;
		if (syn == NL_SYN_NONE)
			continue;
		int seen = 0;
		for (int i = 0; i < g->nnodes; i++)
			seen |= g->nodes[i].kind == (nl_kind)k;
		if (!seen)
			fprintf(stderr, "kinds_test: no '%s' layer in the test program\n",
			        nl_kind_name((nl_kind)k));
		CHECK(seen);
	}

	/* Written back and read again, every node is the same node. */
	char text[4096], line[128];
	size_t len = 0;
	for (int i = 0; i < g->nnodes; i++) {
		nl_node_text(&g->nodes[i], line, sizeof line);
		len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", line);
	}
	nl_graph *h = build(text);
	CHECK(h != NULL);
	if (h) {
		CHECK(h->nnodes == g->nnodes);
		for (int i = 0; i < g->nnodes && i < h->nnodes; i++) {
			if (!same_node(&g->nodes[i], &h->nodes[i]))
				fprintf(stderr, "kinds_test: node %d '%s' reads back differently\n",
				        i, nl_node_text(&g->nodes[i], line, sizeof line));
			CHECK(same_node(&g->nodes[i], &h->nodes[i]));
		}
		nl_graph_free(h);
	}

	/* The few texts and class names a reader sees. */
	CHECK(strcmp(nl_node_text(&g->nodes[1], line, sizeof line), "conv 3x3/2 -> 8 pad 1") == 0);
	CHECK(strcmp(nl_node_text(&g->nodes[4], line, sizeof line), "avgpool 2x2/1") == 0);
	CHECK(strcmp(nl_node_text(&g->nodes[9], line, sizeof line), "maxpool 2x2") == 0);
	CHECK(strcmp(nl_node_torch_name(&g->nodes[7]), "BatchNorm2d") == 0);
	CHECK(strcmp(nl_node_torch_name(&g->nodes[14]), "BatchNorm1d") == 0);
	nl_graph_free(g);

	/* A stride that was written shows, even where it is the default. */
	g = build("input 1x8x8\navgpool 2x2/2\nconv 3x3/1 -> 2\n");
	CHECK(g != NULL);
	if (g) {
		CHECK(strcmp(nl_node_text(&g->nodes[1], line, sizeof line), "avgpool 2x2/2") == 0);
		CHECK(strcmp(nl_node_text(&g->nodes[2], line, sizeof line), "conv 3x3/1 -> 2") == 0);
		nl_graph_free(g);
	}

	if (failures)
		fprintf(stderr, "kinds_test: %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
