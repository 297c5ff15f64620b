/* conv_fuse_test.c - a ReLU or a sigmoid fused into the convolution step
 * (nl_step's fuse_relu, fuse_sigmoid) on every im2col path, against a
 * float64 direct convolution: forward must give max(conv + b, 0) or
 * 1 / (1 + e^-(conv + b)), and backward must take dy through the ReLU's
 * mask (the step's own y > 0) or times y (1 - y) before dW, db and dx.
 * The paths: image-parallel (fewer than 32 output channels), shared sgemm
 * over chunks of several images and over one image, the 1x1 direct path
 * of both, and strides; the sigmoid on Winograd too (winograd_test does
 * the ReLU there).
 *
 * Bound: each output is a sum of C kh kw products (dx: K kh kw, dW: n oh
 * ow), off by at most that many u of the sum of their absolute values in
 * any order (u = 2^-24); the ReLU and the mask add no error, the sigmoid
 * a quarter of its input's (its slope is at most 1/4) and 16 u of its own,
 * and the gradients are compared at dy y (1 - y) with the run's own y.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cpu/harness.h"
#include "tests/cpu/conv_ref.h"

#define U 0x1p-24

static void check(const char *what, const float *got, const double *want,
                  const double *abs_sum, double terms, size_t n)
{
	double *bound = cr_dalloc(n);
	for (size_t i = 0; i < n; i++)
		bound[i] = (terms + 4) * U * abs_sum[i] + 2 * U * fabs(want[i]);
	cr_check(what, got, want, bound, n);
	free(bound);
}

static void fused_case(conv_case cs, int fuse, const char *algo)
{
	int before = h_failures();
	conv_data d;
	cs.fuse = fuse;
	cr_init(&d, &cs);
	setenv("NL_CPU_CONV", algo, 1);
	conv_out o;
	cr_run(&d, &o);
	unsetenv("NL_CPU_CONV");
	const conv_case *c = &d.cs;

	double *y = cr_dalloc(d.ny), *ya = cr_dalloc(d.ny);
	double *ax = cr_abs(d.xd, d.nx), *aw = cr_abs(d.wd, d.nw), *ab = cr_abs(d.bd, (size_t)c->k);
	cr_conv_forward(c, d.xd, d.wd, d.bd, y);
	cr_conv_forward(c, ax, aw, ab, ya);
	const double terms = (double)c->c * c->kh * c->kw;
	for (size_t i = 0; i < d.ny; i++) {
		if (fuse == FUSE_RELU) {
			y[i] = y[i] < 0 ? 0 : y[i];
		} else {
			y[i] = 1.0 / (1.0 + exp(-y[i]));
			ya[i] = ya[i] / 4 + 16.0 / (terms + 4);
		}
	}
	check("y", o.y, y, ya, terms, d.ny);

	/* dy through the mask of the step's own output, or times its slope */
	double *dym = cr_dalloc(d.ny);
	size_t masked = 0;
	for (size_t i = 0; i < d.ny; i++) {
		double yi = o.y[i];
		dym[i] = fuse == FUSE_SIGMOID ? d.dyd[i] * yi * (1.0 - yi)
		       : yi > 0.0 ? d.dyd[i] : 0.0;
		masked += !(yi > 0.0);
	}
	if (fuse == FUSE_RELU && (masked == 0 || masked == d.ny))
		h_fail("the case masks %zu of %zu gradients: it tests nothing", masked, d.ny);
	double *ady = cr_abs(dym, d.ny);
	double *dx = cr_dalloc(d.nx), *dw = cr_dalloc(d.nw), *db = cr_dalloc((size_t)c->k);
	double *adx = cr_dalloc(d.nx), *adw = cr_dalloc(d.nw), *adb = cr_dalloc((size_t)c->k);
	cr_conv_backward(c, d.xd, d.wd, dym, dx, dw, db);
	cr_conv_backward(c, ax, aw, ady, adx, adw, adb);
	if (o.dx) {
		if (c->dx_mode == DX_ACCUMULATE)
			for (size_t i = 0; i < d.nx; i++) {
				dx[i] += d.dx0d[i];
				adx[i] += fabs(d.dx0d[i]);
			}
		check("dx", o.dx, dx, adx, (double)c->k * c->kh * c->kw, d.nx);
	}
	check("dw", o.dw, dw, adw, (double)c->n * c->oh * c->ow, d.nw);
	check("db", o.db, db, adb, (double)c->n * c->oh * c->ow, (size_t)c->k);

	free(y); free(ya); free(ax); free(aw); free(ab); free(dym); free(ady);
	free(dx); free(dw); free(db); free(adx); free(adw); free(adb);
	cr_out_free(&o);
	cr_free(&d);
	char name[160];
	snprintf(name, sizeof name, "%s, %s", cs.name, fuse == FUSE_RELU ? "ReLU" : "sigmoid");
	h_report(name, before);
}

#define CASE(name, n, c, h, w, k, kh, kw, sh, sw, ph, pw, dx) \
	{ name, n, c, h, w, k, kh, kw, sh, sw, ph, pw, 0, 0, 1, dx }

int main(void)
{
	h_init("conv_fuse_test");
	const conv_case cases[] = {
		CASE("image-parallel 3x3 (6 channels)", 3, 4, 9, 8, 6, 3, 3, 1, 1, 1, 1, DX_WRITE),
		CASE("image-parallel 5x5 stride 2, dx accumulated", 5, 3, 11, 12, 7, 5, 5, 2, 2, 2, 2,
		     DX_ACCUMULATE),
		CASE("image-parallel 1x1 direct", 4, 5, 6, 7, 9, 1, 1, 1, 1, 0, 0, DX_WRITE),
		CASE("shared, chunks of several images, 33 channels", 11, 3, 20, 20, 33, 3, 3, 1, 1,
		     1, 1, DX_WRITE),
		CASE("shared, one image a chunk, dx accumulated", 2, 2, 64, 66, 32, 3, 3, 1, 1, 1, 1,
		     DX_ACCUMULATE),
		CASE("shared 1x1 direct", 2, 3, 64, 65, 34, 1, 1, 1, 1, 0, 0, DX_WRITE),
		CASE("shared 3x3 stride 2, first layer (dx not wanted)", 6, 1, 15, 14, 40, 3, 3, 2, 2,
		     1, 1, DX_NULL),
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fused_case(cases[i], FUSE_RELU, "im2col");
		fused_case(cases[i], FUSE_SIGMOID, "im2col");
	}
	/* Winograd's passes with the sigmoid's own passes around them */
	const conv_case wg = CASE("Winograd 3x3, 16 channels, dx accumulated", 4, 16, 10, 9, 16,
	                          3, 3, 1, 1, 1, 1, DX_ACCUMULATE);
	fused_case(wg, FUSE_SIGMOID, "winograd");
	return h_finish();
}
