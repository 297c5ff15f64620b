/* report.h - what netlang shows about a net and its runs beyond the
 * listing: training curves, per-layer timing, the memory a step takes,
 * accuracy per class.  Each returns 0, or -1 (nl_time: a process exit
 * status) after a message. */
#ifndef NL_REPORT_H
#define NL_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/graph.h"
#include "lang/outline.h"
#include "lang/settings.h"
#include "runtime/plan/params.h"

/* Training curves as a self-contained SVG, after D2L's Animator (plot.c):
 * epochs from 0 across, 0..max(1, max loss) up, train loss solid and
 * train acc dashed at points within epochs, test acc dotted at epoch ends,
 * with a legend.  A NAN (or infinite) value is a point not measured and is
 * left out of its line.  nl_curves_write rewrites the file whole,
 * atomically, so it may be called as often as points come. */
typedef struct nl_curves {
	const char *path, *title;
	int epochs;                     /* the axis runs at least 0..epochs */
	int n, cap;                     /* train points */
	double *x, *loss, *acc;
	int nt, capt;                   /* test points */
	double *tx, *tacc;
} nl_curves;
void nl_curves_init(nl_curves *c, const char *path, const char *title, int epochs);
int nl_curves_add(nl_curves *c, double x, double loss, double acc);
int nl_curves_add_test(nl_curves *c, double x, double acc);
int nl_curves_write(const nl_curves *c);
void nl_curves_free(nl_curves *c);

/* One point per epoch for each curve, epoch e at x = e: each array holds
 * nepochs values. */
int nl_plot_svg(const char *path, const char *title, int nepochs, const double *loss,
                const double *train_acc, const double *test_acc);

/* The names of a data set's classes for pictures (classes.c): Fashion-
 * MNIST's ten as D2L spells them, MNIST's digits; NULL when unknown (a
 * class then shows as its number).  spec is --data's value, where the
 * directory it was found in. */
const char *const *nl_class_names(const char *spec, const char *where, int classes);
/* Class k's name, or its number written into buf. */
const char *nl_class_name(const char *const *names, int k, char *buf, size_t n);

/* The confusion matrix (confusion.c): counts[true * classes + predicted]
 * as a table of counts, and as an SVG picture (written atomically). */
void nl_confusion_print(FILE *f, const int64_t *counts, int classes,
                        const char *const *names);
int nl_confusion_svg(const char *path, const int64_t *counts, int classes,
                     const char *const *names, const char *title);

/* --predict (predict.c): n test images (h x w bytes each) with their true
 * and predicted labels, a line each on stdout and a grid in the SVG file
 * path, wrong predictions marked. */
int nl_predict_report(const char *path, const uint8_t *images, int h, int w,
                      const uint8_t *labels, const int32_t *pred, int n,
                      const char *const *names, const char *title);

/* --filters (filters.c): the first convolution's kernels, read from params
 * (laid out as l says), as a grid of images: PNG, or SVG when path ends
 * in .svg.  -1 after a message (also when the net has no convolution). */
int nl_filters_write(const char *path, const nl_graph *g, const nl_param_layout *l,
                     const float *params);

/* --draw: the architecture as an SVG drawing (draw.c): a box per layer
 * with its text as written and its output shape, block calls framed (or,
 * nested deeper than depth > 0, one box each, as the table collapses
 * them), branches side by side; top to bottom, or left to right for a
 * short chain.  Written atomically; -1 after a message. */
int nl_draw_svg(const char *path, const nl_graph *g, int depth, const char *title);

/* --explain (explain.c): for each layer, one line of the arithmetic that
 * gives its output shape, its parameters and its receptive field, e.g.
 *   conv 11x11/4 -> 96 on 1x224x224: (224 + 2*0 - 11) / 4 + 1 = 54 (floor),
 *   96 channels; params 96*(1*11*11) + 96 = 11,712; receptive field 11x11
 * failed is the layer whose shape failed (nl_build_partial), whose line
 * shows the arithmetic going wrong, or -1. */
int nl_explain(FILE *f, const nl_graph *g, int failed);
/* Node i's line into buf; rf holds every node's receptive field
 * (nl_rfields).  Returns -1 when buf was too short (the line is cut). */
int nl_explain_node(const nl_graph *g, int i, const nl_rfield *rf, int failed,
                    char *buf, size_t n);

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
