/* commands.c - the session's `:` commands.
 *
 * A command is a line starting with a colon.  Each one either succeeds or
 * prints one located error and leaves the net as it was, like a bad line.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/suggest.h"
#include "runtime/data/data.h"
#include "runtime/repl/session.h"
#include "runtime/report/report.h"
#include "runtime/train/train.h"

enum { MAX_WORDS = 64 };

typedef struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(repl *r, int argc, char **argv, char *rest);
} command;

static const command commands[];

static int need_net(repl *r)
{
	if (r->g)
		return 0;
	repl_error(r, r->line, 1, "the net is empty: start it with `input CxHxW`, e.g. input 1x224x224");
	return -1;
}

static int no_args(repl *r, int argc, char **argv)
{
	if (argc <= 1)
		return 0;
	repl_error(r, r->line, 1, ":%s takes no arguments", argv[0]);
	return -1;
}

static int cmd_help(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv))
		return -1;
	puts("Type a statement (input 1x224x224, conv 11x11/4 -> 96, def, repeat, use vgg, ...)");
	puts("to add it to the net and see its output shape.  Commands:");
	for (const command *c = commands; c->name; c++) {
		char head[64];
		snprintf(head, sizeof head, ":%s%s%s", c->name, *c->args ? " " : "", c->args);
		printf("  %-28s %s\n", head, c->help);
	}
	puts("A block left open continues on the next line (prompt ...>).");
	return 0;
}

static int cmd_quit(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv))
		return -1;
	r->quit = 1;
	return 0;
}

static int cmd_load(repl *r, int argc, char **argv, char *rest)
{
	(void)argv;
	if (argc < 2) {
		repl_error(r, r->line, 1, ":load needs a file name");
		return -1;
	}
	nl_mark before = nl_get_mark(r->cx);
	if (nl_load_file(r->cx, rest) != NL_OK)
		return -1;
	return repl_rebuild(r, before, 1);
}

static int cmd_save(repl *r, int argc, char **argv, char *rest)
{
	(void)argv;
	if (argc < 2) {
		repl_error(r, r->line, 1, ":save needs a file name");
		return -1;
	}
	nl_atomic_file a;
	if (nl_atomic_open(&a, rest) < 0)
		return -1;
	if (nl_write_source(r->cx, a.f) != NL_OK) {
		nl_atomic_abort(&a);
		return -1;
	}
	if (nl_atomic_commit(&a) < 0)
		return -1;
	printf("saved %d statement%s to %s\n", nl_nstatements(r->cx),
	       nl_nstatements(r->cx) == 1 ? "" : "s", rest);
	return 0;
}

/* --depth N and --rf, as the command line spells them; `words` says
 * which the command takes.  Returns the index of the first other word. */
static int view_options(repl *r, int argc, char **argv, nl_table_opts *t)
{
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--rf") == 0 || strcmp(argv[i], "--receptive-field") == 0) {
			t->rf = 1;
		} else if (strncmp(argv[i], "--depth", 7) == 0) {
			const char *v = argv[i][7] == '=' ? argv[i] + 8
			              : argv[i][7] == '\0' && i + 1 < argc ? argv[++i] : NULL;
			char *end;
			long d = v ? strtol(v, &end, 10) : -1;
			if (!v || !*v || *end || d < 0 || d > 1000000) {
				repl_error(r, r->line, 1, ":%s --depth takes a number of nested calls, "
				           "0 (all) or more", argv[0]);
				return -1;
			}
			t->depth = (int)d;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			repl_error(r, r->line, 1, ":%s: unknown option '%s'", argv[0], argv[i]);
			return -1;
		} else {
			break;
		}
	}
	return i;
}

static int cmd_show(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	nl_table_opts t = { 0, 0 };
	int i = view_options(r, argc, argv, &t);
	if (i < 0)
		return -1;
	if (i < argc) {
		repl_error(r, r->line, 1, ":show takes --depth N and --rf, not '%s'", argv[i]);
		return -1;
	}
	if (need_net(r))
		return -1;
	nl_options o = *r->opts;
	nl_options_resolve(&o, &r->g->train);
	if (nl_print_table(stdout, r->g, &t))
		return -1;
	return nl_print_memory(stdout, r->g, &o);
}

static int cmd_draw(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	nl_table_opts t = { 0, 0 };
	int i = view_options(r, argc, argv, &t);
	if (i < 0)
		return -1;
	if (i + 1 != argc) {
		repl_error(r, r->line, 1, ":draw needs one file name (and may take --depth N): "
		           ":draw net.svg");
		return -1;
	}
	if (need_net(r))
		return -1;
	if (nl_draw_svg(argv[i], r->g, t.depth, "session"))
		return -1;
	printf("drew the net in %s\n", argv[i]);
	return 0;
}

/* :explain [on|off|all|N|BLOCK|LAYER]: the last layer's arithmetic, every
 * layer's, layer N's (the table's numbering), the layers of BLOCK's last
 * call, or the last layer of a kind (conv); on and off make every layer a
 * line adds print its arithmetic, and a shape that fails too. */
static int cmd_explain(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (argc > 2) {
		repl_error(r, r->line, 1, ":explain takes at most one word (:help explains it)");
		return -1;
	}
	const char *w = argc == 2 ? argv[1] : NULL;
	if (w && (strcmp(w, "on") == 0 || strcmp(w, "off") == 0)) {
		r->explain = w[1] == 'n';
		printf("explain %s\n", r->explain ? "on" : "off");
		return 0;
	}
	if (need_net(r))
		return -1;
	const nl_graph *g = r->g;
	int first = g->nnodes - 1, last = g->nnodes - 1;
	char *end;
	long n = w ? strtol(w, &end, 10) : 0;
	const char *spelling, *const *params;
	if (!w) {
		/* the last layer */
	} else if (strcmp(w, "all") == 0) {
		first = 0;
	} else if (*w >= '0' && *w <= '9' && !*end) {
		if (n >= g->nnodes) {
			repl_error(r, r->line, 1, "the net has layers 0 to %d (:show numbers them)",
			           g->nnodes - 1);
			return -1;
		}
		first = last = (int)n;
	} else if (nl_block_params(r->cx, w, &params) >= 0) {
		int call = repl_find_call(r, w, &first);
		if (call < 0) {
			repl_error(r, r->line, 1, "the net has no call of '%s'", w);
			return -1;
		}
		last = g->origins[call].last_node;
	} else {
		int kind = nl_kind_lookup(w, strlen(w), &spelling);
		while (kind >= 0 && first > 0 && g->nodes[first].kind != (nl_kind)kind)
			first--;
		if (kind < 0 || g->nodes[first].kind != (nl_kind)kind) {
			repl_error(r, r->line, 1, kind < 0 ? "'%s' is neither a layer number, a block "
			           "nor a layer kind" : "the net has no %s layer", w);
			return -1;
		}
		last = first;
	}
	return repl_explain_nodes(r, g, first, last, -1);
}

static int cmd_expand(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (argc > 2) {
		repl_error(r, r->line, 1, ":expand takes at most a block name");
		return -1;
	}
	if (need_net(r))
		return -1;
	if (repl_print_expand(r, argc == 2 ? argv[1] : NULL) < 0) {
		if (argc == 2)
			repl_error(r, r->line, 1, "the net has no call of '%s' that adds layers", argv[1]);
		else
			repl_error(r, r->line, 1, "the net has no block calls that add layers");
		return -1;
	}
	return 0;
}

/* The last layer, as a reminder of where the net now ends. */
static void print_end(const repl *r)
{
	if (!r->g || r->g->nnodes < 2) {
		puts(r->g ? "undone: the net is its input alone" : "undone: the net is empty");
		return;
	}
	fputs("undone: the net ends with ", stdout);
	repl_print_node(stdout, r->g, r->g->nnodes - 1, NL_FMT_TABLE, 0);
}

/* The last line that added statements goes, all of them: the context
 * returns to its mark, less what the line defined (definitions stay) and
 * less the input, which is never undone. */
static int cmd_undo(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv))
		return -1;
	if (r->nundo == 0) {
		repl_error(r, r->line, 1, "nothing to undo");
		return -1;
	}
	nl_mark m = r->undo[--r->nundo], now = nl_get_mark(r->cx);
	now.nstmts = m.nstmts;
	if (now.has_input && !m.has_input)
		now.nstmts++;   /* the line's input, its first statement, stays */
	nl_rollback(r->cx, now);
	nl_graph *g = NULL;
	if (nl_get_mark(r->cx).has_input) {
		/* A prefix of a net that built builds too; should it ever not,
		 * the diagnostic is printed and the session shows no net. */
		g = nl_build(r->cx);
	}
	if (r->g)
		nl_graph_free(r->g);
	r->g = g;
	print_end(r);
	return 0;
}

static int cmd_reset(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv))
		return -1;
	nl_rollback(r->cx, r->start);
	if (r->g)
		nl_graph_free(r->g);
	r->g = NULL;
	r->nundo = 0;
	puts("the net is empty");
	return 0;
}

static int cmd_format(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (argc == 1) {
		printf("format %s\n", r->fmt == NL_FMT_D2L ? "d2l" : "table");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "table") == 0)
		r->fmt = NL_FMT_TABLE;
	else if (argc == 2 && strcmp(argv[1], "d2l") == 0)
		r->fmt = NL_FMT_D2L;
	else {
		repl_error(r, r->line, 1, ":format takes table or d2l");
		return -1;
	}
	return 0;
}

static int cmd_train(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (need_net(r))
		return -1;
	nl_options o = *r->opts;
	if (repl_train_options(r, argc - 1, argv + 1, &o) < 0)
		return -1;
	nl_options_resolve(&o, &r->g->train);
	fflush(stdout);
	if (r->interactive)
		repl_rl_sigint_default(1);
	int status = nl_train(r->g, &o, "session");
	if (r->interactive)
		repl_rl_sigint_default(0);
	/* Ctrl-C at the prompt's :train gives the prompt back; SIGTERM, or
	 * Ctrl-C in a script, ends the session as it would a shell script:
	 * the next lines are not run. */
	if (status == 128 + SIGTERM || (status == 128 + SIGINT && !r->interactive)) {
		r->quit = 1;
		r->signalled = status;
	}
	return status == 0 ? 0 : -1;
}

static const command commands[] = {
	{ "help", "", "this list", cmd_help },
	{ "load", "FILE", "add FILE's definitions and layers (they print as they are added)", cmd_load },
	{ "show", "[--depth N] [--rf]", "the whole net as a table: shapes, parameters, FLOPs, totals", cmd_show },
	{ "expand", "[BLOCK]", "the layers of the last block call (or of BLOCK's last call)", cmd_expand },
	{ "explain", "[N|BLOCK|KIND|all]", "the arithmetic behind the last layer's shape (or layer N's, ...)", cmd_explain },
	{ "explain", "on|off", "print that arithmetic for every layer added, and for a shape that fails", cmd_explain },
	{ "draw", "[--depth N] FILE.svg", "draw the net's architecture", cmd_draw },
	{ "undo", "", "drop what the last line added (not `input`; definitions stay)", cmd_undo },
	{ "reset", "", "start again with an empty net", cmd_reset },
	{ "save", "FILE.net", "write the session as a .net file", cmd_save },
	{ "format", "table|d2l", "how layers print: the session's lines or D2L's", cmd_format },
	{ "train", "[OPTIONS]", "train the net (--epochs N --batch N --lr X ... as for --train)", cmd_train },
	{ "quit", "", "end the session (so does Ctrl-D at an empty prompt)", cmd_quit },
	{ NULL, NULL, NULL, NULL }
};

const char *repl_command_name(int i)
{
	if (i < 0 || i >= (int)(sizeof commands / sizeof commands[0]) - 1)
		return NULL;
	return commands[i].name;
}

int repl_command(repl *r, char *text)
{
	/* text starts at the colon; `rest` is everything after the command
	 * word, trimmed, so file names keep their inner spaces. */
	char *p = text + 1;
	char *end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	char *rest = p + strcspn(p, " \t");
	rest += strspn(rest, " \t");
	char *copy = strdup(rest);
	if (!copy) {
		repl_error(r, r->line, 1, "out of memory");
		return -1;
	}

	char *argv[MAX_WORDS + 1];
	int argc = 0;
	for (char *save = NULL, *w = strtok_r(p, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (argc == MAX_WORDS) {
			repl_error(r, r->line, 1, "too many words in a command (at most %d)", MAX_WORDS);
			free(copy);
			return -1;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		repl_error(r, r->line, 1, "a command name must follow ':' (:help lists them)");
		free(copy);
		return -1;
	}
	const command *c = commands;
	while (c->name && strcmp(c->name, argv[0]) != 0)
		c++;
	if (!c->name && strcmp(argv[0], "q") == 0)
		c = &commands[sizeof commands / sizeof commands[0] - 2];
	if (!c->name) {
		nl_suggest sg;
		nl_suggest_init(&sg, argv[0]);
		for (const command *k = commands; k->name; k++)
			nl_suggest_add(&sg, k->name);
		const char *best = nl_suggest_best(&sg);
		if (best)
			repl_error(r, r->line, 1, "unknown command ':%s' (did you mean :%s?)",
			           argv[0], best);
		else
			repl_error(r, r->line, 1, "unknown command ':%s' (:help lists them)", argv[0]);
		free(copy);
		return -1;
	}
	int located = r->located;
	int rc = c->run(r, argc, argv, copy);
	/* :load, :save and :train fail in the front end, in files and in
	 * training, whose messages do not know the script's line: say which
	 * line of the script gave the command. */
	if (rc < 0 && r->located == located) {
		fflush(stdout);
		fprintf(stderr, "%s:%d:1: note: in the command ':%s'\n", r->name, r->line, argv[0]);
	}
	free(copy);
	return rc;
}
