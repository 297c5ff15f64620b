/* backend.c - the CPU backend's table: memory, clock, threads, prepare.
 *
 * Host memory throughout, so upload/download/copy are memcpy.  Tensors come
 * 64-byte aligned (a cache line, and what AVX-512 loads like best) and zeroed
 * as the table's contract says.
 *
 * The threads' wait policy.  Between parallel regions, and at the barrier
 * that ends each, an idle OpenMP thread of GNU libgomp spins 300,000 times
 * before it sleeps: about 20 ms on a Skylake, whose pause instruction takes
 * 140 cycles.  On a machine with other work, the thread a region waits for
 * is often the one the scheduler took away, and the spinning one keeps the
 * core it needs: ResNet-18 trained 7x slower on two threads than on one
 * beside a single busy loop, LeNet 3.5x (bench/RESULTS.md).  libgomp reads
 * its wait policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT) once, while the
 * program loads, before main() could set it, and offers no call to change
 * it.  It does spin only 100 times (some microseconds) when it manages more
 * threads than the CPUs the process may run on, as documented for
 * GOMP_SPINCOUNT.  So, unless the user chose a policy, the process starts
 * allowed on one CPU, from the executable's pre-initialisers, which run
 * before any library's; libgomp counts one available CPU as it loads; and
 * the process gets all its CPUs back before main() (a constructor of ours
 * runs after the libraries').  Our thread counts come from --threads or
 * the number of online CPUs, never from that count.
 */
#include <config.h>

#ifdef __linux__
#include <sched.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <cblas.h>

#include "runtime/cpu/cpu.h"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* Fuzzing: the backend is given 512 MiB, as a small machine would be, so
 * that a legal but huge net (AlexNet at 224x224 typed into a session)
 * takes the out-of-memory path in milliseconds instead of training for
 * seconds past the fuzzer's memory limit. */
#include <malloc.h>
static size_t fuzz_live;
#define FUZZ_CPU_BYTES ((size_t)512 << 20)
#endif

#if defined(__linux__) && defined(_OPENMP) && defined(__GNUC__)
static cpu_set_t start_cpus;
static int narrowed;

/* Run from .preinit_array with the process's arguments and environment
 * (the C library's getenv is not ready yet). */
static void narrow_cpus(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "OMP_WAIT_POLICY=", 16) == 0 || strncmp(*e, "GOMP_SPINCOUNT=", 15) == 0)
			return;             /* the user's policy stands */
	if (sched_getaffinity(0, sizeof start_cpus, &start_cpus) != 0 ||
	    CPU_COUNT(&start_cpus) < 2)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &start_cpus)) {
			CPU_SET(i, &one);
			break;
		}
	narrowed = sched_setaffinity(0, sizeof one, &one) == 0;
}

__attribute__((section(".preinit_array"), used))
static void (*const narrow_cpus_early)(int, char **, char **) = narrow_cpus;

__attribute__((constructor))
static void restore_cpus(void)
{
	if (narrowed)
		sched_setaffinity(0, sizeof start_cpus, &start_cpus);
	narrowed = 0;
}
#endif

void nl_cpu_grad_store(float *dst, const float *g, size_t n, int accumulate)
{
	if (accumulate) {
		for (size_t i = 0; i < n; i++)
			dst[i] += g[i];
	} else if (dst != g) {
		memcpy(dst, g, n * sizeof *dst);
	}
}

static void *cpu_alloc(nl_backend *be, size_t bytes)
{
	(void)be;
	/* aligned_alloc wants a multiple of the alignment; 0 bytes still
	 * gets a real pointer so callers need no special case. */
	size_t rounded = (bytes + 63) / 64 * 64;
	if (rounded < bytes) {
		fprintf(stderr, "netlang: cannot allocate %zu bytes of memory on the cpu\n", bytes);
		return NULL;
	}
	if (rounded == 0)
		rounded = 64;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	void *p = fuzz_live + rounded > FUZZ_CPU_BYTES ? NULL : aligned_alloc(64, rounded);
	if (p)
		fuzz_live += malloc_usable_size(p);
#else
	void *p = aligned_alloc(64, rounded);
#endif
	if (!p) {
		fprintf(stderr, "netlang: out of memory: cannot allocate %zu bytes (%.1f MiB) on the cpu\n",
		        bytes, (double)bytes / (1024.0 * 1024.0));
		return NULL;
	}
	memset(p, 0, rounded);
	return p;
}

static void cpu_release(nl_backend *be, void *p)
{
	(void)be;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (p)
		fuzz_live -= malloc_usable_size(p);
#endif
	free(p);
}

static void cpu_memcpy(nl_backend *be, void *dst, const void *src, size_t bytes)
{
	(void)be;
	if (bytes && dst != src)
		memmove(dst, src, bytes);
}

static void cpu_fill(nl_backend *be, float *dst, float value, size_t n)
{
	(void)be;
	for (size_t i = 0; i < n; i++)
		dst[i] = value;
}

static int cpu_prepare(nl_backend *be, nl_step *s, size_t *aux_bytes,
                       size_t *workspace_bytes)
{
	(void)be;
	*aux_bytes = 0;
	*workspace_bytes = 0;
	if (!s->node) {
		fprintf(stderr, "netlang: cpu: a step without a node\n");
		return -1;
	}
	if (s->ninputs < 0 || s->ninputs > NL_MAX_INPUTS) {
		fprintf(stderr, "netlang: cpu: a step (kind %d) with %d inputs (at most %d)\n",
		        (int)s->node->kind, s->ninputs, NL_MAX_INPUTS);
		return -1;
	}
	if ((unsigned)s->node->kind >= NL_NKINDS) {
		fprintf(stderr, "netlang: cpu: unknown layer kind %d\n", (int)s->node->kind);
		return -1;
	}
	switch (s->node->kind) {
	case NL_CONV:
		return nl_cpu_conv_prepare(s, workspace_bytes);
	case NL_MAXPOOL:
		*aux_bytes = nl_cpu_maxpool_aux(s);
		break;
	case NL_DROPOUT:
		*aux_bytes = nl_cpu_dropout_aux(s);
		break;
	case NL_BATCHNORM:
		*aux_bytes = nl_cpu_batchnorm_aux(s);
		break;
	default:
		break;
	}
	return 0;
}

static void cpu_unprepare(nl_backend *be, nl_step *s)
{
	(void)be;
	if (s->node && s->node->kind == NL_CONV)
		nl_cpu_conv_unprepare(s);
}

static void cpu_sync(nl_backend *be)
{
	(void)be;
}

static double cpu_clock(nl_backend *be)
{
	(void)be;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The shared workspace is the backend's: plans come and go (the REPL makes
 * one per :train), the workspace stays as large as the largest asked for. */
static void cpu_destroy(nl_backend *be)
{
	if (be->workspace)
		cpu_release(be, be->workspace);
	free(be);
}

void nl_cpu_input_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	(void)s;
	(void)training;
}

void nl_cpu_input_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	(void)s;
}

nl_backend *nl_cpu_backend_new(int threads)
{
	nl_backend *be = calloc(1, sizeof *be);
	if (!be) {
		fprintf(stderr, "netlang: out of memory creating the cpu backend\n");
		return NULL;
	}
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int)n : 1;
	}
	/* One pool of threads: OpenMP's, for our loops and for sgemm, which
	 * gemm.c splits across it with BLAS itself on one thread (two pools
	 * that both spin-wait fight over the cores; see gemm.c). */
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	openblas_set_num_threads(1);
#endif
#ifdef _OPENMP
	omp_set_num_threads(threads);
#endif
	be->name = "cpu";
	/* Every convolution path folds a ReLU or a sigmoid after it into its
	 * output pass (conv.c); NL_CPU_FUSE=0 runs them as steps of their
	 * own, to tell a fault of the fused pass from one elsewhere. */
	const char *fuse = getenv("NL_CPU_FUSE");
	be->fuses_relu = !(fuse && strcmp(fuse, "0") == 0);
	be->fuses_sigmoid = be->fuses_relu;
	be->alloc = cpu_alloc;
	be->release = cpu_release;
	be->upload = cpu_memcpy;
	be->download = cpu_memcpy;
	be->copy = cpu_memcpy;
	be->fill = cpu_fill;
	be->prepare = cpu_prepare;
	be->unprepare = cpu_unprepare;

#define SET(kind, name) \
	be->forward[kind] = nl_cpu_##name##_forward; \
	be->backward[kind] = nl_cpu_##name##_backward;
#define NL_KIND(ID, fn, ...) SET(NL_##ID, fn)
#include "lang/kinds.def"
#undef NL_KIND
#undef SET

	be->loss = nl_cpu_loss;
	be->sgd = nl_cpu_sgd;
	be->gather = nl_cpu_gather;
	be->sync = cpu_sync;
	be->clock = cpu_clock;
	be->gemm_ceiling = nl_cpu_gemm_ceiling;
	be->destroy = cpu_destroy;
	if (nl_backend_check(be)) {
		cpu_destroy(be);
		return NULL;
	}
	return be;
}
