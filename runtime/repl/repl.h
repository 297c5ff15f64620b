/* repl.h - the interactive session and teaching scripts. */
#ifndef NL_REPL_H
#define NL_REPL_H

#include <stdio.h>
#include "lang/lang.h"
#include "lang/settings.h"

/* Run a session over cx (library dirs already set).  interactive: GNU
 * readline with prompts, history and completion, errors never end it.
 * Otherwise commands are read from `in` (named `name` in diagnostics) with
 * no prompt, printing exactly what the session would; the first error ends
 * the script with status 1 unless keep_going.  echo: a script's lines are
 * printed before what they print, comments and blank lines as they are,
 * statements and commands after the prompt, so the output reads like the
 * session typed.  Returns the exit status: 128 + the signal when SIGTERM
 * (or, in a script, Ctrl-C) stopped a :train, which ends the session. */
int nl_repl_run(nl_ctx *cx, const nl_options *o, nl_format fmt, FILE *in,
                const char *name, int interactive, int keep_going, int echo);

#endif
