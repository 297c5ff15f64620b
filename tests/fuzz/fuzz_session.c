/* fuzz_session.c - libFuzzer target for session lines: any bytes are read
 * as a teaching script by the code that runs `netlang -f` and the REPL
 * (nl_repl_run, reading lines, open blocks, every `:` command, :train on a
 * tiny data set, :save and :load in a scratch folder), keeping going past
 * errors.  Built and run by run.sh, which sets NETLANG_DATA to the tiny
 * data sets and compiles settings small (FUZZING_BUILD_MODE_...), so that
 * no input trains for long.  Nothing may crash, hang or leak. */
#include <config.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/lang.h"
#include "lang/settings.h"
#include "runtime/repl/repl.h"

#ifndef FUZZ_STDLIB
#define FUZZ_STDLIB "stdlib"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink) {
		/* :save and :load work in a scratch folder; what the session
		 * prints goes nowhere (libFuzzer reports on stderr's own copy) */
		char dir[64];
		snprintf(dir, sizeof dir, "/tmp/fuzz-session-%ld", (long)getpid());
		if ((mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0) || chdir(dir) != 0)
			abort();
		sink = fopen("/dev/null", "w");
		if (!sink || !freopen("/dev/null", "w", stdout))
			abort();
		setenv("NETLANG_DATA_URL", "file:///nonexistent/", 1);
		setenv("NETLANG_SYSTEM_DATA_DIR", "/nonexistent", 1);
		setenv("XDG_CACHE_HOME", dir, 1);
	}
	FILE *in = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "r");
	if (!in)
		return 0;
	nl_ctx *cx = nl_ctx_new();
	nl_set_diag_stream(cx, sink);
	nl_add_lib_dir(cx, FUZZ_STDLIB);
	nl_options o;
	nl_options_init(&o);
	nl_options_set_text(&o, NL_SET_DEVICE, "cpu", NULL, 0);
	nl_options_set_text(&o, NL_SET_THREADS, "1", NULL, 0);
	int status = nl_repl_run(cx, &o, NL_FMT_TABLE, in, "fuzz.nls", 0, 1, 0);
	fclose(in);
	nl_ctx_free(cx);
	/* a signal meant for libFuzzer that arrived during :train (whose
	 * handler took it): passed on, now that libFuzzer's is back */
	if (status > 128)
		raise(status - 128);
	return 0;
}
