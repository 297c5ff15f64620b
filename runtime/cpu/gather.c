/* gather.c - assemble a float batch from a uint8 data set, resizing with
 * PyTorch's bilinear interpolation (align_corners=False).
 *
 * For an output coordinate d of a side resized from `in` to `out`, the
 * source coordinate is src = max((d + 0.5) * in/out - 0.5, 0); the lower
 * neighbour is floor(src), the upper one the next pixel clamped to the
 * image, and the weights are src - floor(src) and its complement - exactly
 * what F.interpolate(mode='bilinear', align_corners=False) computes.  The
 * taps depend only on the output coordinate, so they are tabulated once
 * per call for rows and columns.  An image is c planes of h x w (one for
 * Fashion-MNIST, three for CIFAR-10 or colour photographs), each resized
 * alike; the optional normalisation follows the / 255, as torchvision's
 * Normalize follows ToTensor.
 */
#include <config.h>

#include <stdlib.h>

#include "runtime/cpu/cpu.h"

typedef struct tap {
	int i0, i1;
	float l0, l1;
} tap;

static tap tap_at(int in, int out, int d)
{
	const float scale = (float)in / (float)out;
	float src = ((float)d + 0.5f) * scale - 0.5f;
	if (src < 0.0f)
		src = 0.0f;
	int i0 = (int)src;
	if (i0 > in - 1)
		i0 = in - 1;
	tap t;
	t.i0 = i0;
	t.i1 = i0 < in - 1 ? i0 + 1 : i0;
	t.l1 = src - (float)i0;
	t.l0 = 1.0f - t.l1;
	return t;
}

/* One plane: resized, / 255, then normalised when m, sd are given. */
static void resize_one(const uint8_t *src, int h, int w, float *dst, int oh,
                       int ow, const tap *ty, const tap *tx, const float *m,
                       const float *sd)
{
	for (int y = 0; y < oh; y++) {
		const tap ry = ty ? ty[y] : tap_at(h, oh, y);
		const uint8_t *r0 = src + (size_t)ry.i0 * w;
		const uint8_t *r1 = src + (size_t)ry.i1 * w;
		float *d = dst + (size_t)y * ow;
		for (int x = 0; x < ow; x++) {
			const tap t = tx ? tx[x] : tap_at(w, ow, x);
			float top = t.l0 * (float)r0[t.i0] + t.l1 * (float)r0[t.i1];
			float bot = t.l0 * (float)r1[t.i0] + t.l1 * (float)r1[t.i1];
			d[x] = (ry.l0 * top + ry.l1 * bot) / 255.0f;
		}
		if (m)
			for (int x = 0; x < ow; x++)
				d[x] = (d[x] - *m) / *sd;
	}
}

static void copy_one(const uint8_t *src, size_t n, float *dst, const float *m,
                     const float *sd)
{
	if (m) {
		for (size_t j = 0; j < n; j++)
			dst[j] = ((float)src[j] / 255.0f - *m) / *sd;
	} else {
		for (size_t j = 0; j < n; j++)
			dst[j] = (float)src[j] / 255.0f;
	}
}

void nl_cpu_gather(nl_backend *be, const uint8_t *images, const uint8_t *labels,
                   const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                   const float *norm, float *out, int32_t *labels_out)
{
	(void)be;
	const size_t in_plane = (size_t)h * w, out_plane = (size_t)oh * ow;
	const long planes = (long)n * c;
	for (int i = 0; i < n; i++)
		labels_out[i] = labels[idx[i]];

	/* Plane p is channel p % c of example p / c. */
	if (oh == h && ow == w) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)planes * out_plane > NL_CPU_PAR_MIN)
#endif
		for (long p = 0; p < planes; p++) {
			const int i = (int)(p / c), ch = (int)(p % c);
			copy_one(images + ((size_t)idx[i] * c + ch) * in_plane, in_plane,
			         out + (size_t)p * out_plane, norm ? norm + ch : NULL,
			         norm ? norm + c + ch : NULL);
		}
		return;
	}

	/* Tabulated taps; should that small allocation fail, each pixel
	 * computes its own (slower, same result). */
	tap *ty = malloc(((size_t)oh + (size_t)ow) * sizeof *ty);
	tap *tx = ty ? ty + oh : NULL;
	if (ty) {
		for (int y = 0; y < oh; y++)
			ty[y] = tap_at(h, oh, y);
		for (int x = 0; x < ow; x++)
			tx[x] = tap_at(w, ow, x);
	}
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)planes * out_plane > NL_CPU_PAR_MIN)
#endif
	for (long p = 0; p < planes; p++) {
		const int i = (int)(p / c), ch = (int)(p % c);
		resize_one(images + ((size_t)idx[i] * c + ch) * in_plane, h, w,
		           out + (size_t)p * out_plane, oh, ow, ty, tx, norm ? norm + ch : NULL,
		           norm ? norm + c + ch : NULL);
	}
	free(ty);
}
