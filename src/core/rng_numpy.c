/* numpy-compatible MT19937 (legacy RandomState) and PCG64 (Generator) streams.
 * See rng_numpy.h for what each function reproduces. 128-bit PCG arithmetic is done on
 * 64-bit halves so the file stays strict C99 (no __int128). */
#include "rng_numpy.h"
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- MT19937 ---------------------------------------------------------------------- */

#define MT_M 397
#define MT_MATRIX_A 0x9908B0DFu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7FFFFFFFu

void lln__mt_seed(lln_mt19937_t *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (int i = 1; i < LLN_MT_N; i++) {
        uint32_t prev = r->mt[i - 1];
        r->mt[i] = 1812433253u * (prev ^ (prev >> 30)) + (uint32_t)i;
    }
    r->idx = LLN_MT_N;
}

static void mt_twist(lln_mt19937_t *r)
{
    uint32_t *mt = r->mt;
    for (int i = 0; i < LLN_MT_N; i++) {
        uint32_t y = (mt[i] & MT_UPPER) | (mt[(i + 1) % LLN_MT_N] & MT_LOWER);
        uint32_t v = mt[(i + MT_M) % LLN_MT_N] ^ (y >> 1);
        mt[i] = (y & 1u) ? v ^ MT_MATRIX_A : v;
    }
    r->idx = 0;
}

uint32_t lln__mt_next32(lln_mt19937_t *r)
{
    if (r->idx >= LLN_MT_N)
        mt_twist(r);
    uint32_t y = r->mt[r->idx++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
}

/* Smallest all-ones bit pattern >= v. */
static uint64_t mask_cover(uint64_t v)
{
    for (int s = 1; s < 64; s *= 2)
        v |= v >> s;
    return v;
}

uint32_t lln__mt_interval(lln_mt19937_t *r, uint32_t max)
{
    if (max == 0)
        return 0; /* numpy consumes nothing for a one-element range */
    uint32_t mask = (uint32_t)mask_cover(max);
    uint32_t v;
    do {
        v = lln__mt_next32(r) & mask;
    } while (v > max);
    return v;
}

void lln__mt_permutation(lln_mt19937_t *r, int n, int *perm)
{
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i >= 1; i--) {
        int j = (int)lln__mt_interval(r, (uint32_t)i);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* ---- SeedSequence ----------------------------------------------------------------- */

#define SS_POOL 4
#define SS_INIT_A 0x43B0D7E5u
#define SS_MULT_A 0x931E8875u
#define SS_INIT_B 0x8B51F9DDu
#define SS_MULT_B 0x58F38DEDu
#define SS_MIX_L 0xCA01F9DDu
#define SS_MIX_R 0x4973F715u

static uint32_t ss_hashmix(uint32_t v, uint32_t *hash_const)
{
    v ^= *hash_const;
    *hash_const *= SS_MULT_A;
    v *= *hash_const;
    return v ^ (v >> 16);
}

static uint32_t ss_mix(uint32_t x, uint32_t y)
{
    uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
    return r ^ (r >> 16);
}

/* Mixes the seed's 32-bit little-endian words (1 or 2 for a 64-bit seed) into the pool. */
static void ss_fill_pool(unsigned long long seed, uint32_t pool[SS_POOL])
{
    uint32_t words[2];
    int nwords = 0;
    do {
        words[nwords++] = (uint32_t)(seed & 0xFFFFFFFFu);
        seed >>= 32;
    } while (seed != 0 && nwords < 2);
    uint32_t hc = SS_INIT_A;
    for (int i = 0; i < SS_POOL; i++)
        pool[i] = ss_hashmix(i < nwords ? words[i] : 0u, &hc);
    for (int s = 0; s < SS_POOL; s++)
        for (int d = 0; d < SS_POOL; d++)
            if (s != d)
                pool[d] = ss_mix(pool[d], ss_hashmix(pool[s], &hc));
    /* A 64-bit seed never has more words than the pool, so nothing is left to mix in. */
}

void lln__seedseq_generate(unsigned long long seed, uint32_t *out, int n)
{
    uint32_t pool[SS_POOL];
    ss_fill_pool(seed, pool);
    uint32_t hc = SS_INIT_B;
    for (int i = 0; i < n; i++) {
        uint32_t v = pool[i % SS_POOL] ^ hc;
        hc *= SS_MULT_B;
        v *= hc;
        out[i] = v ^ (v >> 16);
    }
}

/* ---- PCG64 (XSL-RR 128/64) -------------------------------------------------------- */

#define PCG_MULT_HI 0x2360ED051FC65DA4ull /* 2549297995355413924 */
#define PCG_MULT_LO 0x4385DF649FCCF645ull /* 4865540595714422341 */

/* Full 64x64 -> 128-bit product. */
static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32;
    uint64_t b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* state = state * MULT + inc (mod 2^128) */
static void pcg_step(lln_pcg64_t *r)
{
    uint64_t hi, lo;
    mul64(r->state_lo, PCG_MULT_LO, &hi, &lo);
    hi += r->state_hi * PCG_MULT_LO + r->state_lo * PCG_MULT_HI;
    uint64_t nlo = lo + r->inc_lo;
    r->state_hi = hi + r->inc_hi + (nlo < lo ? 1u : 0u);
    r->state_lo = nlo;
}

void lln__pcg64_seed(lln_pcg64_t *r, unsigned long long seed)
{
    uint32_t s[8];
    uint64_t u[4];
    lln__seedseq_generate(seed, s, 8);
    for (int i = 0; i < 4; i++) /* generate_state(4, uint64) = little-endian word pairs */
        u[i] = (uint64_t)s[2 * (size_t)i] | ((uint64_t)s[2 * (size_t)i + 1] << 32);
    /* PCG's srandom: initstate = u0:u1, initseq = u2:u3, inc = initseq << 1 | 1 */
    r->inc_hi = (u[2] << 1) | (u[3] >> 63);
    r->inc_lo = (u[3] << 1) | 1u;
    r->state_hi = 0;
    r->state_lo = 0;
    pcg_step(r);
    uint64_t lo = r->state_lo + u[1];
    r->state_hi += u[0] + (lo < u[1] ? 1u : 0u);
    r->state_lo = lo;
    pcg_step(r);
    r->has_half = 0;
    r->half = 0;
}

uint64_t lln__pcg64_next64(lln_pcg64_t *r)
{
    pcg_step(r);
    uint64_t x = r->state_hi ^ r->state_lo;
    unsigned rot = (unsigned)(r->state_hi >> 58);
    return (x >> rot) | (x << ((64u - rot) & 63u));
}

uint32_t lln__pcg64_next32(lln_pcg64_t *r)
{
    if (r->has_half) {
        r->has_half = 0;
        return r->half;
    }
    uint64_t v = lln__pcg64_next64(r);
    r->has_half = 1;
    r->half = (uint32_t)(v >> 32);
    return (uint32_t)(v & 0xFFFFFFFFu);
}

uint32_t lln__pcg64_interval(lln_pcg64_t *r, uint32_t max)
{
    if (max == 0)
        return 0;
    if (max == UINT32_MAX)
        return lln__pcg64_next32(r);
    uint32_t range = max + 1u;
    uint64_t m = (uint64_t)lln__pcg64_next32(r) * range;
    uint32_t left = (uint32_t)m;
    if (left < range) { /* range bounds the threshold: only then can we be in the biased zone */
        uint32_t threshold = (UINT32_MAX - max) % range; /* = 2^32 mod range */
        while (left < threshold) {
            m = (uint64_t)lln__pcg64_next32(r) * range;
            left = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* ---- Generator.choice(replace=False) ---------------------------------------------- */

/* Fisher-Yates over data[first..n-1], top index down (numpy's _shuffle_int). */
static void shuffle_tail(lln_pcg64_t *r, uint64_t n, uint64_t first, uint32_t *data)
{
    for (uint64_t i = n; i-- > first;) {
        uint32_t j = lln__pcg64_interval(r, (uint32_t)i);
        uint32_t t = data[j];
        data[j] = data[i];
        data[i] = t;
    }
}

#define SET_EMPTY UINT64_MAX

/* Inserts v into the linear-probing set unless present; returns 1 if it was inserted. */
static int set_insert(uint64_t *set, uint64_t mask, uint64_t v)
{
    uint64_t loc = v & mask;
    while (set[loc] != SET_EMPTY && set[loc] != v)
        loc = (loc + 1) & mask;
    if (set[loc] == v)
        return 0;
    set[loc] = v;
    return 1;
}

/* Floyd's sampling: for j = pop-size .. pop-1 take a uniform value in [0, j], or j itself
 * when that value was already taken; then shuffle, since Floyd's order is not uniform. */
static lln_status_t choice_floyd(lln_pcg64_t *r, uint64_t pop, uint64_t size, uint32_t *out)
{
    uint64_t mask = mask_cover((uint64_t)(1.2 * (double)size));
    uint64_t *set = NULL;
    if (mask < SIZE_MAX / sizeof *set) /* (mask + 1) * 8 bytes fits in size_t */
        set = lln__malloc((size_t)(mask + 1) * sizeof *set);
    if (set == NULL)
        return LLN_E_NOMEM;
    memset(set, 0xFF, (size_t)(mask + 1) * sizeof *set); /* every slot SET_EMPTY */
    for (uint64_t j = pop - size; j < pop; j++) {
        uint64_t v = lln__pcg64_interval(r, (uint32_t)j);
        if (!set_insert(set, mask, v)) {
            v = j; /* j is new: every earlier value is < j */
            (void)set_insert(set, mask, v);
        }
        out[j - (pop - size)] = (uint32_t)v;
    }
    lln__free(set);
    shuffle_tail(r, size, 1, out);
    return LLN_OK;
}

/* Large draws from a large population: shuffle the top `size` slots of 0..pop-1. */
static lln_status_t choice_tail(lln_pcg64_t *r, uint64_t pop, uint64_t size, uint32_t *out)
{
    uint32_t *idx = NULL;
    if (pop <= SIZE_MAX / sizeof *idx)
        idx = lln__malloc((size_t)pop * sizeof *idx);
    if (idx == NULL)
        return LLN_E_NOMEM;
    for (uint64_t i = 0; i < pop; i++)
        idx[i] = (uint32_t)i;
    shuffle_tail(r, pop, pop - size > 1 ? pop - size : 1, idx);
    memcpy(out, idx + (pop - size), (size_t)size * sizeof *out);
    lln__free(idx);
    return LLN_OK;
}

lln_status_t lln__pcg64_choice_distinct(lln_pcg64_t *r, uint64_t pop, uint64_t size, uint32_t *out)
{
    if (size > pop || pop > ((uint64_t)1 << 32))
        return LLN_E_RANGE;
    /* numpy's heuristic cut-off between the two methods (for shuffle=True). */
    if (pop > 10000 && size > pop / 50)
        return choice_tail(r, pop, size, out);
    return choice_floyd(r, pop, size, out);
}
