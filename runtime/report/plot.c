/* plot.c - SVG training curves (see report.h), after D2L's Animator:
 * train loss and train accuracy at points within each epoch, test
 * accuracy at each epoch's end, on an axis of epochs from 0.  The file is
 * rewritten whole, atomically, each time points are added, so a browser
 * tab or an editor's preview shows training as it goes. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/data/data.h"
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

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

static void series(FILE *f, const frame *fr, int n, const double *x, const double *v,
                   const char *color, const char *dash, const char *name)
{
	fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s"
	        " points=\"", name, color, dash ? " stroke-dasharray=\"" : "", dash ? dash : "",
	        dash ? "\"" : "");
	int first = 1, shown = 0;
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i]) || !isfinite(x[i]))
			continue;
		fprintf(f, "%s%.2f,%.2f", first ? "" : " ", px(fr, x[i]), py(fr, v[i]));
		first = 0;
		shown++;
	}
	fputs("\"/>\n", f);
	/* A line through one point is invisible: mark a lone point. */
	if (shown == 1)
		for (int i = 0; i < n; i++)
			if (isfinite(v[i]) && isfinite(x[i]))
				fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n",
				        px(fr, x[i]), py(fr, v[i]), color);
}

void nl_curves_init(nl_curves *c, const char *path, const char *title, int epochs)
{
	*c = (nl_curves){ .path = path, .title = title, .epochs = epochs > 0 ? epochs : 1 };
}

void nl_curves_free(nl_curves *c)
{
	free(c->x);
	free(c->loss);
	free(c->acc);
	free(c->tx);
	free(c->tacc);
	*c = (nl_curves){ 0 };
}

static int grow(double **a, double **b, double **c, int n, int *cap)
{
	if (n < *cap)
		return 0;
	int nc = *cap ? 2 * *cap : 64;
	double *p;
	if (!(p = realloc(*a, (size_t)nc * sizeof *p))) return -1;
	*a = p;
	if (!(p = realloc(*b, (size_t)nc * sizeof *p))) return -1;
	*b = p;
	if (c) {
		if (!(p = realloc(*c, (size_t)nc * sizeof *p))) return -1;
		*c = p;
	}
	*cap = nc;
	return 0;
}

int nl_curves_add(nl_curves *c, double x, double loss, double acc)
{
	if (grow(&c->x, &c->loss, &c->acc, c->n, &c->cap)) {
		fprintf(stderr, "netlang: out of memory for the plot\n");
		return -1;
	}
	c->x[c->n] = x;
	c->loss[c->n] = loss;
	c->acc[c->n] = acc;
	c->n++;
	return 0;
}

int nl_curves_add_test(nl_curves *c, double x, double acc)
{
	if (grow(&c->tx, &c->tacc, NULL, c->nt, &c->capt)) {
		fprintf(stderr, "netlang: out of memory for the plot\n");
		return -1;
	}
	c->tx[c->nt] = x;
	c->tacc[c->nt] = acc;
	c->nt++;
	return 0;
}

int nl_curves_write(const nl_curves *c)
{
	double ymax = 1, xmax = c->epochs;
	for (int i = 0; i < c->n; i++) {
		if (isfinite(c->loss[i]) && c->loss[i] > ymax)
			ymax = c->loss[i];
		if (isfinite(c->x[i]) && c->x[i] > xmax)
			xmax = c->x[i];
	}
	double ystep = nice_step(ymax, 6);
	frame fr = { 0, ceil(xmax - 1e-9), 0, ceil(ymax / ystep - 1e-9) * ystep };
	double xstep = nice_step(fr.x1, fr.x1 > 5 ? 10 : 5);
	if (fr.x1 >= 2 && xstep < 1)
		xstep = 1;

	nl_atomic_file a;
	if (nl_atomic_open(&a, c->path) != 0)
		return -1;
	FILE *f = a.f;
	nl_svg_begin(f, WIDTH, HEIGHT, c->title);
	if (c->title && *c->title) {
		fprintf(f, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"13\">",
		        (WIDTH + LEFT - RIGHT) / 2);
		nl_svg_text(f, c->title);
		fprintf(f, "</text>\n");
	}

	/* Grid and ticks. */
	fprintf(f, "<g stroke=\"#d0d0d0\" stroke-width=\"0.8\">\n");
	for (double e = 0; e <= fr.x1 + xstep / 2; e += xstep)
		fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", px(&fr, e), TOP,
		        px(&fr, e), HEIGHT - BOTTOM);
	for (double y = 0; y <= fr.y1 + ystep / 2; y += ystep)
		fprintf(f, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", LEFT, py(&fr, y),
		        WIDTH - RIGHT, py(&fr, y));
	fprintf(f, "</g>\n<g text-anchor=\"middle\">\n");
	for (double e = 0; e <= fr.x1 + xstep / 2; e += xstep)
		fprintf(f, "<text class=\"xtick\" x=\"%.2f\" y=\"%d\">%g</text>\n", px(&fr, e),
		        HEIGHT - BOTTOM + 15, fabs(e) < 1e-12 ? 0.0 : e);
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
	series(f, &fr, c->n, c->x, c->loss, "#1f77b4", NULL, "train-loss");
	series(f, &fr, c->n, c->x, c->acc, "#bf00bf", "6,3", "train-acc");
	series(f, &fr, c->nt, c->tx, c->tacc, "#008000", "1.5,2.5", "test-acc");

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
	fprintf(f, "</g>\n");
	nl_svg_end(f);
	if (ferror(f)) {
		fprintf(stderr, "netlang: cannot write %s\n", c->path);
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}

int nl_plot_svg(const char *path, const char *title, int nepochs, const double *loss,
                const double *train_acc, const double *test_acc)
{
	if (nepochs < 1) {
		fprintf(stderr, "netlang: %s: no epochs to plot\n", path);
		return -1;
	}
	nl_curves c;
	nl_curves_init(&c, path, title, nepochs);
	int rc = 0;
	for (int e = 0; e < nepochs && rc == 0; e++)
		rc = nl_curves_add(&c, e + 1, loss ? loss[e] : NAN, train_acc ? train_acc[e] : NAN);
	for (int e = 0; e < nepochs && rc == 0; e++)
		rc = nl_curves_add_test(&c, e + 1, test_acc ? test_acc[e] : NAN);
	if (rc == 0)
		rc = nl_curves_write(&c);
	nl_curves_free(&c);
	return rc;
}
