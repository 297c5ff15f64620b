/* source.c - source texts. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/source.h"

nl_source *nl_source_new(const char *name, const char *text, size_t len,
                         int first_line, int id)
{
	size_t nlen = strlen(name);
	nl_source *s = malloc(sizeof *s + nlen + 1);
	if (!s)
		return NULL;
	s->text = malloc(len + 1);
	if (!s->text) {
		free(s);
		return NULL;
	}
	if (len)
		memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	s->id = id;
	s->first_line = first_line;
	memcpy(s->name, name, nlen + 1);
	return s;
}

void nl_source_free(nl_source *s)
{
	if (s) {
		free(s->text);
		free(s);
	}
}

nl_source *nl_source_of(const char *name)
{
	return (nl_source *)(void *)(name - offsetof(nl_source, name));
}

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "it is a directory, not a file" : S_ISFIFO(m) ? "it is a FIFO, not a file"
	     : S_ISCHR(m) ? "it is a character device, not a file"
	     : S_ISBLK(m) ? "it is a block device, not a file"
	     : S_ISSOCK(m) ? "it is a socket, not a file" : "it is not a regular file";
}

int nl_open_regular(const char *path, const char **why, long long *size)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; a regular
	 * file ignores it, and it is cleared before any read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = fstat(fd, &st) != 0 ? strerror(errno) : kind_of(st.st_mode);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (size)
		*size = (long long)st.st_size;
	return fd;
}

char *nl_read_regular(const char *path, size_t max, size_t *len, const char **why)
{
	long long size;
	int fd = nl_open_regular(path, why, &size);
	if (fd < 0)
		return NULL;
	if (size < 0 || (unsigned long long)size > max) {
		*why = "it is too large to be a program";
		close(fd);
		return NULL;
	}
	/* The size may change under us: read to the end, within max. */
	size_t cap = (size_t)size + 1, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			char *b = cap < max ? realloc(buf, 2 * cap + 1) : NULL;
			if (!b) {
				*why = cap < max ? "out of memory" : "it is too large to be a program";
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*why = strerror(errno);   /* an error, not the end of the file */
			free(buf);
			buf = NULL;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (!buf && !*why)
		*why = "out of memory";
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}
