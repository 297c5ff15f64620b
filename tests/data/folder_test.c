/* folder_test.c - a folder of images as a data set
 * (runtime/data/data_folder.c), on folders written here:
 *   - class folders become classes in sorted order, every image found (in
 *     sub-folders too, whatever the case of its .png/.jpg/.jpeg), other
 *     files skipped with a note;
 *   - the held-out split takes the fraction asked of every class, the
 *     same images every time, and a class's split does not move when
 *     another class gains an image;
 *   - train/ and test/ folders are used as they are;
 *   - each image's pixels are those of decoding and scaling it alone;
 *   - the cache: written once, then used (no decoding); a changed image,
 *     or another size, decodes afresh; a damaged cache file is not used
 *     and is replaced; nothing is written when an image fails;
 *   - every bad folder gets a message naming what and where. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "runtime/data/data_fetch.h"
#include "runtime/data/data_folder.h"
#include "runtime/data/dataset.h"
#include "runtime/data/image.h"
#include "tests/data/dtest.h"
#include "tests/data/imgwrite.h"

static const char *root;
static char *cachedir;          /* $XDG_CACHE_HOME/netlang/images */

static char *path_of(const char *a, const char *b)
{
	char *p = dt_join(a, b);
	return p;
}

static void mkdirs(const char *p)
{
	if (nl_make_dirs(p) != 0)
		exit(99);
}

/* An image of class pattern k at dir/name: PNG or JPEG by its name. */
static void image(const char *dir, const char *name, int k, unsigned seed, int w, int h)
{
	mkdirs(dir);
	uint8_t *px = malloc((size_t)w * h * 3);
	tw_picture(px, w, h, 3, k, seed);
	char *p = path_of(dir, name);
	const char *dot = strrchr(name, '.');
	int rc = dot && (dot[1] == 'p' || dot[1] == 'P') ? tw_png(p, px, w, h, 3, PNG_RGB)
	                                                  : tw_jpeg(p, px, w, h, 3, 90, 0, 0);
	if (rc != 0)
		exit(99);
	free(p);
	free(px);
}

/* dir with classes ant, bee, cat of n images each. */
static char *make_folder(const char *rel, int n)
{
	static const char *const cls[3] = { "cat", "ant", "bee" };  /* sorted: ant bee cat */
	char *dir = path_of(root, rel);
	for (int k = 0; k < 3; k++) {
		char *cd = path_of(dir, cls[k]);
		for (int i = 0; i < n; i++) {
			char name[32];
			snprintf(name, sizeof name, i % 3 == 0 ? "img%02d.jpg" : i % 3 == 1 ?
			         "img%02d.PNG" : "img%02d.jpeg", i);
			image(cd, name, k, (unsigned)(100 * k + i), 20 + i, 30 - i % 5);
		}
		free(cd);
	}
	return dir;
}

typedef struct outcome {
	int rc;
	char where[4096];
	char *log;
	nl_dataset train, test;
} outcome;

static outcome open_folder(const char *dir, int c, int h, int w, double split)
{
	outcome o;
	dt_capture_begin();
	o.rc = nl_folder_open(dir, c, h, w, split, &o.train, &o.test, o.where, sizeof o.where);
	o.log = dt_capture_end();
	return o;
}

static void done(outcome *o)
{
	nl_dataset_free(&o->train);
	nl_dataset_free(&o->test);
	free(o->log);
}

static int decoded(const outcome *o)
{
	return o->log && strstr(o->log, "decoding") != NULL;
}

static void basics(void)
{
	char *dir = make_folder("pics", 10);
	/* a note beside the images, a nested folder, a hidden file */
	char *notes = path_of(dir, "cat/notes.txt"), *hidden = path_of(dir, "ant/.DS_Store");
	dt_write(notes, "cats", 4);
	dt_write(hidden, "x", 1);
	char *nested = path_of(dir, "ant/more");
	image(nested, "deep.png", 1, 77, 25, 25);

	outcome o = open_folder(dir, 3, 16, 12, 0.2);
	CHECK(o.rc == 0, "the folder did not load:\n%s", o.log);
	CHECK(decoded(&o), "the first open must decode:\n%s", o.log);
	CHECK_HAS(o.log, "skipped 1 file", "notes.txt");
	if (o.rc == 0) {
		CHECK(o.train.classes == 3 && o.train.names && strcmp(o.train.names[0], "ant") == 0 &&
		      strcmp(o.train.names[1], "bee") == 0 && strcmp(o.train.names[2], "cat") == 0,
		      "classes are not ant, bee, cat in that order");
		CHECK(o.train.c == 3 && o.train.h == 16 && o.train.w == 12 && o.test.c == 3,
		      "decoded to %dx%dx%d", o.train.c, o.train.h, o.train.w);
		/* 11 ants (one nested), 10 bees, 10 cats; 20% of each held out */
		int per[2][3] = { { 0 } };
		for (int i = 0; i < o.train.n; i++)
			per[0][o.train.labels[i]]++;
		for (int i = 0; i < o.test.n; i++)
			per[1][o.test.labels[i]]++;
		CHECK(per[1][0] == 2 && per[1][1] == 2 && per[1][2] == 2 && per[0][0] == 9 &&
		      per[0][1] == 8 && per[0][2] == 8, "split: train %d %d %d, test %d %d %d",
		      per[0][0], per[0][1], per[0][2], per[1][0], per[1][1], per[1][2]);
		CHECK_HAS(o.where, dir, "3 classes", "25 training images", "6 held out");
	}

	/* The pixels of the first training image are those of decoding and
	 * scaling its file alone: ant/img00.jpg, unless held out. */
	if (o.rc == 0) {
		char *first = path_of(dir, "ant/img00.jpg"), err[1024];
		nl_image im;
		uint8_t want[3 * 16 * 12];
		CHECK(nl_image_load(first, 3, 16, 12, &im, err, sizeof err) == 0, "%s", err);
		nl_image_resize(&im, 16, 12, want);
		nl_image_free(&im);
		int found = 0;
		for (int i = 0; i < o.train.n && !found; i++)
			found = memcmp(o.train.images + (size_t)i * sizeof want, want, sizeof want) == 0;
		for (int i = 0; i < o.test.n && !found; i++)
			found = memcmp(o.test.images + (size_t)i * sizeof want, want, sizeof want) == 0;
		CHECK(found, "no image in the set has the pixels of %s", first);
		free(first);
	}

	/* Again: from the cache, the same split, the same bytes. */
	outcome again = open_folder(dir, 3, 16, 12, 0.2);
	CHECK(again.rc == 0 && !decoded(&again), "the second open decoded again:\n%s", again.log);
	CHECK(dt_count_entries(cachedir) == 1, "%d files in the cache, expected 1",
	      dt_count_entries(cachedir));
	if (o.rc == 0 && again.rc == 0) {
		size_t img = 3 * 16 * 12;
		CHECK(again.test.n == o.test.n && memcmp(again.test.images, o.test.images,
		                                         (size_t)o.test.n * img) == 0 &&
		      memcmp(again.train.labels, o.train.labels, (size_t)o.train.n) == 0,
		      "the cached set differs from the decoded one");
	}
	done(&again);

	/* Grey at another size: another key, decoded afresh. */
	outcome grey = open_folder(dir, 1, 8, 8, 0.2);
	CHECK(grey.rc == 0 && decoded(&grey) && grey.train.c == 1,
	      "grey 8x8 was not decoded afresh:\n%s", grey.log);
	CHECK(dt_count_entries(cachedir) == 2, "%d files in the cache, expected 2",
	      dt_count_entries(cachedir));
	done(&grey);

	/* A changed image (its time): decoded afresh. */
	char *cat0 = path_of(dir, "cat/img01.PNG");
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	utimensat(AT_FDCWD, cat0, ts, 0);
	outcome touched = open_folder(dir, 3, 16, 12, 0.2);
	CHECK(touched.rc == 0 && decoded(&touched), "a changed image was not noticed");
	done(&touched);

	/* A damaged cache file is not used, and is replaced. */
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "for f in '%s'/*.bin; do head -c 100 \"$f\" > \"$f.cut\" && "
	         "mv \"$f.cut\" \"$f\"; done", cachedir);
	CHECK(system(cmd) == 0, "could not damage the cache");
	outcome damaged = open_folder(dir, 3, 16, 12, 0.2);
	CHECK(damaged.rc == 0 && decoded(&damaged), "a damaged cache was used:\n%s", damaged.log);
	CHECK_HAS(damaged.log, "not using the image cache");
	done(&damaged);
	outcome healed = open_folder(dir, 3, 16, 12, 0.2);
	CHECK(healed.rc == 0 && !decoded(&healed), "the damaged cache was not replaced");
	done(&healed);

	/* split 0.5: half of each class (11 ants: 5.5 rounds to 6). */
	outcome half = open_folder(dir, 3, 16, 12, 0.5);
	CHECK(half.rc == 0 && half.test.n == 6 + 5 + 5, "split 0.5: %d test images",
	      half.test.n);
	done(&half);

	/* One more bee: the ants' and cats' held-out images stay put. */
	char *bees = path_of(dir, "bee");
	image(bees, "img99.png", 2, 999, 22, 22);
	outcome more = open_folder(dir, 3, 16, 12, 0.2);
	if (o.rc == 0 && more.rc == 0) {
		size_t img = 3 * 16 * 12;
		int same = 1, j = 0;
		for (int i = 0; i < o.test.n; i++) {
			if (o.test.labels[i] == 1)
				continue;
			while (j < more.test.n && more.test.labels[j] == 1)
				j++;
			same &= j < more.test.n &&
			        memcmp(o.test.images + i * img, more.test.images + j * img, img) == 0;
			j++;
		}
		CHECK(same, "adding a bee moved another class's held-out images");
	}
	done(&more);
	done(&o);
	free(bees);
	free(cat0);
	free(notes);
	free(hidden);
	free(nested);
	free(dir);
}

static void train_test_layout(void)
{
	char *dir = path_of(root, "tt");
	char *a = path_of(dir, "train/ant"), *b = path_of(dir, "train/bee");
	char *ta = path_of(dir, "test/ant"), *tb = path_of(dir, "test/bee");
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d.png", i);
		image(a, name, 0, (unsigned)i, 16, 16);
		image(b, name, 1, (unsigned)i, 16, 16);
	}
	image(ta, "x.png", 0, 50, 16, 16);
	image(tb, "y.jpg", 1, 51, 16, 16);
	image(tb, "z.png", 1, 52, 16, 16);
	outcome o = open_folder(dir, 3, 8, 8, 0);
	CHECK(o.rc == 0 && o.train.n == 8 && o.test.n == 3 && o.test.labels[0] == 0 &&
	      o.test.labels[2] == 1, "train/ and test/: %d and %d images", o.train.n, o.test.n);
	CHECK_HAS(o.where, "8 training and 3 test images");
	done(&o);

	/* A test class that training lacks. */
	char *tc = path_of(dir, "test/cow");
	image(tc, "c.png", 2, 60, 16, 16);
	o = open_folder(dir, 3, 8, 8, 0);
	CHECK(o.rc == -1, "a test-only class must be refused");
	CHECK_HAS(o.log, "test/cow", "a class that", "train does not have");
	done(&o);

	/* train/ without test/. */
	char *half = path_of(root, "halfway"), *ha = path_of(half, "train/ant");
	image(ha, "1.png", 0, 1, 16, 16);
	o = open_folder(half, 3, 8, 8, 0);
	CHECK(o.rc == -1, "train/ without test/ must be refused");
	CHECK_HAS(o.log, half, "has a train/ folder but no test/");
	done(&o);
	free(dir); free(a); free(b); free(ta); free(tb); free(tc); free(half); free(ha);
}

static void expect_refused(const char *what, const char *dir, int c, const char *want,
                           const char *want2)
{
	int before = dt_count_entries(cachedir);
	outcome o = open_folder(dir, c, 8, 8, 0);
	CHECK(o.rc == -1, "%s: must be refused", what);
	CHECK_HAS(o.log, want, want2 ? want2 : "");
	CHECK(dt_count_entries(cachedir) == before, "%s: something was cached", what);
	printf("%-30s %s", what, o.log ? o.log : "\n");
	done(&o);
}

static void refusals(void)
{
	/* A truncated image among good ones: named; nothing cached. */
	char *dir = make_folder("broken", 4);
	char *victim = path_of(dir, "bee/img01.PNG");
	size_t n;
	unsigned char *b = dt_read(victim, &n);
	dt_write(victim, b, n / 2);
	free(b);
	char *victim2 = path_of(dir, "cat/img02.jpeg");
	dt_write(victim2, "not a picture", 13);
	expect_refused("a truncated image", dir, 3, victim, "truncated");

	char *empty = path_of(root, "empty-class"), *e1 = path_of(empty, "ant");
	char *e2 = path_of(empty, "bee");
	image(e1, "1.png", 0, 1, 9, 9);
	mkdirs(e2);
	char *txt = path_of(e2, "readme.txt");
	dt_write(txt, "no pictures yet", 15);
	expect_refused("a class with no images", empty, 3, e2, "no images in this class folder");

	char *one = path_of(root, "one-class"), *o1 = path_of(one, "ant");
	image(o1, "1.png", 0, 1, 9, 9);
	image(o1, "2.png", 0, 2, 9, 9);
	expect_refused("a single class", one, 3, one, "a classifier needs two");

	char *flat = path_of(root, "flat");
	image(flat, "1.png", 0, 1, 9, 9);
	expect_refused("images without class folders", flat, 3, flat, "no class folders");

	char *good = make_folder("good", 2);
	expect_refused("four channels", good, 4, "grey (1 channel) or RGB (3)", NULL);
	char *none = path_of(root, "no-such-folder");
	expect_refused("a missing folder", none, 3, none, "no such folder");

	/* An unreadable image directory entry: a dangling link named .png */
	char *dl = path_of(root, "dangling"), *d1 = path_of(dl, "ant"), *d2 = path_of(dl, "bee");
	image(d1, "1.png", 0, 1, 9, 9);
	image(d2, "1.png", 1, 1, 9, 9);
	char *link = path_of(d2, "2.png");
	CHECK(symlink("/nonexistent/picture.png", link) == 0, "symlink");
	expect_refused("a dangling link", dl, 3, link, "No such file");

	free(dir); free(victim); free(victim2); free(empty); free(e1); free(e2); free(txt);
	free(one); free(o1); free(flat); free(good); free(none); free(dl); free(d1); free(d2);
	free(link);
}

/* --data DIR finds the folder by its class folders; folder:DIR says so. */
static void through_dataset_open(void)
{
	char *dir = make_folder("auto", 3), spec[4200];
	nl_data_request rq = { dir, 3, 8, 8, 0.34 };
	nl_dataset tr, te;
	char where[4096];
	dt_capture_begin();
	int rc = nl_data_open(&rq, &tr, &te, where, sizeof where);
	free(dt_capture_end());
	CHECK(rc == 0 && tr.n + te.n == 9 && te.n == 3, "a folder through nl_data_open: %d",
	      rc);
	if (rc == 0) {
		nl_dataset_free(&tr);
		nl_dataset_free(&te);
	}
	snprintf(spec, sizeof spec, "folder:%s", dir);
	rq.spec = spec;
	dt_capture_begin();
	rc = nl_data_open(&rq, &tr, &te, where, sizeof where);
	free(dt_capture_end());
	CHECK(rc == 0 && tr.classes == 3, "folder:DIR through nl_data_open: %d", rc);
	if (rc == 0) {
		nl_dataset_free(&tr);
		nl_dataset_free(&te);
	}
	free(dir);
}

int main(void)
{
	root = dt_tempdir();
	char *cache = path_of(root, "cache");
	setenv("XDG_CACHE_HOME", cache, 1);
	cachedir = path_of(cache, "netlang/images");
	basics();
	train_test_layout();
	refusals();
	through_dataset_open();
	free(cache);
	free(cachedir);
	return dt_finish();
}
