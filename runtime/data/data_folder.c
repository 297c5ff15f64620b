/* data_folder.c - a folder of class folders of images (see data_folder.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "runtime/data/data_fetch.h"
#include "runtime/data/data_folder.h"
#include "runtime/data/image.h"
#include "runtime/data/image_cache.h"
#include "runtime/data/md5.h"
#include "runtime/rng.h"

#define MAX_DEPTH 8             /* sub-folders inside a class folder */
#define MAX_CLASSES 256         /* labels are bytes */
#define SPLIT_SEED 0x73706c6974ull      /* "split" */

typedef struct entry {
	char *rel;                  /* under the folder: "cat/1.png", "test/cat/1.png" */
	unsigned long long size;
	long long mtime_s;
	long mtime_ns;
	int label, part;            /* part 0: training, 1: the test folder */
} entry;

typedef struct listing {
	const char *root;
	entry *v;
	int n, cap;
	char **classes;
	int nclasses;
	int skipped;                /* files without an image's name */
	char skipped_example[256];
} listing;

/* A string built like printf, or NULL on out-of-memory. */
static char *fmt(const char *f, ...)
{
	va_list ap, aq;
	va_start(ap, f);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s)
		vsnprintf(s, (size_t)n + 1, f, aq);
	va_end(aq);
	return s;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The visible entries of dir, sorted by name.  -1 after a message. */
static int read_sorted(const char *dir, char ***out, int *count)
{
	*out = NULL;
	*count = 0;
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "netlang: %s: cannot read the folder: %s\n", dir, strerror(errno));
		return -1;
	}
	char **v = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;       /* ., .., and hidden files such as .DS_Store */
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **nv = realloc(v, (size_t)cap * sizeof *nv);
			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, by_name);
	*out = v;
	*count = n;
	return 0;
oom:
	closedir(d);
	free_names(v, n);
	fprintf(stderr, "netlang: out of memory listing %s\n", dir);
	return -1;
}

static int image_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".jpg") == 0 ||
	               strcasecmp(dot, ".jpeg") == 0);
}

static int add_entry(listing *L, char *rel, const struct stat *st, int label, int part)
{
	if (L->n == L->cap) {
		int cap = L->cap ? 2 * L->cap : 256;
		entry *nv = realloc(L->v, (size_t)cap * sizeof *nv);
		if (!nv)
			return -1;
		L->v = nv;
		L->cap = cap;
	}
	entry *e = &L->v[L->n++];
	e->rel = rel;
	e->size = (unsigned long long)st->st_size;
	e->mtime_s = (long long)st->st_mtim.tv_sec;
	e->mtime_ns = st->st_mtim.tv_nsec;
	e->label = label;
	e->part = part;
	return 0;
}

/* The images under root/rel (a class folder or one inside it). */
static int walk(listing *L, const char *rel, int label, int part, int depth)
{
	char *dir = fmt("%s/%s", L->root, rel), **names = NULL;
	int n = 0, rc = -1;
	if (!dir || read_sorted(dir, &names, &n) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		char *sub = fmt("%s/%s", rel, names[i]), *full = fmt("%s/%s", dir, names[i]);
		struct stat st;
		if (!sub || !full) {
			free(sub);
			free(full);
			fprintf(stderr, "netlang: out of memory\n");
			goto out;
		}
		int ok = stat(full, &st) == 0;
		if (ok && S_ISDIR(st.st_mode)) {
			free(full);
			if (depth >= MAX_DEPTH) {
				fprintf(stderr, "netlang: %s/%s: folders nested more than %d deep in a "
				        "class folder\n", L->root, sub, MAX_DEPTH);
				free(sub);
				goto out;
			}
			int r = walk(L, sub, label, part, depth + 1);
			free(sub);
			if (r != 0)
				goto out;
		} else if (ok && S_ISREG(st.st_mode) && image_name(names[i])) {
			free(full);
			if (add_entry(L, sub, &st, label, part) != 0) {
				free(sub);
				fprintf(stderr, "netlang: out of memory\n");
				goto out;
			}
		} else {
			if (!ok) {
				fprintf(stderr, "netlang: %s: %s\n", full, strerror(errno));
				free(full);
				free(sub);
				goto out;
			}
			if (!L->skipped++)
				snprintf(L->skipped_example, sizeof L->skipped_example, "%s", full);
			free(full);
			free(sub);
		}
	}
	rc = 0;
out:
	free_names(names, n);
	free(dir);
	return rc;
}

/* The class folders of root/sub ("" or "train" or "test"): for the
 * training part they name the classes; a test folder's classes must be
 * among them. */
static int scan_part(listing *L, const char *sub, int part)
{
	char *dir = *sub ? fmt("%s/%s", L->root, sub) : fmt("%s", L->root), **names = NULL;
	int n = 0, rc = -1, nclass_dirs = 0;
	if (!dir || read_sorted(dir, &names, &n) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		char *full = fmt("%s/%s", dir, names[i]);
		int d = full && is_dir(full);
		free(full);
		if (!d)
			continue;   /* a README or a stray image beside the classes */
		nclass_dirs++;
		int label;
		if (part == 0) {
			if (L->nclasses == MAX_CLASSES) {
				fprintf(stderr, "netlang: %s: more than %d class folders\n", dir,
				        MAX_CLASSES);
				goto out;
			}
			char **nv = realloc(L->classes, (size_t)(L->nclasses + 1) * sizeof *nv);
			if (!nv || !(nv[L->nclasses] = strdup(names[i]))) {
				if (nv)
					L->classes = nv;
				fprintf(stderr, "netlang: out of memory\n");
				goto out;
			}
			L->classes = nv;
			label = L->nclasses++;
		} else {
			for (label = 0; label < L->nclasses; label++)
				if (strcmp(L->classes[label], names[i]) == 0)
					break;
			if (label == L->nclasses) {
				fprintf(stderr, "netlang: %s/%s: a class that %s/train does not have "
				        "(the test classes must be training classes)\n", dir, names[i],
				        L->root);
				goto out;
			}
		}
		int before = L->n, skipped = L->skipped;
		char *rel = *sub ? fmt("%s/%s", sub, names[i]) : fmt("%s", names[i]);
		if (!rel) {
			fprintf(stderr, "netlang: out of memory\n");
			goto out;
		}
		int r = walk(L, rel, label, part, 1);
		free(rel);
		if (r != 0)
			goto out;
		if (L->n == before) {
			fprintf(stderr, "netlang: %s/%s: no images in this class folder (PNG or JPEG "
			        "files, named *.png, *.jpg or *.jpeg", dir, names[i]);
			if (L->skipped > skipped)
				fprintf(stderr, "; it holds %d other file%s", L->skipped - skipped,
				        L->skipped - skipped == 1 ? "" : "s");
			fprintf(stderr, ")\n");
			goto out;
		}
	}
	if (nclass_dirs == 0) {
		fprintf(stderr, "netlang: %s: no class folders: put each class's images in a "
		        "folder named after the class (%s/cat/1.png, %s/dog/1.jpg, ...)\n", dir,
		        dir, dir);
		goto out;
	}
	if (part == 0 && L->nclasses < 2) {
		fprintf(stderr, "netlang: %s: one class folder (%s); a classifier needs two or "
		        "more\n", dir, L->classes[0]);
		goto out;
	}
	rc = 0;
out:
	free_names(names, n);
	free(dir);
	return rc;
}

static void listing_free(listing *L)
{
	for (int i = 0; i < L->n; i++)
		free(L->v[i].rel);
	free(L->v);
	free_names(L->classes, L->nclasses);
	memset(L, 0, sizeof *L);
}

/* The cache key: MD5 of everything that decides the decoded pixels. */
static void cache_key(const listing *L, int c, int h, int w, char hex[33])
{
	nl_md5 m;
	char line[128];
	nl_md5_init(&m);
	int k = snprintf(line, sizeof line, "netlang images 1\n%d %d %d\n", c, h, w);
	nl_md5_update(&m, line, (size_t)k);
	for (int i = 0; i < L->nclasses; i++) {
		nl_md5_update(&m, L->classes[i], strlen(L->classes[i]) + 1);
	}
	for (int i = 0; i < L->n; i++) {
		const entry *e = &L->v[i];
		nl_md5_update(&m, e->rel, strlen(e->rel) + 1);
		k = snprintf(line, sizeof line, "%d %d %llu %lld.%09ld\n", e->part, e->label, e->size,
		             e->mtime_s, e->mtime_ns);
		nl_md5_update(&m, line, (size_t)k);
	}
	unsigned char d[16];
	nl_md5_final(&m, d);
	nl_md5_hex(d, hex);
}

/* Decode every image into all.  -1 after naming the first (in listing
 * order) that failed and how many others did. */
static int decode_all(const listing *L, int c, int h, int w, nl_dataset *all)
{
	size_t img = (size_t)c * h * w;
	all->images = malloc((size_t)L->n * img);
	all->labels = malloc((size_t)L->n);
	if (!all->images || !all->labels) {
		fprintf(stderr, "netlang: out of memory for %d images of %dx%dx%d\n", L->n, c, h, w);
		return -1;
	}
	all->n = L->n;
	all->c = c;
	all->h = h;
	all->w = w;
	int first_bad = -1, nbad = 0;
	char first_err[1024] = "";
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4)
#endif
	for (int i = 0; i < L->n; i++) {
		char err[1024];
		int bad = 0;
		char *path = fmt("%s/%s", L->root, L->v[i].rel);
		nl_image im;
		if (!path) {
			snprintf(err, sizeof err, "%s/%s: out of memory", L->root, L->v[i].rel);
			bad = 1;
		} else if (nl_image_load(path, c, h, w, &im, err, sizeof err) != 0) {
			bad = 1;
		} else {
			if (nl_image_resize(&im, h, w, all->images + (size_t)i * img) != 0) {
				snprintf(err, sizeof err, "%s: out of memory scaling a %dx%d image",
				         path, im.w, im.h);
				bad = 1;
			}
			nl_image_free(&im);
		}
		all->labels[i] = (uint8_t)L->v[i].label;
		free(path);
		if (bad) {
#ifdef _OPENMP
#pragma omp critical(nl_folder_errors)
#endif
			{
				nbad++;
				if (first_bad < 0 || i < first_bad) {
					first_bad = i;
					snprintf(first_err, sizeof first_err, "%s", err);
				}
			}
		}
	}
	if (nbad) {
		fprintf(stderr, "netlang: %s\n", first_err);
		if (nbad > 1)
			fprintf(stderr, "netlang: (and %d more image%s that cannot be used in %s)\n",
			        nbad - 1, nbad > 2 ? "s" : "", L->root);
		return -1;
	}
	return 0;
}

/* Copy the images where keep[i] == want into out. */
static int take(const nl_dataset *all, const uint8_t *keep, int want, nl_dataset *out)
{
	size_t img = (size_t)all->c * all->h * all->w;
	int n = 0;
	for (int i = 0; i < all->n; i++)
		n += keep[i] == want;
	memset(out, 0, sizeof *out);
	out->classes = all->classes;
	out->images = malloc((size_t)n * img + 1);
	out->labels = malloc((size_t)n + 1);
	if (!out->images || !out->labels ||
	    nl_dataset_set_names(out, (const char *const *)all->names, all->classes) != 0) {
		nl_dataset_free(out);
		return -1;
	}
	out->c = all->c;
	out->h = all->h;
	out->w = all->w;
	for (int i = 0; i < all->n; i++)
		if (keep[i] == want) {
			memcpy(out->images + (size_t)out->n * img, all->images + (size_t)i * img, img);
			out->labels[out->n++] = all->labels[i];
		}
	return 0;
}

/* Mark a fraction of each class as test (1): the same images every run. */
static void split_classes(const nl_dataset *all, double split, uint8_t *part)
{
	int *idx = malloc(((size_t)all->n + 1) * sizeof *idx);
	if (!idx)
		return;     /* the caller finds no test images and says so */
	for (int k = 0; k < all->classes; k++) {
		int n = 0;
		for (int i = 0; i < all->n; i++)
			if (all->labels[i] == k)
				idx[n++] = i;
		int held = (int)lround(split * n);
		if (held < 1 && n >= 2)
			held = 1;           /* every class in the test set */
		if (held > n - 1)
			held = n - 1;       /* and in the training set */
		nl_rng r = { SPLIT_SEED ^ nl_rng_mix((uint64_t)k) };
		for (int i = 0; i < held; i++) {
			int j = i + (int)nl_rng_below(&r, (uint32_t)(n - i));
			int t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
			part[idx[i]] = 1;
		}
	}
	free(idx);
}

int nl_folder_looks_like(const char *dir)
{
	char **names;
	int n;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	closedir(d);
	if (read_sorted(dir, &names, &n) != 0)
		return 0;
	int found = 0;
	for (int i = 0; i < n && !found; i++) {
		char *full = fmt("%s/%s", dir, names[i]);
		found = full && is_dir(full);
		free(full);
	}
	free_names(names, n);
	return found;
}

int nl_folder_open(const char *dir, int c, int h, int w, double split, nl_dataset *train,
                   nl_dataset *test, char *where, size_t wherelen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	if (c != 1 && c != 3) {
		fprintf(stderr, "netlang: %s: images are read as grey (1 channel) or RGB (3); the "
		        "net's input has %d channels (write input 1x%dx%d or 3x%dx%d)\n", dir, c, h,
		        w, h, w);
		return -1;
	}
	if (!is_dir(dir)) {
		fprintf(stderr, "netlang: %s: no such folder\n", dir);
		return -1;
	}
	listing L = { .root = dir };
	nl_dataset all = { 0 };
	uint8_t *part = NULL;
	char *cache = NULL, *cdir = NULL;
	int rc = -1;
	char *trdir = fmt("%s/train", dir), *tedir = fmt("%s/test", dir);
	if (!trdir || !tedir) {
		fprintf(stderr, "netlang: out of memory\n");
		goto out;
	}
	int has_train = is_dir(trdir), has_test = is_dir(tedir);
	if (has_train != has_test) {
		fprintf(stderr, "netlang: %s has a %s/ folder but no %s/: give it both (each with "
		        "a folder per class), or put the class folders directly in %s and hold "
		        "out a fraction of them (split 0.1 in train { })\n", dir,
		        has_train ? "train" : "test", has_train ? "test" : "train", dir);
		goto out;
	}
	if (has_train) {
		if (scan_part(&L, "train", 0) != 0 || scan_part(&L, "test", 1) != 0)
			goto out;
		if (split > 0)
			fprintf(stderr, "netlang: note: %s has train/ and test/ folders; split %g "
			        "does not apply\n", dir, split);
	} else if (scan_part(&L, "", 0) != 0) {
		goto out;
	}
	if (L.skipped)
		fprintf(stderr, "netlang: note: skipped %d file%s whose names are not *.png, "
		        "*.jpg or *.jpeg (%s%s)\n", L.skipped, L.skipped == 1 ? "" : "s",
		        L.skipped_example, L.skipped > 1 ? ", ..." : "");

	char key[33], err[1024];
	cache_key(&L, c, h, w, key);
	cdir = nl_cache_dir("images");
	cache = cdir ? fmt("%s/%s.bin", cdir, key) : NULL;
	int got = 0;
	if (cache) {
		got = nl_image_cache_read(cache, L.n, c, h, w, L.nclasses, &all, &part, err,
		                          sizeof err);
		if (got < 0)
			fprintf(stderr, "netlang: note: not using the image cache: %s\n", err);
		for (int k = 0; got > 0 && k < L.nclasses; k++)
			if (strcmp(all.names[k], L.classes[k]) != 0) {
				fprintf(stderr, "netlang: note: not using the image cache %s: its "
				        "classes differ\n", cache);
				got = 0;
			}
		if (got <= 0) {
			nl_dataset_free(&all);
			free(part);
			part = NULL;
		}
	}
	if (got <= 0) {
		fprintf(stderr, "netlang: decoding %d images in %s to %dx%dx%d%s%s%s\n", L.n, dir,
		        c, h, w, cache ? " (once: kept in " : "", cache ? cdir : "",
		        cache ? ")" : "");
		all.classes = L.nclasses;
		part = malloc((size_t)L.n + 1);
		if (!part || nl_dataset_set_names(&all, (const char *const *)L.classes,
		                                  L.nclasses) != 0) {
			fprintf(stderr, "netlang: out of memory\n");
			goto out;
		}
		for (int i = 0; i < L.n; i++)
			part[i] = (uint8_t)L.v[i].part;
		if (decode_all(&L, c, h, w, &all) != 0)
			goto out;
		if (cache && (nl_make_dirs(cdir) != 0 ||
		              nl_image_cache_write(cache, &all, part) != 0))
			fprintf(stderr, "netlang: note: the images could not be cached in %s; "
			        "they will be decoded again next time\n", cdir);
	}
	if (!has_train) {
		if (split <= 0)
			split = NL_FOLDER_DEFAULT_SPLIT;
		split_classes(&all, split, part);
	}
	if (take(&all, part, 0, train) != 0 || take(&all, part, 1, test) != 0) {
		fprintf(stderr, "netlang: out of memory\n");
		nl_dataset_free(train);
		goto out;
	}
	if (test->n == 0) {
		fprintf(stderr, "netlang: %s: no test images (%s)\n", dir, has_train ?
		        "its test/ folders are empty" : "every class has a single image");
		nl_dataset_free(train);
		nl_dataset_free(test);
		goto out;
	}
	if (wherelen) {
		if (has_train)
			snprintf(where, wherelen, "%s: %d classes, %d training and %d test images", dir,
			         L.nclasses, train->n, test->n);
		else
			snprintf(where, wherelen, "%s: %d classes, %d training images, %d held out "
			         "(split %g)", dir, L.nclasses, train->n, test->n, split);
	}
	rc = 0;
out:
	listing_free(&L);
	nl_dataset_free(&all);
	free(part);
	free(cache);
	free(cdir);
	free(trdir);
	free(tedir);
	return rc;
}
