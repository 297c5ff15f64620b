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
#include "runtime/idx.h"

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

/* Turn a failed or short gzread into a message.  zlib reports a stream that
 * stops early as Z_BUF_ERROR; anything else wrong with the bytes is
 * Z_DATA_ERROR (bad header, bad deflate data, CRC or length mismatch). */
static void read_failure(gzFile gz, const char *path, unsigned long long at,
                         unsigned long long of, char *err, size_t errlen)
{
	int errnum = Z_OK;
	const char *msg = gzerror(gz, &errnum);
	if (errnum == Z_ERRNO)
		say(err, errlen, "%s: read error at byte %llu: %s", path, at, strerror(errno));
	else if (errnum == Z_MEM_ERROR)
		say(err, errlen, "%s: out of memory while decompressing", path);
	else if (errnum == Z_DATA_ERROR)
		say(err, errlen, "%s: corrupt gzip stream near byte %llu of %llu (%s)", path, at, of, msg);
	else if (errnum == Z_BUF_ERROR)
		say(err, errlen, "%s: truncated at byte %llu of %llu (the gzip stream ends early)",
		    path, at, of);
	else
		say(err, errlen, "%s: truncated at byte %llu of %llu", path, at, of);
}

/* Read up to len bytes; returns the count (short only at the end or at an
 * error, which gzerror then reports) or -1 when nothing could be read. */
static long long read_some(gzFile gz, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t want = len - done > (1u << 30) ? (1u << 30) : len - done;
		int got = gzread(gz, (unsigned char *)buf + done, (unsigned)want);
		if (got < 0)    /* what came before the error still counts */
			return done ? (long long)done : -1;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (long long)done;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		say(err, errlen, "%s: out of memory opening the file", path);
		close(fd);
		return -1;
	}
	int rc = -1;
	uint8_t *buf = NULL;
	const unsigned hs = 4 + 4 * (unsigned)ndims;
	unsigned char head[16];
	long long got = read_some(gz, head, hs);
	if (got < 0) {
		read_failure(gz, path, 0, hs, err, errlen);
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
		    path, (unsigned long)dims[0], ndims == 3 ? "images" : "labels");
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
	if (gzdirect(gz)) {
		unsigned long long size = (unsigned long long)st.st_size;
		if (size < of) {
			say(err, errlen, "%s: truncated at byte %llu of %llu", path, size, of);
			goto out;
		}
		if (size > of) {
			say(err, errlen, "%s: trailing garbage: %llu bytes after the last of the %lu %s",
			    path, size - of, (unsigned long)dims[0], ndims == 3 ? "images" : "labels");
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
		long long n = read_some(gz, buf + pos, cap - pos);
		if (n < 0) {
			read_failure(gz, path, hs + pos, of, err, errlen);
			goto out;
		}
		pos += (size_t)n;
		if (pos < cap) {
			read_failure(gz, path, hs + pos, of, err, errlen);
			goto out;
		}
	}
	/* One more byte: there must be none, and reading to the end makes zlib
	 * check the gzip trailer's CRC and length. */
	unsigned char extra;
	got = read_some(gz, &extra, 1);
	if (got < 0) {
		read_failure(gz, path, of, of, err, errlen);
		goto out;
	}
	if (got > 0) {
		say(err, errlen, "%s: trailing garbage after the last of the %lu %s (byte %llu)",
		    path, (unsigned long)dims[0], ndims == 3 ? "images" : "labels", of);
		goto out;
	}
	{
		int errnum = Z_OK;
		gzerror(gz, &errnum);
		if (errnum == Z_BUF_ERROR) {
			say(err, errlen, "%s: truncated gzip stream (its checksum trailer is missing)",
			    path);
			goto out;
		}
	}
	*data = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	gzclose(gz);
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
