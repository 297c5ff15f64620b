/* plan.h - a checked graph lowered onto a backend at a fixed batch size.
 *
 * All memory is planned and allocated once, in nl_plan_new(): activations,
 * their gradients (sharing storage where their lifetimes in the backward
 * pass do not overlap), parameters and their gradients as single buffers
 * (params.h), per-step aux memory and one shared workspace.  A training step
 * is then nothing but backend calls, with no allocation:
 *
 *     backend->gather(... , plan->input, plan->labels)   (the caller)
 *     nl_plan_forward(p, 1); nl_plan_loss(p, 1); nl_plan_backward(p);
 *     nl_plan_update(p, lr, momentum, weight_decay);
 */
#ifndef NL_PLAN_H
#define NL_PLAN_H

#include "runtime/backend.h"
#include "runtime/plan/params.h"

typedef struct nl_plan {
	nl_backend *be;
	const nl_graph *g;
	int batch;
	int training;           /* gradients were planned */

	nl_step *steps;         /* one per graph node */
	int nsteps;
	int logits;             /* node whose output feeds the loss (a final
	                           softmax is folded into the loss) */
	int classes;

	nl_param_layout layout;
	float *params, *grads, *velocity, *state;   /* backend memory */

	float *input;           /* batch x C x H x W: steps[0].y */
	int32_t *labels;        /* batch */
	float *acc;             /* [0] summed loss, [1] correct count */

	/* what was allocated, for release and for the memory report */
	void *act_arena, *aux_arena;   /* act_arena: in training, their gradients too */
	size_t act_bytes, aux_bytes;
	size_t param_bytes;     /* each of params, grads and velocity */
	size_t state_bytes;
	size_t workspace_bytes; /* the largest step's request */
	int measure;            /* NL_PLAN_MEASURE: counted, nothing allocated */

	uint64_t rng_base;      /* dropout keys derive from this ... */
	uint64_t forwards;      /* ... and the number of training forwards */
	int *wants_grad;        /* per node: its backward has work to do */
	char *folded;           /* per node: a ReLU or sigmoid its convolution
	                           computes (nl_step.fuse_relu, fuse_sigmoid), run
	                           in neither direction */
} nl_plan;

/* flags: NL_PLAN_TRAIN plans gradients; NL_PLAN_NO_IN_PLACE gives every
 * step its own output (tests compare the two); NL_PLAN_MEASURE counts what
 * the plan would allocate and allocates none of it (the memory figure of
 * a listing: such a plan can only be measured and freed); NL_PLAN_NO_FUSE
 * runs a ReLU or sigmoid after a convolution as its own step even where the backend
 * could fold it into the convolution (tests compare the two).  NULL after
 * a message (out of memory, a backend refusing a step). */
enum { NL_PLAN_TRAIN = 1, NL_PLAN_NO_IN_PLACE = 2, NL_PLAN_MEASURE = 4, NL_PLAN_NO_FUSE = 8 };
nl_plan *nl_plan_new(nl_backend *be, const nl_graph *g, int batch, int flags);
void nl_plan_free(nl_plan *p);

/* The node whose output the loss reads (the last, or the input of a final
 * softmax), or -1 when the net does not end in flat class scores yet. */
int nl_plan_logits(const nl_graph *g);

/* Xavier-uniform weights (PyTorch's fan-in/fan-out), zero biases,
 * batchnorm gamma 1, beta 0, running mean 0, variance 1; deterministic in
 * seed, identical on every backend. */
int nl_plan_init_params(nl_plan *p, uint64_t seed);

/* Host copies of the parameter and state buffers (for weights files). */
int nl_plan_get_params(nl_plan *p, float *params, float *state);
int nl_plan_set_params(nl_plan *p, const float *params, const float *state);

/* The momentum buffer for checkpoints: get returns 1 with v filled
 * (nparams floats), or 0 when there is none yet (no momentum step ran);
 * set allocates it when needed (-1 when it does not fit).  Set after
 * nl_plan_set_params, which clears it. */
int nl_plan_get_velocity(nl_plan *p, float *v);
int nl_plan_set_velocity(nl_plan *p, const float *v);

/* What a training step holds in memory, in bytes: parameters, their
 * gradients and (when momentum is used) velocity, batch-norm state,
 * activations (in training, with their gradients in the same arena),
 * per-step scratch (aux) and the shared workspace. */
typedef struct nl_plan_memory {
	size_t params, grads, momentum, state, activations, aux, workspace;
	size_t total;
} nl_plan_memory;
nl_plan_memory nl_plan_memory_of(const nl_plan *p, int momentum);

void nl_plan_forward(nl_plan *p, int training);
/* The same, adding each step's seconds (the backend's clock, which waits
 * for the step) to seconds[i]: --time's per-layer figures. */
void nl_plan_forward_timed(nl_plan *p, int training, double *seconds);
/* Loss over the first n examples of the batch (n <= batch; the rest are
 * padding when a data set does not divide into batches). */
void nl_plan_loss(nl_plan *p, int n, int with_grad);
void nl_plan_backward(nl_plan *p);
void nl_plan_backward_timed(nl_plan *p, double *seconds);
/* Returns -1 when the momentum buffer, allocated on first use, does not fit. */
int nl_plan_update(nl_plan *p, float lr, float momentum, float weight_decay);

/* Read and reset the loss/correct accumulator. */
void nl_plan_read_acc(nl_plan *p, double *loss_sum, double *correct);
void nl_plan_reset_acc(nl_plan *p);

#endif
