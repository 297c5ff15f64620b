/* winograd_kern.c - the Winograd convolution's inner kernels, once per
 * instruction set (see winograd.h for the layouts).
 *
 * The transforms are written once, as loops over the 16 lanes of a column
 * that the compiler turns into vector code, and inlined into a wrapper per
 * instruction set; they use no fused multiply-add (C11 does not contract),
 * so every wrapper computes the same floats in the same order.  The
 * products are hand-blocked with intrinsics: AVX-512 keeps a 6 x 64 block
 * of outputs (24 registers) and broadcasts from a panel of 6 rows, AVX2 a
 * 6 x 16 one (12 registers); both sum in the same order with fused
 * multiply-adds, so they agree to the last bit, and the portable C path
 * (separate multiply and add) to float rounding.
 *
 * The 1-D transforms, with the points 0, 1, -1, 2, -2, infinity:
 *   B^T  (data):      t0 = 4d0 - 5d2 + d4        t1 = (d3 + d4) - 4(d1 + d2)
 *                     t2 = (d4 - d3) + 4(d1 - d2)  t3 = (d4 - d2) + 2(d3 - d1)
 *                     t4 = (d4 - d2) - 2(d3 - d1)  t5 = 4d1 - 5d3 + d5
 *   A^T  (output, m = 4): y0 = s0 + (s1 + s2) + (s3 + s4)  y1 = (s1 - s2) + 2(s3 - s4)
 *                     y2 = (s1 + s2) + 4(s3 + s4)  y3 = (s1 - s2) + 8(s3 - s4) + s5
 *   A^T  (m = 2):     y0 as above                y1 = (s1 - s2) + 2(s3 - s4) + s5
 *   A    (gradient tile, m values to 6): z0 = g0, z5 = g[m-1] and
 *                     z1,2 = g(1), g(-1), z3,4 = g(2), g(-2) for g(x) = sum g_i x^i.
 */
#include <config.h>

#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define WG_X86 1
#endif

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/winograd.h"

#define L NL_WG_LANES
#define INLINE static inline __attribute__((always_inline))

#ifdef _OPENMP
#define LANES _Pragma("omp simd")
#else
#define LANES
#endif

/* ---- transforms: dst[k * ds + lane] from src[i * ss + lane] ---- */

INLINE void bt6(const float *restrict s, size_t ss, float *restrict t, size_t ts)
{
	LANES
	for (int l = 0; l < L; l++) {
		float d0 = s[l], d1 = s[ss + l], d2 = s[2 * ss + l];
		float d3 = s[3 * ss + l], d4 = s[4 * ss + l], d5 = s[5 * ss + l];
		float p = d4 - d2, q = 2.0f * (d3 - d1);
		t[l] = (4.0f * d0 - 5.0f * d2) + d4;
		t[ts + l] = (d3 + d4) - 4.0f * (d1 + d2);
		t[2 * ts + l] = (d4 - d3) + 4.0f * (d1 - d2);
		t[3 * ts + l] = p + q;
		t[4 * ts + l] = p - q;
		t[5 * ts + l] = (4.0f * d1 - 5.0f * d3) + d5;
	}
}

INLINE void at_m(int m, const float *restrict s, size_t ss, float *restrict y, size_t ys)
{
	LANES
	for (int l = 0; l < L; l++) {
		float s0 = s[l], s1 = s[ss + l], s2 = s[2 * ss + l];
		float s3 = s[3 * ss + l], s4 = s[4 * ss + l], s5 = s[5 * ss + l];
		float a = s1 + s2, b = s3 + s4, c = s1 - s2, d = s3 - s4;
		y[l] = (s0 + a) + b;
		if (m == 4) {
			y[ys + l] = c + 2.0f * d;
			y[2 * ys + l] = a + 4.0f * b;
			y[3 * ys + l] = (c + 8.0f * d) + s5;
		} else {
			y[ys + l] = (c + 2.0f * d) + s5;
		}
	}
}

INLINE void a_m(int m, const float *restrict g, size_t gs, float *restrict z, size_t zs)
{
	LANES
	for (int l = 0; l < L; l++) {
		float z0, z1, z2, z3, z4, z5;
		if (m == 4) {
			float g0 = g[l], g1 = g[gs + l], g2 = g[2 * gs + l], g3 = g[3 * gs + l];
			float e = g0 + g2, o = g1 + g3;
			float e2 = g0 + 4.0f * g2, o2 = 2.0f * g1 + 8.0f * g3;
			z0 = g0; z1 = e + o; z2 = e - o; z3 = e2 + o2; z4 = e2 - o2; z5 = g3;
		} else {
			float g0 = g[l], g1 = g[gs + l];
			z0 = g0; z1 = g0 + g1; z2 = g0 - g1;
			z3 = g0 + 2.0f * g1; z4 = g0 - 2.0f * g1; z5 = g1;
		}
		z[l] = z0; z[zs + l] = z1; z[2 * zs + l] = z2;
		z[3 * zs + l] = z3; z[4 * zs + l] = z4; z[5 * zs + l] = z5;
	}
}

/* 2-D: columns first (down each of the 6 columns), then rows.  d's rows
 * are ds floats apart, its columns 16. */
INLINE void input_body(const float *restrict d, size_t ds, float *restrict v, size_t vs)
{
	float t[NL_WG_XI * L] __attribute__((aligned(64)));
	for (int j = 0; j < NL_WG_ALPHA; j++)
		bt6(d + j * L, ds, t + j * L, NL_WG_ALPHA * L);
	for (int i = 0; i < NL_WG_ALPHA; i++)
		bt6(t + i * NL_WG_ALPHA * L, L, v + (size_t)i * NL_WG_ALPHA * vs, vs);
}

/* y's rows are ys floats apart, its columns 16. */
INLINE void output_body(int m, const float *restrict t, float bias, int relu,
                        float *restrict y, size_t ys)
{
	float u[4 * NL_WG_ALPHA * L] __attribute__((aligned(64)));
	for (int j = 0; j < NL_WG_ALPHA; j++)
		at_m(m, t + j * L, NL_WG_ALPHA * L, u + j * L, NL_WG_ALPHA * L);
	for (int i = 0; i < m; i++) {
		float *yr = y + (size_t)i * ys;
		at_m(m, u + i * NL_WG_ALPHA * L, L, yr, L);
		const int n = m * L;
		if (relu) {
			LANES
			for (int k = 0; k < n; k++) {
				float r = yr[k] + bias;
				yr[k] = r < 0.0f ? 0.0f : r;    /* keeps a NaN */
			}
		} else {
			LANES
			for (int k = 0; k < n; k++)
				yr[k] += bias;
		}
	}
}

/* g's rows are gs floats apart, its columns 16. */
INLINE void grad_body(int m, const float *restrict g, size_t gs, float *restrict z, size_t zs)
{
	float u[NL_WG_ALPHA * 4 * L] __attribute__((aligned(64)));
	/* Down each of the m columns: 6 rows of m columns. */
	for (int j = 0; j < m; j++)
		a_m(m, g + j * L, gs, u + j * L, (size_t)m * L);
	for (int a = 0; a < NL_WG_ALPHA; a++)
		a_m(m, u + a * m * L, L, z + (size_t)a * NL_WG_ALPHA * zs, zs);
}

/* G (6 x r) on r values: r = 3 or 5.  The divisions by 6 and 24 are
 * multiplications by their float reciprocals. */
INLINE void g_r(int r, const float *restrict f, size_t fs, float *restrict u, size_t us)
{
	const float c4 = 0.25f, c6 = 1.0f / 6.0f, c12 = 1.0f / 12.0f, c24 = 1.0f / 24.0f;
	LANES
	for (int l = 0; l < L; l++) {
		float g0 = f[l], g1 = f[fs + l], g2 = f[2 * fs + l];
		float e, o, e2, o2, last;
		if (r == 3) {
			e = g0 + g2; o = g1;
			e2 = c24 * g0 + c6 * g2; o2 = c12 * g1;
			last = g2;
		} else {
			float g3 = f[3 * fs + l], g4 = f[4 * fs + l];
			e = (g0 + g2) + g4; o = g1 + g3;
			e2 = (c24 * g0 + c6 * g2) + (2.0f / 3.0f) * g4; o2 = c12 * g1 + (1.0f / 3.0f) * g3;
			last = g4;
		}
		u[l] = c4 * g0;
		u[us + l] = -c6 * (e + o);
		u[2 * us + l] = -c6 * (e - o);
		u[3 * us + l] = e2 + o2;
		u[4 * us + l] = e2 - o2;
		u[5 * us + l] = last;
	}
}

/* G^T (r x 6) on 6 values. */
INLINE void gt_r(int r, const float *restrict s, size_t ss, float *restrict w, size_t ws)
{
	const float c4 = 0.25f, c6 = 1.0f / 6.0f, c12 = 1.0f / 12.0f, c24 = 1.0f / 24.0f;
	LANES
	for (int l = 0; l < L; l++) {
		float s0 = s[l], s1 = s[ss + l], s2 = s[2 * ss + l];
		float s3 = s[3 * ss + l], s4 = s[4 * ss + l], s5 = s[5 * ss + l];
		float p = s1 + s2, q = s1 - s2, a = s3 + s4, b = s3 - s4;
		w[l] = (c4 * s0 - c6 * p) + c24 * a;
		w[ws + l] = c12 * b - c6 * q;
		if (r == 3) {
			w[2 * ws + l] = (c6 * a - c6 * p) + s5;
		} else {
			w[2 * ws + l] = c6 * a - c6 * p;
			w[3 * ws + l] = (1.0f / 3.0f) * b - c6 * q;
			w[4 * ws + l] = ((2.0f / 3.0f) * a - c6 * p) + s5;
		}
	}
}

/* u[xi * 16 + lane] = (G f G^T)[xi] for 16 r x r filters f[tap * 16 + lane]. */
INLINE void filter_body(int r, const float *restrict f, float *restrict u)
{
	float t[NL_WG_ALPHA * 5 * L] __attribute__((aligned(64)));
	for (int v = 0; v < r; v++)        /* down each column: 6 rows of r */
		g_r(r, f + v * L, (size_t)r * L, t + v * L, (size_t)r * L);
	for (int a = 0; a < NL_WG_ALPHA; a++)
		g_r(r, t + a * r * L, L, u + a * NL_WG_ALPHA * L, L);
}

/* w[tap * 16 + lane] = (G^T s G)[tap] for 16 6 x 6 s[xi * ss + lane]. */
INLINE void filter_grad_body(int r, const float *restrict s, size_t ss, float *restrict w)
{
	float t[5 * NL_WG_ALPHA * L] __attribute__((aligned(64)));
	for (int b = 0; b < NL_WG_ALPHA; b++)     /* down each column: r rows of 6 */
		gt_r(r, s + b * ss, NL_WG_ALPHA * ss, t + b * L, NL_WG_ALPHA * L);
	for (int u = 0; u < r; u++)
		gt_r(r, t + u * NL_WG_ALPHA * L, L, w + u * r * L, L);
}

/* ---- portable C ---- */

static void input_generic(const float *d, size_t ds, float *v, size_t vs)
{
	input_body(d, ds, v, vs);
}

static void output_generic(int m, const float *t, float bias, int relu, float *y,
                           size_t ys)
{
	output_body(m, t, bias, relu, y, ys);
}

static void grad_generic(int m, const float *g, size_t gs, float *z, size_t zs)
{
	grad_body(m, g, gs, z, zs);
}

static void filter_generic(int r, const float *f, float *u)
{
	filter_body(r, f, u);
}

static void filter_grad_generic(int r, const float *s, size_t ss, float *w)
{
	filter_grad_body(r, s, ss, w);
}

static void gemm_generic(const float *up, size_t us, const float *v, size_t vs, size_t vq, int c,
                         int nq, float *out, size_t ks, size_t qs, int rows, int add)
{
	for (int q = 0; q < nq; q++)
		for (int i = 0; i < rows; i++) {
			float acc[L] = { 0 };
			for (int k = 0; k < c; k++) {
				const float u = up[(size_t)k * us + i];
				const float *vp = v + (size_t)k * vs + (size_t)q * vq;
				LANES
				for (int l = 0; l < L; l++)
					acc[l] += u * vp[l];
			}
			float *o = out + (size_t)i * ks + (size_t)q * qs;
			LANES
			for (int l = 0; l < L; l++)
				o[l] = add ? o[l] + acc[l] : acc[l];
		}
}

static void pack_generic(const float *const *src, const float *const *mask, int lanes,
                         int n, float *dst)
{
	for (int x = 0; x < n; x++)
		for (int l = 0; l < L; l++) {
			float v = 0.0f;
			if (l < lanes && (!mask || mask[l][x] > 0.0f))
				v = src[l][x];
			dst[(size_t)x * L + l] = v;
		}
}

static void unpack_generic(const float *src, int n, float *const *dst, int lanes, int add)
{
	for (int l = 0; l < lanes; l++)
		for (int x = 0; x < n; x++) {
			float v = src[(size_t)x * L + l];
			dst[l][x] = add ? dst[l][x] + v : v;
		}
}

static const nl_wg_kernels generic = {
	"generic", input_generic, output_generic, grad_generic, gemm_generic,
	pack_generic, unpack_generic, filter_generic, filter_grad_generic
};

#ifdef WG_X86

/* ---- AVX2 with FMA ---- */

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static void input_avx2(const float *d, size_t ds, float *v, size_t vs)
{
	input_body(d, ds, v, vs);
}

AVX2 static void output_avx2(int m, const float *t, float bias, int relu, float *y,
                             size_t ys)
{
	output_body(m, t, bias, relu, y, ys);
}

AVX2 static void grad_avx2(int m, const float *g, size_t gs, float *z, size_t zs)
{
	grad_body(m, g, gs, z, zs);
}

AVX2 static void filter_avx2(int r, const float *f, float *u)
{
	filter_body(r, f, u);
}

AVX2 static void filter_grad_avx2(int r, const float *s, size_t ss, float *w)
{
	filter_grad_body(r, s, ss, w);
}

/* One column (16 lanes, two registers) by the panel's 6 rows. */
AVX2 static void gemm_avx2(const float *up, size_t us, const float *v, size_t vs, size_t vq, int c,
                           int nq, float *out, size_t ks, size_t qs, int rows, int add)
{
	for (int q = 0; q < nq; q++) {
		__m256 a[NL_WG_MR][2];
#pragma GCC unroll 6
		for (int i = 0; i < NL_WG_MR; i++)
			a[i][0] = a[i][1] = _mm256_setzero_ps();
		const float *vp = v + (size_t)q * vq, *u = up;
		for (int k = 0; k < c; k++, vp += vs, u += us) {
			__m256 v0 = _mm256_loadu_ps(vp), v1 = _mm256_loadu_ps(vp + 8);
#pragma GCC unroll 6
			for (int i = 0; i < NL_WG_MR; i++) {
				__m256 b = _mm256_broadcast_ss(u + i);
				a[i][0] = _mm256_fmadd_ps(b, v0, a[i][0]);
				a[i][1] = _mm256_fmadd_ps(b, v1, a[i][1]);
			}
		}
		float *o = out + (size_t)q * qs;
		for (int i = 0; i < rows; i++) {
			float *oi = o + (size_t)i * ks;
			if (add) {
				a[i][0] = _mm256_add_ps(a[i][0], _mm256_loadu_ps(oi));
				a[i][1] = _mm256_add_ps(a[i][1], _mm256_loadu_ps(oi + 8));
			}
			_mm256_storeu_ps(oi, a[i][0]);
			_mm256_storeu_ps(oi + 8, a[i][1]);
		}
	}
}

/* 8 x 8 in registers: r[i] = row i in, column i out. */
AVX2 static inline __attribute__((always_inline)) void transpose8(__m256 r[8])
{
	__m256 t[8], u[8];
	for (int i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 8; i += 4) {
		u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
		u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
		u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
		u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
	}
	for (int i = 0; i < 4; i++) {
		r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
		r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
	}
}

/* Eight columns at a time, each half of the lanes an 8 x 8 transpose. */
AVX2 static void pack_avx2(const float *const *src, const float *const *mask, int lanes,
                           int n, float *dst)
{
	int x = 0;
	for (; x + 8 <= n; x += 8)
		for (int h = 0; h < L; h += 8) {
			__m256 r[8];
			for (int i = 0; i < 8; i++) {
				int l = h + i;
				if (l >= lanes) {
					r[i] = _mm256_setzero_ps();
					continue;
				}
				r[i] = _mm256_loadu_ps(src[l] + x);
				if (mask) {
					__m256 k = _mm256_cmp_ps(_mm256_loadu_ps(mask[l] + x),
					                         _mm256_setzero_ps(), _CMP_GT_OQ);
					r[i] = _mm256_and_ps(r[i], k);
				}
			}
			transpose8(r);
			for (int i = 0; i < 8; i++)
				_mm256_storeu_ps(dst + (size_t)(x + i) * L + h, r[i]);
		}
	if (x < n) {
		const float *s2[L], *m2[L];
		for (int l = 0; l < lanes; l++) {
			s2[l] = src[l] + x;
			m2[l] = mask ? mask[l] + x : NULL;
		}
		pack_generic(s2, mask ? m2 : NULL, lanes, n - x, dst + (size_t)x * L);
	}
}

AVX2 static void unpack_avx2(const float *src, int n, float *const *dst, int lanes, int add)
{
	int x = 0;
	for (; x + 8 <= n; x += 8)
		for (int h = 0; h < lanes; h += 8) {
			__m256 r[8];
			for (int i = 0; i < 8; i++)
				r[i] = _mm256_loadu_ps(src + (size_t)(x + i) * L + h);
			transpose8(r);
			for (int i = 0; i < 8 && h + i < lanes; i++) {
				float *d = dst[h + i] + x;
				_mm256_storeu_ps(d, add ? _mm256_add_ps(_mm256_loadu_ps(d), r[i]) : r[i]);
			}
		}
	if (x < n) {
		float *d2[L];
		for (int l = 0; l < lanes; l++)
			d2[l] = dst[l] + x;
		unpack_generic(src + (size_t)x * L, n - x, d2, lanes, add);
	}
}

static const nl_wg_kernels avx2 = {
	"avx2", input_avx2, output_avx2, grad_avx2, gemm_avx2,
	pack_avx2, unpack_avx2, filter_avx2, filter_grad_avx2
};

/* ---- AVX-512 ---- */

#define AVX512 __attribute__((target("avx512f")))

AVX512 static void input_avx512(const float *d, size_t ds, float *v, size_t vs)
{
	input_body(d, ds, v, vs);
}

AVX512 static void output_avx512(int m, const float *t, float bias, int relu, float *y,
                                 size_t ys)
{
	output_body(m, t, bias, relu, y, ys);
}

AVX512 static void grad_avx512(int m, const float *g, size_t gs, float *z, size_t zs)
{
	grad_body(m, g, gs, z, zs);
}

AVX512 static void filter_avx512(int r, const float *f, float *u)
{
	filter_body(r, f, u);
}

AVX512 static void filter_grad_avx512(int r, const float *s, size_t ss, float *w)
{
	filter_grad_body(r, s, ss, w);
}

/* Four columns (one register each) by the panel's 6 rows: 24 accumulators,
 * 4 loads and 6 broadcasts per 24 multiply-adds; the last nq % 4 columns
 * one at a time. */
AVX512 static void gemm_avx512(const float *up, size_t us, const float *v, size_t vs, size_t vq, int c,
                               int nq, float *out, size_t ks, size_t qs, int rows, int add)
{
	int q0 = 0;
	for (; q0 + NL_WG_NQ <= nq; q0 += NL_WG_NQ) {
		__m512 a[NL_WG_MR][NL_WG_NQ];
#pragma GCC unroll 6
		for (int i = 0; i < NL_WG_MR; i++)
#pragma GCC unroll 4
			for (int j = 0; j < NL_WG_NQ; j++)
				a[i][j] = _mm512_setzero_ps();
		const float *vp = v + (size_t)q0 * vq, *u = up;
		for (int k = 0; k < c; k++, vp += vs, u += us) {
			__m512 x[NL_WG_NQ];
#pragma GCC unroll 4
			for (int j = 0; j < NL_WG_NQ; j++)
				x[j] = _mm512_loadu_ps(vp + (size_t)j * vq);
#pragma GCC unroll 6
			for (int i = 0; i < NL_WG_MR; i++) {
				__m512 b = _mm512_set1_ps(u[i]);
#pragma GCC unroll 4
				for (int j = 0; j < NL_WG_NQ; j++)
					a[i][j] = _mm512_fmadd_ps(b, x[j], a[i][j]);
			}
		}
		float *o = out + (size_t)q0 * qs;
#pragma GCC unroll 6
		for (int i = 0; i < NL_WG_MR; i++) {
			if (i >= rows)
				break;
#pragma GCC unroll 4
			for (int j = 0; j < NL_WG_NQ; j++) {
				float *oij = o + (size_t)i * ks + (size_t)j * qs;
				__m512 r = add ? _mm512_add_ps(a[i][j], _mm512_loadu_ps(oij)) : a[i][j];
				_mm512_storeu_ps(oij, r);
			}
		}
	}
	for (; q0 < nq; q0++) {
		__m512 a[NL_WG_MR];
#pragma GCC unroll 6
		for (int i = 0; i < NL_WG_MR; i++)
			a[i] = _mm512_setzero_ps();
		const float *vp = v + (size_t)q0 * vq, *u = up;
		for (int k = 0; k < c; k++, vp += vs, u += us) {
			__m512 x = _mm512_loadu_ps(vp);
#pragma GCC unroll 6
			for (int i = 0; i < NL_WG_MR; i++)
				a[i] = _mm512_fmadd_ps(_mm512_set1_ps(u[i]), x, a[i]);
		}
		float *o = out + (size_t)q0 * qs;
		for (int i = 0; i < rows; i++) {
			float *oi = o + (size_t)i * ks;
			_mm512_storeu_ps(oi, add ? _mm512_add_ps(a[i], _mm512_loadu_ps(oi)) : a[i]);
		}
	}
}

/* 16 x 16 in registers: r[i] = row i in, column i out. */
AVX512 static inline __attribute__((always_inline)) void transpose16(__m512 r[16])
{
	__m512 t[16];
	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 16; i += 4) {
		r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
		r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xee);
		r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
		r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xee);
	}
	/* r[4q + j] holds, per 128-bit block b, element 4b + j of rows 4q..4q+3 */
	for (int i = 0; i < 4; i++) {
		t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
		t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
		t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
		t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
	}
	for (int i = 0; i < 4; i++) {
		r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
		r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
		r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
		r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
	}
}

/* Sixteen columns at a time (a masked load for the last few). */
AVX512 static void pack_avx512(const float *const *src, const float *const *mask, int lanes,
                               int n, float *dst)
{
	for (int x = 0; x < n; x += 16) {
		int w = n - x < 16 ? n - x : 16;
		__mmask16 cols = (__mmask16)((1u << w) - 1u);
		__m512 r[16];
		for (int l = 0; l < 16; l++) {
			if (l >= lanes) {
				r[l] = _mm512_setzero_ps();
				continue;
			}
			r[l] = _mm512_maskz_loadu_ps(cols, src[l] + x);
			if (mask) {
				__mmask16 k = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(cols, mask[l] + x),
				                                 _mm512_setzero_ps(), _CMP_GT_OQ);
				r[l] = _mm512_maskz_mov_ps(k, r[l]);
			}
		}
		transpose16(r);
		for (int i = 0; i < w; i++)
			_mm512_storeu_ps(dst + (size_t)(x + i) * L, r[i]);
	}
}

AVX512 static void unpack_avx512(const float *src, int n, float *const *dst, int lanes,
                                 int add)
{
	for (int x = 0; x < n; x += 16) {
		int w = n - x < 16 ? n - x : 16;
		__mmask16 cols = (__mmask16)((1u << w) - 1u);
		__m512 r[16];
		for (int i = 0; i < 16; i++)
			r[i] = i < w ? _mm512_loadu_ps(src + (size_t)(x + i) * L) : _mm512_setzero_ps();
		transpose16(r);
		for (int l = 0; l < lanes; l++) {
			float *d = dst[l] + x;
			__m512 v = r[l];
			if (add)
				v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(cols, d));
			_mm512_mask_storeu_ps(d, cols, v);
		}
	}
}

static const nl_wg_kernels avx512 = {
	"avx512", input_avx512, output_avx512, grad_avx512, gemm_avx512,
	pack_avx512, unpack_avx512, filter_avx512, filter_grad_avx512
};

#endif

const nl_wg_kernels *nl_wg_kernels_for(int isa)
{
#ifdef WG_X86
	if (isa == NL_ISA_AVX512)
		return &avx512;
	if (isa == NL_ISA_AVX2)
		return &avx2;
#else
	(void)isa;
#endif
	return &generic;
}
