/* The seeded generator of splits and shuffles: splitmix64 (Steele, Lea, Flood 2014), integer
 * arithmetic only, so a seed means the same order on every machine and compiler. */
#include "lln/util.h"

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void lln_rng_seed(lln_rng_t *r, uint64_t seed, uint64_t stream)
{
    r->s = mix(mix(seed) ^ (stream * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull));
}

uint64_t lln_rng_next(lln_rng_t *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return mix(r->s);
}

uint64_t lln_rng_below(lln_rng_t *r, uint64_t n)
{
    /* reject the top (2^64 mod n) values so every residue is equally likely */
    uint64_t limit = (0 - n) % n;
    for (;;) {
        uint64_t x = lln_rng_next(r);
        if (x >= limit)
            return x % n;
    }
}
