/* plan.c - lower a checked graph onto a backend (see plan.h).
 *
 * Memory is the point of this file.  Activations are all kept for the
 * backward pass, except that `flatten` is a view of its input and ReLU and
 * dropout run in place when nothing else reads their input.  Gradients of
 * activations live only between the backward step of their last consumer
 * and their own backward step, so they share an arena, first-fit by offset,
 * among gradients whose lifetimes do not overlap: a chain needs about two
 * of the largest, not one per layer.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "runtime/plan.h"
#include "runtime/rng.h"

#define ALIGN 256

static size_t align_up(size_t n)
{
	return (n + ALIGN - 1) / ALIGN * ALIGN;
}

static size_t count_of(nl_shape s)
{
	return (size_t)s.n * (size_t)s.c * (size_t)s.h * (size_t)s.w;
}

static int has_params(nl_kind k)
{
	return nl_kind_info_of(k)->params != NL_PAR_NONE;
}

/* May `kind` run in place over the output of `producer`?  Only when the
 * producer's own backward step never reads its output (kinds.def's
 * NL_KF_HOST): cuDNN's pooling backward does, so pools are out. */
static int in_place_ok(nl_kind kind, nl_kind producer)
{
	return nl_kind_has(kind, NL_KF_IN_PLACE) && nl_kind_has(producer, NL_KF_HOST);
}

/* A gradient storage class: the nodes that share one gradient buffer, and
 * the span of backward steps during which it is live. */
typedef struct gclass {
	size_t bytes;
	int lo, hi;        /* live from backward step hi down to lo */
	size_t offset;
	int placed;
} gclass;

/* Largest first: an insertion sort, since the class count is small. */
static void sort_by_size(int *idx, int n, const gclass *cls)
{
	for (int i = 1; i < n; i++) {
		int v = idx[i], j = i;
		while (j > 0 && cls[idx[j - 1]].bytes < cls[v].bytes) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

/* First fit: the lowest offset at which class k overlaps, in memory, no
 * placed class it overlaps in time.  Returns the arena size needed. */
static size_t place_classes(gclass *cls, int ncls)
{
	int *order = malloc((size_t)(ncls ? ncls : 1) * sizeof *order);
	size_t top = 0;
	if (!order)
		return (size_t)-1;
	for (int i = 0; i < ncls; i++)
		order[i] = i;
	sort_by_size(order, ncls, cls);
	for (int oi = 0; oi < ncls; oi++) {
		gclass *k = &cls[order[oi]];
		size_t off = 0;
		for (int moved = 1; moved;) {
			moved = 0;
			for (int pj = 0; pj < oi; pj++) {
				gclass *o = &cls[order[pj]];
				if (o->hi < k->lo || k->hi < o->lo)
					continue;       /* never live together */
				if (off < o->offset + o->bytes && o->offset < off + k->bytes) {
					off = o->offset + o->bytes;
					moved = 1;
				}
			}
		}
		k->offset = off;
		k->placed = 1;
		if (off + k->bytes > top)
			top = off + k->bytes;
	}
	free(order);
	return top;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		fprintf(stderr, "netlang: out of memory planning the network\n");
	return p;
}

nl_plan *nl_plan_new(nl_backend *be, const nl_graph *g, int batch, int flags)
{
	int n = g->nnodes;
	int training = (flags & NL_PLAN_TRAIN) != 0;
	int in_place = !(flags & NL_PLAN_NO_IN_PLACE);
	nl_plan *p = xcalloc(1, sizeof *p);
	int *ncons = xcalloc((size_t)n, sizeof *ncons);
	int *maxcons = xcalloc((size_t)n, sizeof *maxcons);
	int *act_root = xcalloc((size_t)n, sizeof *act_root);
	int *grad_root = xcalloc((size_t)n, sizeof *grad_root);
	size_t *act_off = xcalloc((size_t)n, sizeof *act_off);
	gclass *cls = xcalloc((size_t)n, sizeof *cls);
	size_t *aux_need = xcalloc((size_t)n, sizeof *aux_need);
	if (!p || !ncons || !maxcons || !act_root || !grad_root ||
	    !act_off || !cls || !aux_need)
		goto fail;
	p->be = be;
	p->g = g;
	p->batch = batch;
	p->training = training;
	p->nsteps = n;
	p->steps = xcalloc((size_t)n, sizeof *p->steps);
	p->wants_grad = xcalloc((size_t)n, sizeof *p->wants_grad);
	if (!p->steps || !p->wants_grad)
		goto fail;

	p->logits = n - 1;
	if (nl_kind_has(g->nodes[n - 1].kind, NL_KF_LAST))
		p->logits = g->nodes[n - 1].inputs[0];
	{
		nl_shape ls = g->nodes[p->logits].shape;
		if (ls.rank != 2 || p->logits == 0) {
			fprintf(stderr, "netlang: the network must end in a flat layer of class "
			        "scores (fc N), not a %dx%dx%d tensor\n", ls.c, ls.h, ls.w);
			goto fail;
		}
		p->classes = ls.c;
	}

	for (int i = 0; i < n; i++) {
		const nl_node *nd = &g->nodes[i];
		maxcons[i] = -1;
		for (int k = 0; k < nd->ninputs; k++) {
			ncons[nd->inputs[k]]++;
			if (i > maxcons[nd->inputs[k]])
				maxcons[nd->inputs[k]] = i;
		}
		if (nd->ninputs > NL_MAX_INPUTS) {
			fprintf(stderr, "netlang: %s joins %d branches; at most %d are supported\n",
			        nl_kind_name(nd->kind), nd->ninputs, NL_MAX_INPUTS);
			goto fail;
		}
	}

	/* Which steps have backward work: those with parameters, and those
	 * between a parameter and the loss. */
	if (training)
		for (int i = 1; i <= p->logits; i++) {
			const nl_node *nd = &g->nodes[i];
			int w = has_params(nd->kind);
			for (int k = 0; k < nd->ninputs; k++)
				w |= p->wants_grad[nd->inputs[k]];
			p->wants_grad[i] = w;
		}

	/* Activation storage: views and in-place steps share their input's. */
	size_t act_top = 0;
	for (int i = 0; i < n; i++) {
		const nl_node *nd = &g->nodes[i];
		act_root[i] = i;
		if (i > 0) {
			int j = nd->inputs[0];
			if (nl_kind_has(nd->kind, NL_KF_VIEW) ||
			    (in_place && ncons[j] == 1 && j != 0 && in_place_ok(nd->kind, g->nodes[j].kind)))
				act_root[i] = act_root[j];
		}
		if (act_root[i] == i) {
			act_off[i] = act_top;
			act_top += align_up(count_of(nd->shape) * (size_t)batch * sizeof(float));
		}
	}

	/* Gradient classes.  A view's or an in-place step's gradient is its
	 * input's when the input has no other consumer. */
	int ncls = 0;
	if (training) {
		for (int i = 1; i <= p->logits; i++) {
			const nl_node *nd = &g->nodes[i];
			grad_root[i] = -1;
			if (!p->wants_grad[i])
				continue;
			int j = nd->inputs[0];
			if (act_root[i] != i && ncons[j] == 1 && p->wants_grad[j]) {
				grad_root[i] = grad_root[j];
			} else {
				grad_root[i] = ncls;
				cls[ncls].bytes = align_up(count_of(nd->shape) * (size_t)batch * sizeof(float));
				cls[ncls].lo = i;
				cls[ncls].hi = i;
				ncls++;
			}
			gclass *c = &cls[grad_root[i]];
			int last = (i == p->logits) ? n : maxcons[i];
			if (last > c->hi)
				c->hi = last;
			if (i < c->lo)
				c->lo = i;
		}
	}
	size_t grad_top = place_classes(cls, ncls);
	if (grad_top == (size_t)-1)
		goto fail;

	/* Parameters. */
	if (nl_param_layout_make(g, &p->layout)) {
		fprintf(stderr, "netlang: out of memory planning the network\n");
		goto fail;
	}
	p->param_bytes = (p->layout.nparams * (training ? 2 : 1) + p->layout.nstate) * sizeof(float);
	if (p->layout.nparams) {
		p->params = be->alloc(be, p->layout.nparams * sizeof(float));
		if (!p->params)
			goto fail;
		if (training) {
			p->grads = be->alloc(be, p->layout.nparams * sizeof(float));
			if (!p->grads)
				goto fail;
		}
	}
	if (p->layout.nstate) {
		p->state = be->alloc(be, p->layout.nstate * sizeof(float));
		if (!p->state)
			goto fail;
	}

	p->act_bytes = act_top;
	p->grad_bytes = grad_top;
	p->act_arena = be->alloc(be, act_top ? act_top : ALIGN);
	if (!p->act_arena)
		goto fail;
	if (grad_top) {
		p->grad_arena = be->alloc(be, grad_top);
		if (!p->grad_arena)
			goto fail;
	}
	p->labels = be->alloc(be, (size_t)batch * sizeof(int32_t));
	p->acc = be->alloc(be, 2 * sizeof(float));
	if (!p->labels || !p->acc)
		goto fail;

	/* Fill in the steps. */
	char *act = p->act_arena, *grad = p->grad_arena;
	for (int i = 0; i < n; i++) {
		const nl_node *nd = &g->nodes[i];
		nl_step *s = &p->steps[i];
		s->node = nd;
		s->ninputs = nd->ninputs;
		s->ys = nd->shape;
		s->ys.n = batch;
		s->y = (float *)(act + act_off[act_root[i]]);
		if (training && i <= p->logits && p->wants_grad[i])
			s->dy = (float *)(grad + cls[grad_root[i]].offset);
		for (int k = 0; k < nd->ninputs; k++) {
			int j = nd->inputs[k];
			s->xs[k] = g->nodes[j].shape;
			s->xs[k].n = batch;
			s->x[k] = p->steps[j].y;
			if (training && p->wants_grad[j])
				s->dx[k] = (float *)(grad + cls[grad_root[j]].offset);
		}
		int pi = nl_param_find(&p->layout, i, 0);
		if (pi >= 0) {
			const nl_param *w = &p->layout.p[pi], *b = &p->layout.p[pi + 1];
			s->w = p->params + w->offset;
			s->b = p->params + b->offset;
			s->nw = w->count;
			s->nb = b->count;
			if (training) {
				s->dw = p->grads + w->offset;
				s->db = p->grads + b->offset;
			}
		}
		int si = nl_param_find(&p->layout, i, 1);
		if (si >= 0) {
			s->running_mean = p->state + p->layout.p[si].offset;
			s->running_var = p->state + p->layout.p[si + 1].offset;
		}
	}
	p->input = p->steps[0].y;

	/* Accumulation flags: backward runs from the last node down, so a
	 * tensor's highest-numbered consumer writes its gradient first. */
	if (training) {
		char *written = xcalloc((size_t)n, 1);
		if (!written)
			goto fail;
		for (int i = p->logits; i >= 1; i--) {
			nl_step *s = &p->steps[i];
			if (!p->wants_grad[i])
				continue;
			for (int k = 0; k < s->ninputs; k++) {
				int j = s->node->inputs[k];
				if (!s->dx[k])
					continue;
				s->dx_accumulate[k] = written[j];
				written[j] = 1;
			}
		}
		free(written);
	}

	/* Let the backend prepare each step, then give it aux memory and one
	 * workspace as large as the largest request. */
	size_t aux_top = 0, ws = 0;
	for (int i = 1; i <= p->logits; i++) {
		size_t a = 0, w = 0;
		if (be->prepare(be, &p->steps[i], &a, &w))
			goto fail;
		aux_need[i] = a;
		p->steps[i].aux_bytes = a;
		aux_top += align_up(a);
		if (w > ws)
			ws = w;
	}
	p->aux_bytes = aux_top;
	if (aux_top) {
		p->aux_arena = be->alloc(be, aux_top);
		if (!p->aux_arena)
			goto fail;
		char *aux = p->aux_arena;
		for (int i = 1; i <= p->logits; i++)
			if (aux_need[i]) {
				p->steps[i].aux = aux;
				aux += align_up(aux_need[i]);
			}
	}
	if (ws > be->workspace_bytes) {
		if (be->workspace)
			be->release(be, be->workspace);
		be->workspace = be->alloc(be, ws);
		be->workspace_bytes = be->workspace ? ws : 0;
		if (!be->workspace)
			goto fail;
	}
	p->rng_base = 0x6e65746c616e67ull;   /* "netlang" */

	free(ncons); free(maxcons); free(act_root); free(grad_root);
	free(act_off); free(cls); free(aux_need);
	return p;
fail:
	free(ncons); free(maxcons); free(act_root); free(grad_root);
	free(act_off); free(cls); free(aux_need);
	nl_plan_free(p);
	return NULL;
}

void nl_plan_free(nl_plan *p)
{
	if (!p)
		return;
	nl_backend *be = p->be;
	if (p->steps && be && be->unprepare)
		for (int i = 1; i < p->nsteps; i++)
			if (p->steps[i].node)
				be->unprepare(be, &p->steps[i]);
	void *bufs[] = { p->params, p->grads, p->velocity, p->state, p->act_arena,
	                 p->grad_arena, p->aux_arena, p->labels, p->acc };
	for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
		if (bufs[i])
			be->release(be, bufs[i]);
	nl_param_layout_free(&p->layout);
	free(p->steps);
	free(p->wants_grad);
	free(p);
}

int nl_plan_init_params(nl_plan *p, uint64_t seed)
{
	const nl_param_layout *l = &p->layout;
	float *host = xcalloc(l->nparams + l->nstate, sizeof *host);
	if (!host)
		return -1;
	float *hstate = host + l->nparams;
	nl_rng r = { seed };
	for (int i = 0; i < l->n; i++) {
		const nl_param *t = &l->p[i];
		const nl_node *nd = &p->g->nodes[t->node];
		float *dst = (t->state ? hstate : host) + t->offset;
		if (t->state) {
			float v = strcmp(t->role, "running_var") == 0 ? 1.0f : 0.0f;
			for (size_t k = 0; k < t->count; k++)
				dst[k] = v;
		} else if (strcmp(t->role, "bias") == 0) {
			/* zero, as calloc left it */
		} else if (nl_kind_info_of(nd->kind)->params == NL_PAR_NORM) {
			for (size_t k = 0; k < t->count; k++)
				dst[k] = 1.0f;
		} else {
			/* Xavier uniform with PyTorch's fans: a conv weight
			 * [out][in][kh][kw] has fan_in in*kh*kw, fan_out out*kh*kw. */
			double field = t->ndims == 4 ? (double)t->dims[2] * t->dims[3] : 1.0;
			double fan_in = t->dims[1] * field, fan_out = t->dims[0] * field;
			double bound = sqrt(6.0 / (fan_in + fan_out));
			for (size_t k = 0; k < t->count; k++)
				dst[k] = (float)((2.0 * nl_rng_double(&r) - 1.0) * bound);
		}
	}
	int rc = nl_plan_set_params(p, host, hstate);
	free(host);
	p->rng_base = nl_rng_mix(seed ^ 0x64726f706f7574ull);   /* "dropout" */
	p->forwards = 0;
	return rc;
}

int nl_plan_get_params(nl_plan *p, float *params, float *state)
{
	if (p->layout.nparams)
		p->be->download(p->be, params, p->params, p->layout.nparams * sizeof(float));
	if (p->layout.nstate)
		p->be->download(p->be, state, p->state, p->layout.nstate * sizeof(float));
	return 0;
}

int nl_plan_set_params(nl_plan *p, const float *params, const float *state)
{
	if (p->layout.nparams)
		p->be->upload(p->be, p->params, params, p->layout.nparams * sizeof(float));
	if (p->layout.nstate)
		p->be->upload(p->be, p->state, state, p->layout.nstate * sizeof(float));
	if (p->velocity)
		p->be->fill(p->be, p->velocity, 0.0f, p->layout.nparams);
	return 0;
}

void nl_plan_forward(nl_plan *p, int training)
{
	nl_backend *be = p->be;
	for (int i = 1; i <= p->logits; i++) {
		nl_step *s = &p->steps[i];
		if (training && nl_kind_has(s->node->kind, NL_KF_RANDOM))
			s->rng_key = nl_rng_mix(p->rng_base + (p->forwards << 16) + (uint64_t)i);
		be->forward[s->node->kind](be, s, training);
	}
	if (training)
		p->forwards++;
}

void nl_plan_loss(nl_plan *p, int n, int with_grad)
{
	nl_step *s = &p->steps[p->logits];
	/* dy is read-only to the step; the loss is what writes it. */
	float *d = (with_grad && p->training) ? (float *)s->dy : NULL;
	p->be->loss(p->be, s->y, p->labels, n, p->classes, d, p->acc);
	/* Rows past n are padding: their gradient must be zero, not whatever
	 * the last full batch left there. */
	if (d && n < p->batch)
		p->be->fill(p->be, d + (size_t)n * p->classes, 0.0f,
		            (size_t)(p->batch - n) * p->classes);
}

void nl_plan_backward(nl_plan *p)
{
	nl_backend *be = p->be;
	for (int i = p->logits; i >= 1; i--)
		if (p->wants_grad[i])
			be->backward[p->steps[i].node->kind](be, &p->steps[i]);
}

int nl_plan_update(nl_plan *p, float lr, float momentum, float weight_decay)
{
	if (!p->layout.nparams || !p->grads)
		return 0;
	if (momentum != 0.0f && !p->velocity) {
		/* Once, on the first step that needs it: plain SGD never pays
		 * for a velocity buffer as large as the model. */
		p->velocity = p->be->alloc(p->be, p->layout.nparams * sizeof(float));
		if (!p->velocity)
			return -1;
	}
	p->be->sgd(p->be, p->params, p->grads, p->velocity, p->layout.nparams,
	           lr, momentum, weight_decay);
	return 0;
}

void nl_plan_read_acc(nl_plan *p, double *loss_sum, double *correct)
{
	float a[2];
	p->be->download(p->be, a, p->acc, sizeof a);
	*loss_sum = a[0];
	*correct = a[1];
}

void nl_plan_reset_acc(nl_plan *p)
{
	p->be->fill(p->be, p->acc, 0.0f, 2);
}
