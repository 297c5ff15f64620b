/* idx.c - IDX image and label files, gzipped or plain (see idx.h). */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data/gz_source.h"
#include "runtime/data/idx.h"

#define IDX_UBYTE 0x08

const char *const nl_idx_files[NL_IDX_NFILES] = {
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
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
	nl_gz_source *src = nl_gz_open(path, err, errlen);
	if (!src)
		return -1;
	int rc = -1;
	uint8_t *buf = NULL;
	const unsigned hs = 4 + 4 * (unsigned)ndims;
	unsigned char head[16];
	size_t part = 0;
	long long got = nl_gz_read(src, head, hs, &part);
	if (got < 0) {
		nl_gz_failure(src, path, part, hs, err, errlen);
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
	if (!nl_gz_compressed(src)) {
		unsigned long long size = nl_gz_file_size(src);
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
		long long n = nl_gz_read(src, buf + pos, cap - pos, &part);
		pos += part;
		if (n < 0 || pos < cap) {
			nl_gz_failure(src, path, hs + pos, of, err, errlen);
			goto out;
		}
	}
	/* One more byte: there must be none, and reading to the end makes
	 * inflate check the gzip trailer's CRC and length. */
	unsigned char extra;
	got = nl_gz_read(src, &extra, 1, &part);
	if (got < 0) {
		nl_gz_failure(src, path, of, of, err, errlen);
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
	nl_gz_close(src);
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
	out->c = 1;
	out->h = (int)idims[1];
	out->w = (int)idims[2];
	out->classes = NL_IDX_CLASSES;
	return 0;
fail:
	free(img);
	free(lab);
	return -1;
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/base, plain preferred (it is what a user who ran gunzip has), then
 * dir/base.gz; NULL when neither is there, or on out-of-memory (*oom). */
static char *find_one(const char *dir, const char *base, int *oom)
{
	size_t n = strlen(dir) + strlen(base) + 5;
	char *p = malloc(n);
	if (!p) {
		*oom = 1;
		return NULL;
	}
	snprintf(p, n, "%s/%s", dir, base);
	if (is_file(p))
		return p;
	snprintf(p, n, "%s/%s.gz", dir, base);
	if (is_file(p))
		return p;
	free(p);
	return NULL;
}

int nl_idx_dir_count(const char *dir, int missing[NL_IDX_NFILES])
{
	int found = 0, oom = 0;
	for (int i = 0; i < NL_IDX_NFILES; i++) {
		char *p = find_one(dir, nl_idx_files[i], &oom);
		missing[i] = !p;
		found += p != NULL;
		free(p);
	}
	return oom ? -1 : found;
}

int nl_idx_dir_load(const char *dir, nl_dataset *train, nl_dataset *test, char *err,
                    size_t errlen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	char *path[NL_IDX_NFILES];
	int oom = 0, rc = -1;
	for (int i = 0; i < NL_IDX_NFILES; i++)
		path[i] = find_one(dir, nl_idx_files[i], &oom);
	for (int i = 0; i < NL_IDX_NFILES; i++)
		if (!path[i]) {
			if (oom)
				say(err, errlen, "%s: out of memory", dir);
			else
				say(err, errlen, "%s: %s[.gz] is missing", dir, nl_idx_files[i]);
			goto out;
		}
	if (nl_idx_load(path[0], path[1], train, err, errlen) != 0)
		goto out;
	if (nl_idx_load(path[2], path[3], test, err, errlen) != 0) {
		nl_dataset_free(train);
		goto out;
	}
	if (train->h != test->h || train->w != test->w) {
		say(err, errlen, "the training images are %dx%d but the test images %dx%d "
		    "(%s, %s)", train->h, train->w, test->h, test->w, path[0], path[2]);
		nl_dataset_free(train);
		nl_dataset_free(test);
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < NL_IDX_NFILES; i++)
		free(path[i]);
	return rc;
}
