/* sigmoid.c - y = 1 / (1 + e^-x) over a span, on the widest vectors the
 * CPU has: the sigmoid's own step (activation.c) and a convolution that
 * folds it in (lanes.c, conv.c) call this one function, so fused and
 * unfused plans give the same bits.
 *
 * The portable path is vexp.h's exp in a loop gcc vectorises.  With AVX2
 * or AVX-512 the same Cephes scheme is written with fused multiply-adds:
 * t = -x clamped to [-87.3, 88.3] (e^t a normal float), n = round(t log2 e),
 * r = t - n ln2 in two steps (ln2 split so that n ln2 is exact enough),
 * e^r by its degree-6 polynomial, times 2^n (AVX-512's scalef; AVX2 builds
 * 2^n in the exponent bits), and 1 / (1 + e^t) by a division.  About a
 * third of the portable path's instructions (it is most of a LeNet
 * convolution's output pass).  Where x < -88.3, e^-x overflows and the
 * result is 0, as 1 / (1 + inf) is; a NaN stays NaN (the clamps keep it).
 * tests/cpu/sigmoid_test checks every path against double precision.
 */
#include <config.h>

#include <stddef.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SIGMOID_X86 1
#endif

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/vexp.h"

/* Cephes' expf polynomial and the split ln 2. */
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f
#define T_MIN -87.3f          /* e^t >= 2^-126 */
#define T_MAX 88.3f           /* e^t <= 2^127.4 */

/* nl_vexp, unlike a call to expf, lets the loop be SIMD code, and the
 * clones give it the widest vectors the machine has (the build itself
 * targets plain x86-64).  The clones compute the same float operations in
 * the same order (C11 mode does not contract a*b+c into an fma). */
NL_CPU_SIMD_CLONES
static void sigmoid_generic(const float *x, float *y, size_t n)
{
#ifdef _OPENMP
#pragma omp simd
#endif
	for (size_t i = 0; i < n; i++)
		y[i] = 1.0f / (1.0f + nl_vexp(-x[i]));
}

#ifdef SIGMOID_X86
/* The polynomial of e^r, r in [-ln2 / 2, ln2 / 2]: 1 + r + r^2 p(r). */
#define EXP_POLY(FMA, SET1, MUL, ADD, r, q)                                  \
	do {                                                                  \
		q = FMA(SET1(P0), r, SET1(P1));                               \
		q = FMA(q, r, SET1(P2));                                      \
		q = FMA(q, r, SET1(P3));                                      \
		q = FMA(q, r, SET1(P4));                                      \
		q = FMA(q, r, SET1(P5));                                      \
		q = FMA(q, MUL(r, r), ADD(r, SET1(1.0f)));                    \
	} while (0)

__attribute__((target("avx512f"))) static inline __m512 sigmoid16(__m512 x)
{
	/* min and max return their second operand for a NaN: x's */
	__m512 t = _mm512_sub_ps(_mm512_setzero_ps(), x);
	__m512 tc = _mm512_max_ps(_mm512_set1_ps(T_MIN), _mm512_min_ps(_mm512_set1_ps(T_MAX), t));
	__m512 nf = _mm512_roundscale_ps(_mm512_mul_ps(tc, _mm512_set1_ps(LOG2E)),
	                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m512 r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(LN2_HI), tc);
	r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(LN2_LO), r);
	__m512 q;
	EXP_POLY(_mm512_fmadd_ps, _mm512_set1_ps, _mm512_mul_ps, _mm512_add_ps, r, q);
	__m512 e = _mm512_scalef_ps(q, nf);
	__m512 s = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
	/* past the clamp e^t overflows: 1 / (1 + inf) = 0 */
	__mmask16 big = _mm512_cmp_ps_mask(t, _mm512_set1_ps(T_MAX), _CMP_GT_OQ);
	return _mm512_mask_mov_ps(s, big, _mm512_setzero_ps());
}

__attribute__((target("avx512f"))) static void sigmoid_avx512(const float *x, float *y,
                                                              size_t n)
{
	size_t i = 0;
	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(y + i, sigmoid16(_mm512_loadu_ps(x + i)));
	if (i < n) {
		__mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
		_mm512_mask_storeu_ps(y + i, m, sigmoid16(_mm512_maskz_loadu_ps(m, x + i)));
	}
}

__attribute__((target("avx2,fma"))) static inline __m256 sigmoid8(__m256 x)
{
	__m256 t = _mm256_sub_ps(_mm256_setzero_ps(), x);
	__m256 tc = _mm256_max_ps(_mm256_set1_ps(T_MIN), _mm256_min_ps(_mm256_set1_ps(T_MAX), t));
	__m256 nf = _mm256_round_ps(_mm256_mul_ps(tc, _mm256_set1_ps(LOG2E)),
	                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m256 r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(LN2_HI), tc);
	r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(LN2_LO), r);
	__m256 q;
	EXP_POLY(_mm256_fmadd_ps, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps, r, q);
	/* 2^n in the exponent field: n in [-126, 127] after the clamp (a
	 * NaN converts to some integer, and q is NaN anyway) */
	__m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(nf),
	                                                  _mm256_set1_epi32(127)), 23);
	__m256 e = _mm256_mul_ps(q, _mm256_castsi256_ps(bits));
	__m256 s = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
	__m256 big = _mm256_cmp_ps(t, _mm256_set1_ps(T_MAX), _CMP_GT_OQ);
	return _mm256_andnot_ps(big, s);
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(const float *x, float *y,
                                                             size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, sigmoid8(_mm256_loadu_ps(x + i)));
	if (i < n) {
		float in[8] = { 0 }, out[8];
		for (size_t k = 0; k < n - i; k++)
			in[k] = x[i + k];
		_mm256_storeu_ps(out, sigmoid8(_mm256_loadu_ps(in)));
		for (size_t k = 0; k < n - i; k++)
			y[i + k] = out[k];
	}
}
#endif

void nl_cpu_sigmoid_span(const float *x, float *y, size_t n)
{
	switch (nl_cpu_isa()) {
#ifdef SIGMOID_X86
	case NL_ISA_AVX512:
		sigmoid_avx512(x, y, n);
		return;
	case NL_ISA_AVX2:
		sigmoid_avx2(x, y, n);
		return;
#endif
	default:
		sigmoid_generic(x, y, n);
	}
}
