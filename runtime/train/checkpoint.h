/* checkpoint.h - everything a training run needs to go on where it
 * stopped (--checkpoint FILE, --resume FILE).
 *
 * File format, version 1, integers and floats little-endian:
 *   "NETLANGK"   magic;  u32 version, u32 flags (1: a momentum buffer)
 *   u64 the net's fingerprint (its parameter tensors' roles and shapes)
 *   u64 nparams, nstate, seed;  u32 batch, ntrain, epoch, batches_done
 *   u64 step, shuffle RNG state, training forwards (dropout's counter)
 *   f64 the epoch's loss sum, correct count and examples seen so far,
 *       the training seconds and examples of the run so far
 *   u32 finished epochs, then their (loss, train acc, test acc) as f64
 *   u32 the training set's order (ntrain indices, as last shuffled)
 *   f32 params, state, and the momentum buffer when flags say so
 *   u32 CRC-32 (zlib's) of every byte before it
 * A file is refused, with a message, unless all of it checks: the net,
 * the batch and the training set's size must be the run's.
 */
#ifndef NL_CHECKPOINT_H
#define NL_CHECKPOINT_H

#include <stdint.h>

#include "runtime/plan/params.h"

typedef struct nl_checkpoint {
	uint64_t seed;
	int batch, ntrain;
	int epoch;            /* the epoch in progress, from 1 */
	int batches_done;     /* its batches already trained (0: not begun) */
	long step;            /* steps of the whole run */
	uint64_t rng;         /* the shuffling generator's state */
	uint64_t forwards;    /* training forwards so far (dropout keys) */
	double ep_sum, ep_correct, ep_seen;
	double train_time, examples;
	int epochs_done;
	double *hist;         /* 3 per finished epoch */
	int32_t *perm;        /* ntrain */
	float *params, *state, *velocity;   /* velocity NULL: none */
} nl_checkpoint;

/* Write atomically.  Returns 0, or -1 after a message naming path. */
int nl_checkpoint_save(const char *path, const nl_param_layout *l, const nl_checkpoint *c);

/* Read and check path for the net of layout l; c's arrays are malloc'ed
 * (nl_checkpoint_free).  Returns 0, or -1 after a message naming path. */
int nl_checkpoint_load(const char *path, const nl_param_layout *l, nl_checkpoint *c);

void nl_checkpoint_free(nl_checkpoint *c);

#endif
