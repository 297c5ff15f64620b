/* parse_bench.c - how fast the front end parses and checks: VGG-11 (with
 * its `use vgg`) many times over, and generated chains of 1,000 to 100,000
 * layers written out line by line, so the time per layer shows whether
 * anything grows faster than linearly.  Prints a table; not a test.
 *
 *   bench/parse_bench [ITERATIONS]     (VGG-11 iterations, default 2000)
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/lang.h"

#ifndef NL_BUILD_STDLIB_DIR
#define NL_BUILD_STDLIB_DIR "stdlib"
#endif

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return s;
}

/* Load and check one program; returns the node count, or -1. */
static int check(const char *name, const char *text, size_t len, int64_t *params)
{
	nl_ctx *cx = nl_ctx_new();
	nl_add_lib_dir(cx, NL_BUILD_STDLIB_DIR);
	int n = -1;
	if (nl_load_string(cx, name, 1, text, len) == NL_OK) {
		nl_graph *g = nl_build(cx);
		if (g) {
			n = g->nnodes;
			*params = g->params;
			nl_graph_free(g);
		}
	}
	nl_ctx_free(cx);
	return n;
}

/* A chain of `layers` layers: 3x3 convolutions that keep the size, each
 * followed by ReLU, one statement per line. */
static char *chain(int layers, size_t *len)
{
	size_t cap = (size_t)layers * 24 + 64, n = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	n += (size_t)sprintf(s, "input 3x32x32\n");
	for (int i = 1; i < layers; i++)
		n += (size_t)sprintf(s + n, i % 2 ? "conv 3x3 -> 16 pad 1\n" : "relu\n");
	*len = n;
	return s;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 2000;
	size_t len;
	char *vgg = slurp(NL_BUILD_STDLIB_DIR "/../examples/vgg11.net", &len);
	if (!vgg) {
		fputs("parse_bench: cannot read examples/vgg11.net\n", stderr);
		return 1;
	}
	int64_t params = 0;
	printf("%-28s %10s %12s %14s\n", "program", "layers", "ms", "us per layer");
	check("vgg11.net", vgg, len, &params);  /* warm the file cache */
	double t0 = now_ms();
	int nodes = 0;
	for (int i = 0; i < iters; i++)
		nodes = check("vgg11.net", vgg, len, &params);
	double per = (now_ms() - t0) / iters;
	printf("%-28s %10d %12.4f %14.3f\n", "VGG-11 (mean of iterations)", nodes,
	       per, per * 1e3 / nodes);
	free(vgg);
	if (params != 128806154) {
		fprintf(stderr, "parse_bench: VGG-11 has %lld parameters\n", (long long)params);
		return 1;
	}
	static const int sizes[] = { 1000, 10000, 100000, 1000000 };
	for (int k = 0; k < 4; k++) {
		char *text = chain(sizes[k], &len);
		double best = 1e30;
		int reps = sizes[k] >= 1000000 ? 1 : 5;
		for (int r = 0; r < reps; r++) {  /* best of reps: less noise */
			double t = now_ms();
			nodes = check("chain.net", text, len, &params);
			t = now_ms() - t;
			best = t < best ? t : best;
		}
		char name[64];
		snprintf(name, sizeof name, "generated chain (best of %d)", reps);
		printf("%-28s %10d %12.3f %14.3f\n", name, nodes, best, best * 1e3 / nodes);
		free(text);
		if (nodes != sizes[k])
			return 1;
	}
	return 0;
}
