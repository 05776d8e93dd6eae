/* A persistent pool of worker threads (internal to liblln).
 *
 * lln__pool_create(n) starts n - 1 threads once; lln__pool_run(p, fn, arg) then runs
 * fn(arg, k, n) for every k in 0..n-1, each exactly once, on the calling thread and the
 * pool's threads, and returns when all have returned. A run costs a hand-off (a mutex, a
 * condition variable and a short spin) instead of a thread start and join, which is what
 * lets a trainer split each mini-batch, the reduction of its gradients and the optimizer
 * step over the same threads 32 times an epoch. Which thread runs share k is not fixed (the
 * shares are claimed: see pool.c), so fn must make share k's result depend on k alone; then
 * every run gives the same bits. Each run hands the caller's floating-point environment to the
 * workers (a thread's rounding mode and, under mingw-w64, x87 precision are its own). Threads
 * that could not be started leave their shares to the others, with the same result.
 *
 * Runs on one pool must not overlap (one caller at a time, and fn must not run the pool).
 * The pool is reference-counted (lln__pool_ref / lln__pool_free), so two owners -- a batch
 * gradient and the optimizer that borrows its threads -- may be freed in either order. */
#ifndef LLN_COMMON_POOL_H
#define LLN_COMMON_POOL_H

#include <stddef.h>

typedef struct lln__pool lln__pool_t;
typedef void (*lln__pool_fn)(void *arg, int k, int n);

/* A pool of n >= 1 threads counting the caller; NULL when out of memory. */
lln__pool_t *lln__pool_create(int n);
/* Another reference to p (returned); NULL-safe. */
lln__pool_t *lln__pool_ref(lln__pool_t *p);
/* Drops a reference; the last one stops and joins the threads. NULL-safe. */
void lln__pool_free(lln__pool_t *p);
/* The thread count n (1 for NULL). */
int lln__pool_threads(const lln__pool_t *p);
/* Runs fn(arg, k, n) for k = 0..n-1 and waits for all; with p NULL, fn(arg, 0, 1). */
void lln__pool_run(lln__pool_t *p, lln__pool_fn fn, void *arg);
/* Runs fn(arg, k, count) for k = 0..count-1 (any count >= 1, also more shares than threads:
 * the threads claim the next share until none is left, so a thread that waits for a busy
 * core runs fewer) and waits for all; with p NULL, on the caller in k order. */
void lln__pool_run_n(lln__pool_t *p, lln__pool_fn fn, void *arg, int count);
/* Share k of n of the range [0, count): *lo .. *hi - 1, contiguous, in k order. */
void lln__pool_share(size_t count, int k, int n, size_t *lo, size_t *hi);

#endif
