/* fuzz_use.c - libFuzzer target for libraries read through `use`: the
 * input is cut at its first line "%%"; what comes before is written as the
 * library file fz.net, what comes after is the program that uses it (the
 * seeds say `use fz` and call its blocks, with train sections).  Both go
 * through the front end as files do, then the build and the listings.
 * Built and run by run.sh; nothing may crash, hang or leak. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/lang.h"

#ifndef FUZZ_STDLIB
#define FUZZ_STDLIB "stdlib"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static char dir[64], lib[80];
	if (!sink) {
		sink = fopen("/dev/null", "w");
		snprintf(dir, sizeof dir, "/tmp/fuzz-use-%ld", (long)getpid());
		snprintf(lib, sizeof lib, "%s/fz.net", dir);
		if (!sink || (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0))
			abort();
	}
	const char *text = (const char *)data, *cut = NULL;
	for (size_t i = 0; i + 2 <= size; i++)
		if ((i == 0 || text[i - 1] == '\n') && text[i] == '%' && text[i + 1] == '%') {
			cut = text + i;
			break;
		}
	size_t liblen = cut ? (size_t)(cut - text) : size;
	const char *prog = cut ? cut + 2 : "use fz\ninput 1x28x28\n";
	size_t proglen = cut ? size - liblen - 2 : strlen(prog);
	FILE *f = fopen(lib, "wb");
	if (!f || (liblen && fwrite(text, 1, liblen, f) != liblen) || fclose(f) != 0)
		abort();

	nl_ctx *cx = nl_ctx_new();
	nl_set_diag_stream(cx, sink);
	nl_add_lib_dir(cx, dir);
	nl_add_lib_dir(cx, FUZZ_STDLIB);
	if (nl_load_string(cx, "prog.net", 1, prog, proglen) == NL_OK) {
		nl_graph *g = nl_build(cx);
		if (g) {
			nl_print_graph(sink, g, NL_FMT_TABLE);
			nl_print_graph(sink, g, NL_FMT_D2L);
			nl_graph_free(g);
		}
	}
	nl_ctx_free(cx);
	return 0;
}
