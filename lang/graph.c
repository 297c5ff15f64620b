/* graph.c - freeing a graph. */
#include <config.h>

#include <stdlib.h>

#include "lang/graph.h"
#include "lang/graph_store.h"

void nl_graph_free(nl_graph *g)
{
	if (!g)
		return;
	nl_graph_store *st = g->owner_;
	int borrowed = st && st->borrowed;
	if (st) {
		if (!borrowed) {
			free(st->edges);
			free(st->strings);
		}
		free(st);
	}
	if (!borrowed) {
		free(g->nodes);
		free(g->origins);
	}
	free(g);
}
