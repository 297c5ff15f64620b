/* conv.c - 2-D convolution with bias: im2col + one sgemm per chunk of images.
 *
 * Small feature maps (AlexNet's 13x13, VGG's 14x14) make a poor sgemm when
 * done one image at a time (N = 169 columns), so images are batched: a chunk
 * of nb images is unfolded side by side into col[K][nb*P] (K = C*kh*kw,
 * P = OH*OW) and one sgemm computes all their outputs, which are then
 * scattered back to NCHW.  nb is chosen so the sgemm has a few thousand
 * columns while the workspace stays bounded.  A 1x1 stride-1 unpadded
 * convolution of one image at a time needs no unfolding at all: the image
 * itself is the column matrix.
 *
 * Backward reuses the same workspace: per chunk, col = im2col(x) gives
 * dW += dY col^T, then col is overwritten by dcol = W^T dY and folded back
 * (col2im) into dx.
 *
 * Convolutions with few output channels (LeNet's 6 and 16) make sgemms with
 * M = OC rows, too thin to split well across threads and mostly spent
 * streaming a large shared column buffer.  Those go image-parallel instead:
 * each thread unfolds one of its own images at a time into a private
 * column buffer that stays in cache, runs a single-threaded sgemm straight
 * into y, and in backward accumulates a private dW that is summed in a
 * fixed order at the end (deterministic for a fixed thread count).
 */
#include <config.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#include <cblas.h>

#include "runtime/cpu/cpu.h"

/* Aim for this many sgemm columns per chunk ... */
#define CONV_TARGET_COLS 4096
/* ... without letting the workspace grow past this many floats (64 MiB). */
#define CONV_MAX_WS_FLOATS ((size_t)16 << 20)
/* Image-parallel below this many output channels ... */
#define CONV_THIN_OC 32
/* ... when one image's unfolding fits in a core's cache (floats). */
#define CONV_THIN_MAX_COL ((size_t)256 << 10)

typedef struct conv_geom {
	int n, c, h, w;          /* input */
	int oc, oh, ow;          /* output */
	int kh, kw, sh, sw, ph, pw;
	size_t K, P;             /* rows and columns per image of col */
	int nb;                  /* images per chunk */
	int direct;              /* 1x1, stride 1, no padding, nb == 1 */
	int per_image;           /* image-parallel (thin convolutions) */
	size_t thread_floats;    /* per_image: workspace per thread */
} conv_geom;

static int max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

static conv_geom conv_geometry(const nl_step *s)
{
	const nl_node *nd = s->node;
	conv_geom g;
	g.n = s->xs[0].n; g.c = s->xs[0].c; g.h = s->xs[0].h; g.w = s->xs[0].w;
	g.oc = s->ys.c; g.oh = s->ys.h; g.ow = s->ys.w;
	g.kh = nd->kh; g.kw = nd->kw; g.sh = nd->sh; g.sw = nd->sw;
	g.ph = nd->ph; g.pw = nd->pw;
	g.K = (size_t)g.c * (size_t)g.kh * (size_t)g.kw;
	g.P = (size_t)g.oh * (size_t)g.ow;

	size_t want = (CONV_TARGET_COLS + g.P - 1) / (g.P ? g.P : 1);
	/* One image already makes a wide enough sgemm (AlexNet's first layer,
	 * 54x54): sharing would only add the scatter to NCHW and back. */
	if (g.P >= CONV_TARGET_COLS / 2)
		want = 1;
	size_t per_image = (g.K + (size_t)g.oc) * g.P;
	size_t fit = per_image ? CONV_MAX_WS_FLOATS / per_image : 1;
	size_t nb = want < fit ? want : fit;
	if (nb > (size_t)g.n)
		nb = (size_t)g.n;
	if (nb < 1)
		nb = 1;
	g.nb = (int)nb;
	g.direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 &&
	           g.ph == 0 && g.pw == 0 && g.nb == 1;
	g.per_image = g.oc < CONV_THIN_OC && g.K * g.P <= CONV_THIN_MAX_COL;
	g.thread_floats = 0;
	if (g.per_image) {
		g.nb = 1;
		g.direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 &&
		           g.ph == 0 && g.pw == 0;
		/* Column buffer (none when direct) and a private dW, each
		 * rounded to a cache line so threads share none. */
		size_t col = g.direct ? 0 : (g.K * g.P + 15) / 16 * 16;
		g.thread_floats = col + (g.K * (size_t)g.oc + 15) / 16 * 16;
	}
	return g;
}

size_t nl_cpu_conv_workspace(const nl_step *s)
{
	conv_geom g = conv_geometry(s);
	if (g.per_image)
		return g.thread_floats * (size_t)max_threads() * sizeof(float);
	if (g.direct)
		return 0;
	/* col, plus the chunk's outputs (or output gradients) in [OC][nb*P]
	 * order when more than one image shares the sgemm. */
	size_t floats = g.K * (size_t)g.nb * g.P;
	if (g.nb > 1)
		floats += (size_t)g.oc * (size_t)g.nb * g.P;
	return floats * sizeof(float);
}

/* Output columns [lo, hi) whose input column o*s - p + k lies inside [0, w). */
static void valid_range(int out, int s, int p, int k, int w, int *lo, int *hi)
{
	/* o*s - p + k >= 0  <=>  o >= ceil((p - k) / s) */
	int a = p - k;
	int l = a <= 0 ? 0 : (a + s - 1) / s;
	/* o*s - p + k <= w - 1  <=>  o <= floor((w - 1 + p - k) / s) */
	int b = w - 1 + p - k;
	int h = b < 0 ? 0 : b / s + 1;
	if (h > out)
		h = out;
	if (l > h)
		l = h;
	*lo = l;
	*hi = h;
}

/* col[r][b*P + oy*OW + ox] for images n0 .. n0+nb-1, rows r = (c, i, j). */
static void im2col(const conv_geom *g, const float *x, int n0, int nb, float *col)
{
	const size_t K = g->K, P = g->P, cols = (size_t)nb * P;
	const size_t plane = (size_t)g->h * (size_t)g->w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (!g->per_image && K * cols > NL_CPU_PAR_MIN)
#endif
	for (size_t r = 0; r < K; r++) {
		int c = (int)(r / ((size_t)g->kh * g->kw));
		int i = (int)(r / g->kw % g->kh);
		int j = (int)(r % g->kw);
		int xlo, xhi;
		valid_range(g->ow, g->sw, g->pw, j, g->w, &xlo, &xhi);
		for (int b = 0; b < nb; b++) {
			const float *xp = x + ((size_t)(n0 + b) * g->c + c) * plane;
			float *dst = col + r * cols + (size_t)b * P;
			for (int oy = 0; oy < g->oh; oy++, dst += g->ow) {
				int iy = oy * g->sh - g->ph + i;
				if (iy < 0 || iy >= g->h) {
					memset(dst, 0, (size_t)g->ow * sizeof *dst);
					continue;
				}
				const float *src = xp + (size_t)iy * g->w - g->pw + j;
				for (int ox = 0; ox < xlo; ox++)
					dst[ox] = 0.0f;
				if (g->sw == 1) {
					memcpy(dst + xlo, src + xlo, (size_t)(xhi - xlo) * sizeof *dst);
				} else {
					for (int ox = xlo; ox < xhi; ox++)
						dst[ox] = src[(size_t)ox * g->sw];
				}
				for (int ox = xhi; ox < g->ow; ox++)
					dst[ox] = 0.0f;
			}
		}
	}
}

/* One image's columns, col[r][oy*OW + ox], for the image-parallel path:
 * no threads of its own, and short rows (LeNet's are 10 and 28 floats)
 * copied by inline SIMD loops rather than a memcpy call per row, which
 * cost more than the copy. */
static void im2col_image(const conv_geom *g, const float *xi, float *col)
{
	const size_t plane = (size_t)g->h * (size_t)g->w;
	const int ow = g->ow;
	float *dst = col;
	for (int c = 0; c < g->c; c++) {
		const float *xp = xi + (size_t)c * plane;
		for (int i = 0; i < g->kh; i++) {
			for (int j = 0; j < g->kw; j++) {
				int xlo, xhi;
				valid_range(ow, g->sw, g->pw, j, g->w, &xlo, &xhi);
				for (int oy = 0; oy < g->oh; oy++, dst += ow) {
					int iy = oy * g->sh - g->ph + i;
					if (iy < 0 || iy >= g->h) {
#ifdef _OPENMP
#pragma omp simd
#endif
						for (int ox = 0; ox < ow; ox++)
							dst[ox] = 0.0f;
						continue;
					}
					const float *src = xp + (ptrdiff_t)iy * g->w - g->pw + j;
					for (int ox = 0; ox < xlo; ox++)
						dst[ox] = 0.0f;
					if (g->sw == 1) {
#ifdef _OPENMP
#pragma omp simd
#endif
						for (int ox = xlo; ox < xhi; ox++)
							dst[ox] = src[ox];
					} else {
						for (int ox = xlo; ox < xhi; ox++)
							dst[ox] = src[(ptrdiff_t)ox * g->sw];
					}
					for (int ox = xhi; ox < ow; ox++)
						dst[ox] = 0.0f;
				}
			}
		}
	}
}

/* The fold of one image's columns into its dx (written, or added to). */
static void col2im_image(const conv_geom *g, const float *col, float *dxi,
                         int accumulate)
{
	const size_t plane = (size_t)g->h * (size_t)g->w;
	const int ow = g->ow;
	if (!accumulate)
		memset(dxi, 0, (size_t)g->c * plane * sizeof *dxi);
	const float *src = col;
	for (int c = 0; c < g->c; c++) {
		float *xp = dxi + (size_t)c * plane;
		for (int i = 0; i < g->kh; i++) {
			for (int j = 0; j < g->kw; j++) {
				int xlo, xhi;
				valid_range(ow, g->sw, g->pw, j, g->w, &xlo, &xhi);
				for (int oy = 0; oy < g->oh; oy++, src += ow) {
					int iy = oy * g->sh - g->ph + i;
					if (iy < 0 || iy >= g->h)
						continue;
					float *dst = xp + (ptrdiff_t)iy * g->w - g->pw + j;
					if (g->sw == 1) {
#ifdef _OPENMP
#pragma omp simd
#endif
						for (int ox = xlo; ox < xhi; ox++)
							dst[ox] += src[ox];
					} else {
						for (int ox = xlo; ox < xhi; ox++)
							dst[(ptrdiff_t)ox * g->sw] += src[ox];
					}
				}
			}
		}
	}
}

/* dx[n0+b][c] (+)= the fold of col's rows for channel c.  One task per
 * (image, channel) so no two threads touch the same plane. */
static void col2im(const conv_geom *g, const float *col, int n0, int nb,
                   float *dx, int accumulate)
{
	const size_t P = g->P, cols = (size_t)nb * P;
	const size_t plane = (size_t)g->h * (size_t)g->w;
	const size_t tasks = (size_t)nb * (size_t)g->c;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (!g->per_image && g->K * cols > NL_CPU_PAR_MIN)
#endif
	for (size_t t = 0; t < tasks; t++) {
		int b = (int)(t / (size_t)g->c);
		int c = (int)(t % (size_t)g->c);
		float *xp = dx + ((size_t)(n0 + b) * g->c + c) * plane;
		if (!accumulate)
			memset(xp, 0, plane * sizeof *xp);
		for (int i = 0; i < g->kh; i++) {
			for (int j = 0; j < g->kw; j++) {
				size_t r = ((size_t)c * g->kh + i) * g->kw + j;
				const float *src = col + r * cols + (size_t)b * P;
				int xlo, xhi;
				valid_range(g->ow, g->sw, g->pw, j, g->w, &xlo, &xhi);
				for (int oy = 0; oy < g->oh; oy++, src += g->ow) {
					int iy = oy * g->sh - g->ph + i;
					if (iy < 0 || iy >= g->h)
						continue;
					float *dst = xp + (size_t)iy * g->w - g->pw + j;
					if (g->sw == 1) {
						for (int ox = xlo; ox < xhi; ox++)
							dst[ox] += src[ox];
					} else {
						for (int ox = xlo; ox < xhi; ox++)
							dst[(size_t)ox * g->sw] += src[ox];
					}
				}
			}
		}
	}
}

/* Threads the image-parallel path may use: no more than the workspace was
 * sized for (the thread count could have grown since prepare). */
static int per_image_threads(const nl_backend *be, const conv_geom *g)
{
	int t = max_threads();
	size_t bytes = g->thread_floats * sizeof(float);
	size_t fit = bytes ? be->workspace_bytes / bytes : 0;
	if ((size_t)t > fit)
		t = (int)fit;
	if (t > g->n)
		t = g->n;
	return t < 1 ? 1 : t;
}

static void forward_per_image(nl_backend *be, nl_step *s, const conv_geom *g)
{
	const float *x = s->x[0], *w = s->w, *bias = s->b;
	float *y = s->y;
	const int OC = g->oc, K = (int)g->K, P = (int)g->P;
	float *ws = be->workspace;
	const int nt = per_image_threads(be, g);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
	{
#ifdef _OPENMP
		int t = omp_get_thread_num(), tn = omp_get_num_threads();
#else
		int t = 0, tn = 1;
#endif
		float *col = ws + (size_t)t * g->thread_floats;
		int lo = (int)((long)g->n * t / tn), hi = (int)((long)g->n * (t + 1) / tn);
		for (int i = lo; i < hi; i++) {
			const float *a = x + (size_t)i * g->K * g->P;
			if (!g->direct) {
				im2col_image(g, x + (size_t)i * g->c * g->h * g->w, col);
				a = col;
			}
			float *yp = y + (size_t)i * OC * g->P;
			/* Start each row from the bias, so the sgemm adds to it
			 * in one pass (beta = 1) instead of a second sweep. */
			for (int o = 0; o < OC; o++) {
				float bo = bias[o];
				float *row = yp + (size_t)o * g->P;
				for (int p = 0; p < P; p++)
					row[p] = bo;
			}
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
			            OC, P, K, 1.0f, w, K, a, P, 1.0f, yp, P);
		}
	}
}

static void backward_per_image(nl_backend *be, nl_step *s, const conv_geom *g)
{
	const float *x = s->x[0], *dy = s->dy, *w = s->w;
	float *dx = s->dx[0], *dw = s->dw, *db = s->db;
	const int OC = g->oc, K = (int)g->K, P = (int)g->P;
	const size_t nw = (size_t)OC * g->K;
	const int acc = s->dx_accumulate[0];
	float *ws = be->workspace;
	const int nt = per_image_threads(be, g);
	const size_t col_floats = g->direct ? 0 : (g->K * g->P + 15) / 16 * 16;

	/* db[o] = sum over images and pixels of dy: a short pass of its own,
	 * one channel a task, the same order whatever the thread count. */
	if (db) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
#endif
		for (int o = 0; o < OC; o++) {
			double sum = 0.0;
			for (int n = 0; n < g->n; n++) {
				const float *row = dy + ((size_t)n * OC + o) * g->P;
				float part = 0.0f;
				for (int p = 0; p < P; p++)
					part += row[p];
				sum += part;
			}
			db[o] = (float)sum;
		}
	}

#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
	{
#ifdef _OPENMP
		int t = omp_get_thread_num(), tn = omp_get_num_threads();
#else
		int t = 0, tn = 1;
#endif
		float *col = ws + (size_t)t * g->thread_floats;
		/* Thread 0 accumulates into dw itself, the others privately. */
		float *dwt = t == 0 ? dw : col + col_floats;
		int lo = (int)((long)g->n * t / tn), hi = (int)((long)g->n * (t + 1) / tn);
		if (dw && lo == hi)
			memset(dwt, 0, nw * sizeof *dwt);
		for (int i = lo; i < hi; i++) {
			const float *dyi = dy + (size_t)i * OC * g->P;
			const float *a = x + (size_t)i * g->K * g->P;
			if (dw) {
				if (!g->direct) {
					im2col_image(g, x + (size_t)i * g->c * g->h * g->w, col);
					a = col;
				}
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
				            OC, K, P, 1.0f, dyi, P, a, P,
				            i == lo ? 0.0f : 1.0f, dwt, K);
			}
			if (!dx)
				continue;
			/* Direct (1x1): the image is its own column matrix, so
			 * the image's dx is K x P, as is x's. */
			float *dxi = dx + (size_t)i * g->c * g->h * g->w;
			if (g->direct) {
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				            K, P, OC, 1.0f, w, K, dyi, P,
				            acc ? 1.0f : 0.0f, dxi, P);
			} else {
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				            K, P, OC, 1.0f, w, K, dyi, P, 0.0f, col, P);
				col2im_image(g, col, dxi, acc);
			}
		}
		if (dw && tn > 1) {
			/* dw += the other threads' partial sums, in thread order,
			 * each thread summing its own slice of the weights. */
#ifdef _OPENMP
#pragma omp barrier
#endif
			size_t wlo = nw * (size_t)t / (size_t)tn;
			size_t whi = nw * (size_t)(t + 1) / (size_t)tn;
			for (int u = 1; u < tn; u++) {
				const float *part = ws + (size_t)u * g->thread_floats + col_floats;
				for (size_t j = wlo; j < whi; j++)
					dw[j] += part[j];
			}
		}
	}
}

void nl_cpu_conv_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	conv_geom g = conv_geometry(s);
	const float *x = s->x[0];
	float *y = s->y;
	const size_t P = g.P, OC = (size_t)g.oc, K = g.K;
	float *col = be->workspace;
	float *tmp = col ? col + K * (size_t)g.nb * P : NULL;

	if (g.per_image) {
		forward_per_image(be, s, &g);
		return;
	}
	for (int n0 = 0; n0 < g.n; n0 += g.nb) {
		int nb = g.n - n0 < g.nb ? g.n - n0 : g.nb;
		size_t cols = (size_t)nb * P;
		const float *a;
		if (g.direct) {
			a = x + (size_t)n0 * K * P;
		} else {
			im2col(&g, x, n0, nb, col);
			a = col;
		}
		if (g.nb == 1) {
			float *yp = y + (size_t)n0 * OC * P;
			nl_cpu_sgemm(0, 0,
			            (int)OC, (int)P, (int)K, 1.0f, s->w, (int)K,
			            a, (int)P, 0.0f, yp, (int)P);
			const float *bias = s->b;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (OC * P > NL_CPU_PAR_MIN)
#endif
			for (size_t o = 0; o < OC; o++) {
				float bo = bias[o];
				float *row = yp + o * P;
				for (size_t p = 0; p < P; p++)
					row[p] += bo;
			}
		} else {
			nl_cpu_sgemm(0, 0,
			            (int)OC, (int)cols, (int)K, 1.0f, s->w, (int)K,
			            a, (int)cols, 0.0f, tmp, (int)cols);
			const float *bias = s->b;
			size_t tasks = (size_t)nb * OC;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (OC * cols > NL_CPU_PAR_MIN)
#endif
			for (size_t t = 0; t < tasks; t++) {
				size_t b = t / OC, o = t % OC;
				const float *src = tmp + o * cols + b * P;
				float *dst = y + ((size_t)(n0 + b) * OC + o) * P;
				float bo = bias[o];
				for (size_t p = 0; p < P; p++)
					dst[p] = src[p] + bo;
			}
		}
	}
}

void nl_cpu_conv_backward(nl_backend *be, nl_step *s)
{
	conv_geom g = conv_geometry(s);
	const float *x = s->x[0], *dy = s->dy;
	float *dx = s->dx[0];
	const size_t P = g.P, OC = (size_t)g.oc, K = g.K;
	float *col = be->workspace;
	float *tmp = col ? col + K * (size_t)g.nb * P : NULL;

	if (g.per_image) {
		backward_per_image(be, s, &g);
		return;
	}
	/* db[o] = sum over images and pixels of dy, one channel a task. */
	if (s->db) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (OC * P * (size_t)g.n > NL_CPU_PAR_MIN)
#endif
		for (size_t o = 0; o < OC; o++) {
			double acc = 0.0;
			for (int n = 0; n < g.n; n++) {
				const float *row = dy + ((size_t)n * OC + o) * P;
				float part = 0.0f;
				for (size_t p = 0; p < P; p++)
					part += row[p];
				acc += part;
			}
			s->db[o] = (float)acc;
		}
	}

	for (int n0 = 0; n0 < g.n; n0 += g.nb) {
		int nb = g.n - n0 < g.nb ? g.n - n0 : g.nb;
		size_t cols = (size_t)nb * P;
		float beta = n0 == 0 ? 0.0f : 1.0f;

		/* dY of the chunk as [OC][cols]. */
		const float *dyc;
		if (g.nb == 1) {
			dyc = dy + (size_t)n0 * OC * P;
		} else {
			size_t tasks = (size_t)nb * OC;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (OC * cols > NL_CPU_PAR_MIN)
#endif
			for (size_t t = 0; t < tasks; t++) {
				size_t b = t / OC, o = t % OC;
				memcpy(tmp + o * cols + b * P,
				       dy + ((size_t)(n0 + b) * OC + o) * P, P * sizeof *tmp);
			}
			dyc = tmp;
		}

		const float *a;
		if (g.direct) {
			a = x + (size_t)n0 * K * P;
		} else {
			im2col(&g, x, n0, nb, col);
			a = col;
		}
		if (s->dw)
			nl_cpu_sgemm(0, 1,
			            (int)OC, (int)K, (int)cols, 1.0f, dyc, (int)cols,
			            a, (int)cols, beta, s->dw, (int)K);
		if (!dx)
			continue;
		if (g.direct) {
			float *dxp = dx + (size_t)n0 * K * P;
			nl_cpu_sgemm(1, 0,
			            (int)K, (int)P, (int)OC, 1.0f, s->w, (int)K,
			            dyc, (int)P, s->dx_accumulate[0] ? 1.0f : 0.0f,
			            dxp, (int)P);
		} else {
			nl_cpu_sgemm(1, 0,
			            (int)K, (int)cols, (int)OC, 1.0f, s->w, (int)K,
			            dyc, (int)cols, 0.0f, col, (int)cols);
			col2im(&g, col, n0, nb, dx, s->dx_accumulate[0]);
		}
	}
}
