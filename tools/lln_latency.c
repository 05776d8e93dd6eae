/* lln_latency: the latency floor of the two small sparse models at batch 1 (docs/PERFORMANCE.md,
 * "Is a latency bound the binding limit of the small streaming models?").
 *
 *   lln_latency          measures this machine and prints the floors next to the limits
 *
 * At batch 1 a step is a chain of dependent operations, and keeping every sum in the order the
 * batched paths (and ncps) use fixes that chain: a destination's synapse terms are added one
 * after the other. The tool measures, on the build's vector type (AVX-512 in a LLN_NATIVE
 * build on this machine), the latency of the operations of that chain as dependent chains of
 * one operation each (best of several trials, in cycles of the clock bench_common.h measures):
 * a fused multiply-add, a division, the kernels' LTC synapse sigmoid 1 / (1 + exp(a v + b)),
 * the vector tanh and (AVX-512) the register lookup of the one-sample LTC step. From the
 * prepared models (bench/anchor_models.h) it takes what the chain depends on:
 *   LTC AutoNCP(19, 4): per unfold, lookup + sigmoid + lookup + (largest fan-in) FMAs +
 *     division, K unfolds; plus the sensory pass (lookup + sigmoid + lookup + largest
 *     sensory fan-in FMAs);
 *   wired CfC AutoNCP(19, 4): per layer, its F = in + hidden inputs' FMAs (one accumulator
 *     chain per head output, inputs in ascending order), then the gate: an FMA, the sigmoid (or
 *     tanh, the same length), a subtraction, a multiply and an FMA (counted as 4 FMAs).
 * The floor is a lower bound for any schedule of these operations in this order; the printed
 * limit is bench_speed's (FLOP at the FMA peak or the weights from cache). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mathfn.h"
#include "core/model_internal.h"
#include "../bench/anchor_models.h"
#include "../bench/bench_common.h"

#ifndef LLN_VF_LANES
int main(void)
{
    puts("lln_latency: this build has no vector intrinsics (mathfn.h): nothing to measure");
    return 77;
}
#else

enum { CHAIN = 20000, TRIALS = 15 };

typedef enum { OP_FMA, OP_DIV, OP_SIG, OP_TANH, OP_LOOKUP } op_t;

/* Seconds per operation of a dependent chain of CHAIN operations of kind op (best trial). */
static double chain(op_t op)
{
    float init[LLN_VF_LANES];
    for (int l = 0; l < LLN_VF_LANES; l++)
        init[l] = 0.25f + 0.01f * (float)l;
    lln_vf one = lln_vf_set1(1.0f), a = lln_vf_set1(-1.0f), b = lln_vf_set1(0.0f);
    lln_vf c = lln_vf_set1(1.0000001f), half = lln_vf_set1(0.5f);
    double best = 1e30;
    for (int t = 0; t < TRIALS; t++) {
        lln_vf x = lln_vf_load(init);
        double t0 = lln_bench_now();
        for (int i = 0; i < CHAIN; i++) {
            switch (op) {
            case OP_FMA: x = lln_vf_fma(x, one, b); break;
            case OP_DIV: x = lln_vf_div(x, c); break;
            case OP_SIG: /* the kernels' K_VSIG form (kernels_f32.c) */
                x = lln_vf_div(one, lln_vf_add(one, lln_vf_exp(lln_vf_fma(a, x, b))));
                break;
            case OP_TANH: x = lln_vf_fma(lln_vf_tanh(x), half, b); break; /* tanh + one FMA */
            default:
#if defined(__AVX512F__)
                x = _mm512_permutex2var_ps(x, _mm512_set1_epi32(1), x);
#endif
                break;
            }
        }
        double dt = lln_bench_now() - t0;
        float out[LLN_VF_LANES];
        lln_vf_store(out, x);
        if (out[0] == 12345.0f) /* never: keeps the chain */
            puts("");
        best = dt / CHAIN < best ? dt / CHAIN : best;
    }
    return best;
}

int main(void)
{
    lln_machine_t mc;
    lln_machine_measure(&mc);
    double cyc = 1.0 / mc.hz;
    double fma = chain(OP_FMA) / cyc, dv = chain(OP_DIV) / cyc, sig = chain(OP_SIG) / cyc;
    double th = chain(OP_TANH) / cyc - fma, lk = 0;
#if defined(__AVX512F__)
    lk = chain(OP_LOOKUP) / cyc;
#endif
    lln_machine_print(&mc);
#ifdef LLN_ISA_DISPATCH
    puts("NOTE     : a portable build: these are its baseline vectors, while its kernels pick "
         "AVX2 or AVX-512 at run time; build with -DLLN_NATIVE=ON to measure the kernels' own");
#endif
    printf("latency  : %d-lane vectors, cycles per dependent operation: FMA %.1f, division %.1f, "
           "LTC synapse sigmoid %.1f, tanh %.1f, register lookup %.1f\n",
           LLN_VF_LANES, fma, dv, sig, th, lk);

    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_anchor_model("ltc_ncp19", &m, &err) != LLN_OK) {
        fprintf(stderr, "lln_latency: ltc_ncp19: %s\n", err.msg);
        return 1;
    }
    const lln_ltc_prep_f32 *p = &m->p_f32.ltc;
    int fr = 0, fs = 0;
    for (int j = 0; j < p->N; j++) {
        fr = p->r_off[j + 1] - p->r_off[j] > fr ? p->r_off[j + 1] - p->r_off[j] : fr;
        fs = p->s_off[j + 1] - p->s_off[j] > fs ? p->s_off[j + 1] - p->s_off[j] : fs;
    }
    double unfold = 2 * lk + sig + fr * fma + dv, sens = 2 * lk + sig + fs * fma;
    double ltc = p->K * unfold + sens;
    const char *bound;
    double lim = lln_machine_limit(&mc, m, 1, 1, 1, 1, &bound);
    printf("ltc_ncp19 : %d unfolds x (2 lookups + sigmoid + %d FMAs + division = %.0f cycles) + "
           "sensory (%d FMAs) %.0f = %.0f cycles = %.3f us; limit %.3f us (%s): floor / limit "
           "%.2fx\n",
           p->K, fr, unfold, fs, sens, ltc, ltc * cyc * 1e6, lim * 1e6, bound, ltc * cyc / lim);
    lln_model_free(m);

    if (lln_anchor_model("wcfc_ncp19", &m, &err) != LLN_OK) {
        fprintf(stderr, "lln_latency: wcfc_ncp19: %s\n", err.msg);
        return 1;
    }
    double wc = 0;
    printf("wcfc_ncp19: layers");
    for (int l = 0; l < m->p_f32.ncells; l++) {
        const lln_cfc_prep_f32 *cp = &m->p_f32.cfc[l];
        int F = cp->in + cp->hidden;
        double gate = (sig > th ? sig : th) + 4 * fma;
        wc += F * fma + gate;
        printf(" [%d FMAs + gate %.0f]", F, gate);
    }
    lim = lln_machine_limit(&mc, m, 1, 1, 1, 1, &bound);
    printf(" = %.0f cycles = %.3f us; limit %.3f us (%s): floor / limit %.2fx\n", wc,
           wc * cyc * 1e6, lim * 1e6, bound, wc * cyc / lim);
    lln_model_free(m);
    return 0;
}
#endif
