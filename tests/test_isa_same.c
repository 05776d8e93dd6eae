/* The AVX2 and AVX-512 float32 kernels give the same bits (x86-64 builds with run-time
 * dispatch): the five benchmark models (LTC AutoNCP and fully connected, CfC 32 and 64 with a
 * backbone, wired CfC) stepped at batch 1 (lln_step) and as a batch of 37 sequences
 * (lln_sequence: lane blocks of 16 or 8 streams plus a remainder, chunks of 16), outputs and
 * final states hashed bit for bit. The kernel variant is chosen once per process, so the test
 * runs itself twice with LLN_ISA=avx2 and LLN_ISA=avx512 (`--hash`) and compares the two
 * outputs. Skipped (exit 77, said loudly) where the build has no dispatch, the CPU lacks
 * AVX-512, or on Windows (the child runs use fork and exec). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "check.h"
#include "lln/model.h"
#include "../bench/anchor_models.h"

enum { B = 37, T = 30, NI = LLN_ANCHOR_INPUTS };

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* One line per model: its id and the hash of everything it computed. */
static int print_hashes(void)
{
    static const char *ids[] = {"ltc_ncp19", "ltc_fc32", "cfc32", "cfc64", "wcfc_ncp19"};
    static float x[B * T * NI], dt[B * T], y[B * T * 64], h[B * 64];
    for (int i = 0; i < B * T * NI; i++)
        x[i] = (float)(1.5 * __builtin_sin(0.37 * i) + 0.2 * __builtin_cos(1.3 * i));
    for (int i = 0; i < B * T; i++)
        dt[i] = 0.5f + 0.25f * (float)(i % 4);
    printf("kernels %s\n", lln_kernel_isa());
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        lln_model_t *m;
        lln_error_t err;
        lln_state_t *one, *many;
        if (lln_anchor_model(ids[k], &m, &err) != LLN_OK) {
            fprintf(stderr, "test_isa_same: %s: %s\n", ids[k], err.msg);
            return 1;
        }
        int O = lln_model_output_size(m), N = lln_model_state_size(m);
        if (O > 64 || N > 64 || lln_state_create(m, LLN_F32, 1, &one) != LLN_OK ||
            lln_state_create(m, LLN_F32, B, &many) != LLN_OK) {
            fprintf(stderr, "test_isa_same: %s: cannot make its states\n", ids[k]);
            return 1;
        }
        uint64_t hs = 1469598103934665603ull;
        for (int t = 0; t < T; t++) {
            if (lln_step(m, one, x + (size_t)t * NI, dt[t], y) != LLN_OK)
                return 1;
            hs = fnv(hs, y, (size_t)O * sizeof *y);
        }
        if (lln_sequence(m, many, T, x, dt, y, NULL) != LLN_OK ||
            lln_state_get(many, h, NULL) != LLN_OK)
            return 1;
        hs = fnv(hs, y, (size_t)B * T * (size_t)O * sizeof *y);
        hs = fnv(hs, h, (size_t)B * (size_t)N * sizeof *h);
        printf("%s %016llx\n", ids[k], (unsigned long long)hs);
        lln_state_free(one);
        lln_state_free(many);
        lln_model_free(m);
    }
    return 0;
}

#ifndef _WIN32
/* The --hash output of this program (self: its path, run without a shell) under LLN_ISA=isa
 * into buf; 0 on failure. */
static int run_child(const char *self, const char *isa, char *buf, size_t n)
{
    int fd[2];
    if (pipe(fd) != 0)
        return 0;
    (void)fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return 0;
    }
    if (pid == 0) {
        char *argv[] = {(char *)self, (char *)"--hash", NULL};
        if (setenv("LLN_ISA", isa, 1) != 0 || dup2(fd[1], STDOUT_FILENO) < 0)
            _exit(127);
        close(fd[0]);
        close(fd[1]);
        /* Flawfinder: ignore (self is this test's own path, given by ctest; no shell) */
        execv(self, argv);
        _exit(127);
    }
    close(fd[1]);
    size_t got = 0;
    for (ssize_t r; got + 1 < n && (r = read(fd[0], buf + got, n - 1 - got)) != 0;)
        if (r > 0)
            got += (size_t)r;
        else if (errno != EINTR)
            break;
    buf[got] = '\0';
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0;
}
#endif

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--hash") == 0)
        return print_hashes();
#ifdef _WIN32
    (void)argv;
    printf("test_isa_same: SKIPPED: the two variants run as forked children (POSIX only)\n");
    return 77;
#else
    const char *isa = lln_kernel_isa();
    if (strcmp(isa, "sse2") != 0 && strcmp(isa, "avx2") != 0 && strcmp(isa, "avx512") != 0) {
        printf("test_isa_same: SKIPPED: kernels '%s' are not chosen at run time here\n", isa);
        return 77;
    }
    static char a[4096], b[4096];
    CHECK_MSG(run_child(argv[0], "avx2", a, sizeof a), "the LLN_ISA=avx2 run failed");
    CHECK_MSG(run_child(argv[0], "avx512", b, sizeof b), "the LLN_ISA=avx512 run failed");
    if (strncmp(a, "kernels avx2\n", 13) != 0 || strncmp(b, "kernels avx512\n", 15) != 0) {
        printf("test_isa_same: SKIPPED: this CPU does not run both AVX2 and AVX-512 kernels\n"
               "(avx2 run: %.40s; avx512 run: %.40s)\n",
               a, b);
        return 77;
    }
    CHECK_MSG(strcmp(a + 13, b + 15) == 0, "AVX2 and AVX-512 results differ:\n%s\n%s", a, b);
    return check_done("test_isa_same");
#endif
}
