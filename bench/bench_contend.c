/* bench_contend: why two-thread batched runs are sometimes no faster than one thread.
 *
 *   bench_contend [--model ID] [--rounds N]   alternating blocks of 21 lln_sequence_mt calls
 *   bench_contend --machine SECONDS           the machine alone: the two-core FMA ratio
 *
 * The first form runs, N rounds (default 5), three blocks of 21 calls of the 64 x 100 x 8
 * batch of bench_speed (model ID, default cfc32): on one thread; on two threads; on two
 * threads while a competing process (a forked child in a busy loop) runs. Per block: the
 * median, min and max call in ms, the calls after which two of our threads had last run on
 * the same CPU, and the CPU pressure during the block (bench_moment.h).
 * The second form repeats bench_moment.h's pinned two-core FMA pair in blocks of 21 for
 * SECONDS seconds and prints each block's median ratio (1.00: the two cores gave two cores'
 * worth of multiply-adds; 2.00: one core's worth), steal ticks, and a one-line summary.
 * Linux only (fork, CPU affinity, /proc); elsewhere it says so and exits 0. */
#define _GNU_SOURCE /* CPU affinity in bench_moment.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"
#include "anchor_models.h"
#include "bench_common.h"
#include "bench_moment.h"

#define CALLS 21
#define STEPS 100
#define BATCH 64

#if defined(__linux__)
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int machine(double seconds)
{
    int blocks = 0, full = 0, part = 0, one = 0;
    double start = lln_bench_now();
    while (lln_bench_now() - start < seconds) {
        double v[CALLS];
        long long s0 = lln_moment_steal();
        double t = lln_bench_now() - start;
        for (int i = 0; i < CALLS; i++)
            v[i] = lln_moment_pair(2);
        qsort(v, CALLS, sizeof *v, lln_bench_cmp_double);
        if (v[0] < 0) {
            fprintf(stderr, "bench_contend: needs two CPUs this process may run on\n");
            return 1;
        }
        double r = v[CALLS / 2];
        blocks++;
        full += r <= 1.15;
        part += r > 1.15 && r <= 1.8;
        one += r > 1.8;
        printf("%8.3f s  2-core ratio median %.2f [%.2f-%.2f]  steal %lld\n", t, r, v[0],
               v[CALLS - 1], lln_moment_steal() - s0);
    }
    printf("%d blocks of %d pinned pairs: %d at full cores (<= 1.15x), %d partial, %d at one "
           "core's worth (> 1.8x)\n",
           blocks, CALLS, full, part, one);
    return 0;
}

static int contend(const char *id, int rounds)
{
    lln_model_t *m = NULL;
    lln_error_t err;
    if (lln_anchor_model(id, &m, &err) != LLN_OK) {
        fprintf(stderr, "bench_contend: --model %s: %s\n", id, err.msg);
        return 1;
    }
    size_t rows = (size_t)BATCH * STEPS, O = (size_t)lln_model_output_size(m);
    float *x = malloc(rows * LLN_ANCHOR_INPUTS * sizeof *x), *y = malloc(rows * O * sizeof *y);
    lln_state_t *s = NULL;
    int ok = x != NULL && y != NULL && lln_state_create(m, LLN_F32, BATCH, &s) == LLN_OK;
    for (size_t i = 0; ok && i < rows * LLN_ANCHOR_INPUTS; i++)
        x[i] = (float)((i * 7919u) % 1000u) / 1000.0f - 0.5f;
    static const char *name[3] = {"1 thread", "2 threads", "2 threads + a competing process"};
    for (int r = 0; ok && r < rounds; r++)
        for (int mode = 0; ok && mode < 3; mode++) {
            pid_t child = 0;
            if (mode == 2) {
                child = fork();
                if (child == 0) { /* busy until killed; also dies with us, and after 60 s */
                    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                    double born = lln_bench_now();
                    for (volatile unsigned long spin = 0; lln_bench_now() - born < 60; spin++)
                        ;
                    _exit(0);
                }
                if (child < 0) {
                    perror("bench_contend: fork");
                    ok = 0;
                    break;
                }
                usleep(20000); /* the child is running */
            }
            double t[CALLS], wall = 0;
            int same = 0;
            long long p0 = lln_moment_psi();
            for (int i = -1; i < CALLS && ok; i++) {
                lln_state_reset(s);
                double t0 = lln_bench_now();
                ok = lln_sequence_mt(m, s, mode == 0 ? 1 : 2, STEPS, x, NULL, y, NULL) == LLN_OK;
                if (i < 0)
                    continue;
                t[i] = 1e3 * (lln_bench_now() - t0);
                wall += t[i];
                same += mode > 0 && lln_moment_one_cpu() == 1;
            }
            long long p1 = lln_moment_psi();
            if (child > 0) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
            }
            if (!ok)
                break;
            qsort(t, CALLS, sizeof *t, lln_bench_cmp_double);
            printf("%s round %d  %-32s median %6.3f ms [%6.3f-%6.3f]  one CPU %2d/%d  pressure "
                   "%3.0f%%\n",
                   id, r + 1, name[mode], t[CALLS / 2], t[0], t[CALLS - 1], same, CALLS,
                   p0 >= 0 && p1 >= 0 ? 1e-1 * (double)(p1 - p0) / wall : -1.0);
        }
    if (!ok)
        fprintf(stderr, "bench_contend: %s: out of memory or a step failed\n", id);
    lln_state_free(s);
    lln_model_free(m);
    free(x);
    free(y);
    return ok ? 0 : 1;
}
#endif

int main(int argc, char **argv)
{
    const char *id = "cfc32";
    int rounds = 5;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            id = argv[++i];
            static const char *known[] = {"ltc_ncp19", "ltc_fc32", "cfc32", "cfc64", "wcfc_ncp19"};
            int found = 0;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
                found |= strcmp(id, known[k]) == 0;
            if (!found) {
                fprintf(stderr,
                        "bench_contend: --model %s: no such model (ltc_ncp19, ltc_fc32, cfc32, "
                        "cfc64, wcfc_ncp19)\n",
                        id);
                return 1;
            }
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = lln_bench_int(argv[++i]);
            if (rounds < 1 || rounds > 1000) {
                fprintf(stderr, "bench_contend: --rounds '%s': want 1 .. 1000\n", argv[i]);
                return 1;
            }
        } else if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc) {
            char *end;
            seconds = strtod(argv[++i], &end);
            if (*end != '\0' || !(seconds > 0 && seconds <= 600)) {
                fprintf(stderr, "bench_contend: --machine '%s': want seconds in (0, 600]\n",
                        argv[i]);
                return 1;
            }
        } else {
            fprintf(stderr, "usage: %s [--model ID] [--rounds N] | --machine SECONDS\n", argv[0]);
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 0 : 1;
        }
    }
#if defined(__linux__)
    if (lln_bench_online_cpus() < 2) {
        fprintf(stderr, "bench_contend: needs two online CPUs\n");
        return 1;
    }
    return seconds > 0 ? machine(seconds) : contend(id, rounds);
#else
    (void)id;
    (void)rounds;
    (void)seconds;
    printf("bench_contend: needs Linux (fork, CPU affinity, /proc); nothing measured\n");
    return 0;
#endif
}
