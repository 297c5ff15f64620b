/* source.h - the texts a context has read, kept whole for diagnostics. */
#ifndef NL_SOURCE_H
#define NL_SOURCE_H

#include <stddef.h>

/* A source's name is its last member, so a location's file pointer (which
 * points at the name) leads back to the text in O(1): see nl_source_of(). */
typedef struct nl_source {
	char *text;         /* NUL-terminated copy; may hold NUL bytes itself */
	size_t len;
	int id;             /* index in the context's list */
	int first_line;     /* line number of text's first line */
	char name[];
} nl_source;

nl_source *nl_source_new(const char *name, const char *text, size_t len,
                         int first_line, int id);
void nl_source_free(nl_source *s);
/* The source a location's `file` names (only for names made by nl_source_new). */
nl_source *nl_source_of(const char *name);

/* Open path to read it, refusing at once (no waiting on a FIFO with no
 * writer, no reading a device without end) what is not a regular file.
 * Returns a descriptor, or -1 with why set to strerror's text or "it is a
 * FIFO, not a file".  *size gets the file's size when size is not NULL. */
int nl_open_regular(const char *path, const char **why, long long *size);

/* The whole of a regular file of at most max bytes, NUL-terminated
 * (malloc'ed), or NULL with why set. */
char *nl_read_regular(const char *path, size_t max, size_t *len, const char **why);

#endif
