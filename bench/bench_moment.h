/* What the machine gave a batched measurement at the moment it ran (bench_speed.c). On a
 * shared or virtual machine two threads do not always get two cores: another process may take
 * one, the guest's scheduler may put both of our threads on one CPU, or the host may run the
 * guest's two virtual CPUs on one physical core. Each of these makes a two-thread figure look
 * like a one-thread one, so the benchmark reports, right next to each batched measurement:
 *
 *   two-core FMA  the same fixed burst of fused multiply-adds (bench_common.h's peak loop,
 *                 ~0.3 ms) on one thread, then on one thread per core pinned to distinct CPUs
 *                 at once: the slowest pinned thread's time over the one-thread time, median
 *                 of 5 such pairs right before the warm-up call and 5 right after the timed
 *                 calls (not between calls: pinned threads there would move the pool's). 1.00: the
 *                 machine gave every core in full; 2.00 with two cores: the two together got
 *                 one core's worth (host-side, invisible to the guest's scheduler);
 *   one CPU       after each timed call, whether two of the process's threads last ran on the
 *                 same CPU (/proc/self/task/TID/stat, field 39): the guest put the caller and a
 *                 worker of lln_sequence_mt on one CPU;
 *   pressure      /proc/pressure/cpu "some" during the timed calls: the share of their time in
 *                 which a ready task (ours or another process's) waited for a CPU;
 *   steal         /proc/stat steal ticks during the calls (time the host ran something else
 *                 while a virtual CPU of this guest was ready).
 *
 * Linux only (sched affinity, /proc); elsewhere every figure is "not measured" (negative).
 * Header-only, like bench_common.h. Needs _GNU_SOURCE before the first system header. */
#ifndef LLN_BENCH_MOMENT_H
#define LLN_BENCH_MOMENT_H

#include "bench_common.h"

typedef struct lln_moment {
    double fma_ratio; /* two-core FMA: pinned pair / one thread, median; < 0: not measured */
    int one_cpu;      /* timed calls after which two of our threads had last run on one CPU */
    int calls;        /* timed calls sampled for one_cpu (0: not measured) */
    double pressure;  /* share of the calls' time with a task waiting for a CPU; < 0: n/a */
    long long steal;  /* steal ticks during the calls; < 0: not measured */
    long long psi0;   /* internal: PSI total at the start (µs) */
    long long steal0; /* internal: steal at the start */
    double t0;        /* internal: start of the calls (s) */
    double before[5]; /* internal: the pairs before the calls */
} lln_moment_t;

#if defined(__linux__)
#include <dirent.h>
#include <pthread.h>
#include <sched.h>

#ifndef LLN_MOMENT_ITERS
#define LLN_MOMENT_ITERS 25000L /* x 12 FMAs: ~0.3 ms at one vector FMA per cycle */
#endif
#define LLN_MOMENT_MAX_CORES 64

/* One burst of the peak loop: seconds. */
static inline double lln_moment_burst(void) { return lln_bench_fma_burst(LLN_MOMENT_ITERS); }

typedef struct lln_moment_thr {
    pthread_t id;
    int cpu, ok;
    volatile int *ready;
    int n;
    double t;
} lln_moment_thr_t;

static inline void *lln_moment_run(void *arg)
{
    lln_moment_thr_t *th = arg;
    (void)__atomic_add_fetch(th->ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(th->ready, __ATOMIC_SEQ_CST) < th->n) /* start together */
        ;
    th->t = lln_moment_burst();
    return NULL;
}

/* One burst on one thread, then one per core pinned to distinct allowed CPUs at once: the
 * slowest pinned thread over the one-thread time; < 0 when fewer than `cores` CPUs are allowed
 * or a thread cannot be started. */
static inline double lln_moment_pair(int cores)
{
    cpu_set_t allowed;
    if (cores < 2 || cores > LLN_MOMENT_MAX_CORES ||
        sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return -1;
    int cpu[LLN_MOMENT_MAX_CORES], n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < cores; c++)
        if (CPU_ISSET(c, &allowed))
            cpu[n++] = c;
    if (n < cores)
        return -1;
    double one = lln_moment_burst();
    lln_moment_thr_t th[LLN_MOMENT_MAX_CORES];
    volatile int ready = 0;
    int started = 0, ok = 1;
    for (int k = 0; k < cores; k++) {
        pthread_attr_t at;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu[k], &set);
        th[k] = (lln_moment_thr_t){.cpu = cpu[k], .ready = &ready, .n = cores, .t = 0};
        if (pthread_attr_init(&at) != 0) {
            ok = 0;
            break;
        }
        th[k].ok = pthread_attr_setaffinity_np(&at, sizeof set, &set) == 0 &&
                   pthread_create(&th[k].id, &at, lln_moment_run, &th[k]) == 0;
        pthread_attr_destroy(&at);
        if (!th[k].ok) {
            ok = 0;
            break;
        }
        started++;
    }
    if (!ok) /* let the started ones go: they wait for `cores` arrivals */
        __atomic_store_n(&ready, cores, __ATOMIC_SEQ_CST);
    double worst = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(th[k].id, NULL);
        worst = th[k].t > worst ? th[k].t : worst;
    }
    return ok && one > 0 ? worst / one : -1;
}

/* CPU pressure "some" total (µs) from /proc/pressure/cpu, or -1. */
static inline long long lln_moment_psi(void)
{
    FILE *f = fopen("/proc/pressure/cpu", "r");
    char line[256];
    long long t = -1;
    if (f != NULL && fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "total=");
        if (p != NULL)
            t = strtoll(p + 6, NULL, 10);
    }
    if (f != NULL)
        fclose(f);
    return t;
}

/* The steal ticks of all CPUs from /proc/stat (the 8th number of the "cpu" line), or -1. */
static inline long long lln_moment_steal(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[512];
    long long st = -1;
    if (f != NULL && fgets(line, sizeof line, f) != NULL && strncmp(line, "cpu ", 4) == 0) {
        char *p = line + 4, *end = p;
        int k = 0;
        long long v = 0;
        for (; k < 8; k++, p = end) {
            errno = 0;
            v = strtoll(p, &end, 10);
            if (end == p || errno != 0)
                break;
        }
        if (k == 8)
            st = v;
    }
    if (f != NULL)
        fclose(f);
    return st;
}

/* 1 when two of this process's threads last ran on the same CPU, 0 when not, -1 unknown. */
static inline int lln_moment_one_cpu(void)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return -1;
    int seen[LLN_MOMENT_MAX_CORES * 4], n = 0, same = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < (int)(sizeof seen / sizeof seen[0])) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        char *s = fgets(buf, sizeof buf, f) != NULL ? strrchr(buf, ')') : NULL;
        fclose(f);
        if (s == NULL)
            continue;
        /* fields after the command: state is field 3, the last CPU field 39 */
        int field = 2, cpu = -1;
        for (char *p = s + 1; *p != '\0' && cpu < 0; p++)
            if (*p == ' ' && ++field == 39)
                cpu = (int)strtol(p + 1, NULL, 10);
        if (cpu < 0)
            continue;
        for (int k = 0; k < n; k++)
            same |= seen[k] == cpu;
        seen[n++] = cpu;
    }
    closedir(d);
    return n < 2 ? -1 : same;
}

/* Before the warm-up call (the pinned threads would otherwise disturb the placement of the
 * pool's threads that the timed calls find): the pairs before. */
static inline void lln_moment_begin(lln_moment_t *mo, int cores)
{
    memset(mo, 0, sizeof *mo);
    for (int i = 0; i < 5; i++)
        mo->before[i] = lln_moment_pair(cores);
}

/* Right before the first timed call: the start of pressure and steal. */
static inline void lln_moment_start(lln_moment_t *mo)
{
    mo->psi0 = lln_moment_psi();
    mo->steal0 = lln_moment_steal();
    mo->t0 = lln_bench_now();
}

/* After each timed call. */
static inline void lln_moment_sample(lln_moment_t *mo)
{
    int s = lln_moment_one_cpu();
    if (s >= 0) {
        mo->calls++;
        mo->one_cpu += s;
    }
}

/* After the timed calls: pressure, steal, and the pairs after. */
static inline void lln_moment_end(lln_moment_t *mo, int cores)
{
    double wall = lln_bench_now() - mo->t0;
    long long psi = lln_moment_psi(), st = lln_moment_steal();
    mo->pressure =
        psi >= 0 && mo->psi0 >= 0 && wall > 0 ? 1e-6 * (double)(psi - mo->psi0) / wall : -1;
    mo->steal = st >= 0 && mo->steal0 >= 0 ? st - mo->steal0 : -1;
    double v[10];
    int n = 0;
    for (int i = 0; i < 5; i++)
        if (mo->before[i] > 0)
            v[n++] = mo->before[i];
    for (int i = 0; i < 5; i++) {
        double r = lln_moment_pair(cores);
        if (r > 0)
            v[n++] = r;
    }
    if (n > 0) {
        qsort(v, (size_t)n, sizeof *v, lln_bench_cmp_double);
        mo->fma_ratio = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    } else {
        mo->fma_ratio = -1;
    }
}
#else
static inline void lln_moment_begin(lln_moment_t *mo, int cores)
{
    (void)cores;
    memset(mo, 0, sizeof *mo);
}
static inline void lln_moment_start(lln_moment_t *mo) { (void)mo; }
static inline void lln_moment_sample(lln_moment_t *mo) { (void)mo; }
static inline void lln_moment_end(lln_moment_t *mo, int cores)
{
    (void)cores;
    mo->fma_ratio = -1;
    mo->pressure = -1;
    mo->steal = -1;
}
#endif

#endif
