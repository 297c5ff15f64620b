/* rng.h - counter-based random numbers shared by the CPU and the GPU.
 *
 * Dropout masks must be the same on every backend so that the GPU can be
 * checked against the CPU step for step; a stateless hash of (key, index)
 * gives that, and lets a GPU thread draw its own number without a state.
 * splitmix64's finaliser is a good enough mixer for masks and init.
 */
#ifndef NL_RNG_H
#define NL_RNG_H

#include <stdint.h>

#if defined(__CUDACC__)
#define NL_HD __host__ __device__ __forceinline__
#else
#define NL_HD static inline
#endif

NL_HD uint64_t nl_rng_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform float in [0, 1) with 24 random bits, for element i under key. */
NL_HD float nl_rng_uniform(uint64_t key, uint64_t i)
{
	uint64_t z = nl_rng_mix(key ^ nl_rng_mix(i));
	return (float)(z >> 40) * (1.0f / 16777216.0f);
}

/* A sequential generator for the host (weight init, shuffling). */
typedef struct nl_rng { uint64_t s; } nl_rng;

static inline uint64_t nl_rng_next(nl_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	uint64_t z = r->s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform double in [0, 1). */
static inline double nl_rng_double(nl_rng *r)
{
	return (double)(nl_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [0, n), n > 0, without modulo bias worth caring about
 * for n < 2^32. */
static inline uint32_t nl_rng_below(nl_rng *r, uint32_t n)
{
	return (uint32_t)(((nl_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
