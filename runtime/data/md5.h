/* md5.h - MD5 (RFC 1321), only to check downloaded data sets against the
 * checksums their publishers list.  Not for anything that needs security. */
#ifndef NL_MD5_H
#define NL_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct nl_md5 {
	uint32_t state[4];
	uint64_t length;        /* bytes hashed so far */
	unsigned char block[64];
	size_t used;            /* bytes waiting in block */
} nl_md5;

void nl_md5_init(nl_md5 *m);
void nl_md5_update(nl_md5 *m, const void *data, size_t len);
void nl_md5_final(nl_md5 *m, unsigned char digest[16]);

/* The digest as 32 lowercase hex digits and a NUL. */
void nl_md5_hex(const unsigned char digest[16], char hex[33]);

/* MD5 of a whole file as hex.  Returns 0, or -1 with errno set. */
int nl_md5_file(const char *path, char hex[33]);

#endif
