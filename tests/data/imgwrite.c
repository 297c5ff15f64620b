/* imgwrite.c - test images and CIFAR files (see imgwrite.h). */
#include <config.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <zlib.h>
#include "tests/data/imgwrite.h"

void tw_palette_rgb(const uint8_t *rgb, uint8_t *out)
{
	int r = rgb[0] >> 5, g = rgb[1] >> 5, b = rgb[2] >> 6;
	out[0] = (uint8_t)(r * 255 / 7);
	out[1] = (uint8_t)(g * 255 / 7);
	out[2] = (uint8_t)(b * 255 / 3);
}

int tw_png(const char *path, const uint8_t *px, int w, int h, int c, int flags)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *row = NULL;
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		free(row);
		return -1;
	}
	png_init_io(png, f);
	int grey = (flags & PNG_GREY) != 0, pal = (flags & PNG_PALETTE) != 0;
	int alpha = (flags & PNG_ALPHA) != 0, deep = (flags & PNG_16BIT) != 0;
	int type = pal ? PNG_COLOR_TYPE_PALETTE : grey ? (alpha ? PNG_COLOR_TYPE_GRAY_ALPHA
	                                                        : PNG_COLOR_TYPE_GRAY)
	                                       : (alpha ? PNG_COLOR_TYPE_RGB_ALPHA
	                                                : PNG_COLOR_TYPE_RGB);
	int k = pal ? 1 : (grey ? 1 : 3) + alpha, depth = deep && !pal ? 16 : 8;
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, type,
	             flags & PNG_INTERLACED ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal) {
		png_color colours[256];
		for (int i = 0; i < 256; i++) {
			colours[i].red = (png_byte)(((i >> 5) & 7) * 255 / 7);
			colours[i].green = (png_byte)(((i >> 2) & 7) * 255 / 7);
			colours[i].blue = (png_byte)((i & 3) * 255 / 3);
		}
		png_set_PLTE(png, info, colours, 256);
	}
	png_write_info(png, info);
	png_set_interlace_handling(png);
	size_t bytes = (size_t)w * k * (depth / 8);
	row = malloc(bytes);
	if (!row)
		png_error(png, "oom");
	int passes = flags & PNG_INTERLACED ? 7 : 1;
	for (int pass = 0; pass < passes; pass++)
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				const uint8_t *p = px + ((size_t)y * w + x) * c;
				uint8_t v[4] = { p[0], c == 3 ? p[1] : p[0], c == 3 ? p[2] : p[0],
				                 (uint8_t)(x * 37 + y) };
				uint8_t out[4];
				int n = 0;
				if (pal) {
					out[n++] = (uint8_t)((v[0] >> 5) << 5 | (v[1] >> 5) << 2 | v[2] >> 6);
				} else if (grey) {
					out[n++] = v[0];
				} else {
					out[n++] = v[0];
					out[n++] = v[1];
					out[n++] = v[2];
				}
				if (alpha && !pal)
					out[n++] = v[3];
				for (int j = 0; j < n; j++) {
					if (depth == 16) {
						/* high byte the pixel, low byte noise that the
						 * reader must drop */
						row[(size_t)x * k * 2 + 2 * j] = out[j];
						row[(size_t)x * k * 2 + 2 * j + 1] = (uint8_t)(x ^ y);
					} else {
						row[(size_t)x * k + j] = out[j];
					}
				}
			}
			png_write_row(png, row);
		}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return fclose(f) == 0 ? 0 : -1;
}

int tw_jpeg(const char *path, const uint8_t *px, int w, int h, int c, int quality,
            int progressive, int cmyk)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_stdio_dest(&ci, f);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = cmyk ? 4 : c;
	ci.in_color_space = cmyk ? JCS_CMYK : c == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, quality, TRUE);
	if (progressive)
		jpeg_simple_progression(&ci);
	jpeg_start_compress(&ci, TRUE);
	uint8_t *row = malloc((size_t)w * 4);
	while (row && ci.next_scanline < ci.image_height) {
		const uint8_t *p = px + (size_t)ci.next_scanline * w * c;
		if (cmyk) {
			for (int x = 0; x < w; x++) {
				row[4 * x] = (uint8_t)(255 - p[3 * x]);
				row[4 * x + 1] = (uint8_t)(255 - p[3 * x + 1]);
				row[4 * x + 2] = (uint8_t)(255 - p[3 * x + 2]);
				row[4 * x + 3] = 0;
			}
		} else {
			memcpy(row, p, (size_t)w * c);
		}
		JSAMPROW r = row;
		jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	free(row);
	return fclose(f) == 0 && row ? 0 : -1;
}

static unsigned next(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

void tw_picture(uint8_t *px, int w, int h, int c, int k, unsigned seed)
{
	unsigned s = seed * 2654435761u + 1;
	int period = 3 + (int)(next(&s) % 4), shift = (int)(next(&s) % 8);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int on;
			if (k % 3 == 0)
				on = ((y + shift) / period) % 2;
			else if (k % 3 == 1)
				on = ((x + shift) / period) % 2;
			else
				on = ((x + shift) / period + (y + shift) / period) % 2;
			for (int ch = 0; ch < c; ch++) {
				int base = c == 3 ? (ch == k % 3 ? 170 : 50) : 40 + 70 * (k % 3);
				int v = base + (on ? 60 : -30) + (int)(next(&s) % 41) - 20;
				px[((size_t)y * w + x) * c + ch] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
		}
}

uint8_t *tw_cifar_records(int n, unsigned seed, size_t *len)
{
	const int side = 32, rec = 1 + 3 * side * side;
	uint8_t *b = malloc((size_t)n * rec), px[32 * 32 * 3];
	if (!b)
		return NULL;
	for (int i = 0; i < n; i++) {
		int k = i % 3;
		tw_picture(px, side, side, 3, k, seed + (unsigned)i);
		uint8_t *r = b + (size_t)i * rec;
		r[0] = (uint8_t)k;
		/* planar: all red, all green, all blue */
		for (int ch = 0; ch < 3; ch++)
			for (int p = 0; p < side * side; p++)
				r[1 + ch * side * side + p] = px[p * 3 + ch];
	}
	*len = (size_t)n * rec;
	return b;
}

int tw_tar_gz(const char *path, const char *const *names, uint8_t *const *data,
              const size_t *sizes, int n)
{
	gzFile g = gzopen(path, "wb6");
	if (!g)
		return -1;
	static const uint8_t zero[1024];
	int ok = 1;
	for (int i = 0; i < n; i++) {
		uint8_t h[512] = { 0 };
		snprintf((char *)h, 100, "%s", names[i]);
		snprintf((char *)h + 100, 8, "%07o", 0644);
		snprintf((char *)h + 108, 8, "%07o", 0);
		snprintf((char *)h + 116, 8, "%07o", 0);
		snprintf((char *)h + 124, 12, "%011lo", (unsigned long)sizes[i]);
		snprintf((char *)h + 136, 12, "%011o", 0);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
		memset(h + 148, ' ', 8);
		unsigned sum = 0;
		for (int j = 0; j < 512; j++)
			sum += h[j];
		snprintf((char *)h + 148, 8, "%06o", sum);
		ok &= gzwrite(g, h, 512) == 512;
		if (sizes[i])
			ok &= gzwrite(g, data[i], (unsigned)sizes[i]) == (int)sizes[i];
		size_t pad = (512 - sizes[i] % 512) % 512;
		if (pad)
			ok &= gzwrite(g, zero, (unsigned)pad) == (int)pad;
	}
	ok &= gzwrite(g, zero, 1024) == 1024;
	return gzclose(g) == Z_OK && ok ? 0 : -1;
}
