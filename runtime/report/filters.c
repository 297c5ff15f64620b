/* filters.c - --filters FILE: the first convolution's kernels as a grid of
 * small images, as the slides show AlexNet's first-layer filters.  Each
 * kernel is stretched on its own from its smallest weight (black) to its
 * largest (white), in colour when it reads three channels, else in grey
 * (the mean over its input channels beyond the first layer).  A .png file
 * is the grid alone; a .svg file embeds one image per kernel under a
 * caption. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "runtime/data/data.h"
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

enum { GAP = 3, TARGET = 60 };

/* The first layer with a kernel of weights (a conv), or -1. */
static int first_conv(const nl_graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		const nl_kind_info *ki = nl_kind_info_of(g->nodes[i].kind);
		if (ki->shape == NL_SHP_WINDOW && ki->params == NL_PAR_WEIGHTS)
			return i;
	}
	return -1;
}

/* Kernel o of w ([out][in][kh][kw]) as kh x kw pixels of `ch` channels. */
static void kernel_pixels(const float *w, int o, int in, int kh, int kw, int ch,
                          uint8_t *px)
{
	size_t n = (size_t)kh * kw;
	const float *k = w + (size_t)o * in * n;
	float lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < (size_t)in * n; i++) {
		lo = k[i] < lo ? k[i] : lo;
		hi = k[i] > hi ? k[i] : hi;
	}
	float span = hi > lo ? hi - lo : 1;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++) {
			float v;
			if (ch == 3) {
				v = k[(size_t)c * n + i];
			} else {
				v = 0;
				for (int j = 0; j < in; j++)
					v += k[(size_t)j * n + i];
				v /= (float)in;
			}
			px[i * ch + c] = (uint8_t)lrintf(255 * (v - lo) / span);
		}
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int nl_filters_write(const char *path, const nl_graph *g, const nl_param_layout *l,
                     const float *params)
{
	int node = first_conv(g);
	int at = node >= 0 ? nl_param_find(l, node, 0) : -1;
	if (at < 0) {
		fprintf(stderr, "netlang: %s: the net has no convolution to show\n", path);
		return -1;
	}
	const nl_param *p = &l->p[at];   /* the weight: [out][in][kh][kw] */
	int out = p->dims[0], in = p->dims[1], kh = p->dims[2], kw = p->dims[3];
	int ch = in == 3 ? 3 : 1;
	int scale = TARGET / (kh > kw ? kh : kw);
	scale = scale < 1 ? 1 : scale;
	int cols = (int)ceil(sqrt((double)out)), rows = (out + cols - 1) / cols;
	int cw = kw * scale, chh = kh * scale;
	uint8_t *px = malloc((size_t)kh * kw * ch);
	if (!px) {
		fprintf(stderr, "netlang: %s: out of memory\n", path);
		return -1;
	}
	int rc = 0;
	char what[128];
	nl_node_text(&g->nodes[node], what, sizeof what);
	if (has_suffix(path, ".svg")) {
		nl_atomic_file a;
		if (nl_atomic_open(&a, path) != 0) {
			free(px);
			return -1;
		}
		FILE *f = a.f;
		double width = 20 + cols * (cw + 4 * GAP), height = 50 + rows * (chh + 4 * GAP);
		if (width < 440)
			width = 440;   /* the caption's */
		nl_svg_begin(f, width, height, what);
		fputs("<text class=\"title\" x=\"10\" y=\"20\" font-size=\"13\">", f);
		nl_svg_text(f, what);
		fprintf(f, ": %d filter%s of %dx%d%s</text>\n<text x=\"10\" y=\"36\" fill=\"#505050\">"
		        "each stretched from its smallest weight (black) to its largest (white)"
		        "</text>\n", out, out == 1 ? "" : "s", kh, kw,
		        ch == 3 ? ", RGB" : in > 1 ? ", mean over input channels" : "");
		for (int o = 0; o < out && rc == 0; o++) {
			kernel_pixels(params + p->offset, o, in, kh, kw, ch, px);
			fprintf(f, "<g class=\"filter\" data-index=\"%d\">\n", o);
			rc = nl_svg_image(f, px, kw, kh, ch, 10 + (o % cols) * (cw + 4 * GAP),
			                  46 + (o / cols) * (chh + 4 * GAP), scale);
			fputs("</g>\n", f);
		}
		nl_svg_end(f);
		if (rc || ferror(f)) {
			fprintf(stderr, "netlang: %s: %s\n", path, rc ? "out of memory" : "cannot write");
			nl_atomic_abort(&a);
			rc = -1;
		} else {
			rc = nl_atomic_commit(&a);
		}
	} else {
		/* one image: the kernels on a white ground, GAP pixels apart */
		int W = cols * (cw + GAP) + GAP, H = rows * (chh + GAP) + GAP;
		uint8_t *img = malloc((size_t)W * H * ch);
		if (!img) {
			free(px);
			fprintf(stderr, "netlang: %s: out of memory\n", path);
			return -1;
		}
		memset(img, 255, (size_t)W * H * ch);
		for (int o = 0; o < out; o++) {
			kernel_pixels(params + p->offset, o, in, kh, kw, ch, px);
			int x0 = GAP + (o % cols) * (cw + GAP), y0 = GAP + (o / cols) * (chh + GAP);
			for (int y = 0; y < chh; y++)
				for (int x = 0; x < cw; x++)
					memcpy(img + ((size_t)(y0 + y) * W + x0 + x) * ch,
					       px + ((size_t)(y / scale) * kw + x / scale) * ch, (size_t)ch);
		}
		rc = nl_png_write(path, img, W, H, ch);
		free(img);
	}
	free(px);
	if (rc == 0)
		printf("drew the %d filters of %s in %s\n", out, what, path);
	return rc;
}
