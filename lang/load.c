/* load.c - reading files and chunks into a context: parse, then commit.
 *
 * A chunk is parsed completely before anything is added, and what it adds
 * is checked statement by statement; if any check fails the context is
 * rolled back to where it was, so a failed load changes nothing.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ctx.h"
#include "lang/parse.h"

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

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		char *b = realloc(buf, cap * 2);
		if (!b) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		cap *= 2;
	}
	int saved = errno;
	fclose(f);
	errno = saved;
	*len = n;
	return buf;
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
		FILE *f = fopen(path, "rb");
		if (f) {
			fclose(f);
			return path;
		}
		free(path);
	}
	return NULL;
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
		nl_diag(cx, s->loc, "error",
		        "cannot find '%s.net' (searched %d library director%s)",
		        s->name, cx->libdirs.n, cx->libdirs.n == 1 ? "y" : "ies");
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
	nl_ptrvec_push(&cx->uses, u);
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		nl_diag(cx, s->loc, "error", "cannot read '%s': %s", path, strerror(errno));
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

static const char *const train_keys[] = {
	"data", "resize", "batch", "lr", "epochs", "seed", "momentum",
	"weight_decay", "split", "normalize", NULL
};

/* normalize auto, or a mean and a standard deviation for every channel
 * (2 numbers), or one of each per channel (2C: the means, then the
 * deviations, as torchvision's Normalize lists them). */
static int check_normalize(nl_ctx *cx, const nl_train_item *it)
{
	if (!it->is_number) {
		if (strcmp(it->text, "auto") == 0)
			return NL_OK;
		nl_diag(cx, it->value_loc, "error", "'normalize' takes auto, or means and standard "
		        "deviations (normalize 0.5 0.25; one of each per channel: normalize "
		        "M1 M2 M3 S1 S2 S3)");
		return NL_ERR;
	}
	int n = it->nvalues ? it->nvalues : 1;
	if (n % 2 || n > 6) {
		nl_diag(cx, it->value_loc, "error", "'normalize' takes 2 numbers (a mean and a "
		        "standard deviation) or 2 per channel (2, 4 or 6), not %d", n);
		return NL_ERR;
	}
	for (int i = n / 2; i < n; i++)
		if (!(it->values[i] > 0)) {
			nl_diag(cx, it->value_loc, "error", "'normalize': standard deviation %g must "
			        "be positive", it->values[i]);
			return NL_ERR;
		}
	return NL_OK;
}

static int check_train(nl_ctx *cx, const nl_stmt *s)
{
	for (const nl_train_item *it = s->items; it; it = it->next) {
		int k = 0;
		while (train_keys[k] && strcmp(train_keys[k], it->key) != 0)
			k++;
		const char *key = train_keys[k];
		if (!key) {
			nl_diag(cx, it->loc, "error",
			        "unknown train setting '%s' (known: data, resize, batch, "
			        "lr, epochs, seed, momentum, weight_decay, split, normalize)",
			        it->key);
			return NL_ERR;
		}
		int want_int = k == 1 || k == 2 || k == 4 || k == 5;
		if (k == 0) {
			if (it->is_number) {
				nl_diag(cx, it->value_loc, "error",
				        "'data' takes a name (fashion-mnist, mnist, cifar10), "
				        "folder:DIR or a \"directory\"");
				return NL_ERR;
			}
			continue;
		}
		if (k == 9) {
			if (check_normalize(cx, it) != NL_OK)
				return NL_ERR;
			continue;
		}
		if (it->nvalues) {
			nl_diag(cx, it->value_loc, "error", "'%s' takes one number, not %d", key,
			        it->nvalues);
			return NL_ERR;
		}
		if (!it->is_number || (want_int && !it->is_int)) {
			nl_diag(cx, it->value_loc, "error", "'%s' takes %s", key,
			        want_int ? "an integer" : "a number");
			return NL_ERR;
		}
		double v = it->number;
		const char *why = NULL;
		if ((k == 1 || k == 2 || k == 4) && v < 1)
			why = "must be at least 1";
		else if (k == 3 && !(v > 0))
			why = "must be positive";
		else if (k == 6 && !(v >= 0 && v < 1))
			why = "must be in [0, 1)";
		else if (k == 7 && !(v >= 0))
			why = "must not be negative";
		else if (k == 8 && !(v > 0 && v < 1))
			why = "must be a fraction between 0 and 1 (split 0.1 holds out a tenth)";
		if (why) {
			nl_diag(cx, it->value_loc, "error", "'%s' %s", key, why);
			return NL_ERR;
		}
	}
	return NL_OK;
}

static int check_def(nl_ctx *cx, const nl_stmt *s)
{
	const nl_stmt *old = nl_find_def(cx, s->name);
	if (old) {
		nl_diag(cx, s->loc, "error", "block '%s' is already defined at %s:%d",
		        s->name, old->loc.file, old->loc.line);
		return NL_ERR;
	}
	for (int i = 0; i < s->nargs; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(s->params[i], s->params[j]) == 0) {
				nl_diag(cx, s->param_locs[i], "error",
				        "parameter '%s' appears twice", s->params[i]);
				return NL_ERR;
			}
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
			if (check_def(cx, s) != NL_OK)
				return NL_ERR;
			s->from_lib = is_lib;
			nl_ptrvec_push(&cx->defs, s);
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
			nl_ptrvec_push(&cx->trains, s);
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
			cx->input_index = cx->stmts.n;
			nl_ptrvec_push(&cx->stmts, s);
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
			nl_ptrvec_push(&cx->stmts, s);
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
	nl_ptrvec_push(&cx->sources, src);
	nl_arena *arena = malloc(sizeof *arena);
	if (!arena) {
		fprintf(cx->diag, "%s: error: out of memory\n", name);
		return NL_ERR;
	}
	nl_arena_init(arena);
	nl_parse pc = { .cx = cx, .src = src, .arena = arena,
	                .allow_incomplete = allow_incomplete };
	if (nl_parse_source(&pc) != 0) {
		nl_arena_free(arena);
		free(arena);
		return pc.incomplete && !pc.failed ? NL_INCOMPLETE : NL_ERR;
	}
	nl_mark m = nl_get_mark(cx);
	nl_ptrvec_push(&cx->arenas, arena);
	if (commit(cx, &pc, is_lib) != NL_OK) {
		nl_rollback(cx, m);
		return NL_ERR;
	}
	return NL_OK;
}

int nl_load_file(nl_ctx *cx, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(cx->diag, "%s: error: cannot read: %s\n", path, strerror(errno));
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
