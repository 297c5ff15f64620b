/* image_test.c - decoding and scaling images (runtime/data/image*.c), on files
 * written here with libpng and libjpeg-turbo:
 *   - every PNG layout (RGB, grey, palette, alpha, 16-bit, interlaced)
 *     decodes to exactly the pixels written, as grey or RGB;
 *   - JPEGs (baseline, progressive, grey) decode close to what was
 *     written (lossy: a mean error bound), and a large one is decoded
 *     at a reduced size that still covers the size asked for;
 *   - grey from RGB is the BT.601 luma, against a double computation;
 *   - scaling agrees with a float64 reference of the same filter, keeps a
 *     flat image flat and averages when shrinking;
 *   - truncated, corrupt, CMYK, oversized and non-image files are refused
 *     with a message naming the file and the problem. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "runtime/data/image.h"
#include "tests/data/dtest.h"
#include "tests/data/imgwrite.h"

static const char *dir;

static uint8_t *picture(int w, int h, int c, int k, unsigned seed)
{
	uint8_t *px = malloc((size_t)w * h * c);
	if (!px)
		exit(99);
	tw_picture(px, w, h, c, k, seed);
	return px;
}

static int load(const char *path, int c, nl_image *im, char *err, size_t errlen)
{
	return nl_image_load(path, c, 0, 0, im, err, errlen);
}

/* ---- PNG: exact --------------------------------------------------------- */

static void png_case(const char *name, int flags)
{
	const int w = 23, h = 17;
	uint8_t *px = picture(w, h, 3, 1, 7);
	char *path = dt_join(dir, name), err[1024] = "";
	CHECK(tw_png(path, px, w, h, 3, flags) == 0, "cannot write %s", path);
	for (int c = 1; c <= 3; c += 2) {
		nl_image im;
		int rc = load(path, c, &im, err, sizeof err);
		CHECK(rc == 0, "%s as %d channels: %s", name, c, err);
		if (rc)
			continue;
		CHECK(im.w == w && im.h == h && im.c == c, "%s: %dx%dx%d", name, im.w, im.h, im.c);
		int bad = 0, worst = 0;
		for (int i = 0; i < w * h; i++) {
			uint8_t rgb[3] = { px[3 * i], px[3 * i + 1], px[3 * i + 2] };
			if (flags & PNG_PALETTE)
				tw_palette_rgb(px + 3 * i, rgb);
			if (flags & PNG_GREY)
				rgb[1] = rgb[2] = rgb[0];
			for (int ch = 0; ch < c; ch++) {
				int want;
				if (c == 3) {
					want = rgb[ch];
				} else {
					double y = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
					want = (int)floor(y + 0.5);
				}
				int d = abs((int)im.px[(size_t)i * c + ch] - want);
				/* grey from colour: the integer luma may round a .5 the
				 * other way than the double; everything else is exact */
				if (d > (c == 1 && !(flags & PNG_GREY) ? 1 : 0))
					bad++;
				if (d > worst)
					worst = d;
			}
		}
		CHECK(bad == 0, "%s as %d channels: %d samples differ (worst by %d)", name, c, bad,
		      worst);
		nl_image_free(&im);
	}
	free(path);
	free(px);
}

static void pngs(void)
{
	png_case("rgb.png", PNG_RGB);
	png_case("grey.png", PNG_GREY);
	png_case("palette.png", PNG_PALETTE);
	png_case("rgba.png", PNG_RGB | PNG_ALPHA);
	png_case("grey-alpha.png", PNG_GREY | PNG_ALPHA);
	png_case("rgb16.png", PNG_RGB | PNG_16BIT);
	png_case("grey16-alpha-interlaced.png", PNG_GREY | PNG_ALPHA | PNG_16BIT | PNG_INTERLACED);
	png_case("rgb-interlaced.png", PNG_RGB | PNG_INTERLACED);
}

/* ---- JPEG: close --------------------------------------------------------- */

static double mean_error(const uint8_t *a, const uint8_t *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += fabs((double)a[i] - (double)b[i]);
	return s / (double)n;
}

static void jpeg_case(const char *name, int c_file, int progressive)
{
	const int w = 40, h = 32;
	uint8_t *px = picture(w, h, c_file, 2, 3);
	char *path = dt_join(dir, name), err[1024] = "";
	CHECK(tw_jpeg(path, px, w, h, c_file, 95, progressive, 0) == 0, "cannot write %s", path);
	nl_image im;
	int rc = load(path, c_file, &im, err, sizeof err);
	CHECK(rc == 0, "%s: %s", name, err);
	if (rc == 0) {
		CHECK(im.w == w && im.h == h && im.c == c_file, "%s: %dx%dx%d", name, im.w, im.h,
		      im.c);
		/* Quality 95 on noisy stripes: a level or two of error on average
		 * in grey; in colour more, as libjpeg keeps colour at half the
		 * resolution (4:2:0) and the pictures' noise is per channel, per
		 * pixel (uniform +-20: a mean of 10 levels, mostly averaged away
		 * in the colour difference). */
		double e = mean_error(im.px, px, (size_t)w * h * c_file);
		CHECK(e < (c_file == 3 ? 10.0 : 3.0), "%s: mean error %.2f levels", name, e);
		printf("%-24s mean error %.2f levels\n", name, e);
		nl_image_free(&im);
	}
	if (c_file == 3) {
		/* As grey: the luma of the colours written. */
		rc = load(path, 1, &im, err, sizeof err);
		CHECK(rc == 0, "%s as grey: %s", name, err);
		if (rc == 0) {
			uint8_t *y = malloc((size_t)w * h);
			for (int i = 0; i < w * h; i++)
				y[i] = (uint8_t)floor(0.299 * px[3 * i] + 0.587 * px[3 * i + 1] +
				                      0.114 * px[3 * i + 2] + 0.5);
			double e = mean_error(im.px, y, (size_t)w * h);
			CHECK(im.c == 1 && e < 4.0, "%s as grey: mean error %.2f levels", name, e);
			free(y);
			nl_image_free(&im);
		}
	}
	free(path);
	free(px);
}

static void jpegs(void)
{
	jpeg_case("rgb.jpg", 3, 0);
	jpeg_case("progressive.jpg", 3, 1);
	jpeg_case("grey.jpg", 1, 0);

	/* A 256x200 photograph headed for 32x32 decodes at 1/4 (64x50), the
	 * smallest DCT scaling that covers 32x32 (1/8 gives 32x25). */
	uint8_t *px = picture(256, 200, 3, 0, 5);
	char *path = dt_join(dir, "large.jpg"), err[1024] = "";
	CHECK(tw_jpeg(path, px, 256, 200, 3, 90, 0, 0) == 0, "cannot write %s", path);
	nl_image im;
	int rc = nl_image_load(path, 3, 32, 32, &im, err, sizeof err);
	CHECK(rc == 0 && im.w == 64 && im.h == 50, "DCT-scaled decode: %dx%d (%s)", im.w, im.h,
	      err);
	nl_image_free(&im);
	rc = nl_image_load(path, 3, 0, 0, &im, err, sizeof err);
	CHECK(rc == 0 && im.w == 256 && im.h == 200, "full decode: %dx%d", im.w, im.h);
	nl_image_free(&im);
	free(path);
	free(px);
}

/* ---- scaling ------------------------------------------------------------- */

static double tri(double x)
{
	x = fabs(x);
	return x < 1 ? 1 - x : 0;
}

/* The filter of image.h written plainly in double: separable, triangle of
 * radius max(scale, 1) centred on (d + 0.5) * scale, taps renormalised. */
static void ref_axis(int in, int out, int d, double *wt)
{
	double scale = (double)in / out, fs = scale > 1 ? scale : 1, centre = (d + 0.5) * scale;
	double sum = 0;
	for (int j = 0; j < in; j++) {
		wt[j] = fabs(j + 0.5 - centre) < fs + 0.5 ? tri((j + 0.5 - centre) / fs) : 0;
		sum += wt[j];
	}
	for (int j = 0; j < in; j++)
		wt[j] /= sum;
}

static void resize_case(int w, int h, int c, int ow, int oh)
{
	uint8_t *px = picture(w, h, c, 2, (unsigned)(w * h));
	nl_image im = { px, w, h, c };
	uint8_t *out = malloc((size_t)ow * oh * c);
	double *wx = malloc((size_t)w * sizeof *wx), *wy = malloc((size_t)h * sizeof *wy);
	CHECK(nl_image_resize(&im, oh, ow, out) == 0, "resize failed");
	int worst = 0;
	for (int ch = 0; ch < c; ch++)
		for (int y = 0; y < oh; y++) {
			ref_axis(h, oh, y, wy);
			for (int x = 0; x < ow; x++) {
				ref_axis(w, ow, x, wx);
				double v = 0;
				for (int sy = 0; sy < h; sy++)
					for (int sx = 0; sx < w; sx++)
						v += wy[sy] * wx[sx] * px[((size_t)sy * w + sx) * c + ch];
				int want = (int)floor(v + 0.5);
				int d = abs((int)out[(size_t)ch * ow * oh + (size_t)y * ow + x] - want);
				if (d > worst)
					worst = d;
			}
		}
	/* float accumulation against double: a value can land on the other
	 * side of a .5 */
	CHECK(worst <= 1, "resize %dx%dx%d -> %dx%d: off by up to %d from the reference", c, h,
	      w, oh, ow, worst);
	free(px);
	free(out);
	free(wx);
	free(wy);
}

static void scaling(void)
{
	resize_case(97, 61, 3, 32, 32);     /* shrink, non-integer factors */
	resize_case(64, 64, 1, 16, 16);     /* shrink by 4 */
	resize_case(7, 5, 3, 32, 28);       /* grow */
	resize_case(40, 10, 3, 20, 30);     /* shrink one way, grow the other */
	resize_case(32, 32, 3, 32, 32);     /* same size: a copy into planes */

	/* A flat image stays flat; a 1-pixel checkerboard halved averages to
	 * mid-grey where plain bilinear would pick one colour. */
	uint8_t flat[30 * 30], check[16 * 16], out[7 * 11];
	memset(flat, 77, sizeof flat);
	nl_image im = { flat, 30, 30, 1 };
	nl_image_resize(&im, 7, 11, out);
	int ok = 1;
	for (int i = 0; i < 77; i++)
		ok &= out[i] == 77;
	CHECK(ok, "a flat image did not stay flat");
	for (int i = 0; i < 256; i++)
		check[i] = (uint8_t)(((i / 16 + i % 16) % 2) * 200);
	nl_image ck = { check, 16, 16, 1 };
	nl_image_resize(&ck, 8, 8, out);
	ok = 1;
	for (int i = 0; i < 64; i++)
		ok &= abs(out[i] - 100) <= 30;
	CHECK(ok, "a halved checkerboard is not about mid-grey (%d, %d, ...)", out[0], out[1]);
}

/* ---- refusals -------------------------------------------------------------- */

static void expect_refused(const char *what, const char *path, int c, const char *want)
{
	nl_image im;
	char err[1024] = "";
	int rc = load(path, c, &im, err, sizeof err);
	CHECK(rc == -1, "%s: must be refused", what);
	CHECK(im.px == NULL, "%s: pixels left behind", what);
	CHECK_HAS(err, path, want);
	printf("%-32s %s\n", what, err);
}

/* A copy of src cut to keep bytes, or with a byte flipped at flip. */
static char *variant(const char *src, const char *name, size_t keep, long flip)
{
	size_t n;
	unsigned char *b = dt_read(src, &n);
	if (!b)
		exit(99);
	if (keep < n)
		n = keep;
	if (flip >= 0)
		b[flip] ^= 0x55;
	char *p = dt_join(dir, name);
	dt_write(p, b, n);
	free(b);
	return p;
}

static void put_be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* A PNG signature and IHDR claiming w x h, then nothing. */
static char *png_header_only(const char *name, uint32_t w, uint32_t h)
{
	unsigned char b[8 + 25] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	put_be32(b + 8, 13);
	memcpy(b + 12, "IHDR", 4);
	put_be32(b + 16, w);
	put_be32(b + 20, h);
	b[24] = 8;
	b[25] = 2;
	put_be32(b + 29, (uint32_t)crc32(0, b + 12, 17));
	char *p = dt_join(dir, name);
	dt_write(p, b, sizeof b);
	return p;
}

static void refusals(void)
{
	const int w = 48, h = 40;
	uint8_t *px = picture(w, h, 3, 0, 9);
	char *png = dt_join(dir, "good.png"), *jpg = dt_join(dir, "good.jpg");
	tw_png(png, px, w, h, 3, PNG_RGB);
	tw_jpeg(jpg, px, w, h, 3, 90, 0, 0);
	size_t png_len, jpg_len;
	free(dt_read(png, &png_len));
	free(dt_read(jpg, &jpg_len));

	char *p[12];
	p[0] = variant(png, "cut.png", png_len / 2, -1);
	expect_refused("a PNG cut in half", p[0], 3, "truncated");
	p[1] = variant(png, "flipped.png", png_len, (long)png_len / 2);
	expect_refused("a PNG with a flipped byte", p[1], 3, "bad PNG");
	p[2] = variant(jpg, "cut.jpg", jpg_len / 2, -1);
	expect_refused("a JPEG cut in half", p[2], 3, "Premature end of JPEG file");
	p[3] = variant(jpg, "cut-header.jpg", 40, -1);
	expect_refused("a JPEG cut in its header", p[3], 3, "bad JPEG");
	p[4] = dt_join(dir, "cmyk.jpg");
	tw_jpeg(p[4], px, w, h, 3, 90, 0, 1);
	expect_refused("a CMYK JPEG", p[4], 3, "CMYK");
	p[5] = dt_join(dir, "notes.png");
	dt_write(p[5], "these are my notes\n", 19);
	expect_refused("text named .png", p[5], 3, "not a PNG or JPEG");
	p[6] = dt_join(dir, "empty.jpg");
	dt_write(p[6], "", 0);
	expect_refused("an empty file", p[6], 3, "empty");
	p[7] = png_header_only("huge-side.png", 100000, 100000);
	expect_refused("a PNG 100000 pixels wide", p[7], 3, "exceeds user limit");
	p[8] = png_header_only("huge-area.png", 16000, 16000);
	expect_refused("a PNG of 256 megapixels", p[8], 3, "more than netlang reads");
	p[9] = png_header_only("header-only.png", 20, 20);
	expect_refused("a PNG with no image data", p[9], 3, "truncated");
	/* a wide flat JPEG: small file, too many pixels on a side */
	uint8_t *wide = calloc((size_t)20000 * 8 * 3, 1);
	p[10] = dt_join(dir, "wide.jpg");
	tw_jpeg(p[10], wide, 20000, 8, 3, 50, 0, 0);
	expect_refused("a JPEG 20000 pixels wide", p[10], 3, "at most 16384");
	free(wide);
	p[11] = dt_join(dir, "missing.png");
	expect_refused("a missing file", p[11], 3, "cannot open");
	for (int i = 0; i < 12; i++)
		free(p[i]);
	free(png);
	free(jpg);
	free(px);
}

int main(void)
{
	dir = dt_tempdir();
	pngs();
	jpegs();
	scaling();
	refusals();
	return dt_finish();
}
