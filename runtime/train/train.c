/* train.c - the training loop: D2L's recipe (minibatch SGD on softmax
 * cross-entropy, shuffled each epoch, test accuracy after each epoch) over
 * a plan, with the data set held in the backend's memory so that a step
 * never waits for the host.
 */
#include <config.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/lang.h"
#include "runtime/data/data.h"
#include "runtime/dist/dist.h"
#include "runtime/plan/plan.h"
#include "runtime/report/report.h"
#include "runtime/rng.h"
#include "runtime/train/checkpoint.h"
#include "runtime/train/dist_step.h"
#include "runtime/train/interrupt.h"
#include "runtime/train/train.h"

/* A data set uploaded to the backend. */
typedef struct dev_data {
	uint8_t *images, *labels;
	int32_t *idx;           /* the order examples are drawn in */
	int n, c, h, w;
	const float *norm;      /* gather's normalisation (host), or NULL */
	const uint8_t *host_labels;
} dev_data;

static void dev_data_free(nl_backend *be, dev_data *d)
{
	if (d->images) be->release(be, d->images);
	if (d->labels) be->release(be, d->labels);
	if (d->idx) be->release(be, d->idx);
	memset(d, 0, sizeof *d);
}

/* idx gets room for n rounded up to whole batches and one batch more (a
 * rank's share starts inside a batch); the padding repeats example 0 and
 * is never counted. */
static int dev_data_load(nl_backend *be, const nl_dataset *ds, int batch, dev_data *d)
{
	size_t pix = (size_t)ds->n * ds->c * ds->h * ds->w;
	size_t nidx = ((size_t)ds->n + batch - 1) / batch * batch + batch;
	d->n = ds->n; d->c = ds->c; d->h = ds->h; d->w = ds->w;
	d->host_labels = ds->labels;
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
	p->be->gather(p->be, d->images, d->labels, d->idx + first, n, d->c, d->h, d->w,
	              in->h, in->w, d->norm, p->input, p->labels);
}

/* The per-class counts of every rank's share added up, in pieces through
 * a buffer of fixed size (every rank makes the same calls; counts far
 * below 2^53 pass through doubles exactly). */
static void sum_tally(nl_class_tally *t)
{
	long *const rows[2] = { t->hits, t->count };
	double v[256];
	for (int r = 0; r < 2; r++)
		for (int at = 0; at < t->k; at += 256) {
			int n = t->k - at < 256 ? t->k - at : 256;
			for (int i = 0; i < n; i++)
				v[i] = (double)rows[r][at + i];
			nl_dist_sum_doubles(v, n);
			for (int i = 0; i < n; i++)
				rows[r][at + i] = (long)v[i];
		}
}

/* Loss and accuracy of the current weights over a whole data set, and
 * into tally (when not NULL) the same per class: each rank scores its
 * contiguous share and the sums are added up.  The data set's order is
 * its own (idx is the identity), so the host's labels match the rows. */
static void evaluate(nl_plan *p, const dev_data *d, double *loss, double *acc,
                     nl_class_tally *tally, float *logits)
{
	long start, count;
	nl_dist_share(d->n, nl_dist_rank(), nl_dist_size(), &start, &count);
	nl_plan_reset_acc(p);
	for (long at = 0; at < count; at += p->batch) {
		int n = count - at < p->batch ? (int)(count - at) : p->batch;
		/* A short last batch is gathered whole (the padding repeats
		 * example 0 or the next rank's) and only its first n rows are
		 * scored. */
		gather(p, d, start + at, p->batch);
		nl_plan_forward(p, 0);
		nl_plan_loss(p, n, 0);
		if (tally) {
			p->be->download(p->be, logits, p->steps[p->logits].y,
			                (size_t)n * p->classes * sizeof *logits);
			nl_tally_add(tally, logits, d->host_labels + start + at, n);
		}
	}
	double sums[2];
	nl_plan_read_acc(p, &sums[0], &sums[1]);
	nl_dist_sum_doubles(sums, 2);
	*loss = sums[0] / d->n;
	*acc = sums[1] / d->n;
	if (tally && nl_dist_size() > 1)
		sum_tally(tally);
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

/* Shared by training and evaluation: backend, plan, data, weights. */
typedef struct session {
	nl_backend *be;
	nl_plan *plan;
	nl_net_data data;
	dev_data dtrain, dtest;
} session;

static void session_close(session *s)
{
	if (s->be) {
		dev_data_free(s->be, &s->dtrain);
		dev_data_free(s->be, &s->dtest);
		nl_plan_free(s->plan);
		s->be->destroy(s->be);
	}
	nl_net_data_close(&s->data);
}

/* The weights, and the class names saved with them, which must be the
 * data set's where both are known. */
static int load_weights(nl_plan *p, const char *path, const nl_net_data *data)
{
	const nl_param_layout *l = &p->layout;
	float *host = calloc(l->nparams + l->nstate + 1, sizeof *host);
	if (!host) {
		fprintf(stderr, "netlang: out of memory reading %s\n", path);
		return -1;
	}
	char **names = NULL;
	int nnames = 0;
	int rc = nl_weights_load(path, p->g, l, host, host + l->nparams, &names, &nnames);
	if (rc == 0)
		rc = nl_net_data_check_names(data, path, names, nnames);
	if (rc == 0)
		nl_plan_set_params(p, host, host + l->nparams);
	nl_weights_free_names(names, nnames);
	free(host);
	return rc;
}

static int save_weights(nl_plan *p, const char *path, const nl_dataset *ds)
{
	const nl_param_layout *l = &p->layout;
	float *host = calloc(l->nparams + l->nstate + 1, sizeof *host);
	if (!host) {
		fprintf(stderr, "netlang: out of memory writing %s\n", path);
		return -1;
	}
	nl_plan_get_params(p, host, host + l->nparams);
	int rc = nl_weights_save(path, p->g, l, host, host + l->nparams,
	                         (const char *const *)ds->names, ds->names ? ds->classes : 0);
	free(host);
	return rc;
}

static int session_open(session *s, const nl_graph *g, const nl_options *o, int need_train)
{
	memset(s, 0, sizeof *s);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* Fuzzing: a run stays a matter of milliseconds (settings.c keeps
	 * epochs and batches small; this, the net) */
	if (g->flops > (int64_t)4 << 20) {
		fprintf(stderr, "netlang: (fuzzing build) %lld FLOPs an image are too many to train\n",
		        (long long)g->flops);
		return -1;
	}
#endif
	if (nl_net_data_open(&s->data, g, o, o->quiet))
		return -1;
	s->be = nl_backend_open(o);
	if (!s->be)
		return -1;
	/* on one rank of several, the plan holds the rank's share */
	int batch = nl_dist_plan_batch(o->batch, o->quiet);
	if (batch < 0)
		return -1;
	s->plan = nl_plan_new(s->be, g, batch, need_train ? NL_PLAN_TRAIN : 0);
	if (!s->plan)
		return -1;
	if (nl_net_data_check_classes(&s->data, g, s->plan->logits, s->plan->classes))
		return -1;
	if (nl_plan_init_params(s->plan, o->seed))
		return -1;
	if (o->load && load_weights(s->plan, o->load, &s->data))
		return -1;
	if (need_train && dev_data_load(s->be, &s->data.train, o->batch, &s->dtrain))
		return -1;
	if (dev_data_load(s->be, &s->data.test, o->batch, &s->dtest))
		return -1;
	s->dtrain.norm = s->dtest.norm = s->data.normalize ? s->data.norm : NULL;
	return 0;
}

static void print_header(const session *S, const nl_graph *g, const nl_options *o,
                         const char *title, long per_epoch, uint64_t seed);
static int live_plot(nl_curves *c, int *failed, double x, double loss, double acc, int test);
static int pictures(session *S, const nl_options *o, const char *title);
static int confusion(session *S, const nl_options *o);

/* A run's state between steps: what a checkpoint holds beside the plan. */
typedef struct run {
	int epoch;              /* in progress, from 1 */
	long b0;                /* its first batch (a resumed epoch's) */
	long step;
	nl_rng shuffle;
	double ep_sum, ep_correct, seen;   /* this epoch so far, in double */
	double train_time, examples;
	int epochs_done;
	double *hist;           /* loss, train acc, test acc per epoch */
	int32_t *perm;
} run;

static int save_checkpoint(nl_plan *p, const run *R, const nl_options *o, uint64_t seed,
                           int epoch, long batches_done, int ntrain)
{
	const nl_param_layout *l = &p->layout;
	nl_checkpoint c = {
		.seed = seed, .batch = o->batch, .ntrain = ntrain, .epoch = epoch,
		.batches_done = (int)batches_done, .step = R->step, .rng = R->shuffle.s,
		.forwards = p->forwards, .ep_sum = batches_done ? R->ep_sum : 0,
		.ep_correct = batches_done ? R->ep_correct : 0,
		.ep_seen = batches_done ? R->seen : 0, .train_time = R->train_time,
		.examples = R->examples, .epochs_done = R->epochs_done, .hist = R->hist,
		.perm = R->perm,
	};
	float *host = calloc(2 * l->nparams + l->nstate + 1, sizeof *host);
	if (!host) {
		fprintf(stderr, "netlang: out of memory writing %s\n", o->checkpoint);
		return -1;
	}
	c.params = host;
	c.state = host + l->nparams;
	nl_plan_get_params(p, c.params, c.state);
	float *v = host + l->nparams + l->nstate;
	c.velocity = nl_plan_get_velocity(p, v) ? v : NULL;
	int rc = nl_checkpoint_save(o->checkpoint, l, &c);
	free(host);
	return rc;
}

/* Continue from --resume's checkpoint: the plan's weights, momentum and
 * dropout counter, the run's counters, order and curves. */
static int resume(nl_plan *p, run *R, const nl_options *o, int ntrain, uint64_t *seed)
{
	nl_checkpoint c;
	if (nl_checkpoint_load(o->resume, &p->layout, &c))
		return -1;
	int rc = -1;
	if (c.batch != o->batch) {
		fprintf(stderr, "netlang: %s was written by a run with batch %d; this one has "
		        "batch %d (give --batch %d)\n", o->resume, c.batch, o->batch, c.batch);
	} else if (c.ntrain != ntrain) {
		fprintf(stderr, "netlang: %s was written by a run on %d training examples; this "
		        "data set has %d\n", o->resume, c.ntrain, ntrain);
	} else if (c.epoch > o->epochs) {
		fprintf(stderr, "netlang: %s: that run finished its %d epochs (give --epochs N "
		        "with N > %d to train on)\n", o->resume, c.epoch - 1, c.epoch - 1);
	} else if (nl_plan_init_params(p, c.seed) || nl_plan_set_params(p, c.params, c.state) ||
	           (c.velocity && nl_plan_set_velocity(p, c.velocity))) {
		fprintf(stderr, "netlang: out of memory resuming from %s\n", o->resume);
	} else {
		p->forwards = c.forwards;
		*seed = c.seed;
		R->epoch = c.epoch;
		R->b0 = c.batches_done;
		R->step = c.step;
		R->shuffle.s = c.rng;
		R->ep_sum = c.ep_sum;
		R->ep_correct = c.ep_correct;
		R->seen = c.ep_seen;
		R->train_time = c.train_time;
		R->examples = c.examples;
		R->epochs_done = c.epochs_done;
		memcpy(R->hist, c.hist, 3 * (size_t)c.epochs_done * sizeof *R->hist);
		memcpy(R->perm, c.perm, (size_t)ntrain * sizeof *R->perm);
		rc = 0;
	}
	nl_checkpoint_free(&c);
	return rc;
}

/* The advice when the loss blows up: a smaller step, and weight decay
 * when lr x weight decay alone makes each step overshoot (the decay
 * multiplies every weight by 1 - lr x wd per step). */
static void divergence_advice(const nl_options *o)
{
	fprintf(stderr, "Try a lower learning rate (--lr %g)", o->lr / 10);
	if (o->weight_decay > 0 && o->lr * o->weight_decay > 1)
		fprintf(stderr, " or a lower weight decay: lr x weight decay = %g, so each step "
		        "multiplies every weight by %g and overshoots (--weight-decay %g)",
		        o->lr * o->weight_decay, 1 - o->lr * o->weight_decay,
		        0.5 / o->lr);
	fprintf(stderr, ".\n");
}

/* A loss that stays this many times its first steps' mean for this many
 * steps has diverged: no net learns that way back. */
enum { DIVERGE_FACTOR = 4, DIVERGE_STEPS = 100 };

int nl_train(const nl_graph *g, const nl_options *o, const char *title)
{
	session S;
	int status = 1;
	run R;
	memset(&R, 0, sizeof R);
	nl_curves curves = { 0 };
	int plot_failed = 0;
	memset(&S, 0, sizeof S);
	/* On one rank of several (dist.h), rank 0 alone writes files; every
	 * rank takes its share of each batch and agrees on each step. */
	int lead = nl_dist_rank() == 0;
	/* Outputs that cannot be written are found now, not after hours. */
	if (lead && ((o->save && nl_atomic_check(o->save)) ||
	             (o->plot && nl_atomic_check(o->plot)) ||
	             (o->checkpoint && nl_atomic_check(o->checkpoint)) ||
	             (o->predict &&
	              nl_atomic_check(o->predict_file ? o->predict_file : "predictions.svg")) ||
	             (o->filters && nl_atomic_check(o->filters)))) {
		nl_dist_agree(1);
		return 1;
	}
	nl_interrupt_begin();
	int failed = session_open(&S, g, o, 1) != 0;
	nl_plan *p = S.plan;
	nl_backend *be = S.be;
	long per_epoch = failed ? 0 : S.dtrain.n / o->batch;
	if (!failed && per_epoch < 1) {
		fprintf(stderr, "netlang: batch %d is larger than the training set (%d)\n",
		        o->batch, S.dtrain.n);
		failed = 1;
	}
	if (!failed) {
		R.hist = calloc((size_t)o->epochs * 3, sizeof *R.hist);
		R.perm = malloc((size_t)S.dtrain.n * sizeof *R.perm);
		if (!R.hist || !R.perm) {
			fprintf(stderr, "netlang: out of memory\n");
			failed = 1;
		}
	}
	uint64_t seed = o->seed;
	if (!failed) {
		for (int i = 0; i < S.dtrain.n; i++)
			R.perm[i] = i;
		R.epoch = 1;
		R.shuffle.s = seed ^ 0x73687566666c65ull;   /* "shuffle" */
		if (o->resume && resume(p, &R, o, S.dtrain.n, &seed))
			failed = 1;
	}
	int ntrain = failed ? 0 : S.dtrain.n, ntest = failed ? 0 : S.dtest.n;
	if (!nl_dist_same(ntrain, failed) | !nl_dist_same(ntest, failed)) {
		fprintf(stderr, "netlang: the ranks read different data sets (this one has %d "
		        "training and %d test examples, from %s): give every rank the same "
		        "--data\n", ntrain, ntest, S.data.where);
		failed = 1;
	}
	if (nl_dist_agree(failed) >= 0)
		goto out;
	/* This rank's share of every global batch; its own dropout masks. */
	long share_at, share;
	nl_dist_share(o->batch, nl_dist_rank(), nl_dist_size(), &share_at, &share);
	p->rng_base += (uint64_t)nl_dist_rank() << 48;

	int tty = isatty(STDOUT_FILENO);   /* a progress bar for a person */
	if (!o->quiet) {
		print_header(&S, g, o, title, per_epoch, seed);
		if (nl_dist_size() > 1)
			printf("%d ranks, each with a share of every batch; batch-norm statistics "
			       "are each rank's own\n", nl_dist_size());
		if (o->resume)
			printf("resuming from %s: epoch %d, step %ld\n", o->resume, R.epoch, R.step);
		fflush(stdout);   /* a log or a pipe sees the run has begun */
	}
	/* the curves' points: ten an epoch, and each epoch's last step */
	long point_every = per_epoch / 10 > 0 ? per_epoch / 10 : 1;
	if (o->plot && lead) {   /* rank 0 alone draws */
		long planned = o->steps ? (o->steps + per_epoch - 1) / per_epoch : o->epochs;
		nl_curves_init(&curves, o->plot, title, (int)(planned < o->epochs ? planned : o->epochs));
		/* a resumed run's epochs so far */
		for (int e = 0; e < R.epochs_done; e++) {
			live_plot(&curves, &plot_failed, e + 1, R.hist[3 * e], R.hist[3 * e + 1], 0);
			if (!isnan(R.hist[3 * e + 2]))
				live_plot(&curves, &plot_failed, e + 1, R.hist[3 * e + 2], 0, 1);
		}
	}

	double loss = NAN, acc = NAN, test_acc = NAN, test_loss = NAN;
	double start_loss = NAN;   /* the first step's loss, for divergence */
	long high_steps = 0;
	int stopped = 0, warned = 0;
	for (int ep = R.epoch; ep <= o->epochs && !stopped; ep++) {
		long b0 = ep == R.epoch ? R.b0 : 0;
		if (b0 == 0) {
			shuffle(R.perm, S.dtrain.n, &R.shuffle);
			R.ep_sum = R.ep_correct = R.seen = 0;
		}
		be->upload(be, S.dtrain.idx, R.perm, (size_t)S.dtrain.n * sizeof *R.perm);
		nl_plan_reset_acc(p);
		double t0 = be->clock(be), seen0 = R.seen, win_sum = 0;
		long since = 0, since_read = 0;
		if (b0 == per_epoch) {   /* resumed after its last step */
			loss = R.ep_sum / R.seen;
			acc = R.ep_correct / R.seen;
		}
		for (long b = b0; b < per_epoch; b++) {
			gather(p, &S.dtrain, b * o->batch + share_at, p->batch);
			nl_plan_forward(p, 1);
			nl_plan_loss(p, (int)share, 1);
			nl_plan_backward(p);
			int fail = nl_dist_exchange_grads(p, share, o->batch) ||
			           nl_plan_update(p, (float)o->lr, (float)o->momentum,
			                          (float)o->weight_decay);
			if (nl_dist_agree(fail) >= 0)
				goto out;
			R.step++;
			since++;
			since_read++;
			R.seen += o->batch;
			int last = b + 1 == per_epoch || (o->steps && R.step >= o->steps);
			int logged = !o->quiet && o->log_every && R.step % o->log_every == 0;
			int halt = nl_dist_max(nl_interrupted());   /* any rank's signal */
			/* Reading the accumulator waits for the device: do it
			 * only when something is printed or checked.  Each read
			 * moves the device's float sums into doubles and starts
			 * them again, so a window's mean is not lost in an
			 * epoch's total. */
			/* the first step's loss, before the update has done much, is
			 * the reference for divergence */
			int first = isnan(start_loss);
			int point = o->plot && ((b + 1) % point_every == 0 || last);
			if (logged || last || halt || first || point || R.step % 20 == 0) {
				double sums[2];
				nl_plan_read_acc(p, &sums[0], &sums[1]);
				nl_plan_reset_acc(p);
				nl_dist_sum_doubles(sums, 2);
				double sum = sums[0], correct = sums[1];
				R.ep_sum += sum;
				R.ep_correct += correct;
				win_sum += sum;
				if (!isfinite(sum)) {
					if (tty) putchar('\n');
					if (lead) fprintf(stderr, "netlang: the loss became %s at step %ld (epoch %d); "
					        "training stopped. ", isnan(sum) ? "NaN" : "infinite",
					        R.step, ep);
					if (lead) divergence_advice(o);
					goto out;
				}
				double mean = sum / ((double)o->batch * since_read);
				if (first) {
					start_loss = mean;
				} else if (mean > DIVERGE_FACTOR * start_loss && mean > start_loss + 1) {
					high_steps += since_read;
				} else {
					high_steps = 0;
				}
				since_read = 0;
				if (high_steps >= DIVERGE_STEPS && !warned) {
					if (tty) printf("\r\033[K");
					if (lead) {   /* every rank saw the same loss */
						fprintf(stderr, "netlang: %sthe loss diverged: %.4g at step %ld "
						        "(epoch %d) against %.4g at the first, above %d times that "
						        "for %ld steps%s. ", o->keep_going ? "warning: " : "", mean,
						        R.step, ep, start_loss, DIVERGE_FACTOR, high_steps,
						        o->keep_going ? "" : "; training stopped");
						divergence_advice(o);
					}
					if (!o->keep_going) {
						if (lead)
							fprintf(stderr, "(--keep-going trains on regardless; nothing "
							        "was saved)\n");
						goto out;
					}
					warned = 1;
				}
				if (logged) {
					/* the mean loss of the steps since the last line */
					if (tty) printf("\r\033[K");
					printf("step %ld loss %.6f\n", R.step,
					       win_sum / ((double)o->batch * since));
					fflush(stdout);
					win_sum = 0;
					since = 0;
				}
				if (tty && !o->quiet)
					progress(ep, o->epochs, b + 1, per_epoch, R.ep_sum / R.seen,
					         R.ep_correct / R.seen);
				if (last) {
					loss = R.ep_sum / R.seen;
					acc = R.ep_correct / R.seen;
				}
				if (point && lead)
					live_plot(&curves, &plot_failed, ep - 1 + (b + 1.0) / per_epoch,
					          R.ep_sum / R.seen, R.ep_correct / R.seen, 0);
			}
			if (halt) {
				double t1 = be->clock(be);
				R.train_time += t1 - t0;
				R.examples += R.seen - seen0;
				if (tty) printf("\r\033[K");
				fflush(stdout);
				int sig = halt;
				if (lead) {
					fprintf(stderr, "netlang: %s at epoch %d, step %ld; training stopped.\n",
					        sig == SIGINT ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)",
					        ep, R.step);
					if (o->checkpoint &&
					    save_checkpoint(p, &R, o, seed, ep, b + 1, S.dtrain.n) == 0)
						fprintf(stderr, "netlang: the run is saved in %s (continue it with "
						        "--resume %s)\n", o->checkpoint, o->checkpoint);
					if (o->save && save_weights(p, o->save, &S.data.train) == 0)
						fprintf(stderr, "netlang: the weights as they are now are in %s\n",
						        o->save);
					if (!o->checkpoint)
						fprintf(stderr, "netlang: (--checkpoint FILE keeps a run that can "
						        "be continued)\n");
				}
				status = 128 + sig;
				goto out;
			}
			if (o->steps && R.step >= o->steps) {
				/* a run cut short by --steps can be continued too */
				if (o->checkpoint && nl_dist_agree(lead && save_checkpoint(p, &R, o, seed, ep,
				                                     b + 1, S.dtrain.n)) >= 0)
					goto out;
				stopped = 1;
				break;
			}
		}
		double t1 = be->clock(be);
		R.train_time += t1 - t0;
		R.examples += R.seen - seen0;
		if (tty && !o->quiet)
			printf("\r\033[K");
		if (!stopped) {
			evaluate(p, &S.dtest, &test_loss, &test_acc, NULL, NULL);
			if (o->plot && lead)
				live_plot(&curves, &plot_failed, ep, test_acc, 0, 1);
		} else {
			test_acc = NAN;
		}
		R.hist[R.epochs_done * 3 + 0] = loss;
		R.hist[R.epochs_done * 3 + 1] = acc;
		R.hist[R.epochs_done * 3 + 2] = test_acc;
		R.epochs_done++;
		if (!o->quiet) {
			printf("epoch %d/%d: loss %.3f, train acc %.3f, ", ep, o->epochs, loss, acc);
			if (isnan(test_acc))
				printf("test acc not measured (stopped after %ld steps)", R.step);
			else
				printf("test acc %.3f", test_acc);
			printf(", %.1f examples/sec\n", (R.seen - seen0) / (t1 - t0));
			fflush(stdout);
		}
		if (o->checkpoint && !stopped &&
		    nl_dist_agree(lead && save_checkpoint(p, &R, o, seed, ep + 1, 0, S.dtrain.n)) >= 0)
			goto out;
	}
	printf("loss %.3f, train acc %.3f, test acc ", loss, acc);
	if (isnan(test_acc))
		printf("n/a\n");
	else
		printf("%.3f\n", test_acc);
	printf("%.1f examples/sec on %s", R.examples / R.train_time, be->name);
	if (nl_dist_size() > 1)
		printf(" x %d ranks", nl_dist_size());
	printf("\n");
	status = plot_failed;
	if (lead && o->save && save_weights(p, o->save, &S.data.train))
		status = 1;
	if (lead && pictures(&S, o, title))
		status = 1;
out:
	nl_curves_free(&curves);
	free(R.hist);
	free(R.perm);
	nl_dist_exchange_end();
	session_close(&S);
	nl_interrupt_end();
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
	int failed = session_open(&S, g, o, 0) != 0;
	nl_class_tally tally = { 0 };
	float *logits = NULL;
	if (!failed) {
		logits = malloc((size_t)S.plan->batch * S.plan->classes * sizeof *logits);
		if (!logits || nl_tally_init(&tally, S.plan->classes) != 0) {
			fprintf(stderr, "netlang: out of memory\n");
			failed = 1;
		}
	}
	if (nl_dist_agree(failed) < 0) {
		double loss, acc;
		double t0 = S.be->clock(S.be);
		evaluate(S.plan, &S.dtest, &loss, &acc, &tally, logits);
		double t1 = S.be->clock(S.be);
		printf("test loss %.3f, test acc %.3f\n", loss, acc);
		printf("%.1f examples/sec on %s", S.dtest.n / (t1 - t0), S.be->name);
		if (nl_dist_size() > 1)
			printf(" x %d ranks", nl_dist_size());
		printf("\n");
		nl_tally_print(&tally, S.data.test.names, stdout);
		/* the confusion matrix and pictures: rank 0 alone, on all the
		 * test set */
		status = nl_dist_rank() == 0 && (confusion(&S, o) || pictures(&S, o, NULL)) ? 1 : 0;
	}
	nl_tally_free(&tally);
	free(logits);
	session_close(&S);
	return status;
}

/* ---- what training and evaluation show besides their numbers ---- */

/* "training lenet on cpu (...): 10 epochs, batch 256, lr 0.9, seed 1", a
 * run that --steps ends early said as such, then the net's totals, as
 * Darknet prints its layers before training. */
static void print_header(const session *S, const nl_graph *g, const nl_options *o,
                         const char *title, long per_epoch, uint64_t seed)
{
	char length[96];
	if (o->steps && o->steps < per_epoch * o->epochs)
		snprintf(length, sizeof length, "%ld step%s (--steps; an epoch is %ld)", o->steps,
		         o->steps == 1 ? "" : "s", per_epoch);
	else
		snprintf(length, sizeof length, "%d epoch%s", o->epochs, o->epochs == 1 ? "" : "s");
	printf("training %s on %s (%s): %s, batch %d, lr %g%s, seed %llu\n", title,
	       S->be->name, S->data.where, length, o->batch, o->lr,
	       o->momentum > 0 ? ", momentum" : "", (unsigned long long)seed);
	nl_print_summary(stdout, g);
	fflush(stdout);
}

/* A point of the --plot curves (a test point when test), and the file
 * rewritten at once.  A file that cannot be written is reported once and
 * the run goes on without it. */
static int live_plot(nl_curves *c, int *failed, double x, double loss, double acc, int test)
{
	if (*failed)
		return -1;
	int rc = test ? nl_curves_add_test(c, x, loss) : nl_curves_add(c, x, loss, acc);
	if (rc == 0)
		rc = nl_curves_write(c);
	if (rc)
		*failed = 1;
	return rc;
}

/* The data set's own class names, else those netlang knows for it. */
static const char *const *class_names(const session *S, const nl_options *o, int classes)
{
	if (S->data.test.names)
		return (const char *const *)S->data.test.names;
	return nl_class_names(o->data, S->data.where, classes);
}

/* The predicted class of each of the test set's first n examples. */
static int predict_test(session *S, int n, int32_t *pred)
{
	nl_plan *p = S->plan;
	float *logits = malloc((size_t)p->batch * p->classes * sizeof *logits);
	if (!logits) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	for (long first = 0; first < n; first += p->batch) {
		int m = n - first < p->batch ? (int)(n - first) : p->batch;
		gather(p, &S->dtest, first, p->batch);
		nl_plan_forward(p, 0);
		p->be->download(p->be, logits, p->steps[p->logits].y,
		                (size_t)p->batch * p->classes * sizeof *logits);
		for (int i = 0; i < m; i++) {
			const float *row = logits + (size_t)i * p->classes;
			int best = 0;
			for (int k = 1; k < p->classes; k++)
				best = row[k] > row[best] ? k : best;
			pred[first + i] = best;
		}
	}
	free(logits);
	return 0;
}

/* After --eval: the confusion matrix, and its picture with --plot. */
static int confusion(session *S, const nl_options *o)
{
	int n = S->data.test.n, classes = S->plan->classes;
	int32_t *pred = malloc((size_t)n * sizeof *pred);
	int64_t *counts = calloc((size_t)classes * classes, sizeof *counts);
	int rc = -1;
	if (!pred || !counts) {
		fprintf(stderr, "netlang: out of memory\n");
	} else if (predict_test(S, n, pred) == 0) {
		for (int i = 0; i < n; i++)
			if (S->data.test.labels[i] < classes)
				counts[S->data.test.labels[i] * classes + pred[i]]++;
		const char *const *names = class_names(S, o, classes);
		nl_confusion_print(stdout, counts, classes, names);
		rc = o->plot ? nl_confusion_svg(o->plot, counts, classes, names, o->load) : 0;
		if (o->plot && rc == 0)
			printf("drew the confusion matrix in %s\n", o->plot);
	}
	free(pred);
	free(counts);
	return rc;
}

/* --predict N and --filters FILE, from the weights the plan holds. */
static int pictures(session *S, const nl_options *o, const char *title)
{
	int rc = 0;
	if (o->predict && S->data.test.c != 1) {
		fprintf(stderr, "netlang: --predict draws grey images; this data set's have %d "
		        "channels\n", S->data.test.c);
		rc = -1;
	} else if (o->predict) {
		int n = o->predict < S->data.test.n ? o->predict : S->data.test.n;
		int32_t *pred = malloc((size_t)n * sizeof *pred);
		if (!pred || predict_test(S, n, pred)) {
			rc = -1;
		} else {
			const char *const *names = class_names(S, o, S->data.test.classes);
			rc = nl_predict_report(o->predict_file ? o->predict_file : "predictions.svg",
			                       S->data.test.images, S->data.test.h, S->data.test.w, S->data.test.labels,
			                       pred, n, names, title ? title : o->load);
		}
		free(pred);
	}
	if (o->filters && rc == 0) {
		const nl_param_layout *l = &S->plan->layout;
		float *host = calloc(l->nparams + l->nstate + 1, sizeof *host);
		rc = host ? nl_plan_get_params(S->plan, host, host + l->nparams) : -1;
		if (rc == 0)
			rc = nl_filters_write(o->filters, S->plan->g, l, host);
		free(host);
	}
	return rc;
}

int nl_pictures(const nl_graph *g, const nl_options *o, const char *title)
{
	if (!o->load) {
		fprintf(stderr, "netlang: --predict and --filters show trained weights: give "
		        "--load FILE, or --train\n");
		return 1;
	}
	session S;
	int status = 1;
	if (session_open(&S, g, o, 0) == 0)
		status = pictures(&S, o, title) ? 1 : 0;
	session_close(&S);
	return status;
}
