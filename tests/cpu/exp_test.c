/* exp_test.c - the vectorised exp of vexp.h against the double-precision
 * exp of the C library, through the same cloned `omp simd` loop shape
 * the sigmoid uses (so the SIMD code gcc makes of it is what is tested):
 *   - every 509th float bit pattern (all signs and exponents: tiny,
 *     subnormal, huge inputs) and a dense sweep of [-105, 90] (where the
 *     result goes from 0 through subnormals to overflow),
 *   - within 2 ulp of e^x where e^x is a normal float; below that 0 (the
 *     subnormals are flushed) or within 2 units of their last place
 *     (2^-149); +inf (or FLT_MAX) above ln(FLT_MAX),
 *   - exp(+inf) = +inf, exp(-inf) = 0, exp(NaN) = NaN, exp(+-0) = 1.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/vexp.h"
#include "tests/cpu/harness.h"

#define CHUNK 4096

/* Cloned like the sigmoid's loop, so the widest SIMD code this machine
 * runs is the one checked. */
NL_CPU_SIMD_CLONES
static void vexp_array(const float *x, float *y, int n)
{
#ifdef _OPENMP
#pragma omp simd
#endif
	for (int i = 0; i < n; i++)
		y[i] = nl_vexp(x[i]);
}

static double worst_ulps;
static float worst_x;

/* Checks one result; returns 1 when it is good. */
static int check_one(float x, float got)
{
	if (isnan(x))
		return isnan(got);
	double ref = exp((double)x);
	float rf = (float)ref;
	if (isinf(rf))
		return (isinf(got) && got > 0) || got == FLT_MAX;
	if (ref < FLT_MIN)
		return got == 0.0f || fabs((double)got - ref) <= 2.0 * 0x1p-149;
	double ulp = (double)nextafterf(rf, INFINITY) - (double)rf;
	double e = fabs((double)got - ref) / ulp;
	if (e > worst_ulps) {
		worst_ulps = e;
		worst_x = x;
	}
	return e <= 2.0;
}

static long bad;

static void check_batch(const float *x, int n)
{
	float y[CHUNK];
	vexp_array(x, y, n);
	for (int i = 0; i < n; i++) {
		if (!check_one(x[i], y[i])) {
			if (bad < 10)
				h_fail("exp(%.9g) = %.9g, want %.9g", (double)x[i],
				       (double)y[i], exp((double)x[i]));
			bad++;
		}
	}
}

int main(void)
{
	h_init("exp_test");
	float x[CHUNK];
	int n = 0;

	int before = h_failures();
	for (uint64_t b = 0; b <= 0xffffffffu; b += 509) {
		uint32_t u = (uint32_t)b;
		memcpy(&x[n], &u, sizeof u);
		if (++n == CHUNK) {
			check_batch(x, n);
			n = 0;
		}
	}
	check_batch(x, n);
	n = 0;
	for (double v = -105.0; v <= 90.0; v += 1.0 / 1024.0 + 1e-7) {
		x[n] = (float)v;
		if (++n == CHUNK) {
			check_batch(x, n);
			n = 0;
		}
	}
	check_batch(x, n);
	printf("%s exp over float bit patterns and [-105, 90] (worst %.3f ulp at %.9g, %ld bad)\n",
	       h_failures() == before ? "ok  " : "FAIL", worst_ulps, (double)worst_x, bad);

	before = h_failures();
	const float special[6] = { INFINITY, -INFINITY, NAN, -NAN, 0.0f, -0.0f };
	float out[6];
	vexp_array(special, out, 6);
	if (!(isinf(out[0]) && out[0] > 0))
		h_fail("exp(+inf) = %g, want +inf", (double)out[0]);
	if (out[1] != 0.0f)
		h_fail("exp(-inf) = %g, want 0", (double)out[1]);
	if (!isnan(out[2]) || !isnan(out[3]))
		h_fail("exp(NaN) = %g, %g, want NaN", (double)out[2], (double)out[3]);
	if (out[4] != 1.0f || out[5] != 1.0f)
		h_fail("exp(+-0) = %g, %g, want 1", (double)out[4], (double)out[5]);
	printf("%s exp of +-inf, NaN, +-0\n", h_failures() == before ? "ok  " : "FAIL");
	return h_finish();
}
