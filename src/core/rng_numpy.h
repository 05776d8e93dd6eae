/* The two numpy random streams that ncps's wirings draw from, reproduced bit for bit so that
 * the same seed gives the same matrices as ncps 1.0.1 (numpy >= 1.17):
 *
 *  - MT19937 as used by the legacy numpy.random.RandomState(int seed): NCP / AutoNCP.
 *    Bounded integers by masked rejection on 32-bit words.
 *  - PCG64 seeded through numpy's SeedSequence, as numpy.random.default_rng(int seed):
 *    FullyConnected / Random. Bounded integers by Lemire's multiply-shift on 32-bit words.
 *
 * Written from the algorithm descriptions (spec/liquid-math.md section 2, the PCG and
 * SeedSequence papers); no numpy code. Internal to liquid-edge (not installed).
 */
#ifndef LLN_RNG_NUMPY_H
#define LLN_RNG_NUMPY_H

#include <stdint.h>

#include "lln/status.h"

/* ---- MT19937, legacy RandomState -------------------------------------------------- */

#define LLN_MT_N 624

typedef struct lln_mt19937 {
    uint32_t mt[LLN_MT_N];
    int idx; /* next word of mt to temper; LLN_MT_N = regenerate first */
} lln_mt19937_t;

/** RandomState(seed) for an integer seed < 2^32 (the classic init_genrand routine). */
void lln__mt_seed(lln_mt19937_t *r, uint32_t seed);
uint32_t lln__mt_next32(lln_mt19937_t *r);
/** Uniform in [0, max] by masked rejection; max == 0 returns 0 without drawing. */
uint32_t lln__mt_interval(lln_mt19937_t *r, uint32_t max);
/** RandomState.permutation(n) as done inside choice(replace=False): perm[0..n-1] = 0..n-1,
 *  then Fisher-Yates from the top index down to 1. */
void lln__mt_permutation(lln_mt19937_t *r, int n, int *perm);

/* ---- PCG64 + SeedSequence, numpy Generator ------------------------------------------ */

typedef struct lln_pcg64 {
    uint64_t state_hi, state_lo; /* 128-bit LCG state */
    uint64_t inc_hi, inc_lo;     /* 128-bit odd increment */
    int has_half;                /* a high 32-bit half is buffered */
    uint32_t half;
} lln_pcg64_t;

/** SeedSequence(seed).generate_state(n, uint32) for a non-negative integer seed. */
void lln__seedseq_generate(unsigned long long seed, uint32_t *out, int n);
/** default_rng(seed)'s bit generator. */
void lln__pcg64_seed(lln_pcg64_t *r, unsigned long long seed);
uint64_t lln__pcg64_next64(lln_pcg64_t *r);
/** numpy hands out the low 32 bits of a 64-bit output first, then the high 32 bits. */
uint32_t lln__pcg64_next32(lln_pcg64_t *r);
/** Uniform in [0, max] (numpy's bounded integer for 32-bit ranges, Lemire's method);
 *  max == 0 returns 0 without drawing. */
uint32_t lln__pcg64_interval(lln_pcg64_t *r, uint32_t max);
/** Generator.choice(pop, size, replace=False, shuffle=True) as indices into out[0..size-1].
 *  Requires size <= pop <= 2^32. LLN_E_NOMEM if its scratch cannot be allocated. */
lln_status_t lln__pcg64_choice_distinct(lln_pcg64_t *r, uint64_t pop, uint64_t size, uint32_t *out);

#endif
