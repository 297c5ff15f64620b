/* gemm_test.c - the sgemm that conv and fc use, split across threads
 * (runtime/cpu/gemm.c), against a naive double loop: every transpose
 * combination, leading dimensions wider than the matrices (sub-matrix
 * views, as conv uses), beta 0 and 1, and sizes both below the split
 * threshold and above it, split along rows (m > n) and columns (n >= m),
 * with lengths that do not divide evenly into 16-wide panels.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "runtime/cpu/cpu.h"
#include "tests/cpu/harness.h"

static void gemm_case(int ta, int tb, int m, int n, int k, float beta)
{
	const int before = h_failures();
	/* Stored shapes of A and B (row-major), with 3 spare columns each. */
	int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
	int lda = ac + 3, ldb = bc + 3, ldc = n + 3;
	float *a = malloc((size_t)ar * lda * sizeof *a);
	float *b = malloc((size_t)br * ldb * sizeof *b);
	float *c = malloc((size_t)m * ldc * sizeof *c);
	double *want = malloc((size_t)m * n * sizeof *want);
	float *got = malloc((size_t)m * n * sizeof *got);
	if (!a || !b || !c || !want || !got)
		abort();
	for (size_t i = 0; i < (size_t)ar * lda; i++)
		a[i] = (float)h_uniform(-1, 1);
	for (size_t i = 0; i < (size_t)br * ldb; i++)
		b[i] = (float)h_uniform(-1, 1);
	for (size_t i = 0; i < (size_t)m * ldc; i++)
		c[i] = (float)h_uniform(-1, 1);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int l = 0; l < k; l++) {
				double x = ta ? a[(size_t)l * lda + i] : a[(size_t)i * lda + l];
				double y = tb ? b[(size_t)j * ldb + l] : b[(size_t)l * ldb + j];
				s += x * y;
			}
			want[(size_t)i * n + j] = 0.5 * s + beta * c[(size_t)i * ldc + j];
		}
	/* The spare columns of C must survive. */
	float guard = c[n];
	nl_cpu_sgemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, beta, c, ldc);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++)
			got[(size_t)i * n + j] = c[(size_t)i * ldc + j];
	char name[96];
	snprintf(name, sizeof name, "sgemm %c%c m=%d n=%d k=%d beta=%g",
	         ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, beta);
	h_compare(name, got, want, (size_t)m * n, 1e-4);
	if (c[n] != guard)
		h_fail("%s wrote outside C's columns", name);
	free(a); free(b); free(c); free(want); free(got);
	h_report(name, before);
}

int main(void)
{
	h_init("gemm_test");
	for (int ta = 0; ta < 2; ta++)
		for (int tb = 0; tb < 2; tb++) {
			gemm_case(ta, tb, 7, 9, 5, 0.0f);          /* one thread */
			gemm_case(ta, tb, 37, 300, 61, 0.0f);      /* split columns */
			gemm_case(ta, tb, 301, 35, 63, 1.0f);      /* split rows */
			gemm_case(ta, tb, 129, 133, 40, 1.0f);     /* split columns, n ~ m */
		}
	return h_finish();
}
