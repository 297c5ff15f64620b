/* harness.h - checking one CPU backend step against a double-precision
 * reference.
 *
 * A test describes a step (node attributes, input shapes, output shape,
 * parameter counts) and supplies an independent reference forward written
 * with direct loops in double.  The harness then
 *   - fills inputs and parameters with fresh random numbers,
 *   - runs the backend's forward and compares y with the reference,
 *   - runs the backend's backward with dy = r (random) and compares every
 *     dx, dw, db with central finite differences, in double, of the scalar
 *     L = sum(r * reference_forward(...)) (all elements of small tensors,
 *     a random sample of large ones),
 *   - checks the dx == NULL and dx_accumulate contracts on request.
 * The seed comes from NL_TEST_SEED or the clock and is printed first, so
 * a failure can be replayed.
 */
#ifndef NL_TEST_CPU_HARNESS_H
#define NL_TEST_CPU_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/backend.h"
#include "runtime/rng.h"

/* What backward must do with input i's gradient. */
enum { DX_WRITE, DX_NULL, DX_ACCUMULATE };

typedef struct layer_test layer_test;

/* y[ys] = f(x[i][xs[i]], w[nw], b[nb]) in double. */
typedef void (*ref_forward_fn)(const layer_test *t, const double *const *x,
                               const double *w, const double *b, double *y);

struct layer_test {
	const char *name;
	nl_node node;
	int ninputs;
	nl_shape xs[NL_MAX_INPUTS];
	nl_shape ys;
	size_t nw, nb;
	int training;
	uint64_t rng_key;              /* dropout */
	int dx_mode[NL_MAX_INPUTS];    /* DX_WRITE (default), DX_NULL, DX_ACCUMULATE */
	int in_place;                  /* y == x[0] and dx[0] == dy */
	/* Inputs are drawn uniform in [-1, 1]; with `distinct`, input 0 is a
	 * shuffled grid of values 0.01 apart (no ties or near-ties for max
	 * pooling under a 1e-3 finite-difference step); with `kink`, inputs
	 * within 0.01 of zero are pushed away (ReLU's kink). */
	int distinct, kink;
	double fwd_rtol, grad_rtol;    /* 0: 1e-4 and 1e-3 */
	/* Batchnorm: running statistics before the forward (the harness
	 * fills them) and the reference's expectations after it. */
	double *run_mean0, *run_var0;
	double *run_mean1, *run_var1;  /* filled with the backend's, after */
	ref_forward_fn ref;
};

/* Test-wide state: the backend under test and the random generator. */
extern nl_backend *H_BE;
extern nl_rng H_RNG;

/* Create the backend (2 threads unless NL_TEST_THREADS says otherwise) and
 * seed the generator; prints the seed. */
void h_init(const char *program);
/* Destroy the backend; returns the exit status (0 when nothing failed). */
int h_finish(void);

/* Runs the whole check for one step; failures are counted and printed. */
void h_check_layer(layer_test *t);

/* Element-wise comparison: |got - want| <= rtol * (|want| + 0.1 max|want|).
 * The second term keeps values that cancel to near zero from demanding a
 * relative accuracy no float32 sum can give.  Returns 1 when it holds. */
int h_compare(const char *what, const float *got, const double *want,
              size_t n, double rtol);
/* Record a failed expectation; h_failures() counts them so far. */
void h_fail(const char *fmt, ...);
int h_failures(void);
/* Prints "ok" or "FAIL" for a hand-made check that began when
 * h_failures() was `before`. */
void h_report(const char *name, int before);

double h_uniform(double lo, double hi);
size_t h_numel(const nl_shape *s);
nl_shape h_shape4(int n, int c, int h, int w);
nl_shape h_shape2(int n, int c);
/* Zeroed, 64-byte aligned memory from the backend (aborts on failure). */
void *h_alloc(size_t bytes);

#endif
