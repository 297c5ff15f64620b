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
#include "lang/suggest.h"
#include "lang/settings.h"
#include "runtime/export/export.h"
#include "runtime/dist/dist.h"
#include "runtime/repl/repl.h"
#include "runtime/report/report.h"
#include "runtime/train/train.h"

static const char usage_head[] =
"usage: netlang [options] FILE.net     check FILE and print its layers\n"
"       netlang [options]              interactive session (a script when stdin is not a terminal)\n"
"       netlang [options] -f SCRIPT    run a teaching script\n"
"       netlang --import MODEL.onnx    print an ONNX model as a .net file\n"
"\n"
"What to do with FILE (default --shapes):\n"
"  --shapes                print each layer's output shape, parameters and FLOPs\n"
"  --format table|d2l|pytorch\n"
"                          netlang's table (default), D2L's listing line for line,\n"
"                          or the network as a runnable PyTorch module\n"
"  --depth N               show block calls nested deeper than N as one row or box\n"
"  --receptive-field, --rf add each layer's receptive field to the table\n"
"  --explain               the arithmetic behind each layer's shape and parameters\n"
"  --draw FILE.svg         draw the architecture (then do any other action given)\n"
"  --train                 train on the data set (default Fashion-MNIST) with the file's\n"
"                          train { } settings\n"
"  --eval                  report test accuracy of --load'ed weights, and per class\n"
"  --time                  forward/backward time per layer and examples/sec\n"
"  --export FILE.onnx      write the network and its weights (--load, else --seed's) as ONNX\n"
"  --logits FILE           write the test images' logits (the first --steps batches, or all)\n"
"Settings (override the file's train { } section; see netlang(1)):\n";

static const char usage_tail[] =
"Sessions:\n"
"  -f SCRIPT               run SCRIPT's commands (-k is --keep-going)\n"
"  --echo                  print each line of a script (and its comments) before its output\n"
"  -h, --help  -V, --version\n";

/* The settings' lines come from their table (lang/settings.def). */
static void usage(FILE *f)
{
	fputs(usage_head, f);
	for (int id = 0; id < NL_NSETTINGS; id++) {
		const nl_setting *t = nl_setting_info(id);
		if (!(t->where & NL_IN_CLI))
			continue;
		char head[64];
		snprintf(head, sizeof head, "--%s%s%s", t->name, *t->arg ? " " : "", t->arg);
		fprintf(f, "  %-22s  %s\n", head, t->help);
	}
	fputs(usage_tail, f);
}

/* getopt's values: the actions, then one per setting. */
enum { OPT_SHAPES = 256, OPT_FORMAT, OPT_TRAIN, OPT_EVAL, OPT_TIME, OPT_EXPORT,
       OPT_LOGITS, OPT_IMPORT, OPT_DEPTH, OPT_RF, OPT_EXPLAIN, OPT_DRAW, OPT_ECHO,
       OPT_SETTING };

static const struct option actions[] = {
	{ "shapes", no_argument, NULL, OPT_SHAPES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "train", no_argument, NULL, OPT_TRAIN },
	{ "eval", no_argument, NULL, OPT_EVAL },
	{ "time", no_argument, NULL, OPT_TIME },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "logits", required_argument, NULL, OPT_LOGITS },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "receptive-field", no_argument, NULL, OPT_RF },
	{ "rf", no_argument, NULL, OPT_RF },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "draw", required_argument, NULL, OPT_DRAW },
	{ "echo", no_argument, NULL, OPT_ECHO },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};
enum { NACTIONS = sizeof actions / sizeof actions[0] };

static void make_longopts(struct option *lo)
{
	int n = 0;
	for (int i = 0; i < NACTIONS; i++)
		lo[n++] = actions[i];
	for (int id = 0; id < NL_NSETTINGS; id++) {
		const nl_setting *t = nl_setting_info(id);
		if (t->where & NL_IN_CLI)
			lo[n++] = (struct option){ t->name, t->type == NL_ST_FLAG ? no_argument
			                                    : required_argument, NULL, OPT_SETTING + id };
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

static int bad_value(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "netlang: --%s '%s': expected %s\n", opt, v, want);
	return -1;
}

/* "unknown option '--epcohs' (did you mean --epochs?)" */
static void unknown_option(const char *arg, const struct option *lo)
{
	const char *name = arg;
	while (*name == '-')
		name++;
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)strcspn(name, "="), name);
	nl_suggest sg;
	nl_suggest_init(&sg, word);
	for (int i = 0; lo[i].name; i++)
		nl_suggest_add(&sg, lo[i].name);
	const char *best = nl_suggest_best(&sg);
	if (best)
		fprintf(stderr, "netlang: unknown option '%s' (did you mean --%s?)\n", arg, best);
	else
		fprintf(stderr, "netlang: unknown option '%s' (netlang --help lists them)\n", arg);
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
	nl_cpu_blas_check(argv);   /* may start netlang again, before anything */
	nl_options o;
	nl_options_init(&o);
	enum { SHAPES, TRAIN, EVAL, TIME, EXPORT, LOGITS, EXPLAIN, PICTURES } action = SHAPES;
	nl_format fmt = NL_FMT_TABLE;
	nl_table_opts table = { 0, 0 };
	int pytorch = 0;
	const char *script = NULL, *out_path = NULL, *import_path = NULL, *draw = NULL;
	int echo = 0, action_given = 0, c;
	struct option longopts[NACTIONS + NL_NSETTINGS + 1];
	make_longopts(longopts);

	opterr = 0;   /* our messages, with suggestions, below */
	while ((c = getopt_long(argc, argv, ":f:khV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SHAPES: action = SHAPES; action_given = 1; break;
		case OPT_TRAIN: action = TRAIN; action_given = 1; break;
		case OPT_EVAL: action = EVAL; action_given = 1; break;
		case OPT_TIME: action = TIME; action_given = 1; break;
		case OPT_EXPORT: action = EXPORT; action_given = 1; out_path = optarg; break;
		case OPT_LOGITS: action = LOGITS; action_given = 1; out_path = optarg; break;
		case OPT_IMPORT: import_path = optarg; break;
		case OPT_EXPLAIN: action = EXPLAIN; action_given = 1; break;
		case OPT_DEPTH: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 0 || v > 1000000)
				return bad_value("depth", optarg, "a number of nested calls, 0 (all) or more"), 2;
			table.depth = (int)v;
			break;
		}
		case OPT_RF: table.rf = 1; break;
		case OPT_DRAW: draw = optarg; break;
		case OPT_ECHO: echo = 1; break;
		case OPT_FORMAT:
			pytorch = strcmp(optarg, "pytorch") == 0;
			if (strcmp(optarg, "table") == 0) fmt = NL_FMT_TABLE;
			else if (strcmp(optarg, "d2l") == 0) fmt = NL_FMT_D2L;
			else if (!pytorch) return bad_value("format", optarg, "table, d2l or pytorch"), 2;
			break;
		case 'f': script = optarg; break;
		case 'k': nl_options_set_text(&o, NL_SET_KEEP_GOING, NULL, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		case '?': return unknown_option(argv[optind - 1], longopts), 2;
		case ':':
			fprintf(stderr, "netlang: %s needs a value (netlang --help lists the "
			        "options)\n", argv[optind - 1]);
			return 2;
		case 'V': {
			printf("netlang %s\n", PACKAGE_VERSION);
			const char *core = nl_cpu_blas_core();
			if (core)
				printf("OpenBLAS kernels: %s\n", core);
			return 0;
		}
		default: {
			int id = c - OPT_SETTING;
			char want[128];
			if (id < 0 || id >= NL_NSETTINGS) {
				usage(stderr);
				return 2;
			}
			if (nl_options_set_text(&o, id, optarg, want, sizeof want))
				return bad_value(nl_setting_info(id)->name, optarg ? optarg : "", want), 2;
			break;
		}
		}
	}
	if (import_path) {
		if (optind != argc) {
			fprintf(stderr, "netlang: --import reads a model, not a .net file\n");
			return 2;
		}
		return nl_import_onnx(stdout, import_path) ? 1 : 0;
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
		status = nl_repl_run(cx, &o, fmt, in, name, interactive, o.keep_going, echo);
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
	/* --explain shows the arithmetic up to a shape error too */
	int failed = -1;
	nl_graph *g = action == EXPLAIN ? nl_build_partial(cx, &failed) : nl_build(cx);
	if (!g) {
		nl_ctx_free(cx);
		return 1;
	}
	if (failed >= 0) {
		nl_explain(stdout, g, failed);
		nl_graph_free(g);
		nl_ctx_free(cx);
		return 1;
	}
	/* The report's title: the file's base name without .net. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char title[256];
	snprintf(title, sizeof title, "%s", base);
	char *dot = strrchr(title, '.');
	if (dot && strcmp(dot, ".net") == 0)
		*dot = 0;

	nl_options_resolve(&o, &g->train);
	if (draw) {
		if (nl_draw_svg(draw, g, table.depth, base) != 0) {
			nl_graph_free(g);
			nl_ctx_free(cx);
			return 1;
		}
		printf("drew %s in %s\n", base, draw);
		if (!action_given && !o.predict && !o.filters) {
			nl_graph_free(g);
			nl_ctx_free(cx);
			return 0;
		}
	}
	/* --predict and --filters on their own show --load'ed weights */
	if (action == SHAPES && !action_given && (o.predict || o.filters))
		action = PICTURES;
	switch (action) {
	case SHAPES:
		if (pytorch) {
			/* the program as written, not only its graph */
			status = nl_export_pytorch(stdout, cx, g, &o, path) ? 1 : 0;
			break;
		}
		if (fmt == NL_FMT_D2L)
			nl_print_graph(stdout, g, fmt);
		status = fmt == NL_FMT_TABLE && (nl_print_table(stdout, g, &table) ||
		                                 nl_print_memory(stdout, g, &o)) ? 1 : 0;
		break;
	case EXPORT: status = nl_export_onnx(out_path, g, &o) ? 1 : 0; break;
	case LOGITS: status = nl_export_logits(out_path, g, &o) ? 1 : 0; break;
	case EXPLAIN: status = nl_explain(stdout, g, -1) ? 1 : 0; break;
	/* under mpirun, each rank trains (or scores) its share */
	case TRAIN:
		status = nl_dist_init() ? 1 : nl_dist_finalize(nl_train(g, &o, title));
		break;
	case EVAL:
		status = nl_dist_init() ? 1 : nl_dist_finalize(nl_evaluate(g, &o));
		break;
	case TIME: status = nl_time(g, &o); break;
	case PICTURES: status = nl_pictures(g, &o, title); break;
	default: status = 2; break;
	}
	nl_ctx_free(cx);
	nl_graph_free(g);
	return status;
}
