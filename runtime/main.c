/* main.c - the netlang command: check a .net file and print its shapes,
 * train it, evaluate or time it; with no file, the REPL or a script. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/lang.h"
#include "runtime/options.h"
#include "runtime/repl.h"
#include "runtime/train.h"

static const char usage[] =
"usage: netlang [options] FILE.net     check FILE and print its layers\n"
"       netlang [options]              interactive session (a script when stdin is not a terminal)\n"
"       netlang [options] -f SCRIPT    run a teaching script\n"
"\n"
"What to do with FILE (default --shapes):\n"
"  --shapes              print each layer's output shape, parameters and FLOPs\n"
"  --format table|d2l    netlang's table (default) or D2L's listing, line for line\n"
"  --train               train on the data set (default Fashion-MNIST) with the file's\n"
"                        train { } settings\n"
"  --eval                report test accuracy of --load'ed weights, and per class\n"
"  --time                forward/backward time per layer and examples/sec\n"
"Training (override the file's train { } section):\n"
"  --epochs N  --batch N  --lr X  --momentum X  --weight-decay X  --seed N\n"
"  --data fashion-mnist|mnist|cifar10|folder:DIR|DIR   the data set (see netlang(1))\n"
"  --resize N            run the net on NxN images (its input line says otherwise)\n"
"  --steps N             stop after N steps (smoke runs); --log-every N prints step losses\n"
"  --save FILE  --load FILE         weights files\n"
"  --plot FILE.svg       loss and accuracy curves per epoch\n"
"  --quiet               only the final two lines\n"
"Execution:\n"
"  --device cpu|gpu|auto (default auto)   --threads N (CPU)   --no-tf32 (GPU)\n"
"  --iterations N        timed iterations for --time (default 5)\n"
"Sessions:\n"
"  -f SCRIPT             run SCRIPT's commands; -k, --keep-going: past errors\n"
"  -h, --help  -V, --version\n";

enum { OPT_SHAPES = 256, OPT_FORMAT, OPT_TRAIN, OPT_EVAL, OPT_TIME, OPT_EPOCHS, OPT_BATCH,
       OPT_LR, OPT_MOMENTUM, OPT_WD, OPT_SEED, OPT_DATA, OPT_STEPS, OPT_LOG_EVERY,
       OPT_SAVE, OPT_LOAD, OPT_PLOT, OPT_DEVICE, OPT_THREADS, OPT_NO_TF32,
       OPT_ITERATIONS, OPT_QUIET, OPT_RESIZE };

static const struct option longopts[] = {
	{ "shapes", no_argument, NULL, OPT_SHAPES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "train", no_argument, NULL, OPT_TRAIN },
	{ "eval", no_argument, NULL, OPT_EVAL },
	{ "time", no_argument, NULL, OPT_TIME },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "lr", required_argument, NULL, OPT_LR },
	{ "momentum", required_argument, NULL, OPT_MOMENTUM },
	{ "weight-decay", required_argument, NULL, OPT_WD },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "resize", required_argument, NULL, OPT_RESIZE },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "log-every", required_argument, NULL, OPT_LOG_EVERY },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "no-tf32", no_argument, NULL, OPT_NO_TF32 },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int bad_value(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "netlang: --%s '%s': expected %s\n", opt, v, want);
	return -1;
}

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi) {
		char want[96];
		snprintf(want, sizeof want, "an integer from %ld to %ld", lo, hi);
		return bad_value(opt, v, want);
	}
	*out = x;
	return 0;
}

static int parse_double(const char *opt, const char *v, double lo, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= lo) || x > 1e9)
		return bad_value(opt, v, lo > 0 ? "a positive number" : "a non-negative number");
	*out = x;
	return 0;
}

/* `use` looks in $NETLANG_PATH, then next to the program's own stdlib:
 * the source tree's when running from the build tree, else the installed. */
static void add_lib_dirs(nl_ctx *cx)
{
	const char *env = getenv("NETLANG_PATH");
	if (env && *env) {
		char *copy = strdup(env);
		for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
		     d = strtok_r(NULL, ":", &save))
			nl_add_lib_dir(cx, d);
		free(copy);
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int in_build = 0;
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			in_build = strcmp(exe, NL_BUILD_DIR) == 0;
		}
	}
	if (in_build)
		nl_add_lib_dir(cx, NL_BUILD_STDLIB_DIR);
	nl_add_lib_dir(cx, NL_STDLIB_DIR);
}

int main(int argc, char **argv)
{
	nl_options o;
	nl_options_init(&o);
	enum { SHAPES, TRAIN, EVAL, TIME } action = SHAPES;
	nl_format fmt = NL_FMT_TABLE;
	const char *script = NULL;
	int keep_going = 0, c;
	long v;
	double d;

	while ((c = getopt_long(argc, argv, "f:khV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SHAPES: action = SHAPES; break;
		case OPT_TRAIN: action = TRAIN; break;
		case OPT_EVAL: action = EVAL; break;
		case OPT_TIME: action = TIME; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0) fmt = NL_FMT_TABLE;
			else if (strcmp(optarg, "d2l") == 0) fmt = NL_FMT_D2L;
			else return bad_value("format", optarg, "table or d2l"), 2;
			break;
		case OPT_EPOCHS:
			if (parse_long("epochs", optarg, 1, 100000, &v)) return 2;
			o.epochs = (int)v; break;
		case OPT_BATCH:
			if (parse_long("batch", optarg, 1, 1 << 20, &v)) return 2;
			o.batch = (int)v; break;
		case OPT_LR:
			if (parse_double("lr", optarg, 1e-300, &d)) return 2;
			o.lr = d; break;
		case OPT_MOMENTUM:
			if (parse_double("momentum", optarg, 0, &d)) return 2;
			if (d >= 1) return bad_value("momentum", optarg, "a number in [0, 1)"), 2;
			o.momentum = d; break;
		case OPT_WD:
			if (parse_double("weight-decay", optarg, 0, &d)) return 2;
			o.weight_decay = d; break;
		case OPT_SEED:
			if (parse_long("seed", optarg, 0, LONG_MAX, &v)) return 2;
			o.has_seed = 1; o.seed = (uint64_t)v; break;
		case OPT_DATA: o.data = optarg; break;
		case OPT_RESIZE:
			if (parse_long("resize", optarg, 1, 4096, &v)) return 2;
			o.resize = (int)v; break;
		case OPT_STEPS:
			if (parse_long("steps", optarg, 1, LONG_MAX, &v)) return 2;
			o.max_steps = v; break;
		case OPT_LOG_EVERY:
			if (parse_long("log-every", optarg, 1, LONG_MAX, &v)) return 2;
			o.log_every = v; break;
		case OPT_SAVE: o.save = optarg; break;
		case OPT_LOAD: o.load = optarg; break;
		case OPT_PLOT: o.plot = optarg; break;
		case OPT_DEVICE:
			if (strcmp(optarg, "cpu") == 0) o.device = NL_DEV_CPU;
			else if (strcmp(optarg, "gpu") == 0 || strcmp(optarg, "cuda") == 0) o.device = NL_DEV_GPU;
			else if (strcmp(optarg, "auto") == 0) o.device = NL_DEV_AUTO;
			else return bad_value("device", optarg, "cpu, gpu or auto"), 2;
			break;
		case OPT_THREADS:
			if (parse_long("threads", optarg, 1, 1024, &v)) return 2;
			o.threads = (int)v; break;
		case OPT_NO_TF32: o.tf32 = 0; break;
		case OPT_ITERATIONS:
			if (parse_long("iterations", optarg, 1, 1000000, &v)) return 2;
			o.time_iterations = (int)v; break;
		case OPT_QUIET: o.quiet = 1; break;
		case 'f': script = optarg; break;
		case 'k': keep_going = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("netlang %s\n", PACKAGE_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "netlang: one .net file at a time (got %d)\n", argc - optind);
		return 2;
	}

	nl_ctx *cx = nl_ctx_new();
	if (!cx) {
		fprintf(stderr, "netlang: out of memory\n");
		return 1;
	}
	add_lib_dirs(cx);
	int status;

	if (optind == argc) {
		/* No file: a session, interactive only on a terminal. */
		FILE *in = stdin;
		const char *name = "<stdin>";
		if (script) {
			in = fopen(script, "r");
			if (!in) {
				fprintf(stderr, "netlang: %s: %s\n", script, strerror(errno));
				nl_ctx_free(cx);
				return 1;
			}
			name = script;
		}
		int interactive = !script && isatty(STDIN_FILENO);
		status = nl_repl_run(cx, &o, fmt, in, name, interactive, keep_going);
		if (script)
			fclose(in);
		nl_ctx_free(cx);
		return status;
	}

	const char *path = argv[optind];
	if (nl_load_file(cx, path) != NL_OK) {
		nl_ctx_free(cx);
		return 1;
	}
	/* --resize trains (or shows) the same net at another image size. */
	if (o.resize > 0)
		nl_override_input_size(cx, o.resize, o.resize);
	nl_graph *g = nl_build(cx);
	nl_ctx_free(cx);
	if (!g)
		return 1;
	/* The report's title: the file's base name without .net. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char title[256];
	snprintf(title, sizeof title, "%s", base);
	char *dot = strrchr(title, '.');
	if (dot && strcmp(dot, ".net") == 0)
		*dot = 0;

	nl_options_resolve(&o, g);
	switch (action) {
	case SHAPES:
		nl_print_graph(stdout, g, fmt, o.batch);
		status = 0;
		break;
	case TRAIN: status = nl_train(g, &o, title); break;
	case EVAL: status = nl_evaluate(g, &o); break;
	case TIME: status = nl_time(g, &o); break;
	default: status = 2; break;
	}
	nl_graph_free(g);
	return status;
}
