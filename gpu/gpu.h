/* gpu.h - private to the GPU backend: its state, the per-step descriptors,
 * the status checks, and the entry points each file provides.
 *
 * One CUDA stream carries everything (cuDNN and cuBLAS are bound to it and
 * every kernel and copy is queued on it), so the order of the plan's calls
 * is the order of execution and nothing needs an event between steps.
 * The files mirror the CPU backend's (runtime/cpu/), one concern each:
 * backend.c (table, memory, clock), conv.c, pool.c, fc.c, activation.c,
 * dropout.c, batchnorm.c, join.c (concat, add, flatten), loss.c (loss,
 * sgd), gather.c, gemm.c (row-major sgemm on cuBLAS); the few kernels no
 * library call covers sit beside their concern's C file (backend.cu,
 * fc.cu, dropout.cu, join.cu, loss.cu, gather.cu).  status.c, the error
 * reports, has no CPU counterpart.
 */
#ifndef NL_GPU_H
#define NL_GPU_H

#include <stddef.h>
#include <stdint.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <cublas_v2.h>

#include "runtime/backend.h"

typedef struct nl_gpu {
	nl_backend be;            /* first, so the table and this are one block */
	int device;
	int quiet;
	char name[32];            /* "cuda:0" */
	cudaStream_t stream;
	cudnnHandle_t cudnn;
	cublasHandle_t cublas;
	size_t ws_cap;            /* largest workspace a conv algorithm may ask */
	/* Folding a ReLU into the convolution before it (conv.c): on unless
	 * NETLANG_GPU_FUSE=0, a switch for telling a fault of the fused call
	 * from one elsewhere.  last is the step prepared last, where the
	 * ReLU's prepare looks for its convolution. */
	int fuse;
	nl_step *last;
	/* Invalid labels seen by the loss kernel, in host memory the device
	 * writes (loss.c): bad_host for the host, bad_dev for the kernel. */
	volatile int *bad_host;
	int *bad_dev;
} nl_gpu;

static inline nl_gpu *nl_gpu_of(nl_backend *be)
{
	return (nl_gpu *)be->impl;
}

/* How a convolution's forward ends (conv.c). */
enum {
	NL_GPU_FUSE_NONE,         /* convolution, then bias */
	NL_GPU_FUSE_BIAS,         /* one call: conv + bias */
	NL_GPU_FUSE_BIAS_RELU,    /* one call: relu(conv + bias), the ReLU step's work */
};

/* What prepare() builds for one step; freed by unprepare(). */
typedef struct nl_gpu_step {
	cudnnTensorDescriptor_t x, y;     /* x: first input, y: output */
	cudnnTensorDescriptor_t chan;     /* 1xKx1x1 (conv bias), BN params */
	cudnnFilterDescriptor_t w;
	/* One convolution descriptor per pass, each set once to the math
	 * type its algorithm was chosen with. */
	cudnnConvolutionDescriptor_t conv_fwd, conv_bwd_data, conv_bwd_filter;
	cudnnPoolingDescriptor_t pool;
	cudnnActivationDescriptor_t act;  /* activations; conv: the fused one */
	int fuse;                         /* conv: NL_GPU_FUSE_* */
	int fuse_refused;                 /* conv: cuDNN said not supported */
	int folded;                       /* relu: its convolution does its work */
	cudnnConvolutionFwdAlgo_t fwd_algo;
	cudnnConvolutionBwdDataAlgo_t bwd_data_algo;
	cudnnConvolutionBwdFilterAlgo_t bwd_filter_algo;
	size_t fwd_ws, bwd_data_ws, bwd_filter_ws;
	cudnnMathType_t fwd_math, bwd_data_math, bwd_filter_math;
	cudnnBatchNormMode_t bn_mode;
	int bn_eval;                      /* the last forward was an evaluation */
} nl_gpu_step;

/* --- status checks (status.c).  Each returns 1 when the call failed,
 * after printing "netlang: cuda: NAME failed at FILE:LINE: REASON" where
 * NAME is the called function's name taken from the call's text. */
int nl_gpu_cuda_failed(cudaError_t e, const char *call, const char *file, int line);
int nl_gpu_cudnn_failed(cudnnStatus_t e, const char *call, const char *file, int line);
int nl_gpu_cublas_failed(cublasStatus_t e, const char *call, const char *file, int line);
/* A failure inside a forward or backward step cannot be returned through
 * the table (those return void) and leaves the device's queue in an unknown
 * state, so it ends the program after the report. */
void nl_gpu_fatal(void);

#define NL_CUDA_OR(call, action) \
	do { if (nl_gpu_cuda_failed((call), #call, __FILE__, __LINE__)) { action; } } while (0)
#define NL_CUDNN_OR(call, action) \
	do { if (nl_gpu_cudnn_failed((call), #call, __FILE__, __LINE__)) { action; } } while (0)
#define NL_CUBLAS_OR(call, action) \
	do { if (nl_gpu_cublas_failed((call), #call, __FILE__, __LINE__)) { action; } } while (0)
#define NL_CUDA(call)   NL_CUDA_OR(call, nl_gpu_fatal())
#define NL_CUDNN(call)  NL_CUDNN_OR(call, nl_gpu_fatal())
#define NL_CUBLAS(call) NL_CUBLAS_OR(call, nl_gpu_fatal())

/* --- helpers shared by the op files (backend.c). */
size_t nl_gpu_numel(const nl_shape *s);
/* An NCHW float descriptor for a shape (rank 2 is N x C x 1 x 1). */
int nl_gpu_set_tensor(cudnnTensorDescriptor_t d, const nl_shape *s);
/* dst = g or dst += g; dst == g without accumulation does nothing. */
void nl_gpu_grad_store(nl_gpu *g, float *dst, const float *src, size_t n, int accumulate);

/* Row-major C = alpha op(A) op(B) + beta C (op = transpose when trans is
 * nonzero) on the backend's cuBLAS handle (gemm.c). */
void nl_gpu_sgemm(nl_gpu *g, int transa, int transb, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c,
                  int ldc);

/* --- per-kind prepare (each returns 0, or -1 after a message). */
int nl_gpu_conv_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p, size_t *ws);
/* relu, prepared right after conv and running in place over its output,
 * becomes part of conv's forward. */
int nl_gpu_conv_fold_relu(nl_gpu *g, nl_step *conv, nl_step *relu);
int nl_gpu_pool_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p);
int nl_gpu_activation_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p);
int nl_gpu_batchnorm_prepare(nl_gpu *g, nl_step *s, nl_gpu_step *p, size_t *aux);

#define NL_GPU_OP(name) \
	void nl_gpu_##name##_forward(nl_backend *be, nl_step *s, int training); \
	void nl_gpu_##name##_backward(nl_backend *be, nl_step *s);
NL_GPU_OP(input)
NL_GPU_OP(conv)
NL_GPU_OP(pool)          /* max, avg and global avg: one cuDNN call each */
NL_GPU_OP(fc)
NL_GPU_OP(activation)    /* relu, sigmoid, tanh */
NL_GPU_OP(gelu)
NL_GPU_OP(softmax)
NL_GPU_OP(dropout)
NL_GPU_OP(flatten)
NL_GPU_OP(batchnorm)
NL_GPU_OP(concat)
NL_GPU_OP(add)
#undef NL_GPU_OP

void nl_gpu_loss(nl_backend *be, const float *logits, const int32_t *labels,
                 int n, int k, float *dlogits, float *acc);
/* The loss's record of invalid labels: made when the backend starts,
 * reported (as the CPU reports them) after each wait for the device. */
int nl_gpu_loss_init(nl_gpu *g);
void nl_gpu_loss_report(nl_gpu *g);
void nl_gpu_loss_fini(nl_gpu *g);
void nl_gpu_sgd(nl_backend *be, float *w, const float *g, float *v, size_t n,
                float lr, float momentum, float weight_decay);
void nl_gpu_gather(nl_backend *be, const uint8_t *images, const uint8_t *labels,
                   const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                   const float *norm, float *out, int32_t *labels_out);

#endif
