/* image_png.c - PNG through libpng (see image.h).
 *
 * libpng reports errors by longjmp: everything allocated before the
 * setjmp is reached through volatile pointers and freed on the way out.
 * libpng expands the file's samples to 8 bits (16-bit ones keep the high
 * byte, palettes and 1/2/4-bit grey are expanded); the 1 to 4 channels it
 * then gives (grey, grey + alpha, RGB, RGBA) become the 1 or 3 asked for
 * here, alpha dropped.
 */
#include <config.h>

#include <png.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/data/image.h"

typedef struct reader {
	const uint8_t *p;
	size_t len, at;
	char msg[256];          /* libpng's error, kept for the caller */
	char warning[128];      /* its last warning, which may say why */
} reader;

static void read_fn(png_structp png, png_bytep out, size_t n)
{
	reader *r = png_get_io_ptr(png);
	if (n > r->len - r->at)
		png_error(png, "truncated: the file ends before the image does");
	memcpy(out, r->p + r->at, n);
	r->at += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
	reader *r = png_get_error_ptr(png);
	snprintf(r->msg, sizeof r->msg, "%s%s%s%s", msg, *r->warning ? " (" : "", r->warning,
	         *r->warning ? ")" : "");
	png_longjmp(png, 1);
}

/* Warnings (an odd colour profile, a bad ancillary chunk) leave the
 * pixels intact: not worth a word per image.  The last one is kept: when
 * an error follows, it often says why ("Image width exceeds user limit"
 * before "Invalid IHDR data"). */
static void on_warning(png_structp png, png_const_charp msg)
{
	reader *r = png_get_error_ptr(png);
	snprintf(r->warning, sizeof r->warning, "%s", msg);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* BT.601 luma, rounded: PIL's "L" from RGB. */
static uint8_t luma(unsigned r, unsigned g, unsigned b)
{
	return (uint8_t)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

/* n pixels of k channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) to c. */
static void to_channels(const uint8_t *src, int k, size_t n, int c, uint8_t *dst)
{
	for (size_t i = 0; i < n; i++, src += k) {
		if (k <= 2) {
			for (int j = 0; j < c; j++)
				*dst++ = src[0];
		} else if (c == 3) {
			*dst++ = src[0];
			*dst++ = src[1];
			*dst++ = src[2];
		} else {
			*dst++ = luma(src[0], src[1], src[2]);
		}
	}
}

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int nl_png_decode(const uint8_t *data, size_t len, int c, nl_image *out, char *err,
                  size_t errlen)
{
	memset(out, 0, sizeof *out);
	/* IHDR comes first, at a fixed place: refuse a size netlang will not
	 * decode before libpng reads further (it would first report the
	 * missing data of a header-only bomb). */
	if (len >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
		uint32_t w = be32(data + 16), h = be32(data + 20);
		if (w <= NL_IMAGE_MAX_SIDE && h <= NL_IMAGE_MAX_SIDE &&
		    (uint64_t)w * h > (uint64_t)NL_IMAGE_MAX_PIXELS) {
			say(err, errlen, "bad PNG: %lux%lu pixels, more than netlang reads (%ld "
			    "megapixels)", (unsigned long)w, (unsigned long)h,
			    NL_IMAGE_MAX_PIXELS >> 20);
			return -1;
		}
	}
	reader *r = calloc(1, sizeof *r);
	if (!r) {
		say(err, errlen, "out of memory");
		return -1;
	}
	r->p = data;
	r->len = len;
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, on_error, on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
		free(r);
		say(err, errlen, "out of memory");
		return -1;
	}
	uint8_t *volatile raw = NULL, *volatile px = NULL;
	png_bytep *volatile rows = NULL;
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_read_struct(&png, &info, NULL);
		free(raw);
		free(px);
		free(rows);
		say(err, errlen, "bad PNG: %s", r->msg);
		free(r);
		return -1;
	}
	png_set_read_fn(png, r, read_fn);
	/* Refuse absurd sizes before any row is allocated. */
	png_set_user_limits(png, NL_IMAGE_MAX_SIDE, NL_IMAGE_MAX_SIDE);
	png_set_chunk_malloc_max(png, (png_alloc_size_t)16 << 20);
	png_read_info(png, info);
	png_uint_32 w, h;
	int depth, ctype;
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, NULL, NULL, NULL);
	if ((uint64_t)w * h > (uint64_t)NL_IMAGE_MAX_PIXELS) {
		char m[128];
		snprintf(m, sizeof m, "%lux%lu pixels, more than netlang reads (%ld megapixels)",
		         (unsigned long)w, (unsigned long)h, NL_IMAGE_MAX_PIXELS >> 20);
		png_error(png, m);
	}
	if (depth == 16)
		png_set_strip_16(png);
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	int k = png_get_channels(png, info);
	size_t rowbytes = png_get_rowbytes(png, info);
	if (k < 1 || k > 4 || rowbytes != (size_t)w * (size_t)k)
		png_error(png, "unexpected sample layout");
	raw = malloc((size_t)h * rowbytes);
	px = malloc((size_t)h * w * (size_t)c);
	rows = malloc((size_t)h * sizeof *rows);
	if (!raw || !px || !rows)
		png_error(png, "out of memory");
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = raw + (size_t)y * rowbytes;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	to_channels(raw, k, (size_t)w * h, c, px);
	png_destroy_read_struct(&png, &info, NULL);
	free(raw);
	free(rows);
	free(r);
	out->px = px;
	out->w = (int)w;
	out->h = (int)h;
	out->c = c;
	return 0;
}
