/* plan.c - lower a checked graph onto a backend (see plan.h).
 *
 * Memory is the point of this file.  `flatten` is a view of its input, and
 * ReLU, dropout and add (over its first input) run in place when nothing
 * else reads that input.  In training, activations and their gradients
 * share one arena, first-fit by offset among tensors whose lifetimes over
 * the step do not overlap (share_by_lifetime): a gradient lives from its
 * last consumer's backward step to its own, so a chain needs about two of
 * the largest, and backward reuses the activations it has passed.
 *
 * A ReLU or a sigmoid in place over a convolution's output is, where the
 * backend can, folded into the convolution (fuse_activations): one pass
 * over the output instead of two, each way.  A sigmoid runs in place only
 * on a backend that says it may (the CPU's): its backward reads its
 * output alone, which cuDNN's is not documented to.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "runtime/plan/plan.h"
#include "runtime/rng.h"

#define ALIGN 256

static size_t align_up(size_t n)
{
	return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/* Sizes are checked: a legal net at a large batch can ask for more bytes
 * than a size_t holds, and a wrapped size would be a small allocation that
 * the steps then overrun.  SIZE_MAX stands for "too large" and stays so. */
static size_t add_size(size_t a, size_t b)
{
	size_t r;
	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

/* Bytes of one tensor of shape s at the plan's batch, aligned. */
static size_t tensor_bytes(nl_shape s, int batch)
{
	size_t r = sizeof(float);
	if (__builtin_mul_overflow(r, (size_t)batch, &r) || __builtin_mul_overflow(r, (size_t)s.c, &r) ||
	    __builtin_mul_overflow(r, (size_t)s.h, &r) || __builtin_mul_overflow(r, (size_t)s.w, &r) ||
	    r > SIZE_MAX - ALIGN)
		return SIZE_MAX;
	return align_up(r);
}

static int too_large(const nl_plan *p, const char *what)
{
	fprintf(stderr, "netlang: the %s of this network at batch %d need more memory than "
	        "can be addressed; lower the batch (--batch) or the input size\n", what, p->batch);
	return -1;
}

static int has_params(nl_kind k)
{
	return nl_kind_info_of(k)->params != NL_PAR_NONE;
}

/* May `kind` run in place over the output of `producer` on be?  Only when
 * the producer's own backward step never reads its output (kinds.def's
 * NL_KF_HOST): cuDNN's pooling backward does, so pools are out. */
static int in_place_ok(const nl_backend *be, nl_kind kind, nl_kind producer)
{
	int kind_ok = nl_kind_has(kind, NL_KF_IN_PLACE) ||
	              (kind == NL_SIGMOID && be->fuses_sigmoid);
	return kind_ok && nl_kind_has(producer, NL_KF_HOST);
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
					off = add_size(o->offset, o->bytes);
					moved = off != SIZE_MAX;
				}
			}
		}
		k->offset = off;
		k->placed = 1;
		if (add_size(off, k->bytes) > top)
			top = add_size(off, k->bytes);
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

/* What nl_plan_new works out on the way, per node, freed when it is done. */
typedef struct planner {
	int n;
	int *ncons;        /* how many steps read node i's output */
	int *maxcons;      /* the last of them, -1 for none */
	int *act_root;     /* the node whose storage holds node i's output */
	int *grad_root;    /* node i's gradient class, -1 for none */
	size_t *act_off;   /* a root's offset in the activation arena */
	gclass *cls;
	int ncls;
} planner;

static void planner_free(planner *w)
{
	free(w->ncons);
	free(w->maxcons);
	free(w->act_root);
	free(w->grad_root);
	free(w->act_off);
	free(w->cls);
}

static int planner_init(planner *w, int n)
{
	memset(w, 0, sizeof *w);
	w->n = n;
	w->ncons = xcalloc((size_t)n, sizeof *w->ncons);
	w->maxcons = xcalloc((size_t)n, sizeof *w->maxcons);
	w->act_root = xcalloc((size_t)n, sizeof *w->act_root);
	w->grad_root = xcalloc((size_t)n, sizeof *w->grad_root);
	w->act_off = xcalloc((size_t)n, sizeof *w->act_off);
	w->cls = xcalloc((size_t)n, sizeof *w->cls);
	return w->ncons && w->maxcons && w->act_root && w->grad_root && w->act_off &&
	       w->cls ? 0 : -1;
}

/* The node the loss reads: the last, or what a final softmax reads (the
 * loss applies the softmax itself).  It must be flat class scores. */
int nl_plan_logits(const nl_graph *g)
{
	int n = g->nnodes, logits = n - 1;
	if (nl_kind_has(g->nodes[n - 1].kind, NL_KF_LAST))
		logits = g->nodes[n - 1].inputs[0];
	return g->nodes[logits].shape.rank == 2 && logits > 0 ? logits : -1;
}

static int find_logits(nl_plan *p)
{
	const nl_graph *g = p->g;
	p->logits = nl_plan_logits(g);
	if (p->logits < 0) {
		nl_shape ls = g->nodes[g->nnodes - 1].shape;
		fprintf(stderr, "netlang: the network must end in a flat layer of class "
		        "scores (fc N), not a %dx%dx%d tensor\n", ls.c, ls.h, ls.w);
		return -1;
	}
	p->classes = g->nodes[p->logits].shape.c;
	return 0;
}

static int count_consumers(const nl_graph *g, planner *w)
{
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		w->maxcons[i] = -1;
		if (nd->ninputs > NL_MAX_INPUTS) {
			fprintf(stderr, "netlang: %s joins %d branches; at most %d are supported\n",
			        nl_kind_name(nd->kind), nd->ninputs, NL_MAX_INPUTS);
			return -1;
		}
		for (int k = 0; k < nd->ninputs; k++) {
			w->ncons[nd->inputs[k]]++;
			if (i > w->maxcons[nd->inputs[k]])
				w->maxcons[nd->inputs[k]] = i;
		}
	}
	return 0;
}

/* Which steps have backward work: those with parameters, and those
 * between a parameter and the loss. */
static void mark_gradients(nl_plan *p)
{
	const nl_graph *g = p->g;
	for (int i = 1; i <= p->logits; i++) {
		const nl_node *nd = &g->nodes[i];
		int want = has_params(nd->kind);
		for (int k = 0; k < nd->ninputs; k++)
			want |= p->wants_grad[nd->inputs[k]];
		p->wants_grad[i] = want;
	}
}

/* Activation storage: views and in-place steps share their input's. */
static int plan_activations(nl_plan *p, planner *w, int in_place)
{
	const nl_graph *g = p->g;
	size_t top = 0;
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		w->act_root[i] = i;
		if (i > 0) {
			int j = nd->inputs[0];
			if (nl_kind_has(nd->kind, NL_KF_VIEW) ||
			    (in_place && w->ncons[j] == 1 && j != 0 &&
			     in_place_ok(p->be, nd->kind, g->nodes[j].kind)))
				w->act_root[i] = w->act_root[j];
		}
		if (w->act_root[i] == i) {
			w->act_off[i] = top;
			top = add_size(top, tensor_bytes(nd->shape, p->batch));
		}
	}
	p->act_bytes = top;
	return top == SIZE_MAX ? too_large(p, "activations") : 0;
}

/* Gradient classes, placed with the activations by share_by_lifetime.  A
 * view's or an in-place step's gradient is its input's when the input has
 * no other consumer. */
static int plan_gradients(nl_plan *p, planner *w)
{
	const nl_graph *g = p->g;
	for (int i = 1; i <= p->logits; i++) {
		const nl_node *nd = &g->nodes[i];
		w->grad_root[i] = -1;
		if (!p->wants_grad[i])
			continue;
		int j = nd->inputs[0];
		if (w->act_root[i] != i && w->ncons[j] == 1 && p->wants_grad[j]) {
			w->grad_root[i] = w->grad_root[j];
		} else {
			gclass *c = &w->cls[w->ncls];
			w->grad_root[i] = w->ncls++;
			c->bytes = tensor_bytes(nd->shape, p->batch);
			if (c->bytes == SIZE_MAX)
				return too_large(p, "gradients of activations");
			c->lo = c->hi = i;
		}
		gclass *c = &w->cls[w->grad_root[i]];
		int last = (i == p->logits) ? g->nnodes : w->maxcons[i];
		if (last > c->hi)
			c->hi = last;
		if (i < c->lo)
			c->lo = i;
	}
	return 0;
}

/* A training step's activations and their gradients in one arena, placed
 * by lifetime over the whole step: forward step i at time i, backward
 * step i at time 2n - i.  An activation (its storage root r, which views
 * and in-place steps after it share) lives from r's forward to r's
 * backward, the last that can read it (every reader of the storage is r
 * or comes after r, so runs its backward before r's); a gradient class
 * lives from its last consumer's backward to its own.  So backward writes
 * gradients over the activations it has passed, as PyTorch's allocator
 * reuses the tensors it frees: VGG-11 at batch 128 held all 4.30 GiB of
 * activations and 1.91 GiB of gradients beside them. */
static int share_by_lifetime(nl_plan *p, planner *w)
{
	const nl_graph *g = p->g;
	const int n = g->nnodes;
	int nroots = 0;
	for (int i = 0; i < n; i++)
		nroots += w->act_root[i] == i;
	gclass *all = xcalloc((size_t)(w->ncls + nroots), sizeof *all);
	int *slot = xcalloc((size_t)n, sizeof *slot);
	if (!all || !slot) {
		free(all);
		free(slot);
		return -1;
	}
	int k = 0;
	for (int c = 0; c < w->ncls; c++, k++) {
		all[k].bytes = w->cls[c].bytes;
		all[k].lo = 2 * n - w->cls[c].hi;
		all[k].hi = 2 * n - w->cls[c].lo;
	}
	for (int i = 0; i < n; i++)
		if (w->act_root[i] == i) {
			slot[i] = k;
			all[k].bytes = tensor_bytes(g->nodes[i].shape, p->batch);
			all[k].lo = i;
			all[k].hi = 2 * n - i;
			k++;
		}
	size_t top = place_classes(all, k);
	for (int c = 0; c < w->ncls; c++)
		w->cls[c].offset = all[c].offset;
	for (int i = 0; i < n; i++)
		if (w->act_root[i] == i)
			w->act_off[i] = all[slot[i]].offset;
	free(all);
	free(slot);
	if (top == SIZE_MAX)
		return too_large(p, "activations and their gradients");
	p->act_bytes = top;
	return 0;
}

/* The plan's buffers, zeroed by the backend.  A measuring plan allocates
 * nothing: it only counts. */
static int allocate(nl_plan *p)
{
	const nl_param_layout *l = &p->layout;
	nl_backend *be = p->be;
	p->param_bytes = l->nparams * sizeof(float);
	p->state_bytes = l->nstate * sizeof(float);
	if (p->measure)
		return 0;
	if (l->nparams) {
		if (!(p->params = be->alloc(be, p->param_bytes)))
			return -1;
		if (p->training && !(p->grads = be->alloc(be, p->param_bytes)))
			return -1;
	}
	if (l->nstate && !(p->state = be->alloc(be, p->state_bytes)))
		return -1;
	if (!(p->act_arena = be->alloc(be, p->act_bytes ? p->act_bytes : ALIGN)))
		return -1;
	p->labels = be->alloc(be, (size_t)p->batch * sizeof(int32_t));
	p->acc = be->alloc(be, 2 * sizeof(float));
	return p->labels && p->acc ? 0 : -1;
}

/* Offset off of an arena, or NULL while measuring (no arena). */
static float *at(void *arena, size_t off)
{
	return arena ? (float *)((char *)arena + off) : NULL;
}

static void fill_steps(nl_plan *p, const planner *w)
{
	const nl_graph *g = p->g;
	for (int i = 0; i < g->nnodes; i++) {
		const nl_node *nd = &g->nodes[i];
		nl_step *s = &p->steps[i];
		s->node = nd;
		s->ninputs = nd->ninputs;
		s->ys = nd->shape;
		s->ys.n = p->batch;
		s->y = at(p->act_arena, w->act_off[w->act_root[i]]);
		if (p->training && i <= p->logits && p->wants_grad[i])
			s->dy = at(p->act_arena, w->cls[w->grad_root[i]].offset);
		for (int k = 0; k < nd->ninputs; k++) {
			int j = nd->inputs[k];
			s->xs[k] = g->nodes[j].shape;
			s->xs[k].n = p->batch;
			s->x[k] = p->steps[j].y;
			if (p->training && p->wants_grad[j])
				s->dx[k] = at(p->act_arena, w->cls[w->grad_root[j]].offset);
		}
		int pi = nl_param_find(&p->layout, i, 0);
		if (pi >= 0) {
			const nl_param *pw = &p->layout.p[pi], *pb = &p->layout.p[pi + 1];
			s->w = p->params ? p->params + pw->offset : NULL;
			s->b = p->params ? p->params + pb->offset : NULL;
			s->nw = pw->count;
			s->nb = pb->count;
			if (p->training && p->grads) {
				s->dw = p->grads + pw->offset;
				s->db = p->grads + pb->offset;
			}
		}
		int si = nl_param_find(&p->layout, i, 1);
		if (si >= 0 && p->state) {
			s->running_mean = p->state + p->layout.p[si].offset;
			s->running_var = p->state + p->layout.p[si + 1].offset;
		}
	}
	p->input = p->steps[0].y;
}

/* Accumulation flags: backward runs from the last node down, so a
 * tensor's highest-numbered consumer writes its gradient first. */
static int mark_accumulation(nl_plan *p)
{
	char *written = xcalloc((size_t)p->nsteps, 1);
	if (!written)
		return -1;
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
	return 0;
}

/* A ReLU or a sigmoid that runs in place over a convolution's output (the
 * in-place rule already proved that nothing else reads it) becomes part of
 * that convolution, on a backend that can do it: the convolution writes
 * relu(conv + b) or sigmoid(conv + b), and in backward multiplies dy by
 * the activation's derivative, read from y.  The activation's output and
 * gradient are the convolution's own buffers, so skipping its step in
 * both directions leaves every tensor as it was.  Before prepare(): the
 * flag may change what the convolution asks for. */
static void fuse_activations(nl_plan *p, const planner *w, int flags)
{
	const nl_graph *g = p->g;
	if (flags & NL_PLAN_NO_FUSE)
		return;
	for (int i = 1; i <= p->logits; i++) {
		const nl_node *nd = &g->nodes[i];
		if (!(nd->kind == NL_RELU && p->be->fuses_relu) &&
		    !(nd->kind == NL_SIGMOID && p->be->fuses_sigmoid))
			continue;
		int j = nd->inputs[0];
		if (g->nodes[j].kind != NL_CONV || w->act_root[i] != w->act_root[j] ||
		    (p->training && w->grad_root[i] != w->grad_root[j]))
			continue;
		if (nd->kind == NL_RELU)
			p->steps[j].fuse_relu = 1;
		else
			p->steps[j].fuse_sigmoid = 1;
		p->folded[i] = 1;
	}
}

/* Let the backend prepare each step, then give it aux memory and one
 * workspace as large as the largest request. */
static int prepare_steps(nl_plan *p)
{
	nl_backend *be = p->be;
	size_t top = 0, ws = 0;
	for (int i = 1; i <= p->logits; i++) {
		size_t a = 0, w = 0;
		if (be->prepare(be, &p->steps[i], &a, &w))
			return -1;
		p->steps[i].aux_bytes = a;
		top = add_size(top, a > SIZE_MAX - ALIGN ? SIZE_MAX : align_up(a));
		if (w > ws)
			ws = w;
	}
	p->aux_bytes = top;
	p->workspace_bytes = ws;
	if (top == SIZE_MAX)
		return too_large(p, "layers' scratch memory");
	if (p->measure)
		return 0;
	if (top) {
		p->aux_arena = be->alloc(be, top);
		if (!p->aux_arena)
			return -1;
		char *aux = p->aux_arena;
		for (int i = 1; i <= p->logits; i++)
			if (p->steps[i].aux_bytes) {
				p->steps[i].aux = aux;
				aux += align_up(p->steps[i].aux_bytes);
			}
	}
	if (ws > be->workspace_bytes) {
		if (be->workspace)
			be->release(be, be->workspace);
		be->workspace = be->alloc(be, ws);
		be->workspace_bytes = be->workspace ? ws : 0;
		if (!be->workspace)
			return -1;
	}
	return 0;
}

nl_plan *nl_plan_new(nl_backend *be, const nl_graph *g, int batch, int flags)
{
	int n = g->nnodes;
	planner w;
	nl_plan *p = xcalloc(1, sizeof *p);
	if (planner_init(&w, n) || !p)
		goto fail;
	p->be = be;
	p->g = g;
	p->batch = batch;
	p->training = (flags & NL_PLAN_TRAIN) != 0;
	p->measure = (flags & NL_PLAN_MEASURE) != 0;
	p->nsteps = n;
	p->steps = xcalloc((size_t)n, sizeof *p->steps);
	p->wants_grad = xcalloc((size_t)n, sizeof *p->wants_grad);
	p->folded = xcalloc((size_t)n, sizeof *p->folded);
	if (!p->steps || !p->wants_grad || !p->folded || find_logits(p) ||
	    count_consumers(g, &w))
		goto fail;
	if (p->training)
		mark_gradients(p);
	if (plan_activations(p, &w, !(flags & NL_PLAN_NO_IN_PLACE)))
		goto fail;
	if (p->training && (plan_gradients(p, &w) || share_by_lifetime(p, &w)))
		goto fail;
	if (nl_param_layout_make(g, &p->layout)) {
		fprintf(stderr, "netlang: out of memory planning the network\n");
		goto fail;
	}
	if (allocate(p))
		goto fail;
	fill_steps(p, &w);
	if (p->training && !p->measure && mark_accumulation(p))
		goto fail;
	fuse_activations(p, &w, flags);
	if (prepare_steps(p))
		goto fail;
	p->rng_base = 0x6e65746c616e67ull;   /* "netlang" */
	planner_free(&w);
	return p;
fail:
	planner_free(&w);
	nl_plan_free(p);
	return NULL;
}

nl_plan_memory nl_plan_memory_of(const nl_plan *p, int momentum)
{
	nl_plan_memory m = { 0 };
	m.params = p->param_bytes;
	m.grads = p->training ? p->param_bytes : 0;
	m.momentum = p->training && momentum ? p->param_bytes : 0;
	m.state = p->state_bytes;
	m.activations = p->act_bytes;
	m.aux = p->aux_bytes;
	m.workspace = p->workspace_bytes;
	m.total = m.params + m.grads + m.momentum + m.state + m.activations +
	          m.aux + m.workspace;
	return m;
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
	                 p->aux_arena, p->labels, p->acc };
	for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
		if (bufs[i])
			be->release(be, bufs[i]);
	nl_param_layout_free(&p->layout);
	free(p->steps);
	free(p->wants_grad);
	free(p->folded);
	free(p);
}

/* The value of element k of tensor t at initialisation (r advances only
 * for random tensors, in order, so every backend draws the same). */
static float init_value(const nl_plan *p, const nl_param *t, nl_rng *r, double bound)
{
	if (t->state)
		return strcmp(t->role, "running_var") == 0 ? 1.0f : 0.0f;
	if (strcmp(t->role, "bias") == 0)
		return 0.0f;
	if (nl_kind_info_of(p->g->nodes[t->node].kind)->params == NL_PAR_NORM)
		return 1.0f;
	return (float)((2.0 * nl_rng_double(r) - 1.0) * bound);
}

/* Tensors are generated a block at a time and uploaded at their offsets:
 * a host copy of the whole model would add its size to the peak memory
 * of every run (187 MB for AlexNet). */
enum { INIT_BLOCK = 1 << 16 };

int nl_plan_init_params(nl_plan *p, uint64_t seed)
{
	const nl_param_layout *l = &p->layout;
	float *block = xcalloc(INIT_BLOCK, sizeof *block);
	if (!block)
		return -1;
	nl_rng r = { seed };
	for (int i = 0; i < l->n; i++) {
		const nl_param *t = &l->p[i];
		/* Xavier uniform with PyTorch's fans: a conv weight
		 * [out][in][kh][kw] has fan_in in*kh*kw, fan_out out*kh*kw. */
		double field = t->ndims == 4 ? (double)t->dims[2] * t->dims[3] : 1.0;
		double fan_in = (t->ndims > 1 ? t->dims[1] : 1) * field;
		double fan_out = t->dims[0] * field;
		double bound = sqrt(6.0 / (fan_in + fan_out));
		float *base = (t->state ? p->state : p->params) + t->offset;
		for (size_t k = 0; k < t->count; k += INIT_BLOCK) {
			size_t m = t->count - k < INIT_BLOCK ? t->count - k : INIT_BLOCK;
			for (size_t j = 0; j < m; j++)
				block[j] = init_value(p, t, &r, bound);
			p->be->upload(p->be, base + k, block, m * sizeof *block);
		}
	}
	free(block);
	if (p->velocity)
		p->be->fill(p->be, p->velocity, 0.0f, l->nparams);
	p->rng_base = nl_rng_mix(seed ^ 0x64726f706f7574ull);   /* "dropout" */
	p->forwards = 0;
	return 0;
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

int nl_plan_get_velocity(nl_plan *p, float *v)
{
	if (!p->velocity || !p->layout.nparams)
		return 0;
	p->be->download(p->be, v, p->velocity, p->layout.nparams * sizeof(float));
	return 1;
}

int nl_plan_set_velocity(nl_plan *p, const float *v)
{
	if (!p->layout.nparams)
		return 0;
	if (!p->velocity) {
		p->velocity = p->be->alloc(p->be, p->layout.nparams * sizeof(float));
		if (!p->velocity)
			return -1;
	}
	p->be->upload(p->be, p->velocity, v, p->layout.nparams * sizeof(float));
	return 0;
}

void nl_plan_forward_timed(nl_plan *p, int training, double *seconds)
{
	nl_backend *be = p->be;
	for (int i = 1; i <= p->logits; i++) {
		nl_step *s = &p->steps[i];
		if (p->folded[i])
			continue;
		if (training && nl_kind_has(s->node->kind, NL_KF_RANDOM))
			s->rng_key = nl_rng_mix(p->rng_base + (p->forwards << 16) + (uint64_t)i);
		double t0 = seconds ? be->clock(be) : 0;
		be->forward[s->node->kind](be, s, training);
		if (seconds)
			seconds[i] += be->clock(be) - t0;
	}
	if (training)
		p->forwards++;
}

void nl_plan_forward(nl_plan *p, int training)
{
	nl_plan_forward_timed(p, training, NULL);
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

void nl_plan_backward_timed(nl_plan *p, double *seconds)
{
	nl_backend *be = p->be;
	for (int i = p->logits; i >= 1; i--) {
		if (!p->wants_grad[i] || p->folded[i])
			continue;
		double t0 = seconds ? be->clock(be) : 0;
		be->backward[p->steps[i].node->kind](be, &p->steps[i]);
		if (seconds)
			seconds[i] += be->clock(be) - t0;
	}
}

void nl_plan_backward(nl_plan *p)
{
	nl_plan_backward_timed(p, NULL);
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
