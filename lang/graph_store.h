/* graph_store.h - what a graph's owner_ pointer holds (private to lang/). */
#ifndef NL_GRAPH_STORE_H
#define NL_GRAPH_STORE_H

/* Node input lists live in one array, and every string a graph points at
 * (file names, block names, the data set) in one block: a graph of a million
 * nodes is a handful of allocations. */
typedef struct nl_graph_store {
	int *edges;
	char *strings;
	/* A session's graph borrows the context's build (nl_set_incremental):
	 * freeing it frees only the header. */
	int borrowed;
} nl_graph_store;

#endif
