/* Minimal test helpers: every failed check prints file:line and the numbers, and the
 * test's exit status is the number of failures (0 = pass, 77 = skipped). */
#ifndef LLN_TEST_CHECK_H
#define LLN_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures_;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures_++;                                                       \
        }                                                                            \
    } while (0)

#define CHECK_MSG(cond, ...)                                                         \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); /* Flawfinder: ignore (format-checked) */  \
            fputc('\n', stderr);                                                     \
            check_failures_++;                                                       \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b) \
    CHECK_MSG((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))

#define CHECK_NEAR(a, b, tol)                                                                   \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%.17g vs %.17g (tol %g)", (double)(a), \
              (double)(b), (double)(tol))

/* Prints a loud SKIP line and exits with ctest's skip code. */
#define SKIP(...)                                                               \
    do {                                                                        \
        fprintf(stderr, "SKIP: ");                                              \
        fprintf(stderr, __VA_ARGS__); /* Flawfinder: ignore (format-checked) */ \
        fputc('\n', stderr);                                                    \
        exit(77);                                                               \
    } while (0)

static inline int check_done(const char *name)
{
    if (check_failures_ == 0)
        printf("%s: all checks passed\n", name);
    else
        printf("%s: %d check(s) FAILED\n", name, check_failures_);
    return check_failures_ == 0 ? 0 : 1;
}

#endif
