/* winograd.c - stride-1 3x3 and 5x5 convolutions by Winograd's minimal
 * filtering, F(4x4, 3x3) and F(2x2, 5x5) (Lavin and Gray, 2016).
 *
 * Each m x m output tile is A^T [(G g G^T) . (B^T d B)] A for the 6 x 6
 * input patch d that covers it: 36 multiplications per input channel
 * where the direct sum does 144 (3x3) or 100 (5x5).  Summed over input
 * channels, the 36 elementwise products become 36 independent matrix
 * products, (output channels x input channels) times (input channels x
 * tiles), which is where the time goes; the transforms are linear work
 * fused into the loops that gather tiles from NCHW and scatter them back.
 *
 * The three passes are one algorithm:
 *   forward          y  = conv(x, w) + b            tiles over y
 *   backward, data   dx = conv(dy, w flipped, channels swapped), padding
 *                    r - 1 - p: the same pass with another filter transform
 *   backward, filter dW = G^T [sum over tiles (A dy A^T) . (B^T x B)] G,
 *                    the gradient of the forward formula with respect to
 *                    g: the same data transform of x, dy's tiles taken
 *                    through A, and 36 products summed over tiles.
 * The batch is cut into chunks of columns (a column: one tile position in
 * 16 images, see winograd.h) so the transformed chunk stays near the
 * cache; within a chunk the gather, the products and the scatter each run
 * as a parallel loop of small tasks handed out dynamically, so a thread
 * the scheduler takes away delays a task, not the pass, and every result
 * is computed by one task in a fixed order (the same bits for any thread
 * count or schedule).
 *
 * Accuracy: the transforms' coefficients (up to 5 in B^T, 8 in A^T, 1/24
 * in G) make the rounding error grow with |A^T| (|G||g||G^T| . |B^T||d||B|)
 * |A| rather than with sum |g||d|: tests/cpu/winograd_test.c checks that
 * bound and says why it is the right one.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/winograd.h"

#define L NL_WG_LANES
#define XI NL_WG_XI
#define ALPHA NL_WG_ALPHA

/* A chunk's transformed input and products together take about this many
 * floats: a few columns for wide layers, more for thin ones.  Forward and
 * backward-data stream their chunk through the products once, so theirs
 * stays near a core's cache (4 MiB; 64 channels at 24 x 24 ran 20-30%
 * faster than with 12); the filter gradient adds each chunk into its 36
 * gradient matrices, so fewer, larger chunks (12 MiB) pay.  Tests lower
 * both to cross chunk boundaries on small layers. */
#define WG_CHUNK_FLOATS ((size_t)1 << 20)
#define WG_GRAD_CHUNK_FLOATS ((size_t)3 << 20)
static size_t chunk_limit = WG_CHUNK_FLOATS, grad_chunk_limit = WG_GRAD_CHUNK_FLOATS;

void nl_cpu_wg_chunk_limit(size_t floats)
{
	chunk_limit = floats ? floats : WG_CHUNK_FLOATS;
	grad_chunk_limit = floats ? floats : WG_GRAD_CHUNK_FLOATS;
}

static int max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

/* One tiled pass: the convolution of src [n][cin][h][w] (padded by ph, pw,
 * each value kept only where mask > 0 when there is a mask) into tiles of
 * m x m outputs of a cout x oh x ow map.
 *
 * Work comes in units: a run of up to `seg` tiles along one tile row of 16
 * images (lane group g, tile row ty, segment sx).  A unit's tiles are
 * gathered by transposing its input rows, 16 images side by side, into a
 * buffer the transforms read vectors from, and scattered back the same way;
 * a chunk is a run of units whose columns (seg per unit, rounded up to a
 * multiple of NQ) share the GEMMs. */
typedef struct wg_pass {
	const float *src, *mask;
	int n, cin, h, w, ph, pw;
	int m, r, cout, oh, ow;
	int th, tw;             /* tile rows, tiles per row */
	int seg, segs;          /* tiles per unit, units per tile row */
	size_t units;           /* lane groups x tile rows x segments */
	size_t upc;             /* units per chunk */
	size_t qc;              /* columns per chunk */
	int trows;              /* filter gradient: rows of D^T per position */
} wg_pass;

static wg_pass make_pass(const float *src, const float *mask, int n, int cin, int h,
                         int w, int ph, int pw, int r, int cout, int oh, int ow,
                         size_t limit, int trows)
{
	wg_pass p;
	p.trows = trows;
	p.src = src; p.mask = mask;
	p.n = n; p.cin = cin; p.h = h; p.w = w; p.ph = ph; p.pw = pw;
	p.r = r; p.m = ALPHA + 1 - r;
	p.cout = cout; p.oh = oh; p.ow = ow;
	p.th = (oh + p.m - 1) / p.m;
	p.tw = (ow + p.m - 1) / p.m;
	size_t per_q = (size_t)XI * L * (size_t)(cin + cout + trows);
	size_t fit = limit / per_q;                  /* columns the limit allows */
	if (fit < NL_WG_NQ)
		fit = NL_WG_NQ;
	p.seg = (size_t)p.tw < fit ? p.tw : (int)fit;
	p.segs = (p.tw + p.seg - 1) / p.seg;
	p.units = (size_t)((n + L - 1) / L) * (size_t)p.th * (size_t)p.segs;
	p.upc = fit / (size_t)p.seg;
	if (p.upc < 1)
		p.upc = 1;
	if (p.upc > p.units)
		p.upc = p.units;
	p.qc = p.upc * (size_t)p.seg;
	return p;
}

/* Floats of a chunk: the transformed input and the products (or the
 * transformed output gradients, and those transposed). */
static size_t chunk_floats(const wg_pass *p)
{
	return p->qc * (size_t)XI * L * (size_t)(p->cin + p->cout + p->trows);
}

/* A thread's buffer: 6 rows of a unit's input (or m of its output), 16
 * lanes per pixel. */
static size_t rowbuf_floats(const wg_pass *p)
{
	return (size_t)ALPHA * (size_t)(p->seg * p->m + ALPHA - p->m) * L;
}

/* Output channels rounded up to whole vectors (the transposed gradients). */
static int vec16(int k)
{
	return (k + L - 1) / L * L;
}

static size_t panels(int k)
{
	return (size_t)(k + NL_WG_MR - 1) / NL_WG_MR;
}

/* The step's geometry, as the three passes see it. */
typedef struct wg_layer {
	int n, c, h, w, k, oh, ow, r, ph, pw;
} wg_layer;

static wg_layer layer_of(const nl_step *s)
{
	wg_layer g;
	g.n = s->xs[0].n; g.c = s->xs[0].c; g.h = s->xs[0].h; g.w = s->xs[0].w;
	g.k = s->ys.c; g.oh = s->ys.h; g.ow = s->ys.w;
	g.r = s->node->kh; g.ph = s->node->ph; g.pw = s->node->pw;
	return g;
}

static wg_pass forward_pass(const wg_layer *g, const float *x)
{
	return make_pass(x, NULL, g->n, g->c, g->h, g->w, g->ph, g->pw, g->r, g->k, g->oh, g->ow,
	                 chunk_limit, 0);
}

static wg_pass data_pass(const wg_layer *g, const float *dy, const float *mask)
{
	return make_pass(dy, mask, g->n, g->k, g->oh, g->ow, g->r - 1 - g->ph,
	                 g->r - 1 - g->pw, g->r, g->c, g->h, g->w, chunk_limit, 0);
}

/* The filter gradient's tiling is the forward pass's, in larger chunks. */
static wg_pass grad_pass(const wg_layer *g, const float *x)
{
	return make_pass(x, NULL, g->n, g->c, g->h, g->w, g->ph, g->pw, g->r, g->k, g->oh, g->ow,
	                 grad_chunk_limit, vec16(g->k) + vec16(g->c));
}

int nl_cpu_wg_applies(const nl_step *s)
{
	const nl_node *nd = s->node;
	if (nd->sh != 1 || nd->sw != 1 || nd->kh != nd->kw)
		return 0;
	if (nd->kh == 3)
		return nd->ph <= 2 && nd->pw <= 2;
	if (nd->kh == 5)
		return nd->ph <= 4 && nd->pw <= 4;
	return 0;
}

/* ---- filter transforms, 16 filters at a time ---- */

/* up[ob][xi][i][6]: panels of 6 output channels o = ob*6 + j over the pass's
 * input channels i, from weights w[k][c][u][v].  flip: the data pass, where
 * the output channel is the layer's input channel c, the input channel its
 * output channel k, and the filter turned by 180 degrees.
 *
 * A task fills one panel for 16 consecutive input channels: the 6 x 16
 * filters are transformed 16 at a time into a tile in cache, which is
 * then written out whole, 6 x 16 consecutive floats per position.  (Tasks
 * of one k and 16 c each wrote one float in every 24 bytes of a 38 MB
 * array for ResNet's 512-channel layers, and every line of it was fetched
 * again by each of the six tasks that shared it: the packing took as long
 * as the products.)  The rows of the last panel past cout are zero. */
static void pack_filters(const nl_wg_kernels *kern, const wg_layer *g, const float *w,
                         int flip, float *up)
{
	const int r = g->r, rr = r * r, cout = flip ? g->c : g->k, cin = flip ? g->k : g->c;
	const size_t np = panels(cout), iblocks = (size_t)(cin + L - 1) / L;
	const size_t tasks = np * iblocks;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
	for (size_t t = 0; t < tasks; t++) {
		const int ob = (int)(t / iblocks), i0 = (int)(t % iblocks) * L;
		const int n = cin - i0 < L ? cin - i0 : L;
		float f[25 * L] __attribute__((aligned(64)));
		float u[XI * L] __attribute__((aligned(64)));
		float tile[XI * L * NL_WG_MR] __attribute__((aligned(64)));
		for (int j = 0; j < NL_WG_MR; j++) {
			const int o = ob * NL_WG_MR + j;
			if (o >= cout) {
				for (int xi = 0; xi < XI; xi++)
					for (int l = 0; l < L; l++)
						tile[((size_t)xi * L + (size_t)l) * NL_WG_MR + (size_t)j] = 0.0f;
				continue;
			}
			/* filter (o, i0 + l) of the pass, tap by tap */
			for (int tap = 0; tap < rr; tap++) {
				for (int l = 0; l < L; l++) {
					float v = 0.0f;
					if (l < n) {
						int i = i0 + l;
						v = flip ? w[((size_t)i * (size_t)g->c + (size_t)o) * (size_t)rr +
						             (size_t)(rr - 1 - tap)]
						         : w[((size_t)o * (size_t)g->c + (size_t)i) * (size_t)rr +
						             (size_t)tap];
					}
					f[tap * L + l] = v;
				}
			}
			kern->filter(r, f, u);
			for (int xi = 0; xi < XI; xi++)
				for (int l = 0; l < L; l++)
					tile[((size_t)xi * L + (size_t)l) * NL_WG_MR + (size_t)j] =
						u[xi * L + l];
		}
		for (int xi = 0; xi < XI; xi++) {
			float *dst = up + (((size_t)ob * XI + (size_t)xi) * (size_t)cin + (size_t)i0) *
			                  NL_WG_MR;
			memcpy(dst, tile + (size_t)xi * L * NL_WG_MR,
			       (size_t)n * NL_WG_MR * sizeof *dst);
		}
	}
}

/* dw[k][c] = G^T du[.][k][c] G (du's rows cp floats apart), 16
 * consecutive c of one k a task. */
static void unpack_filter_grad(const nl_wg_kernels *kern, const wg_layer *g,
                               const float *du, size_t cp, float *dw)
{
	const int r = g->r, rr = r * r;
	const size_t cblocks = cp / L;
	const size_t tasks = (size_t)g->k * cblocks;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
	for (size_t t = 0; t < tasks; t++) {
		int k = (int)(t / cblocks), c0 = (int)(t % cblocks) * L;
		int n = g->c - c0 < L ? g->c - c0 : L;
		float wt[25 * L] __attribute__((aligned(64)));
		kern->filter_grad(r, du + (size_t)k * cp + (size_t)c0, (size_t)g->k * cp, wt);
		float *dst = dw + ((size_t)k * (size_t)g->c + (size_t)c0) * (size_t)rr;
		for (int l = 0; l < n; l++)
			for (int tap = 0; tap < rr; tap++)
				dst[(size_t)l * rr + (size_t)tap] = wt[tap * L + l];
	}
}

/* ---- gather and scatter between NCHW and 16-lane rows ---- */

/* A unit's place: its first image and lanes, its first output row and
 * column, its tiles. */
typedef struct wg_unit {
	int n0, lanes, oy, ox, tiles;
} wg_unit;

static wg_unit unit_of(const wg_pass *p, size_t u)
{
	wg_unit w;
	size_t per_group = (size_t)p->th * (size_t)p->segs;
	int g = (int)(u / per_group), rest = (int)(u % per_group);
	int ty = rest / p->segs, sx = rest % p->segs;
	w.n0 = g * L;
	w.lanes = p->n - w.n0 < L ? p->n - w.n0 : L;
	w.oy = ty * p->m;
	w.ox = sx * p->seg * p->m;
	w.tiles = p->tw - sx * p->seg < p->seg ? p->tw - sx * p->seg : p->seg;
	return w;
}

/* buf[i][x][lane] for rows i < nrows from row y0 and columns x < ncols
 * from column x0 of plane c of each lane's image in t [n][ch][th][tw]:
 * zero outside the plane, past the last image and where the mask is not
 * positive. */
static void rows_in(const nl_wg_kernels *kern, const float *t, const float *mask, int ch,
                    int th, int tw, int c, const wg_unit *un, int y0, int nrows, int x0,
                    int ncols, float *buf)
{
	const size_t ld = (size_t)ncols * L;
	int ilo = y0 < 0 ? -y0 : 0, ihi = th - y0 < nrows ? th - y0 : nrows;
	int jlo = x0 < 0 ? -x0 : 0, jhi = tw - x0 < ncols ? tw - x0 : ncols;
	if (ihi < ilo)
		ihi = ilo;
	if (jhi < jlo)
		jhi = jlo;
	const size_t plane = (size_t)th * (size_t)tw;
	const float *src[L], *msk[L];
	for (int i = 0; i < nrows; i++) {
		float *row = buf + (size_t)i * ld;
		if (i < ilo || i >= ihi || jlo == jhi) {
			memset(row, 0, ld * sizeof *row);
			continue;
		}
		memset(row, 0, (size_t)jlo * L * sizeof *row);
		memset(row + (size_t)jhi * L, 0, (size_t)(ncols - jhi) * L * sizeof *row);
		for (int l = 0; l < un->lanes; l++) {
			size_t at = ((size_t)(un->n0 + l) * (size_t)ch + (size_t)c) * plane +
			            (size_t)(y0 + i) * (size_t)tw + (size_t)(x0 + jlo);
			src[l] = t + at;
			msk[l] = mask ? mask + at : NULL;
		}
		kern->pack(src, mask ? msk : NULL, un->lanes, jhi - jlo, row + (size_t)jlo * L);
	}
}

/* The inverse: rows i < nrows of buf (ld floats apart; ncols columns)
 * into plane c of each lane's image in dst [n][ch][dh][dw] from (y0, x0),
 * clipped to the plane; written or added. */
static void rows_out(const nl_wg_kernels *kern, const float *buf, size_t ld, int nrows,
                     int ncols, const wg_unit *un, int ch, int dh, int dw, int c, int y0,
                     int x0, float *dst, int accumulate)
{
	int ihi = dh - y0 < nrows ? dh - y0 : nrows;
	int jhi = dw - x0 < ncols ? dw - x0 : ncols;
	const size_t plane = (size_t)dh * (size_t)dw;
	float *out[L];
	for (int i = 0; i < ihi; i++) {
		for (int l = 0; l < un->lanes; l++)
			out[l] = dst + ((size_t)(un->n0 + l) * (size_t)ch + (size_t)c) * plane +
			         (size_t)(y0 + i) * (size_t)dw + (size_t)x0;
		kern->unpack(buf + (size_t)i * ld, jhi, out, un->lanes, accumulate);
	}
}

/* Unit u's tiles of input channel ci, transformed into V (column q0 for
 * its first tile; a short unit's spare columns zeroed). */
static void input_unit(const nl_wg_kernels *kern, const wg_pass *p, size_t u, int ci,
                       float *buf, float *v, size_t vs)
{
	const size_t xi_stride = (size_t)p->cin * vs;
	if (u >= p->units) {
		for (int xi = 0; xi < XI; xi++)
			memset(v + xi * xi_stride, 0, (size_t)p->seg * L * sizeof *v);
		return;
	}
	wg_unit un = unit_of(p, u);
	const int ncols = p->seg * p->m + ALPHA - p->m;
	rows_in(kern, p->src, p->mask, p->cin, p->h, p->w, ci, &un, un.oy - p->ph, ALPHA,
	        un.ox - p->pw, ncols, buf);
	const size_t ld = (size_t)ncols * L;
	for (int t = 0; t < un.tiles; t++)
		kern->input(buf + (size_t)t * p->m * L, ld, v + (size_t)t * L, xi_stride);
	for (int t = un.tiles; t < p->seg; t++)
		for (int xi = 0; xi < XI; xi++)
			memset(v + xi * xi_stride + (size_t)t * L, 0, L * sizeof *v);
}

/* ---- the passes ---- */

/* y or dx: the tiled convolution of the pass's source with packed filters
 * up, plus bias (may be NULL), through ReLU when relu.  Called by every
 * thread of a parallel region, each with its own row buffer. */
static void run_conv(const wg_pass *p, const float *up, const float *bias, int relu,
                     float *dst, int accumulate, float *vbuf, float *mbuf, float *buf)
{
	const nl_wg_kernels *kern = nl_wg_kernels_for(nl_cpu_isa());
	const size_t qc = p->qc, np = panels(p->cout), seg = (size_t)p->seg;
	const size_t vs = qc * L;                 /* V row: one input channel */
	const size_t ks = qc * XI * L, qs = (size_t)XI * L;
	const int ncols = p->seg * p->m;
	for (size_t u0 = 0; u0 < p->units; u0 += p->upc) {
		size_t nu = p->units - u0 < p->upc ? p->units - u0 : p->upc;
		size_t tasks = (size_t)p->cin * p->upc;
		/* Every unit slot of the chunk, so that a short last chunk's
		 * spare columns are zero, not last chunk's. */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
		for (size_t t = 0; t < tasks; t++) {
			int ci = (int)(t / p->upc);
			size_t ui = t % p->upc;
			input_unit(kern, p, u0 + ui, ci, buf, vbuf + (size_t)ci * vs + ui * seg * L, vs);
		}
		/* Columns past the units (rounding up to NQ) stay zero. */
		tasks = (size_t)XI * np;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
		for (size_t t = 0; t < tasks; t++) {
			size_t xi = t / np, ob = t % np;
			int rows = p->cout - (int)ob * NL_WG_MR;
			kern->gemm(up + (ob * XI + xi) * (size_t)p->cin * NL_WG_MR, NL_WG_MR,
			           vbuf + xi * (size_t)p->cin * vs, vs, L, p->cin, (int)qc,
			           mbuf + (ob * NL_WG_MR * qc * XI + xi) * L, ks, qs,
			           rows < NL_WG_MR ? rows : NL_WG_MR, 0);
		}
		tasks = (size_t)p->cout * nu;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
		for (size_t t = 0; t < tasks; t++) {
			int k = (int)(t / nu);
			size_t ui = t % nu;
			wg_unit un = unit_of(p, u0 + ui);
			const size_t ld = (size_t)ncols * L;
			for (int tt = 0; tt < un.tiles; tt++)
				kern->output(p->m, mbuf + ((size_t)k * qc + ui * seg + (size_t)tt) * XI * L,
				             bias ? bias[k] : 0.0f, relu, buf + (size_t)tt * p->m * L, ld);
			rows_out(kern, buf, ld, p->m, un.tiles * p->m, &un, p->cout, p->oh, p->ow, k,
			         un.oy, un.ox, dst, accumulate);
		}
	}
}

/* The workspace: the filters (or their gradient), a chunk, and one row
 * buffer per thread, each area on a 64-byte boundary. */
static size_t round16(size_t floats)
{
	return (floats + 15) / 16 * 16;
}

/* Threads that fit the workspace (its size fixed at prepare(); the thread
 * count may have grown since), at least 1 when it holds one row buffer. */
static int pass_threads(const nl_backend *be, size_t fixed, size_t rowbuf)
{
	size_t floats = be->workspace_bytes / sizeof(float);
	size_t fit = floats > fixed ? (floats - fixed) / round16(rowbuf) : 0;
	int t = max_threads();
	return (size_t)t > fit ? (int)fit : t;
}

/* Zero the columns no unit writes (a chunk's round-up to NQ) in rows of
 * qc columns: they must hold numbers, not what another layer left. */
static void zero_spare_columns(const wg_pass *p, float *a, size_t rows)
{
	size_t used = p->upc * (size_t)p->seg;
	if (used < p->qc)
		for (size_t r = 0; r < rows; r++)
			memset(a + r * p->qc * L + used * L, 0, (p->qc - used) * L * sizeof *a);
}

static void no_room(void)
{
	fprintf(stderr, "netlang: cpu: a convolution ran without the workspace prepare() "
	        "asked for\n");
}

/* Forward (flip 0) or backward-data (flip 1) over a parallel region. */
static void conv_pass(nl_backend *be, const wg_layer *g, const wg_pass *p, const float *w,
                      int flip, const float *bias, int relu, float *dst, int accumulate)
{
	const size_t filt = round16((size_t)XI * panels(p->cout) * NL_WG_MR * (size_t)p->cin);
	const size_t chunk = round16(chunk_floats(p)), rb = round16(rowbuf_floats(p));
	int nt = pass_threads(be, filt + chunk, rb);
	if (nt < 1) {
		no_room();
		return;
	}
	float *up = be->workspace, *vbuf = up + filt;
	float *mbuf = vbuf + p->qc * (size_t)XI * L * (size_t)p->cin;
	float *rows = vbuf + chunk;
	zero_spare_columns(p, vbuf, (size_t)XI * (size_t)p->cin);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
#ifdef _OPENMP
		float *buf = rows + (size_t)omp_get_thread_num() * rb;
#else
		float *buf = rows;
#endif
		pack_filters(nl_wg_kernels_for(nl_cpu_isa()), g, w, flip, up);
		run_conv(p, up, bias, relu, dst, accumulate, vbuf, mbuf, buf);
	}
}

size_t nl_cpu_wg_workspace(const nl_step *s)
{
	/* Sized for training whatever the plan: eval plans differ only by the
	 * backward passes' filter areas, about the forward one's size. */
	wg_layer g = layer_of(s);
	wg_pass f = forward_pass(&g, NULL), d = data_pass(&g, NULL, NULL);
	wg_pass gr = grad_pass(&g, NULL);
	size_t filt = (size_t)XI * panels(g.k) * NL_WG_MR * (size_t)g.c;
	size_t fd = (size_t)XI * panels(g.c) * NL_WG_MR * (size_t)g.k;
	size_t fw = (size_t)XI * (size_t)g.k * (size_t)vec16(g.c);
	if (fd > filt)
		filt = fd;
	if (fw > filt)
		filt = fw;
	size_t chunk = chunk_floats(&f) > chunk_floats(&d) ? chunk_floats(&f) : chunk_floats(&d);
	if (chunk_floats(&gr) > chunk)
		chunk = chunk_floats(&gr);
	size_t rb = rowbuf_floats(&f) > rowbuf_floats(&d) ? rowbuf_floats(&f) : rowbuf_floats(&d);
	if (rowbuf_floats(&gr) > rb)
		rb = rowbuf_floats(&gr);
	return (round16(filt) + round16(chunk) + (size_t)max_threads() * round16(rb)) *
	       sizeof(float);
}

void nl_cpu_wg_forward(nl_backend *be, nl_step *s)
{
	wg_layer g = layer_of(s);
	wg_pass p = forward_pass(&g, s->x[0]);
	conv_pass(be, &g, &p, s->w, 0, s->b, s->fuse_relu, s->y, 0);
}

void nl_cpu_wg_backward_data(nl_backend *be, nl_step *s)
{
	wg_layer g = layer_of(s);
	wg_pass p = data_pass(&g, s->dy, s->fuse_relu ? s->y : NULL);
	conv_pass(be, &g, &p, s->w, 1, NULL, 0, s->dx[0], s->dx_accumulate[0]);
}

void nl_cpu_wg_backward_filter(nl_backend *be, nl_step *s)
{
	wg_layer g = layer_of(s);
	/* Tiles over the output, as in forward: x's patches are the forward
	 * pass's, dy's tiles are the forward outputs'.  Per chunk: V from x
	 * and D from dy, both transposed (Vt, Dt: 16 channels a vector), then
	 * for each position, panel of 6 output channels and all input channels
	 *   du[xi][k][c] (+)= sum over the chunk's columns and lanes Dt[xi][.][k] Vt[xi][.][c],
	 * the long sum kept in registers. */
	wg_pass p = grad_pass(&g, s->x[0]);
	const float *mask = s->fuse_relu ? s->y : NULL;
	const nl_wg_kernels *kern = nl_wg_kernels_for(nl_cpu_isa());
	const size_t kp = (size_t)vec16(g.k), kbn = kp / L;
	const size_t cp = (size_t)vec16(g.c), cbn = cp / L;
	const size_t filt = round16((size_t)XI * (size_t)g.k * cp);
	const size_t chunk = round16(chunk_floats(&p)), rb = round16(rowbuf_floats(&p));
	int nt = pass_threads(be, filt + chunk, rb);
	if (nt < 1) {
		no_room();
		return;
	}
	float *du = be->workspace, *vbuf = du + filt;
	const size_t qc = p.qc, ld = qc * L, seg = (size_t)p.seg;
	float *dbuf = vbuf + ld * XI * (size_t)g.c;
	float *dt = dbuf + ld * XI * (size_t)g.k;      /* [xi][kb][ld][16] */
	float *vt = dt + ld * XI * kp;                  /* [xi][cb][ld][16] */
	float *rows = vbuf + chunk;
	const int m = p.m;
	/* Panels of 6 output channels inside each block of 16: 6, 6, 4. */
	const size_t ppb = (L + NL_WG_MR - 1) / NL_WG_MR;

#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
#ifdef _OPENMP
		float *buf = rows + (size_t)omp_get_thread_num() * rb;
#else
		float *buf = rows;
#endif
		for (size_t u0 = 0; u0 < p.units; u0 += p.upc) {
			/* x's tiles as in forward, dy's through A: one loop, so
			 * both share the threads. */
			size_t tx = (size_t)g.c * p.upc, tasks = tx + (size_t)g.k * p.upc;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
			for (size_t t = 0; t < tasks; t++) {
				if (t < tx) {
					int ci = (int)(t / p.upc);
					size_t ui = t % p.upc;
					input_unit(kern, &p, u0 + ui, ci, buf,
					           vbuf + (size_t)ci * ld + ui * seg * L, ld);
					continue;
				}
				int k = (int)((t - tx) / p.upc);
				size_t ui = (t - tx) % p.upc, u = u0 + ui;
				float *z = dbuf + (size_t)k * ld + ui * seg * L;
				const size_t zs = (size_t)g.k * ld;
				int done = 0;
				if (u < p.units) {
					wg_unit un = unit_of(&p, u);
					const int ncols = p.seg * m;
					rows_in(kern, s->dy, mask, g.k, g.oh, g.ow, k, &un, un.oy, m,
					        un.ox, ncols, buf);
					for (int tt = 0; tt < un.tiles; tt++)
						kern->grad(m, buf + (size_t)tt * m * L, (size_t)ncols * L,
						           z + (size_t)tt * L, zs);
					done = un.tiles;
				}
				for (int tt = done; tt < p.seg; tt++)
					for (int xi = 0; xi < XI; xi++)
						memset(z + xi * zs + (size_t)tt * L, 0, L * sizeof *z);
			}
			/* Dt and Vt: 16 channels of a position at a time. */
			tasks = (size_t)XI * (kbn + cbn);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 2)
#endif
			for (size_t t = 0; t < tasks; t++) {
				size_t xi = t / (kbn + cbn), b = t % (kbn + cbn);
				const int isk = b < kbn;
				const int ch = isk ? g.k : g.c;
				const size_t blk = isk ? b : b - kbn, nb = isk ? kbn : cbn;
				const float *from = (isk ? dbuf : vbuf) + xi * (size_t)ch * ld;
				float *to = (isk ? dt : vt) + (xi * nb + blk) * ld * L;
				const float *src[L];
				int lanes = ch - (int)blk * L < L ? ch - (int)blk * L : L;
				for (int l = 0; l < lanes; l++)
					src[l] = from + (blk * L + (size_t)l) * ld;
				kern->pack(src, NULL, lanes, (int)ld, to);
			}
			const int add = u0 > 0;
			tasks = (size_t)XI * kbn * ppb;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
			for (size_t t = 0; t < tasks; t++) {
				size_t xi = t / (kbn * ppb), rest = t % (kbn * ppb);
				size_t kb = rest / ppb, i0 = rest % ppb * NL_WG_MR;
				int k0 = (int)(kb * L + i0);
				if (k0 >= g.k)
					continue;
				int rk = g.k - k0 < NL_WG_MR ? g.k - k0 : NL_WG_MR;
				if ((size_t)rk > L - i0)
					rk = (int)(L - i0);
				kern->gemm(dt + (xi * kbn + kb) * ld * L + i0, L,
				           vt + xi * cbn * ld * L, L, ld * L, (int)ld, (int)cbn,
				           du + (xi * (size_t)g.k + (size_t)k0) * cp, cp, L, rk, add);
			}
		}
		unpack_filter_grad(kern, &g, du, cp, s->dw);
	}
}
