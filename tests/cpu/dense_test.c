/* dense_test.c - fully connected, the activations, softmax, flatten and
 * the input step against double references and finite differences,
 * including in-place ReLU (y == x, dx == dy) and the gradient contracts.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "tests/cpu/harness.h"

/* y[n][o] = b[o] + sum_i w[o][i] x[n][i] */
static void ref_fc(const layer_test *t, const double *const *x,
                   const double *w, const double *b, double *y)
{
	const int N = t->xs[0].n, in = t->xs[0].c * t->xs[0].h * t->xs[0].w;
	const int out = t->ys.c;
	for (int n = 0; n < N; n++)
		for (int o = 0; o < out; o++) {
			double acc = b[o];
			for (int i = 0; i < in; i++)
				acc += w[(size_t)o * in + i] * x[0][(size_t)n * in + i];
			y[(size_t)n * out + o] = acc;
		}
}

static void ref_pointwise(const layer_test *t, const double *const *x,
                          const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	size_t n = h_numel(&t->ys);
	for (size_t i = 0; i < n; i++) {
		double v = x[0][i];
		switch (t->node.kind) {
		case NL_RELU:    y[i] = v > 0 ? v : 0; break;
		case NL_SIGMOID: y[i] = 1.0 / (1.0 + exp(-v)); break;
		case NL_TANH:    y[i] = tanh(v); break;
		case NL_GELU:    y[i] = 0.5 * v * (1.0 + erf(v / sqrt(2.0))); break;
		default:         y[i] = v; break;   /* flatten, input */
		}
	}
}

/* Softmax over channels at each (n, h, w). */
static void ref_softmax(const layer_test *t, const double *const *x,
                        const double *w, const double *b, double *y)
{
	(void)w;
	(void)b;
	const nl_shape s = t->ys;
	const size_t hw = (size_t)s.h * s.w;
	for (int n = 0; n < s.n; n++)
		for (size_t p = 0; p < hw; p++) {
			double sum = 0.0;
			for (int c = 0; c < s.c; c++)
				sum += exp(x[0][((size_t)n * s.c + c) * hw + p]);
			for (int c = 0; c < s.c; c++) {
				size_t i = ((size_t)n * s.c + c) * hw + p;
				y[i] = exp(x[0][i]) / sum;
			}
		}
}

static void fc_case(const char *name, int n, nl_shape in, int out, int dx_mode)
{
	layer_test t = { 0 };
	t.name = name;
	t.node.kind = NL_FC;
	t.node.out = out;
	t.ninputs = 1;
	t.xs[0] = in;
	t.ys = h_shape2(n, out);
	t.nw = (size_t)out * in.c * in.h * in.w;
	t.nb = (size_t)out;
	t.dx_mode[0] = dx_mode;
	t.ref = ref_fc;
	h_check_layer(&t);
}

static void pointwise_case(const char *name, nl_kind kind, nl_shape s,
                           int dx_mode, int in_place)
{
	layer_test t = { 0 };
	t.name = name;
	t.node.kind = kind;
	t.ninputs = 1;
	t.xs[0] = s;
	t.ys = s;
	t.dx_mode[0] = dx_mode;
	t.in_place = in_place;
	t.kink = kind == NL_RELU;
	t.ref = kind == NL_SOFTMAX ? ref_softmax : ref_pointwise;
	h_check_layer(&t);
}

int main(void)
{
	h_init("dense_test");
	fc_case("fc 37 -> 11, batch 5", 5, h_shape2(5, 37), 11, DX_WRITE);
	fc_case("fc on a rank-4 input 3x4x5 -> 7", 3, h_shape4(3, 3, 4, 5), 7, DX_WRITE);
	fc_case("fc 29 -> 10, dx accumulated", 4, h_shape2(4, 29), 10, DX_ACCUMULATE);
	fc_case("fc 13 -> 3, dx NULL", 2, h_shape2(2, 13), 3, DX_NULL);

	nl_shape s4 = h_shape4(2, 3, 5, 7), s2 = h_shape2(6, 13);
	pointwise_case("relu", NL_RELU, s4, DX_WRITE, 0);
	pointwise_case("relu in place (y == x, dx == dy)", NL_RELU, s4, DX_WRITE, 1);
	pointwise_case("relu, dx accumulated", NL_RELU, s2, DX_ACCUMULATE, 0);
	pointwise_case("relu, dx NULL", NL_RELU, s2, DX_NULL, 0);
	pointwise_case("sigmoid", NL_SIGMOID, s4, DX_WRITE, 0);
	pointwise_case("sigmoid, dx accumulated", NL_SIGMOID, s2, DX_ACCUMULATE, 0);
	pointwise_case("tanh", NL_TANH, s4, DX_WRITE, 0);
	pointwise_case("tanh, dx accumulated", NL_TANH, s2, DX_ACCUMULATE, 0);
	pointwise_case("gelu", NL_GELU, s4, DX_WRITE, 0);
	pointwise_case("gelu, dx accumulated", NL_GELU, s2, DX_ACCUMULATE, 0);
	pointwise_case("gelu, dx NULL", NL_GELU, s2, DX_NULL, 0);
	pointwise_case("softmax over features (rank 2)", NL_SOFTMAX, s2, DX_WRITE, 0);
	pointwise_case("softmax over channels (rank 4)", NL_SOFTMAX, h_shape4(2, 5, 3, 2), DX_WRITE, 0);
	pointwise_case("softmax, dx accumulated", NL_SOFTMAX, s2, DX_ACCUMULATE, 0);

	layer_test f = { 0 };
	f.name = "flatten (a copy)";
	f.node.kind = NL_FLATTEN;
	f.ninputs = 1;
	f.xs[0] = h_shape4(2, 3, 4, 5);
	f.ys = h_shape2(2, 60);
	f.ref = ref_pointwise;
	h_check_layer(&f);
	f.name = "flatten (aliased: y == x, dx == dy)";
	f.in_place = 1;
	h_check_layer(&f);
	f.name = "flatten, dx accumulated";
	f.in_place = 0;
	f.dx_mode[0] = DX_ACCUMULATE;
	h_check_layer(&f);

	/* The input step does nothing in either direction. */
	int before = h_failures();
	float y[3] = { 1, 2, 3 };
	nl_node in = { 0 };
	in.kind = NL_INPUT;
	nl_step st = { 0 };
	st.node = &in;
	st.ys = h_shape2(1, 3);
	st.y = y;
	H_BE->forward[NL_INPUT](H_BE, &st, 1);
	H_BE->backward[NL_INPUT](H_BE, &st);
	if (y[0] != 1 || y[1] != 2 || y[2] != 3)
		h_fail("the input step changed its output");
	h_report("input step is a no-op", before);
	return h_finish();
}
