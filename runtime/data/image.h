/* image.h - decode a PNG or JPEG image (libpng, libjpeg-turbo) and scale it
 * to a net's input size.
 *
 * Decoding takes the file's bytes (read whole: an image is small next to
 * memory, and a buffer is what a fuzzer feeds), tells PNG from JPEG by the
 * signature, and gives 1 (grey) or 3 (RGB) channels as asked, whatever the
 * file holds, as torchvision's loader and PIL do: grey is the luma of RGB
 * (ITU-R BT.601, 0.299 R + 0.587 G + 0.114 B: PIL's "L", and what a JPEG
 * stores as Y), RGB from grey repeats it, alpha is dropped, 16-bit samples
 * keep their high byte and a palette is looked up.
 *
 * Nothing in a file is trusted: a size beyond NL_IMAGE_MAX_SIDE or
 * NL_IMAGE_MAX_PIXELS is refused before pixel memory is allocated, and a
 * truncated or corrupt image is an error (libjpeg would paper over missing
 * data with grey and a warning; here the warning is the error).  Errors
 * are one line without the file's name, which the caller puts in front.
 */
#ifndef NL_IMAGE_H
#define NL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define NL_IMAGE_MAX_SIDE 16384
#define NL_IMAGE_MAX_PIXELS (1L << 26)          /* 67 megapixels */
#define NL_IMAGE_MAX_FILE ((size_t)256 << 20)   /* bytes read from one file */

typedef struct nl_image {
	uint8_t *px;        /* h rows of w pixels, c bytes each (RGB interleaved) */
	int w, h, c;
} nl_image;

enum { NL_IMAGE_UNKNOWN, NL_IMAGE_PNG, NL_IMAGE_JPEG };

/* Which format the bytes start like. */
int nl_image_kind(const uint8_t *data, size_t len);

/* Decode into c channels (1 or 3).  A JPEG larger than hint_h x hint_w may
 * be decoded at 1/2, 1/4 or 1/8 size, never below the hint (libjpeg's DCT
 * scaling: much faster for photographs headed for a small net); 0, 0 for
 * full size.  Returns 0, or -1 with a message in err and *out zeroed. */
int nl_image_decode(const uint8_t *data, size_t len, int c, int hint_h, int hint_w,
                    nl_image *out, char *err, size_t errlen);

/* The same for a file, read whole; the message then starts with path. */
int nl_image_load(const char *path, int c, int hint_h, int hint_w, nl_image *out,
                  char *err, size_t errlen);

void nl_image_free(nl_image *im);

/* Scale im to oh x ow into out, planar (im->c planes of oh rows of ow
 * bytes), bilinearly with PIL's and torchvision's antialiasing: a
 * triangle filter widened by the reduction factor when shrinking (so every
 * source pixel counts, none is skipped), plain bilinear with half-pixel
 * centres when growing.  Returns 0, or -1 on out-of-memory. */
int nl_image_resize(const nl_image *im, int oh, int ow, uint8_t *out);

/* The two decoders behind nl_image_decode (image_png.c, image_jpeg.c). */
int nl_png_decode(const uint8_t *data, size_t len, int c, nl_image *out, char *err,
                  size_t errlen);
int nl_jpeg_decode(const uint8_t *data, size_t len, int c, int hint_h, int hint_w,
                   nl_image *out, char *err, size_t errlen);

#endif
