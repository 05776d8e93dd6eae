/* bench_speed: liquid-edge float32 inference speed, side by side with ncps and the machine.
 *
 *   bench_speed [--quick] [--json] [--ncps FILE] [--model ID] [--threads N] [--batch B]
 *
 * For the five benchmark models (ltc_ncp19, ltc_fc32, cfc32, cfc64, wcfc_ncp19; 8 inputs
 * each; bench/anchor_models.h) it measures:
 *   (a) streaming, on one thread: lln_step() at batch 1, dt = 1, in µs per step. Warm-up
 *       steps, then several timed blocks; the median block mean is reported (min alongside).
 *   (b) batched, on N threads (default 1; 0 = every online CPU): lln_sequence_mt() over a
 *       64 x 100 x 8 batch, dt = 1 (NULL), in ms per call. One warm-up call, then the median
 *       of several calls (each from a zero state). Its limit counts min(N, online CPUs) cores.
 * Inputs: channel 0 = sin(wt + phase) + N(0, 0.3^2), the other channels N(0, 0.3^2).
 * FILE holds ncps's times for the same models and modes, measured by bench/ncps_bench.py
 * right before this program (`make bench` does both); the ratio ncps / ours comes from that
 * run only. Without --ncps the tables say that no comparison was made. The machine's limit
 * (bench/bench_common.h) is measured here too and printed beside each model as the bound and
 * ours / limit. With two or more threads, what the machine gave the batched calls is printed
 * under their table (bench_moment.h: the one-thread call at the same moment, the pinned
 * two-core FMA ratio, calls with our threads on one CPU, CPU pressure, steal, and the limit
 * at that moment). Prints the build, the CPU, the machine and one table per mode; --quick uses
 * fewer repetitions; --json prints one JSON object instead. Exit code: 0 after a run (goals
 * not met are reported, not fatal), 1 on an error. --model ID: only that model. --batch B:
 * B sequences instead of 64 in (b) (1 .. 4096; not with --ncps, whose numbers are for 64),
 * to see how the time per sequence depends on the batch. */
#define _GNU_SOURCE /* CPU affinity in bench_moment.h (Linux); includes the POSIX clock */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lln/model.h"
#include "anchor_models.h"
#include "bench_common.h"
#include "bench_moment.h"

#define N_INPUT LLN_ANCHOR_INPUTS
#define SEQ_BATCH 64 /* the default batch of (b) */
#define MAX_BATCH 4096
#define SEQ_STEPS 100
#define STREAM_LEN 4096  /* distinct input rows cycled through by the streaming loop */
#define STREAM_BLOCKS 21 /* full run: timed blocks of STREAM_STEPS steps (quick: 5 x 1000) */
#define STREAM_STEPS 10000
#define BATCH_RUNS 21 /* full run: timed lln_sequence calls (quick: 5) */
#define MAX_REPS 64

#define GOAL_STREAM_RATIO 100.0
#define GOAL_BATCH_RATIO 10.0
#define GOAL_NCP19_US 3.0
#define GOAL_LIMIT 1.5 /* ours / limit */

typedef struct bench_model {
    const char *id;
    const char *desc;
} bench_model_t;

static const bench_model_t MODELS[] = {
    {"ltc_ncp19", "LTC(8, AutoNCP(19, 4))"},
    {"ltc_fc32", "LTC(8, 32) FullyConnected"},
    {"cfc32", "CfC(8, 32) default, backbone 1x128 lecun_tanh"},
    {"cfc64", "CfC(8, 64) default, backbone 1x128 lecun_tanh"},
    {"wcfc_ncp19", "CfC(8, AutoNCP(19, 4)) wired, default"},
};
#define N_MODELS (sizeof MODELS / sizeof MODELS[0])

typedef struct result {
    double us_med, us_min;         /* streaming µs/step */
    double ms_med, ms_min;         /* batch B x 100 ms */
    double checksum;               /* keeps the outputs live; also a sanity check (finite) */
    double ncps_us, ncps_ms;       /* ncps, this run (0: not measured) */
    double lim_us, lim_ms;         /* the machine's limit */
    const char *bound_s, *bound_b; /* what binds it */
    int skip;                      /* not run (--model chose another) */
    lln_moment_t mo;               /* the machine during the batched calls (bench_moment.h) */
    double ms_one;                 /* the batch on one thread at that moment (0: not run) */
} result_t;

typedef struct opts {
    int quick, json;
    int threads; /* batched: lln_sequence_mt threads (>= 1) */
    int batch;   /* batched: sequences per call (default SEQ_BATCH) */
    int cores;   /* cores the batched limit counts: min(threads, online CPUs) */
    const char *ncps, *model;
} opts_t;

/* ---- helpers ------------------------------------------------------------------------------ */

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, lln_bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double min_of(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* xorshift64* + Box-Muller: a fixed, platform-independent input stream. */
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
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* rows x N_INPUT values: channel 0 = sin(omega t + phase) + noise, others noise (sd 0.3). */
static void fill_inputs(float *x, int rows, double omega, double phase)
{
    for (int t = 0; t < rows; t++)
        for (int i = 0; i < N_INPUT; i++) {
            double v = 0.3 * rng_normal();
            if (i == 0)
                v += sin(omega * t + phase);
            x[(size_t)t * N_INPUT + (size_t)i] = (float)v;
        }
}

/* ---- measurements ------------------------------------------------------------------------- */

static int bench_stream(const lln_model_t *m, const opts_t *o, result_t *r)
{
    int warm = o->quick ? 200 : 2000, blocks = o->quick ? 5 : STREAM_BLOCKS;
    int per_block = o->quick ? 1000 : STREAM_STEPS;
    int O = lln_model_output_size(m);
    float *x = malloc((size_t)STREAM_LEN * N_INPUT * sizeof *x);
    float *y = malloc((size_t)O * sizeof *y);
    lln_state_t *s = NULL;
    double t_us[MAX_REPS], acc = 0;
    int ok = x != NULL && y != NULL && lln_state_create(m, LLN_F32, 1, &s) == LLN_OK;
    if (ok) {
        fill_inputs(x, STREAM_LEN, 0.05, 0.3);
        int k = 0;
        for (int i = 0; i < warm && ok; i++, k = (k + 1) % STREAM_LEN)
            ok = lln_step(m, s, x + (size_t)k * N_INPUT, 1.0f, y) == LLN_OK;
        for (int b = 0; b < blocks && ok; b++) {
            double t0 = lln_bench_now();
            for (int i = 0; i < per_block; i++, k = (k + 1) % STREAM_LEN)
                if (lln_step(m, s, x + (size_t)k * N_INPUT, 1.0f, y) != LLN_OK)
                    ok = 0;
            t_us[b] = (lln_bench_now() - t0) * 1e6 / per_block;
            acc += y[0];
        }
    }
    if (ok) {
        r->us_min = min_of(t_us, blocks);
        r->us_med = median(t_us, blocks);
        r->checksum += acc;
    }
    lln_state_free(s);
    free(x);
    free(y);
    return ok;
}

/* One lln_sequence_mt call of the batch on one thread from a zero state; with ms, its time
 * lowers *ms (0: none yet). 0 when the call fails. */
static int one_thread_call(const lln_model_t *m, lln_state_t *s, const float *x, float *y,
                           double *ms)
{
    lln_state_reset(s);
    double t0 = lln_bench_now();
    int ok = lln_sequence_mt(m, s, 1, SEQ_STEPS, x, NULL, y, NULL) == LLN_OK;
    double t = (lln_bench_now() - t0) * 1e3;
    if (ms != NULL && (*ms == 0 || t < *ms))
        *ms = t;
    return ok;
}

static int bench_batch(const lln_model_t *m, const opts_t *o, result_t *r)
{
    int runs = o->quick ? 5 : BATCH_RUNS, O = lln_model_output_size(m);
    size_t rows = (size_t)o->batch * SEQ_STEPS;
    float *x = malloc(rows * N_INPUT * sizeof *x), *y = malloc(rows * (size_t)O * sizeof *y);
    lln_state_t *s = NULL;
    double t_ms[MAX_REPS], acc = 0;
    int ok = x != NULL && y != NULL && lln_state_create(m, LLN_F32, o->batch, &s) == LLN_OK;
    if (ok) {
        for (int b = 0; b < o->batch; b++) /* each sequence its own frequency and phase */
            fill_inputs(x + (size_t)b * SEQ_STEPS * N_INPUT, SEQ_STEPS, 0.05 + 0.002 * b, 0.1 * b);
        int watch = o->cores > 1; /* the machine during two-thread calls (bench_moment.h) */
        r->mo.fma_ratio = r->mo.pressure = -1; /* not measured unless watched */
        r->mo.steal = -1;
        if (watch) {
            lln_moment_begin(&r->mo, o->cores);
            /* the same call on one thread at the same moment: one to warm up, one timed
             * before the two-thread calls and one after; the faster of the two timed */
            ok = one_thread_call(m, s, x, y, NULL) && one_thread_call(m, s, x, y, &r->ms_one);
        }
        for (int i = -1; i < runs && ok; i++) { /* run -1 is the warm-up */
            lln_state_reset(s);
            if (i == 0 && watch)
                lln_moment_start(&r->mo);
            double t0 = lln_bench_now();
            ok = lln_sequence_mt(m, s, o->threads, SEQ_STEPS, x, NULL, y, NULL) == LLN_OK;
            if (i >= 0)
                t_ms[i] = (lln_bench_now() - t0) * 1e3;
            if (i >= 0 && watch)
                lln_moment_sample(&r->mo);
            acc += y[rows * (size_t)O - 1];
        }
        if (ok && watch) {
            lln_moment_end(&r->mo, o->cores);
            ok = one_thread_call(m, s, x, y, &r->ms_one);
        }
    }
    if (ok) {
        r->ms_min = min_of(t_ms, runs);
        r->ms_med = median(t_ms, runs);
        r->checksum += acc;
    }
    lln_state_free(s);
    free(x);
    free(y);
    return ok;
}

/* ---- environment ---------------------------------------------------------------------------- */

/* "model name (family F model M), N logical CPUs" from /proc/cpuinfo; "unknown" elsewhere. */
static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[4096], name[256] = "unknown", fam[32] = "?", mod[32] = "?";
    int cpus = 0, simd = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *v = strchr(line, ':');
        if (v == NULL)
            continue;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        if (strncmp(line, "processor", 9) == 0)
            cpus++;
        else if (cpus == 1 && strncmp(line, "model name", 10) == 0)
            snprintf(name, sizeof name, "%s", v);
        else if (cpus == 1 && strncmp(line, "cpu family", 10) == 0)
            snprintf(fam, sizeof fam, "%s", v);
        else if (cpus == 1 && strncmp(line, "model\t", 6) == 0)
            snprintf(mod, sizeof mod, "%s", v);
        else if (cpus == 1 && strncmp(line, "flags", 5) == 0)
            simd = strstr(v, "avx512f") ? 512 : strstr(v, "avx2") ? 256 : 128;
    }
    fclose(f);
    name[strcspn(name, "\n")] = '\0';
    fam[strcspn(fam, "\n")] = '\0';
    mod[strcspn(mod, "\n")] = '\0';
    snprintf(buf, n, "%s (family %s model %s), %d logical CPUs, widest SIMD in flags: %s", name,
             fam, mod, cpus,
             simd == 512   ? "AVX-512"
             : simd == 256 ? "AVX2"
             : simd == 128 ? "SSE"
                           : "?");
}

static const char *compiler(void)
{
    static char buf[160];
#if defined(__clang__)
    snprintf(buf, sizeof buf, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(buf, sizeof buf, "gcc %s", __VERSION__);
#else
    snprintf(buf, sizeof buf, "unknown C compiler");
#endif
    for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
        buf[n - 1] = '\0';
    return buf;
}

/* The vector path src/common/mathfn.h selects for this build. */
static const char *isa(void)
{
#if defined(__AVX512F__)
    return "AVX-512 kernels (16 floats)";
#elif defined(__AVX2__)
    return "AVX2 kernels (8 floats)";
#elif defined(__SSE2__) || defined(_M_X64)
    return "SSE2 kernels (4 floats)";
#else
    return "plain C kernels";
#endif
}

static const char *flag_avx2(void)
{
#ifdef __AVX2__
    return "yes";
#else
    return "no";
#endif
}

static const char *flag_avx512(void)
{
#ifdef __AVX512F__
    return "yes";
#else
    return "no";
#endif
}

static const char *flag_fma(void)
{
#ifdef __FMA__
    return "yes";
#else
    return "no";
#endif
}

static const char *optimized(void)
{
#ifdef __OPTIMIZE__
    return "yes";
#else
    return "NO (debug build: numbers are meaningless)";
#endif
}

/* s as a JSON string literal (quotes, backslashes and control characters escaped). */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* ---- main --------------------------------------------------------------------------------- */

/* "12.3x" or "-" when ncps was not measured. */
static const char *ratio_str(double ncps, double ours, char *buf, size_t n)
{
    if (ncps > 0)
        snprintf(buf, n, "%.1fx", ncps / ours);
    else
        snprintf(buf, n, "-");
    return buf;
}

/* What the two-thread batched calls got from the machine (bench_moment.h), one line per model:
 * the two-core FMA ratio, the calls after which our threads shared a CPU, CPU pressure, steal,
 * and the limit with the FMA throughput the cores gave then (limit x the ratio, when above 1),
 * so that a slow run shows whether the machine or our threads were the cause. */
static void print_moment(const result_t *res, int cores)
{
    printf("the machine during the batched calls (%d cores; bench/bench_moment.h)\n", cores);
    printf("  %-11s %9s %9s %8s %9s %9s %6s %6s %11s   %s\n", "model", "ours", "1 thread",
           "speedup", "2-core", "one CPU", "press", "steal", "limit then", "during the calls");
    for (size_t k = 0; k < N_MODELS; k++) {
        const result_t *r = &res[k];
        const lln_moment_t *mo = &r->mo;
        if (r->skip)
            continue;
        if (mo->fma_ratio < 0 && mo->calls == 0) {
            printf("  %-11s %9.3f   not measured (needs Linux: CPU affinity and /proc)\n",
                   MODELS[k].id, r->ms_med);
            continue;
        }
        char fr[16], oc[16], pr[16], st[24], why[96];
        double scale = mo->fma_ratio > 1.05 ? mo->fma_ratio : 1; /* above the noise */
        snprintf(fr, sizeof fr, "-");
        snprintf(pr, sizeof pr, "-");
        snprintf(st, sizeof st, "-");
        if (mo->fma_ratio > 0)
            snprintf(fr, sizeof fr, "%.2fx", mo->fma_ratio);
        if (mo->pressure >= 0)
            snprintf(pr, sizeof pr, "%.0f%%", 100 * mo->pressure);
        if (mo->steal >= 0)
            snprintf(st, sizeof st, "%lld", mo->steal);
        snprintf(oc, sizeof oc, "%d/%d", mo->one_cpu, mo->calls);
        int host = mo->fma_ratio > 1.15, shared = 4 * mo->one_cpu > mo->calls,
            busy = mo->pressure > 0.35;
        snprintf(why, sizeof why, "%s%s%s%s", host ? "cores slowed by the host; " : "",
                 shared ? "our threads shared a CPU; " : "",
                 busy && !shared ? "a task waited for a CPU; " : "",
                 !host && !shared && !busy ? "all cores free" : "NOT all cores free");
        printf("  %-11s %9.3f %9.3f %7.2fx %9s %9s %6s %6s %11.3f   %s\n", MODELS[k].id, r->ms_med,
               r->ms_one, r->ms_one > 0 ? r->ms_one / r->ms_med : 0.0, fr, oc, pr, st,
               r->lim_ms * scale, why);
    }
    printf("1 thread: the same call on one thread right before and after (the faster); speedup: "
           "1 thread / ours.\n");
    printf("2-core: the slowest of %d FMA bursts pinned one per CPU at once over one burst alone "
           "(1.00x: full\ncores), median of 5 pairs before and 5 after the calls; one CPU: calls "
           "after which two of our\nthreads had last run on the same CPU; press: share of the "
           "calls' time a ready task waited for\na CPU (/proc/pressure/cpu); steal: host ticks "
           "(/proc/stat); limit then: the limit x the 2-core\nratio when above 1.05.\n\n",
           cores);
}

/* One mode's table: model, ncps, ours, ratio, limit (bound), ours / limit, the goal. */
static void print_mode(const char *title, const char *unit, int batch, const result_t *res,
                       double goal_ratio)
{
    printf("%s (%s)\n", title, unit);
    printf("  %-11s %10s %10s %8s %10s %5s %10s   %s\n", "model", "ncps", "ours", "ratio", "limit",
           "bound", "ours/limit", "goal (ratio >= goal or at the limit)");
    for (size_t k = 0; k < N_MODELS; k++) {
        const result_t *r = &res[k];
        if (r->skip)
            continue;
        double ncps = batch ? r->ncps_ms : r->ncps_us, ours = batch ? r->ms_med : r->us_med;
        double lim = batch ? r->lim_ms : r->lim_us;
        char rb[32], nb[32], gb[96];
        if (ncps > 0)
            snprintf(nb, sizeof nb, "%.3f", ncps);
        else
            snprintf(nb, sizeof nb, "-");
        if (ncps <= 0)
            snprintf(gb, sizeof gb, "no ncps number: not judged");
        else if (ncps / lim < goal_ratio) /* even the limit cannot reach it */
            snprintf(gb, sizeof gb, "%.0fx impossible (ncps/limit %.1fx); limit %s", goal_ratio,
                     ncps / lim, ours / lim <= GOAL_LIMIT ? "met" : "NOT met");
        else
            snprintf(gb, sizeof gb, ">= %.0fx %s; <= %.1fx limit %s", goal_ratio,
                     ncps / ours >= goal_ratio ? "met" : "NOT met", GOAL_LIMIT,
                     ours / lim <= GOAL_LIMIT ? "met" : "NOT met");
        printf("  %-11s %10s %10.3f %8s %10.3f %5s %9.1fx   %s\n", MODELS[k].id, nb, ours,
               ratio_str(ncps, ours, rb, sizeof rb), lim, batch ? r->bound_b : r->bound_s,
               ours / lim, gb);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    opts_t o = {0, 0, 1, SEQ_BATCH, 1, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o.quick = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[i], "--ncps") == 0 && i + 1 < argc) {
            o.ncps = argv[++i];
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            o.model = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            o.threads = lln_bench_int(v);
            if (strspn(v, "0123456789") != strlen(v) || v[0] == '\0' || o.threads < 0 ||
                o.threads > LLN_MAX_THREADS || (o.threads == 0 && strcmp(v, "0") != 0)) {
                fprintf(stderr, "bench_speed: --threads '%s': want 0 (every online CPU) .. %d\n", v,
                        LLN_MAX_THREADS);
                return 1;
            }
        } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            o.batch = lln_bench_int(v);
            if (strspn(v, "0123456789") != strlen(v) || v[0] == '\0' || o.batch < 1 ||
                o.batch > MAX_BATCH) {
                fprintf(stderr, "bench_speed: --batch '%s': want 1 .. %d sequences\n", v,
                        MAX_BATCH);
                return 1;
            }
        } else {
            fprintf(stderr,
                    "usage: %s [--quick] [--json] [--ncps FILE] [--model ID] [--threads N] "
                    "[--batch B]\n",
                    argv[0]);
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 0 : 1;
        }
    }
    if (o.ncps != NULL && o.batch != SEQ_BATCH) {
        fprintf(stderr,
                "bench_speed: --batch %d with --ncps: ncps's numbers are for %d sequences\n",
                o.batch, SEQ_BATCH);
        return 1;
    }
    int cpus = lln_bench_online_cpus();
    if (o.threads == 0)
        o.threads = cpus < LLN_MAX_THREADS ? cpus : LLN_MAX_THREADS;
    o.cores = o.threads < cpus ? o.threads : cpus;
    lln_ncps_t nc;
    memset(&nc, 0, sizeof nc);
    if (o.ncps != NULL && !lln_ncps_load(o.ncps, &nc))
        return 1;
    char cpu[512];
    cpu_model(cpu, sizeof cpu);
    lln_machine_t mc;
    lln_machine_measure(&mc);
    result_t res[N_MODELS];
    memset(res, 0, sizeof res);
    for (size_t k = 0; k < N_MODELS; k++) {
        lln_model_t *m = NULL;
        lln_error_t err;
        result_t *r = &res[k];
        if (o.model != NULL && strcmp(o.model, MODELS[k].id) != 0) {
            r->skip = 1;
            continue;
        }
        if (lln_anchor_model(MODELS[k].id, &m, &err) != LLN_OK) {
            fprintf(stderr, "bench_speed: %s: %s\n", MODELS[k].id, err.msg);
            return 1;
        }
        if (!bench_stream(m, &o, r) || !bench_batch(m, &o, r) || !isfinite(r->checksum)) {
            fprintf(stderr, "bench_speed: %s: step failed or produced non-finite output\n",
                    MODELS[k].id);
            lln_model_free(m);
            return 1;
        }
        r->lim_us = 1e6 * lln_machine_limit(&mc, m, 1, 1, 1, 1, &r->bound_s);
        r->lim_ms = 1e3 * lln_machine_limit(&mc, m, o.batch * SEQ_STEPS, 1, SEQ_STEPS, o.cores,
                                            &r->bound_b);
        r->ncps_us = lln_ncps_get(&nc, MODELS[k].id, LLN_NCPS_STREAM);
        r->ncps_ms = lln_ncps_get(&nc, MODELS[k].id, LLN_NCPS_BATCH);
        lln_model_free(m);
    }

    int all_stream = 1, all_batch = 1, have = nc.loaded;
    int any = 0;
    for (size_t k = 0; k < N_MODELS; k++) {
        if (res[k].skip)
            continue;
        any = 1;
        all_stream &= res[k].ncps_us / res[k].us_med >= GOAL_STREAM_RATIO;
        all_batch &= res[k].ncps_ms / res[k].ms_med >= GOAL_BATCH_RATIO;
    }
    if (!any) {
        fprintf(stderr,
                "bench_speed: --model %s: no such model (ltc_ncp19, ltc_fc32, cfc32, "
                "cfc64, wcfc_ncp19)\n",
                o.model);
        return 1;
    }
    int ncp_ok = res[0].us_med <= GOAL_NCP19_US;

    if (o.json) {
        printf("{\n  \"liquid_edge\": ");
        json_str(lln_version());
        printf(",\n  \"compiler\": ");
        json_str(compiler());
        printf(",\n");
        printf("  \"optimized\": %s, \"avx2\": %s, \"avx512f\": %s, \"fma\": %s,\n",
               optimized()[0] == 'y' ? "true" : "false", flag_avx2()[0] == 'y' ? "true" : "false",
               flag_avx512()[0] == 'y' ? "true" : "false", flag_fma()[0] == 'y' ? "true" : "false");
        printf("  \"cpu\": ");
        json_str(cpu);
        printf(",\n  \"machine\": {\"ghz\": %.3f, \"vector_bits\": %d, \"gflops\": %.2f, "
               "\"l1_gbs\": %.1f, \"l2_gbs\": %.1f, \"l1_kib\": %zu, \"l2_kib\": %zu},\n",
               mc.hz * 1e-9, mc.vec_bytes * 8, mc.flops * 1e-9, mc.l1_bps * 1e-9, mc.l2_bps * 1e-9,
               mc.l1_bytes / 1024, mc.l2_bytes / 1024);
        printf("  \"ncps_same_run\": %s, \"ncps_threads\": %d, \"ncps_stream_threads\": %d, "
               "\"batch_threads\": %d, \"limit_cores\": %d, \"batch\": %d,\n",
               have ? "true" : "false", nc.threads, nc.stream_threads, o.threads, o.cores, o.batch);
        printf("  \"quick\": %s, \"stream_blocks\": %d, \"stream_steps_per_block\": %d, "
               "\"batch_runs\": %d,\n  \"models\": [\n",
               o.quick ? "true" : "false", o.quick ? 5 : STREAM_BLOCKS,
               o.quick ? 1000 : STREAM_STEPS, o.quick ? 5 : BATCH_RUNS);
        const char *sep = "";
        for (size_t k = 0; k < N_MODELS; k++) {
            const result_t *r = &res[k];
            if (r->skip)
                continue;
            printf("%s    {\"id\": \"%s\", \"model\": \"%s\", \"stream_us\": %.4f, "
                   "\"stream_us_min\": %.4f, \"ncps_stream_us\": %.4f, \"stream_limit_us\": %.4f, "
                   "\"batch_ms\": %.4f, \"batch_ms_min\": %.4f, \"ncps_batch_ms\": %.4f, "
                   "\"batch_limit_ms\": %.4f, \"batch_fma2_ratio\": %.3f, \"batch_one_cpu\": %d, "
                   "\"batch_calls_sampled\": %d, \"batch_cpu_pressure\": %.3f, "
                   "\"batch_steal_ticks\": %lld, \"batch_one_thread_ms\": %.4f}",
                   sep, MODELS[k].id, MODELS[k].desc, r->us_med, r->us_min, r->ncps_us, r->lim_us,
                   r->ms_med, r->ms_min, r->ncps_ms, r->lim_ms, r->mo.fma_ratio, r->mo.one_cpu,
                   r->mo.calls, r->mo.pressure, r->mo.steal, r->ms_one);
            sep = ",\n";
        }
        printf("\n  ]\n}\n");
        return 0;
    }

    printf("liquid-edge %s float32 inference speed (streaming 1 thread, batched %d)%s\n",
           lln_version(), o.threads, o.quick ? " [--quick]" : "");
    printf("compiler : %s\n", compiler());
    printf("build    : optimized %s; __AVX2__ %s, __AVX512F__ %s, __FMA__ %s -> %s\n", optimized(),
           flag_avx2(), flag_avx512(), flag_fma(), isa());
    printf("cpu      : %s\n", cpu);
    lln_machine_print(&mc);
    printf("method   : streaming = lln_step batch 1, dt 1, median of %d blocks x %d steps;\n"
           "           batch = lln_sequence_mt %d x %d x 8 on %d thread(s), median of %d runs\n",
           o.quick ? 5 : STREAM_BLOCKS, o.quick ? 1000 : STREAM_STEPS, o.batch, SEQ_STEPS,
           o.threads, o.quick ? 5 : BATCH_RUNS);
    if (have) {
        printf("ncps     : measured in this run by bench/ncps_bench.py (torch %s), streaming %d "
               "thread(s), batched %d; ours: streaming 1, batched %d\n",
               nc.torch, nc.stream_threads, nc.threads, o.threads);
        if (nc.stream_threads != 1 || nc.threads != o.threads)
            printf("*** THREAD COUNTS DIFFER between ncps and ours: not a same-thread comparison "
                   "***\n");
        printf("\n");
    } else
        printf("\n*** NO COMPARISON WITH ncps WAS MADE: no ncps numbers from this run (--ncps "
               "FILE;\n*** `make bench` measures them when python3 can import torch). The "
               "ratio columns are empty. ***\n\n");
    print_mode("streaming, one step at batch 1", "us/step", 0, res, GOAL_STREAM_RATIO);
    char title[64];
    snprintf(title, sizeof title, "batched, %d sequences x %d steps", o.batch, SEQ_STEPS);
    print_mode(title, "ms/batch", 1, res, GOAL_BATCH_RATIO);
    if (o.cores > 1)
        print_moment(res, o.cores);
    printf("limit: max(FLOP at the measured FMA peak, the float32 weights read from the cache "
           "that holds\nthem) on 1 core streaming and %d batched; a MAC is 2 FLOP and a "
           "transcendental %.0f.\nGoals: streaming >= %.0fx ncps (%s), batched >= %.0fx ncps (%s), "
           "every model <= %.1fx its\nlimit; ltc_ncp19 <= %.0f us/step: %.3f us => %s. Timings "
           "vary +-20-40%% run to run on shared\nmachines.\n",
           o.cores, LLN_BENCH_TRANSC_FLOP, GOAL_STREAM_RATIO,
           have ? (all_stream ? "met" : "NOT met") : "not judged", GOAL_BATCH_RATIO,
           have ? (all_batch ? "met" : "NOT met") : "not judged", GOAL_LIMIT, GOAL_NCP19_US,
           res[0].us_med,
           res[0].skip ? "not run"
           : ncp_ok    ? "met"
                       : "NOT met");
    return 0;
}
