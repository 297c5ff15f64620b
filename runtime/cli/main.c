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
#include "runtime/dist/dist.h"
#include "runtime/repl/repl.h"
#include "runtime/report/report.h"
#include "runtime/train/train.h"

static const char usage_head[] =
"usage: netlang [options] FILE.net     check FILE and print its layers\n"
"       netlang [options]              interactive session (a script when stdin is not a terminal)\n"
"       netlang [options] -f SCRIPT    run a teaching script\n"
"\n"
"What to do with FILE (default --shapes):\n"
"  --shapes                print each layer's output shape, parameters and FLOPs\n"
"  --format table|d2l      netlang's table (default) or D2L's listing, line for line\n"
"  --train                 train on Fashion-MNIST with the file's train { } settings\n"
"  --eval                  report test accuracy of --load'ed weights\n"
"  --time                  forward/backward time per layer and examples/sec\n"
"Settings (override the file's train { } section; see netlang(1)):\n";

static const char usage_tail[] =
"Sessions:\n"
"  -f SCRIPT               run SCRIPT's commands (-k is --keep-going)\n"
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
enum { OPT_SHAPES = 256, OPT_FORMAT, OPT_TRAIN, OPT_EVAL, OPT_TIME, OPT_SETTING };

static const struct option actions[] = {
	{ "shapes", no_argument, NULL, OPT_SHAPES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "train", no_argument, NULL, OPT_TRAIN },
	{ "eval", no_argument, NULL, OPT_EVAL },
	{ "time", no_argument, NULL, OPT_TIME },
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
	nl_options o;
	nl_options_init(&o);
	enum { SHAPES, TRAIN, EVAL, TIME } action = SHAPES;
	nl_format fmt = NL_FMT_TABLE;
	const char *script = NULL;
	int c;
	struct option longopts[NACTIONS + NL_NSETTINGS + 1];
	make_longopts(longopts);

	opterr = 0;   /* our messages, with suggestions, below */
	while ((c = getopt_long(argc, argv, ":f:khV", longopts, NULL)) != -1) {
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
		case 'f': script = optarg; break;
		case 'k': nl_options_set_text(&o, NL_SET_KEEP_GOING, NULL, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		case '?': return unknown_option(argv[optind - 1], longopts), 2;
		case ':':
			fprintf(stderr, "netlang: %s needs a value (netlang --help lists the "
			        "options)\n", argv[optind - 1]);
			return 2;
		case 'V': printf("netlang %s\n", PACKAGE_VERSION); return 0;
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
		status = nl_repl_run(cx, &o, fmt, in, name, interactive, o.keep_going);
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

	nl_options_resolve(&o, &g->train);
	switch (action) {
	case SHAPES:
		nl_print_graph(stdout, g, fmt);
		status = fmt == NL_FMT_TABLE && nl_print_memory(stdout, g, &o) ? 1 : 0;
		break;
	/* under mpirun, each rank trains (or scores) its share */
	case TRAIN:
		status = nl_dist_init() ? 1 : nl_dist_finalize(nl_train(g, &o, title));
		break;
	case EVAL:
		status = nl_dist_init() ? 1 : nl_dist_finalize(nl_evaluate(g, &o));
		break;
	case TIME: status = nl_time(g, &o); break;
	default: status = 2; break;
	}
	nl_graph_free(g);
	return status;
}
