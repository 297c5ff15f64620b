/* params.h - where each parameter tensor of a graph lives.
 *
 * All trainable parameters of a network sit in one contiguous float buffer
 * (so SGD is one call over everything and a weights file is one array), node
 * by node in graph order: for each node, its weight then its bias
 *   conv       weight [out][in_c][kh][kw], bias [out]
 *   fc         weight [out][in],           bias [out]
 *   batchnorm  gamma [c],                  beta [c]
 * Non-trainable state (batchnorm running mean, then running variance, per
 * batchnorm node in graph order) sits in a second buffer.
 */
#ifndef NL_PARAMS_H
#define NL_PARAMS_H

#include <stddef.h>
#include "lang/graph.h"

typedef struct nl_param {
	int node;           /* graph node index */
	const char *role;   /* "weight", "bias", "running_mean", "running_var" */
	int state;          /* 1: in the state buffer, 0: trainable */
	int ndims;
	int dims[4];
	size_t offset;      /* in floats, into the params or the state buffer */
	size_t count;
} nl_param;

typedef struct nl_param_layout {
	int n;
	nl_param *p;
	size_t nparams;     /* floats in the trainable buffer */
	size_t nstate;      /* floats in the state buffer */
} nl_param_layout;

/* Returns 0, or -1 on out-of-memory. */
int nl_param_layout_make(const nl_graph *g, nl_param_layout *out);
void nl_param_layout_free(nl_param_layout *l);

/* Index of the first entry for node i, or -1 when it has no parameters. */
int nl_param_find(const nl_param_layout *l, int node, int state);

#endif
