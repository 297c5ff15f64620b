/* batchnorm.c - batch normalization on cuDNN, with PyTorch's semantics.
 *
 * Per channel over N x H x W for rank 4 (spatial mode), per feature over N
 * for rank 2 (per-activation mode: a rank 2 tensor is N x C x 1 x 1).
 * Training normalizes with the biased batch variance and moves the running
 * statistics by momentum: running = (1 - m) running + m batch, with the
 * unbiased variance for the running one; cuDNN's exponentialAverageFactor
 * is exactly PyTorch's momentum and it too uses the unbiased variance.
 * Evaluation normalizes with the running statistics.
 *
 * Backward depends on which forward ran last, as on the CPU:
 *   - after a training forward, cuDNN's backward with the batch mean and
 *     inverse standard deviation the forward saved in aux (2 x C floats);
 *     aux has room for dgamma and dbeta (2 x C more) for a step without
 *     parameter gradients, since cuDNN always writes both;
 *   - after an evaluation forward, the statistics were the running ones,
 *     constants: dx = gamma dy / sqrt(var + eps), done by batchnorm.cu
 *     (cuDNN's backward would differentiate through batch statistics that
 *     the forward never computed);
 *   - when no one wants dx (cuDNN's backward always writes it), the
 *     parameter gradients alone, by the same kernel with the saved
 *     statistics.
 * So no step needs the shared workspace.
 */
#include <config.h>

#include <stdio.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

int nl_gpu_batchnorm_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p, size_t *aux)
{
	(void)g;
	p->bn_mode = s->xs[0].rank == 2 ? CUDNN_BATCHNORM_PER_ACTIVATION : CUDNN_BATCHNORM_SPATIAL;
	NL_CUDNN_OR(cudnnCreateTensorDescriptor(&p->chan), return -1);
	NL_CUDNN_OR(cudnnDeriveBNTensorDescriptor(p->chan, p->x, p->bn_mode), return -1);
	*aux = 4 * (size_t)s->xs[0].c * sizeof(float);
	return 0;
}

static double bn_eps(const nl_step *s)
{
	return s->node->eps > 0.0f ? s->node->eps : 1e-5;
}

void nl_gpu_batchnorm_forward(nl_backend *be, nl_step *s, int training)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	p->bn_eval = !training;
	if (training) {
		float *save = s->aux;
		double momentum = s->node->momentum;
		NL_CUDNN(cudnnBatchNormalizationForwardTraining(g->cudnn, p->bn_mode, &one, &zero,
		         p->x, s->x[0], p->y, s->y, p->chan, s->w, s->b, momentum,
		         s->running_mean, s->running_var, bn_eps(s), save, save + s->xs[0].c));
	} else {
		NL_CUDNN(cudnnBatchNormalizationForwardInference(g->cudnn, p->bn_mode, &one, &zero,
		         p->x, s->x[0], p->y, s->y, p->chan, s->w, s->b, s->running_mean,
		         s->running_var, bn_eps(s)));
	}
}

void nl_gpu_batchnorm_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	const int c = s->xs[0].c;
	const float *save = s->aux;
	if (p->bn_eval || !s->dx[0]) {
		const int hw = s->xs[0].rank == 2 ? 1 : s->xs[0].h * s->xs[0].w;
		NL_CUDA(nl_k_bn_backward_const(g->stream, s->x[0], s->dy,
		        p->bn_eval ? s->dx[0] : NULL, s->dx_accumulate[0], s->w,
		        p->bn_eval ? s->running_mean : save, p->bn_eval ? s->running_var : save + c,
		        p->bn_eval, (float)bn_eps(s), s->xs[0].n, c, (size_t)hw, s->dw, s->db));
		return;
	}
	float *dw = s->dw ? s->dw : (float *)s->aux + 2 * c;
	float *db = s->db ? s->db : (float *)s->aux + 3 * c;
	NL_CUDNN(cudnnBatchNormalizationBackward(g->cudnn, p->bn_mode, &one,
	         s->dx_accumulate[0] ? &one : &zero, &one, &zero, p->x, s->x[0], p->y, s->dy, p->x,
	         s->dx[0], p->chan, s->w, dw, db, bn_eps(s), save, save + c));
}
