/* weights.h - save and load a network's parameters, and the names of the
 * classes they were trained on.
 *
 * File format, version 2, all integers little-endian uint32:
 *   "NETLANGW"                    8-byte magic
 *   version, ntensors
 *   ntensors entries of 8 words:  kind, role, ndims, dims[4], 0
 *       kind: 1 conv, 2 fc, 3 batchnorm (the file's own codes, so that the
 *             format does not change when the front end renumbers nl_kind)
 *       role: 1 weight, 2 bias, 3 running_mean, 4 running_var
 *   the tensors' float32 data, little-endian, in the same order (that of
 *       the nl_param_layout: trainable tensors, then state)
 *   nclasses, nbytes, then nbytes of class names, each NUL-terminated,
 *       nclasses of them in label order (nclasses 0: not known)
 *   CRC-32 (zlib's) of every byte before it
 * Version 1, written before class names travelled with the weights, is the
 * same without the class names; it still loads.  A file is refused, with a
 * message naming the first difference, unless every tensor's kind, role
 * and dims match the net's.
 */
#ifndef NL_WEIGHTS_H
#define NL_WEIGHTS_H

#include "lang/graph.h"
#include "runtime/plan/params.h"

/* Write params (l->nparams floats), state (l->nstate floats) and the
 * class names (nnames of them; NULL, 0 when not known) to path,
 * atomically.  Returns 0, or -1 after a message to stderr. */
int nl_weights_save(const char *path, const nl_graph *g, const nl_param_layout *l,
                    const float *params, const float *state, const char *const *names,
                    int nnames);

/* Read them back.  The buffers are written only once the whole file has
 * been checked.  When names is not NULL it receives the class names
 * (malloc'd, *nnames of them; NULL and 0 when the file has none), freed
 * with nl_weights_free_names.  Returns 0, or -1 after a message to stderr. */
int nl_weights_load(const char *path, const nl_graph *g, const nl_param_layout *l,
                    float *params, float *state, char ***names, int *nnames);

void nl_weights_free_names(char **names, int nnames);

#endif
