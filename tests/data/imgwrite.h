/* imgwrite.h - writing the test images and CIFAR-10 files the data tests
 * read: PNG through libpng and JPEG through libjpeg-turbo in their many
 * variants (grey, palette, alpha, 16-bit, interlaced; grey, progressive,
 * CMYK), synthetic pictures whose class a small net can learn, and CIFAR
 * batches, plain or in a .tar.gz as CIFAR publishes them. */
#ifndef NL_TEST_DATA_IMGWRITE_H
#define NL_TEST_DATA_IMGWRITE_H

#include <stddef.h>
#include <stdint.h>

enum {
	PNG_GREY = 1, PNG_RGB = 2, PNG_PALETTE = 4, PNG_ALPHA = 8, PNG_16BIT = 16,
	PNG_INTERLACED = 32
};

/* px: h rows of w pixels of c (1 or 3) bytes.  The PNG's own layout is
 * chosen by flags (PNG_RGB or PNG_GREY, plus the others); a grey file is
 * written from the first channel, a palette one quantised to 3-3-2 bits
 * (tw_palette_rgb says what it holds). */
int tw_png(const char *path, const uint8_t *px, int w, int h, int c, int flags);
void tw_palette_rgb(const uint8_t *rgb, uint8_t *out);   /* one pixel */

/* A JPEG of c = 1 or 3 channels; cmyk writes 4 channels (c must be 3:
 * the complement of RGB, K = 0). */
int tw_jpeg(const char *path, const uint8_t *px, int w, int h, int c, int quality,
            int progressive, int cmyk);

/* A picture of class k (of 3): red, green or blue dominant, horizontal
 * stripes, vertical stripes or a checkerboard, with noise from seed.  c
 * channels, w x h. */
void tw_picture(uint8_t *px, int w, int h, int c, int k, unsigned seed);

/* CIFAR-10 records of pictures of classes 0..2 (label i % 3). */
uint8_t *tw_cifar_records(int n, unsigned seed, size_t *len);

/* A gzipped tar holding the files named in names (n of them, data and
 * sizes alongside).  0 on success. */
int tw_tar_gz(const char *path, const char *const *names, uint8_t *const *data,
              const size_t *sizes, int n);

#endif
