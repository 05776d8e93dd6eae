/* lln_perfcount: fixed workloads of the host kernels, for deterministic instruction counts
 * under callgrind (the CI perf stage, .ci/stages/perf.sh; `make perf-baseline`).
 *
 *   lln_perfcount --list                 kernel names, the function to count, what they do
 *   lln_perfcount --build                compiler and vector ISA of this build (the library is
 *                                        compiled with the same options)
 *   lln_perfcount KERNEL                 runs one workload, prints a checksum of its outputs
 *   LD_BIND_NOW=1 valgrind --tool=callgrind --toggle-collect=lln_step lln_perfcount stream_cfc32
 *
 * Kernels (float32, the five models of shared/anchors/ncps-speed.md as bench/bench_speed.c
 * builds them: 8 inputs, model seed 1234):
 *   stream_<model>     1000 lln_step calls at batch 1, dt = 1 (counted function: lln_step)
 *   seq64_ltc_ncp19    one lln_sequence call, batch 64 x 20 steps, dt = NULL (lln_sequence)
 *   seq64_cfc32        the same for cfc32 (the batched GEMM panels instead of the LTC lanes)
 *   seq64_wcfc_ncp19   the same for the wired CfC (its layers in lanes: cfc_lanes)
 * Inputs come from a fixed xorshift stream (integer arithmetic only), so a build gives the
 * same instruction count on every run and every x86-64 machine. Everything outside the
 * counted function (model creation, input generation) is not counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"
#include "../bench/anchor_models.h"

#define N_INPUT LLN_ANCHOR_INPUTS
#define STREAM_STEPS 1000
#define SEQ_BATCH 64
#define SEQ_STEPS 20

typedef struct kernel {
    const char *name, *model, *counted, *what;
    int batch, steps; /* steps: lln_step calls (batch 1) or sequence length */
} kernel_t;

static const kernel_t KERNELS[] = {
    {"stream_ltc_ncp19", "ltc_ncp19", "lln_step", "LTC(8, AutoNCP(19, 4)): 1000 lln_step, batch 1",
     1, STREAM_STEPS},
    {"stream_ltc_fc32", "ltc_fc32", "lln_step", "LTC(8, 32) fully connected: 1000 lln_step", 1,
     STREAM_STEPS},
    {"stream_cfc32", "cfc32", "lln_step", "CfC(8, 32) default, backbone 1x128: 1000 lln_step", 1,
     STREAM_STEPS},
    {"stream_cfc64", "cfc64", "lln_step", "CfC(8, 64) default, backbone 1x128: 1000 lln_step", 1,
     STREAM_STEPS},
    {"stream_wcfc_ncp19", "wcfc_ncp19", "lln_step",
     "wired CfC(8, AutoNCP(19, 4)) default: 1000 lln_step", 1, STREAM_STEPS},
    {"seq64_ltc_ncp19", "ltc_ncp19", "lln_sequence",
     "LTC(8, AutoNCP(19, 4)): lln_sequence, batch 64 x 20 steps", SEQ_BATCH, SEQ_STEPS},
    {"seq64_cfc32", "cfc32", "lln_sequence", "CfC(8, 32): lln_sequence, batch 64 x 20 steps",
     SEQ_BATCH, SEQ_STEPS},
    {"seq64_wcfc_ncp19", "wcfc_ncp19", "lln_sequence",
     "wired CfC(8, AutoNCP(19, 4)): lln_sequence, batch 64 x 20 steps", SEQ_BATCH, SEQ_STEPS},
};
#define N_KERNELS (sizeof KERNELS / sizeof KERNELS[0])

/* Inputs in [-1.5, 1.5) from xorshift64 with integer arithmetic only (no libm, no doubles
 * from transcendental functions), so they are bit-identical everywhere. */
static void fill_inputs(float *x, size_t n)
{
    unsigned long long s = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        unsigned v = (unsigned)((s * 2685821657736338717ull) >> 40); /* 24 bits */
        x[i] = (float)v / 16777216.0f * 3.0f - 1.5f;
    }
}

static int run(const kernel_t *k)
{
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_anchor_model(k->model, &m, &err) != LLN_OK) {
        fprintf(stderr, "lln_perfcount: %s: %s\n", k->model, err.msg);
        return 1;
    }
    size_t O = (size_t)lln_model_output_size(m), B = (size_t)k->batch, T = (size_t)k->steps;
    float *x = malloc(B * T * N_INPUT * sizeof *x), *y = malloc(B * T * O * sizeof *y);
    lln_state_t *s = NULL;
    int ok = x != NULL && y != NULL && lln_state_create(m, LLN_F32, k->batch, &s) == LLN_OK;
    double sum = 0;
    if (ok) {
        fill_inputs(x, B * T * N_INPUT);
        if (strcmp(k->counted, "lln_step") == 0) {
            for (size_t t = 0; t < T && ok; t++) {
                ok = lln_step(m, s, x + t * N_INPUT, 1.0f, y) == LLN_OK;
                sum += (double)y[0];
            }
        } else {
            ok = lln_sequence(m, s, k->steps, x, NULL, y, NULL) == LLN_OK;
            for (size_t i = 0; i < B * T * O; i++)
                sum += (double)y[i];
        }
    }
    if (ok)
        printf("%s: checksum %.9g\n", k->name, sum);
    else
        fprintf(stderr, "lln_perfcount: %s: the kernel failed\n", k->name);
    lln_state_free(s);
    lln_model_free(m);
    free(x);
    free(y);
    return ok ? 0 : 1;
}

/* The compiler and the vector path src/common/mathfn.h selects with this build's options. */
static void build_info(void)
{
#if defined(__clang__)
    printf("compiler: clang %s\n", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s\n", __VERSION__);
#else
    printf("compiler: unknown\n");
#endif
#if defined(__AVX512F__)
    const char *isa = "AVX-512";
#elif defined(__AVX2__)
    const char *isa = "AVX2";
#elif defined(__SSE2__)
    const char *isa = "SSE2";
#else
    const char *isa = "plain C";
#endif
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    const char *fma = "FMA";
#else
    const char *fma = "no FMA";
#endif
    printf("isa: %s, %s\n", isa, fma);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--build") == 0) {
        build_info();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < N_KERNELS; i++)
            printf("%s %s %s\n", KERNELS[i].name, KERNELS[i].counted, KERNELS[i].what);
        return 0;
    }
    if (argc == 2)
        for (size_t i = 0; i < N_KERNELS; i++)
            if (strcmp(argv[1], KERNELS[i].name) == 0)
                return run(&KERNELS[i]);
    fprintf(stderr, "usage: %s --list | --build | KERNEL (see --list)\n", argv[0]);
    return 2;
}
