/* isa.c - which vector instructions the CPU backend's own kernels use.
 *
 * The build targets plain x86-64, so the kernels that need wide vectors
 * (Winograd's transforms and products) are compiled once per instruction
 * set and picked here at run time: AVX-512 when the CPU has it, else AVX2
 * with FMA, else portable C.  NL_CPU_ISA=avx512|avx2|generic in the
 * environment asks for one (a CPU without it gets the best it has, with a
 * note), so each path can be run and compared on one machine.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu/cpu.h"

static int chosen = -1;

static const char *const names[] = { "generic", "avx2", "avx512" };

const char *nl_cpu_isa_name(int isa)
{
	return isa >= 0 && isa <= NL_ISA_AVX512 ? names[isa] : "unknown";
}

int nl_cpu_isa_supported(int isa)
{
	switch (isa) {
	case NL_ISA_GENERIC:
		return 1;
#if defined(__x86_64__) && defined(__GNUC__)
	case NL_ISA_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	case NL_ISA_AVX512:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx512f");
#endif
	default:
		return 0;
	}
}

static int best(void)
{
	for (int isa = NL_ISA_AVX512; isa > NL_ISA_GENERIC; isa--)
		if (nl_cpu_isa_supported(isa))
			return isa;
	return NL_ISA_GENERIC;
}

int nl_cpu_isa(void)
{
	if (chosen >= 0)
		return chosen;
	int isa = best();
	const char *want = getenv("NL_CPU_ISA");
	if (want && *want) {
		int w = -1;
		for (int i = 0; i <= NL_ISA_AVX512; i++)
			if (strcmp(want, names[i]) == 0)
				w = i;
		if (w < 0)
			fprintf(stderr, "netlang: NL_CPU_ISA=%s is not one of generic, avx2, avx512; "
			        "using %s\n", want, names[isa]);
		else if (!nl_cpu_isa_supported(w))
			fprintf(stderr, "netlang: NL_CPU_ISA=%s: this CPU lacks it; using %s\n",
			        want, names[isa]);
		else
			isa = w;
	}
	chosen = isa;
	return chosen;
}

int nl_cpu_isa_set(int isa)
{
	if (!nl_cpu_isa_supported(isa))
		return -1;
	chosen = isa;
	return 0;
}
