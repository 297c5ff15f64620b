/* direct.c - the forward pass of a stride-1 convolution, one image at a
 * time, for thin layers.
 *
 * LeNet's layers (6 and 16 output channels, 28x28 and 10x10 maps) ran as
 * im2col + sgemm one image at a time, and the unfolding, rows of 10 and 28
 * floats copied 25 and 150 times, took a third of a training step: more
 * than the products.  Here the forward products read the image where it
 * lies:
 *
 *   y[o][oy][ox] = b[o] + sum over c, i, j of w[o][c][i][j] * xp[c][oy+i][ox+j]
 *
 * with xp the image zero-padded into a per-thread buffer (its border
 * zeroed once per call) whose rows are long enough that a vector of
 * outputs of a row is always computed whole: one vector load of xp per
 * (c, i, j) serves a block of output channels, each a broadcast weight and
 * a multiply-add into its own accumulator.  The weights are packed once per
 * call, 8 output channels side by side (nl_cpu_direct_pack).
 *
 * The weight gradient is read the same way: for each weight, the rows of
 * dy times the padded image's rows shifted by the tap, summed in vectors
 * across the images of a thread and across lanes at its end
 * (nl_cpu_direct_filter_*).  The data pass stays im2col + sgemm (conv.c):
 * done this way it would multiply the whole padded border of dy, twice the
 * work of the sgemm and fold it replaces for LeNet's second layer.
 *
 * Every output is its bias plus the terms in (c, i, j) order.  The AVX-512
 * and AVX2 paths (direct_rows.h, 8 and 4 output channels a pass, 16 and 8
 * outputs a vector) add each term with a fused multiply-add, so their
 * outputs agree bit for bit; the portable path multiplies, then adds (C11
 * does not contract), which agrees to float rounding.  The weight
 * gradient's sums are split into lanes by the vector width, so its paths
 * agree to float rounding; on one machine every run gives the same bits.
 */
#include <config.h>

#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DIRECT_X86 1
#endif

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/direct.h"

#define VMAX 16            /* the widest vector: rows are padded for it */
#define OBMAX 8            /* output channels packed side by side */

/* Outputs of a row in whole vectors of VMAX, and the padded input's row
 * length: every vector's kw taps in range. */
static size_t row_floats(const nl_direct_geom *g)
{
	return ((size_t)g->ow + VMAX - 1) / VMAX * VMAX;
}

static size_t padded_width(const nl_direct_geom *g)
{
	size_t wq = row_floats(g) + (size_t)g->kw - 1;
	return (wq + VMAX - 1) / VMAX * VMAX;
}

static size_t padded_height(const nl_direct_geom *g)
{
	return (size_t)g->h + 2 * (size_t)g->ph;
}

int nl_cpu_direct_applies(const nl_direct_geom *g)
{
	return g->ph >= 0 && g->pw >= 0 && g->oh >= 1 && g->ow >= 1 &&
	       g->oh == g->h + 2 * g->ph - g->kh + 1 && g->ow == g->w + 2 * g->pw - g->kw + 1;
}

size_t nl_cpu_direct_pack_floats(const nl_direct_geom *g)
{
	size_t blocks = ((size_t)g->oc + OBMAX - 1) / OBMAX;
	return blocks * (size_t)g->c * (size_t)g->kh * (size_t)g->kw * OBMAX;
}

size_t nl_cpu_direct_thread_floats(const nl_direct_geom *g)
{
	size_t xp = (size_t)g->c * padded_height(g) * padded_width(g);
	return (xp + VMAX - 1) / VMAX * VMAX + (size_t)OBMAX * row_floats(g);
}

static size_t dy_floats(const nl_direct_geom *g)
{
	return (size_t)g->oc * (size_t)g->oh * row_floats(g);
}

static size_t acc_floats(const nl_direct_geom *g)
{
	return nl_cpu_direct_pack_floats(g) * VMAX;
}

size_t nl_cpu_direct_filter_floats(const nl_direct_geom *g)
{
	size_t xp = (size_t)g->c * padded_height(g) * padded_width(g);
	return (xp + VMAX - 1) / VMAX * VMAX + dy_floats(g) + acc_floats(g);
}

/* wpk[ob][c][i][j][8]: filter (o = ob*8 + e, c), tap (i, j); zero past
 * the last output channel. */
void nl_cpu_direct_pack(const nl_direct_geom *g, const float *w, float *wpk)
{
	const size_t kk = (size_t)g->kh * (size_t)g->kw, blocks = ((size_t)g->oc + OBMAX - 1) / OBMAX;
	for (size_t ob = 0; ob < blocks; ob++)
		for (size_t c = 0; c < (size_t)g->c; c++)
			for (size_t t = 0; t < kk; t++)
				for (size_t e = 0; e < OBMAX; e++) {
					size_t o = ob * OBMAX + e;
					wpk[((ob * (size_t)g->c + c) * kk + t) * OBMAX + e] =
						o < (size_t)g->oc ? w[(o * (size_t)g->c + c) * kk + t] : 0.0f;
				}
}

/* Writes one row of NB output channels (rows RF floats apart) to y. */
static inline void put_rows(const nl_direct_geom *g, const float *row, size_t rf, size_t o0,
                            int nb, int oy, float *y, int relu)
{
	const size_t plane = (size_t)g->oh * (size_t)g->ow;
	for (int e = 0; e < nb && o0 + (size_t)e < (size_t)g->oc; e++) {
		const float *r = row + (size_t)e * rf;
		float *dst = y + (o0 + (size_t)e) * plane + (size_t)oy * (size_t)g->ow;
		if (relu) {
			for (int x = 0; x < g->ow; x++)
				dst[x] = r[x] < 0.0f ? 0.0f : r[x];
		} else {
			memcpy(dst, r, (size_t)g->ow * sizeof *dst);
		}
	}
}

/* The row kernels, once per instruction set. */
#ifdef DIRECT_X86
#define ROWS_NAME rows_avx512
#define FILT_NAME filt_avx512
#define VMADDV(acc, x, y) _mm512_fmadd_ps((x), (y), (acc))
#define ROWS_TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define VL 16
#define NB 8
#define VZERO() _mm512_setzero_ps()
#define VSET1(a) _mm512_set1_ps(a)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VMADD(acc, x, w) _mm512_fmadd_ps((x), _mm512_set1_ps(w), (acc))
#include "runtime/cpu/direct_rows.h"

#define ROWS_NAME rows_avx2
#define FILT_NAME filt_avx2
#define VMADDV(acc, x, y) _mm256_fmadd_ps((x), (y), (acc))
#define ROWS_TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VL 8
#define NB 4
#define VZERO() _mm256_setzero_ps()
#define VSET1(a) _mm256_set1_ps(a)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VMADD(acc, x, w) _mm256_fmadd_ps((x), _mm256_set1_ps(w), (acc))
#include "runtime/cpu/direct_rows.h"
#endif

/* Portable: "vectors" of one float, multiply then add. */
#define ROWS_NAME rows_generic
#define FILT_NAME filt_generic
#define VMADDV(acc, x, y) ((acc) + (x) * (y))
#define ROWS_TARGET
#define VEC float
#define VL 1
#define NB 4
#define VZERO() 0.0f
#define VSET1(a) (a)
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VMADD(acc, x, w) ((acc) + (x) * (w))
#include "runtime/cpu/direct_rows.h"

void nl_cpu_direct_begin(const nl_direct_geom *g, float *buf)
{
	memset(buf, 0, (size_t)g->c * padded_height(g) * padded_width(g) * sizeof *buf);
}

/* The image into the padded buffer's interior (its border stays 0). */
static void pad_image(const nl_direct_geom *g, const float *x, float *buf)
{
	const size_t hp = padded_height(g), wq = padded_width(g);
	for (int c = 0; c < g->c; c++)
		for (int r = 0; r < g->h; r++)
			memcpy(buf + ((size_t)c * hp + (size_t)(r + g->ph)) * wq + (size_t)g->pw,
			       x + ((size_t)c * (size_t)g->h + (size_t)r) * (size_t)g->w,
			       (size_t)g->w * sizeof *buf);
}

void nl_cpu_direct_image(const nl_direct_geom *g, const float *wpk, const float *bias,
                         const float *x, float *y, int relu, float *buf)
{
	const size_t hp = padded_height(g), wq = padded_width(g);
	pad_image(g, x, buf);
	size_t xpf = (size_t)g->c * hp * wq;
	float *row = buf + (xpf + VMAX - 1) / VMAX * VMAX;
	switch (nl_cpu_isa()) {
#ifdef DIRECT_X86
	case NL_ISA_AVX512:
		rows_avx512(g, buf, hp, wq, wpk, bias, y, relu, row);
		return;
	case NL_ISA_AVX2:
		rows_avx2(g, buf, hp, wq, wpk, bias, y, relu, row);
		return;
#endif
	default:
		rows_generic(g, buf, hp, wq, wpk, bias, y, relu, row);
	}
}

/* The buffer of the weight gradient's pass: the padded image, then dy
 * with rows padded, then the vector sums. */
void nl_cpu_direct_filter_begin(const nl_direct_geom *g, float *buf)
{
	memset(buf, 0, nl_cpu_direct_filter_floats(g) * sizeof *buf);
}

void nl_cpu_direct_filter_image(const nl_direct_geom *g, const float *x, const float *dy,
                                float *buf)
{
	const size_t hp = padded_height(g), wq = padded_width(g), rf = row_floats(g);
	size_t xpf = ((size_t)g->c * hp * wq + VMAX - 1) / VMAX * VMAX;
	float *dyp = buf + xpf, *acc = dyp + dy_floats(g);
	pad_image(g, x, buf);
	for (size_t r = 0; r < (size_t)g->oc * (size_t)g->oh; r++)
		memcpy(dyp + r * rf, dy + r * (size_t)g->ow, (size_t)g->ow * sizeof *dyp);
	switch (nl_cpu_isa()) {
#ifdef DIRECT_X86
	case NL_ISA_AVX512:
		filt_avx512(g, buf, hp, wq, dyp, acc);
		return;
	case NL_ISA_AVX2:
		filt_avx2(g, buf, hp, wq, dyp, acc);
		return;
#endif
	default:
		filt_generic(g, buf, hp, wq, dyp, acc);
	}
}

void nl_cpu_direct_filter_end(const nl_direct_geom *g, const float *buf, float *dw)
{
	const size_t hp = padded_height(g), wq = padded_width(g), kk = (size_t)g->kh * g->kw;
	size_t xpf = ((size_t)g->c * hp * wq + VMAX - 1) / VMAX * VMAX;
	const float *acc = buf + xpf + dy_floats(g);
	for (size_t o = 0; o < (size_t)g->oc; o++)
		for (size_t c = 0; c < (size_t)g->c; c++)
			for (size_t t = 0; t < kk; t++) {
				const float *a = acc + ((((o / OBMAX) * (size_t)g->c + c) * kk + t) *
				                        OBMAX + o % OBMAX) * VMAX;
				float sum = 0.0f;
				for (int l = 0; l < VMAX; l++)
					sum += a[l];
				dw[(o * (size_t)g->c + c) * kk + t] = sum;
			}
}
