/* commands.c - the session's `:` commands.
 *
 * A command is a line starting with a colon.  Each one either succeeds or
 * prints one located error and leaves the net as it was, like a bad line.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		printf("  %-26s %s\n", head, c->help);
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

static int cmd_show(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv) || need_net(r))
		return -1;
	nl_options o = *r->opts;
	nl_options_resolve(&o, &r->g->train);
	nl_print_graph(stdout, r->g, NL_FMT_TABLE);
	return nl_print_memory(stdout, r->g, &o);
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

static int cmd_undo(repl *r, int argc, char **argv, char *rest)
{
	(void)rest;
	if (no_args(r, argc, argv))
		return -1;
	if (!nl_undo(r->cx)) {
		repl_error(r, r->line, 1, "nothing to undo");
		return -1;
	}
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
	return status == 0 ? 0 : -1;
}

static const command commands[] = {
	{ "help", "", "this list", cmd_help },
	{ "load", "FILE", "add FILE's definitions and layers (they print as they are added)", cmd_load },
	{ "show", "", "the whole net as a table: shapes, parameters, FLOPs, totals", cmd_show },
	{ "expand", "[BLOCK]", "the layers of the last block call (or of BLOCK's last call)", cmd_expand },
	{ "undo", "", "drop the last statement that added layers (not `input`)", cmd_undo },
	{ "reset", "", "start again with an empty net", cmd_reset },
	{ "save", "FILE.net", "write the session as a .net file", cmd_save },
	{ "format", "table|d2l", "how layers print: the session's lines or D2L's", cmd_format },
	{ "train", "[OPTIONS]", "train the net (--epochs N --batch N --lr X ... as for --train)", cmd_train },
	{ "quit", "", "end the session (so does Ctrl-D)", cmd_quit },
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
