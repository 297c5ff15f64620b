/* winograd_test.c - the Winograd convolution (runtime/cpu/winograd.c),
 * forward, backward-data and backward-filter, against a float64 direct
 * convolution and against the im2col path, on fresh random data (the seed
 * is printed), for each instruction set the CPU has (NL_CPU_ISA's paths:
 * portable C, AVX2, AVX-512).
 *
 * Shapes: odd sizes, maps smaller than a tile, padding 0 to 2 (3x3) and 0
 * to 4 (5x5), batch 1, 16 and 17 (a column holds 16 images: a partial
 * column), channel counts that are multiples of nothing, several chunks
 * with a partial last one, dx written, accumulated and not wanted, and a
 * ReLU fused into the step.
 *
 * The error bound, and why it is the right one.  Winograd computes
 * y = A^T [sum_c (G g_c G^T) . (B^T d_c B)] A exactly in real arithmetic;
 * in float, every transform and the sum over channels round.  Each 1-D
 * transform in winograd_kern.c rounds at most 3 times along any path (4
 * for G and G^T, whose 1/6, 1/12, 1/24 are themselves rounded) and each
 * partial result is bounded by the row of |B^T| (or |A^T|, |A|, |G|)
 * times |input|, so a 2-D transform is off by at most 6u (8u for G) of
 * the transform taken with absolute values (u = 2^-24); a product adds
 * u, and a sum of C products in any order is off by at most C u of the
 * sum of their absolute values (Higham, Accuracy and Stability of
 * Numerical Algorithms, 3.1).  Carried through (first order, 8 + 6 + 1 +
 * C + 6 + 1 for the bias, rounded up):
 *   |y - y_exact| <= (C + 24) u  (|A^T| [sum_c |G||g_c||G^T| . |B^T||d_c||B|] |A| + |b|)
 * and the same for backward-data with the output channels as C, and for
 * the filter gradient, whose sum runs over S = (images rounded up to 16) x
 * tiles terms and whose G^T dU G rounds up to 12 times more:
 *   |dW - dW_exact| <= (S + 32) u  |G^T| [sum |A||dy||A^T| . |B^T||x||B|] |G|
 * The test computes these bounds element by element with absolute values
 * in double.  They are the right bounds because they follow the
 * algorithm's own rounding: a plain rtol would either fail F(4x4, 3x3)'s
 * honest error on outputs that cancel to near 0, or be loose enough to
 * pass a wrong coefficient.  Against the direct sum's bound,
 * (C r^2) u sum |g||d|, the transforms' coefficients (up to 5 in B^T, 8 in
 * A^T) make the absolute-value Winograd sum larger, and the test prints
 * that growth (largest bound over largest direct sum).  For one random
 * tile it is about 7x for F(2x2, 3x3), 190x for F(4x4, 3x3), 430x for
 * F(6x6, 3x3) (with the points +-1/2 added) and 120x for F(2x2, 5x5);
 * the errors actually made grow much less (about the square root: the
 * roundings do not all go one way), and the test prints those too, as a
 * fraction of max |y|: 1e-6 or so for F(4x4, 3x3) against 1e-7 for
 * im2col, far below the noise of training in float.  F(4x4, 3x3) does a
 * quarter of the direct multiplications, F(2x2, 3x3) four ninths; the
 * larger tile is worth its accuracy, the next one is not.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "runtime/cpu/cpu.h"
#include "tests/cpu/harness.h"
#include "tests/cpu/conv_ref.h"

#define U 0x1p-24

/* The transforms, with the points 0, 1, -1, 2, -2, infinity (Toom-Cook). */
static const double BT[6][6] = {
	{ 4, 0, -5, 0, 1, 0 },
	{ 0, -4, -4, 1, 1, 0 },
	{ 0, 4, -4, -1, 1, 0 },
	{ 0, -2, -1, 2, 1, 0 },
	{ 0, 2, -1, -2, 1, 0 },
	{ 0, 4, 0, -5, 0, 1 },
};
static const double AT4[4][6] = {
	{ 1, 1, 1, 1, 1, 0 },
	{ 0, 1, -1, 2, -2, 0 },
	{ 0, 1, 1, 4, 4, 0 },
	{ 0, 1, -1, 8, -8, 1 },
};
static const double AT2[2][6] = {
	{ 1, 1, 1, 1, 1, 0 },
	{ 0, 1, -1, 2, -2, 1 },
};
static const double G3[6][3] = {
	{ 1.0 / 4, 0, 0 }, { -1.0 / 6, -1.0 / 6, -1.0 / 6 }, { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
	{ 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, -1.0 / 12, 1.0 / 6 }, { 0, 0, 1 },
};
static const double G5[6][5] = {
	{ 1.0 / 4, 0, 0, 0, 0 },
	{ -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6 },
	{ -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6 },
	{ 1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3 },
	{ 1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3 },
	{ 0, 0, 0, 0, 1 },
};

static double at(int m, int i, int a)
{
	return fabs(m == 4 ? AT4[i][a] : AT2[i][a]);
}

static double gm(int r, int a, int u)
{
	return fabs(r == 3 ? G3[a][u] : G5[a][u]);
}

/* out[36] = |M| in |M^T| for an n x n in (|M| 6 x n given by f). */
static void abs_sandwich(double (*f)(int, int, int), int arg, int n, const double *in,
                         double *out)
{
	double t[6][6];
	for (int a = 0; a < 6; a++)
		for (int j = 0; j < n; j++) {
			double acc = 0.0;
			for (int i = 0; i < n; i++)
				acc += f(arg, a, i) * in[i * n + j];
			t[a][j] = acc;
		}
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++) {
			double acc = 0.0;
			for (int j = 0; j < n; j++)
				acc += t[a][j] * f(arg, b, j);
			out[a * 6 + b] = acc;
		}
}

static double bt_abs(int unused, int a, int i)
{
	(void)unused;
	return fabs(BT[a][i]);
}

static double g_abs(int r, int a, int u)
{
	return gm(r, a, u);
}

static double a_abs(int m, int a, int i)   /* A = (A^T)^T: 6 x m */
{
	return at(m, i, a);
}

/* The 6x6 patch of plane p (h x w) whose top-left is (y0, x0), zero outside. */
static void patch(const double *p, int h, int w, int y0, int x0, double *d)
{
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 6; j++) {
			int y = y0 + i, x = x0 + j;
			d[i * 6 + j] = y < 0 || y >= h || x < 0 || x >= w ? 0.0 : p[(size_t)y * w + x];
		}
}

/* |A^T| (sum_c |G||f_kc||G^T| . |B^T||d_c||B|) |A| at every output of the
 * tiled convolution of src (n x cin x h x w, padding ph, pw; absolute
 * values) with filters f[cout][cin][r][r] (absolute values). */
static void bound_conv(int r, int n, int cin, int h, int w, int ph, int pw, int cout,
                       int oh, int ow, const double *src, const double *f, double *out)
{
	const int m = 7 - r;
	double *uf = cr_dalloc((size_t)cout * cin * 36), *vd = cr_dalloc((size_t)cin * 36);
	for (int k = 0; k < cout; k++)
		for (int c = 0; c < cin; c++)
			abs_sandwich(g_abs, r, r, f + ((size_t)k * cin + c) * r * r,
			             uf + ((size_t)k * cin + c) * 36);
	for (int b = 0; b < n; b++)
	for (int ty = 0; ty * m < oh; ty++)
	for (int tx = 0; tx * m < ow; tx++) {
		for (int c = 0; c < cin; c++) {
			double d[36];
			patch(src + ((size_t)b * cin + c) * h * w, h, w, ty * m - ph, tx * m - pw, d);
			abs_sandwich(bt_abs, 0, 6, d, vd + (size_t)c * 36);
		}
		for (int k = 0; k < cout; k++) {
			double mm[36] = { 0 };
			for (int c = 0; c < cin; c++)
				for (int e = 0; e < 36; e++)
					mm[e] += uf[((size_t)k * cin + c) * 36 + e] * vd[(size_t)c * 36 + e];
			for (int i = 0; i < m && ty * m + i < oh; i++)
				for (int j = 0; j < m && tx * m + j < ow; j++) {
					double acc = 0.0;
					for (int a = 0; a < 6; a++)
						for (int e = 0; e < 6; e++)
							acc += at(m, i, a) * mm[a * 6 + e] * at(m, j, e);
					out[(((size_t)b * cout + k) * oh + ty * m + i) * ow + tx * m + j] = acc;
				}
		}
	}
	free(uf);
	free(vd);
}

/* |G^T| (sum over images and tiles |A||dy_k||A^T| . |B^T||x_c||B|) |G|. */
static void bound_filter(const conv_case *cs, const double *x, const double *dy, double *out)
{
	const int r = cs->kh, m = 7 - r;
	double *sum = cr_dalloc((size_t)cs->k * cs->c * 36);
	double *vd = cr_dalloc((size_t)cs->c * 36);
	for (int b = 0; b < cs->n; b++)
	for (int ty = 0; ty * m < cs->oh; ty++)
	for (int tx = 0; tx * m < cs->ow; tx++) {
		for (int c = 0; c < cs->c; c++) {
			double d[36];
			patch(x + ((size_t)b * cs->c + c) * cs->h * cs->w, cs->h, cs->w,
			      ty * m - cs->ph, tx * m - cs->pw, d);
			abs_sandwich(bt_abs, 0, 6, d, vd + (size_t)c * 36);
		}
		for (int k = 0; k < cs->k; k++) {
			double g[16] = { 0 }, z[36];
			for (int i = 0; i < m && ty * m + i < cs->oh; i++)
				for (int j = 0; j < m && tx * m + j < cs->ow; j++)
					g[i * m + j] = dy[(((size_t)b * cs->k + k) * cs->oh + ty * m + i) *
					                  cs->ow + tx * m + j];
			abs_sandwich(a_abs, m, m, g, z);
			for (int c = 0; c < cs->c; c++)
				for (int e = 0; e < 36; e++)
					sum[((size_t)k * cs->c + c) * 36 + e] += z[e] * vd[(size_t)c * 36 + e];
		}
	}
	for (int k = 0; k < cs->k; k++)
		for (int c = 0; c < cs->c; c++) {
			const double *s = sum + ((size_t)k * cs->c + c) * 36;
			for (int u = 0; u < r; u++)
				for (int v = 0; v < r; v++) {
					double acc = 0.0;
					for (int a = 0; a < 6; a++)
						for (int e = 0; e < 6; e++)
							acc += gm(r, a, u) * s[a * 6 + e] * gm(r, e, v);
					out[(((size_t)k * cs->c + c) * r + u) * r + v] = acc;
				}
		}
	free(sum);
	free(vd);
}

/* The filters of the data pass: f'[c][k][u][v] = |w[k][c][r-1-u][r-1-v]|. */
static double *flipped_abs(const conv_case *cs, const double *w)
{
	const int r = cs->kh;
	double *f = cr_dalloc((size_t)cs->k * cs->c * r * r);
	for (int k = 0; k < cs->k; k++)
		for (int c = 0; c < cs->c; c++)
			for (int u = 0; u < r; u++)
				for (int v = 0; v < r; v++)
					f[(((size_t)c * cs->k + k) * r + u) * r + v] =
						fabs(w[(((size_t)k * cs->c + c) * r + r - 1 - u) * r + r - 1 - v]);
	return f;
}

/* Expected values and bounds for one run's output (its own y decides a
 * fused ReLU's mask). */
typedef struct expect {
	double *y, *dx, *dw, *db;
	double *by, *bdx, *bdw, *bdb;    /* bounds */
} expect;

static void expect_free(expect *e)
{
	double *p[] = { e->y, e->dx, e->dw, e->db, e->by, e->bdx, e->bdw, e->bdb };
	for (size_t i = 0; i < sizeof p / sizeof *p; i++)
		free(p[i]);
	memset(e, 0, sizeof *e);
}

/* The reference, and the bounds of algorithm wg (1) or im2col (0). */
static void expectations(const conv_data *d, const conv_out *o, int wg, expect *e)
{
	const conv_case *cs = &d->cs;
	const size_t nb = (size_t)cs->k;
	const double *x = d->xd;
	double *ax = cr_abs(d->xd, d->nx), *aw = cr_abs(d->wd, d->nw);
	double *ab = cr_abs(d->bd, nb);
	memset(e, 0, sizeof *e);
	e->y = cr_dalloc(d->ny);
	e->by = cr_dalloc(d->ny);
	cr_conv_forward(cs, x, d->wd, d->bd, e->y);
	if (cs->fuse)
		for (size_t i = 0; i < d->ny; i++)
			e->y[i] = e->y[i] < 0 ? 0 : e->y[i];
	/* dy' = dy masked by this run's y when fused */
	double *dym = cr_dalloc(d->ny);
	for (size_t i = 0; i < d->ny; i++)
		dym[i] = cs->fuse && !(o->y[i] > 0.0f) ? 0.0 : d->dyd[i];
	double *ady = cr_abs(dym, d->ny);
	e->dx = cr_dalloc(d->nx);
	e->dw = cr_dalloc(d->nw);
	e->db = cr_dalloc(nb);
	cr_conv_backward(cs, x, d->wd, dym, e->dx, e->dw, e->db);
	if (cs->dx_mode == DX_ACCUMULATE)
		for (size_t i = 0; i < d->nx; i++)
			e->dx[i] += d->dx0d[i];
	e->bdx = cr_dalloc(d->nx);
	e->bdw = cr_dalloc(d->nw);
	e->bdb = cr_dalloc(nb);
	const int r = cs->kh;
	if (wg) {
		bound_conv(r, cs->n, cs->c, cs->h, cs->w, cs->ph, cs->pw, cs->k, cs->oh, cs->ow,
		           ax, aw, e->by);
		for (size_t i = 0; i < d->ny; i++) {
			int k = (int)(i / ((size_t)cs->oh * cs->ow) % (size_t)cs->k);
			e->by[i] = (cs->c + 24) * U * (e->by[i] + ab[k]);
		}
		double *fl = flipped_abs(cs, d->wd);
		bound_conv(r, cs->n, cs->k, cs->oh, cs->ow, r - 1 - cs->ph, r - 1 - cs->pw, cs->c,
		           cs->h, cs->w, ady, fl, e->bdx);
		free(fl);
		for (size_t i = 0; i < d->nx; i++)
			e->bdx[i] *= (cs->k + 24) * U;
		bound_filter(cs, ax, ady, e->bdw);
		int m = 7 - r;
		double S = (double)((cs->n + 15) / 16 * 16) *
		           (double)((cs->oh + m - 1) / m) * (double)((cs->ow + m - 1) / m);
		for (size_t i = 0; i < d->nw; i++)
			e->bdw[i] = (S + 32) * U * e->bdw[i] + U * fabs(e->dw[i]);
	} else {
		/* im2col + sgemm: sums of C kh kw (forward), K kh kw (dx) and
		 * n oh ow (dW) products. */
		cr_conv_forward(cs, ax, aw, ab, e->by);
		for (size_t i = 0; i < d->ny; i++)
			e->by[i] *= (cs->c * cs->kh * cs->kw + 4) * U;
		double *bdw = e->bdw;
		cr_conv_backward(cs, ax, aw, ady, e->bdx, bdw, NULL);
		for (size_t i = 0; i < d->nx; i++)
			e->bdx[i] *= (cs->k * cs->kh * cs->kw + 4) * U;
		for (size_t i = 0; i < d->nw; i++)
			e->bdw[i] *= ((double)cs->n * cs->oh * cs->ow + 4) * U;
	}
	/* dx's accumulation: one more rounding of the sum. */
	for (size_t i = 0; i < d->nx; i++)
		e->bdx[i] += 2 * U * (fabs(e->dx[i]) + fabs(d->dx0d[i]));
	/* db is the same sum in both: n oh ow terms, in double per image. */
	double *adb = cr_dalloc(nb);
	cr_conv_backward(cs, ax, aw, ady, NULL, NULL, adb);
	for (size_t i = 0; i < nb; i++)
		e->bdb[i] = ((double)cs->oh * cs->ow + 4) * U * adb[i];
	free(adb);
	free(ax);
	free(aw);
	free(ab);
	free(dym);
	free(ady);
}

/* Checks one run; returns the worst error/bound over its outputs. */
static double check_run(const char *what, const conv_data *d, const conv_out *o, int wg)
{
	char name[160];
	expect e;
	expectations(d, o, wg, &e);
	double worst = 0.0, r;
	snprintf(name, sizeof name, "%s: y", what);
	r = cr_check(name, o->y, e.y, e.by, d->ny);
	worst = r > worst ? r : worst;
	if (o->dx) {
		snprintf(name, sizeof name, "%s: dx", what);
		r = cr_check(name, o->dx, e.dx, e.bdx, d->nx);
		worst = r > worst ? r : worst;
	}
	snprintf(name, sizeof name, "%s: dw", what);
	r = cr_check(name, o->dw, e.dw, e.bdw, d->nw);
	worst = r > worst ? r : worst;
	snprintf(name, sizeof name, "%s: db", what);
	r = cr_check(name, o->db, e.db, e.bdb, (size_t)d->cs.k);
	worst = r > worst ? r : worst;
	expect_free(&e);
	return worst;
}

/* |a - b| <= bound_a + bound_b: two algorithms agree within their bounds. */
static void cross_check(const char *what, const float *a, const float *b, const double *ba,
                        const double *bb, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double err = fabs((double)a[i] - (double)b[i]);
		if (!(err <= ba[i] + bb[i])) {
			h_fail("%s: winograd %.9g and im2col %.9g differ by more than their bounds at %zu",
			       what, (double)a[i], (double)b[i], i);
			return;
		}
	}
}

/* The Winograd bound's size against the direct sum's, on the forward
 * outputs: max over outputs of one over max of the other. */
static double growth(const conv_data *d)
{
	const conv_case *cs = &d->cs;
	double *ax = cr_abs(d->xd, d->nx), *aw = cr_abs(d->wd, d->nw);
	double *bw = cr_dalloc(d->ny), *bd = cr_dalloc(d->ny);
	bound_conv(cs->kh, cs->n, cs->c, cs->h, cs->w, cs->ph, cs->pw, cs->k, cs->oh, cs->ow,
	           ax, aw, bw);
	cr_conv_forward(cs, ax, aw, NULL, bd);
	double mw = 0.0, md = 0.0;
	for (size_t i = 0; i < d->ny; i++) {
		mw = bw[i] > mw ? bw[i] : mw;
		md = bd[i] > md ? bd[i] : md;
	}
	free(ax); free(aw); free(bw); free(bd);
	return md > 0 ? mw / md : 0.0;
}

/* max |y - y_exact| / max |y_exact|: the forward error actually made. */
static double rel_error(const conv_data *d, const float *y)
{
	double *ref = cr_dalloc(d->ny), err = 0.0, big = 0.0;
	cr_conv_forward(&d->cs, d->xd, d->wd, d->bd, ref);
	for (size_t i = 0; i < d->ny; i++) {
		double want = d->cs.fuse && ref[i] < 0 ? 0.0 : ref[i];
		double e = fabs((double)y[i] - want);
		err = e > err ? e : err;
		big = fabs(want) > big ? fabs(want) : big;
	}
	free(ref);
	return big > 0 ? err / big : err;
}

static void run_case(conv_case cs)
{
	int before = h_failures();
	conv_data d;
	cr_init(&d, &cs);

	setenv("NL_CPU_CONV", "im2col", 1);
	conv_out oi;
	cr_run(&d, &oi);
	double wi = check_run("im2col", &d, &oi, 0);

	setenv("NL_CPU_CONV", "winograd", 1);
	const int saved = nl_cpu_isa();
	double worst = 0.0, relw = 0.0;
	char what[64];
	for (int isa = NL_ISA_GENERIC; isa <= NL_ISA_AVX512; isa++) {
		if (nl_cpu_isa_set(isa) != 0)
			continue;
		conv_out ow;
		cr_run(&d, &ow);
		snprintf(what, sizeof what, "winograd %s", nl_cpu_isa_name(isa));
		double w = check_run(what, &d, &ow, 1);
		worst = w > worst ? w : worst;
		w = rel_error(&d, ow.y);
		relw = w > relw ? w : relw;
		if (!cs.fuse) {
			/* Both paths against each other, within their bounds. */
			expect ei, ew;
			expectations(&d, &oi, 0, &ei);
			expectations(&d, &ow, 1, &ew);
			cross_check("y", ow.y, oi.y, ew.by, ei.by, d.ny);
			if (ow.dx)
				cross_check("dx", ow.dx, oi.dx, ew.bdx, ei.bdx, d.nx);
			cross_check("dw", ow.dw, oi.dw, ew.bdw, ei.bdw, d.nw);
			expect_free(&ei);
			expect_free(&ew);
		}
		cr_out_free(&ow);
	}
	nl_cpu_isa_set(saved);
	unsetenv("NL_CPU_CONV");
	printf("     forward error / max|y|: winograd %.2g, im2col %.2g; error / bound: "
	       "winograd %.2g, im2col %.2g; bound growth %.0fx\n", relw, rel_error(&d, oi.y),
	       worst, wi, growth(&d));
	cr_out_free(&oi);
	cr_free(&d);
	h_report(cs.name, before);
}

/* The same run at 1 and 2 threads (and with a chunk cut short) gives the
 * same bits: each value is computed by one task in a fixed order. */
static void same_bits_case(conv_case cs)
{
#ifdef _OPENMP
	int before = h_failures();
	conv_data d;
	cr_init(&d, &cs);
	setenv("NL_CPU_CONV", "winograd", 1);
	int threads = omp_get_max_threads();
	conv_out a, b;
	omp_set_num_threads(1);
	cr_run(&d, &a);
	omp_set_num_threads(threads > 1 ? threads : 2);
	cr_run(&d, &b);
	omp_set_num_threads(threads);
	unsetenv("NL_CPU_CONV");
	if (memcmp(a.y, b.y, d.ny * sizeof *a.y) || memcmp(a.dw, b.dw, d.nw * sizeof *a.dw) ||
	    memcmp(a.dx, b.dx, d.nx * sizeof *a.dx) || memcmp(a.db, b.db, (size_t)cs.k * 4))
		h_fail("results differ between 1 and %d threads", threads > 1 ? threads : 2);
	cr_out_free(&a);
	cr_out_free(&b);
	cr_free(&d);
	h_report(cs.name, before);
#else
	(void)cs;
#endif
}

#define C3(name, n, c, h, w, k, p, fuse, dx) \
	{ name, n, c, h, w, k, 3, 3, 1, 1, p, p, 0, 0, fuse, dx }
#define C5(name, n, c, h, w, k, p, fuse, dx) \
	{ name, n, c, h, w, k, 5, 5, 1, 1, p, p, 0, 0, fuse, dx }

int main(void)
{
	h_init("winograd_test");
	printf("instruction sets: generic%s%s (in use: %s)\n",
	       nl_cpu_isa_supported(NL_ISA_AVX2) ? ", avx2" : "",
	       nl_cpu_isa_supported(NL_ISA_AVX512) ? ", avx512" : "",
	       nl_cpu_isa_name(nl_cpu_isa()));
	const conv_case cases[] = {
		C3("3x3 pad 1, batch 1, odd map", 1, 3, 7, 6, 5, 1, 0, DX_WRITE),
		C3("3x3 pad 0, 3 images, 19 -> 20 channels", 3, 19, 9, 11, 20, 0, 0, DX_WRITE),
		C3("3x3 pad 2, 17 images (a partial column)", 17, 5, 6, 5, 7, 2, 0, DX_ACCUMULATE),
		C3("3x3 pad 1 on a 3x3 map (one tile, mostly empty)", 2, 20, 3, 3, 33, 1, 0, DX_WRITE),
		C3("3x3 pad 1, 16 images, 1x1 map", 16, 4, 1, 1, 3, 1, 0, DX_WRITE),
		C3("3x3 pad 1, dx not wanted", 4, 6, 10, 9, 8, 1, 0, DX_NULL),
		C3("3x3 pad 1, fused ReLU", 5, 7, 8, 9, 6, 1, 1, DX_WRITE),
		C5("5x5 pad 2, batch 1", 1, 3, 9, 8, 4, 2, 0, DX_WRITE),
		C5("5x5 pad 0, 17 -> 18 channels", 4, 17, 11, 10, 18, 0, 0, DX_ACCUMULATE),
		C5("5x5 pad 4 (the largest), odd map", 3, 6, 6, 7, 5, 4, 0, DX_WRITE),
		C5("5x5 pad 2, fused ReLU", 3, 5, 7, 7, 9, 2, 1, DX_ACCUMULATE),
		C5("5x5 pad 1", 2, 3, 5, 6, 4, 1, 0, DX_WRITE),
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		run_case(cases[i]);

	/* Chunks of 4 columns: 17 images, 2 x 2 tiles: two lane groups of two
	 * tile rows, two rows a chunk; 13 images, 3 x 3 tiles: a row of 3
	 * tiles a chunk (one spare column); a 6 x 20 map (5 tiles a row) cuts
	 * its rows in two, 4 tiles and 1. */
	nl_cpu_wg_chunk_limit((size_t)4 * 36 * 16 * (9 + 10));
	run_case((conv_case)C3("3x3, two chunks", 17, 9, 8, 7, 10, 1, 0, DX_WRITE));
	run_case((conv_case)C3("3x3, three chunks with a spare column, fused", 13, 9, 12, 11,
	                       10, 1, 1, DX_ACCUMULATE));
	run_case((conv_case)C3("3x3, tile rows cut in two", 3, 9, 6, 20, 10, 1, 0, DX_WRITE));
	run_case((conv_case)C5("5x5, tile rows cut in three", 2, 9, 5, 19, 10, 2, 0,
	                       DX_ACCUMULATE));
	same_bits_case((conv_case)C3("same bits at 1 and 2 threads, three chunks", 13, 9, 12, 11,
	                             10, 1, 0, DX_WRITE));
	nl_cpu_wg_chunk_limit(0);
	return h_finish();
}
