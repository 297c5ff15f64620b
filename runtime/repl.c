/* repl.c - placeholder until the session lands: says so and fails. */
#include <config.h>

#include "runtime/repl.h"

int nl_repl_run(nl_ctx *cx, const nl_options *o, nl_format fmt, FILE *in,
                const char *name, int interactive, int keep_going)
{
	(void)cx; (void)o; (void)fmt; (void)in; (void)interactive; (void)keep_going;
	fprintf(stderr, "netlang: %s: sessions are not available in this build\n", name);
	return 2;
}
