/* conv.c - convolution on cuDNN: forward (+ bias), backward data, backward
 * filter (+ bias gradient).
 *
 * Algorithms are chosen once, in prepare, by timing them
 * (cudnnFind*Algorithm, what PyTorch's cudnn.benchmark does), falling back
 * to cuDNN's heuristics (_v7) when timing fails.  The fastest one that fits
 * the workspace cap wins, with two rules for precision:
 *   - TF32 off: only the algorithms that compute plain float32 dot
 *     products (implicit/explicit GEMM, direct).  FFT and Winograd
 *     transforms reorder and round differently enough to miss the 1e-5
 *     agreement with the CPU that --no-tf32 promises.
 *   - never a math type that may convert float32 data down to half
 *     (CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION): TF32 is the only reduced
 *     precision we allow, as PyTorch does.
 * Each pass may want its own math type, so each has its own convolution
 * descriptor, made once with the math type its algorithm was timed with.
 *
 * Forward adds the bias in the same cuDNN call when it can
 * (cudnnConvolutionBiasActivationForward: y = act(conv(x) + b)), and folds
 * in the ReLU that follows when the plan runs that ReLU in place over this
 * output (backend.c sees the pair when it prepares them; the ReLU's own
 * forward then has nothing left to do).  cuDNN allows the identity
 * activation only with the precomputed implicit GEMM, and may refuse a
 * fusion it has no engine for; a refused fusion falls back, once and for
 * good, to the separate calls: convolution, bias, ReLU in place.
 * NETLANG_GPU_FUSE=0 turns the fusions off (backend.c).
 */
#include <config.h>

#include <stdio.h>

#include "gpu/gpu.h"

static int math_ok(int tf32, cudnnMathType_t m)
{
	if (m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
		return 0;
	if (!tf32 && m == CUDNN_TENSOR_OP_MATH)
		return 0;
	return 1;
}

static cudnnMathType_t math_used(int tf32, cudnnMathType_t m)
{
	/* Without TF32 the descriptor stays FMA-only whatever was reported. */
	return tf32 ? m : CUDNN_FMA_MATH;
}

static int fwd_exact(cudnnConvolutionFwdAlgo_t a)
{
	return a == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM ||
	       a == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ||
	       a == CUDNN_CONVOLUTION_FWD_ALGO_GEMM ||
	       a == CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
}

static int bwd_data_exact(cudnnConvolutionBwdDataAlgo_t a)
{
	return a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 || a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
}

static int bwd_filter_exact(cudnnConvolutionBwdFilterAlgo_t a)
{
	return a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 ||
	       a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 ||
	       a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3;
}

/* One chooser per pass; the perf structs differ only in their algo type. */
#define CHOOSE(perf, count, exact, algo_out, ws_out, math_out, found) \
	for (int i_ = 0; i_ < (count) && !(found); i_++) { \
		if ((perf)[i_].status != CUDNN_STATUS_SUCCESS) continue; \
		if ((perf)[i_].memory > g->ws_cap) continue; \
		if (!math_ok(tf32, (perf)[i_].mathType)) continue; \
		if (!tf32 && !exact((perf)[i_].algo)) continue; \
		(algo_out) = (perf)[i_].algo; \
		(ws_out) = (perf)[i_].memory; \
		(math_out) = math_used(tf32, (perf)[i_].mathType); \
		(found) = 1; \
	}

static void no_algo(nl_gpu *g, nl_step *s, const char *pass)
{
	fprintf(stderr, "netlang: %s: no cuDNN algorithm for the %s pass of conv %dx%d/%d "
	        "(%dx%dx%d -> %dx%dx%d, batch %d)\n", g->name, pass, s->node->kh, s->node->kw,
	        s->node->sh, s->xs[0].c, s->xs[0].h, s->xs[0].w, s->ys.c, s->ys.h, s->ys.w,
	        s->ys.n);
}

static int choose_fwd(nl_gpu *g, nl_step *s, nl_gpu_step *p, int tf32)
{
	cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT * 2];
	int n = 0, found = 0;
	if (cudnnFindConvolutionForwardAlgorithm(g->cudnn, p->x, p->w, p->conv_fwd, p->y,
	                                         CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n,
	                                         perf) == CUDNN_STATUS_SUCCESS)
		CHOOSE(perf, n, fwd_exact, p->fwd_algo, p->fwd_ws, p->fwd_math, found);
	if (!found) {
		NL_CUDNN_OR(cudnnGetConvolutionForwardAlgorithm_v7(g->cudnn, p->x, p->w, p->conv_fwd,
		            p->y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf), return -1);
		CHOOSE(perf, n, fwd_exact, p->fwd_algo, p->fwd_ws, p->fwd_math, found);
	}
	if (!found) {
		no_algo(g, s, "forward");
		return -1;
	}
	return 0;
}

static int choose_bwd_data(nl_gpu *g, nl_step *s, nl_gpu_step *p, int tf32)
{
	cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT * 2];
	int n = 0, found = 0;
	if (cudnnFindConvolutionBackwardDataAlgorithm(g->cudnn, p->w, p->y, p->conv_fwd, p->x,
	                                              CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n,
	                                              perf) == CUDNN_STATUS_SUCCESS)
		CHOOSE(perf, n, bwd_data_exact, p->bwd_data_algo, p->bwd_data_ws,
		       p->bwd_data_math, found);
	if (!found) {
		NL_CUDNN_OR(cudnnGetConvolutionBackwardDataAlgorithm_v7(g->cudnn, p->w, p->y,
		            p->conv_fwd, p->x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf),
		            return -1);
		CHOOSE(perf, n, bwd_data_exact, p->bwd_data_algo, p->bwd_data_ws,
		       p->bwd_data_math, found);
	}
	if (!found) {
		no_algo(g, s, "backward-data");
		return -1;
	}
	return 0;
}

static int choose_bwd_filter(nl_gpu *g, nl_step *s, nl_gpu_step *p, int tf32)
{
	cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT * 2];
	int n = 0, found = 0;
	if (cudnnFindConvolutionBackwardFilterAlgorithm(g->cudnn, p->x, p->y, p->conv_fwd, p->w,
	                                                CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
	                                                &n, perf) == CUDNN_STATUS_SUCCESS)
		CHOOSE(perf, n, bwd_filter_exact, p->bwd_filter_algo, p->bwd_filter_ws,
		       p->bwd_filter_math, found);
	if (!found) {
		NL_CUDNN_OR(cudnnGetConvolutionBackwardFilterAlgorithm_v7(g->cudnn, p->x, p->y,
		            p->conv_fwd, p->w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf),
		            return -1);
		CHOOSE(perf, n, bwd_filter_exact, p->bwd_filter_algo, p->bwd_filter_ws,
		       p->bwd_filter_math, found);
	}
	if (!found) {
		no_algo(g, s, "backward-filter");
		return -1;
	}
	return 0;
}

static int conv_desc(cudnnConvolutionDescriptor_t *d, const nl_node *nd, cudnnMathType_t m)
{
	NL_CUDNN_OR(cudnnCreateConvolutionDescriptor(d), return -1);
	NL_CUDNN_OR(cudnnSetConvolution2dDescriptor(*d, nd->ph, nd->pw, nd->sh, nd->sw, 1, 1,
	                                            CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
	            return -1);
	NL_CUDNN_OR(cudnnSetConvolutionMathType(*d, m), return -1);
	return 0;
}

int nl_gpu_conv_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p, size_t *ws)
{
	const nl_node *nd = s->node;
	const nl_shape *x = &s->xs[0];
	int tf32 = g->be.tf32;
	NL_CUDNN_OR(cudnnCreateFilterDescriptor(&p->w), return -1);
	NL_CUDNN_OR(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
	                                       nd->out, x->c, nd->kh, nd->kw), return -1);
	/* The algorithms are timed with the forward descriptor at the math
	 * type the mode allows: CUDNN_DEFAULT_MATH lets float32 use TF32
	 * tensor cores on Ampere and later (what PyTorch sets when allow_tf32
	 * is on); FMA_MATH forbids it. */
	if (conv_desc(&p->conv_fwd, nd, tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH))
		return -1;
	NL_CUDNN_OR(cudnnCreateTensorDescriptor(&p->chan), return -1);
	NL_CUDNN_OR(cudnnSetTensor4dDescriptor(p->chan, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1,
	                                       nd->out, 1, 1), return -1);

	/* The graph's shape must be cuDNN's, or every pass would be wrong. */
	int on, oc, oh, ow;
	NL_CUDNN_OR(cudnnGetConvolution2dForwardOutputDim(p->conv_fwd, p->x, p->w, &on, &oc, &oh,
	                                                  &ow), return -1);
	if (on != s->ys.n || oc != s->ys.c || oh != s->ys.h || ow != s->ys.w) {
		fprintf(stderr, "netlang: %s: conv output %dx%dx%dx%d by cuDNN, %dx%dx%dx%d by the "
		        "graph\n", g->name, on, oc, oh, ow, s->ys.n, s->ys.c, s->ys.h, s->ys.w);
		return -1;
	}
	if (choose_fwd(g, s, p, tf32) || choose_bwd_data(g, s, p, tf32) ||
	    choose_bwd_filter(g, s, p, tf32))
		return -1;
	/* Find may have left an error string behind for the algorithms it
	 * could not run; those are not ours to report. */
	(void)cudaGetLastError();
	char scratch[256];
	cudnnGetLastErrorString(scratch, sizeof scratch);

	/* One descriptor per pass, each with its algorithm's math type. */
	NL_CUDNN_OR(cudnnSetConvolutionMathType(p->conv_fwd, p->fwd_math), return -1);
	if (conv_desc(&p->conv_bwd_data, nd, p->bwd_data_math) ||
	    conv_desc(&p->conv_bwd_filter, nd, p->bwd_filter_math))
		return -1;

	/* Bias alone fuses only with the precomputed implicit GEMM (cuDNN's
	 * rule for the identity activation); the ReLU, if one is folded in
	 * later, replaces the identity. */
	if (s->b && g->fuse && p->fwd_algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
		NL_CUDNN_OR(cudnnCreateActivationDescriptor(&p->act), return -1);
		NL_CUDNN_OR(cudnnSetActivationDescriptor(p->act, CUDNN_ACTIVATION_IDENTITY,
		                                         CUDNN_PROPAGATE_NAN, 0.0), return -1);
		p->fuse = NL_GPU_FUSE_BIAS;
	}

	size_t need = p->fwd_ws;
	if (p->bwd_data_ws > need)
		need = p->bwd_data_ws;
	if (p->bwd_filter_ws > need)
		need = p->bwd_filter_ws;
	*ws = need;
	return 0;
}

int nl_gpu_conv_fold_relu(nl_gpu *g, nl_step *conv, nl_step *relu)
{
	(void)g;
	nl_gpu_step *p = conv->priv;
	if (!conv->b || p->fuse_refused)
		return 0;
	if (!p->act)
		NL_CUDNN_OR(cudnnCreateActivationDescriptor(&p->act), return -1);
	/* NaN propagates, as the ReLU step's own descriptor says
	 * (activation.c). */
	NL_CUDNN_OR(cudnnSetActivationDescriptor(p->act, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN,
	                                         0.0), return -1);
	p->fuse = NL_GPU_FUSE_BIAS_RELU;
	((nl_gpu_step *)relu->priv)->folded = 1;
	return 0;
}

static void need_workspace(nl_backend *be, size_t bytes)
{
	if (bytes > be->workspace_bytes || (bytes && !be->workspace)) {
		fprintf(stderr, "netlang: %s: conv needs %zu bytes of workspace, the plan gave %zu\n",
		        be->name, bytes, be->workspace_bytes);
		nl_gpu_fatal();
	}
}

/* The separate calls: convolution, bias, and the folded ReLU in place. */
static void forward_unfused(nl_backend *be, nl_step *s, nl_gpu_step *p)
{
	nl_gpu *g = nl_gpu_of(be);
	const float one = 1.0f, zero = 0.0f;
	NL_CUDNN(cudnnConvolutionForward(g->cudnn, &one, p->x, s->x[0], p->w, s->w, p->conv_fwd,
	                                 p->fwd_algo, be->workspace, p->fwd_ws, &zero, p->y,
	                                 s->y));
	if (s->b)
		NL_CUDNN(cudnnAddTensor(g->cudnn, &one, p->chan, s->b, &one, p->y, s->y));
	if (p->fuse == NL_GPU_FUSE_BIAS_RELU)
		NL_CUDNN(cudnnActivationForward(g->cudnn, p->act, &one, p->y, s->y, &zero, p->y,
		                                s->y));
}

void nl_gpu_conv_forward(nl_backend *be, nl_step *s, int training)
{
	(void)training;
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	need_workspace(be, p->fwd_ws);
	if (p->fuse == NL_GPU_FUSE_NONE || p->fuse_refused) {
		forward_unfused(be, s, p);
		return;
	}
	/* y = act(conv(x) + 0 * z + b), with z = y (alpha2 = 0: not read). */
	cudnnStatus_t st = cudnnConvolutionBiasActivationForward(g->cudnn, &one, p->x, s->x[0],
	        p->w, s->w, p->conv_fwd, p->fwd_algo, be->workspace, p->fwd_ws, &zero, p->y, s->y,
	        p->chan, s->b, p->act, p->y, s->y);
	/* "Not supported", or a parameter the fused call alone rejects: the
	 * separate calls can still do it (and report their own failure). */
	if (CUDNN_STATUS_CATEGORY(st) == CUDNN_STATUS_NOT_SUPPORTED ||
	    CUDNN_STATUS_CATEGORY(st) == CUDNN_STATUS_BAD_PARAM) {
		char why[256] = "";
		cudnnGetLastErrorString(why, sizeof why);
		if (!g->quiet)
			fprintf(stderr, "netlang: %s: cuDNN cannot fuse the bias%s into conv %dx%d/%d "
			        "(%s%s%s); separate calls from now on\n", g->name,
			        p->fuse == NL_GPU_FUSE_BIAS_RELU ? " and ReLU" : "", s->node->kh,
			        s->node->kw, s->node->sh, cudnnGetErrorString(st), why[0] ? ": " : "",
			        why);
		p->fuse_refused = 1;
		forward_unfused(be, s, p);
		return;
	}
	NL_CUDNN(st);
}

void nl_gpu_conv_backward(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	nl_gpu_step *p = s->priv;
	const float one = 1.0f, zero = 0.0f;
	if (s->db)
		NL_CUDNN(cudnnConvolutionBackwardBias(g->cudnn, &one, p->y, s->dy, &zero, p->chan,
		                                      s->db));
	if (s->dw) {
		need_workspace(be, p->bwd_filter_ws);
		NL_CUDNN(cudnnConvolutionBackwardFilter(g->cudnn, &one, p->x, s->x[0], p->y, s->dy,
		                                        p->conv_bwd_filter, p->bwd_filter_algo,
		                                        be->workspace, p->bwd_filter_ws, &zero, p->w,
		                                        s->dw));
	}
	if (s->dx[0]) {
		need_workspace(be, p->bwd_data_ws);
		const float *beta = s->dx_accumulate[0] ? &one : &zero;
		NL_CUDNN(cudnnConvolutionBackwardData(g->cudnn, &one, p->w, s->w, p->y, s->dy,
		                                      p->conv_bwd_data, p->bwd_data_algo,
		                                      be->workspace, p->bwd_data_ws, beta, p->x,
		                                      s->dx[0]));
	}
}
