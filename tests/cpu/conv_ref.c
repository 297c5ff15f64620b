/* conv_ref.c - see conv_ref.h. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cpu/harness.h"
#include "tests/cpu/conv_ref.h"

double *cr_dalloc(size_t n)
{
	double *p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		abort();
	return p;
}

double *cr_abs(const double *a, size_t n)
{
	double *p = cr_dalloc(n);
	for (size_t i = 0; i < n; i++)
		p[i] = fabs(a[i]);
	return p;
}

static void fill(float *f, double *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		f[i] = (float)h_uniform(-1.0, 1.0);
		d[i] = f[i];
	}
}

void cr_init(conv_data *d, const conv_case *cs)
{
	memset(d, 0, sizeof *d);
	d->cs = *cs;
	d->cs.oh = (cs->h + 2 * cs->ph - cs->kh) / cs->sh + 1;
	d->cs.ow = (cs->w + 2 * cs->pw - cs->kw) / cs->sw + 1;
	d->nx = (size_t)cs->n * cs->c * cs->h * cs->w;
	d->nw = (size_t)cs->k * cs->c * cs->kh * cs->kw;
	d->ny = (size_t)cs->n * cs->k * d->cs.oh * d->cs.ow;
	d->x = h_alloc(d->nx * sizeof(float));
	d->w = h_alloc(d->nw * sizeof(float));
	d->b = h_alloc((size_t)cs->k * sizeof(float));
	d->dy = h_alloc(d->ny * sizeof(float));
	d->dx0 = h_alloc(d->nx * sizeof(float));
	d->xd = cr_dalloc(d->nx);
	d->wd = cr_dalloc(d->nw);
	d->bd = cr_dalloc((size_t)cs->k);
	d->dyd = cr_dalloc(d->ny);
	d->dx0d = cr_dalloc(d->nx);
	fill(d->x, d->xd, d->nx);
	fill(d->w, d->wd, d->nw);
	fill(d->b, d->bd, (size_t)cs->k);
	fill(d->dy, d->dyd, d->ny);
	if (cs->dx_mode == DX_ACCUMULATE)
		fill(d->dx0, d->dx0d, d->nx);
}

void cr_free(conv_data *d)
{
	float *f[] = { d->x, d->w, d->b, d->dy, d->dx0 };
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		H_BE->release(H_BE, f[i]);
	free(d->xd);
	free(d->wd);
	free(d->bd);
	free(d->dyd);
	free(d->dx0d);
}

void cr_run(const conv_data *d, conv_out *o)
{
	const conv_case *cs = &d->cs;
	nl_backend *be = H_BE;
	nl_node node;
	memset(&node, 0, sizeof node);
	node.kind = NL_CONV;
	node.kh = cs->kh; node.kw = cs->kw; node.sh = cs->sh; node.sw = cs->sw;
	node.ph = cs->ph; node.pw = cs->pw; node.out = cs->k;
	node.ninputs = 1;
	node.shape = h_shape4(1, cs->k, cs->oh, cs->ow);

	nl_step s;
	memset(&s, 0, sizeof s);
	s.node = &node;
	s.ninputs = 1;
	s.xs[0] = h_shape4(cs->n, cs->c, cs->h, cs->w);
	s.ys = h_shape4(cs->n, cs->k, cs->oh, cs->ow);
	s.x[0] = d->x;
	s.w = d->w;
	s.b = d->b;
	s.nw = d->nw;
	s.nb = (size_t)cs->k;
	s.fuse_relu = cs->fuse == FUSE_RELU;
	s.fuse_sigmoid = cs->fuse == FUSE_SIGMOID;

	size_t aux = 0, ws = 0;
	if (be->prepare(be, &s, &aux, &ws) != 0) {
		h_fail("prepare refused the step");
		abort();
	}
	if (ws > be->workspace_bytes) {
		be->release(be, be->workspace);
		be->workspace = h_alloc(ws);
		be->workspace_bytes = ws;
	}
	o->y = h_alloc(d->ny * sizeof(float));
	o->dw = h_alloc(d->nw * sizeof(float));
	o->db = h_alloc((size_t)cs->k * sizeof(float));
	o->dx = cs->dx_mode == DX_NULL ? NULL : h_alloc(d->nx * sizeof(float));
	/* Poison what backward must overwrite. */
	for (size_t i = 0; i < d->ny; i++)
		o->y[i] = 555.0f;
	for (size_t i = 0; i < d->nw; i++)
		o->dw[i] = 777.0f;
	for (int i = 0; i < cs->k; i++)
		o->db[i] = 777.0f;
	if (o->dx)
		for (size_t i = 0; i < d->nx; i++)
			o->dx[i] = cs->dx_mode == DX_ACCUMULATE ? d->dx0[i] : 555.0f;

	s.y = o->y;
	be->forward[NL_CONV](be, &s, 1);
	/* A copy: with a sigmoid fused, backward may write over dy. */
	float *dy = h_alloc(d->ny * sizeof(float));
	memcpy(dy, d->dy, d->ny * sizeof(float));
	s.dy = dy;
	s.dx[0] = o->dx;
	s.dx_accumulate[0] = cs->dx_mode == DX_ACCUMULATE;
	s.dw = o->dw;
	s.db = o->db;
	be->backward[NL_CONV](be, &s);
	be->unprepare(be, &s);
	H_BE->release(H_BE, dy);
}

void cr_out_free(conv_out *o)
{
	H_BE->release(H_BE, o->y);
	H_BE->release(H_BE, o->dx);
	H_BE->release(H_BE, o->dw);
	H_BE->release(H_BE, o->db);
	memset(o, 0, sizeof *o);
}

/* The input pixel under output (i, j) and kernel tap (u, v), or -1. */
static long tap(const conv_case *cs, int i, int j, int u, int v)
{
	int iy = i * cs->sh - cs->ph + u, ix = j * cs->sw - cs->pw + v;
	if (iy < 0 || iy >= cs->h || ix < 0 || ix >= cs->w)
		return -1;
	return (long)iy * cs->w + ix;
}

void cr_conv_forward(const conv_case *cs, const double *x, const double *w,
                     const double *b, double *y)
{
	const size_t plane = (size_t)cs->h * cs->w;
	for (int n = 0; n < cs->n; n++)
	for (int o = 0; o < cs->k; o++)
	for (int i = 0; i < cs->oh; i++)
	for (int j = 0; j < cs->ow; j++) {
		double acc = b ? b[o] : 0.0;
		for (int c = 0; c < cs->c; c++)
		for (int u = 0; u < cs->kh; u++)
		for (int v = 0; v < cs->kw; v++) {
			long t = tap(cs, i, j, u, v);
			if (t < 0)
				continue;
			acc += w[(((size_t)o * cs->c + c) * cs->kh + u) * cs->kw + v] *
			       x[((size_t)n * cs->c + c) * plane + (size_t)t];
		}
		y[(((size_t)n * cs->k + o) * cs->oh + i) * cs->ow + j] = acc;
	}
}

void cr_conv_backward(const conv_case *cs, const double *x, const double *w,
                      const double *dy, double *dx, double *dw, double *db)
{
	const size_t plane = (size_t)cs->h * cs->w;
	if (dx)
		memset(dx, 0, (size_t)cs->n * cs->c * plane * sizeof *dx);
	if (dw)
		memset(dw, 0, (size_t)cs->k * cs->c * cs->kh * cs->kw * sizeof *dw);
	if (db)
		memset(db, 0, (size_t)cs->k * sizeof *db);
	for (int n = 0; n < cs->n; n++)
	for (int o = 0; o < cs->k; o++)
	for (int i = 0; i < cs->oh; i++)
	for (int j = 0; j < cs->ow; j++) {
		double g = dy[(((size_t)n * cs->k + o) * cs->oh + i) * cs->ow + j];
		if (db)
			db[o] += g;
		for (int c = 0; c < cs->c; c++)
		for (int u = 0; u < cs->kh; u++)
		for (int v = 0; v < cs->kw; v++) {
			long t = tap(cs, i, j, u, v);
			if (t < 0)
				continue;
			size_t wi = (((size_t)o * cs->c + c) * cs->kh + u) * cs->kw + v;
			size_t xi = ((size_t)n * cs->c + c) * plane + (size_t)t;
			if (dx)
				dx[xi] += w[wi] * g;
			if (dw)
				dw[wi] += x[xi] * g;
		}
	}
}

double cr_check(const char *what, const float *got, const double *want,
                const double *bound, size_t n)
{
	double worst = 0.0;
	size_t bad = 0, at = 0;
	for (size_t i = 0; i < n; i++) {
		double err = fabs((double)got[i] - want[i]);
		double r = bound[i] > 0 ? err / bound[i] : (err > 0 ? INFINITY : 0.0);
		if (isnan(err))
			r = INFINITY;
		if (!(r <= 1.0))
			bad++;
		if (!(r <= worst)) {
			worst = r;
			at = i;
		}
	}
	if (bad)
		h_fail("%s: %zu of %zu values outside the bound, worst at %zu: got %.9g "
		       "want %.9g bound %.3g", what, bad, n, at, (double)got[at], want[at],
		       bound[at]);
	return worst;
}
