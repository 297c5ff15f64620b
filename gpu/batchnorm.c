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
 * aux holds the batch mean and inverse standard deviation that forward
 * saves for backward (2 x C floats), then room for dgamma and dbeta
 * (2 x C more) for a backward whose step has no parameter gradients, since
 * cuDNN always writes both.  Backward always computes dx; when no
 * one wants it, it goes to the workspace, which prepare sizes for that.
 */
#include <config.h>

#include <stdio.h>

#include "gpu/gpu.h"

int nl_gpu_batchnorm_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p, size_t *aux, size_t *ws)
{
	(void)g;
	p->bn_mode = s->xs[0].rank == 2 ? CUDNN_BATCHNORM_PER_ACTIVATION : CUDNN_BATCHNORM_SPATIAL;
	NL_CUDNN_OR(cudnnCreateTensorDescriptor(&p->chan), return -1);
	NL_CUDNN_OR(cudnnDeriveBNTensorDescriptor(p->chan, p->x, p->bn_mode), return -1);
	*aux = 4 * (size_t)s->xs[0].c * sizeof(float);
	*ws = nl_gpu_numel(&s->xs[0]) * sizeof(float);
	return 0;
}

void nl_gpu_batchnorm_forward(nl_backend *be, nl_step *s, int training)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	double eps = s->node->eps > 0.0f ? s->node->eps : 1e-5;
	if (training) {
		float *save = s->aux;
		double momentum = s->node->momentum;
		NL_CUDNN(cudnnBatchNormalizationForwardTraining(g->cudnn, p->bn_mode, &one, &zero,
		         p->x, s->x[0], p->y, s->y, p->chan, s->w, s->b, momentum,
		         s->running_mean, s->running_var, eps, save, save + s->xs[0].c));
	} else {
		NL_CUDNN(cudnnBatchNormalizationForwardInference(g->cudnn, p->bn_mode, &one, &zero,
		         p->x, s->x[0], p->y, s->y, p->chan, s->w, s->b, s->running_mean,
		         s->running_var, eps));
	}
}

void nl_gpu_batchnorm_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	double eps = s->node->eps > 0.0f ? s->node->eps : 1e-5;
	const float *save = s->aux;
	float *dx = s->dx[0];
	int acc = s->dx_accumulate[0];
	if (!dx) {
		dx = be->workspace;
		acc = 0;
		if (!dx || be->workspace_bytes < nl_gpu_numel(&s->xs[0]) * sizeof(float)) {
			fprintf(stderr, "netlang: %s: batchnorm backward without its workspace\n",
			        be->name);
			nl_gpu_fatal();
		}
	}
	int c = s->xs[0].c;
	float *dw = s->dw ? s->dw : (float *)s->aux + 2 * c;
	float *db = s->db ? s->db : (float *)s->aux + 3 * c;
	NL_CUDNN(cudnnBatchNormalizationBackward(g->cudnn, p->bn_mode, &one, acc ? &one : &zero,
	         &one, &zero, p->x, s->x[0], p->y, s->dy, p->x, dx, p->chan, s->w, dw, db,
	         eps, save, save + c));
}
