/* pool.c - max, average and global average pooling, as PyTorch computes them.
 *
 * Max pooling treats padding as -inf (a pad never wins), takes the first
 * maximum on ties and lets a NaN win, like PyTorch's CPU kernel; it keeps
 * each output's argmax in aux so backward is a scatter: one byte, the
 * cell's place in its window, for windows of up to 256 cells (all nets
 * have them; a quarter of the memory an index into the plane took: VGG-11
 * at batch 32 holds 47 MiB of them instead of 187), else that int32
 * index.  Average pooling counts padded cells in the divisor
 * (count_include_pad=True, PyTorch's default).
 */
#include <config.h>

#include <math.h>

#include "runtime/cpu/cpu.h"

typedef struct pool_geom {
	int planes;              /* n * c */
	int h, w, oh, ow;
	int kh, kw, sh, sw, ph, pw;
} pool_geom;

static pool_geom pool_geometry(const nl_step *s)
{
	const nl_node *nd = s->node;
	pool_geom g;
	g.planes = s->xs[0].n * s->xs[0].c;
	g.h = s->xs[0].h; g.w = s->xs[0].w;
	g.oh = s->ys.h; g.ow = s->ys.w;
	g.kh = nd->kh; g.kw = nd->kw; g.sh = nd->sh; g.sw = nd->sw;
	g.ph = nd->ph; g.pw = nd->pw;
	return g;
}

/* 2x2 windows at stride 2 without padding (VGG's max pooling, LeNet's
 * average pooling): every window lies inside the image and each input cell
 * belongs to at most one window.  These get straight-line loops that
 * vectorise. */
static int pool_is_2x2(const pool_geom *g)
{
	return g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 &&
	       g->ph == 0 && g->pw == 0;
}

/* The argmax is a byte, the cell's place in its (unclipped) window, row by
 * row, when a window has at most 256 cells. */
static int arg_is_byte(const pool_geom *g)
{
	return (long)g->kh * g->kw <= 256;
}

/* Selects by all-ones or all-zero masks, in integer bits: written so,
 * the loop below vectorises (float selects on float compares leave gcc
 * with branches it does not convert). */
static inline uint32_t mask_of(int cond)
{
	return (uint32_t)0 - (uint32_t)(cond != 0);
}

static inline float select_f(uint32_t mask, float x, float y)
{
	uint32_t a, b;
	memcpy(&a, &x, sizeof a);
	memcpy(&b, &y, sizeof b);
	a = (a & mask) | (b & ~mask);
	memcpy(&x, &a, sizeof x);
	return x;
}

static inline int32_t select_i(uint32_t mask, int32_t x, int32_t y)
{
	return (int32_t)(((uint32_t)x & mask) | ((uint32_t)y & ~mask));
}

/* The four cells in the general loop's order (row by row), by selects: a
 * later cell wins only when larger, so the first of equal maxima stays;
 * a NaN is never larger, so the first NaN is put back at the end, as the
 * general loop's second pass does.  The same values and argmaxes to the
 * bit, 5-6x faster on VGG's first pooling (64x224x224 at batch 16, one
 * thread, CPU time: 380-415 -> 62-79 ms).  Backward stays the general
 * scatter: writing all four cells of each window by selects was slower
 * (100 ms against 70). */
static void maxpool_2x2_forward(const pool_geom *g, const float *xall, float *yall,
                                uint8_t *argall)
{
	const size_t in_plane = (size_t)g->h * g->w, out_plane = (size_t)g->oh * g->ow;
	const int w = g->w, ow = g->ow;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g->planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g->planes; pl++) {
		const float *x = xall + (size_t)pl * in_plane;
		float *y = yall + (size_t)pl * out_plane;
		uint8_t *arg = argall + (size_t)pl * out_plane;
		for (int oy = 0; oy < g->oh; oy++) {
			const float *r0 = x + (size_t)(2 * oy) * w, *r1 = r0 + w;
			float *yo = y + (size_t)oy * ow;
			uint8_t *ao = arg + (size_t)oy * ow;
#ifdef _OPENMP
#pragma omp simd
#endif
			for (int ox = 0; ox < ow; ox++) {
				float a = r0[2 * ox], b = r0[2 * ox + 1];
				float c = r1[2 * ox], d = r1[2 * ox + 1];
				float m = a;
				int32_t k = 0;
				uint32_t t = mask_of(b > m);
				m = select_f(t, b, m);
				k = select_i(t, 1, k);
				t = mask_of(c > m);
				m = select_f(t, c, m);
				k = select_i(t, 2, k);
				t = mask_of(d > m);
				m = select_f(t, d, m);
				k = select_i(t, 3, k);
				/* last to first, so the first NaN is the one kept */
				t = mask_of(d != d);
				m = select_f(t, d, m);
				k = select_i(t, 3, k);
				t = mask_of(c != c);
				m = select_f(t, c, m);
				k = select_i(t, 2, k);
				t = mask_of(b != b);
				m = select_f(t, b, m);
				k = select_i(t, 1, k);
				t = mask_of(a != a);
				m = select_f(t, a, m);
				k = select_i(t, 0, k);
				yo[ox] = m;
				ao[ox] = (uint8_t)k;
			}
		}
	}
}

size_t nl_cpu_maxpool_aux(const nl_step *s)
{
	pool_geom g = pool_geometry(s);
	return nl_cpu_numel(&s->ys) * (arg_is_byte(&g) ? sizeof(uint8_t) : sizeof(int32_t));
}

/* One output of the general max pool: the window's first cell starts the
 * max and a later cell wins when larger: selects, not branches, since on
 * real data which cell wins is unpredictable.  NaN propagates as in
 * PyTorch (the first NaN wins), in a second pass only when the window has
 * one.  Returns the winner's offset in the plane. */
static int32_t max_cell(const pool_geom *g, const float *x, int oy, int ox, float *out)
{
	int y0 = oy * g->sh - g->ph, y1 = y0 + g->kh;
	if (y0 < 0) y0 = 0;
	if (y1 > g->h) y1 = g->h;
	int x0 = ox * g->sw - g->pw, x1 = x0 + g->kw;
	if (x0 < 0) x0 = 0;
	if (x1 > g->w) x1 = g->w;
	int32_t best = y0 * g->w + x0;
	float m = x[best];
	int nan = 0;
	for (int iy = y0; iy < y1; iy++) {
		const float *row = x + iy * g->w;
		for (int ix = x0; ix < x1; ix++) {
			float v = row[ix];
			int gt = v > m;
			m = gt ? v : m;
			best = gt ? iy * g->w + ix : best;
			nan |= v != v;
		}
	}
	if (nan)
		for (int iy = y0; iy < y1 && m == m; iy++)
			for (int ix = x0; ix < x1; ix++)
				if (x[iy * g->w + ix] != x[iy * g->w + ix]) {
					best = iy * g->w + ix;
					m = x[best];
					break;
				}
	*out = m;
	return best;
}

/* Outputs ox0 .. ox0+n-1 of row oy whose windows lie wholly inside the
 * image's columns, side by side: the same comparisons in the same order as
 * max_cell, one output a vector lane (clones for the widest vectors the
 * CPU has).  They go 16 at a time (8 in rows of 8 to 15), the last group
 * overlapping the one before (the same outputs computed twice, the same
 * way), in GCC's and Clang's vector types: a group's running maxes and
 * places are whole vectors that stay in registers across the window's
 * cells.  A loop over
 * a run of any length kept them in memory, stored masked at its tail and
 * read back at once (a masked store does not forward to the load), and
 * was three times slower.  The byte places go to p; a window that met a
 * NaN is flagged in bad, for max_cell to redo. */
#define POOL_RUN 64

/* Two vectors' lanes picked by constant indices: Clang's and GCC 12's
 * builtin, or GCC's older one, which takes the indices as a vector. */
#if defined(__clang__) || __GNUC__ >= 12
#define LANES_PICK(vi, a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define LANES_PICK(vi, a, b, ...) __builtin_shuffle(a, b, (vi){ __VA_ARGS__ })
#endif

/* A group of L lanes: its types, a load of cells first[0], first[sw], ...
 * first[(L-1)*sw] for sw 1 or 2 that reads first[0..(L-1)*sw] and no
 * further, and the group's maxima over the window, rows x kw cells, each
 * row w floats after the one before. */
#define MAX_LANES(L, ...)                                                               \
typedef float lanes##L##_f __attribute__((vector_size(4 * L)));                        \
typedef int32_t lanes##L##_i __attribute__((vector_size(4 * L)));                      \
                                                                                       \
static inline __attribute__((always_inline)) void lanes##L##_load(                     \
	lanes##L##_f *to, const float *first, const int sw)                                \
{                                                                                      \
	lanes##L##_f a, b;                                                                 \
	memcpy(&a, first, sizeof a);                                                       \
	if (sw == 1) {                                                                     \
		*to = a;                                                                       \
		return;                                                                        \
	}                                                                                  \
	memcpy(&b, first + L - 1, sizeof b);   /* first[L-1 .. 2L-2] */                    \
	*to = LANES_PICK(lanes##L##_i, a, b, __VA_ARGS__);                               \
}                                                                                      \
                                                                                       \
static inline __attribute__((always_inline)) void max_lanes##L(                        \
	const float *first, int rows, int kw, int w, int32_t place0, float *m, int32_t *p, \
	int32_t *bad, const int sw)                                                        \
{                                                                                      \
	lanes##L##_f mm, v;                                                                \
	lanes##L##_load(&mm, first, sw);                                                   \
	lanes##L##_i pp = place0 - (lanes##L##_i){0}, nan = mm != mm;                      \
	for (int iy = 0; iy < rows; iy++) {                                                \
		for (int kx = 0; kx < kw; kx++) {                                              \
			if (iy == 0 && kx == 0)                                                    \
				continue;                                                              \
			lanes##L##_load(&v, first + (size_t)iy * w + kx, sw);                      \
			lanes##L##_i gt = v > mm;                                                  \
			mm = (lanes##L##_f)(((lanes##L##_i)v & gt) | ((lanes##L##_i)mm & ~gt));    \
			pp = ((place0 + iy * kw + kx) & gt) | (pp & ~gt);                          \
			nan |= v != v;                                                             \
		}                                                                              \
	}                                                                                  \
	memcpy(m, &mm, sizeof mm);                                                         \
	memcpy(p, &pp, sizeof pp);                                                         \
	memcpy(bad, &nan, sizeof nan);                                                     \
}

/* sw 2: the even cells of a = first[0..L-1], then the odd ones of
 * b = first[L-1..2L-2], are first[0, 2, ... 2L-2] */
MAX_LANES(16, 0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25, 27, 29, 31)
MAX_LANES(8, 0, 2, 4, 6, 9, 11, 13, 15)

static inline __attribute__((always_inline)) void max_run_body(
	const pool_geom *g, const float *x, int oy, int ox0, int n, float *m, int32_t *p,
	int32_t *bad, const int sw)
{
	const int wy0 = oy * g->sh - g->ph, y0 = wy0 < 0 ? 0 : wy0;
	const int y1 = wy0 + g->kh > g->h ? g->h : wy0 + g->kh;
	const int kw = g->kw, w = g->w, rows = y1 - y0;
	const int32_t place0 = (y0 - wy0) * kw;
	const float *first = x + (size_t)y0 * w + (ox0 * sw - g->pw);
	if (n >= 16 && (sw == 1 || sw == 2)) {
		for (int i = 0;; i += 16) {
			if (i > n - 16)
				i = n - 16;
			max_lanes16(first + i * sw, rows, kw, w, place0, m + i, p + i, bad + i, sw);
			if (i == n - 16)
				return;
		}
	}
	if (n >= 8 && (sw == 1 || sw == 2)) {   /* AlexNet's 12-wide rows */
		max_lanes8(first, rows, kw, w, place0, m, p, bad, sw);
		max_lanes8(first + (n - 8) * sw, rows, kw, w, place0, m + n - 8, p + n - 8,
		           bad + n - 8, sw);
		return;
	}
	for (int i = 0; i < n; i++) {   /* too few for a group */
		const float *cell = first + i * sw;
		float mi = cell[0];
		int32_t pi = place0, nan = mi != mi;
		for (int iy = 0; iy < rows; iy++)
			for (int kx = 0; kx < kw; kx++) {
				float v = cell[iy * w + kx];
				int gt = v > mi;   /* the first cell: never */
				mi = gt ? v : mi;
				pi = gt ? place0 + iy * kw + kx : pi;
				nan |= v != v;
			}
		m[i] = mi;
		p[i] = pi;
		bad[i] = nan;
	}
}

/* The strides of real nets (2, and 1) as constants, so that the strided
 * reads become vector loads and shuffles. */
NL_CPU_SIMD_CLONES
static void max_run(const pool_geom *g, const float *x, int oy, int ox0, int n, float *m,
                    int32_t *p, int32_t *bad)
{
	if (g->sw == 2)
		max_run_body(g, x, oy, ox0, n, m, p, bad, 2);
	else if (g->sw == 1)
		max_run_body(g, x, oy, ox0, n, m, p, bad, 1);
	else
		max_run_body(g, x, oy, ox0, n, m, p, bad, g->sw);
}

void nl_cpu_maxpool_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	pool_geom g = pool_geometry(s);
	const size_t in_plane = (size_t)g.h * g.w, out_plane = (size_t)g.oh * g.ow;
	const int byte = arg_is_byte(&g);
	if (pool_is_2x2(&g)) {
		maxpool_2x2_forward(&g, s->x[0], s->y, s->aux);
		return;
	}
	/* Outputs [lo, hi) of a row have every window column inside the
	 * image: ox*sw - pw >= 0 and ox*sw - pw + kw <= w. */
	int lo = (g.pw + g.sw - 1) / g.sw, hi = (g.w + g.pw - g.kw) / g.sw + 1;
	if (hi > g.ow)
		hi = g.ow;
	if (!byte || hi < lo)
		lo = hi = 0;   /* int32 places: every output by max_cell */
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g.planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g.planes; pl++) {
		const float *x = s->x[0] + (size_t)pl * in_plane;
		float *y = s->y + (size_t)pl * out_plane;
		uint8_t *a8 = (uint8_t *)s->aux + (size_t)pl * out_plane;
		int32_t *a32 = (int32_t *)s->aux + (size_t)pl * out_plane;
		for (int oy = 0; oy < g.oh; oy++) {
			for (int ox = 0; ox < g.ow; ox++) {
				if (ox == lo && lo < hi) {
					/* the row's interior, a run at a time */
					for (; ox < hi; ox += POOL_RUN) {
						int n = hi - ox < POOL_RUN ? hi - ox : POOL_RUN;
						float m[POOL_RUN];
						int32_t p[POOL_RUN], bad[POOL_RUN];
						max_run(&g, x, oy, ox, n, m, p, bad);
						for (int i = 0; i < n; i++) {
							int at = oy * g.ow + ox + i;
							y[at] = m[i];
							a8[at] = (uint8_t)p[i];
							if (bad[i]) {
								int32_t best = max_cell(&g, x, oy, ox + i, &y[at]);
								a8[at] = (uint8_t)((best / g.w - (oy * g.sh - g.ph)) * g.kw +
								                   best % g.w - ((ox + i) * g.sw - g.pw));
							}
						}
					}
					ox = hi - 1;
					continue;
				}
				float m;
				int32_t best = max_cell(&g, x, oy, ox, &m);
				y[oy * g.ow + ox] = m;
				if (byte) {
					/* its place in the window that starts at
					 * (oy*sh - ph, ox*sw - pw), padding included */
					int wy = best / g.w - (oy * g.sh - g.ph);
					int wx = best % g.w - (ox * g.sw - g.pw);
					a8[oy * g.ow + ox] = (uint8_t)(wy * g.kw + wx);
				} else {
					a32[oy * g.ow + ox] = best;
				}
			}
		}
	}
}

void nl_cpu_maxpool_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	if (!s->dx[0])
		return;
	pool_geom g = pool_geometry(s);
	const size_t in_plane = (size_t)g.h * g.w, out_plane = (size_t)g.oh * g.ow;
	const int acc = s->dx_accumulate[0];
	const int byte = arg_is_byte(&g);
	/* a place in a window to an offset from the window's first cell */
	int32_t off[256];
	if (byte)
		for (int k = 0; k < g.kh * g.kw; k++)
			off[k] = k / g.kw * g.w + k % g.kw;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g.planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g.planes; pl++) {
		float *dx = s->dx[0] + (size_t)pl * in_plane;
		const float *dy = s->dy + (size_t)pl * out_plane;
		if (!acc)
			memset(dx, 0, in_plane * sizeof *dx);
		if (!byte) {
			const int32_t *a = (const int32_t *)s->aux + (size_t)pl * out_plane;
			for (size_t o = 0; o < out_plane; o++)
				dx[a[o]] += dy[o];
			continue;
		}
		/* the same scatter, in the same order */
		const uint8_t *a = (const uint8_t *)s->aux + (size_t)pl * out_plane;
		for (int oy = 0; oy < g.oh; oy++) {
			const int32_t row = (oy * g.sh - g.ph) * g.w - g.pw;
			for (int ox = 0; ox < g.ow; ox++) {
				size_t o = (size_t)oy * g.ow + ox;
				dx[row + ox * g.sw + off[a[o]]] += dy[o];
			}
		}
	}
}

/* PyTorch's divisor: the window clipped to the padded input, not to the
 * image, so padded cells count. */
static int avg_divisor(const pool_geom *g, int oy, int ox)
{
	int y0 = oy * g->sh - g->ph, x0 = ox * g->sw - g->pw;
	int y1 = y0 + g->kh, x1 = x0 + g->kw;
	if (y1 > g->h + g->ph) y1 = g->h + g->ph;
	if (x1 > g->w + g->pw) x1 = g->w + g->pw;
	return (y1 - y0) * (x1 - x0);
}

/* Average pooling's 2x2 windows (LeNet's) have divisor 4: the sums are
 * added in the general loops' order (row by row, left to right) and / 4
 * is * 0.25 exactly, so the results are the same to the bit. */

static void avgpool_2x2_forward(const pool_geom *g, const float *xall, float *yall)
{
	const size_t in_plane = (size_t)g->h * g->w, out_plane = (size_t)g->oh * g->ow;
	const int w = g->w, ow = g->ow;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g->planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g->planes; pl++) {
		const float *x = xall + (size_t)pl * in_plane;
		float *y = yall + (size_t)pl * out_plane;
		for (int oy = 0; oy < g->oh; oy++) {
			const float *r0 = x + (size_t)(2 * oy) * w, *r1 = r0 + w;
			float *yo = y + (size_t)oy * ow;
#ifdef _OPENMP
#pragma omp simd
#endif
			for (int ox = 0; ox < ow; ox++)
				yo[ox] = (((r0[2 * ox] + r0[2 * ox + 1]) + r1[2 * ox]) +
				          r1[2 * ox + 1]) * 0.25f;
		}
	}
}

static void avgpool_2x2_backward(const pool_geom *g, const float *dyall,
                                 float *dxall, int acc)
{
	const size_t in_plane = (size_t)g->h * g->w, out_plane = (size_t)g->oh * g->ow;
	const int w = g->w, ow = g->ow;
	/* An odd last row or column is in no window: its gradient is 0. */
	const int covered = 2 * g->oh == g->h && 2 * g->ow == g->w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g->planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g->planes; pl++) {
		float *dx = dxall + (size_t)pl * in_plane;
		const float *dy = dyall + (size_t)pl * out_plane;
		if (!acc && !covered)
			memset(dx, 0, in_plane * sizeof *dx);
		for (int oy = 0; oy < g->oh; oy++) {
			float *d0 = dx + (size_t)(2 * oy) * w, *d1 = d0 + w;
			const float *dyo = dy + (size_t)oy * ow;
			if (acc) {
#ifdef _OPENMP
#pragma omp simd
#endif
				for (int ox = 0; ox < ow; ox++) {
					float v = dyo[ox] * 0.25f;
					d0[2 * ox] += v;
					d0[2 * ox + 1] += v;
					d1[2 * ox] += v;
					d1[2 * ox + 1] += v;
				}
			} else {
#ifdef _OPENMP
#pragma omp simd
#endif
				for (int ox = 0; ox < ow; ox++) {
					float v = dyo[ox] * 0.25f;
					d0[2 * ox] = v;
					d0[2 * ox + 1] = v;
					d1[2 * ox] = v;
					d1[2 * ox + 1] = v;
				}
			}
		}
	}
}

void nl_cpu_avgpool_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	pool_geom g = pool_geometry(s);
	if (pool_is_2x2(&g)) {
		avgpool_2x2_forward(&g, s->x[0], s->y);
		return;
	}
	const size_t in_plane = (size_t)g.h * g.w, out_plane = (size_t)g.oh * g.ow;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g.planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g.planes; pl++) {
		const float *x = s->x[0] + (size_t)pl * in_plane;
		float *y = s->y + (size_t)pl * out_plane;
		for (int oy = 0; oy < g.oh; oy++) {
			int y0 = oy * g.sh - g.ph, y1 = y0 + g.kh;
			if (y0 < 0) y0 = 0;
			if (y1 > g.h) y1 = g.h;
			for (int ox = 0; ox < g.ow; ox++) {
				int x0 = ox * g.sw - g.pw, x1 = x0 + g.kw;
				if (x0 < 0) x0 = 0;
				if (x1 > g.w) x1 = g.w;
				float sum = 0.0f;
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++)
						sum += x[iy * g.w + ix];
				y[oy * g.ow + ox] = sum / (float)avg_divisor(&g, oy, ox);
			}
		}
	}
}

void nl_cpu_avgpool_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	if (!s->dx[0])
		return;
	pool_geom g = pool_geometry(s);
	const int acc = s->dx_accumulate[0];
	if (pool_is_2x2(&g)) {
		avgpool_2x2_backward(&g, s->dy, s->dx[0], acc);
		return;
	}
	const size_t in_plane = (size_t)g.h * g.w, out_plane = (size_t)g.oh * g.ow;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (g.planes * in_plane > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < g.planes; pl++) {
		float *dx = s->dx[0] + (size_t)pl * in_plane;
		const float *dy = s->dy + (size_t)pl * out_plane;
		if (!acc)
			memset(dx, 0, in_plane * sizeof *dx);
		for (int oy = 0; oy < g.oh; oy++) {
			int y0 = oy * g.sh - g.ph, y1 = y0 + g.kh;
			if (y0 < 0) y0 = 0;
			if (y1 > g.h) y1 = g.h;
			for (int ox = 0; ox < g.ow; ox++) {
				int x0 = ox * g.sw - g.pw, x1 = x0 + g.kw;
				if (x0 < 0) x0 = 0;
				if (x1 > g.w) x1 = g.w;
				float v = dy[oy * g.ow + ox] / (float)avg_divisor(&g, oy, ox);
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++)
						dx[iy * g.w + ix] += v;
			}
		}
	}
}

void nl_cpu_gavgpool_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)training;
	const int planes = s->xs[0].n * s->xs[0].c;
	const size_t hw = (size_t)s->xs[0].h * s->xs[0].w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (planes * hw > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < planes; pl++) {
		const float *x = s->x[0] + (size_t)pl * hw;
		float sum = 0.0f;
		for (size_t i = 0; i < hw; i++)
			sum += x[i];
		s->y[pl] = sum / (float)hw;
	}
}

void nl_cpu_gavgpool_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	if (!s->dx[0])
		return;
	const int planes = s->xs[0].n * s->xs[0].c;
	const size_t hw = (size_t)s->xs[0].h * s->xs[0].w;
	const int acc = s->dx_accumulate[0];
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (planes * hw > NL_CPU_PAR_MIN)
#endif
	for (int pl = 0; pl < planes; pl++) {
		float *dx = s->dx[0] + (size_t)pl * hw;
		float v = s->dy[pl] / (float)hw;
		if (acc) {
			for (size_t i = 0; i < hw; i++)
				dx[i] += v;
		} else {
			for (size_t i = 0; i < hw; i++)
				dx[i] = v;
		}
	}
}
