/* idx.c - IDX image and label files, gzipped or plain (see idx.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "runtime/data/idx.h"

#define IDX_UBYTE 0x08

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A file read through zlib's inflate when it starts with the gzip magic,
 * directly otherwise.  zlib's gzread would be shorter, but it skips the
 * gzip trailer's check when the input runs out exactly at the end of the
 * deflate data, so a download cut inside the trailer would pass. */
typedef struct source {
	int fd;
	int gz;                     /* 1: gzip, inflate below */
	int stream_end;             /* inflate finished the current member */
	int in_eof;                 /* read() returned 0 */
	z_stream zs;
	enum { SRC_OK, SRC_IO, SRC_TRUNCATED, SRC_CORRUPT, SRC_NOMEM, SRC_JUNK } err;
	char msg[128];
	unsigned char in[1 << 16];
} source;

static int fill(source *s)
{
	ssize_t n;
	do
		n = read(s->fd, s->in, sizeof s->in);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->err = SRC_IO;
		snprintf(s->msg, sizeof s->msg, "%s", strerror(errno));
		return -1;
	}
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)n;
	if (n == 0)
		s->in_eof = 1;
	return 0;
}

static int source_open(source *s, int fd)
{
	memset(&s->zs, 0, sizeof s->zs);
	s->fd = fd;
	s->gz = s->stream_end = s->in_eof = 0;
	s->err = SRC_OK;
	s->msg[0] = '\0';
	if (fill(s) != 0)
		return -1;
	if (s->zs.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {   /* +16: gzip only */
			s->err = SRC_NOMEM;
			return -1;
		}
		s->gz = 1;
	}
	return 0;
}

static void source_close(source *s)
{
	if (s->gz)
		inflateEnd(&s->zs);
	close(s->fd);
}

/* Read up to len bytes: the count (short only at a clean end), or -1 with
 * s->err set.  Either way *done says how many bytes arrived. */
static long long source_read(source *s, void *buf, size_t len, size_t *done)
{
	unsigned char *out = buf;
	*done = 0;
	while (*done < len) {
		if (s->zs.avail_in == 0 && !s->in_eof && fill(s) != 0)
			return -1;
		if (!s->gz) {
			if (s->zs.avail_in == 0)
				break;
			size_t k = s->zs.avail_in < len - *done ? s->zs.avail_in : len - *done;
			memcpy(out + *done, s->zs.next_in, k);
			s->zs.next_in += k;
			s->zs.avail_in -= (uInt)k;
			*done += k;
			continue;
		}
		if (s->stream_end) {
			if (s->zs.avail_in == 0 && s->in_eof)
				break;          /* the clean end */
			if (s->zs.avail_in == 0)
				continue;       /* read on to see what follows */
			if (s->zs.next_in[0] != 0x1f) {
				s->err = SRC_JUNK;
				return -1;
			}
			inflateReset(&s->zs);   /* another gzip member follows */
			s->stream_end = 0;
		}
		size_t want = len - *done > (1u << 30) ? (1u << 30) : len - *done;
		s->zs.next_out = out + *done;
		s->zs.avail_out = (uInt)want;
		int ret = inflate(&s->zs, Z_NO_FLUSH);
		*done += want - s->zs.avail_out;
		if (ret == Z_STREAM_END) {
			s->stream_end = 1;
		} else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
			s->err = SRC_CORRUPT;
			snprintf(s->msg, sizeof s->msg, "%s", s->zs.msg ? s->zs.msg : "bad data");
			return -1;
		} else if (ret == Z_MEM_ERROR) {
			s->err = SRC_NOMEM;
			return -1;
		} else if (s->zs.avail_in == 0 && s->in_eof) {
			s->err = SRC_TRUNCATED;     /* inflate wants input that never comes */
			return -1;
		}
	}
	return (long long)*done;
}

/* Describe a read that stopped at byte at of the of expected. */
static void read_failure(const source *s, const char *path, unsigned long long at,
                         unsigned long long of, char *err, size_t errlen)
{
	switch (s->err) {
	case SRC_IO:
		say(err, errlen, "%s: read error at byte %llu: %s", path, at, s->msg);
		break;
	case SRC_NOMEM:
		say(err, errlen, "%s: out of memory while decompressing", path);
		break;
	case SRC_CORRUPT:
		say(err, errlen, "%s: corrupt gzip stream (%s)", path, s->msg);
		break;
	case SRC_JUNK:
		say(err, errlen, "%s: trailing garbage after the gzip stream", path);
		break;
	case SRC_TRUNCATED:
		if (at >= of)
			say(err, errlen, "%s: truncated gzip stream (it ends before its checksum "
			    "trailer)", path);
		else
			say(err, errlen, "%s: truncated at byte %llu of %llu (the gzip stream ends "
			    "early)", path, at, of);
		break;
	default:
		say(err, errlen, "%s: truncated at byte %llu of %llu", path, at, of);
	}
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *what(int ndims)
{
	return ndims == 3 ? "images" : "labels";
}

/* Read one IDX file of unsigned bytes with ndims dimensions (1 or 3).
 * dims receives the sizes, *data the payload (dims' product bytes). */
static int read_idx(const char *path, int ndims, uint32_t dims[3], uint8_t **data,
                    char *err, size_t errlen)
{
	*data = NULL;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	source *src = malloc(sizeof *src);
	if (!src) {
		say(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	int rc = -1;
	uint8_t *buf = NULL;
	const unsigned hs = 4 + 4 * (unsigned)ndims;
	unsigned char head[16];
	size_t part = 0;
	if (source_open(src, fd) != 0) {
		read_failure(src, path, 0, hs, err, errlen);
		goto out;
	}
	long long got = source_read(src, head, hs, &part);
	if (got < 0) {
		read_failure(src, path, part, hs, err, errlen);
		goto out;
	}
	if (got == 0) {
		say(err, errlen, "%s: empty file (expected an IDX header)", path);
		goto out;
	}
	if (got < (long long)hs) {
		say(err, errlen, "%s: truncated at byte %lld of %u (in the IDX header)", path, got, hs);
		goto out;
	}
	uint32_t magic = be32(head), want = 0x800u | (uint32_t)ndims;
	if (magic != want) {
		const char *hint = "";
		if (magic == 0x801 && ndims == 3)
			hint = "; this is a labels file, not an images file";
		else if (magic == 0x803 && ndims == 1)
			hint = "; this is an images file, not a labels file";
		else if ((magic & 0xffffff00u) == 0x800u)
			hint = "; an IDX file, but not of the expected kind";
		else if ((magic & 0xffff0000u) != 0)
			hint = "; not an IDX file";
		say(err, errlen, "%s: bad magic number 0x%08x, expected 0x%08x%s",
		    path, (unsigned)magic, (unsigned)want, hint);
		goto out;
	}
	unsigned long long total = 1;
	for (int i = 0; i < ndims; i++) {
		dims[i] = be32(head + 4 + 4 * i);
		total *= dims[i];
	}
	if (dims[0] == 0 || dims[0] > INT_MAX) {
		say(err, errlen, "%s: absurd dimensions: the header claims %lu %s",
		    path, (unsigned long)dims[0], what(ndims));
		goto out;
	}
	if (ndims == 3 && (dims[1] == 0 || dims[2] == 0 || dims[1] > NL_IDX_MAX_SIDE ||
	                   dims[2] > NL_IDX_MAX_SIDE)) {
		say(err, errlen, "%s: absurd dimensions: images of %lux%lu pixels (at most %dx%d)",
		    path, (unsigned long)dims[1], (unsigned long)dims[2], NL_IDX_MAX_SIDE,
		    NL_IDX_MAX_SIDE);
		goto out;
	}
	const unsigned long long of = hs + total;
	/* A plain file's size is known: check it before allocating anything. */
	if (!src->gz) {
		unsigned long long size = (unsigned long long)st.st_size;
		if (size < of) {
			say(err, errlen, "%s: truncated at byte %llu of %llu", path, size, of);
			goto out;
		}
		if (size > of) {
			say(err, errlen, "%s: trailing garbage: %llu bytes after the last of the %lu %s",
			    path, size - of, (unsigned long)dims[0], what(ndims));
			goto out;
		}
	}
	if (total > SIZE_MAX / 2) {
		say(err, errlen, "%s: absurd dimensions: %llu bytes of data", path, total);
		goto out;
	}
	/* Grow with the data actually decompressed, so that a lying header
	 * in a small gzip file costs at most twice what the file holds. */
	size_t cap = total < (1u << 20) ? (size_t)total : (1u << 20), pos = 0;
	buf = malloc(cap);
	if (!buf) {
		say(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (pos < total) {
		if (pos == cap) {
			size_t ncap = cap * 2 < total ? cap * 2 : (size_t)total;
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				say(err, errlen, "%s: out of memory (%llu bytes of data)", path, total);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		long long n = source_read(src, buf + pos, cap - pos, &part);
		pos += part;
		if (n < 0 || pos < cap) {
			read_failure(src, path, hs + pos, of, err, errlen);
			goto out;
		}
	}
	/* One more byte: there must be none, and reading to the end makes
	 * inflate check the gzip trailer's CRC and length. */
	unsigned char extra;
	got = source_read(src, &extra, 1, &part);
	if (got < 0) {
		read_failure(src, path, of, of, err, errlen);
		goto out;
	}
	if (got > 0) {
		say(err, errlen, "%s: trailing garbage after the last of the %lu %s (byte %llu)",
		    path, (unsigned long)dims[0], what(ndims), of);
		goto out;
	}
	*data = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	source_close(src);
	free(src);
	return rc;
}

int nl_idx_load(const char *images, const char *labels, nl_dataset *out,
                char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	uint32_t idims[3], ldims[3];
	uint8_t *img = NULL, *lab = NULL;
	if (read_idx(images, 3, idims, &img, err, errlen) != 0)
		return -1;
	if (read_idx(labels, 1, ldims, &lab, err, errlen) != 0) {
		free(img);
		return -1;
	}
	if (idims[0] != ldims[0]) {
		say(err, errlen, "%s holds %lu images but %s holds %lu labels (count mismatch)",
		    images, (unsigned long)idims[0], labels, (unsigned long)ldims[0]);
		goto fail;
	}
	for (uint32_t i = 0; i < ldims[0]; i++)
		if (lab[i] >= NL_IDX_CLASSES) {
			say(err, errlen, "%s: label %u of image %lu is out of range (0..%d)",
			    labels, lab[i], (unsigned long)i, NL_IDX_CLASSES - 1);
			goto fail;
		}
	out->images = img;
	out->labels = lab;
	out->n = (int)idims[0];
	out->h = (int)idims[1];
	out->w = (int)idims[2];
	out->classes = NL_IDX_CLASSES;
	return 0;
fail:
	free(img);
	free(lab);
	return -1;
}

void nl_dataset_free(nl_dataset *d)
{
	if (!d)
		return;
	free(d->images);
	free(d->labels);
	memset(d, 0, sizeof *d);
}
