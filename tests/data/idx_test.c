/* idx_test.c - IDX loading: synthetic files load byte-exactly, gzipped
 * and plain, and every kind of damaged file is refused with a message that
 * names the file and the damage.  (The real data sets: official_test.c.) */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "runtime/data/idx.h"
#include "runtime/data/md5.h"
#include "tests/data/dtest.h"

/* GCC says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NL_HAS_ASAN 1
#endif
#endif
#ifndef NL_HAS_ASAN
#define NL_HAS_ASAN 0
#endif

static const char *dir;

/* ---- building IDX files ---------------------------------------------- */

typedef struct buf {
	unsigned char *p;
	size_t n;
} buf;

static void put_be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* An IDX file: magic, ndims sizes, then datalen bytes of data. */
static buf idx_file(uint32_t magic, int ndims, const uint32_t *dims, const unsigned char *data,
                    size_t datalen)
{
	buf b = { malloc(4 + 4 * (size_t)ndims + datalen + 1), 4 + 4 * (size_t)ndims + datalen };
	if (!b.p)
		abort();
	put_be32(b.p, magic);
	for (int i = 0; i < ndims; i++)
		put_be32(b.p + 4 + 4 * i, dims[i]);
	if (datalen)
		memcpy(b.p + 4 + 4 * ndims, data, datalen);
	return b;
}

/* The synthetic set the corruption tests damage: N images of H x W. */
enum { N = 50, H = 28, W = 28 };
static unsigned char pixels[N * H * W], labels[N];

static void make_synthetic(void)
{
	/* Mostly smooth (so deflate makes Huffman blocks, where a flipped
	 * byte is noticed) with some noise.  The noise is fixed: damaged
	 * deflate data can, for some contents, decode into a valid-looking
	 * stream and be refused for another reason, and the test expects a
	 * particular message. */
	uint32_t lcg = 12345;
	for (size_t i = 0; i < sizeof pixels; i++) {
		lcg = lcg * 1103515245u + 12345u;
		pixels[i] = (unsigned char)((i % 28) * 9 + ((lcg >> 16) % 4));
	}
	for (int i = 0; i < N; i++)
		labels[i] = (unsigned char)(rand() % 10);
}

static buf good_images(void)
{
	uint32_t d[3] = { N, H, W };
	return idx_file(0x803, 3, d, pixels, sizeof pixels);
}

static buf good_labels(void)
{
	uint32_t d[1] = { N };
	return idx_file(0x801, 1, d, labels, N);
}

static char *place(const char *name, buf b, int gz)
{
	char *path = dt_join(dir, name);
	if (gz)
		dt_write_gz(path, b.p, b.n);
	else
		dt_write(path, b.p, b.n);
	free(b.p);
	return path;
}

/* The gzip bytes of b (as gzip -6 would write them). */
static buf gzip_bytes(buf b)
{
	char *path = place("tmp.gz", b, 1);
	buf out;
	out.p = dt_read(path, &out.n);
	remove(path);
	free(path);
	return out;
}

/* ---- expectations ------------------------------------------------------ */

static void expect_load(const char *what, const char *images, const char *lab)
{
	nl_dataset d;
	char err[1024] = "";
	int rc = nl_idx_load(images, lab, &d, err, sizeof err);
	CHECK(rc == 0, "%s: should load, got: %s", what, err);
	if (rc)
		return;
	CHECK(d.n == N && d.h == H && d.w == W && d.classes == 10, "%s: %d %dx%d %d", what, d.n,
	      d.h, d.w, d.classes);
	CHECK(memcmp(d.images, pixels, sizeof pixels) == 0, "%s: pixels differ", what);
	CHECK(memcmp(d.labels, labels, N) == 0, "%s: labels differ", what);
	nl_dataset_free(&d);
	CHECK(d.images == NULL && d.labels == NULL && d.n == 0, "free must clear");
}

/* Loading must fail, leave *out empty, and say each of the substrings. */
static void expect_refusal(const char *what, const char *images, const char *lab,
                           const char *culprit, const char *want, const char *want2)
{
	nl_dataset d;
	memset(&d, 0x5a, sizeof d);
	char err[1024] = "";
	int rc = nl_idx_load(images, lab, &d, err, sizeof err);
	CHECK(rc == -1, "%s: should be refused", what);
	CHECK(d.images == NULL && d.labels == NULL && d.n == 0, "%s: out not cleared", what);
	printf("%-34s %s\n", what, err);
	CHECK_HAS(err, culprit, want, want2 ? want2 : "");
}

static void corrupt_files(void)
{
	char *gi = place("good-images", good_images(), 0);
	char *gl = place("good-labels", good_labels(), 0);
	char *gig = place("good-images.gz", good_images(), 1);
	char *glg = place("good-labels.gz", good_labels(), 1);
	expect_load("plain", gi, gl);
	expect_load("gzipped", gig, glg);

	char *p;
	p = dt_join(dir, "missing");
	expect_refusal("missing file", p, gl, p, "cannot open", "No such file");
	free(p);
	expect_refusal("a directory", dir, gl, dir, "not a regular file", NULL);

	buf empty = { malloc(1), 0 };
	p = place("empty", empty, 0);
	expect_refusal("empty file", p, gl, p, "empty file", NULL);
	free(p);

	buf b = good_images();
	b.n = 10;
	p = place("short-header", b, 0);
	expect_refusal("header cut short", p, gl, p, "truncated at byte 10 of 16", "header");
	free(p);

	uint32_t d3[3] = { N, H, W }, d1[1] = { N };
	p = place("bad-magic", idx_file(0x12345678, 3, d3, pixels, sizeof pixels), 1);
	expect_refusal("bad magic", p, gl, p, "bad magic number 0x12345678", "expected 0x00000803");
	free(p);
	expect_refusal("labels given as images", gl, gl, gl, "bad magic number 0x00000801",
	               "labels file");
	expect_refusal("images given as labels", gi, gi, gi, "bad magic number 0x00000803",
	               "images file");

	uint32_t zero[3] = { 0, H, W };
	p = place("no-images", idx_file(0x803, 3, zero, NULL, 0), 0);
	expect_refusal("zero images", p, gl, p, "absurd dimensions", "0 images");
	free(p);
	uint32_t wide[3] = { N, H, 100000 };
	p = place("too-wide", idx_file(0x803, 3, wide, pixels, sizeof pixels), 1);
	expect_refusal("100000-pixel-wide images", p, gl, p, "absurd dimensions", "28x100000");
	free(p);
	uint32_t over[3] = { 0x80000000u, H, W };
	p = place("2^31-images", idx_file(0x803, 3, over, NULL, 0), 0);
	expect_refusal("2^31 images", p, gl, p, "absurd dimensions", "2147483648 images");
	free(p);

	char want[128];
	p = place("cut-plain", idx_file(0x803, 3, d3, pixels, sizeof pixels - 100), 0);
	snprintf(want, sizeof want, "truncated at byte %zu of %zu", 16 + sizeof pixels - 100,
	         16 + sizeof pixels);
	expect_refusal("data cut short (plain)", p, gl, p, want, NULL);
	free(p);
	p = place("cut-inside.gz", idx_file(0x803, 3, d3, pixels, sizeof pixels - 100), 1);
	expect_refusal("data cut short (inside gzip)", p, gl, p, want, NULL);
	free(p);

	buf z = gzip_bytes(good_images());
	buf zz = { malloc(z.n), z.n / 2 };
	memcpy(zz.p, z.p, z.n);
	p = place("cut-stream.gz", zz, 0);
	expect_refusal("gzip stream cut in half", p, gl, p, "truncated at byte",
	               "gzip stream ends early");
	free(p);

	zz = (buf){ malloc(z.n), z.n - 8 };
	memcpy(zz.p, z.p, z.n);
	p = place("no-trailer.gz", zz, 0);
	expect_refusal("gzip trailer missing", p, gl, p, "truncated gzip stream", "trailer");
	free(p);

	zz = (buf){ malloc(z.n + 4), z.n + 4 };
	memcpy(zz.p, z.p, z.n);
	memcpy(zz.p + z.n, "junk", 4);
	p = place("junk-after.gz", zz, 0);
	expect_refusal("junk after the gzip stream", p, gl, p, "trailing garbage after the gzip",
	               NULL);
	free(p);

	/* Two gzip members (as `cat a.gz b.gz` makes) are one valid file. */
	buf first = good_images();
	size_t half = first.n / 2;
	buf second = { malloc(first.n - half), first.n - half };
	memcpy(second.p, first.p + half, second.n);
	first.n = half;
	buf z1 = gzip_bytes(first), z2 = gzip_bytes(second);
	zz = (buf){ malloc(z1.n + z2.n), z1.n + z2.n };
	memcpy(zz.p, z1.p, z1.n);
	memcpy(zz.p + z1.n, z2.p, z2.n);
	free(z1.p);
	free(z2.p);
	p = place("two-members.gz", zz, 0);
	expect_load("two gzip members", p, gl);
	free(p);

	zz = (buf){ malloc(z.n), z.n };
	memcpy(zz.p, z.p, z.n);
	zz.p[z.n - 6] ^= 0x40;      /* inside the CRC-32 */
	p = place("bad-crc.gz", zz, 0);
	expect_refusal("gzip CRC wrong", p, gl, p, "corrupt gzip stream", "incorrect data check");
	free(p);

	zz = (buf){ malloc(z.n), z.n };
	memcpy(zz.p, z.p, z.n);
	for (size_t i = z.n / 3; i < z.n / 3 + 8; i++)
		zz.p[i] ^= 0xff;    /* the middle of the deflate data */
	p = place("bad-deflate.gz", zz, 0);
	/* What damaged deflate data decodes to depends on the bytes: most
	 * often an invalid code, sometimes more or less data than the header
	 * says.  Any refusal naming the file will do here; the next case
	 * pins the message. */
	expect_refusal("deflate data damaged", p, gl, p, "", NULL);
	free(p);

	zz = (buf){ malloc(z.n), z.n };
	memcpy(zz.p, z.p, z.n);
	zz.p[10] |= 0x06;           /* first block's type: 3 is reserved */
	p = place("bad-block.gz", zz, 0);
	expect_refusal("deflate block type invalid", p, gl, p, "corrupt gzip stream",
	               "invalid block type");
	free(p);

	zz = (buf){ malloc(z.n), z.n };
	memcpy(zz.p, z.p, z.n);
	zz.p[2] = 9;                /* compression method: only 8 (deflate) exists */
	p = place("bad-method.gz", zz, 0);
	expect_refusal("gzip header damaged", p, gl, p, "corrupt gzip stream", NULL);
	free(p);
	free(z.p);

	b = good_images();
	b.p = realloc(b.p, b.n + 3);
	memcpy(b.p + b.n, "xyz", 3);
	b.n += 3;
	buf b2 = { malloc(b.n), b.n };
	memcpy(b2.p, b.p, b.n);
	p = place("trailing", b, 0);
	expect_refusal("trailing garbage (plain)", p, gl, p, "trailing garbage", "3 bytes");
	free(p);
	p = place("trailing.gz", b2, 1);
	expect_refusal("trailing garbage (gzip)", p, gl, p, "trailing garbage", "50 images");
	free(p);

	uint32_t fewer[1] = { N - 1 };
	p = place("fewer-labels", idx_file(0x801, 1, fewer, labels, N - 1), 0);
	expect_refusal("count mismatch", gi, p, p, "holds 50 images", "holds 49 labels");
	free(p);

	unsigned char badlab[N];
	memcpy(badlab, labels, N);
	badlab[7] = 10;
	p = place("label-10.gz", idx_file(0x801, 1, d1, badlab, N), 1);
	expect_refusal("label out of range", gig, p, p, "label 10 of image 7 is out of range",
	               "0..9");
	free(p);

	free(gi);
	free(gl);
	free(gig);
	free(glg);
}

/* A 16-byte header that claims 2^31 - 1 images of 28x28 (1.7 TB): refused
 * as truncated, having allocated no more than the data present.  Run in
 * a child under a 1 GB address-space limit where the build allows one (the
 * sanitizers reserve terabytes of address space up front). */
static void lying_header(void)
{
	uint32_t huge[3] = { 0x7fffffff, 28, 28 }, d1[1] = { 5 };
	char *gl = place("five-labels", idx_file(0x801, 1, d1, labels, 5), 0);
	char *plain = place("liar", idx_file(0x803, 3, huge, NULL, 0), 0);
	char *gz = place("liar.gz", idx_file(0x803, 3, huge, pixels, 1000), 1);
	expect_refusal("2^31-1 images claimed (plain)", plain, gl, plain,
	               "truncated at byte 16 of 1683627179264", NULL);
	expect_refusal("2^31-1 images claimed (gzip)", gz, gl, gz,
	               "truncated at byte 1016 of 1683627179264", NULL);
#if !defined(__SANITIZE_ADDRESS__) && !NL_HAS_ASAN
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit r = { 1u << 30, 1u << 30 };
		setrlimit(RLIMIT_AS, &r);
		nl_dataset d;
		char err[512];
		int rc1 = nl_idx_load(plain, gl, &d, err, sizeof err);
		int rc2 = nl_idx_load(gz, gl, &d, err, sizeof err);
		_exit(rc1 == -1 && rc2 == -1 && strstr(err, "truncated") ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "loading a lying header under a 1 GB limit failed (status %d)", st);
#endif
	free(gl);
	free(plain);
	free(gz);
}

int main(void)
{
	unsigned seed = getenv("NL_TEST_SEED") ? (unsigned)atoi(getenv("NL_TEST_SEED"))
	                                       : (unsigned)time(NULL);
	printf("seed %u\n", seed);
	srand(seed);
	dir = dt_tempdir();
	make_synthetic();
	corrupt_files();
	lying_header();
	return dt_finish();
}
