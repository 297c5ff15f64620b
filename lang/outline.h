/* outline.h - what listings and pictures derive from a checked graph
 * beyond each layer's own shape: the rows a graph shows at a depth of
 * block calls, what each row reads from, receptive fields, and the counts
 * the totals need (mult-adds, state that is not trained).
 *
 * The table (print.c), the drawing and the explanation (runtime/report/)
 * read the graph through these, so that a collapsed block, a branch or a
 * receptive field is the same thing in all three.
 */
#ifndef NL_OUTLINE_H
#define NL_OUTLINE_H

#include <stdint.h>

#include "lang/graph.h"

/* ---- rows at a depth ---- */

/* A row is one layer, or a block call collapsed to one line: the nodes
 * first..last (a call's nodes are consecutive).  A top-level concat or add
 * counts as a call, as it does in D2L's listing. */
typedef struct nl_row {
	int first, last;
	int call;           /* the origin shown collapsed, or -1 for a layer */
} nl_row;

/* How many block calls enclose node i (0 at top level). */
int nl_node_level(const nl_graph *g, int i);

/* The rows of g when calls nested deeper than depth show as one row each:
 * depth 1 shows every top-level call as one row (as --format d2l does),
 * depth 0 every layer.  *rows (malloc'ed, caller frees) gets them in
 * order; row_of (when not NULL, g->nnodes entries) gets each node's row.
 * Returns the number of rows, or -1 when memory ran out. */
int nl_outline_rows(const nl_graph *g, int depth, nl_row **rows, int *row_of);

/* The rows row r reads from (inputs of its nodes from outside it), each
 * once, in the order met, into from[0..max); returns how many there are
 * (possibly more than max). */
int nl_row_inputs(const nl_graph *g, const nl_row *rows, const int *row_of, int r,
                  int *from, int max);

/* ---- receptive fields ---- */

/* The input pixels one output value depends on: a window of h x w pixels
 * whose neighbouring outputs are jh, jw pixels apart; or, after a layer
 * that mixes every position (fc, global pooling), the whole input. */
typedef struct nl_rfield {
	int64_t h, w, jh, jw;
	int all;
} nl_rfield;

/* Node i's receptive field from those of its inputs (rf[j] for every
 * input j < i): the one-layer rule, for a node whose shape failed too. */
nl_rfield nl_rfield_of(const nl_graph *g, int i, const nl_rfield *rf);

/* Every node's, into rf[0..g->nnodes). */
void nl_rfields(const nl_graph *g, nl_rfield *rf);

/* "11x11" (height x width, both always written), or "all" for the
 * whole input.  Returns buf. */
const char *nl_rfield_str(const nl_rfield *r, char *buf, size_t n);

/* ---- counts ---- */

/* Multiply-adds of one forward for a batch of one, each counted once
 * (torchinfo's convention): a conv's or fc's weights times the output
 * positions they are applied at; 0 for other layers. */
int64_t nl_node_multadds(const nl_node *nd);

/* Values a node keeps that training does not change: a batchnorm's
 * running mean and variance. */
int64_t nl_node_state(const nl_node *nd);

/* Mult-adds in the unit torchinfo prints them in: "0.42 M", "1.43 G".
 * Returns buf. */
const char *nl_mega_giga(int64_t v, char *buf, size_t n);

/* 46764746 -> "46,764,746".  Returns buf. */
const char *nl_thousands(int64_t v, char *buf, size_t n);

/* 46764746 -> "46.8 M", 852370 -> "852.4 K", 1432000000 -> "1.43 G": three
 * significant digits and SI units (K, M, G, T).  Returns buf. */
const char *nl_human(int64_t v, char *buf, size_t n);

#endif
