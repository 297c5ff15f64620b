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

typedef enum nl_kind {
	NL_INPUT,     /* the image batch                                       */
	NL_CONV,      /* 2-D convolution with bias                             */
	NL_MAXPOOL,   /* max pooling (padding never wins: pads are -inf)       */
	NL_AVGPOOL,   /* average pooling; padded cells count (PyTorch default) */
	NL_GAVGPOOL,  /* global average pooling: CxHxW -> Cx1x1               */
	NL_FC,        /* fully connected with bias, on a flat (rank 2) input   */
	NL_RELU,
	NL_SIGMOID,
	NL_TANH,
	NL_SOFTMAX,   /* along features; fused into the loss when last         */
	NL_DROPOUT,   /* inverted dropout with probability p                   */
	NL_FLATTEN,   /* NxCxHxW -> Nx(C*H*W), rank 2                          */
	NL_BATCHNORM, /* per channel (rank 4) or per feature (rank 2)          */
	NL_CONCAT,    /* concatenation of >= 2 inputs along channels           */
	NL_ADD,       /* element-wise sum of >= 2 inputs of one shape          */
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

/* The train { } section.  A field never set is 0 (or NULL); the runtime
 * applies its own defaults and the command line overrides both. */
typedef struct nl_train_spec {
	const char *data;   /* "fashion-mnist", "mnist", "cifar10", "folder:DIR", a directory */
	int resize;         /* target side for bilinear resize, 0 = none */
	int batch;
	double lr;
	int epochs;
	int has_seed;
	uint64_t seed;
	double momentum;
	double weight_decay;
	double split;       /* held-out fraction of a folder of images, 0 = unset */
	int normalize;      /* 0 none, 1 the numbers in norm, 2 auto */
	int nnorm;          /* 2: one mean and deviation; 2C: C means, C deviations */
	double norm[6];
} nl_train_spec;

typedef struct nl_graph {
	int nnodes;
	nl_node *nodes;     /* topological order; nodes[0] is the input */
	int norigins;
	nl_origin *origins;
	nl_train_spec train;
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
