/* plot.h - the training curves as a self-contained SVG, after the figures
 * of "Dive into Deep Learning": epochs 1..n across, 0..max(1, max loss) up,
 * train loss solid, train acc dashed, test acc dotted, with a legend. */
#ifndef NL_PLOT_H
#define NL_PLOT_H

/* Each array holds nepochs values; a NAN (or infinite) value is a point not
 * measured and is left out of its line.  The file is written atomically.
 * Returns 0, or -1 after a message to stderr. */
int nl_plot_svg(const char *path, const char *title, int nepochs, const double *loss,
                const double *train_acc, const double *test_acc);

#endif
