/* conv_ref.h - a convolution step run on the CPU backend with a chosen
 * algorithm, and float64 references by direct loops, for the tests that
 * compare the convolution algorithms element by element (winograd_test,
 * conv_fuse_test).
 */
#ifndef NL_TEST_CPU_CONV_REF_H
#define NL_TEST_CPU_CONV_REF_H

#include <stddef.h>

typedef struct conv_case {
	const char *name;
	int n, c, h, w, k;          /* input n x c x h x w, k output channels */
	int kh, kw, sh, sw, ph, pw;
	int oh, ow;                 /* filled by cr_init */
	int fuse;                   /* 0, or the activation fused into the step */
	int dx_mode;                /* DX_WRITE, DX_NULL or DX_ACCUMULATE (harness.h) */
} conv_case;

enum { FUSE_RELU = 1, FUSE_SIGMOID = 2 };

/* One case's data: float inputs as the backend gets them, the same values
 * in double for the references. */
typedef struct conv_data {
	conv_case cs;
	size_t nx, nw, ny;
	float *x, *w, *b, *dy, *dx0;   /* dx0: dx before an accumulating backward */
	double *xd, *wd, *bd, *dyd, *dx0d;
} conv_data;

/* Output size and fresh uniform [-1, 1] data (the harness's generator). */
void cr_init(conv_data *d, const conv_case *cs);
void cr_free(conv_data *d);

/* What one run of the backend produced (dx NULL for DX_NULL). */
typedef struct conv_out {
	float *y, *dx, *dw, *db;
} conv_out;

/* Forward, then backward with dy, on H_BE; the environment's NL_CPU_CONV
 * (the caller sets it) picks the algorithm at prepare(). */
void cr_run(const conv_data *d, conv_out *o);
void cr_out_free(conv_out *o);

/* Direct loops in double on explicit arrays (call them with absolute
 * values for the sums a float result's rounding error scales with):
 *   y = conv(x, w) + b
 *   dx = conv^T(dy, w), dw = corr(dy, x), db = sum dy   (any may be NULL) */
void cr_conv_forward(const conv_case *cs, const double *x, const double *w,
                     const double *b, double *y);
void cr_conv_backward(const conv_case *cs, const double *x, const double *w,
                      const double *dy, double *dx, double *dw, double *db);

/* Element-wise |got - want| <= bound[i]; a failure names the worst
 * element.  Returns the largest |got - want| / bound[i]. */
double cr_check(const char *what, const float *got, const double *want,
                const double *bound, size_t n);

/* malloc that aborts; |a| element-wise into a new array. */
double *cr_dalloc(size_t n);
double *cr_abs(const double *a, size_t n);

#endif
