/* image_cache.c - the decoded-images file (format in image_cache.h). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "runtime/data/atomic_file.h"
#include "runtime/data/image_cache.h"

#define MAGIC "NLIMAGES"
#define CACHE_VERSION 1u
#define HEAD 40u                /* magic, version, six counts, a zero word */
#define MAX_NAMES_BYTES (1u << 20)

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
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

/* Reads through a CRC, chunk by chunk (zlib's crc32 takes a uInt). */
static int read_crc(FILE *f, void *buf, size_t n, uLong *crc)
{
	if (fread(buf, 1, n, f) != n)
		return -1;
	unsigned char *p = buf;
	while (n) {
		size_t k = n < (1u << 30) ? n : (1u << 30);
		*crc = crc32(*crc, p, (uInt)k);
		p += k;
		n -= k;
	}
	return 0;
}

int nl_image_cache_read(const char *path, int n, int c, int h, int w, int classes,
                        nl_dataset *all, uint8_t **parts, char *err, size_t errlen)
{
	memset(all, 0, sizeof *all);
	*parts = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	int rc = -1;
	char *names = NULL;
	const char **list = NULL;
	uint8_t *labels = NULL, *part = NULL, *px = NULL;
	unsigned char head[HEAD], tail[4];
	uLong crc = crc32(0, NULL, 0);
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    read_crc(f, head, HEAD, &crc) != 0 || memcmp(head, MAGIC, 8) != 0 ||
	    get32(head + 8) != CACHE_VERSION) {
		say(err, errlen, "%s: not a netlang image cache of this version", path);
		goto out;
	}
	uint32_t fc = get32(head + 12), fh = get32(head + 16), fw = get32(head + 20);
	uint32_t fk = get32(head + 24), fn = get32(head + 28), nb = get32(head + 32);
	if ((int)fc != c || (int)fh != h || (int)fw != w || (int)fk != classes || (int)fn != n ||
	    nb > MAX_NAMES_BYTES) {
		say(err, errlen, "%s: holds %u images of %ux%ux%u in %u classes, not the %d of "
		    "%dx%dx%d in %d expected", path, fn, fc, fh, fw, fk, n, c, h, w, classes);
		goto out;
	}
	size_t img = (size_t)c * h * w;
	unsigned long long want = HEAD + (unsigned long long)nb + 2ull * n +
	                          (unsigned long long)n * img + 4;
	if ((unsigned long long)st.st_size != want) {
		say(err, errlen, "%s: %llu bytes, its header describes %llu (truncated?)", path,
		    (unsigned long long)st.st_size, want);
		goto out;
	}
	names = malloc(nb + 1);
	list = calloc((size_t)classes + 1, sizeof *list);
	labels = malloc((size_t)n + 1);
	part = malloc((size_t)n + 1);
	px = malloc((size_t)n * img + 1);
	if (!names || !list || !labels || !part || !px) {
		say(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (read_crc(f, names, nb, &crc) != 0 ||
	    read_crc(f, labels, (size_t)n, &crc) != 0 || read_crc(f, part, (size_t)n, &crc) != 0 ||
	    read_crc(f, px, (size_t)n * img, &crc) != 0 || fread(tail, 1, 4, f) != 4) {
		say(err, errlen, "%s: read error", path);
		goto out;
	}
	if (get32(tail) != (uint32_t)crc) {
		say(err, errlen, "%s: checksum mismatch: the file is damaged", path);
		goto out;
	}
	/* The names: exactly `classes` NUL-terminated strings. */
	names[nb] = '\0';
	size_t at = 0;
	for (int k = 0; k < classes; k++) {
		if (at >= nb) {
			say(err, errlen, "%s: fewer class names than classes", path);
			goto out;
		}
		list[k] = names + at;
		at += strlen(names + at) + 1;
	}
	if (at != nb) {
		say(err, errlen, "%s: class names do not fill their %u bytes", path, nb);
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (labels[i] >= classes || part[i] > 1) {
			say(err, errlen, "%s: image %d has label %u, part %u", path, i, labels[i],
			    part[i]);
			goto out;
		}
	all->n = n;
	all->c = c;
	all->h = h;
	all->w = w;
	all->classes = classes;
	if (nl_dataset_set_names(all, list, classes) != 0) {
		say(err, errlen, "%s: out of memory", path);
		memset(all, 0, sizeof *all);
		goto out;
	}
	all->images = px;
	all->labels = labels;
	*parts = part;
	px = labels = part = NULL;
	rc = 1;
out:
	fclose(f);
	free(names);
	free(list);
	free(labels);
	free(part);
	free(px);
	return rc;
}

/* Writes through a CRC, so the trailer covers exactly what was written. */
typedef struct crc_writer {
	FILE *f;
	uLong crc;
	int failed;
} crc_writer;

static void emit(crc_writer *wr, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (fwrite(p, 1, n, wr->f) != n)
		wr->failed = 1;
	while (n) {
		size_t k = n < (1u << 30) ? n : (1u << 30);
		wr->crc = crc32(wr->crc, p, (uInt)k);
		p += k;
		n -= k;
	}
}

int nl_image_cache_write(const char *path, const nl_dataset *all, const uint8_t *parts)
{
	size_t nb = 0;
	for (int k = 0; k < all->classes; k++)
		nb += strlen(all->names[k]) + 1;
	if (nb > MAX_NAMES_BYTES) {
		fprintf(stderr, "netlang: %s: class names too long to cache\n", path);
		return -1;
	}
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0)
		return -1;
	crc_writer wr = { a.f, crc32(0, NULL, 0), 0 };
	unsigned char head[HEAD];
	memcpy(head, MAGIC, 8);
	const uint32_t v[8] = { CACHE_VERSION, (uint32_t)all->c, (uint32_t)all->h, (uint32_t)all->w,
	                        (uint32_t)all->classes, (uint32_t)all->n, (uint32_t)nb, 0 };
	for (int i = 0; i < 8; i++)
		put32(head + 8 + 4 * i, v[i]);
	emit(&wr, head, sizeof head);
	for (int k = 0; k < all->classes; k++)
		emit(&wr, all->names[k], strlen(all->names[k]) + 1);
	emit(&wr, all->labels, (size_t)all->n);
	emit(&wr, parts, (size_t)all->n);
	emit(&wr, all->images, (size_t)all->n * all->c * all->h * all->w);
	unsigned char tail[4];
	put32(tail, (uint32_t)wr.crc);
	if (fwrite(tail, 1, 4, a.f) != 4)
		wr.failed = 1;
	if (wr.failed) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path,
		        errno ? strerror(errno) : "write error");
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}
