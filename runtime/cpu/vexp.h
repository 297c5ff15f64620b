/* vexp.h - an expf written so that gcc vectorises the loops that call it.
 *
 * The C library's expf is an opaque call per element, which keeps the
 * sigmoid (LeNet's activation, applied to every pixel) scalar and made it
 * as slow as a convolution.  This is the Cephes single-precision exp:
 * x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2 (ln2 split in
 * two so that n ln2 is exact enough), a degree-6 polynomial for e^r, and
 * 2^n put into the exponent bits.  Every step is arithmetic, a select or
 * an int<->float conversion, so a `#pragma omp simd` loop over it becomes
 * SIMD code.  Accuracy (tests/cpu/exp_test): within 2 ulp of the correctly
 * rounded e^x wherever that is a normal float, +inf above ln(FLT_MAX),
 * NaN for NaN; results that would be subnormal are 0 (flushed, as with
 * FTZ: they cost a microcode assist each, and 1 + e^x cannot see them).
 */
#ifndef NL_CPU_VEXP_H
#define NL_CPU_VEXP_H

#include <stdint.h>
#include <string.h>

/* 2^e for -126 <= e <= 127, built in the exponent field. */
static inline float nl_vexp_pow2i(int32_t e)
{
	uint32_t bits = (uint32_t)(e + 127) << 23;
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

#ifdef _OPENMP
#pragma omp declare simd notinbranch
#endif
static inline float nl_vexp(float x)
{
	/* Inputs whose e^x is below FLT_MIN (x < ln FLT_MIN ~ -87.3365)
	 * are replaced by 0 and their result cleared at the end: computing
	 * a subnormal result costs a microcode assist per element on x86,
	 * ten times the whole function.  Integer masks rather than selects
	 * of constants, which gcc would specialise into branches (and then
	 * not vectorise).  A NaN fails the comparison and stays NaN. */
	uint32_t xb, keep = (uint32_t)(x < -87.33655f) - 1u;
	memcpy(&xb, &x, sizeof xb);
	xb &= keep;
	memcpy(&x, &xb, sizeof x);

	/* n = round(x log2 e): adding 1.5 * 2^23 rounds x log2 e to an
	 * integer held in the low mantissa bits of t (for |n| < 2^22).  The
	 * integer is read from the bits and clamped to where the scaling
	 * below is defined; the inputs that clamps (and NaN, huge x whose
	 * bits mean nothing) are dealt with at the end.  No
	 * float-to-int conversion (undefined for NaN), and no float clamp:
	 * selecting a float constant lets gcc specialise the branch, after
	 * which it no longer vectorises the loop. */
	float t = x * 1.44269504088896341f + 12582912.0f;
	uint32_t tb;
	memcpy(&tb, &t, sizeof tb);
	uint32_t ub = tb - 0x4B400000u;
	int32_t ni;
	memcpy(&ni, &ub, sizeof ni);
	ni = ni > 130 ? 130 : ni;
	ni = ni < -151 ? -151 : ni;
	float n = (float)ni;
	/* r = x - n ln2, with ln2 = C1 + C2 and C1 exact in few bits. */
	float r = x - n * 0.693359375f;
	r = r - n * -2.12194440e-4f;

	float z = r * r;
	float p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * z + r + 1.0f;

	/* p 2^n as p 2^n1 2^n2: n ranges over [-151, 130], beyond one
	 * exponent field, but each half stays inside it. */
	int32_t n1 = ni / 2, n2 = ni - n1;
	float y = p * nl_vexp_pow2i(n1) * nl_vexp_pow2i(n2);
	/* Above ln(FLT_MAX) ~ 88.72 the product overflows to +inf by itself
	 * (n clamped at 130 leaves p >= 1 for larger x, +inf for x = +inf;
	 * overflow, unlike underflow, costs nothing extra). */
	uint32_t yb;
	memcpy(&yb, &y, sizeof yb);
	yb &= keep;
	memcpy(&y, &yb, sizeof y);
	return y;
}

#endif
