/* plot.c - SVG training curves (see report.h). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include "runtime/data/data.h"
#include "runtime/report/report.h"

/* The canvas and the plot area inside it, in SVG user units (px). */
enum { WIDTH = 480, HEIGHT = 330, LEFT = 56, RIGHT = 20, TOP = 36, BOTTOM = 48 };

typedef struct frame {
	double x0, x1, y0, y1;      /* data ranges mapped onto the plot area */
} frame;

static double px(const frame *fr, double x)
{
	return LEFT + (x - fr->x0) / (fr->x1 - fr->x0) * (WIDTH - LEFT - RIGHT);
}

static double py(const frame *fr, double y)
{
	return HEIGHT - BOTTOM - (y - fr->y0) / (fr->y1 - fr->y0) * (HEIGHT - TOP - BOTTOM);
}

/* A tick step of 1, 2 or 5 times a power of ten giving at most max ticks. */
static double nice_step(double range, int max)
{
	double raw = range / max, p = pow(10, floor(log10(raw)));
	const double m[] = { 1, 2, 5, 10 };
	for (int i = 0; i < 4; i++)
		if (m[i] * p >= raw)
			return m[i] * p;
	return 10 * p;
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* Control characters are not allowed in XML 1.0 text. */
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
}

static void series(FILE *f, const frame *fr, int n, const double *v, const char *color,
                   const char *dash, const char *name)
{
	fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s"
	        " points=\"", name, color, dash ? " stroke-dasharray=\"" : "", dash ? dash : "",
	        dash ? "\"" : "");
	int first = 1, shown = 0;
	for (int i = 0; i < n; i++) {
		if (!v || !isfinite(v[i]))
			continue;
		fprintf(f, "%s%.2f,%.2f", first ? "" : " ", px(fr, i + 1), py(fr, v[i]));
		first = 0;
		shown++;
	}
	fputs("\"/>\n", f);
	/* A line through one point is invisible: mark a lone point. */
	if (shown == 1)
		for (int i = 0; i < n; i++)
			if (isfinite(v[i]))
				fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n",
				        px(fr, i + 1), py(fr, v[i]), color);
}

int nl_plot_svg(const char *path, const char *title, int nepochs, const double *loss,
                const double *train_acc, const double *test_acc)
{
	if (nepochs < 1) {
		fprintf(stderr, "netlang: %s: no epochs to plot\n", path);
		return -1;
	}
	double ymax = 1;
	for (int i = 0; i < nepochs; i++)
		if (loss && isfinite(loss[i]) && loss[i] > ymax)
			ymax = loss[i];
	double ystep = nice_step(ymax, 6);
	frame fr = { 1, nepochs, 0, ceil(ymax / ystep - 1e-9) * ystep };
	if (nepochs == 1) {   /* one epoch: centre it */
		fr.x0 = 0.5;
		fr.x1 = 1.5;
	}
	int xstep = (int)ceil(nice_step(nepochs > 1 ? nepochs - 1 : 1, 10));
	if (xstep < 1)
		xstep = 1;

	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	FILE *f = a.f;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">\n",
	        WIDTH, HEIGHT, WIDTH, HEIGHT);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, HEIGHT);
	if (title && *title) {
		fprintf(f, "<title>");
		put_escaped(f, title);
		fprintf(f, "</title>\n<text x=\"%d\" y=\"22\" text-anchor=\"middle\" "
		        "font-size=\"13\">", (WIDTH + LEFT - RIGHT) / 2);
		put_escaped(f, title);
		fprintf(f, "</text>\n");
	}

	/* Grid and ticks. */
	fprintf(f, "<g stroke=\"#d0d0d0\" stroke-width=\"0.8\">\n");
	for (int e = 1; e <= nepochs; e += xstep)
		fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", px(&fr, e), TOP,
		        px(&fr, e), HEIGHT - BOTTOM);
	for (double y = 0; y <= fr.y1 + ystep / 2; y += ystep)
		fprintf(f, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", LEFT, py(&fr, y),
		        WIDTH - RIGHT, py(&fr, y));
	fprintf(f, "</g>\n<g text-anchor=\"middle\">\n");
	for (int e = 1; e <= nepochs; e += xstep)
		fprintf(f, "<text x=\"%.2f\" y=\"%d\">%d</text>\n", px(&fr, e),
		        HEIGHT - BOTTOM + 15, e);
	fprintf(f, "<text x=\"%d\" y=\"%d\">epoch</text>\n</g>\n<g text-anchor=\"end\">\n",
	        (WIDTH + LEFT - RIGHT) / 2, HEIGHT - 10);
	for (double y = 0; y <= fr.y1 + ystep / 2; y += ystep)
		fprintf(f, "<text x=\"%d\" y=\"%.2f\">%g</text>\n", LEFT - 5, py(&fr, y) + 4,
		        fabs(y) < 1e-12 ? 0.0 : y);
	fprintf(f, "</g>\n");
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	        "stroke=\"black\" stroke-width=\"0.8\"/>\n", LEFT, TOP, WIDTH - LEFT - RIGHT,
	        HEIGHT - TOP - BOTTOM);

	/* The three curves, in D2L's colours. */
	series(f, &fr, nepochs, loss, "#1f77b4", NULL, "train-loss");
	series(f, &fr, nepochs, train_acc, "#bf00bf", "6,3", "train-acc");
	series(f, &fr, nepochs, test_acc, "#008000", "1.5,2.5", "test-acc");

	/* Legend, top right inside the plot area. */
	const char *names[3] = { "train loss", "train acc", "test acc" };
	const char *colors[3] = { "#1f77b4", "#bf00bf", "#008000" };
	const char *dashes[3] = { NULL, "6,3", "1.5,2.5" };
	int lx = WIDTH - RIGHT - 104, ly = TOP + 8;
	fprintf(f, "<g class=\"legend\">\n<rect x=\"%d\" y=\"%d\" width=\"98\" height=\"52\" "
	        "fill=\"white\" fill-opacity=\"0.85\" stroke=\"#c0c0c0\"/>\n", lx, ly);
	for (int i = 0; i < 3; i++) {
		int yy = ly + 13 + 15 * i;
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		        "stroke-width=\"1.5\"%s%s%s/>\n", lx + 6, yy, lx + 30, yy, colors[i],
		        dashes[i] ? " stroke-dasharray=\"" : "", dashes[i] ? dashes[i] : "",
		        dashes[i] ? "\"" : "");
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", lx + 36, yy + 4, names[i]);
	}
	fprintf(f, "</g>\n</svg>\n");
	if (ferror(f)) {
		fprintf(stderr, "netlang: cannot write %s\n", path);
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}
