/* cpu.h - private to the CPU backend: the per-kind entry points and the few
 * helpers they share.  Each group of kinds lives in a file of its own
 * (conv.c, pool.c, fc.c, activation.c, dropout.c, batchnorm.c, join.c,
 * loss.c, gather.c); backend.c fills the table from these.
 */
#ifndef NL_CPU_H
#define NL_CPU_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "runtime/backend.h"

/* Elements of a shape (n*c*h*w) and of one example (c*h*w). */
static inline size_t nl_cpu_numel(const nl_shape *s)
{
	return (size_t)s->n * (size_t)s->c * (size_t)s->h * (size_t)s->w;
}

static inline size_t nl_cpu_chw(const nl_shape *s)
{
	return (size_t)s->c * (size_t)s->h * (size_t)s->w;
}

/* dst = g or dst += g (the dx_accumulate contract).  dst == g with no
 * accumulation is a no-op, so an aliased gradient costs nothing. */
void nl_cpu_grad_store(float *dst, const float *g, size_t n, int accumulate);

/* Row-major C = alpha op(A) op(B) + beta C (op = transpose when trans is
 * nonzero), split over the OpenMP threads; BLAS itself runs on one. */
void nl_cpu_sgemm(int transa, int transb, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, int ldc);
/* GFLOP/s of nl_cpu_sgemm at 1024^3 (the backend's gemm_ceiling). */
double nl_cpu_gemm_ceiling(nl_backend *be);

/* Aux and workspace requests, per kind (0 when none). */
/* A convolution's algorithms, chosen once (kept in s->priv, which
 * unprepare frees), and the workspace they need; -1 on out-of-memory. */
int nl_cpu_conv_prepare(nl_step *s, size_t *workspace_bytes);
void nl_cpu_conv_unprepare(nl_step *s);
size_t nl_cpu_maxpool_aux(const nl_step *s);
size_t nl_cpu_dropout_aux(const nl_step *s);
size_t nl_cpu_batchnorm_aux(const nl_step *s);

/* Winograd convolution (winograd.c): whether the layer's shape allows it
 * (stride 1, 3x3 with padding <= 2 or 5x5 with padding <= 4), the
 * workspace its three passes need, and the passes. */
int nl_cpu_wg_applies(const nl_step *s);
size_t nl_cpu_wg_workspace(const nl_step *s);
void nl_cpu_wg_forward(nl_backend *be, nl_step *s);
void nl_cpu_wg_backward_data(nl_backend *be, nl_step *s);
void nl_cpu_wg_backward_filter(nl_backend *be, nl_step *s);
/* Tests: cap a chunk at this many floats (0: the default), so small
 * layers cross chunk boundaries; set before prepare(). */
void nl_cpu_wg_chunk_limit(size_t floats);

/* The forward/backward of every kind, named after its row in kinds.def. */
#define NL_CPU_OP(name) \
	void nl_cpu_##name##_forward(nl_backend *be, nl_step *s, int training); \
	void nl_cpu_##name##_backward(nl_backend *be, nl_step *s);
#define NL_KIND(ID, fn, ...) NL_CPU_OP(fn)
#include "lang/kinds.def"
#undef NL_KIND
#undef NL_CPU_OP

void nl_cpu_loss(nl_backend *be, const float *logits, const int32_t *labels,
                 int n, int k, float *dlogits, float *acc);
void nl_cpu_sgd(nl_backend *be, float *w, const float *g, float *v, size_t n,
                float lr, float momentum, float weight_decay);
void nl_cpu_gather(nl_backend *be, const uint8_t *images, const uint8_t *labels,
                   const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                   const float *norm, float *out, int32_t *labels_out);

/* Inside a parallel region: this thread's share [lo, hi) of n elements,
 * cut at multiples of 16 floats (whole cache lines, whole SIMD vectors). */
static inline void nl_cpu_thread_span(size_t n, size_t *lo, size_t *hi)
{
#ifdef _OPENMP
	size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
#else
	size_t t = 0, nt = 1;
#endif
	size_t per = (n + nt - 1) / nt;
	per = (per + 15) / 16 * 16;
	size_t l = t * per, h = l + per;
	*lo = l < n ? l : n;
	*hi = h < n ? h : n;
}

/* For the few loops that are arithmetic, not memory, bound (the
 * sigmoid's exp): AVX-512 and AVX2 clones chosen at load time, since the
 * build targets plain x86-64. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NL_CPU_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NL_CPU_SIMD_CLONES
#endif

/* y = 1 / (1 + e^-x) over n floats (x == y allowed), on the widest vectors
 * the CPU has (sigmoid.c): every sigmoid of the backend, fused or not. */
void nl_cpu_sigmoid_span(const float *x, float *y, size_t n);

/* A sigmoid folded into a convolution (activation.c): y = sigmoid(y), and
 * dy = dy y (1 - y), in place, as the sigmoid's own steps compute them. */
void nl_cpu_sigmoid_inplace(float *y, size_t n);
void nl_cpu_sigmoid_grad_inplace(float *dy, const float *y, size_t n);

/* OpenMP parallel-for only when the loop is worth waking threads for. */
#define NL_CPU_PAR_MIN 32768

/* The instruction sets the backend's own kernels come in (isa.c). */
enum { NL_ISA_GENERIC, NL_ISA_AVX2, NL_ISA_AVX512 };
/* The one in use: the best the CPU has, or NL_CPU_ISA's, chosen once. */
int nl_cpu_isa(void);
/* Use isa from now on (tests run every path); -1 when the CPU lacks it. */
int nl_cpu_isa_set(int isa);
int nl_cpu_isa_supported(int isa);
const char *nl_cpu_isa_name(int isa);

#endif
