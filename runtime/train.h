/* train.h - what the driver runs on a checked graph: training, evaluation
 * of saved weights, and per-layer timing.  Each prints its own report and
 * returns a process exit status (0 success). */
#ifndef NL_TRAIN_H
#define NL_TRAIN_H

#include <stdio.h>

#include "lang/graph.h"
#include "runtime/backend.h"
#include "lang/settings.h"

/* The backend --device asks for; auto falls back to the CPU with a note. */
nl_backend *nl_backend_open(const nl_options *o);

int nl_train(const nl_graph *g, const nl_options *o, const char *title);
int nl_evaluate(const nl_graph *g, const nl_options *o);
int nl_time(const nl_graph *g, const nl_options *o);

/* The listing's last line: the memory a training step at o->batch takes,
 * as the plan counts it (memory.c).  Returns 0, or -1 after a message. */
int nl_print_memory(FILE *f, const nl_graph *g, const nl_options *o);

#endif
