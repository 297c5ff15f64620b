/* predict.c - --predict N: test images with their true and predicted
 * labels, as D2L's predict_ch3 shows them, wrong predictions marked: a
 * line each on standard output and a grid in an SVG file (each image
 * embedded as a PNG, drawn three times its size). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "runtime/data/data.h"
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

enum { SCALE = 3, COLS = 8, CELL_PAD = 10, TEXT_H = 34, TOP = 40 };

int nl_predict_report(const char *path, const uint8_t *images, int h, int w,
                      const uint8_t *labels, const int32_t *pred, int n,
                      const char *const *names, const char *title)
{
	char tb[16], pb[16];
	int wrong = 0;
	for (int i = 0; i < n; i++)
		wrong += pred[i] != labels[i];
	printf("predictions for the first %d test image%s: %d wrong, drawn in %s\n", n,
	       n == 1 ? "" : "s", wrong, path);
	for (int i = 0; i < n; i++)
		printf("%5d  true %-12s predicted %s%s\n", i,
		       nl_class_name(names, labels[i], tb, sizeof tb),
		       nl_class_name(names, pred[i], pb, sizeof pb),
		       pred[i] != labels[i] ? "  (wrong)" : "");

	int cols = n < COLS ? n : COLS, rows = (n + cols - 1) / cols;
	double cw = w * SCALE + 2 * CELL_PAD, ch = h * SCALE + TEXT_H + 2 * CELL_PAD;
	if (cw < 104)
		cw = 104;   /* room for "ankle boot" */
	double width = cols * cw + 20, height = TOP + rows * ch + 10;
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	FILE *f = a.f;
	nl_svg_begin(f, width, height, title);
	fprintf(f, "<text class=\"title\" x=\"10\" y=\"22\" font-size=\"13\">");
	nl_svg_text(f, title ? title : "");
	fprintf(f, ": %d test images, %d wrong (true label above, prediction below)</text>\n",
	        n, wrong);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		double x = 10 + (i % cols) * cw, y = TOP + (i / cols) * ch;
		double ix = x + (cw - w * SCALE) / 2, iy = y + CELL_PAD + 14;
		int bad = pred[i] != labels[i];
		fprintf(f, "<g class=\"prediction%s\" data-index=\"%d\" data-true=\"%d\" "
		        "data-pred=\"%d\">\n", bad ? " wrong" : "", i, labels[i], pred[i]);
		fprintf(f, "<text class=\"true\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		        x + cw / 2, y + CELL_PAD + 8);
		nl_svg_text(f, nl_class_name(names, labels[i], tb, sizeof tb));
		fputs("</text>\n", f);
		rc = nl_svg_image(f, images + (size_t)i * h * w, w, h, 1, ix, iy, SCALE);
		if (bad)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" "
			        "stroke=\"#d62728\" stroke-width=\"3\"/>\n", ix - 2, iy - 2,
			        w * SCALE + 4, h * SCALE + 4);
		fprintf(f, "<text class=\"pred\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>",
		        x + cw / 2, iy + h * SCALE + 15,
		        bad ? " fill=\"#d62728\" font-weight=\"bold\"" : "");
		nl_svg_text(f, nl_class_name(names, pred[i], pb, sizeof pb));
		fputs(bad ? " \xe2\x9c\x97</text>\n" : "</text>\n", f);   /* U+2717 ballot x */
		fputs("</g>\n", f);
	}
	nl_svg_end(f);
	if (rc || ferror(f)) {
		fprintf(stderr, "netlang: %s: %s\n", path, rc ? "out of memory" : "cannot write");
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}
