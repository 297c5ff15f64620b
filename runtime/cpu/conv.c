/* conv.c - 2-D convolution with bias: the choice of algorithm per layer, and
 * the im2col + sgemm one.
 *
 * prepare() picks, once per layer, how each of forward, backward-data and
 * backward-filter runs (conv_choose below): Winograd (winograd.c) for
 * stride-1 3x3 and 5x5 layers with enough channels on both sides to keep
 * its products busy, im2col + sgemm for the rest.  The choice depends on
 * the shapes only, so it is the same on every run; NL_CPU_CONV=im2col or
 * =winograd in the environment overrides it where the layer allows (for
 * benchmarks and tests).
 *
 * When the plan fuses a following ReLU into the step (s->fuse_relu), every
 * path writes relu(conv + b) in its output pass and masks dy by y > 0 as
 * it reads it in backward.  A fused sigmoid (s->fuse_sigmoid) is computed
 * the same way by lanes.c; the other paths run the sigmoid's own passes
 * over y and dy in place, which is what the unfused steps would do.
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
 * Where the layer has stride 1 (LeNet's), their forward pass and weight
 * gradient skip the unfolding: direct.c reads each image in place
 * (NL_CPU_CONV=im2col keeps the unfolding, for tests and benchmarks).
 * With a batch that gives every thread a vector of images or more, all
 * three passes go to lanes.c instead, which computes a vector of images
 * at once, so that no lane idles on a row shorter than a vector and the
 * data gradient needs no unfolding either (NL_CPU_CONV=lanes or =direct
 * forces one or the other).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#include <cblas.h>

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/direct.h"
#include "runtime/cpu/lanes.h"
#include "runtime/cpu/winograd.h"

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
	int fuse;                /* relu(conv + b); dy masked by y > 0 */
	int sigmoid;             /* sigmoid(conv + b); dy times y (1 - y) */
	size_t thread_floats;    /* per_image: workspace per thread */
	size_t mask_at;          /* per_image: offset of the masked dy in it */
	int dforward;            /* per_image: the forward pass direct (direct.c) */
	int lanes;               /* per_image: every pass a vector of images at once (lanes.c) */
	nl_direct_geom dg;
	size_t pack_floats;      /* per_image: packed weights, before the threads' */
	size_t col_floats;       /* per_image: the column buffer, first in each */
	size_t filt_at;          /* per_image, dforward: the weight gradient's buffer */
} conv_geom;

static int max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

/* shared: never the image-parallel path (a pass that another algorithm
 * leaves to im2col runs on the shared one). */
static conv_geom conv_geometry_of(const nl_step *s, int shared)
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
	g.per_image = !shared && g.oc < CONV_THIN_OC && g.K * g.P <= CONV_THIN_MAX_COL;
	g.fuse = s->fuse_relu != 0;
	g.sigmoid = s->fuse_sigmoid != 0;
	g.thread_floats = 0;
	g.mask_at = 0;
	g.dforward = 0;
	g.lanes = 0;
	g.pack_floats = 0;
	g.col_floats = 0;
	g.filt_at = 0;
	g.dg = (nl_direct_geom){ g.c, g.h, g.w, g.oc, g.oh, g.ow, g.kh, g.kw, g.ph, g.pw };
	if (g.per_image) {
		g.nb = 1;
		g.direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 &&
		           g.ph == 0 && g.pw == 0;
		/* Stride 1: the forward pass and the weight gradient go
		 * direct (direct.c), the forward's buffer in the column
		 * buffer's place, which the data pass still uses. */
		const char *force = getenv("NL_CPU_CONV");
		g.dforward = g.sh == 1 && g.sw == 1 && !g.direct && nl_cpu_direct_applies(&g.dg) &&
		             !(force && strcmp(force, "im2col") == 0);
		/* Column buffer (none when direct) and a private dW, each
		 * rounded to a cache line so threads share none. */
		size_t col = g.direct ? 0 : g.K * g.P;
		if (g.dforward) {
			size_t f = nl_cpu_direct_thread_floats(&g.dg);
			if (f > col)
				col = f;
			g.pack_floats = (nl_cpu_direct_pack_floats(&g.dg) + 15) / 16 * 16;
		}
		g.col_floats = (col + 15) / 16 * 16;
		g.mask_at = g.col_floats + (g.K * (size_t)g.oc + 15) / 16 * 16;
		/* ... and, when fused with a ReLU, the image's masked dy ... */
		g.thread_floats = g.mask_at + (g.fuse ? ((size_t)g.oc * g.P + 15) / 16 * 16 : 0);
		/* ... and the direct weight gradient's sums, kept across images */
		if (g.dforward) {
			g.filt_at = g.thread_floats;
			g.thread_floats += (nl_cpu_direct_filter_floats(&g.dg) + 15) / 16 * 16;
		}
		/* A batch that gives each thread a vector of images or more
		 * goes through lanes.c, every pass, in buffers of its own
		 * (NL_CPU_CONV=lanes or =direct forces the choice). */
		const int vl = nl_cpu_lanes();
		if (g.dforward && vl > 0) {
			if (force && strcmp(force, "lanes") == 0)
				g.lanes = 1;
			else if (!(force && strcmp(force, "direct") == 0))
				g.lanes = g.n >= vl * max_threads();
		}
		/* Room for either, so that the one-image path fits a
		 * workspace sized when lanes.c was chosen (tests change the
		 * instruction set between steps). */
		if (g.lanes) {
			size_t pack = (nl_cpu_lanes_shared_floats(&g.dg) + 15) / 16 * 16;
			size_t thread = (nl_cpu_lanes_thread_floats(&g.dg) + 15) / 16 * 16;
			if (pack > g.pack_floats)
				g.pack_floats = pack;
			if (thread > g.thread_floats)
				g.thread_floats = thread;
		}
	}
	return g;
}

static conv_geom conv_geometry(const nl_step *s)
{
	return conv_geometry_of(s, 0);
}

/* The workspace of the im2col path. */
static size_t im2col_workspace(const conv_geom *g)
{
	if (g->per_image)
		return (g->pack_floats + g->thread_floats * (size_t)max_threads()) * sizeof(float);
	/* col (none when direct), plus the chunk's outputs (or output
	 * gradients) in [OC][nb*P] order when more than one image shares the
	 * sgemm or dy must be masked on the way. */
	size_t floats = g->direct ? 0 : g->K * (size_t)g->nb * g->P;
	if (g->nb > 1 || g->fuse)
		floats += (size_t)g->oc * (size_t)g->nb * g->P;
	return floats * sizeof(float);
}

/* ---- the choice of algorithm ---- */

enum { CONV_IM2COL, CONV_WINOGRAD };

/* What prepare() decided, kept in s->priv. */
typedef struct conv_algos {
	int forward, data, filter;
} conv_algos;

/* Winograd's products are (output channels x input channels) by (input
 * channels x tiles) per transformed position; with fewer than this many
 * channels on either side the transforms, which do not shrink with them,
 * cost more than the multiplications they save (LeNet's 6 and 16). */
#define WG_MIN_CHANNELS 16

/* Whether Winograd pays for this layer, from its shape (measured with
 * bench/conv_bench, one thread, CPU time, on the example networks'
 * layers): 3x3 stride-1 layers with 16 or more channels on both sides ran
 * 1.3x (64 -> 128 channels at 112x112) to 2x (64 at 24x24, 512 at 14x14)
 * faster than im2col in each pass, as long as the 16-image columns are
 * mostly full: a batch of 4 fills a quarter of each and ran 2.4x slower.
 * F(2x2, 5x5), since its filters are packed a panel at a time, beats
 * im2col too: AlexNet's 5x5 layer (96 -> 256 at 26x26, batch 32 and 128)
 * 2x in forward and backward-data, 1.4-1.6x in backward-filter, in a
 * third of the workspace; GoogLeNet-sized ones (16 -> 32 at 28x28, 32 ->
 * 64 at 14x14) 1.9-2.4x and 0.96-1.13x. */
static int winograd_pays(const nl_step *s)
{
	const int n = s->xs[0].n;
	const int lanes = (n + NL_WG_LANES - 1) / NL_WG_LANES * NL_WG_LANES;
	return s->xs[0].c >= WG_MIN_CHANNELS &&
	       s->ys.c >= WG_MIN_CHANNELS && 4 * n >= 3 * lanes;
}

static conv_algos conv_choose(const nl_step *s)
{
	conv_algos a = { CONV_IM2COL, CONV_IM2COL, CONV_IM2COL };
	if (!nl_cpu_wg_applies(s))
		return a;
	int wg = winograd_pays(s);
	const char *force = getenv("NL_CPU_CONV");
	if (force && strcmp(force, "winograd") == 0)
		wg = 1;
	else if (force && strcmp(force, "im2col") == 0)
		wg = 0;
	if (wg)
		a.forward = a.data = a.filter = CONV_WINOGRAD;
	return a;
}

int nl_cpu_conv_prepare(nl_step *s, size_t *workspace_bytes)
{
	conv_algos *a = malloc(sizeof *a);
	if (!a) {
		fprintf(stderr, "netlang: out of memory preparing a convolution\n");
		return -1;
	}
	*a = conv_choose(s);
	s->priv = a;
	const int all = a->forward == CONV_IM2COL && a->data == CONV_IM2COL &&
	                a->filter == CONV_IM2COL;
	const int some = a->forward == CONV_IM2COL || a->data == CONV_IM2COL ||
	                 a->filter == CONV_IM2COL;
	size_t ws = 0;
	if (some) {
		conv_geom g = conv_geometry(s);
		ws = im2col_workspace(&g);
		if (!all && g.per_image) {
			/* the passes left over run on the shared path */
			conv_geom sg = conv_geometry_of(s, 1);
			size_t w = im2col_workspace(&sg);
			if (w > ws)
				ws = w;
		}
	}
	if (a->forward == CONV_WINOGRAD || a->data == CONV_WINOGRAD || a->filter == CONV_WINOGRAD) {
		size_t w = nl_cpu_wg_workspace(s);
		if (w > ws)
			ws = w;
	}
	*workspace_bytes = ws;
	return 0;
}

void nl_cpu_conv_unprepare(nl_step *s)
{
	free(s->priv);
	s->priv = NULL;
}

/* The step's choice (made now when prepare() never ran). */
static conv_algos algos_of(const nl_step *s)
{
	return s->priv ? *(const conv_algos *)s->priv : conv_choose(s);
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
	size_t pack = g->pack_floats * sizeof(float);
	size_t room = be->workspace_bytes > pack ? be->workspace_bytes - pack : 0;
	size_t fit = bytes ? room / bytes : 0;
	if ((size_t)t > fit)
		t = (int)fit;
	if (t > g->n)
		t = g->n;
	return t < 1 ? 1 : t;
}

/* y = max(y, 0), keeping a NaN, over one thread's output. */
static void relu_inplace(float *y, size_t n)
{
#ifdef _OPENMP
#pragma omp simd
#endif
	for (size_t i = 0; i < n; i++)
		y[i] = y[i] < 0.0f ? 0.0f : y[i];
}

/* dst = y > 0 ? dy : 0 (the gradient through a fused ReLU).  dy is read
 * unconditionally, so that this is a vector select and not a branch on
 * the sign (see nl_cpu_relu_backward). */
static void mask_copy(float *dst, const float *dy, const float *y, size_t n)
{
#ifdef _OPENMP
#pragma omp simd
#endif
	for (size_t i = 0; i < n; i++) {
		float g = dy[i];
		dst[i] = y[i] > 0.0f ? g : 0.0f;
	}
}

/* db[o] = sum over images and pixels of dy (masked by y > 0 when fused),
 * one channel a task, the same order whatever the thread count. */
static void bias_grad(const nl_step *s, const conv_geom *g, int threads)
{
	const float *dy = s->dy, *y = g->fuse ? s->y : NULL;
	const int OC = g->oc;
	const size_t P = g->P;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads) \
	if (threads > 1 && (size_t)OC * P * (size_t)g->n > NL_CPU_PAR_MIN)
#else
	(void)threads;
#endif
	for (int o = 0; o < OC; o++) {
		double sum = 0.0;
		for (int n = 0; n < g->n; n++) {
			size_t at = ((size_t)n * OC + (size_t)o) * P;
			const float *row = dy + at;
			/* Lanes of float sums (a single add chain waits on each
			 * add's latency: 5% of LeNet's step), double across
			 * images, as batchnorm sums. */
			float part = 0.0f;
			if (y) {
				const float *yr = y + at;
#ifdef _OPENMP
#pragma omp simd reduction(+ : part)
#endif
				for (size_t p = 0; p < P; p++) {
					float g = row[p];   /* read always: no branch */
					part += yr[p] > 0.0f ? g : 0.0f;
				}
			} else {
#ifdef _OPENMP
#pragma omp simd reduction(+ : part)
#endif
				for (size_t p = 0; p < P; p++)
					part += row[p];
			}
			sum += part;
		}
		s->db[o] = (float)sum;
	}
}

/* The activation lanes.c folds in. */
static int lanes_act(const conv_geom *g)
{
	return g->fuse ? NL_LANES_RELU : g->sigmoid ? NL_LANES_SIGMOID : NL_LANES_LINEAR;
}

static void forward_per_image(nl_backend *be, nl_step *s, const conv_geom *g)
{
	const float *x = s->x[0], *w = s->w, *bias = s->b;
	float *y = s->y;
	const int OC = g->oc, K = (int)g->K, P = (int)g->P;
	float *wpk = be->workspace, *ws = wpk + g->pack_floats;
	const int nt = per_image_threads(be, g);
	const size_t xsize = (size_t)g->c * g->h * g->w;
	if (g->lanes) {
		nl_cpu_lanes_forward(&g->dg, g->n, x, w, bias, y, lanes_act(g), wpk, ws,
		                     g->thread_floats, nt);
		return;
	}
	if (g->dforward)
		nl_cpu_direct_pack(&g->dg, w, wpk);
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
		if (g->dforward && lo < hi)
			nl_cpu_direct_begin(&g->dg, col);
		for (int i = lo; i < hi; i++) {
			float *yp = y + (size_t)i * OC * g->P;
			if (g->dforward) {
				nl_cpu_direct_image(&g->dg, wpk, bias, x + (size_t)i * xsize, yp,
				                    g->fuse, col);
				continue;
			}
			const float *a = x + (size_t)i * g->K * g->P;
			if (!g->direct) {
				im2col_image(g, x + (size_t)i * xsize, col);
				a = col;
			}
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
			if (g->fuse)
				relu_inplace(yp, (size_t)OC * g->P);
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
	float *ws = (float *)be->workspace + g->pack_floats;
	const int nt = per_image_threads(be, g);
	const size_t col_floats = g->col_floats;
	const size_t xsize = (size_t)g->c * g->h * g->w;

	if (g->lanes) {
		nl_cpu_lanes_backward(&g->dg, g->n, x, s->y, lanes_act(g), dy, w, dw, db, dx, acc,
		                      be->workspace, ws, g->thread_floats, nt);
		return;
	}
	if (db)
		bias_grad(s, g, nt);

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
		float *fbuf = col + g->filt_at;
		if (dw && lo == hi)
			memset(dwt, 0, nw * sizeof *dwt);
		if (dw && g->dforward && lo < hi)
			nl_cpu_direct_filter_begin(&g->dg, fbuf);
		for (int i = lo; i < hi; i++) {
			const float *dyi = dy + (size_t)i * OC * g->P;
			const float *a = x + (size_t)i * g->K * g->P;
			if (g->fuse) {
				float *m = col + g->mask_at;
				mask_copy(m, dyi, s->y + (size_t)i * OC * g->P, (size_t)OC * g->P);
				dyi = m;
			}
			if (dw && g->dforward) {
				nl_cpu_direct_filter_image(&g->dg, x + (size_t)i * xsize, dyi, fbuf);
			} else if (dw) {
				if (!g->direct) {
					im2col_image(g, x + (size_t)i * xsize, col);
					a = col;
				}
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
				            OC, K, P, 1.0f, dyi, P, a, P,
				            i == lo ? 0.0f : 1.0f, dwt, K);
			}
			if (!dx)
				continue;
			float *dxi = dx + (size_t)i * xsize;
			if (g->direct) {
				/* Direct (1x1): the image is its own column matrix, so
				 * the image's dx is K x P, as is x's. */
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				            K, P, OC, 1.0f, w, K, dyi, P,
				            acc ? 1.0f : 0.0f, dxi, P);
			} else {
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				            K, P, OC, 1.0f, w, K, dyi, P, 0.0f, col, P);
				col2im_image(g, col, dxi, acc);
			}
		}
		if (dw && g->dforward && lo < hi)
			nl_cpu_direct_filter_end(&g->dg, fbuf, dwt);
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

static void im2col_forward(nl_backend *be, nl_step *s, const conv_geom *gp)
{
	const conv_geom g = *gp;
	const float *x = s->x[0];
	float *y = s->y;
	const size_t P = g.P, OC = (size_t)g.oc, K = g.K;
	float *col = be->workspace;
	float *tmp = col + (g.direct ? 0 : K * (size_t)g.nb * P);
	const int relu = g.fuse;

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
				if (relu)
					for (size_t p = 0; p < P; p++) {
						float v = row[p] + bo;
						row[p] = v < 0.0f ? 0.0f : v;
					}
				else
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
				if (relu)
					for (size_t p = 0; p < P; p++) {
						float v = src[p] + bo;
						dst[p] = v < 0.0f ? 0.0f : v;
					}
				else
					for (size_t p = 0; p < P; p++)
						dst[p] = src[p] + bo;
			}
		}
	}
}

/* dW (when dw is not NULL) and dx (when dx is not NULL) by im2col; db is
 * the caller's. */
static void im2col_backward(nl_backend *be, nl_step *s, const conv_geom *gp,
                            float *dw, float *dx)
{
	const conv_geom g = *gp;
	const float *x = s->x[0], *dy = s->dy;
	const size_t P = g.P, OC = (size_t)g.oc, K = g.K;
	float *col = be->workspace;
	float *tmp = col + (g.direct ? 0 : K * (size_t)g.nb * P);

	for (int n0 = 0; n0 < g.n; n0 += g.nb) {
		int nb = g.n - n0 < g.nb ? g.n - n0 : g.nb;
		size_t cols = (size_t)nb * P;
		float beta = n0 == 0 ? 0.0f : 1.0f;

		/* dY of the chunk as [OC][cols], masked when fused. */
		const float *dyc;
		if (g.nb == 1 && !g.fuse) {
			dyc = dy + (size_t)n0 * OC * P;
		} else {
			size_t tasks = (size_t)nb * OC;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (OC * cols > NL_CPU_PAR_MIN)
#endif
			for (size_t t = 0; t < tasks; t++) {
				size_t b = t / OC, o = t % OC;
				size_t at = ((size_t)(n0 + b) * OC + o) * P;
				if (g.fuse)
					mask_copy(tmp + o * cols + b * P, dy + at, s->y + at, P);
				else
					memcpy(tmp + o * cols + b * P, dy + at, P * sizeof *tmp);
			}
			dyc = tmp;
		}

		if (dw) {
			const float *a;
			if (g.direct) {
				a = x + (size_t)n0 * K * P;
			} else {
				im2col(&g, x, n0, nb, col);
				a = col;
			}
			nl_cpu_sgemm(0, 1,
			            (int)OC, (int)K, (int)cols, 1.0f, dyc, (int)cols,
			            a, (int)cols, beta, dw, (int)K);
		}
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

void nl_cpu_conv_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	conv_geom g = conv_geometry(s);
	const int wg = algos_of(s).forward == CONV_WINOGRAD;
	if (wg)
		nl_cpu_wg_forward(be, s);
	else
		im2col_forward(be, s, &g);
	/* A folded sigmoid that only lanes.c computes in its output pass:
	 * the sigmoid's own pass, over y in place. */
	if (g.sigmoid && (wg || !g.lanes))
		nl_cpu_sigmoid_inplace(s->y, nl_cpu_numel(&s->ys));
}

void nl_cpu_conv_backward(nl_backend *be, nl_step *s)
{
	conv_geom g = conv_geometry(s);
	conv_algos a = algos_of(s);
	const int per_image = g.per_image && a.data == CONV_IM2COL && a.filter == CONV_IM2COL;
	/* A folded sigmoid elsewhere than lanes.c: its own backward over dy in
	 * place (the sigmoid's gradient buffer is this step's dy, which no
	 * step reads after this one), then the convolution's as unfused. */
	if (g.sigmoid && !(per_image && g.lanes))
		nl_cpu_sigmoid_grad_inplace((float *)s->dy, s->y, nl_cpu_numel(&s->ys));
	if (per_image) {
		backward_per_image(be, s, &g);
		return;
	}
	if (s->db)
		bias_grad(s, &g, max_threads());
	/* Each pass by its own algorithm; im2col does whatever is left in
	 * one sweep (its unfolded columns serve dW, its buffer then dx). */
	float *dw = s->dw, *dx = s->dx[0];
	if (dx && a.data == CONV_WINOGRAD) {
		nl_cpu_wg_backward_data(be, s);
		dx = NULL;
	}
	if (dw && a.filter == CONV_WINOGRAD) {
		nl_cpu_wg_backward_filter(be, s);
		dw = NULL;
	}
	if (dw || dx) {
		conv_geom sg = conv_geometry_of(s, 1);
		im2col_backward(be, s, &sg, dw, dx);
	}
}
