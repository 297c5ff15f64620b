/* official_test.c - a real data set (NL_TEST_SET: fashion-mnist or mnist,
 * one program each) where a copy of it is present, in
 * $NETLANG_TEST_DATA/NAME:
 *   - its files are the official ones by content: data_sets.c's content
 *     MD5s, and an MD5 computed here, independently, over what the loader
 *     returns, both against the figures published for the files;
 *   - both halves load with the known first labels (Fashion-MNIST: ten
 *     balanced classes), and plain (gunzipped) copies load the same bytes;
 *   - where the copy is the published .gz files byte for byte, a download
 *     of them from a file:// mirror passes the published MD5 check.
 * Debian's dataset-fashion-mnist holds the same content compressed
 * otherwise: everything but the download check runs on it.  Without a
 * copy the test is skipped (77), saying what is missing. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "runtime/data/data_fetch.h"
#include "runtime/data/md5.h"
#include "tests/data/dtest.h"

#ifndef NL_TEST_SET
#error "build with -DNL_TEST_SET='\"fashion-mnist\"' or mnist"
#endif

/* The published figures (torchvision's MD5s; the content MD5s and first
 * labels as recorded with the official files), written out here rather
 * than read from data_sets.c so that the test checks that table too. */
typedef struct expect {
	const char *set;
	const char *gz_md5[4], *content_md5[4];
	unsigned char first_train[4], first_test[4];
	int balanced;
} expect;

static const expect sets[] = {
	{ "fashion-mnist",
	  { "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
	    "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310" },
	  { "f4a8712d7a061bf5bd6d2ca38dc4d50a", "9018921c3c673c538a1fc5bad174d6f9",
	    "8181f5470baa50b63fa0f6fddb340f0a", "15d484375f8d13e6eb1aabb0c3f46965" },
	  { 9, 0, 0, 3 }, { 9, 2, 1, 1 }, 1 },
	{ "mnist",
	  { "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
	    "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c" },
	  { "6bbc9ace898e44ae57da46a324031adb", "a25bea736e30d166cdddb491f175f624",
	    "2646ac647ad5339dbf082846283269ea", "27ae3e4e09519cfbb04c329615203637" },
	  { 5, 0, 4, 1 }, { 7, 2, 1, 0 }, 0 },
};

static const expect *want;
static const nl_known_set *ks;
static const char *setdir;

static void put_be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* MD5 of the IDX file a loaded half came from, rebuilt from its header
 * fields and bytes (independent of the file's compression). */
static void md5_of_idx(const nl_dataset *d, int images, char hex[33])
{
	unsigned char head[16];
	nl_md5 m;
	nl_md5_init(&m);
	put_be32(head, images ? 0x803 : 0x801);
	put_be32(head + 4, (uint32_t)d->n);
	put_be32(head + 8, (uint32_t)d->h);
	put_be32(head + 12, (uint32_t)d->w);
	nl_md5_update(&m, head, images ? 16 : 8);
	if (images)
		nl_md5_update(&m, d->images, (size_t)d->n * d->h * d->w);
	else
		nl_md5_update(&m, d->labels, (size_t)d->n);
	unsigned char dg[16];
	nl_md5_final(&m, dg);
	nl_md5_hex(dg, hex);
}

static void the_table(void)
{
	CHECK(ks != NULL, "data_sets.c does not know %s", want->set);
	if (!ks)
		return;
	CHECK(ks->nfiles == 4, "%s: %d files", want->set, ks->nfiles);
	for (int i = 0; i < 4 && i < ks->nfiles; i++) {
		CHECK(strcmp(ks->files[i].md5, want->gz_md5[i]) == 0, "%s: published MD5 %s, "
		      "expected %s", ks->files[i].name, ks->files[i].md5, want->gz_md5[i]);
		CHECK(ks->files[i].content_md5 &&
		      strcmp(ks->files[i].content_md5, want->content_md5[i]) == 0,
		      "%s: content MD5 %s, expected %s", ks->files[i].name,
		      ks->files[i].content_md5 ? ks->files[i].content_md5 : "(none)",
		      want->content_md5[i]);
	}
}

static void by_content(void)
{
	dt_capture_begin();
	int bad = nl_known_set_verify(ks, setdir, stderr);
	free(dt_capture_end());
	CHECK(bad == 0, "%s: %d files are not the official %s", setdir, bad, want->set);
}

/* gunzip src into dst. */
static void gunzip_to(const char *src, const char *dst)
{
	gzFile g = gzopen(src, "rb");
	FILE *f = fopen(dst, "wb");
	CHECK(g && f, "cannot copy %s", src);
	if (!g || !f)
		exit(99);
	static unsigned char chunk[1 << 16];
	int got;
	while ((got = gzread(g, chunk, sizeof chunk)) > 0)
		fwrite(chunk, 1, (size_t)got, f);
	gzclose(g);
	fclose(f);
}

static void halves(void)
{
	nl_dataset d[2];
	char err[1024] = "";
	int rc = nl_idx_dir_load(setdir, &d[0], &d[1], err, sizeof err);
	CHECK(rc == 0, "%s: %s", setdir, err);
	if (rc != 0)
		return;
	const unsigned char *first[2] = { want->first_train, want->first_test };
	const int n[2] = { 60000, 10000 };
	const char *tmp = dt_tempdir();
	for (int h = 0; h < 2; h++) {
		const char *img = nl_idx_files[2 * h], *lab = nl_idx_files[2 * h + 1];
		CHECK(d[h].n == n[h] && d[h].h == 28 && d[h].w == 28 && d[h].classes == 10,
		      "%s: %d images of %dx%d, %d classes", img, d[h].n, d[h].h, d[h].w,
		      d[h].classes);
		CHECK(memcmp(d[h].labels, first[h], 4) == 0, "%s: first labels %d,%d,%d,%d", lab,
		      d[h].labels[0], d[h].labels[1], d[h].labels[2], d[h].labels[3]);
		if (want->balanced) {
			int count[10] = { 0 };
			for (int i = 0; i < d[h].n; i++)
				count[d[h].labels[i]]++;
			for (int c = 0; c < 10; c++)
				CHECK(count[c] == n[h] / 10, "%s: class %d has %d images", lab, c,
				      count[c]);
		}
		char hex[33];
		md5_of_idx(&d[h], 1, hex);
		CHECK(strcmp(hex, want->content_md5[2 * h]) == 0, "%s: MD5 of the data %s, "
		      "published %s", img, hex, want->content_md5[2 * h]);
		md5_of_idx(&d[h], 0, hex);
		CHECK(strcmp(hex, want->content_md5[2 * h + 1]) == 0, "%s: MD5 of the labels %s, "
		      "published %s", lab, hex, want->content_md5[2 * h + 1]);
	}
	/* Plain copies load the same bytes. */
	for (int i = 0; i < 4; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s.gz", nl_idx_files[i]);
		char *src = dt_join(setdir, name), *dst = dt_join(tmp, nl_idx_files[i]);
		if (!dt_exists(src)) {      /* a copy kept gunzipped */
			free(src);
			src = dt_join(setdir, nl_idx_files[i]);
		}
		gunzip_to(src, dst);
		free(src);
		free(dst);
	}
	nl_dataset q[2];
	rc = nl_idx_dir_load(tmp, &q[0], &q[1], err, sizeof err);
	CHECK(rc == 0, "plain copies: %s", err);
	if (rc == 0) {
		for (int h = 0; h < 2; h++) {
			CHECK(q[h].n == d[h].n && memcmp(q[h].images, d[h].images,
			                                 (size_t)d[h].n * 784) == 0 &&
			      memcmp(q[h].labels, d[h].labels, (size_t)d[h].n) == 0,
			      "plain copies: other bytes");
			nl_dataset_free(&q[h]);
		}
	}
	nl_dataset_free(&d[0]);
	nl_dataset_free(&d[1]);
}

/* The published files download from a mirror into an empty cache. */
static void download(void)
{
	for (int i = 0; i < 4; i++) {
		char *path = dt_join(setdir, ks->files[i].name), hex[33] = "";
		int published = nl_md5_file(path, hex) == 0 && strcmp(hex, ks->files[i].md5) == 0;
		free(path);
		if (!published) {
			printf("note: %s/%s is not the published .gz file byte for byte (MD5 %s): "
			       "the same content compressed otherwise, as Debian's package ships "
			       "it; the download check needs the published files and is left "
			       "out\n", setdir, ks->files[i].name, hex);
			return;
		}
	}
	const char *root = dt_tempdir();
	char *mirror = realpath(dt_test_data(), NULL), url[4200];
	CHECK(mirror != NULL, "cannot resolve %s", dt_test_data());
	if (!mirror)
		return;
	snprintf(url, sizeof url, "file://%s", mirror);
	char *sys = dt_join(root, "no-system"), *cache = dt_join(root, "netlang");
	dt_write(sys, "", 0);   /* a file: no data set can be inside it */
	unsetenv("NETLANG_DATA");
	setenv("XDG_CACHE_HOME", root, 1);
	setenv("NETLANG_SYSTEM_DATA_DIR", sys, 1);
	setenv("NETLANG_DATA_URL", url, 1);
	char *want_where = dt_join(cache, want->set), where[4096];
	nl_dataset tr, te;
	dt_capture_begin();
	int rc = nl_fetch_open(ks, &tr, &te, where, sizeof where);
	char *log = dt_capture_end();
	CHECK(rc == 0, "download of %s from %s failed", want->set, url);
	CHECK(rc || strcmp(where, want_where) == 0, "downloaded into %s, expected %s", where,
	      want_where);
	CHECK_HAS(log, "downloading", "t10k-labels-idx1-ubyte.gz");
	CHECK(dt_count_entries(want_where) == 4, "the cache holds %d entries, expected 4",
	      dt_count_entries(want_where));
	if (rc == 0) {
		CHECK(tr.n == 60000 && te.n == 10000 && memcmp(te.labels, want->first_test, 4) == 0,
		      "the downloaded set is not %s", want->set);
		nl_dataset_free(&tr);
		nl_dataset_free(&te);
	}
	printf("published files downloaded from %s into %s\n", url, where);
	free(log);
	free(want_where);
	free(sys);
	free(cache);
	free(mirror);
}

int main(void)
{
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		if (strcmp(sets[i].set, NL_TEST_SET) == 0)
			want = &sets[i];
	ks = nl_known_set_named(NL_TEST_SET);
	if (!want)
		return 99;
	setdir = dt_join(dt_test_data(), NL_TEST_SET);
	int missing[NL_IDX_NFILES];
	if (nl_idx_dir_count(setdir, missing) != NL_IDX_NFILES) {
		printf("SKIP: no copy of %s in %s (NETLANG_TEST_DATA names the directory that "
		       "holds one in %s/)\n", NL_TEST_SET, setdir, NL_TEST_SET);
		return 77;
	}
	printf("checking %s in %s\n", NL_TEST_SET, setdir);
	the_table();
	if (ks) {
		by_content();
		halves();
		download();
	}
	free((char *)setdir);
	return dt_finish();
}
