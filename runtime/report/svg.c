/* svg.c - the SVG files' frame, text and embedded images (svg.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "runtime/report/svg.h"

void nl_svg_begin(FILE *f, double width, double height, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	        "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%.0f\" height=\"%.0f\" "
	        "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, sans-serif\" "
	        "font-size=\"11\">\n", width, height, width, height);
	if (title && *title) {
		fputs("<title>", f);
		nl_svg_text(f, title);
		fputs("</title>\n", f);
	}
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", width, height);
}

void nl_svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void nl_svg_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
}

static void base64(FILE *f, const uint8_t *p, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		fputc(digits[v >> 18 & 63], f);
		fputc(digits[v >> 12 & 63], f);
		fputc(i + 1 < n ? digits[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? digits[v & 63] : '=', f);
	}
}

int nl_svg_image(FILE *f, const uint8_t *pixels, int w, int h, int channels,
                 double x, double y, int scale)
{
	/* Each pixel becomes a scale x scale square here, not in the viewer:
	 * image-rendering is a hint that some renderers ignore, smoothing a
	 * 5x5 kernel into a blur. */
	scale = scale < 1 ? 1 : scale;
	int W = w * scale, H = h * scale;
	uint8_t *big = malloc((size_t)W * H * channels);
	if (!big)
		return -1;
	for (int r = 0; r < H; r++)
		for (int c = 0; c < W; c++)
			memcpy(big + ((size_t)r * W + c) * channels,
			       pixels + ((size_t)(r / scale) * w + c / scale) * channels,
			       (size_t)channels);
	size_t len;
	uint8_t *png = nl_png_encode(big, W, H, channels, &len);
	free(big);
	if (!png)
		return -1;
	fprintf(f, "<image x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" "
	        "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,",
	        x, y, W, H);
	base64(f, png, len);
	fputs("\"/>\n", f);
	free(png);
	return 0;
}
