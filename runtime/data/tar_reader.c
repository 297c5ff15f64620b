/* tar_reader.c - walk a (gzipped) tar archive's members (see tar_reader.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/data/gz_source.h"
#include "runtime/data/tar_reader.h"

#define BLOCK 512u

struct nl_tar {
	nl_gz_source *src;
	char *path;
	unsigned long long left;    /* bytes of the current member not yet read */
	unsigned long long pad;     /* then padding to the next block */
	unsigned long long at;      /* bytes of the archive consumed */
};

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

nl_tar *nl_tar_open(const char *path, char *err, size_t errlen)
{
	nl_tar *t = calloc(1, sizeof *t);
	if (!t || !(t->path = strdup(path))) {
		free(t);
		say(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (!(t->src = nl_gz_open(path, err, errlen))) {
		free(t->path);
		free(t);
		return NULL;
	}
	return t;
}

void nl_tar_close(nl_tar *t)
{
	if (!t)
		return;
	nl_gz_close(t->src);
	free(t->path);
	free(t);
}

/* Exactly len bytes of the archive, or -1 with the reason. */
static int take(nl_tar *t, void *buf, size_t len, const char *what, char *err, size_t errlen)
{
	size_t done;
	long long n = nl_gz_read(t->src, buf, len, &done);
	t->at += done;
	if (n < 0) {
		nl_gz_failure(t->src, t->path, t->at, 0, err, errlen);
		return -1;
	}
	if (done < len) {
		say(err, errlen, "%s: truncated: the archive ends inside %s (at byte %llu)", t->path,
		    what, t->at);
		return -1;
	}
	return 0;
}

static int skip(nl_tar *t, unsigned long long n, char *err, size_t errlen)
{
	unsigned char buf[4096];
	while (n) {
		size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
		if (take(t, buf, k, "a member", err, errlen) != 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* An octal field, NUL- or space-terminated; -1 when it is not one. */
static long long octal(const unsigned char *p, size_t n)
{
	unsigned long long v = 0;
	size_t i = 0;
	while (i < n && p[i] == ' ')
		i++;
	size_t digits = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++, digits++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -1;
	return digits ? (long long)v : -1;
}

int nl_tar_next(nl_tar *t, char name[NL_TAR_NAME_MAX], unsigned long long *size,
                int *regular, char *err, size_t errlen)
{
	if (skip(t, t->left + t->pad, err, errlen) != 0)
		return -1;
	t->left = t->pad = 0;
	unsigned char h[BLOCK];
	if (take(t, h, BLOCK, "a header", err, errlen) != 0)
		return -1;
	int zero = 1;
	for (unsigned i = 0; i < BLOCK && zero; i++)
		zero = h[i] == 0;
	if (zero)
		return 0;       /* the end-of-archive block */
	long long want = octal(h + 148, 8);
	unsigned long long sum = 0;
	for (unsigned i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	if (want < 0 || (unsigned long long)want != sum) {
		say(err, errlen, "%s: not a tar archive, or a damaged one (bad header checksum "
		    "at byte %llu)", t->path, t->at - BLOCK);
		return -1;
	}
	long long sz = octal(h + 124, 12);
	if (sz < 0) {
		say(err, errlen, "%s: a member's size is not a number (at byte %llu)", t->path,
		    t->at - BLOCK);
		return -1;
	}
	/* ustar: prefix "/" name; both fields may fill their width with no NUL. */
	char nm[101], pre[156];
	memcpy(nm, h, 100);
	nm[100] = '\0';
	pre[0] = '\0';
	if (memcmp(h + 257, "ustar", 5) == 0) {
		memcpy(pre, h + 345, 155);
		pre[155] = '\0';
	}
	snprintf(name, NL_TAR_NAME_MAX, "%s%s%s", pre, *pre ? "/" : "", nm);
	*size = (unsigned long long)sz;
	*regular = h[156] == '0' || h[156] == '\0';
	t->left = (unsigned long long)sz;
	t->pad = (BLOCK - (unsigned long long)sz % BLOCK) % BLOCK;
	return 1;
}

int nl_tar_read(nl_tar *t, void *buf, size_t len, char *err, size_t errlen)
{
	if (len > t->left) {
		say(err, errlen, "%s: reading past the end of a member", t->path);
		return -1;
	}
	if (take(t, buf, len, "a member", err, errlen) != 0)
		return -1;
	t->left -= len;
	return 0;
}
