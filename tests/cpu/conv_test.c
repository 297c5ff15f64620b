/* conv_test.c - the CPU convolution against a direct double loop and
 * finite differences, on shapes that exercise every path of conv.c:
 * strides and paddings that differ per axis, non-square kernels, channel
 * counts that are multiples of nothing, several images per sgemm chunk with
 * a partial last chunk, one image per chunk (large maps), the 1x1 direct
 * path, and the dx == NULL / dx_accumulate contracts.  Fewer than 32
 * output channels take the image-parallel path (one image per thread at a
 * time, private dW partial sums); 32 or more the shared-sgemm ones, so
 * both are covered, including thread counts above the number of images.
 */
#include <config.h>

#include <stdio.h>

#include "tests/cpu/harness.h"

/* y[n][o][i][j] = b[o] + sum_{c,u,v} w[o][c][u][v] x[n][c][i*sh-ph+u][j*sw-pw+v] */
static void ref_conv(const layer_test *t, const double *const *x,
                     const double *w, const double *b, double *y)
{
	const nl_node *nd = &t->node;
	const nl_shape xs = t->xs[0], ys = t->ys;
	for (int n = 0; n < ys.n; n++)
	for (int o = 0; o < ys.c; o++)
	for (int i = 0; i < ys.h; i++)
	for (int j = 0; j < ys.w; j++) {
		double acc = b[o];
		for (int c = 0; c < xs.c; c++)
		for (int u = 0; u < nd->kh; u++)
		for (int v = 0; v < nd->kw; v++) {
			int iy = i * nd->sh - nd->ph + u, ix = j * nd->sw - nd->pw + v;
			if (iy < 0 || iy >= xs.h || ix < 0 || ix >= xs.w)
				continue;
			acc += w[((o * xs.c + c) * nd->kh + u) * nd->kw + v] *
			       x[0][((size_t)(n * xs.c + c) * xs.h + iy) * xs.w + ix];
		}
		y[((size_t)(n * ys.c + o) * ys.h + i) * ys.w + j] = acc;
	}
}

static void conv_case(const char *name, int n, int c, int h, int w, int oc,
                      int kh, int kw, int sh, int sw, int ph, int pw, int dx_mode)
{
	layer_test t = { 0 };
	t.name = name;
	t.node.kind = NL_CONV;
	t.node.kh = kh; t.node.kw = kw; t.node.sh = sh; t.node.sw = sw;
	t.node.ph = ph; t.node.pw = pw; t.node.out = oc;
	t.ninputs = 1;
	t.xs[0] = h_shape4(n, c, h, w);
	t.ys = h_shape4(n, oc, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
	t.nw = (size_t)oc * c * kh * kw;
	t.nb = (size_t)oc;
	t.dx_mode[0] = dx_mode;
	t.ref = ref_conv;
	h_check_layer(&t);
}

int main(void)
{
	h_init("conv_test");
	/* name, n c h w, oc, kh kw, sh sw, ph pw */
	conv_case("conv 3x3 pad 1", 2, 3, 7, 6, 5, 3, 3, 1, 1, 1, 1, DX_WRITE);
	conv_case("conv 3x2 kernel, stride 2x1, pad 1x0", 3, 2, 9, 7, 4, 3, 2, 2, 1, 1, 0, DX_WRITE);
	conv_case("conv 5x5 stride 3 pad 2 (AlexNet-like)", 2, 3, 13, 11, 7, 5, 5, 3, 3, 2, 2, DX_WRITE);
	conv_case("conv 11x11 stride 4 (overlapping, stride < kernel)", 2, 1, 27, 23, 3, 11, 11, 4, 4, 0, 0, DX_WRITE);
	conv_case("conv 2x2 stride 2 (stride == kernel)", 2, 3, 8, 6, 4, 2, 2, 2, 2, 0, 0, DX_WRITE);
	conv_case("conv 1x3 stride 1x3 pad 0x1", 2, 2, 5, 10, 3, 1, 3, 1, 3, 0, 1, DX_WRITE);
	conv_case("conv 1x1 on a small map (batched, unfolded)", 3, 5, 4, 3, 6, 1, 1, 1, 1, 0, 0, DX_WRITE);
	conv_case("conv kernel wider than the image with padding", 2, 2, 3, 2, 3, 3, 5, 1, 1, 1, 2, DX_WRITE);
	/* P = 32*32 = 1024 columns per image: 4 images per chunk, so 11
	 * images make chunks of 4, 4 and a partial 3. */
	conv_case("conv 3x3 batched chunks with a partial last one", 11, 2, 32, 32, 3, 3, 3, 1, 1, 1, 1, DX_WRITE);
	/* P >= 4096 columns: one image per sgemm, output written directly. */
	conv_case("conv 3x3 one image per chunk", 3, 2, 64, 66, 3, 3, 3, 1, 1, 1, 1, DX_WRITE);
	conv_case("conv 1x1 direct (no unfolding)", 3, 4, 64, 64, 5, 1, 1, 1, 1, 0, 0, DX_WRITE);
	conv_case("conv 1x1 direct, dx accumulated", 2, 3, 64, 65, 2, 1, 1, 1, 1, 0, 0, DX_ACCUMULATE);
	conv_case("conv 3x3 stride 2, dx accumulated", 3, 3, 9, 8, 4, 3, 3, 2, 2, 1, 1, DX_ACCUMULATE);
	conv_case("conv batched, dx accumulated", 9, 2, 32, 32, 3, 3, 3, 1, 1, 1, 1, DX_ACCUMULATE);
	conv_case("conv first layer (dx NULL)", 2, 1, 10, 9, 4, 3, 3, 2, 2, 1, 1, DX_NULL);
	/* Image-parallel: one image (a single thread), an odd count split
	 * unevenly, and LeNet's two layers. */
	conv_case("conv thin, one image", 1, 2, 9, 8, 5, 3, 3, 1, 1, 1, 1, DX_WRITE);
	conv_case("conv thin, 7 images, dx accumulated", 7, 3, 10, 9, 6, 5, 5, 1, 1, 2, 2, DX_ACCUMULATE);
	conv_case("conv LeNet first layer (5x5 pad 2 -> 6)", 5, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2, DX_NULL);
	conv_case("conv LeNet second layer (5x5 -> 16)", 5, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, DX_WRITE);
	conv_case("conv 1x1 thin direct, dx accumulated", 3, 4, 9, 7, 5, 1, 1, 1, 1, 0, 0, DX_ACCUMULATE);
	/* 32 and more output channels: the shared-sgemm paths above again. */
	conv_case("conv wide, batched chunks with a partial last one", 11, 2, 32, 32, 33, 3, 3, 1, 1, 1, 1, DX_WRITE);
	conv_case("conv wide, batched, dx accumulated", 9, 2, 16, 16, 32, 3, 3, 2, 2, 1, 1, DX_ACCUMULATE);
	conv_case("conv wide, one image per chunk", 2, 2, 64, 66, 32, 3, 3, 1, 1, 1, 1, DX_WRITE);
	conv_case("conv wide 1x1 direct, dx accumulated", 2, 3, 64, 65, 34, 1, 1, 1, 1, 0, 0, DX_ACCUMULATE);
	return h_finish();
}
