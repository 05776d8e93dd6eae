/* splitmix64 for the robot tasks: integer-only draws, so a seed gives the same stream on
 * every machine. */
#include "robots.h"

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rb_rng_seed(rb_rng_t *r, uint64_t seed, uint64_t stream)
{
    r->s = mix(mix(seed) ^ mix(stream * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull));
}

uint64_t rb_rng_next(rb_rng_t *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rb_uniform(rb_rng_t *r) { return (double)(rb_rng_next(r) >> 11) * 0x1p-53; }

double rb_range(rb_rng_t *r, double lo, double hi) { return lo + (hi - lo) * rb_uniform(r); }

double rb_noise(rb_rng_t *r)
{
    return (rb_uniform(r) + rb_uniform(r) + rb_uniform(r) + rb_uniform(r) - 2.0) *
           1.7320508075688772;
}

long rb_below(rb_rng_t *r, long n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)n, v;
    do
        v = rb_rng_next(r);
    while (v >= lim);
    return (long)(v % (uint64_t)n);
}
