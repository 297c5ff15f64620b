/* atomic_file.h - write a file so that readers see the old one or the whole
 * new one, never a half-written one (weights files, plots, downloads).
 *
 * The data goes to a temporary file in the target's own directory (rename
 * is only atomic within one file system), is flushed and fsync'ed, and is
 * then renamed over the target.  On any failure the temporary is removed.
 * A symbolic link is written through (its target replaced, the link kept);
 * a target that is not a regular file (a FIFO, a device, a directory) is
 * refused.
 */
#ifndef NL_ATOMIC_FILE_H
#define NL_ATOMIC_FILE_H

#include <stdio.h>

typedef struct nl_atomic_file {
	FILE *f;            /* write here between open and commit */
	char *path;         /* the target */
	char *tmp;          /* the temporary beside it */
} nl_atomic_file;

/* Returns 0, or -1 after a message to stderr naming path. */
int nl_atomic_open(nl_atomic_file *a, const char *path);
/* Flush, fsync, rename into place.  Returns 0, or -1 after a message
 * (the temporary is gone either way). */
int nl_atomic_commit(nl_atomic_file *a);
/* Give up: close and remove the temporary. */
void nl_atomic_abort(nl_atomic_file *a);

/* Could path be written?  Its directory takes a new file, and what it names
 * (through links) is a regular file or nothing.  Returns 0, or -1 after a
 * message: a run checks its outputs before it trains for hours. */
int nl_atomic_check(const char *path);

/* Remove every temporary being written; safe in a signal handler (what a
 * SIGTERM or a second Ctrl-C leaves behind otherwise). */
void nl_atomic_unlink_all(void);

#endif
