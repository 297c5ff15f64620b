/* image_resize.c - an image to a net's input size (see image.h).
 *
 * Separable: rows first into a float buffer, then columns.  For an output
 * coordinate d of a side scaled from `in` to `out` (scale = in / out), the
 * filter is centred on (d + 0.5) * scale in source coordinates, a triangle
 * of radius max(scale, 1): with scale <= 1 that is plain bilinear
 * interpolation with half-pixel centres (align_corners=False); when
 * shrinking, the triangle widens so that each output pixel averages all
 * the source pixels under it, as PIL's and torchvision's antialiased
 * bilinear do.  Taps that fall outside the image are dropped and the rest
 * renormalised.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/data/image.h"

typedef struct axis {
	int *start, *count;     /* per output coordinate: first source index, taps */
	float *w;               /* per output coordinate: ksize weights */
	int ksize;
} axis;

static void axis_free(axis *a)
{
	free(a->start);
	free(a->count);
	free(a->w);
}

static double triangle(double x)
{
	x = fabs(x);
	return x < 1.0 ? 1.0 - x : 0.0;
}

static int axis_make(axis *a, int in, int out)
{
	double scale = (double)in / out;
	double fscale = scale > 1.0 ? scale : 1.0;
	double support = fscale;                /* the triangle's radius */
	a->ksize = (int)ceil(support) * 2 + 1;
	a->start = malloc((size_t)out * sizeof *a->start);
	a->count = malloc((size_t)out * sizeof *a->count);
	a->w = malloc((size_t)out * (size_t)a->ksize * sizeof *a->w);
	if (!a->start || !a->count || !a->w) {
		axis_free(a);
		return -1;
	}
	for (int d = 0; d < out; d++) {
		double centre = (d + 0.5) * scale;
		int lo = (int)floor(centre - support + 0.5), hi = (int)floor(centre + support + 0.5);
		if (lo < 0)
			lo = 0;
		if (hi > in)
			hi = in;
		if (hi - lo > a->ksize)
			hi = lo + a->ksize;
		float *w = a->w + (size_t)d * a->ksize;
		double sum = 0;
		for (int j = lo; j < hi; j++)
			sum += triangle((j + 0.5 - centre) / fscale);
		if (sum <= 0) {     /* cannot happen for in >= 1; keep it defined */
			lo = d * in / out;
			hi = lo + 1;
			sum = 1;
			w[0] = 1;
		} else {
			for (int j = lo; j < hi; j++)
				w[j - lo] = (float)(triangle((j + 0.5 - centre) / fscale) / sum);
		}
		a->start[d] = lo;
		a->count[d] = hi - lo;
	}
	return 0;
}

static uint8_t to_byte(float v)
{
	if (!(v > 0.0f))
		return 0;
	if (v >= 255.0f)
		return 255;
	return (uint8_t)(v + 0.5f);
}

int nl_image_resize(const nl_image *im, int oh, int ow, uint8_t *out)
{
	const int c = im->c, h = im->h, w = im->w;
	const size_t plane = (size_t)oh * ow;
	if (oh == h && ow == w) {
		for (size_t i = 0; i < plane; i++)
			for (int ch = 0; ch < c; ch++)
				out[(size_t)ch * plane + i] = im->px[i * c + ch];
		return 0;
	}
	axis ax = { 0 }, ay = { 0 };
	float *tmp = malloc((size_t)h * ow * c * sizeof *tmp);
	if (!tmp || axis_make(&ax, w, ow) || axis_make(&ay, h, oh)) {
		free(tmp);
		axis_free(&ax);
		axis_free(&ay);
		return -1;
	}
	/* rows: h x ow x c */
	for (int y = 0; y < h; y++) {
		const uint8_t *src = im->px + (size_t)y * w * c;
		float *dst = tmp + (size_t)y * ow * c;
		for (int x = 0; x < ow; x++) {
			const float *wt = ax.w + (size_t)x * ax.ksize;
			const uint8_t *s = src + (size_t)ax.start[x] * c;
			for (int ch = 0; ch < c; ch++) {
				float acc = 0;
				for (int k = 0; k < ax.count[x]; k++)
					acc += wt[k] * s[(size_t)k * c + ch];
				dst[(size_t)x * c + ch] = acc;
			}
		}
	}
	/* columns, into planes */
	for (int y = 0; y < oh; y++) {
		const float *wt = ay.w + (size_t)y * ay.ksize;
		const float *s = tmp + (size_t)ay.start[y] * ow * c;
		for (int x = 0; x < ow; x++)
			for (int ch = 0; ch < c; ch++) {
				float acc = 0;
				for (int k = 0; k < ay.count[y]; k++)
					acc += wt[k] * s[(size_t)k * ow * c + (size_t)x * c + ch];
				out[(size_t)ch * plane + (size_t)y * ow + x] = to_byte(acc);
			}
	}
	free(tmp);
	axis_free(&ax);
	axis_free(&ay);
	return 0;
}
