/* blas_core.c - making sure OpenBLAS runs the kernels this CPU can run.
 *
 * A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels by the CPU's model
 * number when it is loaded, before main.  A model newer than the library
 * (Intel's Emerald Rapids, family 6 model 207, under Debian 12's 0.3.21)
 * is not in its table, and it falls back to the Prescott kernels: SSE3,
 * a quarter of what an AVX-512 core does.  Every sgemm netlang leaves to
 * OpenBLAS (fully connected layers, the im2col convolutions) then ran
 * about twice as slowly as the machine allows, with nothing to tell.
 *
 * The choice can only be changed before the library loads, through
 * OPENBLAS_CORETYPE.  So when OpenBLAS reports one of its pre-AVX2 cores
 * on a CPU that has AVX2 and FMA (or AVX-512), netlang sets that variable
 * to the kernels the CPU can run and executes itself again, once: on the
 * second start the variable is set and nothing is done.  A value the user
 * set is always left alone.
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>

#include "runtime/backend.h"

/* OpenBLAS's names for cores without AVX2 (kernel/setparam tables). */
static int pre_avx2(const char *core)
{
	static const char *const old[] = {
		"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge",
		"Atom", "Katmai", "Coppermine", "Northwood", "Banias", "Unknown", NULL,
	};
	for (int i = 0; old[i]; i++)
		if (strcasecmp(core, old[i]) == 0)
			return 1;
	return 0;
}

/* The kernels this CPU can run, best first; NULL when none is better
 * than a pre-AVX2 core.  (The compiler's checks include the OS's support
 * for the wide registers.) */
static const char *best_core(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512cd"))
		return "SkylakeX";
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return "Haswell";
#endif
	return NULL;
}

const char *nl_cpu_blas_core(void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
	return openblas_get_corename();
#else
	return NULL;
#endif
}

void nl_cpu_blas_check(char **argv)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
	const char *core = openblas_get_corename();
	const char *want = best_core();
	if (getenv("OPENBLAS_CORETYPE") || !core || !want || !pre_avx2(core))
		return;
	/* The program's own path, not /proc/self/exe itself: under valgrind
	 * the latter is the tool, the former (as valgrind reports it) ours. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	if (setenv("OPENBLAS_CORETYPE", want, 1) != 0)
		return;
	execv(exe, argv);
	unsetenv("OPENBLAS_CORETYPE");   /* could not: go on as we are */
#else
	(void)argv;
#endif
}
