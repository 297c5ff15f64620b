/* direct_test.c - the direct forward and weight gradient of thin stride-1
 * convolutions (runtime/cpu/direct.c, taken by conv.c's image-parallel
 * path) against float64 direct loops, on every instruction set the CPU
 * has: rows shorter than a vector, one and several vectors with a partial
 * last one, output channels that fill no block of 8, padding wider than
 * the kernel, non-square kernels and padding, batch 1, a fused ReLU, and
 * batches of several vector groups with a partial last one.  Each case
 * runs image by image (direct.c) and a vector of images at once (lanes.c,
 * whose groups are split among the threads).  The
 * data pass (im2col) and db are checked too, since they share the step.
 * AVX2 and AVX-512 give the same forward output, bit for bit; and the
 * same case run twice gives the same bits.
 *
 * Bound: each output is a sum of C kh kw products plus the bias (dW: of
 * n oh ow products, in lanes then across them), off by at most that many
 * u of the sum of their absolute values in any order (u = 2^-24).  A fused
 * sigmoid's output: a quarter of that (its slope is at most 1/4) plus 16
 * u; the gradients are checked at dy y (1 - y) with the run's own y.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu/cpu.h"
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

/* The run o of case d against the references. */
static void against_reference(const conv_data *d, const conv_out *o)
{
	const conv_case *c = &d->cs;
	double *y = cr_dalloc(d->ny), *ya = cr_dalloc(d->ny);
	double *ax = cr_abs(d->xd, d->nx), *aw = cr_abs(d->wd, d->nw);
	double *ab = cr_abs(d->bd, (size_t)c->k);
	cr_conv_forward(c, d->xd, d->wd, d->bd, y);
	cr_conv_forward(c, ax, aw, ab, ya);
	if (c->fuse == FUSE_RELU)
		for (size_t i = 0; i < d->ny; i++)
			y[i] = y[i] < 0 ? 0 : y[i];
	if (c->fuse == FUSE_SIGMOID) {
		/* sigmoid' <= 1/4 scales the sum's error; the float sigmoid
		 * adds its own, a few u of a result below 1 */
		for (size_t i = 0; i < d->ny; i++) {
			y[i] = 1.0 / (1.0 + exp(-y[i]));
			ya[i] = ya[i] / 4 + 16.0 / ((double)c->c * c->kh * c->kw + 4);
		}
	}
	check("y", o->y, y, ya, (double)c->c * c->kh * c->kw, d->ny);

	/* dy times the activation's derivative at the run's own y */
	double *dym = cr_dalloc(d->ny);
	for (size_t i = 0; i < d->ny; i++) {
		double yi = o->y[i];
		dym[i] = c->fuse == FUSE_SIGMOID ? d->dyd[i] * yi * (1.0 - yi)
		       : !c->fuse || yi > 0.0 ? d->dyd[i] : 0.0;
	}
	double *ady = cr_abs(dym, d->ny);
	double *dx = cr_dalloc(d->nx), *dw = cr_dalloc(d->nw), *db = cr_dalloc((size_t)c->k);
	double *adx = cr_dalloc(d->nx), *adw = cr_dalloc(d->nw), *adb = cr_dalloc((size_t)c->k);
	cr_conv_backward(c, d->xd, d->wd, dym, dx, dw, db);
	cr_conv_backward(c, ax, aw, ady, adx, adw, adb);
	if (o->dx) {
		if (c->dx_mode == DX_ACCUMULATE)
			for (size_t i = 0; i < d->nx; i++) {
				dx[i] += d->dx0d[i];
				adx[i] += fabs(d->dx0d[i]);
			}
		check("dx", o->dx, dx, adx, (double)c->k * c->kh * c->kw, d->nx);
	}
	check("dw", o->dw, dw, adw, (double)c->n * c->oh * c->ow, d->nw);
	check("db", o->db, db, adb, (double)c->n * c->oh * c->ow, (size_t)c->k);
	free(y); free(ya); free(ax); free(aw); free(ab); free(dym); free(ady);
	free(dx); free(dw); free(db); free(adx); free(adw); free(adb);
}

static int same(const float *a, const float *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

static void direct_case(conv_case cs)
{
	int before = h_failures();
	conv_data d;
	cr_init(&d, &cs);
	const int saved = nl_cpu_isa();
	conv_out avx[2];
	int have[2] = { 0, 0 };
	for (int isa = NL_ISA_GENERIC; isa <= NL_ISA_AVX512; isa++) {
		if (nl_cpu_isa_set(isa) != 0)
			continue;
		conv_out o, again;
		cr_run(&d, &o);
		against_reference(&d, &o);
		cr_run(&d, &again);
		if (!same(o.y, again.y, d.ny) || !same(o.dw, again.dw, d.nw))
			h_fail("%s: a second run gave other bits", nl_cpu_isa_name(isa));
		cr_out_free(&again);
		if (isa == NL_ISA_AVX2 || isa == NL_ISA_AVX512) {
			avx[isa == NL_ISA_AVX512] = o;
			have[isa == NL_ISA_AVX512] = 1;
		} else {
			cr_out_free(&o);
		}
	}
	nl_cpu_isa_set(saved);
	if (have[0] && have[1] && !same(avx[0].y, avx[1].y, d.ny))
		h_fail("AVX2 and AVX-512 forward outputs differ");
	for (int i = 0; i < 2; i++)
		if (have[i])
			cr_out_free(&avx[i]);
	cr_free(&d);
	h_report(cs.name, before);
}

#define CASE(name, n, c, h, w, k, kh, kw, ph, pw, fuse, dx) \
	{ name, n, c, h, w, k, kh, kw, 1, 1, ph, pw, 0, 0, fuse, dx }

int main(void)
{
	h_init("direct_test");
	const conv_case cases[] = {
		CASE("LeNet's first layer, 5x5 pad 2 -> 6", 5, 1, 28, 28, 6, 5, 5, 2, 2, 0, DX_NULL),
		CASE("LeNet's second layer, 5x5 -> 16", 5, 6, 14, 14, 16, 5, 5, 0, 0, 0, DX_WRITE),
		CASE("rows of 37: three vectors, the last partial", 3, 2, 39, 39, 5, 3, 3, 0, 0, 0,
		     DX_WRITE),
		CASE("rows of 3, shorter than a vector", 4, 3, 5, 5, 7, 3, 3, 0, 0, 0, DX_WRITE),
		CASE("9 output channels: a block of 8 and one", 3, 2, 12, 11, 9, 3, 3, 1, 1, 0,
		     DX_ACCUMULATE),
		CASE("17 output channels, padding wider than the kernel", 2, 3, 6, 7, 17, 3, 3, 3, 3,
		     0, DX_WRITE),
		CASE("non-square 3x5 kernel, padding 1x2", 3, 2, 9, 20, 4, 3, 5, 1, 2, 0, DX_WRITE),
		CASE("kernel wider than the image, padded", 2, 2, 3, 2, 3, 3, 5, 1, 2, 0, DX_WRITE),
		CASE("batch 1", 1, 4, 10, 18, 31, 5, 5, 2, 2, 0, DX_WRITE),
		CASE("fused ReLU", 6, 3, 11, 13, 10, 5, 5, 2, 2, FUSE_RELU, DX_ACCUMULATE),
		CASE("one channel in, one out", 3, 1, 17, 16, 1, 2, 2, 0, 0, 0, DX_WRITE),
		CASE("37 images: groups of 16 and 8, the last partial", 37, 6, 14, 14, 16, 5, 5, 0,
		     0, 0, DX_WRITE),
		CASE("33 images, fused ReLU, dx accumulated", 33, 3, 13, 9, 7, 3, 3, 1, 1, 1,
		     DX_ACCUMULATE),
		CASE("40 images of LeNet's first layer", 40, 1, 28, 28, 6, 5, 5, 2, 2, 0, DX_NULL),
		CASE("fused sigmoid, LeNet's second layer", 21, 6, 14, 14, 16, 5, 5, 0, 0,
		     FUSE_SIGMOID, DX_WRITE),
		CASE("fused sigmoid, padded, dx accumulated", 3, 2, 9, 12, 5, 3, 3, 1, 1,
		     FUSE_SIGMOID, DX_ACCUMULATE),
	};
	/* Each case both ways: image by image (direct.c) and a vector of
	 * images at once (lanes.c), whatever the batch. */
	static const char *const ways[] = { "direct", "lanes" };
	for (size_t k = 0; k < 2; k++) {
		setenv("NL_CPU_CONV", ways[k], 1);
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
			direct_case(cases[i]);
	}
	unsetenv("NL_CPU_CONV");
	return h_finish();
}
