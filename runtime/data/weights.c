/* weights.c - the weights file (format in weights.h). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "lang/kinds.h"
#include "lang/source.h"
#include "runtime/data/atomic_file.h"
#include "runtime/data/weights.h"

#define MAGIC "NETLANGW"
#define WEIGHTS_VERSION 2u      /* writes; reads this and 1 (no class names) */
#define PREFIX 16u              /* magic, version, ntensors */
#define ENTRY_WORDS 8u
#define MAX_TENSORS 1000000u    /* far beyond any net; guards the table's size */
#define MAX_NAMES_BYTES (1u << 20)

static const char *const roles[] = { NULL, "weight", "bias", "running_mean", "running_var" };

/* Kinds are stored by their code in kinds.def, which never changes. */
static uint32_t kind_code(nl_kind k)
{
	return nl_kind_info_of(k)->wcode;
}

static const char *kind_word(uint32_t code)
{
	for (int k = 0; k < NL_NKINDS; k++)
		if (code && nl_kind_info_of((nl_kind)k)->wcode == code)
			return nl_kind_name((nl_kind)k);
	return "unknown layer";
}

static uint32_t role_code(const char *role)
{
	for (uint32_t i = 1; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(roles[i], role) == 0)
			return i;
	return 0;
}

static const char *role_word(uint32_t code)
{
	return code && code < sizeof roles / sizeof roles[0] ? roles[code] : "unknown tensor";
}

/* One tensor's header entry. */
typedef struct entry {
	uint32_t kind, role, ndims, dims[4];
} entry;

static entry net_entry(const nl_graph *g, const nl_param *p)
{
	entry e = { kind_code(g->nodes[p->node].kind), role_code(p->role), (uint32_t)p->ndims,
	            { 0, 0, 0, 0 } };
	for (int d = 0; d < p->ndims && d < 4; d++)
		e.dims[d] = (uint32_t)p->dims[d];
	return e;
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Writes through a CRC so the trailer covers exactly what was written. */
typedef struct crc_writer {
	FILE *f;
	uLong crc;
	int failed;
} crc_writer;

static void emit(crc_writer *w, const void *data, size_t n)
{
	w->crc = crc32(w->crc, data, (uInt)n);
	if (fwrite(data, 1, n, w->f) != n)
		w->failed = 1;
}

static void emit_floats(crc_writer *w, const float *x, size_t count)
{
	unsigned char buf[4 * 4096];
	while (count) {
		size_t k = count < 4096 ? count : 4096;
		for (size_t i = 0; i < k; i++) {
			uint32_t u;
			memcpy(&u, &x[i], 4);
			put32(buf + 4 * i, u);
		}
		emit(w, buf, 4 * k);
		x += k;
		count -= k;
	}
}

int nl_weights_save(const char *path, const nl_graph *g, const nl_param_layout *l,
                    const float *params, const float *state, const char *const *names,
                    int nnames)
{
	size_t nbytes = 0;
	for (int i = 0; i < nnames; i++)
		nbytes += strlen(names[i]) + 1;
	if (nbytes > MAX_NAMES_BYTES) {
		fprintf(stderr, "netlang: %s: the class names are too long to save\n", path);
		return -1;
	}
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	crc_writer w = { a.f, crc32(0, NULL, 0), 0 };
	unsigned char b[4 * ENTRY_WORDS];
	emit(&w, MAGIC, 8);
	put32(b, WEIGHTS_VERSION);
	put32(b + 4, (uint32_t)l->n);
	emit(&w, b, 8);
	for (int i = 0; i < l->n; i++) {
		entry e = net_entry(g, &l->p[i]);
		uint32_t words[ENTRY_WORDS] = { e.kind, e.role, e.ndims, e.dims[0], e.dims[1],
		                                 e.dims[2], e.dims[3], 0 };
		for (unsigned k = 0; k < ENTRY_WORDS; k++)
			put32(b + 4 * k, words[k]);
		emit(&w, b, sizeof b);
	}
	for (int i = 0; i < l->n; i++) {
		const nl_param *p = &l->p[i];
		emit_floats(&w, (p->state ? state : params) + p->offset, p->count);
	}
	put32(b, (uint32_t)(names ? nnames : 0));
	put32(b + 4, (uint32_t)nbytes);
	emit(&w, b, 8);
	for (int i = 0; names && i < nnames; i++)
		emit(&w, names[i], strlen(names[i]) + 1);
	put32(b, (uint32_t)w.crc);
	if (fwrite(b, 1, 4, a.f) != 4)
		w.failed = 1;
	if (w.failed) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path,
		        errno ? strerror(errno) : "write error");
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}

static void format_dims(char *s, size_t n, const entry *e)
{
	size_t at = 0;
	s[0] = '\0';
	for (uint32_t d = 0; d < e->ndims && d < 4 && at < n; d++)
		at += (size_t)snprintf(s + at, n - at, d ? "x%" PRIu32 : "%" PRIu32, e->dims[d]);
	if (e->ndims == 0 || e->ndims > 4)
		snprintf(s, n, "(%" PRIu32 " dimensions)", e->ndims);
}

static int same_entry(const entry *a, const entry *b)
{
	if (a->kind != b->kind || a->role != b->role || a->ndims != b->ndims)
		return 0;
	for (uint32_t d = 0; d < a->ndims && d < 4; d++)
		if (a->dims[d] != b->dims[d])
			return 0;
	return 1;
}

/* Say how file entry f (tensor number i, from 1) differs from the net's n. */
static void tell_mismatch(const char *path, int i, const entry *f, const entry *n)
{
	char fd[64], nd[64];
	format_dims(fd, sizeof fd, f);
	format_dims(nd, sizeof nd, n);
	if (f->kind != n->kind || f->role != n->role)
		fprintf(stderr, "netlang: %s: tensor %d is a %s %s (%s) in the file, a %s %s (%s) "
		        "in the net: these weights are for another network\n", path, i,
		        kind_word(f->kind), role_word(f->role), fd, kind_word(n->kind),
		        role_word(n->role), nd);
	else
		fprintf(stderr, "netlang: %s: tensor %d (%s %s) is %s in the file, %s in the net\n",
		        path, i, kind_word(n->kind), role_word(n->role), fd, nd);
}

static void get_floats(float *dst, const unsigned char *src, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint32_t u = get32(src + 4 * i);
		memcpy(&dst[i], &u, 4);
	}
}

void nl_weights_free_names(char **names, int nnames)
{
	if (!names)
		return;
	for (int i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
}

/* Split nbytes of NUL-terminated names into n strings: NULL when they are
 * not exactly that (or on out-of-memory). */
static char **split_names(const unsigned char *b, uint32_t nbytes, uint32_t n)
{
	char **v = calloc((size_t)n + 1, sizeof *v);
	if (!v)
		return NULL;
	uint32_t at = 0;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *end = at < nbytes ? memchr(b + at, 0, nbytes - at) : NULL;
		if (!end || !(v[i] = strdup((const char *)b + at))) {
			nl_weights_free_names(v, (int)i);
			return NULL;
		}
		at = (uint32_t)(end - b) + 1;
	}
	if (at != nbytes) {
		nl_weights_free_names(v, (int)n);
		return NULL;
	}
	return v;
}

int nl_weights_load(const char *path, const nl_graph *g, const nl_param_layout *l,
                    float *params, float *state, char ***names_out, int *nnames_out)
{
	int rc = -1;
	unsigned char *table = NULL;
	unsigned char *buf = NULL, *names_buf = NULL;
	char **names = NULL;
	uint32_t nclasses = 0, nbytes = 0;
	if (names_out) {
		*names_out = NULL;
		*nnames_out = 0;
	}
	const char *why;
	long long fsize;
	int fd = nl_open_regular(path, &why, &fsize);   /* a FIFO is refused, not waited on */
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		fprintf(stderr, "netlang: cannot open %s: %s\n", path, fd >= 0 ? strerror(errno) : why);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	unsigned long long size = (unsigned long long)fsize;
	unsigned char pre[PREFIX];
	size_t got = fread(pre, 1, PREFIX, f);
	if (got >= 8 && memcmp(pre, MAGIC, 8) != 0) {
		fprintf(stderr, "netlang: %s: not a netlang weights file (bad magic)\n", path);
		goto out;
	}
	if (got < PREFIX) {
		fprintf(stderr, "netlang: %s: truncated: %zu bytes, shorter than the %u-byte "
		        "header\n", path, got, PREFIX);
		goto out;
	}
	uint32_t version = get32(pre + 8), nt = get32(pre + 12);
	if (version != 1 && version != WEIGHTS_VERSION) {
		fprintf(stderr, "netlang: %s: weights file version %" PRIu32 "; this netlang "
		        "reads versions 1 to %u\n", path, version, WEIGHTS_VERSION);
		goto out;
	}
	if (nt > MAX_TENSORS || size < PREFIX + (unsigned long long)nt * 4 * ENTRY_WORDS) {
		fprintf(stderr, "netlang: %s: truncated or corrupt: a table of %" PRIu32
		        " tensors does not fit in %llu bytes\n", path, nt, size);
		goto out;
	}
	size_t tbytes = (size_t)nt * 4 * ENTRY_WORDS;
	table = malloc(tbytes ? tbytes : 1);
	if (!table || fread(table, 1, tbytes, f) != tbytes) {
		fprintf(stderr, "netlang: %s: cannot read the tensor table\n", path);
		goto out;
	}
	/* The data's size from the table, then the file's size against it. */
	unsigned long long expect = PREFIX + tbytes + 4, floats = 0;
	int sane = 1;
	for (uint32_t i = 0; i < nt && sane; i++) {
		const unsigned char *e = table + 4 * ENTRY_WORDS * i;
		uint32_t nd = get32(e + 8);
		unsigned long long c = 1;
		if (nd < 1 || nd > 4)
			sane = 0;
		for (uint32_t d = 0; d < nd && d < 4 && sane; d++) {
			c *= get32(e + 12 + 4 * d);
			if (c > (1ull << 40))
				sane = 0;
		}
		floats += c;
	}
	if (sane)
		expect += 4 * floats;
	/* Version 2: the class names follow the data; their size is in the
	 * two words that start them. */
	if (sane && version >= 2 && size >= expect + 8) {
		unsigned char nh[8];
		if (fseek(f, (long)(expect - 4), SEEK_SET) != 0 || fread(nh, 1, 8, f) != 8) {
			fprintf(stderr, "netlang: %s: read error\n", path);
			goto out;
		}
		nclasses = get32(nh);
		nbytes = get32(nh + 4);
		if (nbytes > MAX_NAMES_BYTES || nclasses > nbytes)
			sane = 0;
		if (fseek(f, (long)(PREFIX + tbytes), SEEK_SET) != 0) {
			fprintf(stderr, "netlang: %s: cannot seek: %s\n", path, strerror(errno));
			goto out;
		}
	}
	if (sane && version >= 2)
		expect += 8 + (unsigned long long)nbytes;
	if (!sane || size < expect) {
		fprintf(stderr, "netlang: %s: truncated or corrupt: %llu bytes, its header "
		        "describes %llu\n", path, size, sane ? expect : 0ull);
		goto out;
	}
	if (size > expect) {
		fprintf(stderr, "netlang: %s: corrupt: %llu bytes of trailing garbage\n", path,
		        size - expect);
		goto out;
	}
	/* Checksum over everything, before trusting the table or the data. */
	uLong crc = crc32(0, NULL, 0);
	crc = crc32(crc, pre, PREFIX);
	crc = crc32(crc, table, (uInt)tbytes);
	enum { CHUNK = 1 << 20 };
	buf = malloc(CHUNK);
	if (!buf) {
		fprintf(stderr, "netlang: %s: out of memory\n", path);
		goto out;
	}
	unsigned long long left = 4 * floats;
	while (left) {
		size_t k = left < CHUNK ? (size_t)left : CHUNK;
		if (fread(buf, 1, k, f) != k) {
			fprintf(stderr, "netlang: %s: read error\n", path);
			goto out;
		}
		crc = crc32(crc, buf, (uInt)k);
		left -= k;
	}
	if (version >= 2) {
		names_buf = malloc(8 + (size_t)nbytes);
		if (!names_buf || fread(names_buf, 1, 8 + (size_t)nbytes, f) != 8 + (size_t)nbytes) {
			fprintf(stderr, "netlang: %s: read error\n", path);
			goto out;
		}
		crc = crc32(crc, names_buf, (uInt)(8 + nbytes));
	}
	unsigned char tail[4];
	if (fread(tail, 1, 4, f) != 4) {
		fprintf(stderr, "netlang: %s: read error\n", path);
		goto out;
	}
	if (get32(tail) != (uint32_t)crc) {
		fprintf(stderr, "netlang: %s: checksum mismatch: the file is corrupt\n", path);
		goto out;
	}
	if (nclasses && !(names = split_names(names_buf + 8, nbytes, nclasses))) {
		fprintf(stderr, "netlang: %s: corrupt: its %" PRIu32 " class names are not %" PRIu32
		        " NUL-terminated names\n", path, nbytes, nclasses);
		goto out;
	}
	/* The file is intact; now does it fit this net? */
	int common = (int)nt < l->n ? (int)nt : l->n;
	for (int i = 0; i < common; i++) {
		const unsigned char *e = table + 4 * ENTRY_WORDS * i;
		entry fe = { get32(e), get32(e + 4), get32(e + 8),
		             { get32(e + 12), get32(e + 16), get32(e + 20), get32(e + 24) } };
		entry ne = net_entry(g, &l->p[i]);
		if (!same_entry(&fe, &ne)) {
			tell_mismatch(path, i + 1, &fe, &ne);
			goto out;
		}
	}
	if ((int)nt != l->n) {
		fprintf(stderr, "netlang: %s: the file holds %" PRIu32 " tensors, the net %d: "
		        "these weights are for another network\n", path, nt, l->n);
		goto out;
	}
	/* Second pass over the data, into the caller's buffers. */
	if (fseek(f, (long)(PREFIX + tbytes), SEEK_SET) != 0) {
		fprintf(stderr, "netlang: %s: cannot seek: %s\n", path, strerror(errno));
		goto out;
	}
	for (int i = 0; i < l->n; i++) {
		const nl_param *p = &l->p[i];
		float *dst = (p->state ? state : params) + p->offset;
		size_t count = p->count;
		while (count) {
			size_t k = count < CHUNK / 4 ? count : CHUNK / 4;
			if (fread(buf, 4, k, f) != k) {
				fprintf(stderr, "netlang: %s: read error\n", path);
				goto out;
			}
			get_floats(dst, buf, k);
			dst += k;
			count -= k;
		}
	}
	if (names_out) {
		*names_out = names;
		*nnames_out = (int)nclasses;
		names = NULL;
	}
	rc = 0;
out:
	nl_weights_free_names(names, (int)nclasses);
	free(buf);
	free(names_buf);
	free(table);
	fclose(f);
	return rc;
}
