/* gather_test.c - batch assembly: uint8 pixels / 255, labels picked by the
 * index list, bilinear resizing with half-pixel centres (PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False)) of every channel,
 * and per-channel normalisation ((x - mean) / std), against a double
 * reference and against a 2x2 -> 4x4 case worked out by hand.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/cpu/harness.h"

/* Source coordinate and taps for output coordinate d, in double. */
static void taps(int in, int out, int d, int *i0, int *i1, double *l1)
{
	double src = (d + 0.5) * (double)in / (double)out - 0.5;
	if (src < 0)
		src = 0;
	*i0 = (int)floor(src);
	if (*i0 > in - 1)
		*i0 = in - 1;
	*i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
	*l1 = src - *i0;
}

static void ref_resize(const uint8_t *img, int h, int w, int oh, int ow, double *out)
{
	for (int y = 0; y < oh; y++) {
		int y0, y1;
		double ly;
		taps(h, oh, y, &y0, &y1, &ly);
		for (int x = 0; x < ow; x++) {
			int x0, x1;
			double lx;
			taps(w, ow, x, &x0, &x1, &lx);
			double v = (1 - ly) * ((1 - lx) * img[y0 * w + x0] + lx * img[y0 * w + x1]) +
			           ly * ((1 - lx) * img[y1 * w + x0] + lx * img[y1 * w + x1]);
			out[y * ow + x] = v / 255.0;
		}
	}
}

/* count images of c x h x w, n of them gathered to oh x ow; norm: none,
 * or made-up per-channel means and deviations. */
static void gather_case(int count, int n, int c, int h, int w, int oh, int ow, int norm)
{
	const int before = h_failures();
	const size_t img = (size_t)c * h * w, oimg = (size_t)c * oh * ow;
	uint8_t *imgs = h_alloc((size_t)count * img);
	uint8_t *labels = h_alloc((size_t)count);
	int32_t *idx = h_alloc((size_t)n * sizeof *idx);
	float *out = h_alloc((size_t)n * oimg * sizeof *out);
	int32_t *lab_out = h_alloc((size_t)n * sizeof *lab_out);
	double *want = malloc((size_t)n * oimg * sizeof *want);
	float ms[2 * 3];
	if (!want || c > 3)
		abort();
	for (int ch = 0; ch < c; ch++) {
		ms[ch] = 0.3f + 0.1f * (float)ch;           /* means */
		ms[c + ch] = 0.25f + 0.05f * (float)ch;     /* standard deviations */
	}
	for (size_t i = 0; i < (size_t)count * img; i++)
		imgs[i] = (uint8_t)nl_rng_below(&H_RNG, 256);
	for (int i = 0; i < count; i++)
		labels[i] = (uint8_t)nl_rng_below(&H_RNG, 10);
	for (int i = 0; i < n; i++)
		idx[i] = (int32_t)nl_rng_below(&H_RNG, (uint32_t)count);
	H_BE->gather(H_BE, imgs, labels, idx, n, c, h, w, oh, ow, norm ? ms : NULL, out, lab_out);
	for (int i = 0; i < n; i++) {
		for (int ch = 0; ch < c; ch++) {
			double *p = want + (size_t)i * oimg + (size_t)ch * oh * ow;
			ref_resize(imgs + (size_t)idx[i] * img + (size_t)ch * h * w, h, w, oh, ow, p);
			if (norm)
				for (int k = 0; k < oh * ow; k++)
					p[k] = (p[k] - (double)ms[ch]) / (double)ms[c + ch];
		}
		if (lab_out[i] != labels[idx[i]])
			h_fail("gather: label %d is %d, want %d", i, lab_out[i], labels[idx[i]]);
	}
	char what[128];
	snprintf(what, sizeof what, "gather %d images %dx%dx%d -> %dx%d%s", n, c, h, w, oh, ow,
	         norm ? ", normalised" : "");
	/* The backend computes source coordinates (dst + 0.5) * h/oh - 0.5 in
	 * float: a couple of ulps of a coordinate up to 28 is ~3.4e-6 pixel,
	 * which moves a value by up to that much times a neighbour difference
	 * of at most 1.  rtol 4e-5 gives h_compare an absolute floor of 4e-6
	 * (0.1 * rtol * max|want|, max|want| ~ 1) over that.  Normalising
	 * divides that error by std (down to 0.25 here: 4x) while max|want|
	 * grows only to ~2.8, so it needs rtol 1e-4 (floor 2.8e-5 > 1.4e-5). */
	h_compare(what, out, want, (size_t)n * oimg, norm ? 1e-4 : 4e-5);
	H_BE->release(H_BE, imgs); H_BE->release(H_BE, labels);
	H_BE->release(H_BE, idx); H_BE->release(H_BE, out);
	H_BE->release(H_BE, lab_out);
	free(want);
	h_report(what, before);
}

/* The image [[0, 100], [200, 255]] resized to 4x4.  With in/out = 1/2 the
 * source coordinates of outputs 0..3 are max(-0.25, 0) = 0, 0.25, 0.75 and
 * 1.25; the last one's upper neighbour is clamped to pixel 1, so the 1-D
 * weights (pixel 0, pixel 1) are (1, 0), (.75, .25), (.25, .75), (0, 1).
 * Rows first: row 0 [0, 100] -> [0, 25, 75, 100],
 *             row 1 [200, 255] -> [200, 213.75, 241.25, 255];
 * then columns: output row 1 = .75 row 0 + .25 row 1, and so on. */
static void gather_by_hand(void)
{
	const int before = h_failures();
	static const double want255[16] = {
		0,   25,       75,       100,
		50,  72.1875,  116.5625, 138.75,
		150, 166.5625, 199.6875, 216.25,
		200, 213.75,   241.25,   255,
	};
	uint8_t img[4] = { 0, 100, 200, 255 }, lab[1] = { 7 };
	int32_t idx[1] = { 0 }, lab_out[1] = { -1 };
	float out[16];
	double want[16];
	for (int i = 0; i < 16; i++)
		want[i] = want255[i] / 255.0;
	H_BE->gather(H_BE, img, lab, idx, 1, 1, 2, 2, 4, 4, NULL, out, lab_out);
	h_compare("2x2 -> 4x4 by hand", out, want, 16, 1e-6);
	if (lab_out[0] != 7)
		h_fail("2x2 -> 4x4: label %d, want 7", lab_out[0]);
	h_report("gather 2x2 -> 4x4 (values derived by hand)", before);
}

int main(void)
{
	h_init("gather_test");
	gather_by_hand();
	gather_case(50, 17, 1, 28, 28, 28, 28, 0);     /* plain copy */
	gather_case(50, 9, 1, 28, 28, 224, 224, 0);    /* AlexNet/VGG upscale */
	gather_case(30, 7, 1, 28, 28, 37, 96, 0);      /* odd, non-uniform factors */
	gather_case(30, 5, 1, 28, 28, 13, 9, 0);       /* downscale */
	gather_case(20, 4, 1, 7, 5, 11, 3, 0);         /* non-square source */
	gather_case(5, 3, 1, 1, 1, 4, 4, 0);           /* a single pixel */
	gather_case(40, 13, 3, 32, 32, 32, 32, 0);     /* CIFAR-10 as it is */
	gather_case(40, 13, 3, 32, 32, 32, 32, 1);     /* ... normalised */
	gather_case(40, 6, 3, 32, 32, 96, 96, 1);      /* ... upscaled, normalised */
	gather_case(20, 5, 3, 17, 9, 8, 13, 0);        /* colour, odd sizes both ways */
	gather_case(20, 5, 1, 28, 28, 28, 28, 1);      /* grey, normalised */
	return h_finish();
}
