/* A persistent pool of worker threads (src/common/pool.h).
 *
 * Hand-off: the caller publishes the job under the mutex, resets the share counter, bumps the
 * generation counter and wakes the workers; a worker spins a little on the generation (the
 * next job of a training loop usually follows within microseconds) and then sleeps on the
 * condition variable. The counter is read under the mutex before sleeping, so no wake-up is
 * lost. Shares are claimed, not assigned: the caller and every awake worker take the next
 * unclaimed k from an atomic counter until none is left. The result of share k depends only
 * on k, so it does not matter who runs it, and a worker that is slow to wake (another process
 * on its core) never holds the caller up: the caller runs the shares nobody claimed. A job
 * may have more shares than threads (lln_sequence_mt's chunks): each thread then claims the
 * next one until none is left. The
 * caller then waits for the claimed shares to finish (a short spin, then the other condition
 * variable, which the thread finishing the last share signals).
 *
 * Claims stay within their job: a claim is one decrement of the count of unclaimed shares
 * (a result below zero: nothing left), the count is set for a new job only after every share
 * of the previous one has finished, and fn / arg / count are written before it (sequentially
 * consistent atomics), so a late worker either finds no share left or claims one of the job
 * whose fn it then reads. */
#include <fenv.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "common/platform.h"
#include "common/pool.h"

/* Spin iterations of a worker before it sleeps (a pause is ~10-140 cycles; 40000 are ~1.1 ms
 * on the Zen 4 guest of docs/PERFORMANCE.md, about libgomp's default spin): calls that follow
 * each other (lln_sequence_mt in a loop, a training step's hand-offs) find it awake on its own
 * core. With 4000 (~0.1 ms) a worker that had slept was often woken onto the caller's busy core
 * on a loaded machine and helped with nothing (cfc64 batched, 2 threads: ~5.8 ms, the
 * one-thread time, against ~3 ms with the longer spin; PERFORMANCE.md). */
#define SPIN 40000
/* Spin iterations of the caller waiting for the shares it did not run, before it sleeps. */
#define WAIT_SPIN 4000
/* After HOT_SPIN iterations (~0.1 ms) the worker's spin gives the processor away (lln__yield)
 * every 64 pauses. Back-to-back calls find the worker in the first part, spinning only. When
 * another process keeps one core busy, the scheduler often puts the caller and the worker on
 * the other core; a worker that only paused there took the caller's time for its whole spin
 * after its last share (cfc32 batched on 2 threads 4.0 ms against 3.0 ms on one;
 * docs/PERFORMANCE.md, "The bimodal two-thread runs"). */
#define HOT_SPIN 4000

typedef struct member {
    lln__pool_t *p;
    int started;
    lln__thread_t tid;
} member_t;

struct lln__pool {
    int n;
    int cv; /* 1: the condition variables exist (else every share runs on the caller) */
    volatile long refs;
    member_t *m; /* n entries; entry 0 is the caller */
    lln__mutex_t mu;
    lln__cond_t go, done;
    volatile long gen;      /* job generation */
    volatile long count;    /* shares of the current job */
    volatile long left;     /* shares not yet claimed (below 0: none) */
    volatile long finished; /* shares finished */
    volatile long quit;
    lln__pool_fn fn;
    void *arg;
    fenv_t env;
    int have_env;
};

void lln__pool_share(size_t count, int k, int n, size_t *lo, size_t *hi)
{
    *lo = count * (size_t)k / (size_t)n;
    *hi = count * (size_t)(k + 1) / (size_t)n;
}

/* Runs shares until none is left to claim. */
static void claim_shares(lln__pool_t *p, int worker)
{
    for (int first = 1;; first = 0) {
        /* One atomic operation both claims and tests: the counter of unclaimed shares goes
         * below zero once they are all taken, so a late claim (also one left over from a
         * previous job) finds nothing. count, fn and arg were written before the counter was
         * set for this job. */
        long r = lln__atomic_dec(&p->left);
        if (r < 0)
            return;
        long count = lln__atomic_load(&p->count), k = count - 1 - r; /* in ascending order */
        if (worker && first && p->have_env)
            (void)fesetenv(&p->env);
        p->fn(p->arg, (int)k, (int)count);
        if (lln__atomic_inc(&p->finished) == count) {
            lln__mutex_lock(&p->mu);
            lln__cond_signal(&p->done);
            lln__mutex_unlock(&p->mu);
        }
    }
}

static void *loop(void *arg)
{
    member_t *me = arg;
    lln__pool_t *p = me->p;
    long seen = 0;
    for (;;) {
        long g = lln__atomic_load(&p->gen);
        for (int i = 0; i < SPIN && g == seen; i++) {
            lln__cpu_relax();
            if (i >= HOT_SPIN && i % 64 == 63)
                lln__yield();
            g = lln__atomic_load(&p->gen);
        }
        if (g == seen) {
            lln__mutex_lock(&p->mu);
            while ((g = lln__atomic_load(&p->gen)) == seen)
                lln__cond_wait(&p->go, &p->mu);
            lln__mutex_unlock(&p->mu);
        }
        seen = g;
        if (lln__atomic_load(&p->quit))
            return NULL;
        claim_shares(p, 1);
    }
}

lln__pool_t *lln__pool_create(int n)
{
    if (n < 1)
        n = 1;
    lln__pool_t *p = lln__calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->m = lln__calloc((size_t)n, sizeof *p->m);
    if (p->m == NULL || lln__mutex_init(&p->mu) != 0) {
        lln__free(p->m);
        lln__free(p);
        return NULL;
    }
    p->n = n;
    p->refs = 1;
    p->count = n;
    p->left = 0; /* nothing to claim before the first run */
    p->cv = lln__cond_init(&p->go) == 0;
    if (p->cv && lln__cond_init(&p->done) != 0) {
        lln__cond_destroy(&p->go);
        p->cv = 0;
    }
    for (int k = 1; k < n; k++) {
        p->m[k].p = p;
        /* without condition variables (or a thread) the caller claims every share */
        p->m[k].started = p->cv && lln__thread_start(&p->m[k].tid, loop, &p->m[k]) == 0;
    }
    return p;
}

lln__pool_t *lln__pool_ref(lln__pool_t *p)
{
    if (p != NULL)
        (void)lln__atomic_inc(&p->refs);
    return p;
}

int lln__pool_threads(const lln__pool_t *p) { return p == NULL ? 1 : p->n; }

void lln__pool_run(lln__pool_t *p, lln__pool_fn fn, void *arg)
{
    lln__pool_run_n(p, fn, arg, lln__pool_threads(p));
}

void lln__pool_run_n(lln__pool_t *p, lln__pool_fn fn, void *arg, int count)
{
    if (count < 1)
        return;
    if (p == NULL || p->n == 1 || count == 1) {
        for (int k = 0; k < count; k++)
            fn(arg, k, count);
        return;
    }
    lln__mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->have_env = fegetenv(&p->env) == 0;
    lln__atomic_store(&p->count, count);
    lln__atomic_store(&p->finished, 0);
    lln__atomic_store(&p->left, count);
    (void)lln__atomic_inc(&p->gen);
    if (p->cv)
        lln__cond_broadcast(&p->go);
    lln__mutex_unlock(&p->mu);
    claim_shares(p, 0);
    for (int i = 0; i < WAIT_SPIN && lln__atomic_load(&p->finished) != count; i++)
        lln__cpu_relax();
    if (lln__atomic_load(&p->finished) == count)
        return;
    lln__mutex_lock(&p->mu);
    while (lln__atomic_load(&p->finished) != count)
        lln__cond_wait(&p->done, &p->mu);
    lln__mutex_unlock(&p->mu);
}

void lln__pool_free(lln__pool_t *p)
{
    if (p == NULL || lln__atomic_dec(&p->refs) != 0)
        return;
    if (p->cv) {
        lln__mutex_lock(&p->mu);
        lln__atomic_store(&p->quit, 1);
        (void)lln__atomic_inc(&p->gen);
        lln__cond_broadcast(&p->go);
        lln__mutex_unlock(&p->mu);
        for (int k = 1; k < p->n; k++)
            if (p->m[k].started)
                lln__thread_join(&p->m[k].tid);
        lln__cond_destroy(&p->go);
        lln__cond_destroy(&p->done);
    }
    lln__mutex_destroy(&p->mu);
    lln__free(p->m);
    lln__free(p);
}
