/* md5.c - MD5 after RFC 1321 (see md5.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "runtime/data/md5.h"

/* Per-round shift amounts and the sine-derived constants of RFC 1321 3.4. */
static const unsigned char S[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static const uint32_t K[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static uint32_t rotl(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void transform(uint32_t st[4], const unsigned char b[64])
{
	uint32_t x[16];
	for (int i = 0; i < 16; i++)   /* words are little-endian on any host */
		x[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	uint32_t a = st[0], bb = st[1], c = st[2], d = st[3];
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) {
			f = (bb & c) | (~bb & d);
			g = i;
		} else if (i < 32) {
			f = (d & bb) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = bb ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (bb | ~d);
			g = (7 * i) & 15;
		}
		uint32_t t = d;
		d = c;
		c = bb;
		bb = bb + rotl(a + f + K[i] + x[g], S[i]);
		a = t;
	}
	st[0] += a;
	st[1] += bb;
	st[2] += c;
	st[3] += d;
}

void nl_md5_init(nl_md5 *m)
{
	m->state[0] = 0x67452301;
	m->state[1] = 0xefcdab89;
	m->state[2] = 0x98badcfe;
	m->state[3] = 0x10325476;
	m->length = 0;
	m->used = 0;
}

void nl_md5_update(nl_md5 *m, const void *data, size_t len)
{
	const unsigned char *p = data;
	m->length += len;
	if (m->used) {
		size_t take = 64 - m->used < len ? 64 - m->used : len;
		memcpy(m->block + m->used, p, take);
		m->used += take;
		p += take;
		len -= take;
		if (m->used < 64)
			return;
		transform(m->state, m->block);
		m->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		transform(m->state, p);
	memcpy(m->block, p, len);
	m->used = len;
}

void nl_md5_final(nl_md5 *m, unsigned char digest[16])
{
	/* Pad with 0x80, zeros to 56 mod 64, then the bit length (LE). */
	uint64_t bits = m->length * 8;
	static const unsigned char pad[64] = { 0x80 };
	size_t padlen = m->used < 56 ? 56 - m->used : 120 - m->used;
	unsigned char len8[8];
	for (int i = 0; i < 8; i++)
		len8[i] = (unsigned char)(bits >> (8 * i));
	nl_md5_update(m, pad, padlen);
	nl_md5_update(m, len8, 8);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			digest[4 * i + j] = (unsigned char)(m->state[i] >> (8 * j));
}

void nl_md5_hex(const unsigned char digest[16], char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[32] = '\0';
}

int nl_md5_file(const char *path, char hex[33])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	nl_md5 m;
	nl_md5_init(&m);
	unsigned char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		nl_md5_update(&m, buf, got);
	int bad = ferror(f);
	int saved = errno;
	fclose(f);
	if (bad) {
		errno = saved ? saved : EIO;
		return -1;
	}
	unsigned char d[16];
	nl_md5_final(&m, d);
	nl_md5_hex(d, hex);
	return 0;
}
