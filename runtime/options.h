/* options.h - what the command line (or the REPL's train command) asks for.
 *
 * Values left at their "unset" marks (0, -1, NULL) are filled from the
 * program's train { } section, then from the built-in defaults, by
 * nl_options_resolve() in train.c.
 */
#ifndef NL_OPTIONS_H
#define NL_OPTIONS_H

#include <stdint.h>

typedef enum nl_device { NL_DEV_AUTO, NL_DEV_CPU, NL_DEV_GPU } nl_device;

typedef struct nl_options {
	/* hyperparameters; < 0 (or 0 for ints) = unset */
	int epochs;
	int batch;
	double lr;
	double momentum;
	double weight_decay;
	int has_seed;
	uint64_t seed;
	long max_steps;        /* --steps: stop training after this many steps */
	long log_every;        /* --log-every: print "step N loss X" every N steps */
	const char *data;      /* --data: a directory, or "fashion-mnist"/"mnist" */
	int resize;            /* --resize; 0 = from the net's input size */

	/* execution */
	int threads;           /* 0 = all cores */
	nl_device device;
	int tf32;              /* 1 unless --no-tf32 */

	/* files */
	const char *save;
	const char *load;
	const char *plot;

	/* --time */
	int time_iterations;
	int time_warmup;

	int quiet;             /* no per-epoch lines, only the summary */
	int progress;          /* progress bar: -1 auto (stdout is a tty) */
} nl_options;

void nl_options_init(nl_options *o);

#endif
