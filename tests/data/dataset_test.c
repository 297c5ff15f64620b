/* dataset_test.c - finding a data set, on small synthetic IDX sets made
 * here (no real data needed): an explicit directory, the look-up order
 * ($NETLANG_DATA, the user's cache, the system directory), a $NETLANG_DATA
 * that is a file, missing or incomplete refused (not passed over), the download
 * into the cache from a file:// mirror, a cached file kept because its
 * content is official though its .gz bytes differ, a download whose MD5 is
 * wrong (nothing left behind), and the message that says where to put the
 * files when nothing works.  Every case runs in its own temporary
 * directories with the environment set for it; the real system directory
 * is never consulted.  The downloads use a set described here, with the
 * checksums of its own files, through the same code as the real ones. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "runtime/data/data_fetch.h"
#include "runtime/data/dataset.h"
#include "runtime/data/gz_source.h"
#include "runtime/data/md5.h"
#include "tests/data/dtest.h"

static const char *const files[4] = {
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

enum { NTRAIN = 12, NTEST = 5, SIDE = 6 };

static const char *root;

static char *dir_at(const char *rel)
{
	char *d = dt_join(root, rel);
	if (nl_make_dirs(d) != 0)
		exit(99);
	return d;
}

static void put_be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* The raw bytes of file i of the synthetic set marked `tag`: the first
 * training label is tag, so each copy tells which one was loaded. */
static unsigned char *idx_bytes(int i, int tag, size_t *len)
{
	int images = i % 2 == 0, n = i < 2 ? NTRAIN : NTEST;
	size_t head = images ? 16 : 8, body = images ? (size_t)n * SIDE * SIDE : (size_t)n;
	unsigned char *b = malloc(head + body);
	if (!b)
		exit(99);
	put_be32(b, images ? 0x803 : 0x801);
	put_be32(b + 4, (uint32_t)n);
	if (images) {
		put_be32(b + 8, SIDE);
		put_be32(b + 12, SIDE);
	}
	for (size_t k = 0; k < body; k++)
		b[head + k] = images ? (unsigned char)(k * 7 + (size_t)tag) : (unsigned char)((k + (size_t)tag) % 10);
	*len = head + body;
	return b;
}

/* dir gets the four files of copy `tag`, gzipped. */
static char *make_set(const char *rel, int tag)
{
	char *d = dir_at(rel);
	for (int i = 0; i < 4; i++) {
		size_t n;
		unsigned char *b = idx_bytes(i, tag, &n);
		char *path = dt_join(d, files[i]);
		dt_write_gz(path, b, n);
		free(path);
		free(b);
	}
	return d;
}

/* Every case starts from an environment in which nothing is found and a
 * download cannot succeed, then sets what it tests. */
static void clean_env(void)
{
	unsetenv("NETLANG_DATA");
	char *home = dir_at("home-empty");
	setenv("HOME", home, 1);
	free(home);
	unsetenv("XDG_CACHE_HOME");
	char *sys = dir_at("no-system");
	setenv("NETLANG_SYSTEM_DATA_DIR", sys, 1);
	free(sys);
	setenv("NETLANG_DATA_URL", "file:///nonexistent", 1);
}

typedef struct outcome {
	int rc;
	char where[4096];
	char *log;          /* what went to stderr */
	nl_dataset train, test;
} outcome;

static outcome open_set(const char *spec)
{
	outcome o;
	dt_capture_begin();
	o.rc = nl_dataset_open(spec, &o.train, &o.test, o.where, sizeof o.where);
	o.log = dt_capture_end();
	return o;
}

static outcome fetch_set(const nl_known_set *ks)
{
	outcome o;
	dt_capture_begin();
	o.rc = nl_fetch_open(ks, &o.train, &o.test, o.where, sizeof o.where);
	o.log = dt_capture_end();
	return o;
}

static void done(outcome *o)
{
	nl_dataset_free(&o->train);
	nl_dataset_free(&o->test);
	free(o->log);
}

/* The case must have loaded copy `tag` from dir. */
static void check_found(const char *what, outcome *o, const char *dir, int tag)
{
	CHECK(o->rc == 0, "%s: not loaded", what);
	CHECK(strcmp(o->where, dir) == 0, "%s: loaded from %s, expected %s", what, o->where, dir);
	if (o->rc == 0) {
		CHECK(o->train.n == NTRAIN && o->test.n == NTEST && o->train.h == SIDE &&
		      o->test.w == SIDE, "%s: %d and %d images", what, o->train.n, o->test.n);
		CHECK(o->train.labels[0] == tag && o->test.labels[0] == tag,
		      "%s: loaded copy %d, expected copy %d", what, o->train.labels[0], tag);
	}
	printf("%-44s -> %s\n", what, o->where);
}

static void expect_found(const char *what, const char *spec, const char *dir, int tag)
{
	outcome o = open_set(spec);
	check_found(what, &o, dir, tag);
	done(&o);
}

static void explicit_directories(void)
{
	clean_env();
	char *d = make_set("explicit", 1);
	expect_found("explicit directory", d, d, 1);

	/* A plain (gunzipped) file is taken as it is. */
	char *gz = dt_join(d, "train-labels-idx1-ubyte.gz");
	char *plain = dt_join(d, "train-labels-idx1-ubyte");
	size_t n;
	unsigned char *b = idx_bytes(1, 1, &n);
	dt_write(plain, b, n);
	free(b);
	unlink(gz);
	expect_found("explicit directory, one file plain", d, d, 1);

	/* One missing: said which. */
	unlink(plain);
	outcome o = open_set(d);
	CHECK(o.rc == -1, "a directory with three files must be refused");
	CHECK_HAS(o.log, d, "does not hold all four", "train-labels-idx1-ubyte[.gz]");
	CHECK(strstr(o.log, "t10k-images") == NULL, "only the missing file is named:\n%s", o.log);
	done(&o);

	o = open_set("no-such-set");
	CHECK(o.rc == -1, "an unknown name must be refused");
	CHECK_HAS(o.log, "no-such-set", "not a known data set", "fashion-mnist, mnist");
	done(&o);
	free(gz);
	free(plain);
	free(d);
}

static void lookup_order(void)
{
	char *env = make_set("env/mnist", 2);
	char *envroot = dt_join(root, "env");
	char *flat = make_set("flat", 3);
	char *xdg = dt_join(root, "xdg");
	char *xdgset = make_set("xdg/netlang/mnist", 4);
	char *home = dt_join(root, "home");
	char *homeset = make_set("home/.cache/netlang/mnist", 5);
	char *sys = dt_join(root, "sys");
	char *sysset = make_set("sys/mnist", 6);
	char *fashion = make_set("env/fashion-mnist", 7);

	clean_env();
	setenv("NETLANG_DATA", envroot, 1);
	setenv("XDG_CACHE_HOME", xdg, 1);
	setenv("HOME", home, 1);
	setenv("NETLANG_SYSTEM_DATA_DIR", sys, 1);
	expect_found("$NETLANG_DATA/NAME before the cache", "mnist", env, 2);
	expect_found("no name means fashion-mnist", NULL, fashion, 7);
	setenv("NETLANG_DATA", flat, 1);
	expect_found("$NETLANG_DATA holding the files", "mnist", flat, 3);
	char *nowhere = dir_at("empty-data");
	setenv("NETLANG_DATA", nowhere, 1);
	expect_found("an empty $NETLANG_DATA: on to the cache", "mnist", xdgset, 4);
	unsetenv("NETLANG_DATA");
	expect_found("$XDG_CACHE_HOME before the system", "mnist", xdgset, 4);
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	expect_found("relative $XDG_CACHE_HOME ignored: ~/.cache", "mnist", homeset, 5);
	unsetenv("XDG_CACHE_HOME");
	expect_found("~/.cache/netlang without $XDG_CACHE_HOME", "mnist", homeset, 5);
	setenv("HOME", nowhere, 1);
	expect_found("the system directory last", "mnist", sysset, 6);
	expect_found("an explicit directory beats them all", flat, flat, 3);

	free(env); free(envroot); free(flat); free(xdg); free(xdgset); free(home);
	free(homeset); free(sys); free(sysset); free(fashion); free(nowhere);
}

/* $NETLANG_DATA pointing at something wrong is an error that names it,
 * even where a good copy waits in the cache. */
static void env_mistakes(void)
{
	char *xdg = dt_join(root, "mistakes-xdg");
	char *cached = make_set("mistakes-xdg/netlang/mnist", 4);
	char *file = dt_join(root, "mistakes-file");
	dt_write(file, "not a directory", 15);
	char *gone = dt_join(root, "mistakes-none");
	char *part = make_set("mistakes-part/mnist", 2);
	char *partroot = dt_join(root, "mistakes-part");
	char *lab = dt_join(part, files[1]);
	char *timg = dt_join(part, files[2]);
	unlink(lab);
	unlink(timg);
	char *flat = make_set("mistakes-flat", 3);
	char *flatlab = dt_join(flat, files[3]);
	unlink(flatlab);
	char *empty = dir_at("mistakes-empty/mnist");
	char *emptyroot = dt_join(root, "mistakes-empty");
	char *filesub = dir_at("mistakes-filesub");
	char *filesubset = dt_join(filesub, "mnist");
	dt_write(filesubset, "x", 1);
	char *cifar = dir_at("mistakes-cifar/cifar10");
	char *cifarroot = dt_join(root, "mistakes-cifar");
	char *batch = dt_join(cifar, "data_batch_1.bin");
	dt_write(batch, "x", 1);

	clean_env();
	setenv("XDG_CACHE_HOME", xdg, 1);
	expect_found("the cache copy, with no $NETLANG_DATA", "mnist", cached, 4);
	const struct { const char *what, *env, *spec, *says1, *says2; } cases[] = {
		{ "$NETLANG_DATA a file", file, "mnist", file, "not a directory" },
		{ "$NETLANG_DATA missing", gone, "mnist", gone, "does not exist" },
		{ "$NETLANG_DATA/NAME with two of four", partroot, "mnist", part,
		  "train-labels-idx1-ubyte[.gz] t10k-images-idx3-ubyte[.gz]" },
		{ "$NETLANG_DATA with three of four", flat, "mnist", flat,
		  "missing: t10k-labels-idx1-ubyte[.gz]" },
		{ "$NETLANG_DATA/NAME empty", emptyroot, "mnist", empty, "does not hold" },
		{ "$NETLANG_DATA/NAME a file", filesub, "mnist", filesubset, "not a directory" },
		{ "$NETLANG_DATA/cifar10 with one batch", cifarroot, "cifar10", cifar,
		  "test_batch.bin" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv("NETLANG_DATA", cases[i].env, 1);
		outcome o = open_set(cases[i].spec);
		CHECK(o.rc == -1, "%s: loaded from %s, expected an error", cases[i].what, o.where);
		CHECK_HAS(o.log, "$NETLANG_DATA", cases[i].says1, cases[i].says2);
		CHECK(strstr(o.log, "downloading") == NULL, "%s: went on to download", cases[i].what);
		printf("%-44s -> refused\n", cases[i].what);
		done(&o);
	}
	unsetenv("NETLANG_DATA");
	free(xdg); free(cached); free(file); free(gone); free(part); free(partroot); free(lab);
	free(timg); free(flat); free(flatlab); free(empty); free(emptyroot); free(filesub);
	free(filesubset); free(cifar); free(cifarroot); free(batch);
}

/* A set described here, published at a file:// mirror with copy 8. */
static nl_known_set tiny;
static char tiny_md5[4][33], tiny_content[4][33];

static char *publish_tiny(void)
{
	char *mirror = dir_at("mirror");
	char *pub = make_set("mirror/tiny", 8);
	tiny.name = "tiny";
	tiny.url = "file:///nowhere/";
	tiny.format = NL_SET_IDX;
	tiny.nfiles = 4;
	for (int i = 0; i < 4; i++) {
		char *path = dt_join(pub, files[i]), err[1024];
		CHECK(nl_md5_file(path, tiny_md5[i]) == 0, "cannot hash %s", path);
		CHECK(nl_gz_content_md5(path, tiny_content[i], err, sizeof err) == 0, "%s", err);
		tiny.files[i].name = files[i];
		tiny.files[i].md5 = tiny_md5[i];
		tiny.files[i].content_md5 = tiny_content[i];
		free(path);
	}
	free(pub);
	return mirror;
}

static void download(void)
{
	clean_env();
	char *mirror = publish_tiny(), url[4200];
	snprintf(url, sizeof url, "file://%s", mirror);
	setenv("NETLANG_DATA_URL", url, 1);
	char *xdg = dir_at("dl");
	setenv("XDG_CACHE_HOME", xdg, 1);
	char *cache = dt_join(xdg, "netlang/tiny");

	outcome o = fetch_set(&tiny);
	check_found("downloaded into the cache", &o, cache, 8);
	CHECK_HAS(o.log, "downloading", "tiny/t10k-labels-idx1-ubyte.gz");
	CHECK(dt_count_entries(cache) == 4, "the cache holds %d entries, expected the 4 files",
	      dt_count_entries(cache));
	done(&o);

	/* The second time the cache serves. */
	o = fetch_set(&tiny);
	check_found("the cache serves the second time", &o, cache, 8);
	CHECK(strstr(o.log, "downloading") == NULL, "downloaded again:\n%s", o.log);
	done(&o);

	/* A cache holding one file with the official content compressed
	 * otherwise (as Debian recompresses): kept, only the rest fetched. */
	char *xdg3 = dir_at("dl3");
	setenv("XDG_CACHE_HOME", xdg3, 1);
	char *cache3 = dir_at("dl3/netlang/tiny");
	char *lab3 = dt_join(cache3, files[3]);
	size_t n;
	unsigned char *b = idx_bytes(3, 8, &n);
	gzFile g = gzopen(lab3, "wb1");
	CHECK(g && gzwrite(g, b, (unsigned)n) == (int)n && gzclose(g) == Z_OK, "writing %s", lab3);
	free(b);
	char hex[33] = "";
	nl_md5_file(lab3, hex);
	CHECK(strcmp(hex, tiny_md5[3]) != 0, "the recompressed file has the published bytes");
	o = fetch_set(&tiny);
	check_found("a recompressed cached file is kept", &o, cache3, 8);
	CHECK_HAS(o.log, "downloading", "tiny/t10k-images-idx3-ubyte.gz");
	CHECK(strstr(o.log, "t10k-labels") == NULL, "the recompressed file was fetched again:\n%s",
	      o.log);
	nl_md5_file(lab3, hex);
	CHECK(strcmp(hex, tiny_md5[3]) != 0, "the recompressed file was replaced");
	done(&o);

	/* A mirror whose t10k labels are damaged: refused by MD5, and the
	 * download leaves neither that file nor a temporary behind. */
	char *bad = make_set("badmirror/tiny", 8);
	char *lab = dt_join(bad, files[3]);
	unsigned char *bytes = dt_read(lab, &n);
	CHECK(bytes != NULL, "cannot read %s", lab);
	if (bytes) {
		bytes[n / 2] ^= 1;
		dt_write(lab, bytes, n);
	}
	char *badroot = dt_join(root, "badmirror");
	snprintf(url, sizeof url, "file://%s", badroot);
	setenv("NETLANG_DATA_URL", url, 1);
	char *xdg2 = dir_at("dl2");
	setenv("XDG_CACHE_HOME", xdg2, 1);
	char *cache2 = dt_join(xdg2, "netlang/tiny");
	o = fetch_set(&tiny);
	CHECK(o.rc == -1, "a download with the wrong MD5 must fail");
	CHECK_HAS(o.log, "MD5 mismatch", tiny_md5[3], "Put these four files");
	char *left = dt_join(cache2, files[3]);
	CHECK(!dt_exists(left), "the damaged download was left in the cache");
	CHECK(dt_count_entries(cache2) == 3, "the cache holds %d entries: a temporary was left",
	      dt_count_entries(cache2));
	done(&o);

	free(bytes); free(lab); free(bad); free(badroot); free(xdg2); free(cache2);
	free(left); free(xdg); free(mirror); free(cache); free(xdg3); free(cache3); free(lab3);
}

/* Nothing anywhere and no download: the message says what to put where. */
static void nothing_found(void)
{
	clean_env();
	char *xdg = dir_at("nothing");
	setenv("XDG_CACHE_HOME", xdg, 1);
	char *cache = dt_join(xdg, "netlang/fashion-mnist/");
	outcome o = open_set("fashion-mnist");
	CHECK(o.rc == -1, "must fail when nothing is found");
	CHECK_HAS(o.log, "Put these four files", cache, files[0], files[1], files[2], files[3],
	          "apt-get install dataset-fashion-mnist", "--data DIR");
	const char *looked = o.log ? strstr(o.log, "Looked in:") : NULL;
	CHECK(looked != NULL, "the message lists where it looked");
	if (looked) {
		CHECK(strstr(looked, "no-system/fashion-mnist") != NULL, "system override not used");
		CHECK(strstr(looked, "/usr/share") == NULL, "consulted the real system directory");
	}
	done(&o);

	o = open_set("mnist");
	CHECK(o.rc == -1, "must fail when nothing is found");
	CHECK_HAS(o.log, "netlang/mnist/", "t10k-labels-idx1-ubyte.gz");
	CHECK(strstr(o.log, "apt-get") == NULL, "Debian has no MNIST package to suggest");
	done(&o);

	/* A damaged file in the cache is named, with the way out. */
	char *c = make_set("nothing/netlang/mnist", 9);
	char *lab = dt_join(c, "train-labels-idx1-ubyte.gz");
	unlink(lab);
	dt_write(lab, "this is not an IDX file", 23);
	o = open_set("mnist");
	CHECK(o.rc == -1, "a damaged cache file must be refused");
	CHECK_HAS(o.log, lab, "bad magic", "delete the damaged file");
	done(&o);
	free(c); free(lab); free(xdg); free(cache);
}

int main(void)
{
	root = dt_tempdir();
	explicit_directories();
	lookup_order();
	env_mistakes();
	download();
	nothing_found();
	return dt_finish();
}
