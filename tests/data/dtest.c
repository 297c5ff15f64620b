/* dtest.c - helpers for the data tests (see dtest.h). */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "tests/data/dtest.h"

static int passed, failed;
static char *temps[64];
static int ntemps;
static int saved_fd = -1;
static char capture_path[4096];

static void die(const char *what)
{
	fprintf(stderr, "test setup failed: %s\n", what);
	exit(99);
}

void dt_check(int ok, const char *file, int line, const char *fmt, ...)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void dt_check_has(const char *file, int line, const char *text, ...)
{
	va_list ap;
	va_start(ap, text);
	const char *want;
	while ((want = va_arg(ap, const char *)) != NULL)
		dt_check(text && strstr(text, want) != NULL, file, line,
		         "expected \"%s\" in the message:\n%s", want, text ? text : "(none)");
	va_end(ap);
}

const char *dt_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t = dt_join(base && *base ? base : "/tmp", "netlang-test-XXXXXX");
	if (!mkdtemp(t) || ntemps == (int)(sizeof temps / sizeof temps[0]))
		die("mkdtemp");
	temps[ntemps++] = t;
	return t;
}

char *dt_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = malloc(a + b + 2);
	if (!s)
		die("out of memory");
	memcpy(s, dir, a);
	s[a] = '/';
	memcpy(s + a + 1, name, b + 1);
	return s;
}

const char *dt_test_data(void)
{
	static char fallback[4096];
	const char *d = getenv("NETLANG_TEST_DATA"), *top = getenv("top_srcdir");
	if (d && *d)
		return d;
	/* What the build's test environment sets, for runs by hand. */
	snprintf(fallback, sizeof fallback, "%s/../shared/data", top && *top ? top : "..");
	return fallback;
}

void dt_write(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

void dt_write_gz(const char *path, const void *data, size_t n)
{
	gzFile g = gzopen(path, "wb6");
	if (!g || (n && gzwrite(g, data, (unsigned)n) != (int)n) || gzclose(g) != Z_OK)
		die(path);
}

unsigned char *dt_read(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0, got;
	unsigned char *buf = malloc(cap);
	if (!buf)
		die("out of memory");
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			if (!(buf = realloc(buf, cap)))
				die("out of memory");
		}
	}
	fclose(f);
	*n = len;
	return buf;
}

int dt_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int dt_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

void dt_capture_begin(void)
{
	fflush(stderr);
	const char *base = getenv("TMPDIR");
	snprintf(capture_path, sizeof capture_path, "%s/netlang-stderr-XXXXXX",
	         base && *base ? base : "/tmp");
	int fd = mkstemp(capture_path);
	saved_fd = dup(2);
	if (fd < 0 || saved_fd < 0 || dup2(fd, 2) < 0)
		die("capturing stderr");
	close(fd);
}

char *dt_capture_end(void)
{
	fflush(stderr);
	if (dup2(saved_fd, 2) < 0)
		die("restoring stderr");
	close(saved_fd);
	saved_fd = -1;
	size_t n;
	unsigned char *text = dt_read(capture_path, &n);
	unlink(capture_path);
	if (!text)
		die("reading captured stderr");
	text = realloc(text, n + 1);
	if (!text)
		die("out of memory");
	text[n] = '\0';
	fputs((char *)text, stderr);
	return (char *)text;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int dt_finish(void)
{
	for (int i = 0; i < ntemps; i++) {
		nftw(temps[i], remove_one, 16, FTW_DEPTH | FTW_PHYS);
		free(temps[i]);
	}
	ntemps = 0;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
