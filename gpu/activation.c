/* activation.c - relu, sigmoid, tanh and softmax on cuDNN; GELU on a kernel.
 *
 * The plan runs only ReLU (and dropout) in place (y == x), handing backward
 * the same buffer for dy and dx.  Backward gives cuDNN the real input and
 * output: out of place they differ, so whichever of them cuDNN derives the
 * gradient from is right; in place x holds relu(x), whose positive cells
 * are those of x, so ReLU's derivative is unchanged.
 *
 * A ReLU running in place over a convolution's output is folded into the
 * convolution's forward (conv.c); its forward is then empty, its backward
 * the same as ever.
 *
 * NaN propagates (CUDNN_PROPAGATE_NAN), as on the CPU and in PyTorch: with
 * cuDNN's default a NaN entering a ReLU leaves as 0, and a diverging run
 * would train on instead of stopping at "loss became NaN".
 */
#include <config.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

int nl_gpu_activation_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p)
{
	(void)g;
	cudnnActivationMode_t mode = s->node->kind == NL_RELU    ? CUDNN_ACTIVATION_RELU
	                           : s->node->kind == NL_SIGMOID ? CUDNN_ACTIVATION_SIGMOID
	                                                         : CUDNN_ACTIVATION_TANH;
	NL_CUDNN_OR(cudnnCreateActivationDescriptor(&p->act), return -1);
	NL_CUDNN_OR(cudnnSetActivationDescriptor(p->act, mode, CUDNN_PROPAGATE_NAN, 0.0),
	            return -1);
	return 0;
}

void nl_gpu_activation_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	/* A ReLU folded into the convolution before it: that forward already
	 * left relu(conv + b) in this, its own, buffer. */
	if (p->folded)
		return;
	NL_CUDNN(cudnnActivationForward(g->cudnn, p->act, &one, p->x, s->x[0], &zero, p->y, s->y));
}

void nl_gpu_activation_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	if (!s->dx[0])
		return;
	NL_CUDNN(cudnnActivationBackward(g->cudnn, p->act, &one, p->y, s->y, p->y, s->dy, p->x,
	                                 s->x[0], s->dx_accumulate[0] ? &one : &zero, p->x,
	                                 s->dx[0]));
}

/* GELU in PyTorch's exact erf form: cuDNN's activation modes have none, so
 * a kernel of ours (activation.cu).  Backward reads x: GELU never runs in
 * place. */
void nl_gpu_gelu_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	NL_CUDA(nl_k_gelu_forward(nl_gpu_of(be)->stream, s->x[0], s->y, nl_gpu_numel(&s->ys)));
}

void nl_gpu_gelu_backward(nl_backend *be, nl_step *s)
{
	if (!s->dx[0])
		return;
	NL_CUDA(nl_k_gelu_backward(nl_gpu_of(be)->stream, s->x[0], s->dy, s->dx[0],
	                           nl_gpu_numel(&s->ys), s->dx_accumulate[0]));
}

/* Softmax over the channels at every (n, h, w), as the CPU backend and
 * PyTorch's Softmax(dim=1) do: cuDNN's channel mode; x, y, dx and dy all
 * have the output's shape, so p->y describes each. */
void nl_gpu_softmax_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	NL_CUDNN(cudnnSoftmaxForward(g->cudnn, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_CHANNEL,
	                             &one, p->y, s->x[0], &zero, p->y, s->y));
}

void nl_gpu_softmax_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	if (!s->dx[0])
		return;
	NL_CUDNN(cudnnSoftmaxBackward(g->cudnn, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_CHANNEL,
	                              &one, p->y, s->y, p->y, s->dy,
	                              s->dx_accumulate[0] ? &one : &zero, p->y, s->dx[0]));
}
