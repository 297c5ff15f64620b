/* train.c - the training loop: D2L's recipe (minibatch SGD on softmax
 * cross-entropy, shuffled each epoch, test accuracy after each epoch) over
 * a plan, with the data set held in the backend's memory so that a step
 * never waits for the host.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/data/data.h"
#include "runtime/plan/plan.h"
#include "runtime/report/report.h"
#include "runtime/rng.h"
#include "runtime/train/train.h"

/* A data set uploaded to the backend. */
typedef struct dev_data {
	uint8_t *images, *labels;
	int32_t *idx;           /* the order examples are drawn in */
	int n, h, w;
} dev_data;

static void dev_data_free(nl_backend *be, dev_data *d)
{
	if (d->images) be->release(be, d->images);
	if (d->labels) be->release(be, d->labels);
	if (d->idx) be->release(be, d->idx);
	memset(d, 0, sizeof *d);
}

/* idx gets room for n rounded up to whole batches; the padding repeats
 * example 0 and is never counted. */
static int dev_data_load(nl_backend *be, const nl_dataset *ds, int batch, dev_data *d)
{
	size_t pix = (size_t)ds->n * ds->h * ds->w;
	size_t nidx = ((size_t)ds->n + batch - 1) / batch * batch;
	d->n = ds->n; d->h = ds->h; d->w = ds->w;
	d->images = be->alloc(be, pix);
	d->labels = be->alloc(be, (size_t)ds->n);
	d->idx = be->alloc(be, nidx * sizeof(int32_t));
	if (!d->images || !d->labels || !d->idx) {
		dev_data_free(be, d);
		return -1;
	}
	be->upload(be, d->images, ds->images, pix);
	be->upload(be, d->labels, ds->labels, (size_t)ds->n);
	int32_t *order = calloc(nidx, sizeof *order);
	if (!order) {
		dev_data_free(be, d);
		return -1;
	}
	for (int i = 0; i < ds->n; i++)
		order[i] = i;
	be->upload(be, d->idx, order, nidx * sizeof *order);
	free(order);
	return 0;
}

static void gather(nl_plan *p, const dev_data *d, long first, int n)
{
	const nl_shape *in = &p->g->nodes[0].shape;
	p->be->gather(p->be, d->images, d->labels, d->idx + first, n, d->h, d->w,
	              in->h, in->w, p->input, p->labels);
}

/* Loss and accuracy of the current weights over a whole data set. */
static void evaluate(nl_plan *p, const dev_data *d, double *loss, double *acc)
{
	nl_plan_reset_acc(p);
	for (long first = 0; first < d->n; first += p->batch) {
		int n = d->n - first < p->batch ? (int)(d->n - first) : p->batch;
		/* A short last batch is gathered whole (the padding repeats
		 * example 0) and only its first n rows are scored. */
		gather(p, d, first, p->batch);
		nl_plan_forward(p, 0);
		nl_plan_loss(p, n, 0);
	}
	double l, c;
	nl_plan_read_acc(p, &l, &c);
	*loss = l / d->n;
	*acc = c / d->n;
}

static void shuffle(int32_t *perm, int n, nl_rng *r)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)nl_rng_below(r, (uint32_t)i + 1);
		int32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
	}
}

static void progress(int epoch, int epochs, long done, long total, double loss, double acc)
{
	int width = 30, fill = (int)(width * done / (total ? total : 1));
	printf("\repoch %d/%d [", epoch, epochs);
	for (int i = 0; i < width; i++)
		putchar(i < fill ? '=' : i == fill ? '>' : ' ');
	printf("] %3d%%  loss %.3f, train acc %.3f ", (int)(100 * done / (total ? total : 1)),
	       loss, acc);
	fflush(stdout);
}

static int check_input(const nl_graph *g, const nl_options *o)
{
	const nl_shape *in = &g->nodes[0].shape;
	if (in->c != 1) {
		fprintf(stderr, "netlang: the data set's images have 1 channel; the net's input "
		        "is %dx%dx%d (write `input 1x%dx%d`)\n", in->c, in->h, in->w, in->h, in->w);
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

/* Shared by training and evaluation: backend, plan, data, weights. */
typedef struct session {
	nl_backend *be;
	nl_plan *plan;
	nl_dataset train, test;
	dev_data dtrain, dtest;
	char where[1024];
} session;

static void session_close(session *s)
{
	if (s->be) {
		dev_data_free(s->be, &s->dtrain);
		dev_data_free(s->be, &s->dtest);
		nl_plan_free(s->plan);
		s->be->destroy(s->be);
	}
	nl_dataset_free(&s->train);
	nl_dataset_free(&s->test);
}

static int load_weights(nl_plan *p, const char *path)
{
	const nl_param_layout *l = &p->layout;
	float *host = calloc(l->nparams + l->nstate + 1, sizeof *host);
	if (!host) {
		fprintf(stderr, "netlang: out of memory reading %s\n", path);
		return -1;
	}
	int rc = nl_weights_load(path, p->g, l, host, host + l->nparams);
	if (rc == 0)
		nl_plan_set_params(p, host, host + l->nparams);
	free(host);
	return rc;
}

static int save_weights(nl_plan *p, const char *path)
{
	const nl_param_layout *l = &p->layout;
	float *host = calloc(l->nparams + l->nstate + 1, sizeof *host);
	if (!host) {
		fprintf(stderr, "netlang: out of memory writing %s\n", path);
		return -1;
	}
	nl_plan_get_params(p, host, host + l->nparams);
	int rc = nl_weights_save(path, p->g, l, host, host + l->nparams);
	free(host);
	return rc;
}

static int session_open(session *s, const nl_graph *g, const nl_options *o, int need_train)
{
	memset(s, 0, sizeof *s);
	if (nl_dataset_open(o->data, &s->train, &s->test, s->where, sizeof s->where))
		return -1;
	if (check_input(g, o))
		return -1;
	s->be = nl_backend_open(o);
	if (!s->be)
		return -1;
	s->plan = nl_plan_new(s->be, g, o->batch, need_train ? NL_PLAN_TRAIN : 0);
	if (!s->plan)
		return -1;
	if (s->plan->classes < s->train.classes) {
		fprintf(stderr, "netlang: the net ends in %d outputs; the data set has %d classes\n",
		        s->plan->classes, s->train.classes);
		return -1;
	}
	if (nl_plan_init_params(s->plan, o->seed))
		return -1;
	if (o->load && load_weights(s->plan, o->load))
		return -1;
	if (need_train && dev_data_load(s->be, &s->train, o->batch, &s->dtrain))
		return -1;
	if (dev_data_load(s->be, &s->test, o->batch, &s->dtest))
		return -1;
	return 0;
}

int nl_train(const nl_graph *g, const nl_options *o, const char *title)
{
	session S;
	int status = 1;
	double *hist = NULL;
	int32_t *perm = NULL;
	/* Outputs that cannot be written are found now, not after hours. */
	if ((o->save && nl_atomic_check(o->save)) || (o->plot && nl_atomic_check(o->plot)))
		return 1;
	if (session_open(&S, g, o, 1))
		goto out;
	nl_plan *p = S.plan;
	nl_backend *be = S.be;
	long per_epoch = S.dtrain.n / o->batch;
	if (per_epoch < 1) {
		fprintf(stderr, "netlang: batch %d is larger than the training set (%d)\n",
		        o->batch, S.dtrain.n);
		goto out;
	}
	int tty = isatty(STDOUT_FILENO);   /* a progress bar for a person */
	if (!o->quiet)
		printf("training %s on %s (%s): %d epochs, batch %d, lr %g%s, seed %llu\n",
		       title, be->name, S.where, o->epochs, o->batch, o->lr,
		       o->momentum > 0 ? ", momentum" : "", (unsigned long long)o->seed);

	hist = calloc((size_t)o->epochs * 3, sizeof *hist);
	perm = malloc((size_t)S.dtrain.n * sizeof *perm);
	if (!hist || !perm) {
		fprintf(stderr, "netlang: out of memory\n");
		goto out;
	}
	for (int i = 0; i < S.dtrain.n; i++)
		perm[i] = i;
	nl_rng r = { o->seed ^ 0x73687566666c65ull };   /* "shuffle" */

	long step = 0;
	double train_time = 0, examples = 0;
	double loss = NAN, acc = NAN, test_acc = NAN, test_loss = NAN;
	int epochs_done = 0, stopped = 0;
	for (int ep = 1; ep <= o->epochs && !stopped; ep++) {
		shuffle(perm, S.dtrain.n, &r);
		be->upload(be, S.dtrain.idx, perm, (size_t)S.dtrain.n * sizeof *perm);
		nl_plan_reset_acc(p);
		double t0 = be->clock(be), seen = 0, last_sum = 0;
		long since = 0;
		for (long b = 0; b < per_epoch; b++) {
			gather(p, &S.dtrain, b * o->batch, o->batch);
			nl_plan_forward(p, 1);
			nl_plan_loss(p, o->batch, 1);
			nl_plan_backward(p);
			if (nl_plan_update(p, (float)o->lr, (float)o->momentum,
			                   (float)o->weight_decay))
				goto out;
			step++;
			since++;
			seen += o->batch;
			int last = b + 1 == per_epoch || (o->steps && step >= o->steps);
			int logged = o->log_every && step % o->log_every == 0;
			/* Reading the accumulator waits for the device: do it
			 * only when something is printed or checked. */
			if (logged || last || step % 20 == 0) {
				double sum, correct;
				nl_plan_read_acc(p, &sum, &correct);
				if (!isfinite(sum)) {
					if (tty) putchar('\n');
					fprintf(stderr, "netlang: the loss became %s at step %ld (epoch %d); "
					        "training stopped. Try a lower learning rate (--lr %g).\n",
					        isnan(sum) ? "NaN" : "infinite", step, ep, o->lr / 10);
					goto out;
				}
				if (logged) {
					/* the mean loss of the steps since the last line */
					if (tty) printf("\r\033[K");
					printf("step %ld loss %.6f\n", step,
					       (sum - last_sum) / ((double)o->batch * since));
					fflush(stdout);
					last_sum = sum;
					since = 0;
				}
				if (tty && !o->quiet)
					progress(ep, o->epochs, b + 1, per_epoch, sum / seen, correct / seen);
				if (last) {
					loss = sum / seen;
					acc = correct / seen;
				}
			}
			if (o->steps && step >= o->steps) {
				stopped = 1;
				break;
			}
		}
		double t1 = be->clock(be);
		train_time += t1 - t0;
		examples += seen;
		if (tty && !o->quiet)
			printf("\r\033[K");
		if (!stopped) {
			evaluate(p, &S.dtest, &test_loss, &test_acc);
		} else {
			test_acc = NAN;
		}
		hist[epochs_done * 3 + 0] = loss;
		hist[epochs_done * 3 + 1] = acc;
		hist[epochs_done * 3 + 2] = test_acc;
		epochs_done++;
		if (!o->quiet) {
			printf("epoch %d/%d: loss %.3f, train acc %.3f, ", ep, o->epochs, loss, acc);
			if (isnan(test_acc))
				printf("test acc not measured (stopped after %ld steps)", step);
			else
				printf("test acc %.3f", test_acc);
			printf(", %.1f examples/sec\n", seen / (t1 - t0));
			fflush(stdout);
		}
	}
	printf("loss %.3f, train acc %.3f, test acc ", loss, acc);
	if (isnan(test_acc))
		printf("n/a\n");
	else
		printf("%.3f\n", test_acc);
	printf("%.1f examples/sec on %s\n", examples / train_time, be->name);
	status = 0;
	if (o->save && save_weights(p, o->save))
		status = 1;
	if (o->plot) {
		double *l = malloc(3 * (size_t)epochs_done * sizeof *l);
		if (!l) {
			status = 1;
		} else {
			for (int e = 0; e < epochs_done; e++) {
				l[e] = hist[e * 3];
				l[epochs_done + e] = hist[e * 3 + 1];
				l[2 * epochs_done + e] = hist[e * 3 + 2];
			}
			if (nl_plot_svg(o->plot, title, epochs_done, l, l + epochs_done,
			                l + 2 * epochs_done))
				status = 1;
			free(l);
		}
	}
out:
	free(hist);
	free(perm);
	session_close(&S);
	return status;
}

int nl_evaluate(const nl_graph *g, const nl_options *o)
{
	session S;
	int status = 1;
	if (!o->load) {
		fprintf(stderr, "netlang: --eval needs weights: --load FILE\n");
		return 1;
	}
	if (session_open(&S, g, o, 0) == 0) {
		double loss, acc;
		double t0 = S.be->clock(S.be);
		evaluate(S.plan, &S.dtest, &loss, &acc);
		double t1 = S.be->clock(S.be);
		printf("test loss %.3f, test acc %.3f\n", loss, acc);
		printf("%.1f examples/sec on %s\n", S.dtest.n / (t1 - t0), S.be->name);
		status = 0;
	}
	session_close(&S);
	return status;
}
