/* fuzz_weights.c - libFuzzer target for weights files: any bytes, written
 * to a file, are loaded into the parameters of a net that has every kind of
 * parameter (convolution, fully connected, batch norm with running
 * statistics).  A file is either refused with a message or fills the
 * buffers; it must never crash, hang or leak.  Built and run by run.sh. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lang/lang.h"
#include "runtime/data/weights.h"
#include "runtime/plan/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char net[] =
	"input 1x8x8\n"
	"conv 3x3 -> 4; batchnorm; relu; maxpool 2x2\n"
	"flatten; fc 10\n";

static nl_ctx *cx;   /* kept: the graph points into it */
static nl_graph *g;
static nl_param_layout layout;
static float *params, *state;
static char path[64];

static void setup(void)
{
	static FILE *sink;
	sink = fopen("/dev/null", "w");
	cx = nl_ctx_new();
	nl_set_diag_stream(cx, sink);
	if (nl_load_string(cx, "net", 1, net, sizeof net - 1) != NL_OK || !(g = nl_build(cx)) ||
	    nl_param_layout_make(g, &layout) != 0)
		abort();
	params = calloc(layout.nparams, sizeof *params);
	state = calloc(layout.nstate + 1, sizeof *state);
	snprintf(path, sizeof path, "/tmp/fuzz-weights-%ld.bin", (long)getpid());
	if (!params || !state)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g)
		setup();
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	nl_weights_load(path, g, &layout, params, state, NULL, NULL);
	unlink(path);
	return 0;
}
