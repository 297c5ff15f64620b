/* train_opts.c - :train's options, spelled and checked as the command
 * line's (--epochs 2, or --epochs=2): both read the table of settings
 * (lang/settings.def), so what a student learns in the session works on
 * the command line too.
 */
#include <config.h>

#include <string.h>

#include "runtime/repl/session.h"

const char *repl_train_option_name(int i)
{
	for (int id = 0; id < NL_NSETTINGS; id++)
		if ((nl_setting_info(id)->where & NL_IN_SESSION) && i-- == 0)
			return nl_setting_info(id)->name;
	return NULL;
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
		int id = nl_setting_find(name, n, NL_IN_SESSION);
		if (id < 0 || memchr(name, '_', n)) {
			char word[64];
			snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), name);
			const char *like = nl_setting_suggest(word, NL_IN_SESSION);
			repl_error(r, r->line, 1, ":train: unknown option '--%s'%s%s%s", word,
			           like ? " (did you mean --" : "", like ? like : "", like ? "?)" : "");
			return -1;
		}
		const nl_setting *t = nl_setting_info(id);
		if (t->type == NL_ST_FLAG) {
			if (value) {
				repl_error(r, r->line, 1, ":train --%s takes no value", t->name);
				return -1;
			}
		} else if (value) {
			value++;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			repl_error(r, r->line, 1, ":train --%s needs a value", t->name);
			return -1;
		}
		char want[128];
		if (nl_options_set_text(o, id, value, want, sizeof want)) {
			repl_error(r, r->line, 1, ":train --%s '%s': expected %s", t->name, value, want);
			return -1;
		}
	}
	return 0;
}
