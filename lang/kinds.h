/* kinds.h - what each layer kind is, read from the rows of kinds.def.
 *
 * Everything that differs between kinds and is not arithmetic lives in the
 * table: the lexer finds keywords in it, the parser picks a statement's
 * form by its syntax class, the shape checker its rule, the plan its
 * parameters and whether it may run in place, weights files its code, and
 * listings its names.  Code that switches on a kind is a backend's kernel
 * or a shape rule, nothing else.
 */
#ifndef NL_KINDS_H
#define NL_KINDS_H

#include <stddef.h>
#include "lang/graph.h"

/* How a statement of the kind is written. */
typedef enum nl_syntax {
	NL_SYN_NONE,      /* not a layer statement: input, concat, add */
	NL_SYN_WORD,      /* the keyword alone: relu */
	NL_SYN_CONV,      /* conv KxK[/S] -> C [pad P] */
	NL_SYN_POOL,      /* maxpool KxK[/S] [pad P] */
	NL_SYN_GLOBAL,    /* avgpool global: a pool keyword, then `global` */
	NL_SYN_FEATURES,  /* fc N */
	NL_SYN_PROB,      /* dropout P */
} nl_syntax;

/* How the output shape follows from the input's. */
typedef enum nl_shape_rule {
	NL_SHP_INPUT,     /* the input statement's size */
	NL_SHP_SAME,      /* element-wise: the input's shape */
	NL_SHP_WINDOW,    /* a kernel slid with a stride over padded H and W */
	NL_SHP_GLOBAL,    /* CxHxW -> Cx1x1 */
	NL_SHP_DENSE,     /* a flat input to N features */
	NL_SHP_FLAT,      /* CxHxW -> C*H*W features */
	NL_SHP_JOIN,      /* several inputs into one */
} nl_shape_rule;

/* The tensors a kind owns. */
typedef enum nl_param_class {
	NL_PAR_NONE,
	NL_PAR_WEIGHTS,   /* weight and bias (conv: [out][in][kh][kw], fc: [out][in]) */
	NL_PAR_NORM,      /* scale and shift per channel, and running mean and
	                     variance kept as state, not trained */
} nl_param_class;

enum {
	/* May overwrite its (first) input with its output (its backward
	 * needs only its output, its own saved state, or nothing). */
	NL_KF_IN_PLACE = 1,
	/* Its backward never reads its own output, so an in-place step after
	 * it may overwrite that output. */
	NL_KF_HOST = 2,
	/* Its output is its input's storage, seen with another shape. */
	NL_KF_VIEW = 4,
	/* Only as the last layer (the loss applies it). */
	NL_KF_LAST = 8,
	/* Draws random numbers in a training forward: the plan gives it a
	 * fresh key each time (backend.h, rng_key). */
	NL_KF_RANDOM = 16,
};

typedef struct nl_kind_info {
	const char *word;
	nl_syntax syntax;
	nl_shape_rule shape;
	const char *torch, *torch_flat;
	nl_param_class params;
	unsigned flags;
	unsigned wcode;
	int cost;
} nl_kind_info;

/* The row of kind k (a row of "?" for a value outside the enum). */
const nl_kind_info *nl_kind_info_of(nl_kind k);

/* The kind the keyword word[0..len) starts, or -1; *spelling (when not
 * NULL) gets the keyword as a static string.  Spellings that are not a
 * row's own word ("linear" for fc) are in the alias list in kinds.c. */
int nl_kind_lookup(const char *word, size_t len, const char **spelling);

/* The kind written `<pool word> global` for a pool kind, or -1. */
int nl_kind_global_of(nl_kind pool);

/* The i-th keyword that starts a layer statement (row words and aliases),
 * NULL past the last: for completion and "did you mean". */
const char *nl_kind_keyword(int i);

static inline int nl_kind_has(nl_kind k, unsigned flag)
{
	return (nl_kind_info_of(k)->flags & flag) != 0;
}

/* A node as the user writes it: "conv 11x11/4 -> 96 pad 2", "maxpool 3x3/2"
 * (a stride is shown where it was written or differs from the default),
 * "fc 4096", "dropout 0.5", "concat (4 branches)".  Returns buf. */
char *nl_node_text(const nl_node *nd, char *buf, size_t len);

/* How a statement of kind k is written, with an example: "conv KxK[/S] ->
 * C [pad P], e.g. conv 3x3 -> 64 pad 1".  Returns buf. */
char *nl_kind_usage(nl_kind k, char *buf, size_t len);

/* PyTorch's class name for the node: "BatchNorm1d" on a flat input. */
const char *nl_node_torch_name(const nl_node *nd);

#endif
