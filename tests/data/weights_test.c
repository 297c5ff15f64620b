/* weights_test.c - weights files: a round trip is bit-identical (also for
 * NaN, infinities, -0 and subnormals, and the batchnorm state) and brings
 * the class names back, the bytes on disk follow the documented format
 * (decoded here independently), a version 1 file (no class names) still
 * loads, the write is atomic, and damaged, foreign or mismatched files are
 * refused with a message naming the difference, leaving the buffers
 * untouched. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include "runtime/plan/params.h"
#include "runtime/data/weights.h"
#include "tests/data/dtest.h"

/* ---- hand-built graphs ------------------------------------------------- */

enum { MAXN = 16 };

typedef struct net {
	nl_graph g;
	nl_node nodes[MAXN];
	int inputs[MAXN];
	nl_param_layout l;
} net;

static void add(net *n, nl_kind kind, int c, int h, int w, int k, int out)
{
	int i = n->g.nnodes++;
	nl_node *nd = &n->nodes[i];
	memset(nd, 0, sizeof *nd);
	nd->kind = kind;
	nd->ninputs = i ? 1 : 0;
	n->inputs[i] = i - 1;
	nd->inputs = i ? &n->inputs[i] : NULL;
	nd->kh = nd->kw = k;
	nd->sh = nd->sw = 1;
	nd->out = out;
	nd->shape = (nl_shape){ h == 1 && w == 1 && kind != NL_INPUT ? 2 : 4, 1, c, h, w };
}

/* LeNet, with the second convolution's kernel k2 and, when bn, a
 * batchnorm after the first convolution; extra_fc appends a layer. */
static void make_net(net *n, int k2, int bn, int extra_fc)
{
	memset(n, 0, sizeof *n);
	n->g.nodes = n->nodes;
	add(n, NL_INPUT, 1, 28, 28, 0, 0);
	add(n, NL_CONV, 6, 28, 28, 5, 6);
	if (bn)
		add(n, NL_BATCHNORM, 6, 28, 28, 0, 0);
	add(n, NL_SIGMOID, 6, 28, 28, 0, 0);
	add(n, NL_AVGPOOL, 6, 14, 14, 2, 0);
	int s = 14 - k2 + 1;
	add(n, NL_CONV, 16, s, s, k2, 16);
	add(n, NL_SIGMOID, 16, s, s, 0, 0);
	add(n, NL_AVGPOOL, 16, s / 2, s / 2, 2, 0);
	add(n, NL_FLATTEN, 16 * (s / 2) * (s / 2), 1, 1, 0, 0);
	add(n, NL_FC, 120, 1, 1, 0, 120);
	add(n, NL_SIGMOID, 120, 1, 1, 0, 0);
	add(n, NL_FC, 84, 1, 1, 0, 84);
	add(n, NL_FC, 10, 1, 1, 0, 10);
	if (extra_fc)
		add(n, NL_FC, 10, 1, 1, 0, 10);
	if (nl_param_layout_make(&n->g, &n->l) != 0)
		exit(99);
}

/* ---- helpers ------------------------------------------------------------ */

static float *random_floats(size_t n)
{
	float *x = malloc((n ? n : 1) * sizeof *x);
	if (!x)
		exit(99);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)((rand() / (double)RAND_MAX - 0.5) * 2);
	return x;
}

static float *filled(size_t n, float v)
{
	float *x = malloc((n ? n : 1) * sizeof *x);
	if (!x)
		exit(99);
	for (size_t i = 0; i < n; i++)
		x[i] = v;
	return x;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *dir;

/* Fashion-MNIST's, with a slash and a space in them. */
static const char *const names[10] = {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
	"Bag", "Ankle boot",
};
static size_t names_bytes(void)
{
	size_t n = 0;
	for (int i = 0; i < 10; i++)
		n += strlen(names[i]) + 1;
	return n;
}

/* ---- cases ------------------------------------------------------------------ */

static void round_trip(void)
{
	net n;
	make_net(&n, 5, 1, 0);
	float *p = random_floats(n.l.nparams), *s = random_floats(n.l.nstate);
	/* Values that a careless text or double round trip would change. */
	uint32_t nan_payload = 0x7fc01234u;
	memcpy(&p[0], &nan_payload, 4);
	p[1] = INFINITY;
	p[2] = -INFINITY;
	p[3] = -0.0f;
	p[4] = 1e-45f;
	p[5] = 3.4028235e38f;
	s[0] = 0.1f;

	char *path = dt_join(dir, "lenet.weights");
	CHECK(nl_weights_save(path, &n.g, &n.l, p, s, names, 10) == 0, "save failed");
	CHECK(dt_count_entries(dir) == 1, "a temporary file was left beside the weights");

	float *q = filled(n.l.nparams, 7), *t = filled(n.l.nstate, 7);
	char **got = NULL;
	int ngot = -1;
	CHECK(nl_weights_load(path, &n.g, &n.l, q, t, &got, &ngot) == 0, "load failed");
	CHECK(memcmp(p, q, n.l.nparams * 4) == 0, "parameters differ after the round trip");
	CHECK(memcmp(s, t, n.l.nstate * 4) == 0, "state differs after the round trip");
	CHECK(got && ngot == 10, "class names: %d came back", ngot);
	for (int i = 0; got && i < ngot && i < 10; i++)
		CHECK(strcmp(got[i], names[i]) == 0, "class %d came back as '%s'", i, got[i]);
	nl_weights_free_names(got, ngot);

	/* The bytes, decoded here from the documented format. */
	size_t size;
	unsigned char *f = dt_read(path, &size);
	size_t data_end = 16 + 32 * (size_t)n.l.n + 4 * (n.l.nparams + n.l.nstate);
	size_t want = data_end + 8 + names_bytes() + 4;
	CHECK(f && size == want, "file is %zu bytes, the format says %zu", size, want);
	if (f && size == want) {
		CHECK(memcmp(f, "NETLANGW", 8) == 0 && le32(f + 8) == 2 &&
		      le32(f + 12) == (uint32_t)n.l.n, "header");
		/* tensor 3 is the batchnorm's gamma: kind 3, role 1, 1 dim of 6 */
		const unsigned char *e = f + 16 + 32 * 2;
		CHECK(le32(e) == 3 && le32(e + 4) == 1 && le32(e + 8) == 1 && le32(e + 12) == 6,
		      "entry 3: %u %u %u %u", le32(e), le32(e + 4), le32(e + 8), le32(e + 12));
		e = f + 16;
		CHECK(le32(e) == 1 && le32(e + 4) == 1 && le32(e + 8) == 4 && le32(e + 12) == 6 &&
		      le32(e + 16) == 1 && le32(e + 20) == 5 && le32(e + 24) == 5,
		      "entry 1 is not conv weight 6x1x5x5");
		const unsigned char *data = f + 16 + 32 * (size_t)n.l.n;
		int same = 1;
		for (size_t i = 0; i < n.l.nparams; i++) {
			uint32_t u;
			memcpy(&u, &p[i], 4);
			same &= le32(data + 4 * i) == u;
		}
		for (size_t i = 0; i < n.l.nstate; i++) {
			uint32_t u;
			memcpy(&u, &s[i], 4);
			same &= le32(data + 4 * (n.l.nparams + i)) == u;
		}
		CHECK(same, "the data are not the floats, little-endian, params then state");
		CHECK(le32(f + data_end) == 10 && le32(f + data_end + 4) == names_bytes() &&
		      memcmp(f + data_end + 8, "T-shirt/top\0Trouser\0", 20) == 0 &&
		      memcmp(f + size - 4 - 11, "Ankle boot\0", 11) == 0,
		      "the class names are not count, bytes, NUL-terminated names");
		uLong crc = crc32(crc32(0, NULL, 0), f, (uInt)(size - 4));
		CHECK(le32(f + size - 4) == (uint32_t)crc, "the trailer is not zlib's CRC-32");
	}
	/* A version 1 file (the same without class names) still loads, and
	 * has none. */
	if (f && size == want) {
		unsigned char *v1 = malloc(data_end + 4);
		memcpy(v1, f, data_end);
		v1[8] = 1;
		uLong crc = crc32(crc32(0, NULL, 0), v1, (uInt)data_end);
		for (int i = 0; i < 4; i++)
			v1[data_end + i] = (unsigned char)(crc >> (8 * i));
		char *old = dt_join(dir, "version1.weights");
		dt_write(old, v1, data_end + 4);
		float *q1 = filled(n.l.nparams, 7), *t1 = filled(n.l.nstate, 7);
		got = (char **)1;
		ngot = -1;
		CHECK(nl_weights_load(old, &n.g, &n.l, q1, t1, &got, &ngot) == 0,
		      "a version 1 file does not load");
		CHECK(got == NULL && ngot == 0, "a version 1 file came back with class names");
		CHECK(memcmp(p, q1, n.l.nparams * 4) == 0 && memcmp(s, t1, n.l.nstate * 4) == 0,
		      "a version 1 file loads other values");
		remove(old);
		free(old);
		free(v1);
		free(q1);
		free(t1);
	}
	free(f);

	/* Saving again replaces the file whole. */
	p[10] = 42;
	CHECK(nl_weights_save(path, &n.g, &n.l, p, s, names, 10) == 0, "second save failed");
	CHECK(nl_weights_load(path, &n.g, &n.l, q, t, NULL, NULL) == 0 && q[10] == 42, "not replaced");
	CHECK(dt_count_entries(dir) == 1, "a temporary file was left beside the weights");

	/* An unwritable place fails cleanly. */
	char *nodir = dt_join(dir, "no/such/dir/w.bin");
	dt_capture_begin();
	int rc = nl_weights_save(nodir, &n.g, &n.l, p, s, NULL, 0);
	char *log = dt_capture_end();
	CHECK(rc == -1, "saving into a missing directory must fail");
	CHECK_HAS(log, "cannot write", nodir);
	free(log);
	free(nodir);
	free(path);
	free(p); free(s); free(q); free(t);
	nl_param_layout_free(&n.l);
}

/* Loading path into net must fail, say each substring and leave the
 * destination buffers as they were. */
static void expect_refusal(const char *what, const char *path, net *n, const char *want,
                           const char *want2)
{
	float *q = filled(n->l.nparams, 7), *t = filled(n->l.nstate, 7);
	dt_capture_begin();
	int rc = nl_weights_load(path, &n->g, &n->l, q, t, NULL, NULL);
	char *log = dt_capture_end();
	CHECK(rc == -1, "%s: must be refused", what);
	CHECK_HAS(log, path, want, want2 ? want2 : "");
	int kept = 1;
	for (size_t i = 0; i < n->l.nparams; i++)
		kept &= q[i] == 7;
	for (size_t i = 0; i < n->l.nstate; i++)
		kept &= t[i] == 7;
	CHECK(kept, "%s: the buffers were written by a refused load", what);
	free(log);
	free(q);
	free(t);
}

/* A copy of src with fix applied, at dir/name. */
static char *damaged(const char *src, const char *name, size_t keep, size_t flip,
                     const void *patch, size_t patchlen, size_t at)
{
	size_t n;
	unsigned char *b = dt_read(src, &n);
	if (!b)
		exit(99);
	if (keep < n)
		n = keep;
	if (flip != (size_t)-1)
		b[flip] ^= 0x10;
	if (patch)
		memcpy(b + at, patch, patchlen);
	char *path = dt_join(dir, name);
	dt_write(path, b, n);
	free(b);
	return path;
}

static void refusals(void)
{
	net lenet, lenet3, bn, longer;
	make_net(&lenet, 5, 0, 0);
	make_net(&lenet3, 3, 0, 0);
	make_net(&bn, 5, 1, 0);
	make_net(&longer, 5, 0, 1);
	float *p = random_floats(lenet.l.nparams);
	char *good = dt_join(dir, "good.bin");
	CHECK(nl_weights_save(good, &lenet.g, &lenet.l, p, NULL, names, 10) == 0, "save failed");
	size_t size;
	free(dt_read(good, &size));
	size_t none = (size_t)-1;

	expect_refusal("another kernel size", good, &lenet3,
	               "tensor 3 (conv weight) is 16x6x5x5 in the file, 16x6x3x3 in the net", NULL);
	expect_refusal("another layer kind", good, &bn,
	               "tensor 3 is a conv weight (16x6x5x5) in the file, a batchnorm weight (6)",
	               "another network");
	expect_refusal("one more layer", good, &longer, "holds 10 tensors, the net 12",
	               "another network");

	char *p1 = damaged(good, "flipped-data.bin", size, size / 2, NULL, 0, 0);
	expect_refusal("a flipped data byte", p1, &lenet, "checksum mismatch", "corrupt");
	char *p2 = damaged(good, "flipped-table.bin", size, 16 + 28, NULL, 0, 0);
	expect_refusal("a flipped reserved table byte", p2, &lenet, "checksum mismatch", NULL);
	char *p3 = damaged(good, "flipped-dims.bin", size, 16 + 12, NULL, 0, 0);
	expect_refusal("a flipped dimension", p3, &lenet, "corrupt", NULL);
	char *p4 = damaged(good, "flipped-crc.bin", size, size - 1, NULL, 0, 0);
	expect_refusal("a flipped checksum", p4, &lenet, "checksum mismatch", NULL);
	char *p5 = damaged(good, "cut.bin", size - 10, none, NULL, 0, 0);
	expect_refusal("cut short", p5, &lenet, "truncated", NULL);
	char *p6 = damaged(good, "cut-header.bin", 12, none, NULL, 0, 0);
	expect_refusal("cut inside the header", p6, &lenet, "truncated", "12 bytes");
	char *p7 = damaged(good, "empty.bin", 0, none, NULL, 0, 0);
	expect_refusal("empty", p7, &lenet, "truncated", "0 bytes");
	char *p8 = damaged(good, "magic.bin", size, none, "PK\3\4", 4, 0);
	expect_refusal("another file's magic", p8, &lenet, "not a netlang weights file", NULL);
	char *p9 = damaged(good, "version.bin", size, none, "\3\0\0\0", 4, 8);
	expect_refusal("a later version", p9, &lenet, "version 3", "reads versions 1 to 2");
	char *p10 = damaged(good, "huge-table.bin", size, none, "\377\377\377\177", 4, 12);
	expect_refusal("an absurd tensor count", p10, &lenet, "truncated or corrupt", NULL);

	/* Names that do not add up, under a checksum that does: 11 classes
	 * claimed for 10 names. */
	size_t n;
	unsigned char *b = dt_read(good, &n);
	b[n - 4 - names_bytes() - 8] = 11;
	uLong crc = crc32(crc32(0, NULL, 0), b, (uInt)(n - 4));
	for (int i = 0; i < 4; i++)
		b[n - 4 + i] = (unsigned char)(crc >> (8 * i));
	char *p13 = dt_join(dir, "names.bin");
	dt_write(p13, b, n);
	free(b);
	expect_refusal("eleven classes, ten names", p13, &lenet, "corrupt",
	               "are not 11 NUL-terminated names");

	b = dt_read(good, &n);
	b = realloc(b, n + 5);
	memcpy(b + n, "extra", 5);
	char *p11 = dt_join(dir, "trailing.bin");
	dt_write(p11, b, n + 5);
	free(b);
	expect_refusal("trailing bytes", p11, &lenet, "trailing garbage", NULL);
	char *p12 = dt_join(dir, "missing.bin");
	expect_refusal("a missing file", p12, &lenet, "cannot open", "No such file");

	char *all[] = { good, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13 };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
	free(p);
	nl_param_layout_free(&lenet.l);
	nl_param_layout_free(&lenet3.l);
	nl_param_layout_free(&bn.l);
	nl_param_layout_free(&longer.l);
}

int main(void)
{
	unsigned seed = getenv("NL_TEST_SEED") ? (unsigned)atoi(getenv("NL_TEST_SEED"))
	                                       : (unsigned)time(NULL);
	printf("seed %u\n", seed);
	srand(seed);
	dir = dt_tempdir();
	round_trip();
	refusals();
	return dt_finish();
}
