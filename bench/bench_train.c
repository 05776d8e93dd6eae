/* bench_train: one training epoch of the ncps benchmark task, side by side with ncps.
 *
 *   bench_train [--quick] [--epochs N] [--threads N] [--model ID] [--ncps FILE] [--parts]
 *
 * The task ncps's own speed measurement used: 1024 sequences x 64 steps, 8 inputs,
 * batch 32 (32 Adam steps, lr 5e-3), backpropagation through the whole sequence, MSE.
 * Channel 0 = sin(w t + phase) + N(0, 0.3^2), channels 1-7 N(0, 0.3^2); each sequence has its
 * own w in [0.05, 0.3) and phase in [0, 2 pi). Target: (sin, cos) of the phase, compared with
 * the first two outputs. The models' other outputs get target 0: the backward pass costs the
 * same whatever dy holds, and the printed loss is that of the first two outputs only.
 *
 * One epoch = for each of the 32 batches: zero the gradient, lln_batch_grad_run (float32
 * tape forward + loss + backward), lln_optim_step (Adam, then lln_model_prepare); the
 * optimizer's element-wise work runs on the batch gradient's threads
 * (lln_optim_share_threads), which are started once per model, not per batch. The data
 * are generated once, before timing. Reported per model: the median epoch time (after one
 * warm-up epoch; --quick: one timed epoch), ncps's epoch time from FILE (measured by
 * bench/ncps_bench.py in the same run, same thread count; without it the table says that no
 * comparison was made) and the ratio, the limit of this machine (bench/bench_common.h: 3 x the
 * forward FLOP at the measured FMA peak times the thread count) and ours / limit, and the
 * (sin, cos) loss before and after the epochs (it must drop). --parts adds, per model, the
 * fastest epoch's time split into lln_batch_grad_run and lln_optim_step (where a thread
 * count's epoch goes). Exit code 0 after a run, 1 on an error.
 *
 *   bench_train --count MODEL
 *
 * runs one epoch of MODEL on one thread, untimed and without measuring the machine: the
 * workload for instruction counts under valgrind --tool=callgrind (e.g.
 * --toggle-collect=lln_optim_step for the optimizer steps alone). */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anchor_models.h"
#include "bench_common.h"
#include "lln/train.h"

#define SEQS 1024
#define STEPS 64
#define BATCH 32
#define LR 5e-3
#define MAX_EPOCHS 16

static const char *const MODELS[] = {"ltc_ncp19", "ltc_fc32", "cfc32", "cfc64", "wcfc_ncp19"};
#define N_MODELS (sizeof MODELS / sizeof MODELS[0])

/* xorshift64* + Box-Muller: the same data on every machine. */
static double uniform(unsigned long long *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static double normal(unsigned long long *s)
{
    double u1 = uniform(s), u2 = uniform(s);
    return sqrt(-2.0 * log(u1 < 1e-300 ? 1e-300 : u1)) * cos(6.283185307179586 * u2);
}

/* x: SEQS x STEPS x 8; y: SEQS x STEPS x O (sin, cos, then zeros). */
static void make_task(float *x, float *y, int O)
{
    unsigned long long s = 0x9E3779B97F4A7C15ull;
    for (int n = 0; n < SEQS; n++) {
        double w = 0.05 + 0.25 * uniform(&s), ph = 6.283185307179586 * uniform(&s);
        for (int t = 0; t < STEPS; t++) {
            size_t r = (size_t)n * STEPS + (size_t)t;
            for (int i = 0; i < LLN_ANCHOR_INPUTS; i++)
                x[r * LLN_ANCHOR_INPUTS + (size_t)i] =
                    (float)(0.3 * normal(&s) + (i == 0 ? sin(w * t + ph) : 0.0));
            for (int o = 0; o < O; o++)
                y[r * (size_t)O + (size_t)o] = (float)(o == 0   ? sin(w * t + ph)
                                                       : o == 1 ? cos(w * t + ph)
                                                                : 0.0);
        }
    }
}

typedef struct run {
    lln_model_t *m;
    lln_batch_grad_t *bg;
    lln_optim_t *opt;
    float *x, *y, *yo;
    double *grad;
    int O;
    double t_grad, t_step; /* the last epoch's seconds in lln_batch_grad_run / lln_optim_step */
} run_t;

/* MSE of the first two outputs over the whole set (forward only). */
static double task_loss(run_t *r)
{
    double s = 0.0;
    for (int b = 0; b < SEQS / BATCH; b++) {
        size_t off = (size_t)b * BATCH * STEPS;
        if (lln_batch_grad_run(r->bg, r->m, BATCH, r->x + off * LLN_ANCHOR_INPUTS, NULL,
                               r->y + off * (size_t)r->O, NULL, NULL, r->yo, NULL, NULL) != LLN_OK)
            return NAN;
        for (size_t i = 0; i < (size_t)BATCH * STEPS; i++)
            for (int o = 0; o < 2; o++) {
                double e = r->yo[i * (size_t)r->O + (size_t)o] -
                           r->y[(off + i) * (size_t)r->O + (size_t)o];
                s += e * e;
            }
    }
    return s / (2.0 * SEQS * STEPS);
}

static int epoch(run_t *r)
{
    lln_error_t err;
    r->t_grad = r->t_step = 0.0;
    for (int b = 0; b < SEQS / BATCH; b++) {
        size_t off = (size_t)b * BATCH * STEPS;
        memset(r->grad, 0, lln_model_param_count(r->m) * sizeof(double));
        double t0 = lln_bench_now();
        int ok = lln_batch_grad_run(r->bg, r->m, BATCH, r->x + off * LLN_ANCHOR_INPUTS, NULL,
                                    r->y + off * (size_t)r->O, NULL, r->grad, NULL, NULL,
                                    &err) == LLN_OK;
        double t1 = lln_bench_now();
        ok = ok && lln_optim_step(r->opt, r->m, r->grad, NULL, &err) == LLN_OK;
        r->t_grad += t1 - t0;
        r->t_step += lln_bench_now() - t1;
        if (!ok) {
            fprintf(stderr, "bench_train: %s\n", err.msg);
            return 0;
        }
    }
    return 1;
}

/* Loads model `id`, allocates the task and its buffers, creates the optimizer and the batch
 * gradient on `threads` threads (lent to the optimizer) and makes the task. 0 with err set (or
 * err.msg empty for an allocation failure) when any of it fails; run_close frees what exists. */
static int run_open(const char *id, int threads, run_t *r, lln_error_t *err)
{
    memset(r, 0, sizeof *r);
    err->msg[0] = '\0';
    if (lln_anchor_model(id, &r->m, err) != LLN_OK)
        return 0;
    r->O = lln_model_output_size(r->m);
    lln_optim_config_t oc;
    lln_optim_config_default(&oc);
    oc.lr = LR;
    r->x = malloc((size_t)SEQS * STEPS * LLN_ANCHOR_INPUTS * sizeof(float));
    r->y = malloc((size_t)SEQS * STEPS * (size_t)r->O * sizeof(float));
    r->yo = malloc((size_t)BATCH * STEPS * (size_t)r->O * sizeof(float));
    r->grad = malloc(lln_model_param_count(r->m) * sizeof(double));
    int ok = r->x && r->y && r->yo && r->grad &&
             lln_optim_create(r->m, &oc, &r->opt, err) == LLN_OK &&
             lln_batch_grad_create(r->m, LLN_F32, BATCH, STEPS, threads, LLN_LOSS_MSE,
                                   LLN_LOSS_EVERY_STEP, &r->bg, err) == LLN_OK &&
             lln_optim_share_threads(r->opt, r->bg) == LLN_OK;
    if (ok)
        make_task(r->x, r->y, r->O);
    return ok;
}

static void run_close(run_t *r)
{
    lln_batch_grad_free(r->bg);
    lln_optim_free(r->opt);
    lln_model_free(r->m);
    free(r->x);
    free(r->y);
    free(r->yo);
    free(r->grad);
}

typedef struct result {
    double s_med, s_min, loss0, loss1;
    double grad_s, step_s; /* the fastest epoch's parts */
    double limit_s;        /* the machine's limit for one epoch */
    const char *bound;     /* what binds it */
} result_t;

static int bench_model(const char *id, int epochs, int threads, const lln_machine_t *mc, int cores,
                       result_t *res)
{
    run_t r;
    memset(res, 0, sizeof *res);
    lln_error_t err;
    int ok = run_open(id, threads, &r, &err);
    if (!ok && r.m == NULL) {
        fprintf(stderr, "bench_train: %s: %s\n", id, err.msg);
        run_close(&r);
        return 0;
    }
    double t[MAX_EPOCHS];
    if (ok) {
        res->loss0 = task_loss(&r);
        for (int e = -1; e < epochs && ok; e++) { /* epoch -1: warm-up (skipped by --quick) */
            if (e < 0 && epochs == 1)
                continue;
            double t0 = lln_bench_now();
            ok = epoch(&r);
            if (e >= 0)
                t[e] = lln_bench_now() - t0;
            if (e >= 0 && (e == 0 || t[e] < res->s_min)) {
                res->s_min = t[e];
                res->grad_s = r.t_grad;
                res->step_s = r.t_step;
            }
        }
        res->loss1 = task_loss(&r);
    } else {
        fprintf(stderr, "bench_train: %s: setup failed: %s\n", id, err.msg);
    }
    if (ok) {
        qsort(t, (size_t)epochs, sizeof t[0], lln_bench_cmp_double);
        res->s_min = t[0];
        res->s_med = epochs % 2 ? t[epochs / 2] : 0.5 * (t[epochs / 2 - 1] + t[epochs / 2]);
        ok = isfinite(res->loss1);
    }
    if (ok) /* forward + backward (2 x forward) per sample-step; weights read 3 x per step */
        res->limit_s = lln_machine_limit(mc, r.m, (double)SEQS * STEPS, 3,
                                         3.0 * SEQS / BATCH * STEPS, cores, &res->bound);
    run_close(&r);
    return ok;
}

/* --count MODEL: one untimed epoch on one thread. */
static int count_run(const char *id)
{
    int known = 0;
    for (size_t k = 0; k < N_MODELS; k++)
        known |= strcmp(id, MODELS[k]) == 0;
    if (!known) {
        fprintf(stderr, "bench_train: --count: unknown model '%s'\n", id);
        return 1;
    }
    run_t r;
    lln_error_t err;
    int ok = run_open(id, 1, &r, &err) && epoch(&r);
    if (ok)
        printf("%s: one epoch on one thread (parameter 0 now %.9g)\n", id,
               lln_model_params_const(r.m)[0]);
    else
        fprintf(stderr, "bench_train: --count %s failed: %s\n", id, err.msg);
    run_close(&r);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--count") == 0) {
        if (argc != 3) {
            fprintf(stderr, "usage: %s --count MODEL\n", argv[0]);
            return 1;
        }
        return count_run(argv[2]);
    }
    int epochs = 3, threads = 1, parts = 0;
    const char *only = NULL, *ncps = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            epochs = 1;
        else if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc)
            epochs = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--ncps") == 0 && i + 1 < argc)
            ncps = argv[++i];
        else if (strcmp(argv[i], "--parts") == 0)
            parts = 1;
        else {
            fprintf(stderr,
                    "usage: %s [--quick] [--epochs N] [--threads N] [--model ID] [--ncps FILE] "
                    "[--parts]\n",
                    argv[0]);
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 0 : 1;
        }
    }
    if (epochs < 1 || epochs > MAX_EPOCHS || threads < 0) {
        fprintf(stderr, "bench_train: --epochs 1..%d, --threads >= 0\n", MAX_EPOCHS);
        return 1;
    }
    lln_ncps_t nc;
    memset(&nc, 0, sizeof nc);
    if (ncps != NULL && !lln_ncps_load(ncps, &nc))
        return 1;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int cores = threads > 0 ? threads : online > 0 ? (int)online : 1;
    lln_machine_t mc;
    lln_machine_measure(&mc);
    printf("liquid-edge %s training speed: ncps task (1024 seq x 64 steps, batch 32, Adam lr "
           "5e-3,\nfull BPTT, float32), %d thread(s), median of %d epoch(s)%s\n",
           lln_version(), cores, epochs, epochs > 1 ? " after 1 warm-up" : "");
    lln_machine_print(&mc);
    if (nc.loaded)
        printf(
            "ncps     : measured in this run by bench/ncps_bench.py (torch %s, %d thread(s))%s\n",
            nc.torch, nc.threads, nc.threads == cores ? "" : "  *** thread counts differ ***");
    else
        printf("\n*** NO COMPARISON WITH ncps WAS MADE: no ncps numbers from this run (--ncps "
               "FILE;\n*** `make bench` measures them when python3 can import torch). ***\n");
    printf("\ntraining (s/epoch)\n  %-11s %9s %9s %8s %9s %5s %10s   %-22s %s\n", "model", "ncps",
           "ours", "ratio", "limit", "bound", "ours/limit", "loss before -> after",
           "goal (>= 10x ncps or at the limit; <= 1.5x limit)");
    for (size_t k = 0; k < N_MODELS; k++) {
        if (only != NULL && strcmp(only, MODELS[k]) != 0)
            continue;
        result_t r;
        if (!bench_model(MODELS[k], epochs, threads, &mc, cores, &r))
            return 1;
        double n = lln_ncps_get(&nc, MODELS[k], LLN_NCPS_TRAIN);
        char nb[32], rb[32], gb[96];
        if (n > 0) {
            snprintf(nb, sizeof nb, "%.4f", n);
            snprintf(rb, sizeof rb, "%.1fx", n / r.s_med);
        } else {
            snprintf(nb, sizeof nb, "-");
            snprintf(rb, sizeof rb, "-");
        }
        if (n <= 0)
            snprintf(gb, sizeof gb, "no ncps number: not judged");
        else if (n / r.limit_s < 10.0)
            snprintf(gb, sizeof gb, "10x impossible (ncps/limit %.1fx); limit %s", n / r.limit_s,
                     r.s_med / r.limit_s <= 1.5 ? "met" : "NOT met");
        else
            snprintf(gb, sizeof gb, ">= 10x %s; limit %s", n / r.s_med >= 10.0 ? "met" : "NOT met",
                     r.s_med / r.limit_s <= 1.5 ? "met" : "NOT met");
        printf("  %-11s %9s %9.4f %8s %9.4f %5s %9.1fx   %.4f -> %.4f       %s\n", MODELS[k], nb,
               r.s_med, rb, r.limit_s, r.bound, r.s_med / r.limit_s, r.loss0, r.loss1, gb);
        if (parts)
            printf("  %-11s fastest epoch %.4f s = batch gradients %.4f + optimizer steps %.4f "
                   "+ rest %.4f\n",
                   "", r.s_min, r.grad_s, r.step_s, r.s_min - r.grad_s - r.step_s);
        (void)fflush(stdout);
    }
    printf("\nlimit: 3 x the forward FLOP (a MAC is 2 FLOP, a transcendental %.0f) at the measured "
           "FMA peak\nx %d core(s), or the weight reads, whichever is longer. Run-to-run noise on "
           "shared machines\nis +-20-40%%.\n",
           LLN_BENCH_TRANSC_FLOP, cores);
    return 0;
}
