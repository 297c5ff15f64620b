/* sigmoid_test.c - nl_cpu_sigmoid_span (sigmoid.c), the one sigmoid of
 * the CPU backend, on every instruction set the CPU has, against
 * 1 / (1 + e^-x) in double precision:
 *   - every 509th float bit pattern (all signs and exponents) and a dense
 *     sweep of [-100, 100], where the result goes from 0 through the
 *     subnormals to 1;
 *   - within 4 ulp of the true value where that is a normal float, within
 *     2^-126 below (a subnormal result may come out as 0);
 *   - sigmoid(0) = 1/2, sigmoid(+inf) = 1, sigmoid(-inf) = 0, NaN stays NaN;
 *   - spans of every length to 40 (the vector paths' tails), in place and
 *     not, give the same values as the long sweep.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu/cpu.h"
#include "tests/cpu/harness.h"

#define CHUNK 4096

static double worst;
static float worst_x;
static long bad;          /* results off their bound: the first few shown */

static void off(const char *fmt, float x, float got, double want, double ulps)
{
	if (bad++ < 5) {
		printf("  ");
		printf(fmt, (double)x, (double)got, want, ulps);
		printf("\n");
	}
}

static double want_of(float x)
{
	return 1.0 / (1.0 + exp(-(double)x));
}

/* One chunk: each result against double precision. */
static void check_chunk(const float *x, size_t n)
{
	float y[CHUNK];
	nl_cpu_sigmoid_span(x, y, n);
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i])) {
			if (!isnan(y[i]))
				h_fail("sigmoid(NaN) = %g, not NaN", (double)y[i]);
			continue;
		}
		double want = want_of(x[i]), err = fabs((double)y[i] - want);
		if (want >= FLT_MIN) {
			double ulp = ldexp(1.0, ilogb(want) - 23);
			if (err / ulp > worst) {
				worst = err / ulp;
				worst_x = x[i];
			}
			if (err > 4 * ulp)
				off("sigmoid(%.9g) = %.9g, want %.9g (%.1f ulp)", x[i], y[i], want,
				    err / ulp);
		} else if (err > FLT_MIN) {
			off("sigmoid(%.9g) = %.9g, want %.9g (below FLT_MIN, off %.3g)", x[i], y[i],
			    want, err);
		}
	}
}

static void sweep(void)
{
	float x[CHUNK];
	size_t n = 0;
	for (uint64_t b = 0; b <= UINT32_MAX; b += 509) {
		uint32_t u = (uint32_t)b;
		memcpy(&x[n++], &u, sizeof u);
		if (n == CHUNK) {
			check_chunk(x, n);
			n = 0;
		}
	}
	for (float v = -100.0f; v <= 100.0f; v += 0.00390625f) {
		x[n++] = v;
		if (n == CHUNK) {
			check_chunk(x, n);
			n = 0;
		}
	}
	check_chunk(x, n);
}

static void special(void)
{
	const float x[4] = { 0.0f, INFINITY, -INFINITY, NAN };
	float y[4];
	nl_cpu_sigmoid_span(x, y, 4);
	if (y[0] != 0.5f || y[1] != 1.0f || y[2] != 0.0f || !isnan(y[3]))
		h_fail("sigmoid(0, inf, -inf, NaN) = %g %g %g %g", (double)y[0], (double)y[1],
		       (double)y[2], (double)y[3]);
}

/* Short spans, in place and not, against the same values in one span. */
static void tails(void)
{
	float x[40], whole[40];
	for (int i = 0; i < 40; i++)
		x[i] = (float)h_uniform(-12.0, 12.0);
	nl_cpu_sigmoid_span(x, whole, 40);
	for (size_t n = 1; n <= 40; n++) {
		float y[41], z[41];
		y[n] = z[n] = 77.0f;
		memcpy(z, x, n * sizeof *z);
		nl_cpu_sigmoid_span(x, y, n);
		nl_cpu_sigmoid_span(z, z, n);
		if (memcmp(y, whole, n * sizeof *y) != 0 || memcmp(z, whole, n * sizeof *z) != 0)
			h_fail("a span of %zu floats differs from the same values in one span", n);
		if (y[n] != 77.0f || z[n] != 77.0f)
			h_fail("a span of %zu floats wrote past its end", n);
	}
}

int main(void)
{
	h_init("sigmoid_test");
	const int saved = nl_cpu_isa();
	for (int isa = NL_ISA_GENERIC; isa <= NL_ISA_AVX512; isa++) {
		if (nl_cpu_isa_set(isa) != 0) {
			printf("SKIP %s: this CPU does not have it\n", nl_cpu_isa_name(isa));
			continue;
		}
		int before = h_failures();
		worst = 0;
		bad = 0;
		sweep();
		if (bad)
			h_fail("%ld results outside the bound", bad);
		special();
		tails();
		char name[96];
		snprintf(name, sizeof name, "%s: worst %.2f ulp (at x = %.9g)", nl_cpu_isa_name(isa),
		         worst, (double)worst_x);
		h_report(name, before);
	}
	nl_cpu_isa_set(saved);
	return h_finish();
}
