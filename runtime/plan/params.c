/* params.c - lay out a graph's parameters in one buffer (see params.h). */
#include <config.h>

#include <stdlib.h>
#include "lang/kinds.h"
#include "runtime/plan/params.h"

static int push(nl_param_layout *l, int *cap, nl_param p)
{
	if (l->n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		nl_param *np = realloc(l->p, (size_t)ncap * sizeof *np);
		if (!np)
			return -1;
		l->p = np;
		*cap = ncap;
	}
	size_t count = 1;
	for (int i = 0; i < p.ndims; i++)
		count *= (size_t)p.dims[i];
	p.count = count;
	if (p.state) {
		p.offset = l->nstate;
		l->nstate += count;
	} else {
		p.offset = l->nparams;
		l->nparams += count;
	}
	l->p[l->n++] = p;
	return 0;
}

int nl_param_layout_make(const nl_graph *g, nl_param_layout *out)
{
	nl_param_layout l = {0};
	int cap = 0;
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		const nl_shape *in = nd->ninputs ? &g->nodes[nd->inputs[0]].shape : NULL;
		int rc = 0;
		const nl_kind_info *ki = nl_kind_info_of(nd->kind);
		if (ki->params == NL_PAR_WEIGHTS && ki->shape == NL_SHP_WINDOW) {
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "weight", .ndims = 4,
			        .dims = { nd->out, in->c, nd->kh, nd->kw } });
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "bias", .ndims = 1,
			        .dims = { nd->out } });
		} else if (ki->params == NL_PAR_WEIGHTS) {
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "weight", .ndims = 2,
			        .dims = { nd->out, in->c * in->h * in->w } });
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "bias", .ndims = 1,
			        .dims = { nd->out } });
		} else if (ki->params == NL_PAR_NORM) {
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "weight", .ndims = 1,
			        .dims = { in->c } });
			rc |= push(&l, &cap, (nl_param){ .node = i, .role = "bias", .ndims = 1,
			        .dims = { in->c } });
		}
		if (rc) {
			nl_param_layout_free(&l);
			return -1;
		}
	}
	/* State after all trainable tensors, so the trainable buffer stays one
	 * contiguous run in graph order. */
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		if (nl_kind_info_of(nd->kind)->params != NL_PAR_NORM)
			continue;
		int c = g->nodes[nd->inputs[0]].shape.c;
		if (push(&l, &cap, (nl_param){ .node = i, .role = "running_mean", .state = 1,
		        .ndims = 1, .dims = { c } }) ||
		    push(&l, &cap, (nl_param){ .node = i, .role = "running_var", .state = 1,
		        .ndims = 1, .dims = { c } })) {
			nl_param_layout_free(&l);
			return -1;
		}
	}
	*out = l;
	return 0;
}

void nl_param_layout_free(nl_param_layout *l)
{
	free(l->p);
	l->p = NULL;
	l->n = 0;
	l->nparams = l->nstate = 0;
}

int nl_param_find(const nl_param_layout *l, int node, int state)
{
	for (int i = 0; i < l->n; i++)
		if (l->p[i].node == node && l->p[i].state == state)
			return i;
	return -1;
}
