/* What the host benchmarks (bench_speed.c, bench_train.c) share: the clock, the ncps numbers
 * of the same run (read from the file bench/ncps_bench.py wrote), and the limit of the machine
 * the benchmark runs on, measured by the benchmark itself:
 *
 *   clock        a chain of dependent integer adds (one cycle each on every current core),
 *                best of several trials: cycles per second;
 *   FMA peak     independent fused multiply-adds on the widest vector type of this build
 *                (AVX-512, AVX2 + FMA, NEON; else plain vector multiply + add), 12 accumulators
 *                so latency never binds, best of several trials: FLOP per second, one core;
 *   L1, L2       a read stream (vector loads summed into 8 accumulators) over a buffer of half
 *                the L1 and half the L2 data cache (sizes from sysfs; 32 KiB / 1 MiB when not
 *                known), best of several trials: bytes per second, one core.
 *
 * The limit of one model and mode is the time the arithmetic needs at the FMA peak or the time
 * its weights need to stream from the cache level that holds them, whichever is longer:
 *   work  = 2 x MACs + LLN_BENCH_TRANSC_FLOP x transcendentals (lln_model_stats), per sample
 *           and step; training counts 3 x the forward work (forward, and the backward pass
 *           that costs about twice the forward);
 *   bytes = the float32 weight tables, read once per step (streaming) or once per step for the
 *           whole batch (batched).
 * These are lower bounds on the time, not predictions. Header-only: static inline functions,
 * so each benchmark program compiles what it uses. */
#ifndef LLN_BENCH_COMMON_H
#define LLN_BENCH_COMMON_H

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__AVX512F__) || defined(__FMA__) || defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#include "lln/model.h"

/* A vectorised exp / tanh / sigmoid: range reduction plus a degree-6 polynomial is about eight
 * fused multiply-adds per element, counted as 16 FLOP. */
#define LLN_BENCH_TRANSC_FLOP 16.0
#define LLN_BENCH_TRIALS 25

static inline double lln_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int lln_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Online logical CPUs (at least 1). */
static inline int lln_bench_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
}

/* ---- the ncps numbers of this run ---------------------------------------------------------- */

enum { LLN_NCPS_STREAM, LLN_NCPS_BATCH, LLN_NCPS_TRAIN, LLN_NCPS_MODES };

typedef struct lln_ncps_row {
    char model[32];
    double v[LLN_NCPS_MODES]; /* stream µs/step, batch ms, train s/epoch; 0 = not measured */
} lln_ncps_row_t;

typedef struct lln_ncps {
    int loaded;
    int threads;        /* torch threads of batch and train */
    int stream_threads; /* torch threads of stream ("# stream threads N"; older files: threads) */
    char torch[64];
    lln_ncps_row_t row[16];
    int n;
} lln_ncps_t;

/* The decimal int at the start of s (after blanks), or 0 if there is none or it is out of
 * range: atoi's result for well-formed text, without its undefined overflow. */
static inline int lln_bench_int(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return end == s || errno != 0 || v < INT_MIN || v > INT_MAX ? 0 : (int)v;
}

/* Reads the file of bench/ncps_bench.py: "# ..." comments (one holds "torch threads N", one
 * "torch V;" and one "stream threads N"), then "ncps<TAB>model<TAB>mode<TAB>value" lines. Returns 0 and prints the
 * problem with file and line on a malformed file. */
static inline int lln_ncps_load(const char *path, lln_ncps_t *nc)
{
    memset(nc, 0, sizeof *nc);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return 0;
    }
    char line[512];
    int ln = 0, ok = 1;
    while (ok && fgets(line, sizeof line, f) != NULL) {
        ln++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            fprintf(stderr, "%s:%d: line longer than %zu bytes\n", path, ln, sizeof line - 2);
            ok = 0;
            break;
        }
        if (line[0] == '#') {
            const char *t = strstr(line, "torch threads ");
            const char *v = strstr(line, "torch ");
            const char *st = strstr(line, "stream threads ");
            if (st != NULL)
                nc->stream_threads = lln_bench_int(st + 15);
            else if (t != NULL)
                nc->threads = lln_bench_int(t + 14);
            else if (v != NULL)
                (void)sscanf(v + 6, "%63[^;\n]", nc->torch);
            continue;
        }
        char tag[16], model[32], mode[16], num[64], *end;
        if (sscanf(line, "%15s %31s %15s %63s", tag, model, mode, num) != 4 ||
            strcmp(tag, "ncps") != 0) {
            fprintf(stderr, "%s:%d: expected \"ncps MODEL MODE VALUE\"\n", path, ln);
            ok = 0;
            break;
        }
        double v = strtod(num, &end);
        int m = strcmp(mode, "stream_us") == 0  ? LLN_NCPS_STREAM
                : strcmp(mode, "batch_ms") == 0 ? LLN_NCPS_BATCH
                : strcmp(mode, "train_s") == 0  ? LLN_NCPS_TRAIN
                                                : -1;
        if (*end != '\0' || !isfinite(v) || v <= 0 || m < 0) {
            fprintf(stderr,
                    "%s:%d: bad mode \"%s\" or value \"%s\" (want stream_us, batch_ms "
                    "or train_s and a positive number)\n",
                    path, ln, mode, num);
            ok = 0;
            break;
        }
        int k = 0;
        while (k < nc->n && strcmp(nc->row[k].model, model) != 0)
            k++;
        if (k == nc->n) {
            if (nc->n == (int)(sizeof nc->row / sizeof nc->row[0])) {
                fprintf(stderr, "%s:%d: too many models\n", path, ln);
                ok = 0;
                break;
            }
            snprintf(nc->row[nc->n++].model, sizeof nc->row[0].model, "%s", model);
        }
        nc->row[k].v[m] = v;
    }
    if (ok && ferror(f)) {
        fprintf(stderr, "%s: read error\n", path);
        ok = 0;
    }
    fclose(f);
    if (ok && nc->threads < 1) {
        fprintf(stderr, "%s: no \"# torch threads N\" line (not written by ncps_bench.py?)\n",
                path);
        ok = 0;
    }
    if (ok && nc->stream_threads < 1)
        nc->stream_threads = nc->threads;
    nc->loaded = ok;
    return ok;
}

/* The ncps number of model and mode from this run, or 0 when there is none. */
static inline double lln_ncps_get(const lln_ncps_t *nc, const char *model, int mode)
{
    for (int k = 0; nc->loaded && k < nc->n; k++)
        if (strcmp(nc->row[k].model, model) == 0)
            return nc->row[k].v[mode];
    return 0.0;
}

/* ---- the machine ------------------------------------------------------------------------- */

typedef struct lln_machine {
    double hz;       /* core clock, cycles per second */
    int vec_bytes;   /* widest vector register of this build */
    int fma;         /* 1 when the peak loop uses fused multiply-add */
    double flops;    /* FMA peak, FLOP per second, one core */
    double l1_bps;   /* L1 read bandwidth, bytes per second, one core */
    double l2_bps;   /* L2 read bandwidth */
    size_t l1_bytes; /* L1 data cache size */
    size_t l2_bytes; /* L2 cache size */
    const char *vec; /* "AVX-512", "AVX2+FMA", "NEON", "generic" */
} lln_machine_t;

#if defined(__AVX512F__)
typedef __m512 lln_bv;
#define LLN_BV_BYTES 64
#define LLN_BV_NAME "AVX-512"
#define LLN_BV_FMA 1
#define lln_bv_set1(x) _mm512_set1_ps(x)
#define lln_bv_fma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define lln_bv_add(a, b) _mm512_add_ps(a, b)
#define lln_bv_load(p) _mm512_loadu_ps(p)
#define lln_bv_sum0(a) _mm512_reduce_add_ps(a)
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 lln_bv;
#define LLN_BV_BYTES 32
#define LLN_BV_NAME "AVX2+FMA"
#define LLN_BV_FMA 1
#define lln_bv_set1(x) _mm256_set1_ps(x)
#define lln_bv_fma(a, b, c) _mm256_fmadd_ps(a, b, c)
#define lln_bv_add(a, b) _mm256_add_ps(a, b)
#define lln_bv_load(p) _mm256_loadu_ps(p)
static inline float lln_bv_sum0(__m256 a)
{
    float t[8];
    _mm256_storeu_ps(t, a);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#elif defined(__ARM_NEON) && defined(__aarch64__)
typedef float32x4_t lln_bv;
#define LLN_BV_BYTES 16
#define LLN_BV_NAME "NEON"
#define LLN_BV_FMA 1
#define lln_bv_set1(x) vdupq_n_f32(x)
#define lln_bv_fma(a, b, c) vfmaq_f32(c, a, b)
#define lln_bv_add(a, b) vaddq_f32(a, b)
#define lln_bv_load(p) vld1q_f32(p)
#define lln_bv_sum0(a) vaddvq_f32(a)
#else
typedef float lln_bv;
#define LLN_BV_BYTES 4
#define LLN_BV_NAME "scalar"
#define LLN_BV_FMA 0
#define lln_bv_set1(x) (x)
#define lln_bv_fma(a, b, c) ((a) * (b) + (c))
#define lln_bv_add(a, b) ((a) + (b))
#define lln_bv_load(p) (*(p))
#define lln_bv_sum0(a) (a)
#endif

/* Cycles per second: 8 dependent adds per iteration, each an opaque register to the compiler
 * (the empty asm), so nothing folds and each add waits for the previous one. */
static inline double lln_machine_clock(void)
{
    double best = 0;
    for (int t = 0; t < LLN_BENCH_TRIALS; t++) {
        unsigned long x = (unsigned long)t;
        const long iters = 500000;
        double t0 = lln_bench_now();
        for (long i = 0; i < iters; i++) {
            for (int k = 0; k < 8; k++) { /* unrolled by the compiler; the chain stays */
                x += 1;
                __asm__ volatile("" : "+r"(x));
            }
        }
        double dt = lln_bench_now() - t0;
        if (x == 1) /* never: keeps x live */
            puts("");
        double hz = 8.0 * (double)iters / dt;
        best = hz > best ? hz : best;
    }
    return best;
}

/* Seconds of one burst of the peak loop: 12 independent accumulators, acc = acc * a + b,
 * iters times (2 x 12 x lanes x iters FLOP). */
static inline double lln_bench_fma_burst(long iters)
{
    lln_bv acc[12], a = lln_bv_set1(0.999999f), b = lln_bv_set1(1e-7f);
    for (int k = 0; k < 12; k++)
        acc[k] = lln_bv_set1((float)k);
    double t0 = lln_bench_now();
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < 12; k++)
            acc[k] = lln_bv_fma(acc[k], a, b);
    double dt = lln_bench_now() - t0;
    lln_bv s = acc[0];
    for (int k = 1; k < 12; k++)
        s = lln_bv_add(s, acc[k]);
    if (lln_bv_sum0(s) == -1.0f) /* never: keeps the loop */
        puts("");
    return dt;
}

/* FLOP per second: the best of LLN_BENCH_TRIALS bursts. */
static inline double lln_machine_fma_peak(void)
{
    double best = 0;
    const int lanes = LLN_BV_BYTES / 4;
    const long iters = 300000;
    for (int t = 0; t < LLN_BENCH_TRIALS; t++) {
        double f = 2.0 * 12.0 * lanes * (double)iters / lln_bench_fma_burst(iters);
        best = f > best ? f : best;
    }
    return best;
}

/* Read bandwidth over a buffer of `bytes`, bytes per second. */
static inline double lln_machine_read_bw(size_t bytes)
{
    size_t n = bytes / sizeof(float);
    const size_t step = (size_t)LLN_BV_BYTES / 4 * 8;
    n -= n % step;
    float *buf = malloc(n * sizeof *buf);
    if (buf == NULL || n == 0) {
        free(buf);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (float)(i & 7) * 0.125f;
    long passes = (long)(20000000.0 / (double)(n * sizeof *buf)) + 1;
    double best = 0;
    float sink = 0;
    for (int t = 0; t < LLN_BENCH_TRIALS; t++) {
        lln_bv acc[8];
        for (int k = 0; k < 8; k++)
            acc[k] = lln_bv_set1(0.0f);
        double t0 = lln_bench_now();
        for (long p = 0; p < passes; p++)
            for (size_t i = 0; i < n; i += step)
                for (int k = 0; k < 8; k++)
                    acc[k] =
                        lln_bv_add(acc[k], lln_bv_load(buf + i + (size_t)k * (LLN_BV_BYTES / 4)));
        double dt = lln_bench_now() - t0;
        for (int k = 1; k < 8; k++)
            acc[0] = lln_bv_add(acc[0], acc[k]);
        sink += lln_bv_sum0(acc[0]);
        double bw = (double)passes * (double)(n * sizeof *buf) / dt;
        best = bw > best ? bw : best;
    }
    free(buf);
    if (sink == -1.0f) /* never: keeps the loads */
        puts("");
    return best;
}

/* Size of cache `level` (1 = L1 data, 2 = L2) of CPU 0 from sysfs, or 0. */
static inline size_t lln_machine_cache(int level)
{
    for (int i = 0; i < 8; i++) {
        char p[128], buf[64];
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        FILE *f = fopen(p, "r");
        if (f == NULL)
            break;
        int lv = fgets(buf, sizeof buf, f) != NULL ? lln_bench_int(buf) : 0;
        fclose(f);
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        f = fopen(p, "r");
        int data = 0;
        if (f != NULL) {
            data = fgets(buf, sizeof buf, f) != NULL && strncmp(buf, "Instruction", 11) != 0;
            fclose(f);
        }
        if (lv != level || !data)
            continue;
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        f = fopen(p, "r");
        if (f == NULL)
            continue;
        char *end = buf;
        unsigned long long kb = 0;
        if (fgets(buf, sizeof buf, f) != NULL) {
            errno = 0;
            kb = strtoull(buf, &end, 10);
        }
        if (end != buf && errno == 0) { /* "32K": a number, then K (KiB) or M (MiB) */
            fclose(f);
            int unit = *end != '\0' ? *end : 'K';
            return (size_t)kb * (unit == 'M' ? (size_t)1024 * 1024 : unit == 'K' ? 1024u : 1u);
        }
        fclose(f);
    }
    return 0;
}

static inline void lln_machine_measure(lln_machine_t *mc)
{
    memset(mc, 0, sizeof *mc);
    mc->vec_bytes = LLN_BV_BYTES;
    mc->vec = LLN_BV_NAME;
    mc->fma = LLN_BV_FMA;
    mc->l1_bytes = lln_machine_cache(1);
    mc->l2_bytes = lln_machine_cache(2);
    if (mc->l1_bytes == 0)
        mc->l1_bytes = (size_t)32 * 1024;
    if (mc->l2_bytes <= mc->l1_bytes)
        mc->l2_bytes = (size_t)1024 * 1024;
    mc->hz = lln_machine_clock();
    mc->flops = lln_machine_fma_peak();
    mc->l1_bps = lln_machine_read_bw(mc->l1_bytes / 2);
    mc->l2_bps = lln_machine_read_bw(mc->l2_bytes / 2);
}

static inline void lln_machine_print(const lln_machine_t *mc)
{
    printf("machine  : clock %.2f GHz (dependent-add chain); vector %d bit (%s); FMA peak %.1f "
           "GFLOP/s\n           = %.1f FLOP/cycle per core; L1 %zu KiB read %.0f GB/s (%.1f "
           "B/cycle); L2 %zu KiB read %.0f GB/s (%.1f B/cycle)\n",
           mc->hz * 1e-9, mc->vec_bytes * 8, mc->vec, mc->flops * 1e-9, mc->flops / mc->hz,
           mc->l1_bytes / 1024, mc->l1_bps * 1e-9, mc->l1_bps / mc->hz, mc->l2_bytes / 1024,
           mc->l2_bps * 1e-9, mc->l2_bps / mc->hz);
}

/* The limit of one model, in seconds: `samples` forward sample-steps of the model (times
 * `work_factor`: 1 inference, 3 training) on `cores` cores, with the weights read `weight_reads`
 * times. *bound is set to "FLOP" or the cache level whose bandwidth binds. */
static inline double lln_machine_limit(const lln_machine_t *mc, const lln_model_t *m,
                                       double samples, double work_factor, double weight_reads,
                                       int cores, const char **bound)
{
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    double flop = (2.0 * (double)st.macs + LLN_BENCH_TRANSC_FLOP * (double)st.transcendentals) *
                  samples * work_factor;
    double t_flop = flop / (mc->flops * cores);
    int in_l1 = st.weight_bytes_f32 <= mc->l1_bytes;
    double bw = in_l1 ? mc->l1_bps : mc->l2_bps;
    double t_mem = (double)st.weight_bytes_f32 * weight_reads / (bw * cores);
    *bound = t_flop >= t_mem ? "FLOP" : in_l1 ? "L1" : "L2";
    return t_flop >= t_mem ? t_flop : t_mem;
}

#endif
