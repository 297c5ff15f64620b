/* logits.c - a network's logits for the test images, as text
 * (netlang NET.net --logits FILE): what another framework's copy of the
 * network must reproduce.
 *
 * One line per image, "index label logit0 logit1 ...", after two comment
 * lines; floats printed with 9 significant digits, which read back as the
 * same float32.  numpy.loadtxt reads the file as it is.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/data/data.h"
#include "runtime/data/net_data.h"
#include "runtime/export/export.h"
#include "runtime/plan/plan.h"
#include "runtime/train/train.h"

typedef struct logits_run {
	nl_backend *be;
	nl_plan *plan;
	nl_net_data data;           /* the test set as training reads it */
	uint8_t *images, *labels;   /* the test set in backend memory */
	int32_t *idx;
	float *host;                /* one batch of logits, or the weights */
} logits_run;

static void run_close(logits_run *r)
{
	if (r->be) {
		if (r->images) r->be->release(r->be, r->images);
		if (r->labels) r->be->release(r->be, r->labels);
		if (r->idx) r->be->release(r->be, r->idx);
		nl_plan_free(r->plan);
		r->be->destroy(r->be);
	}
	nl_net_data_close(&r->data);
	free(r->host);
}

/* The weights: o->load's, or the initial ones of o->seed; o->save gets
 * them.  r->host is scratch. */
static int set_weights(logits_run *r, const nl_graph *g, const nl_options *o)
{
	nl_plan *p = r->plan;
	const nl_param_layout *l = &p->layout;
	if (nl_plan_init_params(p, o->seed))
		return -1;
	if (!o->load && !o->save)
		return 0;
	float *w = calloc(l->nparams + l->nstate + 1, sizeof *w);
	if (!w) {
		fprintf(stderr, "netlang: out of memory for the weights\n");
		return -1;
	}
	int rc = 0;
	if (o->load) {
		rc = nl_weights_load(o->load, g, l, w, w + l->nparams, NULL, NULL);
		if (rc == 0)
			rc = nl_plan_set_params(p, w, w + l->nparams);
	} else {
		rc = nl_plan_get_params(p, w, w + l->nparams);
	}
	if (rc == 0 && o->save)
		rc = nl_weights_save(o->save, g, l, w, w + l->nparams, NULL, 0);
	free(w);
	return rc;
}

int nl_export_logits(const char *path, const nl_graph *g, const nl_options *o)
{
	logits_run r = { 0 };
	nl_atomic_file af = { 0 };
	int rc = -1, opened = 0;
	const nl_shape *in = &g->nodes[0].shape;
	if (nl_plan_logits(g) < 0) {
		fprintf(stderr, "netlang: --logits: the network must end in a flat layer of "
		        "class scores (fc N)\n");
		return -1;
	}
	/* any data set training takes, decoded for the net's input and
	 * normalised as training normalises it */
	if (nl_net_data_open(&r.data, g, o, 1))
		goto out;
	const nl_dataset *test = &r.data.test;
	const char *where = r.data.where;
	long count = test->n;
	if (o->steps > 0 && o->steps <= count / o->batch)
		count = o->steps * o->batch;
	int batch = count < o->batch ? (int)count : o->batch;
	if (!(r.be = nl_backend_open(o)) ||
	    !(r.plan = nl_plan_new(r.be, g, batch, 0)) ||
	    nl_net_data_check_classes(&r.data, g, r.plan->logits, r.plan->classes) ||
	    set_weights(&r, g, o))
		goto out;
	nl_plan *p = r.plan;
	size_t pix = (size_t)test->n * test->c * test->h * test->w;
	size_t nidx = ((size_t)count + batch - 1) / batch * batch;
	r.images = r.be->alloc(r.be, pix);
	r.labels = r.be->alloc(r.be, (size_t)test->n);
	r.idx = r.be->alloc(r.be, nidx * sizeof *r.idx);
	int32_t *order = calloc(nidx, sizeof *order);
	r.host = malloc((size_t)batch * p->classes * sizeof *r.host);
	if (!r.images || !r.labels || !r.idx || !order || !r.host) {
		free(order);
		fprintf(stderr, "netlang: out of memory for the test images\n");
		goto out;
	}
	for (long i = 0; i < count; i++)
		order[i] = (int32_t)i;   /* a short last batch repeats image 0 */
	r.be->upload(r.be, r.images, test->images, pix);
	r.be->upload(r.be, r.labels, test->labels, (size_t)test->n);
	r.be->upload(r.be, r.idx, order, nidx * sizeof *order);
	free(order);

	if (nl_atomic_open(&af, path))
		goto out;
	opened = 1;
	if (o->load)
		fprintf(af.f, "# netlang logits of %ld test images from %s, weights %s\n",
		        count, where, o->load);
	else
		fprintf(af.f, "# netlang logits of %ld test images from %s, weights "
		        "initialised from seed %llu\n", count, where,
		        (unsigned long long)o->seed);
	if (r.data.normalize) {
		fputs("# inputs scaled to [0, 1], then normalised per channel: means", af.f);
		for (int c = 0; c < test->c; c++)
			fprintf(af.f, " %.9g", (double)r.data.norm[c]);
		fputs(", deviations", af.f);
		for (int c = 0; c < test->c; c++)
			fprintf(af.f, " %.9g", (double)r.data.norm[test->c + c]);
		fputc('\n', af.f);
	}
	fputs("# image label logits...\n", af.f);
	const float *y = p->steps[p->logits].y;
	for (long first = 0; first < count; first += batch) {
		int n = count - first < batch ? (int)(count - first) : batch;
		/* scaled to [0, 1] and normalised as training does */
		r.be->gather(r.be, r.images, r.labels, r.idx + first, batch, test->c, test->h,
		             test->w, in->h, in->w, r.data.normalize ? r.data.norm : NULL,
		             p->input, p->labels);
		nl_plan_forward(p, 0);
		r.be->download(r.be, r.host, y, (size_t)batch * p->classes * sizeof *r.host);
		for (int i = 0; i < n; i++) {
			fprintf(af.f, "%ld %d", first + i, test->labels[first + i]);
			for (int c = 0; c < p->classes; c++)
				fprintf(af.f, " %.9g", (double)r.host[(size_t)i * p->classes + c]);
			fputc('\n', af.f);
		}
	}
	opened = 0;
	rc = nl_atomic_commit(&af);
out:
	if (opened)
		nl_atomic_abort(&af);
	run_close(&r);
	return rc;
}
