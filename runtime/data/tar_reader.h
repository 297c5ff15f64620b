/* tar_reader.h - the members of a tar archive, gzipped or not, read in
 * order without unpacking it (CIFAR-10 is published as one .tar.gz).
 *
 * POSIX ustar headers: a member's name (with the ustar prefix), size and
 * type; each header's checksum is verified, and a header or member cut
 * short is an error, as is corrupt gzip data (gz_source.h).
 */
#ifndef NL_TAR_READER_H
#define NL_TAR_READER_H

#include <stddef.h>

typedef struct nl_tar nl_tar;

#define NL_TAR_NAME_MAX 257     /* prefix, '/', name, NUL */

/* NULL with a message in err naming path. */
nl_tar *nl_tar_open(const char *path, char *err, size_t errlen);

/* Move to the next member (skipping what is left of the current one):
 * 1 with its name, size and whether it is a regular file; 0 at the end of
 * the archive; -1 with a message in err. */
int nl_tar_next(nl_tar *t, char name[NL_TAR_NAME_MAX], unsigned long long *size,
                int *regular, char *err, size_t errlen);

/* Read exactly len bytes of the current member: 0, or -1 with a message. */
int nl_tar_read(nl_tar *t, void *buf, size_t len, char *err, size_t errlen);

void nl_tar_close(nl_tar *t);

#endif
