/* selftest.c - the program sim/selftest.sh builds for the host and for every
 * target: a Q15 dot product (int16 x int16 -> int32) over a const table, called
 * 4 times between lln_prof_begin/lln_prof_end, then a checksum printed in hex,
 * which must be the same everywhere.  A small float sum (exact in binary32 on
 * every target) exercises the FPU and its enabling in the start-up code; it runs
 * outside the measured regions.
 *   -DSELFTEST_EXIT=N   return N instead of 0 (checks the exit status path)
 *   -DSELFTEST_FAULT    execute an undefined instruction (checks the fault path) */
#include <stdint.h>
#include <stdio.h>

#include "lln_prof.h"

#define TAPS 32
#define CALLS 4

/* Low-pass FIR taps in Q15.  The sum of |coef| is below 2^15, so a sum of TAPS
 * Q15 x Q15 products stays within int32 (|acc| < 2^30) for any input. */
static const int16_t coef[TAPS] = {-16,  -23,  -22,  -5,   32,   85,   142,  183,  187,  133,  9,
                                   -181, -400, -579, -618, -403, 104,  853,  1714, 2518, 3087, 3281,
                                   3087, 2518, 1714, 853,  104,  -403, -618, -579, -400, -181};

static int16_t signal[TAPS + CALLS];

static int16_t sat_q15(int32_t v)
{
    if (v > INT16_MAX)
        return INT16_MAX;
    if (v < INT16_MIN)
        return INT16_MIN;
    return (int16_t)v;
}

/* y = sat16(round(sum w[i] * x[i] / 2^15)).  Right shift of a negative int32 is
 * arithmetic on every compiler we use (implementation-defined in C99). */
__attribute__((noinline)) static int16_t dot_q15(const int16_t *w, const int16_t *x, int n)
{
    int32_t acc = 1 << 14; /* rounding */
    for (int i = 0; i < n; ++i)
        acc += (int32_t)w[i] * x[i];
    return sat_q15(acc >> 15);
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    /* FNV-1a over the 4 bytes of v */
    for (int i = 0; i < 4; ++i) {
        h ^= (v >> (8 * i)) & 0xFFu;
        h *= 16777619u;
    }
    return h;
}

int main(void)
{
    uint32_t seed = 12345u;
    for (int i = 0; i < TAPS + CALLS; ++i) {
        seed = seed * 1664525u + 1013904223u;
        signal[i] = (int16_t)(uint16_t)(seed >> 16);
    }

    int16_t y[CALLS];
    for (int k = 0; k < CALLS; ++k) {
        lln_prof_begin();
        y[k] = dot_q15(coef, &signal[k], TAPS);
        lln_prof_end();
    }

    /* |coef/256| <= 12 and |x/256| <= 128: every product and partial sum is an
     * integer below 2^24, so exact in float on every target. */
    float fsum = 0.0f;
    for (int i = 0; i < TAPS; ++i)
        fsum += (float)(coef[i] / 256) * (float)(signal[i] / 256);

    uint32_t h = 2166136261u;
    for (int k = 0; k < CALLS; ++k)
        h = mix(h, (uint32_t)(int32_t)y[k]);
    h = mix(h, (uint32_t)(int32_t)fsum);
    printf("selftest: y=%d,%d,%d,%d checksum=0x%08lx\n", y[0], y[1], y[2], y[3], (unsigned long)h);

#if defined(SELFTEST_FAULT)
    __builtin_trap();
#endif
#if defined(SELFTEST_EXIT)
    return SELFTEST_EXIT;
#else
    return 0;
#endif
}
