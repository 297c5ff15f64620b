/* dist_step.h - what a training step does differently on one rank of
 * several (runtime/dist/dist.h): its share of the global batch, and the
 * gradients summed across ranks before the update. */
#ifndef NL_TRAIN_DIST_STEP_H
#define NL_TRAIN_DIST_STEP_H

#include "runtime/plan/plan.h"

/* The batch a rank's plan is built for: its largest share of the global
 * batch.  Says so (rank 0) when the batch does not divide among the
 * ranks; -1 after a message when there are more ranks than examples. */
int nl_dist_plan_batch(int global_batch, int quiet);

/* Whether every rank that has not failed holds the same v (the size of
 * its data sets: ranks that read different data would each train on
 * their own).  A collective call: every rank makes it. */
int nl_dist_same(int v, int failed);

/* Make p->grads, the mean gradient over this rank's `share` examples, the
 * mean over the global batch's `total`: each rank's mean weighted by
 * share / total and summed over ranks.  Nothing on a job of one.
 * Returns 0, or -1 after a message. */
int nl_dist_exchange_grads(nl_plan *p, long share, long total);

/* Release the host copy of the gradients a GPU without NCCL goes through. */
void nl_dist_exchange_end(void);

#endif
