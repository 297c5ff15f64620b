/* readline.c - the terminal side of a session: GNU readline's prompt,
 * a history file kept across sessions, tab completion, and Ctrl-C.
 *
 * Lines are read through readline's callback interface from a select()
 * loop.  Our SIGINT handler only sets a flag; it is installed without
 * SA_RESTART, so select() returns EINTR and the loop abandons the line in
 * plain code, outside the handler.  (The blocking readline() call retries
 * its read() after a signal and cannot be made to return early without
 * jumping out of a signal handler.)
 *
 * History: $XDG_STATE_HOME/netlang/history when XDG_STATE_HOME is set,
 * else ~/.netlang_history; each line is appended as it is entered, so a
 * session that is killed keeps its history.
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "lang/kinds.h"
#include "runtime/repl/session.h"

enum { HISTORY_LINES = 1000 };

static repl *session;            /* for completion of block names */
static char *history_path;
static volatile sig_atomic_t got_sigint;
static struct sigaction old_sigint;

static char *line_read;          /* what the line handler got */
static int line_done;

/* The language's own words; layer keywords come from the table of kinds
 * (nl_kind_keyword). */
static const char *const keywords[] = {
	"use", "input", "global", "pad", "def", "repeat", "if", "else", "concat",
	"add", "branch", "train", NULL
};

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

/* ---- history ---------------------------------------------------------- */

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

static char *find_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	if (state && *state == '/') {
		char *dir = path_join(state, "netlang");
		if (!dir)
			return NULL;
		mkdir(state, 0700);     /* may exist; a failure shows below */
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			free(dir);
			return NULL;
		}
		char *p = path_join(dir, "history");
		free(dir);
		return p;
	}
	const char *home = getenv("HOME");
	if (home && *home)
		return path_join(home, ".netlang_history");
	return NULL;
}

void repl_rl_remember(const char *line)
{
	add_history(line);
	if (history_path && append_history(1, history_path) != 0) {
		/* The file went away or cannot be written: keep the session's
		 * history in memory and stop trying. */
		free(history_path);
		history_path = NULL;
	}
}

/* ---- completion ------------------------------------------------------- */

static const char **candidates;  /* this completion's words */
static int ncandidates;

static char *next_candidate(const char *text, int state)
{
	static int i;
	static size_t len;
	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (i < ncandidates) {
		const char *c = candidates[i++];
		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

static int add_candidate(const char *word, const char *prefix)
{
	if (prefix && strncmp(word, prefix, strlen(prefix)) != 0)
		return 0;
	const char **p = realloc(candidates, (size_t)(ncandidates + 1) * sizeof *p);
	if (!p)
		return -1;
	candidates = p;
	candidates[ncandidates++] = word;
	return 0;
}

/* nl_block_names' array belongs to the context (a cache that the next
 * call replaces): never freed here. */
static int is_block(const char *word)
{
	const char **names = NULL;
	int n = nl_block_names(session->cx, &names), found = 0;
	for (int i = 0; i < n && !found; i++)
		found = strcmp(names[i], word) == 0;
	return found;
}

static char **complete_with(const char *text, const char **names, int nnames,
                            const char *(*table)(int), const char *prefix,
                            const char *const *words)
{
	ncandidates = 0;
	for (int i = 0; words && words[i]; i++)
		add_candidate(words[i], NULL);
	for (int i = 0; i < nnames; i++)
		add_candidate(names[i], NULL);
	/* Command names and :train options are completed with their prefix
	 * (":" or "--") as typed. */
	static char buf[64][40];
	for (int i = 0; table && table(i) && i < 64; i++) {
		snprintf(buf[i], sizeof buf[i], "%s%s", prefix, table(i));
		add_candidate(buf[i], NULL);
	}
	char **m = rl_completion_matches(text, next_candidate);
	free(candidates);
	candidates = NULL;
	ncandidates = 0;
	return m;
}

/* The libraries `use` finds: NAME for each NAME.net in the library
 * directories (the first directory's wins, as for `use`). */
static char **complete_use(const char *text)
{
	const char *const *dirs;
	int nd = nl_lib_dirs(session->cx, &dirs);
	char **names = NULL;
	int n = 0;
	for (int i = 0; i < nd; i++) {
		DIR *dir = opendir(dirs[i]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (len <= 4 || strcmp(e->d_name + len - 4, ".net") != 0)
				continue;
			char *name = strndup(e->d_name, len - 4);
			int dup = 0;
			for (int k = 0; name && k < n && !dup; k++)
				dup = strcmp(names[k], name) == 0;
			char **p = name && !dup ? realloc(names, (size_t)(n + 1) * sizeof *p) : NULL;
			if (!p) {
				free(name);
				continue;
			}
			names = p;
			names[n++] = name;
		}
		if (dir)
			closedir(dir);
	}
	char **m = complete_with(text, (const char **)names, n, NULL, "", NULL);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return m;
}

/* Inside the parentheses of a call, the block's parameters are the help
 * a completion can give: "vgg_block(n, c)" is printed under the line,
 * which is left as it is.  Returns whether the cursor is in a call's
 * arguments. */
static int call_hint(const char *line, int start)
{
	int depth = 0, open = -1;
	for (int i = start - 1; i >= 0 && open < 0; i--) {
		if (line[i] == ')')
			depth++;
		else if (line[i] == '(' && depth-- == 0)
			open = i;
	}
	if (open < 0)
		return 0;
	int e = open;
	while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	int b = e;
	while (b > 0 && (isalnum((unsigned char)line[b - 1]) || line[b - 1] == '_'))
		b--;
	char name[256];
	if (e - b <= 0 || e - b >= (int)sizeof name)
		return 1;
	memcpy(name, line + b, (size_t)(e - b));
	name[e - b] = '\0';
	const char *const *params;
	int n = nl_block_params(session->cx, name, &params);
	if (n < 0)
		return 1;
	fprintf(rl_outstream, "\n%s(", name);
	for (int i = 0; i < n; i++)
		fprintf(rl_outstream, "%s%s", i ? ", " : "", params[i]);
	fprintf(rl_outstream, ")%s\n", n ? ": integers (true is 1, false 0)" : "");
	rl_on_new_line();
	return 1;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;   /* no file names unless below */
	rl_completion_append_character = ' ';
	const char *line = rl_line_buffer;
	int lead = (int)strspn(line, " \t");

	if (line[lead] == ':') {
		int word_end = lead + (int)strcspn(line + lead, " \t");
		if (start <= lead || start < word_end)
			return complete_with(text, NULL, 0, repl_command_name, ":", NULL);
		size_t n = (size_t)(word_end - lead - 1);
		const char *cmd = line + lead + 1;
		if ((n == 4 && !strncmp(cmd, "load", 4)) || (n == 4 && !strncmp(cmd, "save", 4))) {
			rl_attempted_completion_over = 0;   /* readline's file names */
			return NULL;
		}
		if (n == 6 && !strncmp(cmd, "format", 6)) {
			static const char *const formats[] = { "table", "d2l", NULL };
			return complete_with(text, NULL, 0, NULL, "", formats);
		}
		if (n == 5 && !strncmp(cmd, "train", 5))
			return complete_with(text, NULL, 0, repl_train_option_name, "--", NULL);
		if ((n == 4 && !strncmp(cmd, "draw", 4)) && start > 0 && line[start - 1] != '-') {
			rl_attempted_completion_over = 0;
			return NULL;
		}
		if ((n == 6 && !strncmp(cmd, "expand", 6)) || (n == 7 && !strncmp(cmd, "explain", 7))) {
			const char **names = NULL;
			int nn = nl_block_names(session->cx, &names);
			return complete_with(text, names, nn, NULL, "", NULL);
		}
		return NULL;
	}

	/* `use <TAB>`: a library's name, not a layer's */
	int stmt = start;
	while (stmt > 0 && line[stmt - 1] != ';' && line[stmt - 1] != '{' && line[stmt - 1] != '}')
		stmt--;
	stmt += (int)strspn(line + stmt, " \t");
	if (strncmp(line + stmt, "use", 3) == 0 && (line[stmt + 3] == ' ' || line[stmt + 3] == '\t')
	    && start > stmt + 3)
		return complete_use(text);
	if (call_hint(line, start))
		return NULL;
	const char **names = NULL;
	int nn = nl_block_names(session->cx, &names);
	char **m = complete_with(text, names, nn, nl_kind_keyword, "", keywords);
	/* A block name completes to a call: `vgg_bl<TAB>` gives `vgg_block(`. */
	if (m && !m[1] && is_block(m[0]))
		rl_completion_append_character = '(';
	return m;
}

/* ---- reading a line --------------------------------------------------- */

static void on_line(char *line)
{
	line_read = line;
	line_done = 1;
	rl_callback_handler_remove();
}

void repl_rl_init(repl *r, FILE *in)
{
	session = r;
	rl_readline_name = "netlang";
	rl_instream = in;
	rl_outstream = stdout;
	rl_catch_signals = 0;          /* SIGINT is ours, see above */
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,";

	using_history();
	stifle_history(HISTORY_LINES);
	history_path = find_history_path();
	if (history_path && read_history(history_path) != 0 &&
	    write_history(history_path) != 0) {
		free(history_path);
		history_path = NULL;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;               /* no SA_RESTART: select() must see EINTR */
	sigaction(SIGINT, &sa, &old_sigint);
}

char *repl_rl_read(const char *prompt, int *interrupted)
{
	*interrupted = 0;
	line_read = NULL;
	line_done = 0;
	got_sigint = 0;
	fflush(stdout);
	rl_callback_handler_install(prompt, on_line);
	int fd = fileno(rl_instream);
	while (!line_done) {
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		int n = select(fd + 1, &fds, NULL, NULL, NULL);
		if (n < 0 && errno == EINTR) {
			if (!got_sigint)
				continue;
			/* Ctrl-C: forget the half-typed line and start afresh. */
			got_sigint = 0;
			*interrupted = 1;
			rl_echo_signal_char(SIGINT);   /* "^C" where the cursor is */
			rl_crlf();
			rl_free_line_state();
			rl_callback_sigcleanup();
			rl_replace_line("", 0);
			rl_callback_handler_remove();
			fflush(stdout);
			return NULL;
		}
		if (n < 0) {
			rl_callback_handler_remove();
			return NULL;
		}
		rl_callback_read_char();
	}
	return line_read;
}

void repl_rl_sigint_default(int dflt)
{
	if (dflt) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
	}
}

void repl_rl_done(void)
{
	sigaction(SIGINT, &old_sigint, NULL);
	if (history_path)
		history_truncate_file(history_path, HISTORY_LINES);
	free(history_path);
	history_path = NULL;
	rl_clear_history();
	session = NULL;
}
