/* graph.h - the typed layer graph: what the front end hands to the runtime.
 *
 * The front end (lexer, parser, expansion, shape checker) turns a .net program
 * into an nl_graph: a DAG of nodes in topological order (every input of node i
 * has an index < i).  Node 0 is always the NL_INPUT node.  The last node is the
 * network's output.  Shapes are for a batch of one (n == 1); the runtime
 * rescales n to its batch size.
 *
 * Nothing in here does arithmetic on tensors: this header is shared by lang/,
 * runtime/ and gpu/ and must stay free of numeric code.
 */
#ifndef NL_GRAPH_H
#define NL_GRAPH_H

#include <stdint.h>

#include "lang/settings.h"

/* Layer kinds: one row each in kinds.def, which says what each one is
 * (syntax, shape rule, parameters...); kinds.h reads the rows. */
typedef enum nl_kind {
#define NL_KIND(ID, ...) NL_##ID,
#include "lang/kinds.def"
#undef NL_KIND
	NL_NKINDS
} nl_kind;

/* A tensor shape.  rank 4 is NxCxHxW; rank 2 is NxC with h == w == 1. */
typedef struct nl_shape {
	int rank;
	int n, c, h, w;
} nl_shape;

/* A place in a source file.  file points into storage owned by the graph. */
typedef struct nl_loc {
	const char *file;
	int line, col;
} nl_loc;

/* A block call that produced nodes.  Calls nest: parent is the index of the
 * enclosing call, -1 at top level.  The d2l listing prints one
 * "Sequential output shape" line per top-level call. */
typedef struct nl_origin {
	const char *name;   /* block name, e.g. "vgg_block" */
	const char *call;   /* the call with its arguments' values,
	                       "vgg_block(2, 256)"; a top-level join's is
	                       its name */
	nl_loc loc;         /* where the call is written */
	int parent;         /* enclosing call or -1 */
	int last_node;      /* index of the last node the call produced */
} nl_origin;

typedef struct nl_node {
	nl_kind kind;
	int ninputs;        /* 0 for NL_INPUT, >= 2 for CONCAT/ADD, else 1 */
	int *inputs;        /* node indices, all < this node's index */

	/* Attributes.  Unused ones are zero. */
	int kh, kw;         /* conv / pool kernel */
	int sh, sw;         /* conv / pool stride */
	int ph, pw;         /* conv / pool zero padding, each side */
	int stride_written; /* the stride was written (a pool's defaults to
	                       its kernel): listings show it as written */
	int out;            /* conv output channels, fc output features */
	float p;            /* dropout probability */
	float eps;          /* batchnorm epsilon (1e-5) */
	float momentum;     /* batchnorm running-stat momentum (0.1, PyTorch's) */

	nl_shape shape;     /* output shape, n == 1 */
	int64_t params;     /* trainable parameters */
	int64_t flops;      /* forward FLOPs for n == 1 (multiply-add = 2) */

	nl_loc loc;         /* the statement that made this node */
	int origin;         /* innermost block call that made it, or -1 */
} nl_node;

typedef struct nl_graph {
	int nnodes;
	nl_node *nodes;     /* topological order; nodes[0] is the input */
	int norigins;
	nl_origin *origins;
	nl_options train;   /* the train { } sections' settings (settings.h) */
	int64_t params;     /* totals */
	int64_t flops;
	void *owner_;       /* private: storage for strings and edges */
} nl_graph;

void nl_graph_free(nl_graph *g);

/* Class names as PyTorch prints them ("Conv2d", "ReLU", "MaxPool2d", ...). */
const char *nl_kind_torch_name(nl_kind k);
/* netlang's own spelling ("conv", "relu", ...). */
const char *nl_kind_name(nl_kind k);

#endif
