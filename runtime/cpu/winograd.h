/* winograd.h - private to the CPU backend: the Winograd convolution's
 * layouts and its per-instruction-set kernels (winograd_kern.c), shared
 * with the driver (winograd.c).
 *
 * F(m x m, r x r) with alpha = m + r - 1 = 6: F(4x4, 3x3) for 3x3 layers
 * and F(2x2, 5x5) for 5x5 ones.  Both use the interpolation points 0, 1,
 * -1, 2, -2 and infinity, so they share the data transform B^T; only the
 * filter transform G and the output transform A^T differ.
 *
 * The transformed domain is vectorised over images: a "column" q is one
 * tile position of 16 images (one lane each; missing images are zero
 * lanes), so every transform works on 16-float vectors whatever the
 * feature map's size, and a 3x3 map (ResNet's last stage) vectorises as
 * well as a 224x224 one.  Layouts, for a chunk of Q columns:
 *   V[xi][c][q][16]   transformed input tiles (a C x 16Q matrix per xi)
 *   M[k][q][xi][16]   products, read back 36 vectors at a time per tile
 *   D[xi][k][q][16]   transformed output gradients (filter gradient), and
 *   Dt[xi][kb][q*16 + lane][16], Vt[xi][cb][q*16 + lane][16]  D and V
 *                     transposed, 16 channels a vector, for the filter
 *                     gradient's products
 *   Up[kb][xi][c][6]  transformed filters, 6 output channels a panel, the
 *                     shape the GEMM kernel broadcasts from
 */
#ifndef NL_CPU_WINOGRAD_H
#define NL_CPU_WINOGRAD_H

#include <stddef.h>

#define NL_WG_ALPHA 6                 /* tile side in the transformed domain */
#define NL_WG_XI (NL_WG_ALPHA * NL_WG_ALPHA)
#define NL_WG_LANES 16                /* images per column */
#define NL_WG_MR 6                    /* output channels per filter panel */
#define NL_WG_NQ 4                    /* columns per GEMM block */

/* The kernels one instruction set provides.  All pointers to 16-float
 * vectors are 64-byte aligned. */
typedef struct nl_wg_kernels {
	const char *name;
	/* v[xi * vs + lane] = (B^T d B)[xi] for the 6x6 tile
	 * d[i * ds + j * 16 + lane]. */
	void (*input)(const float *d, size_t ds, float *v, size_t vs);
	/* y[i * ys + j * 16 + lane] = (A^T t A)[i][j] + bias, then max(., 0)
	 * when relu, for t[36][16] and m = 4 or 2. */
	void (*output)(int m, const float *t, float bias, int relu, float *y, size_t ys);
	/* z[xi * zs + lane] = (A g A^T)[xi] for the m x m gradient tile
	 * g[i * gs + j * 16 + lane] (the filter gradient's transform of dy). */
	void (*grad)(int m, const float *g, size_t gs, float *z, size_t zs);
	/* Products of one 6-row panel: for i < rows (<= 6) and q < nq,
	 *   out[i * ks + q * qs + lane] (+)= sum_{k < c} up[k * us + i] v[k * vs + q * vq + lane]
	 * (add: accumulate).  Forward and backward-data: up is a filter panel
	 * (us = 6), v is V (vs = a row of the chunk, vq = 16), q runs over
	 * columns.  The filter gradient: up is 6 of the 16 output channels of
	 * Dt (us = 16), v is Vt (vs = 16, vq = a block of 16 input channels),
	 * and the sum runs over the chunk's columns and lanes. */
	void (*gemm)(const float *up, size_t us, const float *v, size_t vs, size_t vq, int c,
	             int nq, float *out, size_t ks, size_t qs, int rows, int add);
	/* Transposes between 16 image rows and 16-lane pixels:
	 *   pack:   dst[x * 16 + l] = src[l][x] (or 0 where mask[l][x] <= 0,
	 *           when mask is not NULL), 0 for lanes l >= lanes
	 *   unpack: dst[l][x] = src[x * 16 + l] (or +=), lanes l < lanes
	 * for x < n. */
	void (*pack)(const float *const *src, const float *const *mask, int lanes, int n,
	             float *dst);
	void (*unpack)(const float *src, int n, float *const *dst, int lanes, int add);
	/* Filter transforms of 16 r x r filters at once (r = 3 or 5):
	 *   filter:      u[xi * 16 + lane] = (G f G^T)[xi], f[tap * 16 + lane]
	 *   filter_grad: w[tap * 16 + lane] = (G^T s G)[tap], s[xi * ss + lane] */
	void (*filter)(int r, const float *f, float *u);
	void (*filter_grad)(int r, const float *s, size_t ss, float *w);
} nl_wg_kernels;

/* The kernels for an instruction set (nl_cpu_isa()). */
const nl_wg_kernels *nl_wg_kernels_for(int isa);

#endif
