/* pool_test.c - max, average and global average pooling against direct
 * double loops and finite differences: overlapping windows (stride <
 * kernel), disjoint ones (stride == kernel), gaps (stride > kernel),
 * padding, non-square windows and strides, and the gradient contracts.
 * Max pooling's inputs are distinct values 0.01 apart, so no window has a
 * tie or a near-tie that a 1e-3 finite-difference step could flip; ties
 * and all-negative padded windows get their own hand-made checks.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "tests/cpu/harness.h"

#define AT(s, n, c, i, j) ((((size_t)(n) * (s).c + (c)) * (s).h + (i)) * (s).w + (j))

static void ref_pool(const layer_test *t, const double *const *x,
                     const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	const nl_node *nd = &t->node;
	const nl_shape xs = t->xs[0], ys = t->ys;
	for (int n = 0; n < ys.n; n++)
	for (int c = 0; c < ys.c; c++)
	for (int i = 0; i < ys.h; i++)
	for (int j = 0; j < ys.w; j++) {
		double m = -INFINITY, sum = 0.0;
		for (int u = 0; u < nd->kh; u++)
		for (int v = 0; v < nd->kw; v++) {
			int iy = i * nd->sh - nd->ph + u, ix = j * nd->sw - nd->pw + v;
			if (iy < 0 || iy >= xs.h || ix < 0 || ix >= xs.w)
				continue;   /* max: -inf never wins; avg: adds 0 */
			double val = x[0][AT(xs, n, c, iy, ix)];
			if (val > m)
				m = val;
			sum += val;
		}
		/* count_include_pad: the whole window counts (with floor
		 * output sizes it never hangs past the padding). */
		y[AT(ys, n, c, i, j)] = nd->kind == NL_MAXPOOL ? m : sum / (nd->kh * nd->kw);
	}
}

static void ref_gavg(const layer_test *t, const double *const *x,
                     const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	const nl_shape xs = t->xs[0];
	for (int n = 0; n < xs.n; n++)
	for (int c = 0; c < xs.c; c++) {
		double sum = 0.0;
		for (int i = 0; i < xs.h; i++)
			for (int j = 0; j < xs.w; j++)
				sum += x[0][AT(xs, n, c, i, j)];
		y[n * xs.c + c] = sum / (xs.h * xs.w);
	}
}

static void pool_case(const char *name, nl_kind kind, int n, int c, int h, int w,
                      int kh, int kw, int sh, int sw, int ph, int pw, int dx_mode)
{
	layer_test t = { 0 };
	t.name = name;
	t.node.kind = kind;
	t.node.kh = kh; t.node.kw = kw; t.node.sh = sh; t.node.sw = sw;
	t.node.ph = ph; t.node.pw = pw;
	t.ninputs = 1;
	t.xs[0] = h_shape4(n, c, h, w);
	t.ys = h_shape4(n, c, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
	t.dx_mode[0] = dx_mode;
	t.distinct = kind == NL_MAXPOOL;
	t.ref = ref_pool;
	h_check_layer(&t);
}

/* Hand-made max pooling cases the random ones cannot hit: ties go to the
 * first element (PyTorch), and a window over padding and negative values
 * returns the largest real value, not the pad. */
static void maxpool_ties(void)
{
	const int before = h_failures();
	nl_node nd = { 0 };
	nd.kind = NL_MAXPOOL;
	nd.kh = 2; nd.kw = 2; nd.sh = 2; nd.sw = 2; nd.ph = 1; nd.pw = 1;
	/* 1x1x2x2 input, pad 1, 2x2 windows stride 2 -> 2x2 output, each
	 * window holding exactly one real pixel and three pads. */
	float x[4] = { -5.0f, -3.0f, -4.0f, -2.0f };
	float y[4], dy[4] = { 1, 2, 3, 4 }, dx[4];
	int32_t aux[4];
	nl_step s = { 0 };
	s.node = &nd;
	s.ninputs = 1;
	s.xs[0] = h_shape4(1, 1, 2, 2);
	s.ys = h_shape4(1, 1, 2, 2);
	s.x[0] = x; s.y = y; s.aux = aux; s.dy = dy; s.dx[0] = dx;
	H_BE->forward[NL_MAXPOOL](H_BE, &s, 1);
	for (int i = 0; i < 4; i++)
		if (y[i] != x[i])
			h_fail("maxpool over padding: y[%d] = %g, want %g", i, y[i], x[i]);

	/* Ties: a 1x4 row of equal values, window 1x2 stride 1 (overlapping):
	 * every window takes its first element. */
	nl_node nt = { 0 };
	nt.kind = NL_MAXPOOL;
	nt.kh = 1; nt.kw = 2; nt.sh = 1; nt.sw = 1;
	float xt[4] = { 7, 7, 7, 7 }, yt[3], dyt[3] = { 1, 10, 100 }, dxt[4];
	int32_t auxt[3];
	nl_step st = { 0 };
	st.node = &nt;
	st.ninputs = 1;
	st.xs[0] = h_shape4(1, 1, 1, 4);
	st.ys = h_shape4(1, 1, 1, 3);
	st.x[0] = xt; st.y = yt; st.aux = auxt; st.dy = dyt; st.dx[0] = dxt;
	H_BE->forward[NL_MAXPOOL](H_BE, &st, 1);
	H_BE->backward[NL_MAXPOOL](H_BE, &st);
	const float want[4] = { 1, 10, 100, 0 };
	for (int i = 0; i < 4; i++)
		if (dxt[i] != want[i])
			h_fail("maxpool ties: dx[%d] = %g, want %g (first maximum wins)", i, dxt[i], want[i]);
	h_report("maxpool ties and padding (by hand)", before);
}

/* The general max pooling's vector runs (windows wholly inside the
 * image's columns) by hand: 3x3 windows, stride 2, over a 3x11 row band
 * (outputs 0..4, all interior): window 1 has a NaN after its maximum (the
 * NaN wins, at its place), window 2 two equal maxima (the first wins),
 * window 3 a NaN before a larger value (the NaN still wins), window 4 its
 * maximum in the last cell. */
static void maxpool_runs_by_hand(void)
{
	const int before = h_failures();
	const float nan = NAN;
	nl_node nd = { 0 };
	nd.kind = NL_MAXPOOL;
	nd.kh = 3; nd.kw = 3; nd.sh = 2; nd.sw = 2;
	/* columns:      0  1  2    3  4  5  6    7  8  9  10 */
	float x[33] = {
		1, 2, 3,   9, 0, 0, 0,   nan, 0, 0, 0,
		0, 0, 0,   0, 0, 8, 0,   0, 0, 0, 0,
		0, 5, 0, nan, 0, 8, 0,  50, 0, 0, 60,
	};
	/* window ox covers columns 2*ox .. 2*ox + 2; places are row*3 + col */
	const float want_y[5] = { 5, nan, 8, nan, 60 };
	const int want_place[5] = { 7, 7, 4, 1, 8 };
	float y[5];
	uint8_t aux[5];
	nl_step s = { 0 };
	s.node = &nd;
	s.ninputs = 1;
	s.xs[0] = h_shape4(1, 1, 3, 11);
	s.ys = h_shape4(1, 1, 1, 5);
	s.x[0] = x; s.y = y; s.aux = aux;
	H_BE->forward[NL_MAXPOOL](H_BE, &s, 1);
	for (int i = 0; i < 5; i++)
		if (aux[i] != want_place[i] ||
		    !(y[i] == want_y[i] || (isnan(y[i]) && isnan(want_y[i]))))
			h_fail("maxpool 3x3/2: window %d gives %g at place %d, want %g at %d", i, y[i],
			       aux[i], want_y[i], want_place[i]);
	h_report("maxpool 3x3 stride 2 runs: NaNs, ties, last cell (by hand)", before);
}

/* PyTorch's max over one window, scanned row by row: the first NaN wins,
 * else the first of equal maxima; padding never wins.  Returns the
 * winner's place in the (unclipped) window. */
static int ref_max_place(const float *x, int h, int w, int wy0, int wx0, int kh, int kw,
                         float *out)
{
	int place = -1;
	float m = 0.0f;
	for (int u = 0; u < kh; u++)
		for (int v = 0; v < kw; v++) {
			int iy = wy0 + u, ix = wx0 + v;
			if (iy < 0 || iy >= h || ix < 0 || ix >= w)
				continue;
			float c = x[iy * w + ix];
			if (place < 0 || (m == m && (c != c || c > m))) {
				m = c;
				place = u * kw + v;
			}
		}
	*out = m;
	return place;
}

/* Rows wide enough for the vector groups of 16 outputs and the last group
 * that overlaps the one before (outputs 7..22 of 23, ResNet's 3x3/2 pad 1
 * over 48 columns), groups of 8 (12 and 9 outputs) and rows too short for
 * any, both fast strides and one that is not: values from
 * {0..3} so windows tie everywhere, and NaNs scattered over the plane,
 * against a scalar scan in PyTorch's order. */
static void maxpool_wide_rows_ties_nans(void)
{
	static const int geo[][7] = {   /* h w kh kw sh sw pad */
		{ 7, 48, 3, 3, 2, 2, 1 },
		{ 6, 28, 3, 3, 1, 1, 1 },
		{ 5, 51, 3, 3, 2, 2, 0 },
		{ 9, 40, 5, 4, 2, 1, 2 },
		{ 6, 70, 3, 3, 3, 3, 1 },
		{ 5, 26, 3, 3, 2, 2, 0 },   /* AlexNet's 12 outputs: groups of 8 */
		{ 4, 11, 3, 3, 1, 1, 0 },   /* 9 outputs */
		{ 4, 9, 3, 3, 1, 1, 0 },    /* 7: too few for a group */
	};
	const int before = h_failures();
	unsigned seed = 12345u;
	for (size_t gi = 0; gi < sizeof geo / sizeof geo[0]; gi++) {
		const int h = geo[gi][0], w = geo[gi][1], kh = geo[gi][2], kw = geo[gi][3];
		const int sh = geo[gi][4], sw = geo[gi][5], pad = geo[gi][6];
		const int oh = (h + 2 * pad - kh) / sh + 1, ow = (w + 2 * pad - kw) / sw + 1;
		nl_node nd = { 0 };
		nd.kind = NL_MAXPOOL;
		nd.kh = kh; nd.kw = kw; nd.sh = sh; nd.sw = sw; nd.ph = pad; nd.pw = pad;
		float x[9 * 70], y[9 * 70];
		uint8_t aux[9 * 70];
		for (int i = 0; i < h * w; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			x[i] = r % 41 == 0 ? NAN : (float)(r % 4);
		}
		nl_step s = { 0 };
		s.node = &nd;
		s.ninputs = 1;
		s.xs[0] = h_shape4(1, 1, h, w);
		s.ys = h_shape4(1, 1, oh, ow);
		s.x[0] = x; s.y = y; s.aux = aux;
		H_BE->forward[NL_MAXPOOL](H_BE, &s, 1);
		for (int oy = 0; oy < oh; oy++)
			for (int ox = 0; ox < ow; ox++) {
				float want;
				int place = ref_max_place(x, h, w, oy * sh - pad, ox * sw - pad, kh, kw,
				                          &want);
				float got = y[oy * ow + ox];
				if (aux[oy * ow + ox] != place ||
				    !(got == want || (isnan(got) && isnan(want))))
					h_fail("maxpool %dx%d/%d over %dx%d: (%d,%d) gives %g at place %d, "
					       "want %g at %d", kh, kw, sw, h, w, oy, ox, got,
					       aux[oy * ow + ox], want, place);
			}
	}
	h_report("maxpool wide rows: vector groups, ties, NaNs (against a scan)", before);
}

/* The 2x2 stride-2 max pooling fast path (pool.c) by hand: the first of
 * equal maxima, the first NaN, a maximum in the lower row; backward puts
 * each window's gradient on its argmax, 0 (or what was there) elsewhere. */
static void maxpool_2x2_by_hand(void)
{
	const int before = h_failures();
	const float nan = NAN;
	nl_node nd = { 0 };
	nd.kind = NL_MAXPOOL;
	nd.kh = 2; nd.kw = 2; nd.sh = 2; nd.sw = 2;
	/* Four windows of a 4x5 plane (the fifth column is in none):
	 *   [5 5 / 3 5]  [1 nan / 2 nan]
	 *   [nan 7 / nan 1]  [-1 -2 / 4 4] */
	float x[20] = {
		5, 5, 1, nan, 9,
		3, 5, 2, nan, 9,
		nan, 7, -1, -2, 9,
		nan, 1, 4, 4, 9,
	};
	const int want_arg[4] = { 0, 3, 10, 17 };
	/* aux keeps each argmax's place in its window, row by row */
	const int want_place[4] = { 0, 1, 0, 2 };
	float y[4], dy[4] = { 1, 2, 3, 4 }, dx[20];
	uint8_t aux[4];
	nl_step s = { 0 };
	s.node = &nd;
	s.ninputs = 1;
	s.xs[0] = h_shape4(1, 1, 4, 5);
	s.ys = h_shape4(1, 1, 2, 2);
	s.x[0] = x; s.y = y; s.aux = aux; s.dy = dy; s.dx[0] = dx;
	H_BE->forward[NL_MAXPOOL](H_BE, &s, 1);
	for (int i = 0; i < 4; i++) {
		float want = x[want_arg[i]];
		if (aux[i] != want_place[i] || !(y[i] == want || (isnan(y[i]) && isnan(want))))
			h_fail("maxpool 2x2: window %d gives %g at place %d, want %g at %d", i, y[i],
			       (int)aux[i], want, want_place[i]);
	}
	for (int acc = 0; acc <= 1; acc++) {
		for (int i = 0; i < 20; i++)
			dx[i] = acc ? 100.0f : 555.0f;
		s.dx_accumulate[0] = acc;
		H_BE->backward[NL_MAXPOOL](H_BE, &s);
		for (int i = 0; i < 20; i++) {
			float want = acc ? 100.0f : 0.0f;
			for (int k = 0; k < 4; k++)
				if (want_arg[k] == i)
					want += dy[k];
			if (dx[i] != want)
				h_fail("maxpool 2x2 backward%s: dx[%d] = %g, want %g",
				       acc ? " (accumulated)" : "", i, dx[i], want);
		}
	}
	h_report("maxpool 2x2 stride 2: ties, NaNs, odd width (by hand)", before);
}

int main(void)
{
	h_init("pool_test");
	/* name, kind, n c h w, kh kw, sh sw, ph pw */
	pool_case("maxpool 3x3 stride 2 (overlapping)", NL_MAXPOOL, 2, 3, 9, 7, 3, 3, 2, 2, 0, 0, DX_WRITE);
	pool_case("maxpool 2x2 stride 2 (disjoint)", NL_MAXPOOL, 3, 2, 8, 6, 2, 2, 2, 2, 0, 0, DX_WRITE);
	pool_case("maxpool 2x2 stride 2, odd size", NL_MAXPOOL, 2, 3, 9, 7, 2, 2, 2, 2, 0, 0, DX_WRITE);
	pool_case("maxpool 2x2 stride 2, dx accumulated", NL_MAXPOOL, 2, 3, 8, 10, 2, 2, 2, 2, 0, 0,
	          DX_ACCUMULATE);
	pool_case("maxpool 3x3 stride 1 pad 1", NL_MAXPOOL, 2, 3, 5, 6, 3, 3, 1, 1, 1, 1, DX_WRITE);
	/* rows longer than a run of 64 outputs, both strides of the fast runs */
	pool_case("maxpool 3x3 stride 2 pad 1, rows of 71 (runs of 64 and 5)", NL_MAXPOOL, 2, 2, 7,
	          141, 3, 3, 2, 2, 1, 1, DX_WRITE);
	pool_case("maxpool 3x3 stride 1 pad 1, rows of 80", NL_MAXPOOL, 1, 3, 6, 80, 3, 3, 1, 1, 1,
	          1, DX_WRITE);
	pool_case("maxpool 3x2 stride 1x2 pad 1x0", NL_MAXPOOL, 2, 5, 7, 8, 3, 2, 1, 2, 1, 0, DX_WRITE);
	pool_case("maxpool 2x2 stride 3 (gaps)", NL_MAXPOOL, 2, 2, 8, 8, 2, 2, 3, 3, 0, 0, DX_WRITE);
	pool_case("maxpool overlapping, dx accumulated", NL_MAXPOOL, 2, 3, 7, 7, 3, 3, 2, 2, 1, 1, DX_ACCUMULATE);
	/* windows of more than 256 cells keep an int32 index, not a byte */
	pool_case("maxpool 17x16 stride 3x2 pad 2 (a 272-cell window)", NL_MAXPOOL, 2, 2, 21, 20, 17,
	          16, 3, 2, 2, 2, DX_WRITE);
	pool_case("maxpool 16x16 stride 2 pad 1 (256 cells, the largest byte window)", NL_MAXPOOL, 2,
	          2, 19, 18, 16, 16, 2, 2, 1, 1, DX_ACCUMULATE);
	pool_case("avgpool 2x2 stride 2 (disjoint)", NL_AVGPOOL, 3, 2, 8, 6, 2, 2, 2, 2, 0, 0, DX_WRITE);
	/* 2x2 stride 2 unpadded has a path of its own: odd sizes leave a row
	 * and a column in no window; 8 x 6 x 28 x 28 runs over both cores. */
	pool_case("avgpool 2x2 stride 2, odd size", NL_AVGPOOL, 2, 3, 7, 9, 2, 2, 2, 2, 0, 0, DX_WRITE);
	pool_case("avgpool 2x2 stride 2, odd size, dx accumulated", NL_AVGPOOL, 2, 3, 9, 7, 2, 2, 2, 2, 0, 0, DX_ACCUMULATE);
	pool_case("avgpool 2x2 stride 2, LeNet's 6x28x28, dx accumulated", NL_AVGPOOL, 8, 6, 28, 28, 2, 2, 2, 2, 0, 0, DX_ACCUMULATE);
	pool_case("avgpool 2x2 stride 2, LeNet's 6x28x28", NL_AVGPOOL, 8, 6, 28, 28, 2, 2, 2, 2, 0, 0, DX_WRITE);
	pool_case("avgpool 3x3 stride 1 pad 1 (pads count)", NL_AVGPOOL, 2, 3, 5, 6, 3, 3, 1, 1, 1, 1, DX_WRITE);
	pool_case("avgpool 3x2 stride 2x1 pad 1x1", NL_AVGPOOL, 2, 5, 7, 6, 3, 2, 2, 1, 1, 1, DX_WRITE);
	pool_case("avgpool 5x5 stride 3 pad 2, dx accumulated", NL_AVGPOOL, 2, 3, 11, 10, 5, 5, 3, 3, 2, 2, DX_ACCUMULATE);

	layer_test g = { 0 };
	g.name = "global avgpool";
	g.node.kind = NL_GAVGPOOL;
	g.ninputs = 1;
	g.xs[0] = h_shape4(3, 5, 7, 6);
	g.ys = h_shape4(3, 5, 1, 1);
	g.ref = ref_gavg;
	h_check_layer(&g);
	g.name = "global avgpool, dx accumulated";
	g.dx_mode[0] = DX_ACCUMULATE;
	h_check_layer(&g);
	g.name = "global avgpool, dx NULL";
	g.dx_mode[0] = DX_NULL;
	h_check_layer(&g);

	maxpool_ties();
	maxpool_2x2_by_hand();
	maxpool_runs_by_hand();
	maxpool_wide_rows_ties_nans();
	return h_finish();
}
