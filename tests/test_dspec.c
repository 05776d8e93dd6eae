/* The dense CfC step for DSP cores (runtime/lln_rtq_spec.h, LLN_RTQ_DSPEC; written by
 * src/deploy/export_q_dspec.c): its branch-free table nonlinearities equal the runtime's
 * lln_fx__tanh_fast32 and lln_fx__sigmoid8_32 for every int16 input, and its gate on the
 * blocks' fused values (c + floor(p / 2^32), c = 2^(k-1) + bias 2^k) equals the generic
 * requantisation followed by lln_rtq__cfc_gate on random values of every range, in both gated
 * modes. (Its assembly kernels run only on the Arm targets: `lln verify` compares them with the
 * host bit for bit, tests/cli_verify.sh and the hwsim stage.) */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "deploy/export_q.h"
#include "lln/util.h"
#include "../runtime/lln_fx.h"
#include "../runtime/lln_rtq_spec.h"

static void test_tables(const int32_t *tb, const int16_t *td, const int32_t *sb, const int16_t *sd)
{
    int bad_t = 0, bad_s = 0;
    for (int32_t x = INT16_MIN; x <= INT16_MAX; x++) {
        bad_t += lln_rtq__ds_tanh(tb, td, x) != lln_fx__tanh_fast32(x);
        bad_s += lln_rtq__ds_sig(sb, sd, x) != lln_fx__sigmoid8_32(x);
    }
    CHECK_EQ_INT(bad_t, 0);
    CHECK_EQ_INT(bad_s, 0);
    printf("tables: tanh and sigmoid equal the runtime's on all 65536 inputs (%d, %d differ)\n",
           bad_t, bad_s);
}

static void test_gate(const int32_t *sb, const int16_t *sd)
{
    lln_rng_t rng = {0x243F6A8885A308D3u};
    int bad = 0, n = 0;
    for (int i = 0; i < 400000; i++) {
        uint64_t r = lln_rng_next(&rng);
        int k = 1 + (int)(r % 20), mode = (int)((r >> 8) % 2), h_frac = 10 + (int)((r >> 12) % 6);
        int t_frac = -3 + (int)((r >> 16) % 16), dt_frac = 16 + (int)((r >> 20) % 10);
        int32_t dt = 1 + (int32_t)((r >> 24) % (1u << (dt_frac + 1)));
        lln_rtq__tgate_t tg = lln_rtq__tgate_prep(t_frac, dt_frac);
        int32_t hi[4], c[4], v[4], f[4];
        for (int g = 0; g < 4; g++) {
            uint64_t q = lln_rng_next(&rng);
            int bits = (int)(q % 31); /* |hi| < 2^29, of every magnitude */
            hi[g] = (int32_t)((q >> 8) % (1u << bits)) * ((q >> 40) % 2 ? -1 : 1);
            int32_t bias = (int32_t)((q >> 41) % 65536) - 32768;
            bias = k > 14 ? bias / (1 << (k - 14)) : bias; /* |c| stays below 2^30 */
            c[g] = (1 << (k - 1)) + bias * (1 << k);
            v[g] = hi[g] + c[g];
            /* the generic heads: sat16(rq(p) + bias), rq on the high word */
            f[g] = lln_rtq__sat(((hi[g] + (1 << (k - 1))) >> k) + bias);
        }
        int16_t want = lln_rtq__cfc_gate(f[0], f[1], f[2], f[3], dt, tg, mode, h_frac);
        int16_t got = lln_rtq__ds_gate(v[0], v[1], v[2], v[3], k, sb, sd, dt, tg, mode, h_frac);
        bad += got != want;
        n++;
    }
    CHECK_EQ_INT(bad, 0);
    printf("gate: %d of %d random neurons differ from the generic gate\n", bad, n);
}

int main(void)
{
    static int32_t tb[256], sb[128];
    static int16_t td[256], sd[128];
    lln__dspec_tables(tb, td, sb, sd);
    test_tables(tb, td, sb, sd);
    test_gate(sb, sd);
    return check_done("test_dspec");
}
