/* fuzz_parser.c - libFuzzer target for the front end: any bytes go through
 * nl_load_string and, when they load, nl_build and both listings.  Built
 * and run by run.sh; the input must never crash, hang or leak. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/lang.h"

#ifndef FUZZ_STDLIB
#define FUZZ_STDLIB "stdlib"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	nl_ctx *cx = nl_ctx_new();
	nl_set_diag_stream(cx, sink);
	nl_add_lib_dir(cx, FUZZ_STDLIB);
	if (nl_load_string(cx, "fuzz.net", 1, (const char *)data, size) == NL_OK) {
		nl_write_source(cx, sink);
		nl_graph *g = nl_build(cx);
		if (g) {
			nl_print_graph(sink, g, NL_FMT_TABLE);
			nl_print_graph(sink, g, NL_FMT_D2L);
			nl_print_nodes(sink, g, g->nnodes / 2, NL_FMT_D2L);
			nl_graph_free(g);
		}
		nl_undo(cx);
	}
	nl_ctx_free(cx);
	return 0;
}
