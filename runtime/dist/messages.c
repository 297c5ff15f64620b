/* messages.c - stderr through a filter that heads each line with the
 * rank that wrote it, so that N ranks' messages mixed by mpirun still say
 * whose they are.  glibc's fopencookie: every fprintf(stderr, ...) in
 * netlang goes through it unchanged. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/dist/messages.h"

static char head[48];
static int at_line_start = 1;

static void put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	static const char own[] = "netlang: ";
	size_t i = 0;
	while (i < size) {
		if (at_line_start) {
			put(head, strlen(head));
			if (size - i >= sizeof own - 1 && memcmp(buf + i, own, sizeof own - 1) == 0)
				i += sizeof own - 1;
			at_line_start = 0;
		}
		const char *nl = memchr(buf + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) + 1 : size - i;
		put(buf + i, n);
		i += n;
		if (nl)
			at_line_start = 1;
	}
	return (ssize_t)size;
}

int nl_messages_name_rank(int rank)
{
	snprintf(head, sizeof head, "netlang: rank %d: ", rank);
	cookie_io_functions_t io = { .write = filter_write };
	FILE *f = fopencookie(NULL, "w", io);
	if (!f)
		return -1;
	/* whole lines reach the filter, so "netlang: " is seen at once */
	setvbuf(f, NULL, _IOLBF, 4096);
	fflush(stderr);
	stderr = f;
	return 0;
}
