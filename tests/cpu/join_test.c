/* join_test.c - concatenation along channels and element-wise addition,
 * with several inputs whose gradients are written, accumulated or not
 * wanted (dx == NULL), each against a double reference and finite
 * differences.
 */
#include <config.h>

#include <stdio.h>

#include "tests/cpu/harness.h"

static void ref_concat(const layer_test *t, const double *const *x,
                       const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	const nl_shape ys = t->ys;
	const size_t hw = (size_t)ys.h * ys.w;
	for (int n = 0; n < ys.n; n++) {
		int c0 = 0;
		for (int i = 0; i < t->ninputs; i++) {
			int ci = t->xs[i].c;
			for (int c = 0; c < ci; c++)
				for (size_t p = 0; p < hw; p++)
					y[((size_t)n * ys.c + c0 + c) * hw + p] =
						x[i][((size_t)n * ci + c) * hw + p];
			c0 += ci;
		}
	}
}

static void ref_add(const layer_test *t, const double *const *x,
                    const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	size_t n = h_numel(&t->ys);
	for (size_t j = 0; j < n; j++) {
		double v = 0.0;
		for (int i = 0; i < t->ninputs; i++)
			v += x[i][j];
		y[j] = v;
	}
}

int main(void)
{
	h_init("join_test");
	layer_test t = { 0 };
	t.name = "concat of 3 inputs (3, 1 and 4 channels)";
	t.node.kind = NL_CONCAT;
	t.ninputs = 3;
	t.xs[0] = h_shape4(2, 3, 4, 5);
	t.xs[1] = h_shape4(2, 1, 4, 5);
	t.xs[2] = h_shape4(2, 4, 4, 5);
	t.ys = h_shape4(2, 8, 4, 5);
	t.ref = ref_concat;
	h_check_layer(&t);
	t.name = "concat: dx written, accumulated, NULL";
	t.dx_mode[1] = DX_ACCUMULATE;
	t.dx_mode[2] = DX_NULL;
	h_check_layer(&t);
	t.name = "concat of 2 rank-2 inputs";
	t.ninputs = 2;
	t.xs[0] = h_shape2(3, 5);
	t.xs[1] = h_shape2(3, 7);
	t.ys = h_shape2(3, 12);
	t.dx_mode[0] = DX_ACCUMULATE;
	t.dx_mode[1] = DX_WRITE;
	h_check_layer(&t);

	layer_test a = { 0 };
	a.name = "add of 2 inputs";
	a.node.kind = NL_ADD;
	a.ninputs = 2;
	a.xs[0] = a.xs[1] = a.ys = h_shape4(2, 3, 5, 4);
	a.ref = ref_add;
	h_check_layer(&a);
	a.name = "add of 3 inputs: dx accumulated, NULL, written";
	a.ninputs = 3;
	a.xs[2] = a.ys;
	a.dx_mode[0] = DX_ACCUMULATE;
	a.dx_mode[1] = DX_NULL;
	a.dx_mode[2] = DX_WRITE;
	h_check_layer(&a);
	return h_finish();
}
