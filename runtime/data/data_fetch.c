/* data_fetch.c - look-up order, download and checks of the known data sets
 * (see data_fetch.h). */
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
#include "runtime/data/cifar.h"
#include "runtime/data/data_fetch.h"
#include "runtime/data/gz_source.h"
#include "runtime/data/md5.h"

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

int nl_make_dirs(const char *dir)
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

/* The user's cache, per the XDG base directory spec (which says to ignore
 * a relative $XDG_CACHE_HOME). */
char *nl_cache_dir(const char *name)
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

/* ---- one format's files in a directory ----------------------------------- */

/* 1 when dir holds all of the set's files (in some form its loader reads). */
static int present(const nl_known_set *ks, const char *dir)
{
	switch (ks->format) {
	case NL_SET_IDX: {
		int missing[NL_IDX_NFILES];
		return nl_idx_dir_count(dir, missing) == NL_IDX_NFILES;
	}
	case NL_SET_CIFAR:
		return nl_cifar_dir_present(dir);
	}
	return 0;
}

static int load(const nl_known_set *ks, const char *dir, nl_dataset *train,
                nl_dataset *test, char *err, size_t errlen)
{
	int rc = -1;
	switch (ks->format) {
	case NL_SET_IDX:
		rc = nl_idx_dir_load(dir, train, test, err, errlen);
		break;
	case NL_SET_CIFAR:
		rc = nl_cifar_dir_load(dir, train, test, err, errlen);
		break;
	}
	if (rc == 0 && ks->class_names && train->classes == test->classes &&
	    (nl_dataset_set_names(train, ks->class_names, train->classes) != 0 ||
	     nl_dataset_set_names(test, ks->class_names, test->classes) != 0)) {
		snprintf(err, errlen, "out of memory");
		nl_dataset_free(train);
		nl_dataset_free(test);
		rc = -1;
	}
	return rc;
}

/* Whether dir holds the set: 0 none of its files, 1 part, 2 all, -1 on
 * out-of-memory. */
static int holds(const nl_known_set *ks, const char *dir, int missing[NL_IDX_NFILES])
{
	switch (ks->format) {
	case NL_SET_IDX: {
		int n = nl_idx_dir_count(dir, missing);
		return n < 0 ? -1 : n == NL_IDX_NFILES ? 2 : n > 0;
	}
	case NL_SET_CIFAR:
		return nl_cifar_dir_present(dir) ? 2 : nl_cifar_dir_partial(dir);
	}
	return 0;
}

static int incomplete(const nl_known_set *ks, const char *dir,
                      const int missing[NL_IDX_NFILES])
{
	fprintf(stderr, "netlang: %s (from $NETLANG_DATA) does not hold the whole %s data set",
	        dir, ks->name);
	if (ks->format == NL_SET_IDX) {
		fprintf(stderr, "; missing:");
		for (int i = 0; i < NL_IDX_NFILES; i++)
			if (missing[i])
				fprintf(stderr, " %s[.gz]", nl_idx_files[i]);
		fprintf(stderr, "\n");
	} else {
		fprintf(stderr, ": it needs data_batch_1.bin .. data_batch_5.bin and test_batch.bin "
		        "(or a cifar-10-batches-bin folder holding them), or %s\n", NL_CIFAR_ARCHIVE);
	}
	return -1;
}

/* What $NETLANG_DATA points at must be usable: not a directory, a NAME in
 * it that is not the whole set, or part of the set's files in it, is said
 * (the user meant that copy) rather than passed over for another copy in
 * the cache or the system's directory.  0, or -1 after a message. */
static int check_env(const nl_known_set *ks, const char *env)
{
	struct stat st;
	int missing[NL_IDX_NFILES];
	int found = stat(env, &st) == 0;
	if (!found || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "netlang: $NETLANG_DATA is %s, %s: set it to a directory holding "
		        "data sets (a folder per set, as DIR/%s/), or unset it\n", env,
		        found ? "which is not a directory" : errno == ENOENT ? "which does not exist"
		        : strerror(errno), ks->name);
		return -1;
	}
	char *sub = fmt("%s/%s", env, ks->name);
	int rc = 0;
	if (!sub) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	if (stat(sub, &st) == 0) {
		int h = S_ISDIR(st.st_mode) ? holds(ks, sub, missing) : 0;
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "netlang: %s (from $NETLANG_DATA) is not a directory\n", sub);
			rc = -1;
		} else if (h < 0) {
			fprintf(stderr, "netlang: out of memory\n");
			rc = -1;
		} else if (h < 2) {
			rc = incomplete(ks, sub, missing);
		}
	} else {
		int h = holds(ks, env, missing);
		if (h < 0) {
			fprintf(stderr, "netlang: out of memory\n");
			rc = -1;
		} else if (h == 1) {
			rc = incomplete(ks, env, missing);
		}
	}
	free(sub);
	return rc;
}

/* Try one directory: 1 loaded, 0 not all files there, -1 error reported. */
static int try_dir(const nl_known_set *ks, const char *dir, nl_dataset *train,
                   nl_dataset *test, char *where, size_t wherelen, const char *hint)
{
	if (!present(ks, dir))
		return 0;
	char err[1024];
	if (load(ks, dir, train, test, err, sizeof err) != 0) {
		fprintf(stderr, "netlang: %s%s\n", err, hint ? hint : "");
		return -1;
	}
	if (wherelen)
		snprintf(where, wherelen, "%s", dir);
	return 1;
}

/* ---- download ------------------------------------------------------------ */

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

/* A file already in the cache is kept when it is the published file, or
 * holds the same content compressed otherwise (a copy of Debian's). */
static int official_copy(const nl_known_file *f, const char *path)
{
	char hex[33], err[1024];
	if (nl_md5_file(path, hex) != 0)
		return 0;
	if (strcmp(hex, f->md5) == 0)
		return 1;
	return f->content_md5 && nl_gz_content_md5(path, hex, err, sizeof err) == 0 &&
	       strcmp(hex, f->content_md5) == 0;
}

/* Fetch one file into dir unless an official copy is there already. */
static int fetch_one(const nl_known_set *ks, const nl_known_file *f, const char *dir,
                     const char *base_url)
{
	int rc = -1;
	char hex[33];
	char *final = fmt("%s/%s", dir, f->name);
	char *tmp = fmt("%s/.%s.XXXXXX", dir, f->name);
	const char *sep = base_url[0] && base_url[strlen(base_url) - 1] == '/' ? "" : "/";
	char *url = getenv("NETLANG_DATA_URL") && *getenv("NETLANG_DATA_URL")
		? fmt("%s%s%s/%s", base_url, sep, ks->name, f->name)
		: fmt("%s%s%s", base_url, sep, f->name);
	if (!final || !tmp || !url) {
		fprintf(stderr, "netlang: out of memory\n");
		goto out;
	}
	if (official_copy(f, final)) {
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
	if (strcmp(hex, f->md5) != 0) {
		fprintf(stderr, "netlang: %s: MD5 mismatch: got %s, expected %s "
		        "(damaged or not the official file; discarded)\n", url, hex, f->md5);
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

static int download(const nl_known_set *ks, const char *dir)
{
	const char *override = getenv("NETLANG_DATA_URL");
	const char *base = override && *override ? override : ks->url;
	if (nl_make_dirs(dir) != 0) {
		fprintf(stderr, "netlang: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	fprintf(stderr, "netlang: %s not found; downloading it into %s\n", ks->name, dir);
	for (int i = 0; i < ks->nfiles; i++)
		if (fetch_one(ks, &ks->files[i], dir, base) != 0)
			return -1;
	return 0;
}

static const char *const count_word[] = { "no", "this", "these two", "these three",
                                          "these four" };

static void tell_where_to_put(const nl_known_set *ks, const char *cache, char *const *looked,
                              int nlooked)
{
	fprintf(stderr, "netlang: the %s data set was not found and could not be downloaded.\n",
	        ks->name);
	fprintf(stderr, "Put %s file%s%s into %s/\n", count_word[ks->nfiles],
	        ks->nfiles > 1 ? "s" : "", ks->format == NL_SET_IDX ? " (gzipped or not)" : "",
	        cache ? cache : "a directory of your choice");
	for (int i = 0; i < ks->nfiles; i++)
		fprintf(stderr, "    %s\n", ks->files[i].name);
	fprintf(stderr, "%s published at %s\n"
	        "(Any other directory holding %s works too: name it with --data DIR or "
	        "$NETLANG_DATA.)\n", ks->nfiles > 1 ? "They are" : "It is", ks->url,
	        ks->nfiles > 1 ? "them" : "it");
	if (ks->format == NL_SET_CIFAR)
		fprintf(stderr, "Its unpacked cifar-10-batches-bin/ folder (data_batch_1.bin .. "
		        "data_batch_5.bin, test_batch.bin) does as well.\n");
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

int nl_fetch_open(const nl_known_set *ks, nl_dataset *train, nl_dataset *test,
                  char *where, size_t wherelen)
{
	char *looked[4] = { NULL };
	int nlooked = 0, rc = -1, r;
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	if (wherelen)
		where[0] = '\0';
	const char *env = getenv("NETLANG_DATA");
	if (env && *env && check_env(ks, env) != 0)
		return -1;
	if (env && *env) {
		looked[nlooked++] = fmt("%s/%s", env, ks->name);
		looked[nlooked++] = fmt("%s", env);
	}
	char *cache = nl_cache_dir(ks->name);
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
		r = try_dir(ks, looked[i], train, test, where, wherelen,
		            i == cache_at ? " (delete the damaged file to download it again)" : NULL);
		if (r != 0) {
			rc = r > 0 ? 0 : -1;
			goto out;
		}
	}
	if (cache && download(ks, cache) == 0) {
		r = try_dir(ks, cache, train, test, where, wherelen, NULL);
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
