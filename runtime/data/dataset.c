/* dataset.c - data set look-up, download and loading (see dataset.h). */
#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/data/dataset.h"
#include "runtime/data/md5.h"

enum { TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, NFILES };

static const char *const file_base[NFILES] = {
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

typedef struct known_set {
	const char *name;
	const char *url;                /* official download base */
	const char *md5[NFILES];        /* of the .gz files, as published */
	const char *debian_package;     /* NULL: Debian has none */
} known_set;

static const known_set known[] = {
	{ "fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
	  { "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
	    "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310" },
	  "dataset-fashion-mnist" },
	{ "mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/",
	  { "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
	    "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c" },
	  NULL },
};

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

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The paths of the four files in dir (plain preferred: it is what a user
 * who ran gunzip has), NULL where missing.  Returns how many exist, or -1
 * on out-of-memory. */
static int find_files(const char *dir, char *path[NFILES])
{
	int found = 0;
	for (int i = 0; i < NFILES; i++) {
		path[i] = NULL;
		char *plain = fmt("%s/%s", dir, file_base[i]);
		char *gz = fmt("%s/%s.gz", dir, file_base[i]);
		if (!plain || !gz) {
			free(plain);
			free(gz);
			for (int j = 0; j < i; j++)
				free(path[j]);
			return -1;
		}
		if (is_file(plain)) {
			path[i] = plain;
			free(gz);
		} else if (is_file(gz)) {
			path[i] = gz;
			free(plain);
		} else {
			free(plain);
			free(gz);
			continue;
		}
		found++;
	}
	return found;
}

static void free_paths(char *path[NFILES])
{
	for (int i = 0; i < NFILES; i++) {
		free(path[i]);
		path[i] = NULL;
	}
}

/* Load both halves from the four files; messages on stderr. */
static int load_files(char *path[NFILES], nl_dataset *train, nl_dataset *test,
                      const char *hint)
{
	char err[1024];
	if (nl_idx_load(path[TRAIN_IMAGES], path[TRAIN_LABELS], train, err, sizeof err) != 0 ||
	    nl_idx_load(path[TEST_IMAGES], path[TEST_LABELS], test, err, sizeof err) != 0) {
		fprintf(stderr, "netlang: %s%s\n", err, hint ? hint : "");
		nl_dataset_free(train);
		return -1;
	}
	if (train->h != test->h || train->w != test->w) {
		fprintf(stderr, "netlang: the training images are %dx%d but the test images %dx%d "
		        "(%s, %s)\n", train->h, train->w, test->h, test->w, path[TRAIN_IMAGES],
		        path[TEST_IMAGES]);
		nl_dataset_free(train);
		nl_dataset_free(test);
		return -1;
	}
	return 0;
}

static void set_where(char *where, size_t wherelen, const char *dir)
{
	if (wherelen)
		snprintf(where, wherelen, "%s", dir);
}

/* mkdir -p, mode 0755 for what it creates. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				int e = errno;
				free(p);
				errno = e;
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return is_dir(dir) ? 0 : (errno = ENOTDIR, -1);
}

/* Run curl to fetch url into path; no shell, so no quoting issues. */
static int run_curl(const char *url, const char *path)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "netlang: cannot start curl: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* A progress bar when a person watches, else only errors. */
		const char *quiet = isatty(2) ? "--progress-bar" : "--silent";
		execlp("curl", "curl", "--fail", "--location", "--show-error", quiet,
		       "--connect-timeout", "30", "--output", path, url, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "netlang: waiting for curl: %s\n", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fprintf(stderr, "netlang: cannot run curl (apt-get install curl)\n");
	else if (WIFEXITED(status))
		fprintf(stderr, "netlang: curl could not fetch %s (exit status %d)\n", url,
		        WEXITSTATUS(status));
	else
		fprintf(stderr, "netlang: curl was killed fetching %s\n", url);
	return -1;
}

/* Fetch one .gz file into dir unless a verified copy is there already. */
static int fetch_one(const known_set *ks, int i, const char *dir, const char *base_url)
{
	int rc = -1;
	char hex[33];
	char *final = fmt("%s/%s.gz", dir, file_base[i]);
	char *tmp = fmt("%s/.%s.gz.XXXXXX", dir, file_base[i]);
	const char *sep = base_url[0] && base_url[strlen(base_url) - 1] == '/' ? "" : "/";
	char *url = getenv("NETLANG_DATA_URL") && *getenv("NETLANG_DATA_URL")
		? fmt("%s%s%s/%s.gz", base_url, sep, ks->name, file_base[i])
		: fmt("%s%s%s.gz", base_url, sep, file_base[i]);
	if (!final || !tmp || !url) {
		fprintf(stderr, "netlang: out of memory\n");
		goto out;
	}
	if (nl_md5_file(final, hex) == 0 && strcmp(hex, ks->md5[i]) == 0) {
		rc = 0;
		goto out;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "netlang: cannot write in %s: %s\n", dir, strerror(errno));
		goto out;
	}
	/* mkstemp's 0600 would hide a shared cache from other users. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		/* not fatal: only less widely readable */
	}
	close(fd);
	fprintf(stderr, "netlang: downloading %s\n", url);
	if (run_curl(url, tmp) != 0)
		goto drop;
	if (nl_md5_file(tmp, hex) != 0) {
		fprintf(stderr, "netlang: cannot read the download of %s: %s\n", url, strerror(errno));
		goto drop;
	}
	if (strcmp(hex, ks->md5[i]) != 0) {
		fprintf(stderr, "netlang: %s: MD5 mismatch: got %s, expected %s "
		        "(damaged or not the official file; discarded)\n", url, hex, ks->md5[i]);
		goto drop;
	}
	if (rename(tmp, final) != 0) {
		fprintf(stderr, "netlang: cannot rename into %s: %s\n", final, strerror(errno));
		goto drop;
	}
	rc = 0;
	goto out;
drop:
	unlink(tmp);
out:
	free(final);
	free(tmp);
	free(url);
	return rc;
}

static int download(const known_set *ks, const char *dir)
{
	const char *override = getenv("NETLANG_DATA_URL");
	const char *base = override && *override ? override : ks->url;
	if (make_dirs(dir) != 0) {
		fprintf(stderr, "netlang: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	fprintf(stderr, "netlang: %s not found; downloading it into %s\n", ks->name, dir);
	for (int i = 0; i < NFILES; i++)
		if (fetch_one(ks, i, dir, base) != 0)
			return -1;
	return 0;
}

/* The user's cache for data set NAME, per the XDG base directory spec
 * (which says to ignore a relative $XDG_CACHE_HOME). */
static char *cache_dir(const char *name)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return fmt("%s/netlang/%s", xdg, name);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	return fmt("%s/.cache/netlang/%s", home, name);
}

/* Try one directory: 1 loaded, 0 not all files there, -1 error reported. */
static int try_dir(const char *dir, nl_dataset *train, nl_dataset *test, char *where,
                   size_t wherelen, const char *hint)
{
	char *path[NFILES];
	int found = find_files(dir, path);
	if (found < 0) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	if (found < NFILES) {
		free_paths(path);
		return 0;
	}
	int rc = load_files(path, train, test, hint);
	free_paths(path);
	if (rc != 0)
		return -1;
	set_where(where, wherelen, dir);
	return 1;
}

static void tell_where_to_put(const known_set *ks, const char *cache, char *const *looked,
                              int nlooked)
{
	fprintf(stderr, "netlang: the %s data set was not found and could not be downloaded.\n",
	        ks->name);
	fprintf(stderr, "Put these four files (gzipped or not) into %s/\n",
	        cache ? cache : "a directory of your choice");
	for (int i = 0; i < NFILES; i++)
		fprintf(stderr, "    %s.gz\n", file_base[i]);
	fprintf(stderr, "They are published at %s\n"
	        "(Any other directory holding them works too: name it with --data DIR or "
	        "$NETLANG_DATA.)\n", ks->url);
	if (ks->debian_package)
		fprintf(stderr, "On Debian, 'apt-get install %s' installs them in "
		        "/usr/share/datasets/%s/, where netlang finds them.\n",
		        ks->debian_package, ks->name);
	if (nlooked) {
		fprintf(stderr, "Looked in:");
		for (int i = 0; i < nlooked; i++)
			fprintf(stderr, " %s", looked[i]);
		fprintf(stderr, "\n");
	}
}

static int open_named(const known_set *ks, nl_dataset *train, nl_dataset *test, char *where,
                      size_t wherelen)
{
	char *looked[4] = { NULL };
	int nlooked = 0, rc = -1, r;
	const char *env = getenv("NETLANG_DATA");
	if (env && *env) {
		looked[nlooked++] = fmt("%s/%s", env, ks->name);
		looked[nlooked++] = fmt("%s", env);
	}
	char *cache = cache_dir(ks->name);
	int cache_at = -1;
	if (cache) {
		cache_at = nlooked;
		looked[nlooked++] = fmt("%s", cache);
	}
	const char *sys = getenv("NETLANG_SYSTEM_DATA_DIR");
	looked[nlooked++] = fmt("%s/%s", sys && *sys ? sys : "/usr/share/datasets", ks->name);
	for (int i = 0; i < nlooked; i++)
		if (!looked[i]) {
			fprintf(stderr, "netlang: out of memory\n");
			goto out;
		}
	for (int i = 0; i < nlooked; i++) {
		r = try_dir(looked[i], train, test, where, wherelen,
		            i == cache_at ? " (delete the damaged file to download it again)" : NULL);
		if (r != 0) {
			rc = r > 0 ? 0 : -1;
			goto out;
		}
	}
	if (cache && download(ks, cache) == 0) {
		r = try_dir(cache, train, test, where, wherelen, NULL);
		if (r != 0) {
			rc = r > 0 ? 0 : -1;
			goto out;
		}
	}
	tell_where_to_put(ks, cache, looked, nlooked);
out:
	for (int i = 0; i < nlooked; i++)
		free(looked[i]);
	free(cache);
	return rc;
}

int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	if (wherelen)
		where[0] = '\0';
	if (!spec || !*spec)
		spec = "fashion-mnist";
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(spec, known[i].name) == 0)
			return open_named(&known[i], train, test, where, wherelen);
	if (!is_dir(spec)) {
		fprintf(stderr, "netlang: data '%s': no such directory, and not a known data set "
		        "(fashion-mnist, mnist)\n", spec);
		return -1;
	}
	int r = try_dir(spec, train, test, where, wherelen, NULL);
	if (r > 0)
		return 0;
	if (r == 0) {
		char *path[NFILES];
		if (find_files(spec, path) >= 0) {
			fprintf(stderr, "netlang: %s does not hold all four IDX files; missing:", spec);
			for (int i = 0; i < NFILES; i++)
				if (!path[i])
					fprintf(stderr, " %s[.gz]", file_base[i]);
			fprintf(stderr, "\n");
			free_paths(path);
		}
	}
	return -1;
}
