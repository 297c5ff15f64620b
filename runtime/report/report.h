/* report.h - what netlang shows about a net and its runs beyond the
 * listing: training curves, per-layer timing, the memory a step takes,
 * accuracy per class.  Each returns 0, or -1 (nl_time: a process exit
 * status) after a message. */
#ifndef NL_REPORT_H
#define NL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "lang/graph.h"
#include "lang/settings.h"

/* The training curves as a self-contained SVG, after the figures of "Dive
 * into Deep Learning": epochs 1..n across, 0..max(1, max loss) up, train
 * loss solid, train acc dashed, test acc dotted, with a legend.  Each array
 * holds nepochs values; a NAN (or infinite) value is a point not measured
 * and is left out of its line.  The file is written atomically (plot.c). */
int nl_plot_svg(const char *path, const char *title, int nepochs, const double *loss,
                const double *train_acc, const double *test_acc);

/* --time: forward and backward time per layer, as `caffe time` reports
 * them, and whole-step throughput (timing.c).  Returns an exit status. */
int nl_time(const nl_graph *g, const nl_options *o);

/* The listing's last line: the memory a training step at o->batch takes,
 * as the plan counts it (memory.c). */
int nl_print_memory(FILE *f, const nl_graph *g, const nl_options *o);

/* Accuracy per class, for --eval: which classes a net gets right and
 * which it confuses, counted from the logits of each evaluated batch (the
 * predicted class is the first largest logit, as the loss counts a correct
 * answer) (class_report.c). */
typedef struct nl_class_tally {
	int k;
	long *hits, *count;     /* per true class */
} nl_class_tally;

/* 0, or -1 on out-of-memory. */
int nl_tally_init(nl_class_tally *t, int k);
/* n rows of k logits with their true labels. */
void nl_tally_add(nl_class_tally *t, const float *logits, const uint8_t *labels, int n);
/* One line per class: name (or its number), images, accuracy. */
void nl_tally_print(const nl_class_tally *t, char *const *names, FILE *f);
void nl_tally_free(nl_class_tally *t);

#endif
