/* bench_train_grad: float32 forward + backward (BPTT) time of one training epoch of the ncps
 * benchmark task, on one thread.
 *
 *   bench_train_grad [--quick] [MODEL]
 *
 * The task of bench_train.c: one epoch = 1024 sequences x 64
 * steps in mini-batches of 32 (32 batches); channel 0 = sin(w t + phase) + N(0, 0.3^2),
 * channels 1-7 N(0, 0.3^2); targets sin and cos of the phase on the first two outputs, MSE.
 * Per batch: lln_tape_forward, dL/dy, lln_tape_backward into a float64 gradient, and
 * lln_model_prepare (what an optimizer step costs besides its own arithmetic, which is not
 * part of this benchmark: Adam on <= 42k parameters is ~0.1 ms). One warm-up epoch, then the
 * median of several. Reported beside the limit of this machine (bench/bench_common.h: 3 x the
 * forward FLOP at the measured FMA peak of one core); the same-run comparison with ncps is
 * bench_train's (it includes the optimizer, as ncps's epoch does). --quick: 1 timed epoch;
 * MODEL: only that model.
 *
 *   bench_train_grad --count MODEL NB
 *
 * runs one tape forward + backward of NB sequences (1..1024) of the task, untimed and without
 * measuring the machine: the workload for instruction counts under valgrind --tool=callgrind
 * (exact where wall time is noisy; NB = 32 / W is one worker's slice at W threads). */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lln/grad.h"
#include "lln/model.h"
#include "anchor_models.h"
#include "bench_common.h"

#define SEQS 1024
#define STEPS 64
#define BATCH 32
#define RUNS 5

static const char *const MODELS[] = {"ltc_ncp19", "ltc_fc32", "cfc32", "cfc64", "wcfc_ncp19"};

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double rng_normal(void)
{
    double u1 = rng_uniform(), u2 = rng_uniform();
    return sqrt(-2.0 * log(u1 < 1e-300 ? 1e-300 : u1)) * cos(6.283185307179586 * u2);
}

/* x: SEQS x STEPS x 8 inputs, tg: SEQS x STEPS x 2 targets. */
static void make_task(float *x, float *tg)
{
    for (int s = 0; s < SEQS; s++) {
        double w = 0.05 + 0.15 * rng_uniform(), ph = 6.283185307179586 * rng_uniform();
        for (int t = 0; t < STEPS; t++) {
            size_t r = (size_t)s * STEPS + (size_t)t;
            double a = w * t + ph;
            for (int i = 0; i < LLN_ANCHOR_INPUTS; i++)
                x[r * LLN_ANCHOR_INPUTS + i] = (float)(0.3 * rng_normal() + (i == 0 ? sin(a) : 0));
            tg[r * 2] = (float)sin(a);
            tg[r * 2 + 1] = (float)cos(a);
        }
    }
}

/* One epoch; returns seconds (negative on error) and the mean loss in *loss. */
static double epoch(lln_model_t *m, lln_tape_t *tp, const float *x, const float *tg, float *y,
                    float *dy, double *grad, double *loss)
{
    int O = lln_model_output_size(m);
    size_t np = lln_model_param_count(m), per = (size_t)STEPS * (size_t)O;
    double sum = 0, t0 = lln_bench_now();
    for (int s0 = 0; s0 < SEQS; s0 += BATCH) {
        const float *xb = x + (size_t)s0 * STEPS * LLN_ANCHOR_INPUTS;
        const float *tb = tg + (size_t)s0 * STEPS * 2;
        if (lln_tape_forward(tp, BATCH, STEPS, xb, NULL, NULL, NULL, y) != LLN_OK)
            return -1;
        float scale = 2.0f / (float)(BATCH * STEPS * 2);
        memset(dy, 0, (size_t)BATCH * per * sizeof *dy);
        for (size_t r = 0; r < (size_t)BATCH * STEPS; r++)
            for (int o = 0; o < 2; o++) {
                float d = y[r * (size_t)O + (size_t)o] - tb[r * 2 + (size_t)o];
                sum += (double)d * d;
                dy[r * (size_t)O + (size_t)o] = scale * d;
            }
        memset(grad, 0, np * sizeof *grad);
        if (lln_tape_backward(tp, dy, grad, NULL, NULL, NULL) != LLN_OK ||
            lln_model_prepare(m, NULL) != LLN_OK)
            return -1;
    }
    *loss = sum / ((double)SEQS * STEPS * 2);
    return lln_bench_now() - t0;
}

/* --count MODEL NB: one forward + backward, for instruction counts. */
static int count_run(const float *x, const float *tg, const char *id, const char *nbs)
{
    char *end = NULL;
    long nb = strtol(nbs, &end, 10);
    lln_model_t *m = NULL;
    lln_tape_t *tp = NULL;
    lln_error_t err;
    int known = 0;
    for (size_t k = 0; k < sizeof MODELS / sizeof MODELS[0]; k++)
        known |= strcmp(id, MODELS[k]) == 0;
    if (!known) {
        fprintf(stderr, "bench_train_grad: --count: unknown model '%s'\n", id);
        return 1;
    }
    if (end == nbs || *end != '\0' || nb < 1 || nb > SEQS) {
        fprintf(stderr, "bench_train_grad: --count NB '%s' must be 1..%d\n", nbs, SEQS);
        return 1;
    }
    if (lln_anchor_model(id, &m, &err) != LLN_OK ||
        lln_tape_create(m, LLN_F32, (int)nb, STEPS, &tp) != LLN_OK) {
        fprintf(stderr, "bench_train_grad: --count: model '%s' could not be set up\n", id);
        lln_model_free(m);
        return 1;
    }
    int O = lln_model_output_size(m);
    size_t rows = (size_t)nb * STEPS;
    float *y = malloc(rows * (size_t)O * sizeof *y), *dy = calloc(rows * (size_t)O, sizeof *dy);
    double *grad = calloc(lln_model_param_count(m), sizeof *grad);
    int ok =
        y && dy && grad && lln_tape_forward(tp, (int)nb, STEPS, x, NULL, NULL, NULL, y) == LLN_OK;
    for (size_t r = 0; ok && r < rows; r++)
        for (int o = 0; o < 2; o++)
            dy[r * (size_t)O + (size_t)o] = y[r * (size_t)O + (size_t)o] - tg[r * 2 + (size_t)o];
    ok = ok && lln_tape_backward(tp, dy, grad, NULL, NULL, NULL) == LLN_OK;
    if (ok)
        printf("%s: one forward + backward of %ld x %d steps (gradient[0] %.6g)\n", id, nb, STEPS,
               grad[0]);
    else
        fprintf(stderr, "bench_train_grad: --count %s %ld failed\n", id, nb);
    free(y);
    free(dy);
    free(grad);
    lln_tape_free(tp);
    lln_model_free(m);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0, runs = quick ? 1 : RUNS;
    const char *only = argc > 1 + quick ? argv[1 + quick] : NULL;
    float *x = malloc((size_t)SEQS * STEPS * LLN_ANCHOR_INPUTS * sizeof *x);
    float *tg = malloc((size_t)SEQS * STEPS * 2 * sizeof *tg);
    if (x == NULL || tg == NULL) {
        free(x);
        free(tg);
        return 1;
    }
    make_task(x, tg);
    if (argc > 1 && strcmp(argv[1], "--count") == 0) {
        int rc = argc == 4 ? count_run(x, tg, argv[2], argv[3]) : 1;
        if (argc != 4)
            fprintf(stderr, "usage: %s --count MODEL NB\n", argv[0]);
        free(x);
        free(tg);
        return rc;
    }
    printf("training epoch (forward + backward, float32, 1 thread): %d seqs x %d steps, batch %d\n",
           SEQS, STEPS, BATCH);
    lln_machine_t mc;
    lln_machine_measure(&mc);
    lln_machine_print(&mc);
    printf("%-11s %10s %10s %9s %5s %8s %8s\n", "model", "epoch ms", "min ms", "limit ms", "bound",
           "ours/lim", "tape MB");
    int rc = 0;
    for (size_t k = 0; k < sizeof MODELS / sizeof MODELS[0]; k++) {
        lln_model_t *m = NULL;
        lln_tape_t *tp = NULL;
        lln_error_t err;
        if (only != NULL && strcmp(only, MODELS[k]) != 0)
            continue;
        if (lln_anchor_model(MODELS[k], &m, &err) != LLN_OK ||
            lln_tape_create(m, LLN_F32, BATCH, STEPS, &tp) != LLN_OK) {
            fprintf(stderr, "%s: setup failed\n", MODELS[k]);
            lln_model_free(m);
            rc = 1;
            continue;
        }
        int O = lln_model_output_size(m);
        float *y = malloc((size_t)BATCH * STEPS * (size_t)O * sizeof *y);
        float *dy = malloc((size_t)BATCH * STEPS * (size_t)O * sizeof *dy);
        double *grad = malloc(lln_model_param_count(m) * sizeof *grad), t[RUNS], loss = 0;
        int ok = y && dy && grad && epoch(m, tp, x, tg, y, dy, grad, &loss) >= 0;
        for (int r = 0; r < runs && ok; r++)
            ok = (t[r] = epoch(m, tp, x, tg, y, dy, grad, &loss)) >= 0 && isfinite(loss);
        if (ok) {
            double mn = t[0];
            for (int r = 1; r < runs; r++)
                mn = t[r] < mn ? t[r] : mn;
            qsort(t, (size_t)runs, sizeof t[0], lln_bench_cmp_double);
            double med = t[runs / 2];
            const char *bound;
            double lim = lln_machine_limit(&mc, m, (double)SEQS * STEPS, 3,
                                           3.0 * SEQS / BATCH * STEPS, 1, &bound);
            printf("%-11s %10.1f %10.1f %9.1f %5s %7.1fx %8.1f\n", MODELS[k], med * 1e3, mn * 1e3,
                   lim * 1e3, bound, med / lim,
                   (double)lln_tape_bytes(m, LLN_F32, BATCH, STEPS) / 1e6);
        } else {
            fprintf(stderr, "%s: run failed\n", MODELS[k]);
            rc = 1;
        }
        free(y);
        free(dy);
        free(grad);
        lln_tape_free(tp);
        lln_model_free(m);
    }
    free(x);
    free(tg);
    return rc;
}
