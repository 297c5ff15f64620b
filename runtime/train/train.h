/* train.h - training and evaluation of a checked graph, and the backend
 * --device picks for them.  Each prints its own report and returns a
 * process exit status (0 success). */
#ifndef NL_TRAIN_H
#define NL_TRAIN_H

#include "lang/graph.h"
#include "lang/settings.h"
#include "runtime/backend.h"

/* The backend --device asks for; auto falls back to the CPU with a note. */
nl_backend *nl_backend_open(const nl_options *o);

int nl_train(const nl_graph *g, const nl_options *o, const char *title);
int nl_evaluate(const nl_graph *g, const nl_options *o);
/* --predict and --filters on their own: the weights --load gives. */
int nl_pictures(const nl_graph *g, const nl_options *o, const char *title);

#endif
