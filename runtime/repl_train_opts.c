/* repl_train_opts.c - :train's options, spelled and checked as the command
 * line's training flags are (--epochs 2, or --epochs=2), so that what a
 * student learns in the session works on the command line too.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/repl_session.h"

typedef enum { T_INT, T_LONG, T_REAL, T_TEXT, T_FLAG, T_DEVICE } opt_type;

typedef struct train_opt {
	const char *name;
	opt_type type;
	double lo, hi;      /* ranges for numbers (the same as the command line's) */
} train_opt;

static const train_opt train_opts[] = {
	{ "epochs", T_INT, 1, 100000 },
	{ "batch", T_INT, 1, 1 << 20 },
	{ "lr", T_REAL, 1e-300, 1e9 },
	{ "momentum", T_REAL, 0, 1 },
	{ "weight-decay", T_REAL, 0, 1e9 },
	{ "seed", T_LONG, 0, (double)LONG_MAX },
	{ "data", T_TEXT, 0, 0 },
	{ "resize", T_INT, 1, 4096 },
	{ "steps", T_LONG, 1, (double)LONG_MAX },
	{ "log-every", T_LONG, 1, (double)LONG_MAX },
	{ "save", T_TEXT, 0, 0 },
	{ "load", T_TEXT, 0, 0 },
	{ "plot", T_TEXT, 0, 0 },
	{ "device", T_DEVICE, 0, 0 },
	{ "threads", T_INT, 1, 1024 },
	{ "no-tf32", T_FLAG, 0, 0 },
	{ "quiet", T_FLAG, 0, 0 },
	{ NULL, 0, 0, 0 }
};

const char *repl_train_option_name(int i)
{
	if (i < 0 || i >= (int)(sizeof train_opts / sizeof train_opts[0]) - 1)
		return NULL;
	return train_opts[i].name;
}

static int bad(const repl *r, const char *name, const char *v, const char *want)
{
	repl_error(r, r->line, 1, ":train --%s '%s': expected %s", name, v, want);
	return -1;
}

static int set(const repl *r, const train_opt *t, const char *v, nl_options *o)
{
	char *end;
	if (t->type == T_INT || t->type == T_LONG) {
		errno = 0;
		long x = strtol(v, &end, 10);
		if (errno || end == v || *end || x < (long)t->lo || (double)x > t->hi) {
			char want[96];
			snprintf(want, sizeof want, "an integer from %ld to %ld",
			         (long)t->lo, t->hi >= (double)LONG_MAX ? LONG_MAX : (long)t->hi);
			return bad(r, t->name, v, want);
		}
		if (!strcmp(t->name, "epochs")) o->epochs = (int)x;
		else if (!strcmp(t->name, "batch")) o->batch = (int)x;
		else if (!strcmp(t->name, "seed")) { o->has_seed = 1; o->seed = (uint64_t)x; }
		else if (!strcmp(t->name, "resize")) o->resize = (int)x;
		else if (!strcmp(t->name, "steps")) o->max_steps = x;
		else if (!strcmp(t->name, "log-every")) o->log_every = x;
		else if (!strcmp(t->name, "threads")) o->threads = (int)x;
		return 0;
	}
	if (t->type == T_REAL) {
		errno = 0;
		double x = strtod(v, &end);
		int momentum = !strcmp(t->name, "momentum");
		if (errno || end == v || *end || !(x >= t->lo) || x > t->hi ||
		    (momentum && x >= 1))
			return bad(r, t->name, v, momentum ? "a number in [0, 1)" :
			           t->lo > 0 ? "a positive number" : "a non-negative number");
		if (!strcmp(t->name, "lr")) o->lr = x;
		else if (momentum) o->momentum = x;
		else o->weight_decay = x;
		return 0;
	}
	if (t->type == T_DEVICE) {
		if (!strcmp(v, "cpu")) o->device = NL_DEV_CPU;
		else if (!strcmp(v, "gpu") || !strcmp(v, "cuda")) o->device = NL_DEV_GPU;
		else if (!strcmp(v, "auto")) o->device = NL_DEV_AUTO;
		else return bad(r, t->name, v, "cpu, gpu or auto");
		return 0;
	}
	if (!*v)
		return bad(r, t->name, v, "a name");
	if (!strcmp(t->name, "data")) o->data = v;
	else if (!strcmp(t->name, "save")) o->save = v;
	else if (!strcmp(t->name, "load")) o->load = v;
	else o->plot = v;
	return 0;
}

int repl_train_options(const repl *r, int argc, char **argv, nl_options *o)
{
	for (int i = 0; i < argc; i++) {
		char *w = argv[i];
		if (strncmp(w, "--", 2) != 0 || !w[2]) {
			repl_error(r, r->line, 1, ":train: '%s' is not an option (try --epochs 1)", w);
			return -1;
		}
		char *name = w + 2, *value = strchr(name, '=');
		size_t n = value ? (size_t)(value - name) : strlen(name);
		const train_opt *t = train_opts;
		while (t->name && (strlen(t->name) != n || strncmp(t->name, name, n) != 0))
			t++;
		if (!t->name) {
			repl_error(r, r->line, 1, ":train: unknown option '--%.*s'", (int)n, name);
			return -1;
		}
		if (t->type == T_FLAG) {
			if (value) {
				repl_error(r, r->line, 1, ":train --%s takes no value", t->name);
				return -1;
			}
			if (!strcmp(t->name, "quiet")) o->quiet = 1;
			else o->tf32 = 0;
			continue;
		}
		if (value)
			value++;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			repl_error(r, r->line, 1, ":train --%s needs a value", t->name);
			return -1;
		}
		if (set(r, t, value, o) < 0)
			return -1;
	}
	return 0;
}
