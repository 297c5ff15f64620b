/* weights.h - save and load a network's parameters.
 *
 * File format, version 1, all integers little-endian uint32:
 *   "NETLANGW"                    8-byte magic
 *   version, ntensors
 *   ntensors entries of 8 words:  kind, role, ndims, dims[4], 0
 *       kind: 1 conv, 2 fc, 3 batchnorm (the file's own codes, so that the
 *             format does not change when the front end renumbers nl_kind)
 *       role: 1 weight, 2 bias, 3 running_mean, 4 running_var
 *   the tensors' float32 data, little-endian, in the same order (that of
 *       the nl_param_layout: trainable tensors, then state)
 *   CRC-32 (zlib's) of every byte before it
 * A file is refused, with a message naming the first difference, unless
 * every tensor's kind, role and dims match the net's.
 */
#ifndef NL_WEIGHTS_H
#define NL_WEIGHTS_H

#include "lang/graph.h"
#include "runtime/plan/params.h"

/* Write params (l->nparams floats) and state (l->nstate floats) to path,
 * atomically.  Returns 0, or -1 after a message to stderr. */
int nl_weights_save(const char *path, const nl_graph *g, const nl_param_layout *l,
                    const float *params, const float *state);

/* Read them back.  The buffers are written only once the whole file has
 * been checked.  Returns 0, or -1 after a message to stderr. */
int nl_weights_load(const char *path, const nl_graph *g, const nl_param_layout *l,
                    float *params, float *state);

#endif
