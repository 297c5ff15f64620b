/* confusion.c - the confusion matrix after --eval: how often each true
 * class was predicted as each class, as text, and as a picture with
 * --plot (rows shaded by the share of the row each cell holds). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "runtime/data/data.h"
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

void nl_confusion_print(FILE *f, const int64_t *counts, int classes,
                        const char *const *names)
{
	int64_t total = 0, right = 0;
	int wn = 5;
	char nb[16];
	for (int t = 0; t < classes; t++) {
		int len = (int)strlen(nl_class_name(names, t, nb, sizeof nb));
		wn = len > wn ? len : wn;
		for (int p = 0; p < classes; p++)
			total += counts[t * classes + p];
		right += counts[t * classes + t];
	}
	fprintf(f, "confusion matrix on %" PRId64 " test images (rows: true class, columns: "
	        "predicted class; %" PRId64 " right)\n", total, right);
	fprintf(f, "%*s", wn + 4, "");
	for (int p = 0; p < classes; p++)
		fprintf(f, " %5d", p);
	fputc('\n', f);
	for (int t = 0; t < classes; t++) {
		fprintf(f, "%2d  %-*s", t, wn, nl_class_name(names, t, nb, sizeof nb));
		for (int p = 0; p < classes; p++)
			fprintf(f, " %5" PRId64, counts[t * classes + p]);
		fputc('\n', f);
	}
}

enum { CELL = 44, LEFT = 110, TOP = 96, RIGHT = 50, BOTTOM = 30 };

int nl_confusion_svg(const char *path, const int64_t *counts, int classes,
                     const char *const *names, const char *title)
{
	double w = LEFT + classes * CELL + RIGHT, h = TOP + classes * CELL + BOTTOM;
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	FILE *f = a.f;
	char nb[16];
	nl_svg_begin(f, w, h, title);
	fprintf(f, "<text class=\"title\" x=\"%d\" y=\"20\" font-size=\"13\">confusion matrix",
	        10);
	if (title && *title) {
		fputs(": ", f);
		nl_svg_text(f, title);
	}
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%.1f\" y=\"40\" text-anchor=\"middle\">predicted class</text>\n",
	        LEFT + classes * CELL / 2.0);
	fprintf(f, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 "
	        "%.1f)\">true class</text>\n", TOP + classes * CELL / 2.0,
	        TOP + classes * CELL / 2.0);
	for (int p = 0; p < classes; p++) {
		double x = LEFT + p * CELL + CELL / 2.0, y = TOP - 6;
		fprintf(f, "<text class=\"col\" x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-45 %.1f "
		        "%.1f)\">", x, y, x, y);
		nl_svg_text(f, nl_class_name(names, p, nb, sizeof nb));
		fputs("</text>\n", f);
	}
	for (int t = 0; t < classes; t++) {
		int64_t row = 0;
		for (int p = 0; p < classes; p++)
			row += counts[t * classes + p];
		fprintf(f, "<text class=\"row\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
		        LEFT - 6, TOP + t * CELL + CELL / 2.0 + 4);
		nl_svg_text(f, nl_class_name(names, t, nb, sizeof nb));
		fputs("</text>\n", f);
		for (int p = 0; p < classes; p++) {
			int64_t c = counts[t * classes + p];
			double share = row ? (double)c / row : 0;
			/* white to D2L's blue by the share of the row */
			int r = (int)(255 - share * (255 - 0x1f)), g = (int)(255 - share * (255 - 0x77)),
			    b = (int)(255 - share * (255 - 0xb4));
			double x = LEFT + p * CELL, y = TOP + t * CELL;
			fprintf(f, "<g class=\"cell\" data-true=\"%d\" data-pred=\"%d\"><rect x=\"%.1f\" "
			        "y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\" "
			        "stroke=\"#d0d0d0\"/>", t, p, x, y, CELL, CELL, r, g, b);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">%"
			        PRId64 "</text></g>\n", x + CELL / 2.0, y + CELL / 2.0 + 4,
			        share > 0.5 ? "white" : "black", c);
		}
	}
	nl_svg_end(f);
	if (ferror(f)) {
		fprintf(stderr, "netlang: cannot write %s\n", path);
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}
