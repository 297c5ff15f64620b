/* gz_source.c - gzipped or plain files, read with every check (see
 * gz_source.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "runtime/data/gz_source.h"
#include "runtime/data/md5.h"

/* zlib's gzread would be shorter, but it skips the gzip trailer's check
 * when the input runs out exactly at the end of the deflate data, so a
 * download cut inside the trailer would pass. */
struct nl_gz_source {
	int fd;
	int gz;                     /* 1: gzip, inflate below */
	int stream_end;             /* inflate finished the current member */
	int in_eof;                 /* read() returned 0 */
	unsigned long long size;    /* of the file */
	z_stream zs;
	enum { SRC_OK, SRC_IO, SRC_TRUNCATED, SRC_CORRUPT, SRC_NOMEM, SRC_JUNK } err;
	char msg[128];
	unsigned char in[1 << 16];
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

static int fill(nl_gz_source *s)
{
	ssize_t n;
	do
		n = read(s->fd, s->in, sizeof s->in);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->err = SRC_IO;
		snprintf(s->msg, sizeof s->msg, "%s", strerror(errno));
		return -1;
	}
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)n;
	if (n == 0)
		s->in_eof = 1;
	return 0;
}

nl_gz_source *nl_gz_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	nl_gz_source *s = calloc(1, sizeof *s);
	if (!s) {
		say(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	s->fd = fd;
	s->size = (unsigned long long)st.st_size;
	if (fill(s) != 0) {
		nl_gz_failure(s, path, 0, 1, err, errlen);
		nl_gz_close(s);
		return NULL;
	}
	if (s->zs.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {   /* +16: gzip only */
			say(err, errlen, "%s: out of memory while decompressing", path);
			nl_gz_close(s);
			return NULL;
		}
		s->gz = 1;
	}
	return s;
}

int nl_gz_compressed(const nl_gz_source *s)
{
	return s->gz;
}

unsigned long long nl_gz_file_size(const nl_gz_source *s)
{
	return s->size;
}

void nl_gz_close(nl_gz_source *s)
{
	if (!s)
		return;
	if (s->gz)
		inflateEnd(&s->zs);
	close(s->fd);
	free(s);
}

long long nl_gz_read(nl_gz_source *s, void *buf, size_t len, size_t *done)
{
	unsigned char *out = buf;
	*done = 0;
	while (*done < len) {
		if (s->zs.avail_in == 0 && !s->in_eof && fill(s) != 0)
			return -1;
		if (!s->gz) {
			if (s->zs.avail_in == 0)
				break;
			size_t k = s->zs.avail_in < len - *done ? s->zs.avail_in : len - *done;
			memcpy(out + *done, s->zs.next_in, k);
			s->zs.next_in += k;
			s->zs.avail_in -= (uInt)k;
			*done += k;
			continue;
		}
		if (s->stream_end) {
			if (s->zs.avail_in == 0 && s->in_eof)
				break;          /* the clean end */
			if (s->zs.avail_in == 0)
				continue;       /* read on to see what follows */
			if (s->zs.next_in[0] != 0x1f) {
				s->err = SRC_JUNK;
				return -1;
			}
			inflateReset(&s->zs);   /* another gzip member follows */
			s->stream_end = 0;
		}
		size_t want = len - *done > (1u << 30) ? (1u << 30) : len - *done;
		s->zs.next_out = out + *done;
		s->zs.avail_out = (uInt)want;
		int ret = inflate(&s->zs, Z_NO_FLUSH);
		*done += want - s->zs.avail_out;
		if (ret == Z_STREAM_END) {
			s->stream_end = 1;
		} else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
			s->err = SRC_CORRUPT;
			snprintf(s->msg, sizeof s->msg, "%s", s->zs.msg ? s->zs.msg : "bad data");
			return -1;
		} else if (ret == Z_MEM_ERROR) {
			s->err = SRC_NOMEM;
			return -1;
		} else if (s->zs.avail_in == 0 && s->in_eof) {
			s->err = SRC_TRUNCATED;     /* inflate wants input that never comes */
			return -1;
		}
	}
	return (long long)*done;
}

void nl_gz_failure(const nl_gz_source *s, const char *path, unsigned long long at,
                   unsigned long long of, char *err, size_t errlen)
{
	switch (s->err) {
	case SRC_IO:
		say(err, errlen, "%s: read error at byte %llu: %s", path, at, s->msg);
		break;
	case SRC_NOMEM:
		say(err, errlen, "%s: out of memory while decompressing", path);
		break;
	case SRC_CORRUPT:
		say(err, errlen, "%s: corrupt gzip stream (%s)", path, s->msg);
		break;
	case SRC_JUNK:
		say(err, errlen, "%s: trailing garbage after the gzip stream", path);
		break;
	case SRC_TRUNCATED:
		if (of == 0)
			say(err, errlen, "%s: truncated gzip stream (it ends after %llu bytes of "
			    "data)", path, at);
		else if (at >= of)
			say(err, errlen, "%s: truncated gzip stream (it ends before its checksum "
			    "trailer)", path);
		else
			say(err, errlen, "%s: truncated at byte %llu of %llu (the gzip stream ends "
			    "early)", path, at, of);
		break;
	default:
		say(err, errlen, "%s: truncated at byte %llu of %llu", path, at, of);
	}
}

int nl_gz_content_md5(const char *path, char hex[33], char *err, size_t errlen)
{
	nl_gz_source *s = nl_gz_open(path, err, errlen);
	if (!s)
		return -1;
	enum { CHUNK = 1 << 16 };
	unsigned char *buf = malloc(CHUNK);
	if (!buf) {
		say(err, errlen, "%s: out of memory", path);
		nl_gz_close(s);
		return -1;
	}
	nl_md5 m;
	nl_md5_init(&m);
	unsigned long long total = 0;
	int rc = 0;
	for (;;) {
		size_t done;
		long long n = nl_gz_read(s, buf, CHUNK, &done);
		nl_md5_update(&m, buf, done);
		total += done;
		if (n < 0) {
			nl_gz_failure(s, path, total, 0, err, errlen);
			rc = -1;
			break;
		}
		if (done < CHUNK)
			break;
	}
	if (rc == 0) {
		unsigned char d[16];
		nl_md5_final(&m, d);
		nl_md5_hex(d, hex);
	}
	free(buf);
	nl_gz_close(s);
	return rc;
}
