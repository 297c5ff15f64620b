/* backend.h - the one table of operations every backend implements.
 *
 * The execution plan (plan.h) owns the memory layout and the order of steps;
 * a backend only knows how to allocate memory and run one step forward or
 * backward.  The CPU backend (runtime/cpu/) is the reference; the GPU backend
 * (gpu/) implements the same table with cuDNN and cuBLAS and must agree with
 * the CPU one to float32 tolerance.
 *
 * All float pointers in an nl_step are in the backend's memory (host memory
 * for the CPU, device memory for the GPU).  Layouts are PyTorch's:
 *   activations  NCHW, contiguous (rank 2 tensors are NxC)
 *   conv weight  [out][in_c][kh][kw], bias [out]
 *   fc weight    [out][in], bias [out]
 *   batchnorm    w = gamma[c], b = beta[c]; running mean/var in state
 */
#ifndef NL_BACKEND_H
#define NL_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lang/graph.h"

#define NL_MAX_INPUTS 16   /* concat/add fan-in handled by one step */
#define NL_GATHER_MAX_NORM 4   /* channels gather can normalise (data: 1 or 3) */

typedef struct nl_backend nl_backend;

/* One node of the graph, lowered at the plan's batch size. */
typedef struct nl_step {
	const nl_node *node;
	int ninputs;
	nl_shape xs[NL_MAX_INPUTS];  /* input shapes, n = batch */
	nl_shape ys;                 /* output shape, n = batch */

	const float *x[NL_MAX_INPUTS];
	float *y;
	/* Backward writes dx[i] = dx_accumulate[i] ? dx[i] + g : g.  dx[i] is
	 * NULL when no one needs that gradient (e.g. the image's). */
	float *dx[NL_MAX_INPUTS];
	int dx_accumulate[NL_MAX_INPUTS];
	const float *dy;

	/* Parameters and their gradients (NULL when the kind has none).
	 * Backward overwrites dw/db: each parameter belongs to one step. */
	float *w, *b, *dw, *db;
	size_t nw, nb;
	/* Batchnorm running statistics (part of the plan's state buffer). */
	float *running_mean, *running_var;

	/* Per-step memory kept from forward to backward (max-pool argmax,
	 * dropout mask, batchnorm batch statistics...): aux_bytes as asked
	 * for by prepare(), allocated by the plan. */
	void *aux;
	size_t aux_bytes;

	/* Dropout: the plan sets a fresh key before each training forward; the
	 * mask for element i is nl_rng_uniform(rng_key, i) >= p (rng.h), so the
	 * CPU and the GPU draw the same mask. */
	uint64_t rng_key;

	/* Convolution: the plan sets this, on a backend with fuses_relu, when
	 * a ReLU runs in place over the convolution's output (so nothing else
	 * reads it).  Forward then writes relu(conv + b) to y, and backward
	 * takes dy as the gradient of that output, masked by y > 0 before use;
	 * the plan runs neither direction of the ReLU's own step.  Set before
	 * prepare(). */
	int fuse_relu;

	/* Convolution: the same for a sigmoid, on a backend with
	 * fuses_sigmoid: forward writes 1 / (1 + e^-(conv + b)) to y, and
	 * backward takes dy as the gradient of that output, times y (1 - y)
	 * before use, and may leave that product in dy (the sigmoid's own
	 * backward would have written it there: the buffer is theirs alone). */
	int fuse_sigmoid;

	void *priv;                  /* backend-private (descriptors, algos) */
} nl_step;

struct nl_backend {
	const char *name;            /* "cpu", "cuda:0": shown to the user */

	/* Memory.  alloc returns zero-filled memory, or NULL after printing
	 * what was asked for (and, on a GPU, a hint to lower the batch). */
	void *(*alloc)(nl_backend *be, size_t bytes);
	void (*release)(nl_backend *be, void *p);
	void (*upload)(nl_backend *be, void *dst, const void *src, size_t bytes);
	void (*download)(nl_backend *be, void *dst, const void *src, size_t bytes);
	void (*copy)(nl_backend *be, void *dst, const void *src, size_t bytes);
	void (*fill)(nl_backend *be, float *dst, float value, size_t n);

	/* Called once per step, shapes known, buffers not yet assigned: pick
	 * algorithms, create descriptors, and say how much per-step aux memory
	 * and shared workspace the step needs.  Returns 0, or -1 after a message. */
	int (*prepare)(nl_backend *be, nl_step *s, size_t *aux_bytes,
	               size_t *workspace_bytes);
	void (*unprepare)(nl_backend *be, nl_step *s);

	/* One table entry per kind.  NL_INPUT's entries do nothing.  training
	 * selects dropout and batch statistics; evaluation uses running stats. */
	void (*forward[NL_NKINDS])(nl_backend *be, nl_step *s, int training);
	void (*backward[NL_NKINDS])(nl_backend *be, nl_step *s);

	/* Softmax cross-entropy over logits [n][k] with int32 labels.  Adds the
	 * summed loss to acc[0] and the number of correct argmaxes to acc[1]
	 * (acc is backend memory).  When dlogits is not NULL, writes
	 * dlogits = (softmax - onehot) / n, the gradient of the mean loss. */
	void (*loss)(nl_backend *be, const float *logits, const int32_t *labels,
	             int n, int k, float *dlogits, float *acc);

	/* SGD with momentum and weight decay, PyTorch's formulation:
	 *   g' = g + wd * w;  v = momentum * v + g';  w -= lr * (momentum ? v : g')
	 * v may be NULL when momentum == 0. */
	void (*sgd)(nl_backend *be, float *w, const float *g, float *v, size_t n,
	            float lr, float momentum, float weight_decay);

	/* Assemble a batch from a uint8 data set held in backend memory, images
	 * of c planes of h x w, into NCHW floats:
	 *   out[i][ch] = bilinear_resize(images[idx[i]][ch], h x w -> oh x ow) / 255
	 *   labels_out[i] = labels[idx[i]]
	 * Bilinear with half-pixel centres (align_corners=False), as PyTorch's
	 * interpolate; oh == h and ow == w is a plain copy.  idx is backend
	 * memory.  norm is NULL, or host memory holding c means and then c
	 * standard deviations (c <= NL_GATHER_MAX_NORM): each channel then
	 * becomes (out - mean[ch]) / std[ch], torchvision's Normalize. */
	void (*gather)(nl_backend *be, const uint8_t *images, const uint8_t *labels,
	               const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
	               const float *norm, float *out, int32_t *labels_out);

	void (*sync)(nl_backend *be);     /* wait for queued work */
	/* Seconds since an arbitrary origin, after all queued work is done
	 * (for --time: the GPU records events, the CPU reads a clock). */
	double (*clock)(nl_backend *be);
	/* GFLOP/s of the backend's own large matrix product (1024^3), the
	 * yardstick --time sets each layer's speed against; NULL where the
	 * backend has none to offer. */
	double (*gemm_ceiling)(nl_backend *be);
	void (*destroy)(nl_backend *be);

	/* Shared scratch, sized by the plan to the largest prepare() request
	 * (allocated with alloc; destroy releases it). */
	void *workspace;
	size_t workspace_bytes;

	int fuses_relu;     /* convolutions honour nl_step.fuse_relu */
	int fuses_sigmoid;  /* a sigmoid may run in place (its backward reads only
	                       its output), and convolutions honour
	                       nl_step.fuse_sigmoid */
	int tf32;           /* GPU: allow TF32 in convolutions and GEMMs */
	void *impl;         /* backend-private */
};

/* Every kind has both entries, or a message naming the first that has not
 * and -1: each backend's constructor checks its own table, so a kind added
 * to kinds.def without a kernel stops at start-up instead of calling NULL
 * in the middle of a step. */
static inline int nl_backend_check(const nl_backend *be)
{
	for (int k = 0; k < NL_NKINDS; k++)
		if (!be->forward[k] || !be->backward[k]) {
			fprintf(stderr, "netlang: the %s backend has no %s step for '%s' layers\n",
			        be->name, be->forward[k] ? "backward" : "forward",
			        nl_kind_name((nl_kind)k));
			return -1;
		}
	return 0;
}

/* The CPU backend: never fails except on out-of-memory.  threads <= 0 means
 * all cores. */
nl_backend *nl_cpu_backend_new(int threads);
/* Called first in main: where OpenBLAS fell back to pre-AVX2 kernels on a
 * CPU it did not recognise, starts the program again with the kernels the
 * CPU can run (blas_core.c); returns when there is nothing to do. */
void nl_cpu_blas_check(char **argv);
/* OpenBLAS's name for the kernels it runs ("SkylakeX"), or NULL when the
 * BLAS is another. */
const char *nl_cpu_blas_core(void);

/* The GPU backend (NULL, after a one-line reason, when the build has no CUDA
 * or no usable GPU is present).  device is the CUDA ordinal. */
nl_backend *nl_gpu_backend_new(int device, int tf32, int quiet);
/* How many CUDA devices this machine has (0 without CUDA or a GPU): the
 * ranks of a job on one machine share them out. */
int nl_gpu_device_count(void);
/* A CUDA runtime function by name (cudaSetDevice...), for code outside the
 * backend that needs one (NCCL's sums): in a netlang that opens the GPU
 * backend as a module, CUDA is not linked into the program.  NULL without
 * CUDA, or before the backend was opened. */
void *nl_gpu_symbol(const char *name);

#endif
