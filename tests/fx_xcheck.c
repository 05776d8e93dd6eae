/* Cross-target check of runtime/lln_fx.c (built by tests/cli_fx_dsp.sh for the host and for
 * emulated microcontrollers): prints FNV-1a checksums of every function over fixed
 * pseudo-random and exhaustive inputs, so the host's lines and a target's can be compared,
 * and compares the dot product (SMLAD on DSP cores) with the plain C reference on the same
 * target, including rows long enough to wrap the accumulator. Exit status: the number of
 * dot-product mismatches (0 = bit-identical). */
#include <stdio.h>
#include <stdint.h>

#include "lln_fx.h"

static uint32_t rng = 2463534242u;

static uint32_t xorshift32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A random int32 below 2^(32 - k) in magnitude, either sign (no shift of a negative value). */
static int32_t rnd_signed(int k)
{
    uint32_t r = xorshift32() >> k;
    int32_t m = (int32_t)(r >> 1);
    return (r & 1u) ? -m - 1 : m;
}

static uint32_t fnv(uint32_t h, int32_t v)
{
    uint32_t u = (uint32_t)v;
    int i;
    for (i = 0; i < 4; i++) {
        h ^= (u >> (8 * i)) & 0xFFu;
        h *= 16777619u;
    }
    return h;
}

#define FNV0 2166136261u
#define MAXN 1100

static int8_t w[MAXN + 4];
static int16_t x[MAXN + 4];

int main(void)
{
    uint32_t h_ref = FNV0, h_dsp = FNV0, h_sig = FNV0, h_tanh = FNV0, h_exp = FNV0;
    uint32_t h_rq = FNV0, h_div = FNV0, h_sat = FNV0;
    int32_t v;
    int trial, i, mismatches = 0, wrapped = 0;

#if defined(__ARM_FEATURE_DSP)
    printf("dsp=1\n");
#else
    printf("dsp=0\n");
#endif
    for (trial = 0; trial < 600; trial++) {
        int n = trial < 595 ? (int)(xorshift32() % 520u) : MAXN - trial % 5;
        int off = (int)(xorshift32() % 4u), mode = trial % 3;
        int32_t a, b;
        int64_t exact;
        for (i = 0; i < n + off; i++) {
            uint32_t r = xorshift32();
            w[i] = (int8_t)(r >> 24);
            x[i] = (int16_t)(r & 0xFFFFu);
            if ((mode == 2 && (r & 4u)) || trial >= 595) {
                w[i] = INT8_MIN; /* the last 5 rows: n * 2^22 >= 2^31, they wrap */
                x[i] = INT16_MIN;
            } else if (mode == 1) { /* the largest products */
                w[i] = (r & 1u) ? INT8_MIN : INT8_MAX;
                x[i] = (r & 2u) ? INT16_MIN : INT16_MAX;
            }
        }
        for (exact = 0, i = 0; i < n; i++)
            exact += (int64_t)w[off + i] * x[off + i];
        wrapped += exact > INT32_MAX || exact < INT32_MIN;
        a = lln_fx_dot_s8_s16_ref(w + off, x + off, n);
        b = lln_fx_dot_s8_s16(w + off, x + off, n);
        {
            /* the interleaved layouts: one row, and two rows sharing x (rows w and w + 1) */
            int32_t c = lln_fx_dot_s8i_s16(w + off, x + off, n), d0, d1;
            int32_t e = lln_fx_dot_s8i_s16_ref(w + off, x + off, n);
            lln_fx_dot2_s8i_s16(w + off, w + off + 1, x + off, n - 1 > 0 ? n - 1 : 0, &d0, &d1);
            if (c != e || d0 != lln_fx_dot_s8i_s16_ref(w + off, x + off, n - 1 > 0 ? n - 1 : 0) ||
                d1 != lln_fx_dot_s8i_s16_ref(w + off + 1, x + off, n - 1 > 0 ? n - 1 : 0)) {
                if (mismatches < 5)
                    printf("MISMATCH (interleaved) n=%d off=%d\n", n, off);
                mismatches++;
            }
            h_dsp = fnv(fnv(fnv(h_dsp, c), d0), d1);
        }
        if (a != b) {
            if (mismatches < 5)
                printf("MISMATCH n=%d off=%d: ref %ld dsp %ld\n", n, off, (long)a, (long)b);
            mismatches++;
        }
        h_ref = fnv(h_ref, a);
        h_dsp = fnv(h_dsp, b);
    }
    for (v = -32768; v <= 32767; v++) {
        h_sig = fnv(h_sig, lln_fx_sigmoid((int16_t)v));
        h_tanh = fnv(h_tanh, lln_fx_tanh((int16_t)v));
        h_exp = fnv(h_exp, lln_fx_exp_neg((int16_t)v));
        h_sig = fnv(h_sig, lln_fx_sigmoid_lut((int16_t)v));
        h_tanh = fnv(h_tanh, lln_fx_tanh_fast((int16_t)v));
    }
    for (i = 0; i < 20000; i++) {
        int32_t p = rnd_signed(i % 31), q = rnd_signed(i % 29);
        int s = (int)(xorshift32() % 63u) - 31;
        if (i % 4 == 1)
            q = (int32_t)(xorshift32() % 1000u) + 1;
        h_rq = fnv(h_rq, lln_fx_requant(p, q, s));
        h_rq = fnv(h_rq, lln_fx_mulshift(p, q, s + 31));
        h_div = fnv(h_div, lln_fx_div_q(p, q, s + 31));
        h_sat = fnv(h_sat, lln_fx_rshift_round(p, s + 31));
        h_sat = fnv(h_sat, lln_fx_add16((int16_t)(p % 32768), (int16_t)(q % 32768)));
        h_sat = fnv(h_sat, lln_fx_sub16((int16_t)(q % 32768), (int16_t)(p % 32768)));
        h_sat = fnv(h_sat, lln_fx_sat16(p));
    }
    printf("dot_ref %08lx\n", (unsigned long)h_ref);
    printf("dot_dsp %08lx (with the interleaved dots)\n", (unsigned long)h_dsp);
    printf("dot_mismatches %d (rows whose sum wraps int32: %d)\n", mismatches, wrapped);
    printf("sigmoid %08lx\n", (unsigned long)h_sig);
    printf("tanh %08lx\n", (unsigned long)h_tanh);
    printf("exp_neg %08lx\n", (unsigned long)h_exp);
    printf("requant %08lx\n", (unsigned long)h_rq);
    printf("div_q %08lx\n", (unsigned long)h_div);
    printf("sat_shift %08lx\n", (unsigned long)h_sat);
    return mismatches;
}
