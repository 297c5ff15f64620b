/* svg.h - what the report's SVG files share: the document's frame,
 * escaped text, and small images embedded as PNG data (png.c). */
#ifndef NL_SVG_H
#define NL_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The XML declaration and the <svg> element, width x height user units
 * (px), a white background, and a <title> when title is not NULL. */
void nl_svg_begin(FILE *f, double width, double height, const char *title);
void nl_svg_end(FILE *f);

/* s as XML text or attribute value: & < > " escaped, control characters
 * (not allowed in XML 1.0) left out. */
void nl_svg_text(FILE *f, const char *s);

/* A greyscale (channels 1) or RGB (channels 3) image of w x h 8-bit
 * pixels, row after row, as an <image> at x, y, each pixel a square of
 * scale x scale.  Returns 0, or -1 when memory ran out. */
int nl_svg_image(FILE *f, const uint8_t *pixels, int w, int h, int channels,
                 double x, double y, int scale);

/* The same pixels as a PNG file's bytes (malloc'ed, *len set): zlib's
 * deflate and CRC-32, no filter.  NULL when memory ran out. */
uint8_t *nl_png_encode(const uint8_t *pixels, int w, int h, int channels, size_t *len);

/* Write them to path as a PNG file, atomically.  Returns 0, or -1 after
 * a message. */
int nl_png_write(const char *path, const uint8_t *pixels, int w, int h, int channels);

#endif
