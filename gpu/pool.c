/* pool.c - max, average and global average pooling on cuDNN.
 *
 * Max pooling: padded cells never win (cuDNN leaves them out of the max),
 * the deterministic variant so backward does not depend on scheduling, and
 * a NaN wins its window (CUDNN_PROPAGATE_NAN), as on the CPU and in
 * PyTorch, so a diverging loss shows as NaN.
 * Average pooling counts padded cells in the divisor, PyTorch's
 * count_include_pad=True.  Global average pooling is average pooling with
 * the whole plane as the window.
 */
#include <config.h>

#include <stdio.h>

#include "gpu/gpu.h"

int nl_gpu_pool_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p)
{
	const nl_node *nd = s->node;
	cudnnPoolingMode_t mode;
	int kh = nd->kh, kw = nd->kw, ph = nd->ph, pw = nd->pw, sh = nd->sh, sw = nd->sw;
	switch (nd->kind) {
	case NL_MAXPOOL:
		mode = CUDNN_POOLING_MAX_DETERMINISTIC;
		break;
	case NL_AVGPOOL:
		mode = CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
		break;
	default: /* NL_GAVGPOOL */
		mode = CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
		kh = sh = s->xs[0].h;
		kw = sw = s->xs[0].w;
		ph = pw = 0;
		break;
	}
	if (sh <= 0)
		sh = kh;
	if (sw <= 0)
		sw = kw;
	NL_CUDNN_OR(cudnnCreatePoolingDescriptor(&p->pool), return -1);
	NL_CUDNN_OR(cudnnSetPooling2dDescriptor(p->pool, mode, CUDNN_PROPAGATE_NAN, kh, kw, ph,
	                                        pw, sh, sw), return -1);
	/* cuDNN's output size (floor mode) must be the graph's. */
	int on, oc, oh, ow;
	NL_CUDNN_OR(cudnnGetPooling2dForwardOutputDim(p->pool, p->x, &on, &oc, &oh, &ow),
	            return -1);
	int yh = s->ys.rank == 2 ? 1 : s->ys.h, yw = s->ys.rank == 2 ? 1 : s->ys.w;
	if (on != s->ys.n || oc != s->ys.c || oh != yh || ow != yw) {
		fprintf(stderr, "netlang: %s: %s output %dx%dx%dx%d by cuDNN, %dx%dx%dx%d by the "
		        "graph\n", g->name, nl_kind_name(nd->kind), on, oc, oh, ow, s->ys.n, s->ys.c,
		        yh, yw);
		return -1;
	}
	return 0;
}

void nl_gpu_pool_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	NL_CUDNN(cudnnPoolingForward(g->cudnn, p->pool, &one, p->x, s->x[0], &zero, p->y, s->y));
}

void nl_gpu_pool_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	if (!s->dx[0])
		return;
	NL_CUDNN(cudnnPoolingBackward(g->cudnn, p->pool, &one, p->y, s->y, p->y, s->dy, p->x,
	                              s->x[0], s->dx_accumulate[0] ? &one : &zero, p->x,
	                              s->dx[0]));
}
