/* net_data.c - the data set a net trains on, checked against it (see
 * net_data.h). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "runtime/data/dataset.h"
#include "runtime/data/net_data.h"

/* Per-channel mean and (population) standard deviation of the pixels / 255
 * over the whole training set, in double: what normalize auto uses, and
 * what torchvision users compute by hand for Normalize. */
static void channel_stats(const nl_dataset *ds, float *norm)
{
	const size_t plane = (size_t)ds->h * ds->w;
	for (int ch = 0; ch < ds->c; ch++) {
		double sum = 0, sq = 0;
		for (int i = 0; i < ds->n; i++) {
			const uint8_t *p = ds->images + ((size_t)i * ds->c + ch) * plane;
			unsigned long long s = 0, s2 = 0;     /* exact within an image */
			for (size_t k = 0; k < plane; k++) {
				s += p[k];
				s2 += (unsigned)p[k] * p[k];
			}
			sum += (double)s;
			sq += (double)s2;
		}
		double count = (double)ds->n * (double)plane;
		double mean = sum / count / 255.0;
		double var = sq / count / (255.0 * 255.0) - mean * mean;
		norm[ch] = (float)mean;
		norm[ds->c + ch] = (float)(var > 1e-12 ? sqrt(var) : 1.0);
	}
}

static int check_input(const nl_dataset *ds, const nl_graph *g, const nl_options *o)
{
	const nl_shape *in = &g->nodes[0].shape;
	if (in->c != ds->c) {
		fprintf(stderr, "netlang: the data set's images have %d channel%s; the net's input "
		        "is %dx%dx%d (write `input %dx%dx%d`)\n", ds->c, ds->c == 1 ? "" : "s",
		        in->c, in->h, in->w, ds->c, in->h, in->w);
		return -1;
	}
	if (o->resize > 0 && (o->resize != in->h || o->resize != in->w)) {
		fprintf(stderr, "netlang: the train section's resize %d does not match the net's "
		        "input %dx%dx%d (--resize N runs the net at NxN)\n",
		        o->resize, in->c, in->h, in->w);
		return -1;
	}
	return 0;
}

/* normalize (the train section's or the command line's), for c channels:
 * 2 numbers serve every channel, 2c give each its own. */
static int set_norm(nl_net_data *d, const nl_numbers *t, int quiet)
{
	int c = d->train.c;
	if (!t->is_auto && t->n == 0)
		return 0;
	d->normalize = 1;
	if (t->is_auto) {
		channel_stats(&d->train, d->norm);
		if (!quiet) {
			printf("normalize auto: mean");
			for (int ch = 0; ch < c; ch++)
				printf(" %.4f", d->norm[ch]);
			printf(", std");
			for (int ch = 0; ch < c; ch++)
				printf(" %.4f", d->norm[c + ch]);
			printf(" (from the %d training images)\n", d->train.n);
		}
		return 0;
	}
	if (t->n != 2 && t->n != 2 * c) {
		fprintf(stderr, "netlang: normalize has %d numbers; for %d-channel images give a "
		        "mean and a standard deviation (2) or one of each per channel (%d)\n",
		        t->n, c, 2 * c);
		return -1;
	}
	for (int ch = 0; ch < c; ch++) {
		d->norm[ch] = (float)(t->n == 2 ? t->v[0] : t->v[ch]);
		d->norm[c + ch] = (float)(t->n == 2 ? t->v[1] : t->v[c + ch]);
	}
	return 0;
}

int nl_net_data_open(nl_net_data *d, const nl_graph *g, const nl_options *o, int quiet)
{
	memset(d, 0, sizeof *d);
	const nl_shape *in = &g->nodes[0].shape;
	nl_data_request rq = { o->data, in->c, in->h, in->w, o->split };
	if (nl_data_open(&rq, &d->train, &d->test, d->where, sizeof d->where) != 0 ||
	    check_input(&d->train, g, o) != 0 || set_norm(d, &o->normalize, quiet) != 0) {
		nl_net_data_close(d);
		return -1;
	}
	return 0;
}

int nl_net_data_check_classes(const nl_net_data *d, const nl_graph *g, int logits,
                              int classes)
{
	const int k = d->train.classes;
	if (classes == k)
		return 0;
	const nl_node *nd = &g->nodes[logits];
	fprintf(stderr, "%s:%d:%d: error: the net ends in %d output%s, but the data set has "
	        "%d classes", nd->loc.file, nd->loc.line, nd->loc.col, classes,
	        classes == 1 ? "" : "s", k);
	if (d->train.names) {
		fprintf(stderr, " (");
		for (int i = 0; i < k && i < 8; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", d->train.names[i]);
		fprintf(stderr, "%s)", k > 8 ? ", ..." : "");
	}
	fprintf(stderr, ": the last layer needs %d outputs (fc %d)\n    data: %s\n", k, k,
	        d->where);
	return -1;
}

int nl_net_data_check_names(const nl_net_data *d, const char *path, char *const *names,
                            int nnames)
{
	if (!names || !d->train.names)
		return 0;
	if (nnames != d->train.classes) {
		fprintf(stderr, "netlang: %s was trained on %d classes; the data set (%s) has %d\n",
		        path, nnames, d->where, d->train.classes);
		return -1;
	}
	for (int i = 0; i < nnames; i++)
		if (strcmp(names[i], d->train.names[i]) != 0) {
			fprintf(stderr, "netlang: %s: class %d is '%s' in the weights but '%s' in the "
			        "data set (%s): these weights were trained on other classes, or in "
			        "another order\n", path, i, names[i], d->train.names[i], d->where);
			return -1;
		}
	return 0;
}

void nl_net_data_close(nl_net_data *d)
{
	nl_dataset_free(&d->train);
	nl_dataset_free(&d->test);
	memset(d, 0, sizeof *d);
}
