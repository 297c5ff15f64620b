/* backend.c - the GPU backend's table: device selection, memory, clock,
 * prepare/unprepare, and the helpers the op files share.
 *
 * Device memory is plain cudaMalloc (no managed memory): the plan
 * allocates everything once, so allocation speed does not matter, and an
 * out-of-memory must be reported at once with the numbers that explain it.
 */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu/gpu.h"
#include "gpu/kernels.h"

size_t nl_gpu_numel(const nl_shape *s)
{
	return (size_t)s->n * (size_t)s->c * (size_t)s->h * (size_t)s->w;
}

int nl_gpu_set_tensor(cudnnTensorDescriptor_t d, const nl_shape *s)
{
	int h = s->rank == 2 ? 1 : s->h, w = s->rank == 2 ? 1 : s->w;
	NL_CUDNN_OR(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s->n, s->c,
	                                       h, w), return -1);
	return 0;
}

void nl_gpu_grad_store(nl_gpu *g, float *dst, const float *src, size_t n, int accumulate)
{
	if (!dst || (!accumulate && dst == src))
		return;
	NL_CUDA(nl_k_store(g->stream, dst, src, n, accumulate));
}

static void *gpu_alloc(nl_backend *be, size_t bytes)
{
	nl_gpu *g = nl_gpu_of(be);
	/* A zero-byte request still gets a real, distinct pointer. */
	size_t asked = bytes ? bytes : 256;
	void *p = NULL;
	cudaError_t e = cudaMalloc(&p, asked);
	if (e != cudaSuccess) {
		(void)cudaGetLastError();
		size_t free_b = 0, total_b = 0;
		cudaMemGetInfo(&free_b, &total_b);
		const double mib = 1024.0 * 1024.0;
		if (e == cudaErrorMemoryAllocation)
			fprintf(stderr, "netlang: out of GPU memory on %s: asked for %zu bytes "
			        "(%.1f MiB) with %.1f MiB free of %.1f MiB; try a smaller --batch\n",
			        g->name, bytes, (double)bytes / mib, (double)free_b / mib,
			        (double)total_b / mib);
		else
			fprintf(stderr, "netlang: cuda: cudaMalloc of %zu bytes failed on %s: %s\n",
			        bytes, g->name, cudaGetErrorString(e));
		return NULL;
	}
	/* Queued on the stream, so it completes before any later use. */
	NL_CUDA_OR(cudaMemsetAsync(p, 0, asked, g->stream), { cudaFree(p); return NULL; });
	return p;
}

static void gpu_release(nl_backend *be, void *p)
{
	(void)be;
	if (p)
		NL_CUDA_OR(cudaFree(p), (void)0);
}

static void gpu_upload(nl_backend *be, void *dst, const void *src, size_t bytes)
{
	nl_gpu *g = nl_gpu_of(be);
	if (!bytes)
		return;
	/* From pageable memory the call returns once src has been staged, so
	 * the caller may reuse src at once; the copy stays ordered in the
	 * stream before the work that reads dst. */
	NL_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, g->stream));
}

static void gpu_download(nl_backend *be, void *dst, const void *src, size_t bytes)
{
	nl_gpu *g = nl_gpu_of(be);
	if (!bytes)
		return;
	NL_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, g->stream));
	NL_CUDA(cudaStreamSynchronize(g->stream));
	nl_gpu_loss_report(g);
}

static void gpu_copy(nl_backend *be, void *dst, const void *src, size_t bytes)
{
	nl_gpu *g = nl_gpu_of(be);
	if (!bytes || dst == src)
		return;
	NL_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, g->stream));
}

static void gpu_fill(nl_backend *be, float *dst, float value, size_t n)
{
	NL_CUDA(nl_k_fill(nl_gpu_of(be)->stream, dst, value, n));
}

static void step_free(nl_gpu_step *p)
{
	if (!p)
		return;
	if (p->x) cudnnDestroyTensorDescriptor(p->x);
	if (p->y) cudnnDestroyTensorDescriptor(p->y);
	if (p->chan) cudnnDestroyTensorDescriptor(p->chan);
	if (p->w) cudnnDestroyFilterDescriptor(p->w);
	if (p->conv_fwd) cudnnDestroyConvolutionDescriptor(p->conv_fwd);
	if (p->conv_bwd_data) cudnnDestroyConvolutionDescriptor(p->conv_bwd_data);
	if (p->conv_bwd_filter) cudnnDestroyConvolutionDescriptor(p->conv_bwd_filter);
	if (p->pool) cudnnDestroyPoolingDescriptor(p->pool);
	if (p->act) cudnnDestroyActivationDescriptor(p->act);
	free(p);
}

static int gpu_prepare(nl_backend *be, nl_step *s, size_t *aux_bytes, size_t *workspace_bytes)
{
	nl_gpu *g = nl_gpu_of(be);
	*aux_bytes = 0;
	*workspace_bytes = 0;
	s->priv = NULL;
	if (!s->node) {
		fprintf(stderr, "netlang: %s: a step without a node\n", g->name);
		return -1;
	}
	if (s->ninputs < 0 || s->ninputs > NL_MAX_INPUTS) {
		fprintf(stderr, "netlang: %s: a %s step with %d inputs (at most %d)\n", g->name,
		        nl_kind_name(s->node->kind), s->ninputs, NL_MAX_INPUTS);
		return -1;
	}
	nl_gpu_step *p = calloc(1, sizeof *p);
	if (!p) {
		fprintf(stderr, "netlang: out of memory preparing a step\n");
		return -1;
	}
	/* Every step gets input and output descriptors; the kinds that need
	 * more add theirs below. */
	NL_CUDNN_OR(cudnnCreateTensorDescriptor(&p->x), goto fail);
	NL_CUDNN_OR(cudnnCreateTensorDescriptor(&p->y), goto fail);
	if (s->ninputs > 0 && nl_gpu_set_tensor(p->x, &s->xs[0]))
		goto fail;
	if (nl_gpu_set_tensor(p->y, &s->ys))
		goto fail;

	int rc = 0;
	switch (s->node->kind) {
	case NL_CONV:
		rc = nl_gpu_conv_prepare(g, s, p, workspace_bytes);
		break;
	case NL_MAXPOOL:
	case NL_AVGPOOL:
	case NL_GAVGPOOL:
		rc = nl_gpu_pool_prepare(g, s, p);
		break;
	case NL_RELU:
	case NL_SIGMOID:
	case NL_TANH:
		rc = nl_gpu_activation_prepare(g, s, p);
		break;
	case NL_DROPOUT:
		*aux_bytes = nl_gpu_numel(&s->ys);   /* the mask, one byte each */
		break;
	case NL_BATCHNORM:
		rc = nl_gpu_batchnorm_prepare(g, s, p, aux_bytes);
		break;
	default:
		break;
	}
	if (rc)
		goto fail;
	s->priv = p;
	/* A ReLU in place over the output of the convolution just prepared
	 * (the plan does that only when the ReLU is its sole consumer) is
	 * folded into that convolution's forward. */
	nl_step *prev = g->last;
	if (s->node->kind == NL_RELU && g->fuse && prev && prev->node->kind == NL_CONV &&
	    prev->priv && s->ninputs == 1 && s->x[0] == prev->y && s->y == prev->y &&
	    nl_gpu_conv_fold_relu(g, prev, s)) {
		s->priv = NULL;
		goto fail;
	}
	g->last = s;
	return 0;
fail:
	step_free(p);
	return -1;
}

static void gpu_unprepare(nl_backend *be, nl_step *s)
{
	nl_gpu *g = nl_gpu_of(be);
	if (g->last == s)
		g->last = NULL;
	step_free(s->priv);
	s->priv = NULL;
}

static void gpu_sync(nl_backend *be)
{
	NL_CUDA(cudaStreamSynchronize(nl_gpu_of(be)->stream));
	nl_gpu_loss_report(nl_gpu_of(be));
}

/* The host clock after the queue drains: what --time wants is wall time of
 * finished work, and one sync per measurement costs nothing against the
 * many steps measured between two readings. */
static double gpu_clock(nl_backend *be)
{
	NL_CUDA(cudaStreamSynchronize(nl_gpu_of(be)->stream));
	nl_gpu_loss_report(nl_gpu_of(be));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void gpu_destroy(nl_backend *be)
{
	if (!be)
		return;
	nl_gpu *g = nl_gpu_of(be);
	if (g->stream)
		cudaStreamSynchronize(g->stream);
	/* The shared workspace belongs to the backend, not to any one plan. */
	if (be->workspace)
		be->release(be, be->workspace);
	be->workspace = NULL;
	nl_gpu_loss_fini(g);
	if (g->cublas)
		cublasDestroy(g->cublas);
	if (g->cudnn)
		cudnnDestroy(g->cudnn);
	if (g->stream)
		cudaStreamDestroy(g->stream);
	free(g);
}

void nl_gpu_input_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)s;
	(void)training;
}

void nl_gpu_input_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	(void)s;
}

/* Here CUDA is linked into whatever links this backend (the module, the
 * test programs): the process's own symbols have it. */
void *nl_gpu_symbol(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}

int nl_gpu_device_count(void)
{
	int count = 0;
	if (cudaGetDeviceCount(&count) != cudaSuccess) {
		(void)cudaGetLastError();
		return 0;
	}
	return count;
}

nl_backend *nl_gpu_backend_new(int device, int tf32, int quiet)
{
	int count = 0;
	cudaError_t e = cudaGetDeviceCount(&count);
	if (e != cudaSuccess || count == 0) {
		if (!quiet)
			fprintf(stderr, "netlang: no usable GPU: %s\n",
			        e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device found");
		(void)cudaGetLastError();
		return NULL;
	}
	if (device < 0 || device >= count) {
		if (!quiet)
			fprintf(stderr, "netlang: no GPU cuda:%d (this machine has %d)\n", device, count);
		return NULL;
	}
	nl_gpu *g = calloc(1, sizeof *g);
	if (!g) {
		fprintf(stderr, "netlang: out of memory creating the GPU backend\n");
		return NULL;
	}
	g->device = device;
	g->quiet = quiet;
	const char *fuse = getenv("NETLANG_GPU_FUSE");
	g->fuse = !(fuse && !strcmp(fuse, "0"));
	snprintf(g->name, sizeof g->name, "cuda:%d", device);
	nl_backend *be = &g->be;
	be->impl = g;
	be->name = g->name;
	be->tf32 = tf32 ? 1 : 0;

	NL_CUDA_OR(cudaSetDevice(device), goto fail);
	NL_CUDA_OR(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking), goto fail);
	NL_CUDNN_OR(cudnnCreate(&g->cudnn), goto fail);
	NL_CUDNN_OR(cudnnSetStream(g->cudnn, g->stream), goto fail);
	NL_CUBLAS_OR(cublasCreate(&g->cublas), goto fail);
	NL_CUBLAS_OR(cublasSetStream(g->cublas, g->stream), goto fail);
	if (nl_gpu_loss_init(g))
		goto fail;
	/* TF32 as PyTorch's allow_tf32: tensor cores with 10-bit mantissas for
	 * float GEMMs when allowed, plain float32 FMA otherwise. */
	NL_CUBLAS_OR(cublasSetMathMode(g->cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
	                                               : CUBLAS_DEFAULT_MATH), goto fail);

	size_t free_b = 0, total_b = 0;
	NL_CUDA_OR(cudaMemGetInfo(&free_b, &total_b), goto fail);
	/* A conv algorithm may take up to a quarter of the free memory (the
	 * plan's tensors are not allocated yet) and never more than 2 GiB. */
	g->ws_cap = free_b / 4;
	if (g->ws_cap > ((size_t)2 << 30))
		g->ws_cap = (size_t)2 << 30;
	if (!quiet) {
		struct cudaDeviceProp prop;
		if (cudaGetDeviceProperties(&prop, device) == cudaSuccess)
			fprintf(stderr, "netlang: %s is %s (%.1f GiB, %d SMs), TF32 %s\n", g->name,
			        prop.name, (double)total_b / (1024.0 * 1024.0 * 1024.0),
			        prop.multiProcessorCount, tf32 ? "on" : "off");
	}

	be->alloc = gpu_alloc;
	be->release = gpu_release;
	be->upload = gpu_upload;
	be->download = gpu_download;
	be->copy = gpu_copy;
	be->fill = gpu_fill;
	be->prepare = gpu_prepare;
	be->unprepare = gpu_unprepare;
#define SET(kind, name) \
	be->forward[kind] = nl_gpu_##name##_forward; \
	be->backward[kind] = nl_gpu_##name##_backward;
	SET(NL_INPUT, input)
	SET(NL_CONV, conv)
	SET(NL_MAXPOOL, pool)
	SET(NL_AVGPOOL, pool)
	SET(NL_GAVGPOOL, pool)
	SET(NL_FC, fc)
	SET(NL_RELU, activation)
	SET(NL_SIGMOID, activation)
	SET(NL_TANH, activation)
	SET(NL_GELU, gelu)
	SET(NL_SOFTMAX, softmax)
	SET(NL_DROPOUT, dropout)
	SET(NL_FLATTEN, flatten)
	SET(NL_BATCHNORM, batchnorm)
	SET(NL_CONCAT, concat)
	SET(NL_ADD, add)
#undef SET
	be->loss = nl_gpu_loss;
	be->sgd = nl_gpu_sgd;
	be->gather = nl_gpu_gather;
	be->sync = gpu_sync;
	be->clock = gpu_clock;
	be->destroy = gpu_destroy;
	if (nl_backend_check(be))
		goto fail;
	return be;
fail:
	gpu_destroy(be);
	return NULL;
}
