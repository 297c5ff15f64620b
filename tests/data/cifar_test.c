/* cifar_test.c - CIFAR-10's binary format (runtime/data/cifar.c,
 * runtime/data/tar_reader.c), on small files in that format written here:
 *   - batch files in a directory, or in cifar-10-batches-bin/ inside it,
 *     or the .tar.gz as CIFAR publishes it, all load the same images:
 *     labels and the three colour planes byte for byte, data_batch_1
 *     before data_batch_2, with CIFAR-10's class names;
 *   - truncated or damaged batches and archives, labels out of range and
 *     a missing test batch are refused, naming the file;
 *   - the download of the archive into the cache from a file:// mirror,
 *     checked against its MD5 (a set described here, through the same code
 *     as cifar10), and the message saying what to put where. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/data/cifar.h"
#include "runtime/data/data_fetch.h"
#include "runtime/data/dataset.h"
#include "runtime/data/md5.h"
#include "tests/data/dtest.h"
#include "tests/data/imgwrite.h"

enum { N1 = 14, N2 = 9, NT = 7 };

static const char *root;
static uint8_t *rec[3];         /* data_batch_1, data_batch_2, test_batch */
static size_t len[3];

static char *dir_at(const char *rel)
{
	char *d = dt_join(root, rel);
	if (nl_make_dirs(d) != 0)
		exit(99);
	return d;
}

static void write_batches(const char *dir, int with_second)
{
	static const char *const names[3] = { "data_batch_1.bin", "data_batch_2.bin",
	                                      "test_batch.bin" };
	for (int i = 0; i < 3; i++) {
		if (i == 1 && !with_second)
			continue;
		char *p = dt_join(dir, names[i]);
		dt_write(p, rec[i], len[i]);
		free(p);
	}
}

static char *write_archive(const char *dir, const char *prefix, int ntrain_batches)
{
	char n1[128], n2[128], nt[128];
	snprintf(n1, sizeof n1, "%sdata_batch_1.bin", prefix);
	snprintf(n2, sizeof n2, "%sdata_batch_2.bin", prefix);
	snprintf(nt, sizeof nt, "%stest_batch.bin", prefix);
	static uint8_t meta[] = "airplane\nautomobile\n";
	const char *names[4] = { "cifar-10-batches-bin/batches.meta.txt", nt, n1, n2 };
	uint8_t *data[4] = { meta, rec[2], rec[0], rec[1] };
	size_t sizes[4] = { sizeof meta - 1, len[2], len[0], len[1] };
	char *p = dt_join(dir, NL_CIFAR_ARCHIVE);
	if (tw_tar_gz(p, names, data, sizes, 2 + ntrain_batches) != 0)
		exit(99);
	return p;
}

/* The set must be data_batch_1 then _2 (when two) as training, the test
 * batch as test. */
static void check_set(const char *what, const char *spec, int two)
{
	nl_dataset tr, te;
	char where[4096];
	dt_capture_begin();
	int rc = nl_dataset_open(spec, &tr, &te, where, sizeof where);
	char *log = dt_capture_end();
	CHECK(rc == 0, "%s: not loaded:\n%s", what, log);
	free(log);
	if (rc != 0)
		return;
	const size_t img = 3072;
	int ntr = two ? N1 + N2 : N1;
	CHECK(tr.n == ntr && te.n == NT && tr.c == 3 && tr.h == 32 && tr.w == 32 &&
	      tr.classes == 10, "%s: %d and %d images of %dx%dx%d", what, tr.n, te.n, tr.c,
	      tr.h, tr.w);
	CHECK(tr.names && strcmp(tr.names[0], "airplane") == 0 &&
	      strcmp(tr.names[9], "truck") == 0, "%s: not CIFAR-10's class names", what);
	int same = tr.n == ntr && te.n == NT;
	for (int i = 0; same && i < ntr; i++) {
		const uint8_t *r = i < N1 ? rec[0] + (size_t)i * 3073 : rec[1] + (size_t)(i - N1) * 3073;
		same &= tr.labels[i] == r[0] && memcmp(tr.images + i * img, r + 1, img) == 0;
	}
	for (int i = 0; same && i < NT; i++) {
		const uint8_t *r = rec[2] + (size_t)i * 3073;
		same &= te.labels[i] == r[0] && memcmp(te.images + i * img, r + 1, img) == 0;
	}
	CHECK(same, "%s: the images are not the records, in order", what);
	printf("%-40s %d + %d images from %s\n", what, tr.n, te.n, where);
	nl_dataset_free(&tr);
	nl_dataset_free(&te);
}

static void forms(void)
{
	char *flat = dir_at("flat");
	write_batches(flat, 1);
	check_set("batch files", flat, 1);
	char *one = dir_at("one");
	write_batches(one, 0);
	check_set("one training batch", one, 0);
	char *sub = dir_at("sub/cifar-10-batches-bin"), *subroot = dt_join(root, "sub");
	write_batches(sub, 1);
	check_set("in cifar-10-batches-bin/", subroot, 1);
	char *arch = dir_at("archive");
	free(write_archive(arch, "cifar-10-batches-bin/", 2));
	check_set("the .tar.gz", arch, 1);
	free(flat); free(one); free(sub); free(subroot); free(arch);
}

static void expect_refused(const char *what, const char *spec, const char *want,
                           const char *want2)
{
	if (!want2)
		want2 = "";
	nl_dataset tr, te;
	dt_capture_begin();
	int rc = nl_dataset_open(spec, &tr, &te, NULL, 0);
	char *log = dt_capture_end();
	CHECK(rc == -1, "%s: must be refused", what);
	CHECK_HAS(log, want, want2);
	printf("%-34s %s", what, log);
	free(log);
}

static void refusals(void)
{
	char *d = dir_at("cut");
	write_batches(d, 0);
	char *p = dt_join(d, "data_batch_1.bin");
	dt_write(p, rec[0], len[0] - 100);
	expect_refused("a batch cut short", d, p, "not a whole number of 3073-byte records");
	free(p);
	free(d);

	d = dir_at("label");
	write_batches(d, 0);
	p = dt_join(d, "test_batch.bin");
	uint8_t *b = malloc(len[2]);
	memcpy(b, rec[2], len[2]);
	b[3 * 3073] = 12;
	dt_write(p, b, len[2]);
	free(b);
	expect_refused("a label out of range", d, p, "record 4 has label 12");
	free(p);
	free(d);

	d = dir_at("notest");
	write_batches(d, 0);
	p = dt_join(d, "test_batch.bin");
	unlink(p);
	expect_refused("no test batch", d, d, "data_batch_1.bin but no test_batch.bin");
	free(p);
	free(d);

	d = dir_at("arch-cut");
	char *a = write_archive(d, "cifar-10-batches-bin/", 2);
	size_t n;
	b = dt_read(a, &n);
	dt_write(a, b, n / 2);
	expect_refused("an archive cut in half", d, a, "truncated");
	b[n / 3] ^= 0x5a;
	dt_write(a, b, n);
	expect_refused("an archive with a flipped byte", d, a, NULL);   /* where it shows */
	free(b);
	free(a);
	free(d);

	d = dir_at("arch-notest");
	const char *names[1] = { "cifar-10-batches-bin/data_batch_1.bin" };
	uint8_t *data[1] = { rec[0] };
	a = dt_join(d, NL_CIFAR_ARCHIVE);
	tw_tar_gz(a, names, data, &len[0], 1);
	expect_refused("an archive without test_batch.bin", d, a, "holds no test_batch.bin");
	free(a);
	free(d);

	d = dir_at("not-tar");
	a = dt_join(d, NL_CIFAR_ARCHIVE);
	char text[1024];
	memset(text, 'x', sizeof text);     /* two blocks of not-a-header */
	dt_write_gz(a, text, sizeof text);
	expect_refused("a .tar.gz that is not a tar", d, a, "not a tar archive");
	free(a);
	free(d);
}

/* A set like cifar10, published at a file:// mirror. */
static void download(void)
{
	char *mirror = dir_at("mirror/tiny-cifar");
	char *arch = write_archive(mirror, "cifar-10-batches-bin/", 2), md5[33];
	CHECK(nl_md5_file(arch, md5) == 0, "cannot hash %s", arch);
	nl_known_set ks = { "tiny-cifar", "file:///nowhere/", NULL, NL_SET_CIFAR, 1,
	                    { { NL_CIFAR_ARCHIVE, md5, NULL } }, nl_cifar_names };
	char *mroot = dt_join(root, "mirror"), url[4200];
	snprintf(url, sizeof url, "file://%s", mroot);
	char *xdg = dir_at("dl"), *sys = dir_at("no-system");
	unsetenv("NETLANG_DATA");
	setenv("XDG_CACHE_HOME", xdg, 1);
	setenv("NETLANG_SYSTEM_DATA_DIR", sys, 1);
	setenv("NETLANG_DATA_URL", url, 1);
	nl_dataset tr, te;
	char where[4096];
	dt_capture_begin();
	int rc = nl_fetch_open(&ks, &tr, &te, where, sizeof where);
	char *log = dt_capture_end();
	CHECK(rc == 0 && tr.n == N1 + N2 && te.n == NT, "download of the archive failed:\n%s",
	      log);
	CHECK_HAS(log, "downloading", "tiny-cifar/cifar-10-binary.tar.gz");
	CHECK_HAS(where, xdg, "netlang/tiny-cifar");
	if (rc == 0) {
		nl_dataset_free(&tr);
		nl_dataset_free(&te);
	}
	free(log);

	/* The wrong MD5: refused, nothing kept, and the message says what to
	 * put where. */
	char *xdg2 = dir_at("dl2");
	setenv("XDG_CACHE_HOME", xdg2, 1);
	char wrong[33] = "0123456789abcdef0123456789abcdef";
	ks.files[0].md5 = wrong;
	dt_capture_begin();
	rc = nl_fetch_open(&ks, &tr, &te, where, sizeof where);
	log = dt_capture_end();
	CHECK(rc == -1, "an archive with the wrong MD5 must be refused");
	CHECK_HAS(log, "MD5 mismatch", "Put this file", NL_CIFAR_ARCHIVE, "cifar-10-batches-bin");
	char *cache2 = dt_join(xdg2, "netlang/tiny-cifar");
	CHECK(dt_count_entries(cache2) == 0, "the refused download left %d files",
	      dt_count_entries(cache2));
	free(log);

	/* cifar10 itself, nowhere to be found: what to put where. */
	setenv("NETLANG_DATA_URL", "file:///nonexistent", 1);
	dt_capture_begin();
	rc = nl_dataset_open("cifar10", &tr, &te, NULL, 0);
	log = dt_capture_end();
	CHECK(rc == -1, "cifar10 cannot have been found");
	CHECK_HAS(log, "cifar10", "Put this file", "cifar-10-binary.tar.gz",
	          "https://www.cs.toronto.edu/~kriz/");
	free(log);
	free(cache2); free(xdg2); free(mirror); free(arch); free(mroot); free(xdg); free(sys);
}

int main(void)
{
	root = dt_tempdir();
	rec[0] = tw_cifar_records(N1, 1, &len[0]);
	rec[1] = tw_cifar_records(N2, 500, &len[1]);
	rec[2] = tw_cifar_records(NT, 900, &len[2]);
	/* labels beyond the three pictures' classes, to see them carried */
	rec[1][0] = 9;
	forms();
	refusals();
	download();
	for (int i = 0; i < 3; i++)
		free(rec[i]);
	return dt_finish();
}
