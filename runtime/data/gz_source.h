/* gz_source.h - read a file that may be gzipped, checking every byte.
 *
 * A file that starts with the gzip magic is inflated (one or more gzip
 * members, each one's CRC and length checked); any other file is read as
 * it is.  IDX files, CIFAR-10's archive and the content hashes of data
 * files all read through here, so a damaged download is told apart from a
 * clean end of file in one place.
 */
#ifndef NL_GZ_SOURCE_H
#define NL_GZ_SOURCE_H

#include <stddef.h>

typedef struct nl_gz_source nl_gz_source;

/* Open path for reading (a regular file only).  NULL with a message in err
 * naming path when it cannot be opened or read. */
nl_gz_source *nl_gz_open(const char *path, char *err, size_t errlen);

/* 1 when the file is gzipped (its size then says nothing about the data's). */
int nl_gz_compressed(const nl_gz_source *s);
/* The size of the file on disk. */
unsigned long long nl_gz_file_size(const nl_gz_source *s);

/* Read up to len bytes.  Returns the count (short only at a clean end of
 * the data), or -1 on a read error, corrupt or truncated gzip data or
 * trailing garbage; either way *done says how many bytes arrived. */
long long nl_gz_read(nl_gz_source *s, void *buf, size_t len, size_t *done);

/* After nl_gz_read returned -1 (or came up short) having delivered `at`
 * bytes of the `of` expected (0: not known): the reason, naming path, in
 * err. */
void nl_gz_failure(const nl_gz_source *s, const char *path, unsigned long long at,
                   unsigned long long of, char *err, size_t errlen);

void nl_gz_close(nl_gz_source *s);

/* MD5 of a file's decompressed content (of the file itself when it is not
 * gzipped), as 32 hex digits: what identifies a data set's file however it
 * was compressed.  Returns 0, or -1 with a message in err. */
int nl_gz_content_md5(const char *path, char hex[33], char *err, size_t errlen);

#endif
