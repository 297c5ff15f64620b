/* cifar.c - CIFAR-10's binary batches, from files or from the archive
 * (see cifar.h). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data/cifar.h"
#include "runtime/data/tar_reader.h"

const char *const nl_cifar_names[NL_CIFAR_CLASSES] = {
	"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

#define SUBDIR "cifar-10-batches-bin"
#define MAX_BATCH_BYTES ((size_t)NL_CIFAR_RECORD * 1000000)    /* far past 10,000 */

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int has_batches(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/test_batch.bin", dir);
	if (!is_file(p))
		return 0;
	snprintf(p, sizeof p, "%s/data_batch_1.bin", dir);
	return is_file(p);
}

/* Where the batch files are: dir or dir/cifar-10-batches-bin (into out),
 * or 0 when neither has them. */
static int batch_dir(const char *dir, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", dir);
	if (has_batches(out))
		return 1;
	snprintf(out, outlen, "%s/%s", dir, SUBDIR);
	return has_batches(out);
}

int nl_cifar_dir_present(const char *dir)
{
	char p[4096];
	if (batch_dir(dir, p, sizeof p))
		return 1;
	snprintf(p, sizeof p, "%s/%s", dir, NL_CIFAR_ARCHIVE);
	return is_file(p);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int nl_cifar_dir_partial(const char *dir)
{
	static const char *const parts[] = { "data_batch_1.bin", "test_batch.bin", SUBDIR };
	char p[4096];
	if (nl_cifar_dir_present(dir))
		return 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, parts[i]);
		if (exists(p))
			return 1;
	}
	return 0;
}

int nl_cifar_append(nl_dataset *d, const uint8_t *data, size_t len, const char *name,
                    char *err, size_t errlen)
{
	if (len == 0) {
		say(err, errlen, "%s: empty (a CIFAR-10 batch is records of %d bytes)", name,
		    NL_CIFAR_RECORD);
		return -1;
	}
	if (len % NL_CIFAR_RECORD) {
		say(err, errlen, "%s: %zu bytes, not a whole number of %d-byte records (truncated "
		    "in record %zu, or not a CIFAR-10 batch)", name, len, NL_CIFAR_RECORD,
		    len / NL_CIFAR_RECORD + 1);
		return -1;
	}
	size_t k = len / NL_CIFAR_RECORD, img = NL_CIFAR_RECORD - 1;
	for (size_t i = 0; i < k; i++)
		if (data[i * NL_CIFAR_RECORD] >= NL_CIFAR_CLASSES) {
			say(err, errlen, "%s: record %zu has label %u (CIFAR-10's are 0..9)", name, i + 1,
			    data[i * NL_CIFAR_RECORD]);
			return -1;
		}
	if ((size_t)d->n + k > (size_t)1 << 30) {
		say(err, errlen, "%s: too many images", name);
		return -1;
	}
	size_t n = (size_t)d->n + k;
	uint8_t *im = realloc(d->images, n * img);
	if (!im) {
		say(err, errlen, "%s: out of memory", name);
		return -1;
	}
	d->images = im;
	uint8_t *lab = realloc(d->labels, n);
	if (!lab) {
		say(err, errlen, "%s: out of memory", name);
		return -1;
	}
	d->labels = lab;
	for (size_t i = 0; i < k; i++) {
		const uint8_t *r = data + i * NL_CIFAR_RECORD;
		d->labels[(size_t)d->n + i] = r[0];
		memcpy(d->images + ((size_t)d->n + i) * img, r + 1, img);
	}
	d->n = (int)n;
	d->c = 3;
	d->h = d->w = NL_CIFAR_SIDE;
	d->classes = NL_CIFAR_CLASSES;
	return 0;
}

/* A whole batch file appended to d. */
static int load_file(nl_dataset *d, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > MAX_BATCH_BYTES) {
		say(err, errlen, "%s: not a CIFAR-10 batch (not a regular file, or too large)", path);
		fclose(f);
		return -1;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		say(err, errlen, "%s: out of memory", path);
		fclose(f);
		return -1;
	}
	size_t got = fread(buf, 1, n, f);
	fclose(f);
	int rc = got == n ? nl_cifar_append(d, buf, n, path, err, errlen) : -1;
	if (got != n)
		say(err, errlen, "%s: read error", path);
	free(buf);
	return rc;
}

static int load_files(const char *dir, nl_dataset *train, nl_dataset *test, char *err,
                      size_t errlen)
{
	char p[4096 + 64];
	for (int b = 1; b <= NL_CIFAR_MAX_BATCHES; b++) {
		snprintf(p, sizeof p, "%s/data_batch_%d.bin", dir, b);
		if (b > 1 && !is_file(p))
			break;
		if (load_file(train, p, err, errlen) != 0)
			return -1;
	}
	snprintf(p, sizeof p, "%s/test_batch.bin", dir);
	return load_file(test, p, err, errlen);
}

/* The batches out of the archive, in the order the files would be read. */
static int load_archive(const char *path, nl_dataset *train, nl_dataset *test, char *err,
                        size_t errlen)
{
	nl_tar *t = nl_tar_open(path, err, errlen);
	if (!t)
		return -1;
	uint8_t *batch[NL_CIFAR_MAX_BATCHES + 1] = { NULL };   /* [0] the test batch */
	size_t blen[NL_CIFAR_MAX_BATCHES + 1] = { 0 };
	int rc = -1, r;
	char name[NL_TAR_NAME_MAX], label[NL_TAR_NAME_MAX + 4200];
	unsigned long long size;
	int regular;
	while ((r = nl_tar_next(t, name, &size, &regular, err, errlen)) > 0) {
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		int slot = -1, b;
		char tail;
		if (strcmp(base, "test_batch.bin") == 0)
			slot = 0;
		else if (sscanf(base, "data_batch_%d.bi%c", &b, &tail) == 2 && tail == 'n' &&
		         b >= 1 && b <= NL_CIFAR_MAX_BATCHES)
			slot = b;
		if (slot < 0 || !regular)
			continue;
		if (size > MAX_BATCH_BYTES || batch[slot]) {
			say(err, errlen, "%s: %s: %s", path, name, batch[slot] ? "appears twice" :
			    "too large for a CIFAR-10 batch");
			goto out;
		}
		batch[slot] = malloc(size ? (size_t)size : 1);
		if (!batch[slot]) {
			say(err, errlen, "%s: out of memory", path);
			goto out;
		}
		blen[slot] = (size_t)size;
		if (nl_tar_read(t, batch[slot], (size_t)size, err, errlen) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (!batch[0] || !batch[1]) {
		say(err, errlen, "%s: holds no %s (not CIFAR-10's binary archive?)", path,
		    batch[0] ? "data_batch_1.bin" : "test_batch.bin");
		goto out;
	}
	for (int b = 1; b <= NL_CIFAR_MAX_BATCHES && batch[b]; b++) {
		snprintf(label, sizeof label, "%s: data_batch_%d.bin", path, b);
		if (nl_cifar_append(train, batch[b], blen[b], label, err, errlen) != 0)
			goto out;
	}
	snprintf(label, sizeof label, "%s: test_batch.bin", path);
	rc = nl_cifar_append(test, batch[0], blen[0], label, err, errlen);
out:
	for (int b = 0; b <= NL_CIFAR_MAX_BATCHES; b++)
		free(batch[b]);
	nl_tar_close(t);
	return rc;
}

int nl_cifar_dir_load(const char *dir, nl_dataset *train, nl_dataset *test, char *err,
                      size_t errlen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	char p[4096];
	int rc;
	if (batch_dir(dir, p, sizeof p)) {
		rc = load_files(p, train, test, err, errlen);
	} else {
		snprintf(p, sizeof p, "%s/%s", dir, NL_CIFAR_ARCHIVE);
		rc = load_archive(p, train, test, err, errlen);
	}
	if (rc == 0 && (nl_dataset_set_names(train, nl_cifar_names, NL_CIFAR_CLASSES) != 0 ||
	                nl_dataset_set_names(test, nl_cifar_names, NL_CIFAR_CLASSES) != 0)) {
		say(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc != 0) {
		nl_dataset_free(train);
		nl_dataset_free(test);
	}
	return rc;
}
