/* checkpoint.c - a training run's whole state in one file (checkpoint.h
 * has the format).  Written through a CRC like weights files, read whole
 * and checked before anything is handed back. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lang/source.h"
#include "runtime/data/atomic_file.h"
#include "runtime/train/checkpoint.h"

static const char MAGIC[8] = { 'N', 'E', 'T', 'L', 'A', 'N', 'G', 'K' };
enum { CK_VERSION = 1, CK_MOMENTUM = 1, MAX_EPOCHS = 1 << 20 };

/* What the parameter tensors are, so a checkpoint of another net is
 * refused (FNV-1a over roles, state flags and shapes). */
static uint64_t fingerprint(const nl_param_layout *l)
{
	uint64_t h = 0xcbf29ce484222325ull;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
	MIX(l->n);
	for (int i = 0; i < l->n; i++) {
		const nl_param *p = &l->p[i];
		for (const char *r = p->role; *r; r++)
			MIX((unsigned char)*r);
		MIX(p->state);
		MIX(p->ndims);
		for (int d = 0; d < p->ndims; d++)
			MIX(p->dims[d]);
	}
#undef MIX
	return h;
}

typedef struct writer {
	FILE *f;
	uLong crc;
	int failed;
} writer;

static void emit(writer *w, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n) {   /* crc32 takes an unsigned int length */
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;
		w->crc = crc32(w->crc, b, k);
		if (fwrite(b, 1, k, w->f) != k)
			w->failed = 1;
		b += k;
		n -= k;
	}
}

static void put_u32(writer *w, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	                       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	emit(w, b, 4);
}

static void put_u64(writer *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_f64(writer *w, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof v);
	put_u64(w, v);
}

static void put_f32s(writer *w, const float *x, size_t n)
{
	unsigned char buf[4096];
	while (n) {
		size_t k = n < sizeof buf / 4 ? n : sizeof buf / 4;
		for (size_t i = 0; i < k; i++) {
			uint32_t v;
			memcpy(&v, &x[i], sizeof v);
			buf[4 * i] = (unsigned char)v;
			buf[4 * i + 1] = (unsigned char)(v >> 8);
			buf[4 * i + 2] = (unsigned char)(v >> 16);
			buf[4 * i + 3] = (unsigned char)(v >> 24);
		}
		emit(w, buf, 4 * k);
		x += k;
		n -= k;
	}
}

int nl_checkpoint_save(const char *path, const nl_param_layout *l, const nl_checkpoint *c)
{
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	writer w = { a.f, crc32(0, NULL, 0), 0 };
	emit(&w, MAGIC, sizeof MAGIC);
	put_u32(&w, CK_VERSION);
	put_u32(&w, c->velocity ? CK_MOMENTUM : 0);
	put_u64(&w, fingerprint(l));
	put_u64(&w, l->nparams);
	put_u64(&w, l->nstate);
	put_u64(&w, c->seed);
	put_u32(&w, (uint32_t)c->batch);
	put_u32(&w, (uint32_t)c->ntrain);
	put_u32(&w, (uint32_t)c->epoch);
	put_u32(&w, (uint32_t)c->batches_done);
	put_u64(&w, (uint64_t)c->step);
	put_u64(&w, c->rng);
	put_u64(&w, c->forwards);
	put_f64(&w, c->ep_sum);
	put_f64(&w, c->ep_correct);
	put_f64(&w, c->ep_seen);
	put_f64(&w, c->train_time);
	put_f64(&w, c->examples);
	put_u32(&w, (uint32_t)c->epochs_done);
	for (int i = 0; i < 3 * c->epochs_done; i++)
		put_f64(&w, c->hist[i]);
	for (int i = 0; i < c->ntrain; i++)
		put_u32(&w, (uint32_t)c->perm[i]);
	put_f32s(&w, c->params, l->nparams);
	put_f32s(&w, c->state, l->nstate);
	if (c->velocity)
		put_f32s(&w, c->velocity, l->nparams);
	uLong crc = w.crc;
	put_u32(&w, (uint32_t)crc);
	if (w.failed) {
		nl_atomic_abort(&a);
		fprintf(stderr, "netlang: %s: cannot write the checkpoint\n", path);
		return -1;
	}
	return nl_atomic_commit(&a);
}

/* A bounds-checked reader over the file's bytes. */
typedef struct reader {
	const unsigned char *p, *end;
} reader;

static int take(reader *r, size_t n, const unsigned char **out)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	*out = r->p;
	r->p += n;
	return 0;
}

static int get_u32(reader *r, uint32_t *v)
{
	const unsigned char *b;
	if (take(r, 4, &b))
		return -1;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

static int get_u64(reader *r, uint64_t *v)
{
	uint32_t lo, hi;
	if (get_u32(r, &lo) || get_u32(r, &hi))
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int get_f64(reader *r, double *d)
{
	uint64_t v;
	if (get_u64(r, &v))
		return -1;
	memcpy(d, &v, sizeof *d);
	return 0;
}

static int get_f32s(reader *r, float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v;
		if (get_u32(r, &v))
			return -1;
		memcpy(&x[i], &v, sizeof v);
	}
	return 0;
}

void nl_checkpoint_free(nl_checkpoint *c)
{
	free(c->hist);
	free(c->perm);
	free(c->params);
	free(c->state);
	free(c->velocity);
	memset(c, 0, sizeof *c);
}

static uLong crc_of(const unsigned char *b, size_t n)
{
	uLong crc = crc32(0, NULL, 0);
	while (n) {
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;
		crc = crc32(crc, b, k);
		b += k;
		n -= k;
	}
	return crc;
}

static int refuse(const char *path, const char *why, nl_checkpoint *c, char *data)
{
	fprintf(stderr, "netlang: %s: %s\n", path, why);
	nl_checkpoint_free(c);
	free(data);
	return -1;
}

int nl_checkpoint_load(const char *path, const nl_param_layout *l, nl_checkpoint *c)
{
	memset(c, 0, sizeof *c);
	const char *why = NULL;
	size_t len = 0;
	/* the largest a checkpoint of this net can be, give or take the order
	 * of a training set of up to 2^28 examples */
	size_t max = 4096 + 8 * (size_t)l->nparams + 4 * (size_t)l->nstate + ((size_t)1 << 30) +
	             24 * (size_t)MAX_EPOCHS;
	char *data = nl_read_regular(path, max, &len, &why);
	if (!data) {
		fprintf(stderr, "netlang: %s: %s\n", path, why ? why : "cannot read");
		return -1;
	}
	reader r = { (const unsigned char *)data, (const unsigned char *)data + len };
	const unsigned char *magic;
	if (take(&r, sizeof MAGIC, &magic) || memcmp(magic, MAGIC, sizeof MAGIC) != 0)
		return refuse(path, "not a netlang checkpoint (written by --checkpoint)", c, data);
	if (len < sizeof MAGIC + 4 ||
	    crc_of((const unsigned char *)data, len - 4) !=
	        ((uLong)(unsigned char)data[len - 4] | (uLong)(unsigned char)data[len - 3] << 8 |
	         (uLong)(unsigned char)data[len - 2] << 16 |
	         (uLong)(unsigned char)data[len - 1] << 24))
		return refuse(path, "damaged checkpoint (its CRC does not match)", c, data);
	r.end -= 4;
	uint32_t version, flags, batch, ntrain, epoch, done, nepochs;
	uint64_t fp, nparams, nstate, step;
	if (get_u32(&r, &version) || get_u32(&r, &flags))
		return refuse(path, "truncated checkpoint", c, data);
	if (version != CK_VERSION)
		return refuse(path, "a checkpoint of another netlang version", c, data);
	if (get_u64(&r, &fp) || get_u64(&r, &nparams) || get_u64(&r, &nstate))
		return refuse(path, "truncated checkpoint", c, data);
	if (fp != fingerprint(l) || nparams != l->nparams || nstate != l->nstate)
		return refuse(path, "the checkpoint is of another net (its parameters differ "
		              "from this one's)", c, data);
	if (get_u64(&r, &c->seed) || get_u32(&r, &batch) || get_u32(&r, &ntrain) ||
	    get_u32(&r, &epoch) || get_u32(&r, &done) || get_u64(&r, &step) ||
	    get_u64(&r, &c->rng) || get_u64(&r, &c->forwards) || get_f64(&r, &c->ep_sum) ||
	    get_f64(&r, &c->ep_correct) || get_f64(&r, &c->ep_seen) ||
	    get_f64(&r, &c->train_time) || get_f64(&r, &c->examples) || get_u32(&r, &nepochs))
		return refuse(path, "truncated checkpoint", c, data);
	if (batch < 1 || batch > (1u << 20) || ntrain < 1 || ntrain > (1u << 28) || epoch < 1 ||
	    epoch > MAX_EPOCHS || done > ntrain / batch || nepochs >= epoch ||
	    step > (uint64_t)epoch * (ntrain / batch) || (flags & ~(uint32_t)CK_MOMENTUM))
		return refuse(path, "damaged checkpoint (impossible counts)", c, data);
	c->batch = (int)batch;
	c->ntrain = (int)ntrain;
	c->epoch = (int)epoch;
	c->batches_done = (int)done;
	c->step = (long)step;
	c->epochs_done = (int)nepochs;
	/* every array is checked against what is left before it is allocated */
	size_t need = 24 * (size_t)nepochs + 4 * (size_t)ntrain +
	              4 * (l->nparams * ((flags & CK_MOMENTUM) ? 2 : 1) + l->nstate);
	if ((size_t)(r.end - r.p) != need)
		return refuse(path, "truncated or damaged checkpoint (its size is wrong)", c, data);
	c->hist = malloc((3 * (size_t)nepochs + 1) * sizeof *c->hist);
	c->perm = malloc((size_t)ntrain * sizeof *c->perm);
	c->params = malloc((l->nparams + 1) * sizeof *c->params);
	c->state = malloc((l->nstate + 1) * sizeof *c->state);
	if (flags & CK_MOMENTUM)
		c->velocity = malloc((l->nparams + 1) * sizeof *c->velocity);
	if (!c->hist || !c->perm || !c->params || !c->state ||
	    ((flags & CK_MOMENTUM) && !c->velocity))
		return refuse(path, "out of memory reading the checkpoint", c, data);
	for (uint32_t i = 0; i < 3 * nepochs; i++)
		get_f64(&r, &c->hist[i]);
	for (uint32_t i = 0; i < ntrain; i++) {
		uint32_t v;
		get_u32(&r, &v);
		if (v >= ntrain)
			return refuse(path, "damaged checkpoint (an example index past the set)", c,
			              data);
		c->perm[i] = (int32_t)v;
	}
	get_f32s(&r, c->params, l->nparams);
	get_f32s(&r, c->state, l->nstate);
	if (c->velocity)
		get_f32s(&r, c->velocity, l->nparams);
	free(data);
	return 0;
}
