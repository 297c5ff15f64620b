/* load.c - reading files and chunks into a context: parse, then commit.
 *
 * A chunk is parsed completely before anything is added, and what it adds
 * is checked statement by statement; if any check fails the context is
 * rolled back to where it was, so a failed load changes nothing.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/ctx.h"
#include "lang/names.h"
#include "lang/parse.h"
#include "lang/settings.h"

static int load_source(nl_ctx *cx, const char *name, int first_line,
                       const char *text, size_t len, int is_lib,
                       int allow_incomplete);

static const char *stmt_word(const nl_stmt *s)
{
	switch (s->kind) {
	case NL_S_LAYER: return s->spelling ? s->spelling : nl_kind_name(s->layer);
	case NL_S_CALL: case NL_S_BARE_NAME: return s->name;
	case NL_S_REPEAT: return "repeat";
	case NL_S_IF: return "if";
	case NL_S_CONCAT: return "concat";
	case NL_S_ADD: return "add";
	case NL_S_INPUT: return "input";
	case NL_S_TRAIN: return "train";
	default: return "statement";
	}
}

static int out_of_memory(nl_ctx *cx, nl_loc loc)
{
	nl_diag(cx, loc, "error", "out of memory");
	return NL_ERR;
}

/* A program's text: a regular file of at most 1 GiB (the parser's limit).
 * NULL with why set otherwise. */
static char *read_file(const char *path, size_t *len, const char **why)
{
	*why = NULL;
	return nl_read_regular(path, (size_t)1 << 30, len, why);
}

/* Path of NAME.net in the first library directory that has it. */
static char *find_lib(nl_ctx *cx, const char *name)
{
	size_t nlen = strlen(name);
	for (int i = 0; i < cx->libdirs.n; i++) {
		const char *dir = cx->libdirs.v[i];
		size_t dlen = strlen(dir);
		char *path = malloc(dlen + nlen + 6);
		if (!path)
			return NULL;
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, name, nlen);
		memcpy(path + dlen + 1 + nlen, ".net", 5);
		struct stat st;
		if (stat(path, &st) == 0)   /* read_file refuses what is not a file */
			return path;
		free(path);
	}
	return NULL;
}

/* Does text hold `def block(` (as a whole word, at a line's start after
 * blanks)? */
static int defines(const char *text, size_t len, const char *block)
{
	size_t blen = strlen(block);
	for (size_t i = 0; i < len; i++) {
		if (i && text[i - 1] != '\n')
			continue;
		size_t k = i;
		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (len - k < 4 + blen || memcmp(text + k, "def", 3) != 0 ||
		    (text[k + 3] != ' ' && text[k + 3] != '\t'))
			continue;
		k += 3;
		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (len - k > blen && memcmp(text + k, block, blen) == 0) {
			char c = text[k + blen];
			if (c == '(' || c == ' ' || c == '\t')
				return 1;
		}
	}
	return 0;
}

int nl_lib_defining(nl_ctx *cx, const char *block, char *lib, size_t len)
{
	for (int d = 0; d < cx->libdirs.n; d++) {
		DIR *dir = opendir(cx->libdirs.v[d]);
		if (!dir)
			continue;
		struct dirent *e;
		int found = 0;
		while (!found && (e = readdir(dir))) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".net") != 0 || n - 4 >= len)
				continue;
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
			int used = 0;
			for (int u = 0; u < cx->uses.n; u++)
				used |= strcmp(((nl_use *)cx->uses.v[u])->name, name) == 0;
			char *path = used ? NULL : find_lib(cx, name);
			size_t tlen;
			const char *why;
			char *text = path ? read_file(path, &tlen, &why) : NULL;
			if (text && defines(text, tlen, block)) {
				snprintf(lib, len, "%s", name);
				found = 1;
			}
			free(text);
			free(path);
		}
		closedir(dir);
		if (found)
			return 1;
	}
	return 0;
}

static int do_use(nl_ctx *cx, const nl_stmt *s)
{
	for (int i = 0; i < cx->uses.n; i++)
		if (strcmp(((nl_use *)cx->uses.v[i])->name, s->name) == 0)
			return NL_OK;  /* once only: this also ends cycles */
	if (cx->use_depth >= 64) {
		nl_diag(cx, s->loc, "error", "'use' nested too deeply");
		return NL_ERR;
	}
	char *path = find_lib(cx, s->name);
	if (!path) {
		char dirs[1024];
		size_t k = 0;
		dirs[0] = '\0';
		for (int i = 0; i < cx->libdirs.n && k < sizeof dirs; i++)
			k += (size_t)snprintf(dirs + k, sizeof dirs - k, "%s%s", i ? ", " : "",
			                      (const char *)cx->libdirs.v[i]);
		nl_diag(cx, s->loc, "error", "cannot find '%s.net' (searched %s%s)", s->name,
		        cx->libdirs.n ? dirs : "no library directories",
		        cx->libdirs.n ? "; NETLANG_PATH adds directories" : "");
		return NL_ERR;
	}
	nl_use *u = calloc(1, sizeof *u);
	if (u)
		u->name = strdup(s->name);
	if (!u || !u->name) {
		free(u);
		free(path);
		return NL_ERR;
	}
	u->written = cx->use_depth == 0;
	u->loc = s->loc;
	if (nl_ptrvec_push(&cx->uses, u)) {
		free(u->name);
		free(u);
		free(path);
		return out_of_memory(cx, s->loc);
	}
	size_t len;
	const char *why;
	char *text = read_file(path, &len, &why);
	if (!text) {
		nl_diag(cx, s->loc, "error", "cannot read '%s': %s", path, why);
		free(path);
		return NL_ERR;
	}
	cx->use_depth++;
	int rc = load_source(cx, path, 1, text, len, 1, 0);
	cx->use_depth--;
	free(text);
	free(path);
	return rc;
}

/* Each item names a setting a train section may hold (settings.def) with a
 * value of its type and range. */
static int check_train(nl_ctx *cx, const nl_stmt *s)
{
	for (const nl_train_item *it = s->items; it; it = it->next) {
		int id = nl_setting_find(it->key, strlen(it->key), NL_IN_FILE);
		if (id < 0) {
			char known[512];
			const char *like = nl_setting_suggest(it->key, NL_IN_FILE);
			nl_settings_list(NL_IN_FILE, known, sizeof known);
			nl_diag(cx, it->loc, "error", "unknown train setting '%s' (%s%s%sknown: %s)",
			        it->key, like ? "did you mean '" : "", like ? like : "",
			        like ? "'? " : "", known);
			return NL_ERR;
		}
		const nl_setting *t = nl_setting_info(id);
		char key[64], err[192];
		snprintf(key, sizeof key, "%s", it->key);
		nl_options scratch;
		nl_options_init(&scratch);
		if (t->type == NL_ST_TEXT) {
			if (it->is_number || !it->text || !*it->text) {
				nl_diag(cx, it->value_loc, "error", "'%s' takes %s", key,
				        id == NL_SET_DATA ? "a name (fashion-mnist, mnist, cifar10), "
				                            "folder:DIR or a \"directory\""
				                          : "a name or a \"string\"");
				return NL_ERR;
			}
			continue;
		}
		if (t->type == NL_ST_NUMBERS) {
			/* normalize auto, or normalize 0.5 0.25 */
			int bad = it->is_number
			        ? nl_options_set_numbers(&scratch, id, it->nvalues ? it->values : &it->number,
			                                 it->nvalues ? it->nvalues : 1, err, sizeof err)
			        : nl_options_set_text(&scratch, id, it->text, err, sizeof err);
			if (bad && !it->is_number) {
				char want[160];
				nl_numbers_expected(id, " ", want, sizeof want);
				snprintf(err, sizeof err, "takes %s", want);
			}
			if (bad) {
				nl_diag(cx, it->value_loc, "error", "'%s' %s", key, err);
				return NL_ERR;
			}
			continue;
		}
		if (it->nvalues) {
			nl_diag(cx, it->value_loc, "error", "'%s' takes one number, not %d", key,
			        it->nvalues);
			return NL_ERR;
		}
		if (!it->is_number) {
			int want_int = t->type == NL_ST_INT || t->type == NL_ST_LONG;
			nl_diag(cx, it->value_loc, "error", "'%s' takes %s", key,
			        want_int ? "an integer" : "a number");
			return NL_ERR;
		}
		if (nl_options_set_number(&scratch, id, it->number, it->is_int, err, sizeof err)) {
			nl_diag(cx, it->value_loc, "error", "'%s' %s", key, err);
			return NL_ERR;
		}
	}
	return NL_OK;
}

/* A new block's name is free and its parameters distinct; the parameters
 * get an index (in the chunk's arena) so that expansion finds a name in
 * constant time, however many there are. */
static int check_def(nl_ctx *cx, nl_stmt *s, nl_arena *arena)
{
	const nl_stmt *old = nl_find_def(cx, s->name);
	if (old) {
		nl_diag(cx, s->loc, "error", "block '%s' is already defined at %s:%d",
		        s->name, old->loc.file, old->loc.line);
		return NL_ERR;
	}
	if (s->nargs == 0)
		return NL_OK;
	size_t cap = nl_names_cap_for((size_t)s->nargs);
	nl_names *index = nl_arena_alloc(arena, sizeof *index);
	nl_name_slot *slots = nl_arena_alloc(arena, cap * sizeof *slots);
	if (!index || !slots)
		return out_of_memory(cx, s->loc);
	nl_names_init_fixed(index, slots, cap);
	for (int i = 0; i < s->nargs; i++)
		if (nl_names_put(index, s->params[i], i) == 1) {
			nl_diag(cx, s->param_locs[i], "error",
			        "parameter '%s' appears twice", s->params[i]);
			return NL_ERR;
		}
	s->param_index = index;
	return NL_OK;
}

/* Add a parsed chunk's statements to the context, checking as we go. */
static int commit(nl_ctx *cx, const nl_parse *pc, int is_lib)
{
	for (nl_stmt *s = pc->top.head; s; s = s->next) {
		switch (s->kind) {
		case NL_S_USE:
			if (do_use(cx, s) != NL_OK)
				return NL_ERR;
			break;
		case NL_S_DEF:
			if (check_def(cx, s, pc->arena) != NL_OK)
				return NL_ERR;
			s->from_lib = is_lib;
			if (nl_ptrvec_push(&cx->defs, s))
				return out_of_memory(cx, s->loc);
			cx->defs_gen++;
			break;
		case NL_S_TRAIN:
			if (is_lib) {
				nl_diag(cx, s->loc, "error",
				        "a library file may only hold 'def' and 'use'");
				return NL_ERR;
			}
			if (check_train(cx, s) != NL_OK)
				return NL_ERR;
			if (nl_ptrvec_push(&cx->trains, s))
				return out_of_memory(cx, s->loc);
			break;
		case NL_S_INPUT:
			if (is_lib) {
				nl_diag(cx, s->loc, "error",
				        "a library file may only hold 'def' and 'use'");
				return NL_ERR;
			}
			if (cx->input_index >= 0) {
				const nl_stmt *first = cx->stmts.v[cx->input_index];
				nl_diag(cx, s->loc, "error",
				        "a second 'input' (the first is at %s:%d)",
				        first->loc.file, first->loc.line);
				return NL_ERR;
			}
			if (nl_ptrvec_push(&cx->stmts, s))
				return out_of_memory(cx, s->loc);
			cx->input_index = cx->stmts.n - 1;
			break;
		default:
			if (is_lib) {
				nl_diag(cx, s->loc, "error",
				        "a library file may only hold 'def' and 'use'");
				return NL_ERR;
			}
			if (cx->input_index < 0) {
				nl_diag(cx, s->loc, "error",
				        "'%s' before 'input': a network starts with 'input CxHxW'",
				        stmt_word(s));
				return NL_ERR;
			}
			if (nl_ptrvec_push(&cx->stmts, s))
				return out_of_memory(cx, s->loc);
			break;
		}
	}
	return NL_OK;
}

static int load_source(nl_ctx *cx, const char *name, int first_line,
                       const char *text, size_t len, int is_lib,
                       int allow_incomplete)
{
	nl_source *src = nl_source_new(name, text, len, first_line, cx->sources.n);
	if (!src) {
		fprintf(cx->diag, "%s: error: out of memory\n", name);
		return NL_ERR;
	}
	if (nl_ptrvec_push(&cx->sources, src)) {
		nl_source_free(src);
		fprintf(cx->diag, "%s: error: out of memory\n", name);
		return NL_ERR;
	}
	nl_arena *arena = malloc(sizeof *arena);
	if (!arena) {
		fprintf(cx->diag, "%s: error: out of memory\n", name);
		return NL_ERR;
	}
	nl_arena_init(arena);
	nl_parse pc = { .cx = cx, .src = src, .arena = arena,
	                .allow_incomplete = allow_incomplete };
	cx->syntax_error_line = 0;
	if (nl_parse_source(&pc) != 0) {
		nl_arena_free(arena);
		free(arena);
		/* Nothing refers to a text that did not parse: a session that
		 * re-reads an open block at every line must not keep a copy of
		 * each reading. */
		cx->sources.n--;
		nl_source_free(src);
		return pc.incomplete && !pc.failed ? NL_INCOMPLETE : NL_ERR;
	}
	nl_mark m = nl_get_mark(cx);
	if (nl_ptrvec_push(&cx->arenas, arena)) {
		nl_arena_free(arena);
		free(arena);
		fprintf(cx->diag, "%s: error: out of memory\n", name);
		return NL_ERR;
	}
	if (commit(cx, &pc, is_lib) != NL_OK) {
		nl_rollback(cx, m);
		return NL_ERR;
	}
	return NL_OK;
}

int nl_load_file(nl_ctx *cx, const char *path)
{
	size_t len;
	const char *why;
	char *text = read_file(path, &len, &why);
	if (!text) {
		fprintf(cx->diag, "%s: error: cannot read: %s\n", path, why);
		return NL_ERR;
	}
	int rc = load_source(cx, path, 1, text, len, 0, 0);
	free(text);
	return rc;
}

int nl_load_string(nl_ctx *cx, const char *name, int first_line,
                   const char *text, size_t len)
{
	return load_source(cx, name ? name : "<string>", first_line > 0 ? first_line : 1,
	                   text, len, 0, 1);
}
