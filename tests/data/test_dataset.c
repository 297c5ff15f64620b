/* test_dataset.c - finding a data set: an explicit directory, the look-up
 * order ($NETLANG_DATA, the user's cache, the system directory), the
 * download into the cache (from a file:// mirror), a download whose MD5 is
 * wrong (nothing left behind), and the message that says where to put the
 * files when nothing works.  Every case runs in its own temporary
 * directories with the environment set for it; the real system directory
 * is never consulted. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "runtime/data/dataset.h"
#include "tests/data/dtest.h"

static const char *const files[4] = {
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

static const char *root;

static char *dir_at(const char *rel)
{
	char *d = dt_join(root, rel);
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
	if (system(cmd) != 0)
		exit(99);
	return d;
}

/* dir gets the four files of the shared copy of data set name (links, so
 * that no case copies 30 MB). */
static char *link_set(const char *rel, const char *name)
{
	char *d = dir_at(rel);
	for (int i = 0; i < 4; i++) {
		char from[512];
		snprintf(from, sizeof from, "%s/%s/%s", dt_test_data(), name, files[i]);
		char *to = dt_join(d, files[i]);
		char *abs = realpath(from, NULL);
		if (!abs || symlink(abs, to) != 0)
			exit(99);
		free(abs);
		free(to);
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

static void done(outcome *o)
{
	nl_dataset_free(&o->train);
	nl_dataset_free(&o->test);
	free(o->log);
}

/* The case must have loaded the named set from dir. */
static void expect_found(const char *what, const char *spec, const char *dir, int mnist)
{
	outcome o = open_set(spec);
	CHECK(o.rc == 0, "%s: not loaded", what);
	CHECK(strcmp(o.where, dir) == 0, "%s: loaded from %s, expected %s", what, o.where, dir);
	if (o.rc == 0) {
		static const unsigned char mn[2][4] = { { 5, 0, 4, 1 }, { 7, 2, 1, 0 } };
		static const unsigned char fa[2][4] = { { 9, 0, 0, 3 }, { 9, 2, 1, 1 } };
		const unsigned char (*want)[4] = mnist ? mn : fa;
		CHECK(o.train.n == 60000 && o.test.n == 10000 && o.train.h == 28 && o.test.w == 28,
		      "%s: %d and %d images", what, o.train.n, o.test.n);
		CHECK(memcmp(o.train.labels, want[0], 4) == 0 && memcmp(o.test.labels, want[1], 4) == 0,
		      "%s: not the %s labels", what, mnist ? "MNIST" : "Fashion-MNIST");
	}
	printf("%-44s -> %s\n", what, o.where);
	done(&o);
}

static void explicit_directories(void)
{
	clean_env();
	char *d = link_set("explicit", "mnist");
	expect_found("explicit directory", d, d, 1);

	/* A plain (gunzipped) file is taken as it is. */
	char *gz = dt_join(d, "train-labels-idx1-ubyte.gz");
	char *plain = dt_join(d, "train-labels-idx1-ubyte");
	gzFile g = gzopen(gz, "rb");
	static unsigned char b[70000];
	int n = g ? gzread(g, b, sizeof b) : -1;
	if (g)
		gzclose(g);
	CHECK(n == 60008, "cannot gunzip %s", gz);
	dt_write(plain, b, (size_t)(n > 0 ? n : 0));
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
	char *env = link_set("env/mnist", "mnist");
	char *envroot = dt_join(root, "env");
	char *flat = link_set("flat", "mnist");
	char *xdg = dt_join(root, "xdg");
	char *xdgset = link_set("xdg/netlang/mnist", "mnist");
	char *home = dt_join(root, "home");
	char *homeset = link_set("home/.cache/netlang/mnist", "mnist");
	char *sys = dt_join(root, "sys");
	char *sysset = link_set("sys/mnist", "mnist");
	char *fashion = link_set("env/fashion-mnist", "fashion-mnist");

	clean_env();
	setenv("NETLANG_DATA", envroot, 1);
	setenv("XDG_CACHE_HOME", xdg, 1);
	setenv("HOME", home, 1);
	setenv("NETLANG_SYSTEM_DATA_DIR", sys, 1);
	expect_found("$NETLANG_DATA/NAME before the cache", "mnist", env, 1);
	expect_found("no name means fashion-mnist", NULL, fashion, 0);
	setenv("NETLANG_DATA", flat, 1);
	expect_found("$NETLANG_DATA holding the files", "mnist", flat, 1);
	char *nowhere = dir_at("empty-data");
	setenv("NETLANG_DATA", nowhere, 1);
	expect_found("an empty $NETLANG_DATA: on to the cache", "mnist", xdgset, 1);
	unsetenv("NETLANG_DATA");
	expect_found("$XDG_CACHE_HOME before the system", "mnist", xdgset, 1);
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	expect_found("relative $XDG_CACHE_HOME ignored: ~/.cache", "mnist", homeset, 1);
	unsetenv("XDG_CACHE_HOME");
	expect_found("~/.cache/netlang without $XDG_CACHE_HOME", "mnist", homeset, 1);
	setenv("HOME", nowhere, 1);
	expect_found("the system directory last", "mnist", sysset, 1);
	expect_found("an explicit directory beats them all", flat, flat, 1);

	free(env); free(envroot); free(flat); free(xdg); free(xdgset); free(home);
	free(homeset); free(sys); free(sysset); free(fashion); free(nowhere);
}

static void download(void)
{
	clean_env();
	char *xdg = dir_at("dl");
	setenv("XDG_CACHE_HOME", xdg, 1);
	char *mirror = realpath(dt_test_data(), NULL), url[4200];
	snprintf(url, sizeof url, "file://%s", mirror);
	setenv("NETLANG_DATA_URL", url, 1);
	char *cache = dt_join(xdg, "netlang/mnist");

	outcome o = open_set("mnist");
	CHECK(o.rc == 0, "download from %s failed", url);
	CHECK(strcmp(o.where, cache) == 0, "downloaded into %s, expected %s", o.where, cache);
	CHECK_HAS(o.log, "downloading", "mnist/t10k-labels-idx1-ubyte.gz");
	CHECK(o.rc || (o.train.n == 60000 && o.test.labels[0] == 7), "downloaded set is wrong");
	CHECK(dt_count_entries(cache) == 4, "the cache holds %d entries, expected the 4 files",
	      dt_count_entries(cache));
	done(&o);

	/* The second time the cache serves. */
	o = open_set("mnist");
	CHECK(o.rc == 0 && strcmp(o.where, cache) == 0, "the cache did not serve");
	CHECK(strstr(o.log, "downloading") == NULL, "downloaded again:\n%s", o.log);
	done(&o);

	/* A mirror whose t10k labels are damaged: refused by MD5, and the
	 * download leaves neither that file nor a temporary behind. */
	char *bad = link_set("badmirror/mnist", "mnist");
	char *lab = dt_join(bad, "t10k-labels-idx1-ubyte.gz");
	size_t n;
	char *src = dt_join(mirror, "mnist/t10k-labels-idx1-ubyte.gz");
	unsigned char *bytes = dt_read(src, &n);
	CHECK(bytes != NULL, "cannot read %s", src);
	if (bytes) {
		bytes[n / 2] ^= 1;
		unlink(lab);
		dt_write(lab, bytes, n);
	}
	char *badroot = dt_join(root, "badmirror");
	snprintf(url, sizeof url, "file://%s", badroot);
	setenv("NETLANG_DATA_URL", url, 1);
	char *xdg2 = dir_at("dl2");
	setenv("XDG_CACHE_HOME", xdg2, 1);
	char *cache2 = dt_join(xdg2, "netlang/mnist");
	o = open_set("mnist");
	CHECK(o.rc == -1, "a download with the wrong MD5 must fail");
	CHECK_HAS(o.log, "MD5 mismatch", "expected ec29112dd5afa0611ce80d1b7f02629c",
	          "Put these four files");
	char *left = dt_join(cache2, "t10k-labels-idx1-ubyte.gz");
	CHECK(!dt_exists(left), "the damaged download was left in the cache");
	CHECK(dt_count_entries(cache2) == 3, "the cache holds %d entries: a temporary was left",
	      dt_count_entries(cache2));
	done(&o);

	free(bytes); free(src); free(lab); free(bad); free(badroot); free(xdg2); free(cache2);
	free(left); free(xdg); free(mirror); free(cache);
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
	char *c = link_set("nothing/netlang/mnist", "mnist");
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
	download();
	nothing_found();
	return dt_finish();
}
