/* fc.c - fully connected layers on cuBLAS.
 *
 * Row-major tensors seen by column-major cuBLAS are their transposes:
 *   x [N][in] is X' (in x N, ld in),  W [out][in] is W' (in x out, ld in),
 *   y [N][out] is Y' (out x N, ld out).
 * Then
 *   y = x W^T         ->  Y' = (W')^T X'        sgemm(T, N, out, N, in)
 *   dx = dy W         ->  dX' = W' dY'          sgemm(N, N, in, N, out)
 *   dW = dy^T x       ->  dW' = X' (dY')^T      sgemm(N, T, in, out, N)
 * The bias is added, and its gradient summed, by two small kernels.
 */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

static void dims(const nl_step *s, int *n, int *in, int *out)
{
	*n = s->ys.n;
	*in = (int)(nl_gpu_numel(&s->xs[0]) / (size_t)s->xs[0].n);
	*out = s->ys.c;
}

void nl_gpu_fc_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	int n, in, out;
	dims(s, &n, &in, &out);
	const float one = 1.0f, zero = 0.0f;
	NL_CUBLAS(cublasSgemm(g->cublas, CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, &one, s->w, in,
	                      s->x[0], in, &zero, s->y, out));
	if (s->b)
		NL_CUDA(nl_k_bias_rows(g->stream, s->y, s->b, n, out));
}

void nl_gpu_fc_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	int n, in, out;
	dims(s, &n, &in, &out);
	const float one = 1.0f, zero = 0.0f;
	if (s->db)
		NL_CUDA(nl_k_bias_grad_rows(g->stream, s->db, s->dy, n, out));
	if (s->dw)
		NL_CUBLAS(cublasSgemm(g->cublas, CUBLAS_OP_N, CUBLAS_OP_T, in, out, n, &one, s->x[0],
		                      in, s->dy, out, &zero, s->dw, in));
	if (s->dx[0])
		NL_CUBLAS(cublasSgemm(g->cublas, CUBLAS_OP_N, CUBLAS_OP_N, in, n, out, &one, s->w, in,
		                      s->dy, out, s->dx_accumulate[0] ? &one : &zero, s->dx[0],
		                      in));
}
