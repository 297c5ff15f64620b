/* png.c - PNG files from 8-bit pixels with zlib alone (svg.h): a
 * signature, an IHDR chunk, one IDAT chunk holding the deflated rows
 * (each row led by filter type 0, none) and an IEND chunk, each chunk
 * closed by its CRC-32.  Small images (filters, data set samples) are all
 * the reports write, so no filtering is worth having. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "runtime/data/data.h"
#include "runtime/report/svg.h"

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

/* A chunk at out: length, type, data, CRC-32 of type and data. */
static size_t chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t n)
{
	be32(out, n);
	memcpy(out + 4, type, 4);
	if (n)
		memcpy(out + 8, data, n);
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, out + 4, 4 + n);
	be32(out + 8 + n, (uint32_t)crc);
	return 12 + (size_t)n;
}

uint8_t *nl_png_encode(const uint8_t *pixels, int w, int h, int channels, size_t *len)
{
	if (w < 1 || h < 1 || (channels != 1 && channels != 3))
		return NULL;
	size_t row = (size_t)w * channels, raw_n = (row + 1) * h;
	uint8_t *raw = malloc(raw_n);
	uLongf zn = compressBound(raw_n);
	uint8_t *z = malloc(zn);
	uint8_t *out = malloc(8 + 25 + 12 + zn + 12);
	if (!raw || !z || !out || zn > 0x7fffffff) {
		free(raw);
		free(z);
		free(out);
		return NULL;
	}
	for (int y = 0; y < h; y++) {
		raw[y * (row + 1)] = 0;   /* filter: none */
		memcpy(raw + y * (row + 1) + 1, pixels + y * row, row);
	}
	if (compress2(z, &zn, raw, raw_n, 9) != Z_OK) {
		free(raw);
		free(z);
		free(out);
		return NULL;
	}
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t ihdr[13];
	be32(ihdr, (uint32_t)w);
	be32(ihdr + 4, (uint32_t)h);
	ihdr[8] = 8;                         /* bits per sample */
	ihdr[9] = channels == 1 ? 0 : 2;     /* greyscale or truecolour */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;  /* deflate, adaptive filters, no interlace */
	size_t k = 0;
	memcpy(out, sig, 8);
	k += 8;
	k += chunk(out + k, "IHDR", ihdr, 13);
	k += chunk(out + k, "IDAT", z, (uint32_t)zn);
	k += chunk(out + k, "IEND", NULL, 0);
	free(raw);
	free(z);
	*len = k;
	return out;
}

int nl_png_write(const char *path, const uint8_t *pixels, int w, int h, int channels)
{
	size_t len;
	uint8_t *png = nl_png_encode(pixels, w, h, channels, &len);
	if (!png) {
		fprintf(stderr, "netlang: %s: out of memory making the image\n", path);
		return -1;
	}
	nl_atomic_file a;
	if (nl_atomic_open(&a, path) != 0) {
		free(png);
		return -1;
	}
	int ok = fwrite(png, 1, len, a.f) == len;
	free(png);
	if (!ok) {
		fprintf(stderr, "netlang: cannot write %s\n", path);
		nl_atomic_abort(&a);
		return -1;
	}
	return nl_atomic_commit(&a);
}
