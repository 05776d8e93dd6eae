/* Streams: caller-owned state objects, argument checks, and the public step/sequence entry
 * points that dispatch to the float32 or float64 kernels. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "common/alloc.h"
#include "common/platform.h"
#include "common/pool.h"

size_t lln__cfc_work_f32(const lln_cfc_prep_f32 *cp);

#define STATE_ALIGN 16
#define MAX_BATCH (1 << 20)

static size_t align_up(size_t n) { return (n + STATE_ALIGN - 1) & ~(size_t)(STATE_ALIGN - 1); }

/* Elements of scratch one sample needs: normalised input, cell output, dt, then the largest
 * cell scratch (LTC: input map, 7 N-vectors and one value per synapse; CfC: two backbone
 * buffers and the heads; LSTM: 4N gates; projection output). */
size_t lln__scratch_per_sample(const lln_model_t *m)
{
    const lln_prep_f32 *p = &m->p_f32;
    size_t I = (size_t)m->cfg.input_size, N = (size_t)m->cfg.units, cell = 0;
    if (m->cfg.cell == LLN_CELL_LTC) {
        size_t ss = (size_t)p->ltc.s_off[N], sr = (size_t)p->ltc.r_off[N];
        cell = I + 7 * N + (ss > sr ? ss : sr);
    }
    for (int l = 0; l < p->ncells; l++) {
        size_t w = lln__cfc_work_f32(&p->cfc[l]);
        cell = w > cell ? w : cell;
    }
    if (m->cfg.mixed_memory && 4 * N > cell)
        cell = 4 * N;
    if (lln__gates(&m->cfg) > 0)
        cell = 2 * (size_t)lln__gates(&m->cfg) * N; /* zi and zh */
    if (m->cfg.cell == LLN_CELL_MLP)
        cell = 2 * (size_t)m->out_cell; /* hidden layers ping-pong */
    if ((size_t)m->out > cell)
        cell = (size_t)m->out;
    return I + (size_t)m->out_cell + 1 + cell;
}

static size_t elem_size(lln_dtype_t d) { return d == LLN_F64 ? sizeof(double) : sizeof(float); }

size_t lln_state_bytes(const lln_model_t *m, lln_dtype_t dtype, int batch)
{
    if (m == NULL || batch < 1 || batch > MAX_BATCH || (dtype != LLN_F32 && dtype != LLN_F64))
        return 0;
    size_t es = elem_size(dtype), nb = (size_t)batch;
    size_t n = (size_t)m->cfg.units, nmem = (size_t)lln__nmem(&m->cfg);
    return align_up(sizeof(lln_state_t)) + align_up(nb * n * es) + align_up(nb * nmem * es) +
           align_up(nb * lln__scratch_per_sample(m) * es);
}

lln_status_t lln_state_init(const lln_model_t *m, lln_dtype_t dtype, int batch, void *buf,
                            size_t bytes, lln_state_t **out)
{
    size_t need = lln_state_bytes(m, dtype, batch);
    if (out == NULL || buf == NULL || need == 0)
        return LLN_E_ARG;
    *out = NULL;
    /* Align the header inside the caller's buffer; the size function reserved no slack for
     * that, so misaligned buffers need up to 15 more bytes. */
    uintptr_t a = ((uintptr_t)buf + STATE_ALIGN - 1) & ~(uintptr_t)(STATE_ALIGN - 1);
    size_t shift = (size_t)(a - (uintptr_t)buf);
    if (bytes < need + shift)
        return LLN_E_RANGE;
    char *base = (char *)a;
    lln_state_t *s = (lln_state_t *)(void *)base;
    size_t es = elem_size(dtype), nb = (size_t)batch;
    size_t n = (size_t)m->cfg.units, nmem = (size_t)lln__nmem(&m->cfg);
    memset(s, 0, sizeof *s);
    s->model = m;
    s->dtype = dtype;
    s->batch = batch;
    s->n = (int)n;
    s->nmem = (int)nmem;
    s->scratch = nb * lln__scratch_per_sample(m);
    s->h = base + align_up(sizeof *s);
    s->c = (char *)s->h + align_up(nb * n * es);
    s->work = (char *)s->c + align_up(nb * nmem * es);
    lln_state_reset(s);
    *out = s;
    return LLN_OK;
}

lln_status_t lln_state_create(const lln_model_t *m, lln_dtype_t dtype, int batch, lln_state_t **out)
{
    size_t need = lln_state_bytes(m, dtype, batch);
    if (out == NULL || need == 0)
        return LLN_E_ARG;
    void *buf = lln__malloc(need + STATE_ALIGN);
    if (buf == NULL)
        return LLN_E_NOMEM;
    lln_status_t st = lln_state_init(m, dtype, batch, buf, need + STATE_ALIGN, out);
    if (st != LLN_OK) {
        lln__free(buf);
        return st;
    }
    (*out)->heap = buf;
    return LLN_OK;
}

void lln_state_free(lln_state_t *s)
{
    if (s != NULL && s->heap != NULL)
        lln__free(s->heap);
}

void lln_state_reset(lln_state_t *s)
{
    if (s == NULL)
        return;
    size_t es = elem_size(s->dtype), nb = (size_t)s->batch;
    memset(s->h, 0, nb * (size_t)s->n * es);
    memset(s->c, 0, nb * (size_t)s->nmem * es);
}

int lln_state_batch(const lln_state_t *s) { return s ? s->batch : 0; }

lln_status_t lln_state_set(lln_state_t *s, const void *h, const void *c)
{
    if (s == NULL || (c != NULL && s->nmem == 0))
        return LLN_E_ARG;
    size_t es = elem_size(s->dtype), nb = (size_t)s->batch;
    if (h != NULL)
        memcpy(s->h, h, nb * (size_t)s->n * es);
    if (c != NULL)
        memcpy(s->c, c, nb * (size_t)s->nmem * es);
    return LLN_OK;
}

lln_status_t lln_state_get(const lln_state_t *s, void *h, void *c)
{
    if (s == NULL || (c != NULL && s->nmem == 0))
        return LLN_E_ARG;
    size_t es = elem_size(s->dtype), nb = (size_t)s->batch;
    if (h != NULL)
        memcpy(h, s->h, nb * (size_t)s->n * es);
    if (c != NULL)
        memcpy(c, s->c, nb * (size_t)s->nmem * es);
    return LLN_OK;
}

/* ---- argument checks shared by both precisions ------------------------------------------ */

static lln_status_t check_state(const lln_model_t *m, const lln_state_t *s, lln_dtype_t dt)
{
    if (m == NULL || s == NULL || s->model != m || s->dtype != dt)
        return LLN_E_ARG;
    return LLN_OK;
}

lln_status_t lln__check_dt(lln_dtype_t t, const void *dt, size_t n)
{
    const float *f = dt;
    const double *d = dt;
    for (size_t i = 0; dt != NULL && t == LLN_F32 && i < n; i++)
        if (!(f[i] >= (float)LLN_DT_MIN) || !isfinite(f[i]))
            return LLN_E_DT;
    for (size_t i = 0; dt != NULL && t == LLN_F64 && i < n; i++)
        if (!(d[i] >= LLN_DT_MIN) || !isfinite(d[i]))
            return LLN_E_DT;
    return LLN_OK;
}

/* 1 when none of the n values is a NaN or an infinity (all exponent bits set). Branch-free
 * over blocks of 4096 values, so the compiler vectorises it: lln_sequence_mt runs it over the
 * whole input before its threads start. */
#if defined(__GNUC__) /* kept out of line: the one-step check stays small enough to inline */
__attribute__((noinline))
#endif
static int
all_finite(lln_dtype_t t, const void *x, size_t n)
{
    const unsigned char *p = x;
    for (size_t i0 = 0; i0 < n; i0 += 4096) {
        size_t e = n - i0 < 4096 ? n : i0 + 4096;
        unsigned bad = 0;
        if (t == LLN_F32)
            for (size_t i = i0; i < e; i++) {
                uint32_t u;
                memcpy(&u, p + i * sizeof u, sizeof u);
                bad |= (u & 0x7f800000u) == 0x7f800000u;
            }
        else
            for (size_t i = i0; i < e; i++) {
                uint64_t u;
                memcpy(&u, p + i * sizeof u, sizeof u);
                bad |= (u & 0x7ff0000000000000u) == 0x7ff0000000000000u;
            }
        if (bad)
            return 0;
    }
    return 1;
}

lln_status_t lln__check_finite(lln_dtype_t t, const void *x, size_t n)
{
    const float *f = x;
    const double *d = x;
    if (n >= 256) /* a sequence: the vectorised blocks */
        return all_finite(t, x, n) ? LLN_OK : LLN_E_RANGE;
    for (size_t i = 0; t == LLN_F32 && i < n; i++) /* one step: the short loop */
        if (!isfinite(f[i]))
            return LLN_E_RANGE;
    for (size_t i = 0; t == LLN_F64 && i < n; i++)
        if (!isfinite(d[i]))
            return LLN_E_RANGE;
    return LLN_OK;
}

/* Checks the arguments of every public step function, in either precision t: `steps` steps
 * of the state's batch, x laid out [batch][steps][inputs]; dt holds batch x steps values, or
 * NULL (the defaults), or with dt_shared one value for every stream. Everything is checked
 * before the first step, so a failing check leaves the state as it was. */
static lln_status_t check_steps(const lln_model_t *m, const lln_state_t *s, lln_dtype_t t,
                                int steps, const void *x, const void *dt, int dt_shared)
{
    lln_status_t st = check_state(m, s, t);
    if (st != LLN_OK || x == NULL || steps < 0)
        return st != LLN_OK ? st : LLN_E_ARG;
    size_t nb = (size_t)s->batch, T = (size_t)steps, I = (size_t)m->cfg.input_size;
    if ((st = lln__check_dt(t, dt, dt_shared ? 1 : nb * T)) != LLN_OK ||
        (st = lln__check_finite(t, x, nb * T * I)) != LLN_OK)
        return st;
    return t == LLN_F64 ? lln__model_f64(m) : LLN_OK;
}

/* The steps themselves, after check_steps: y [batch][steps][outputs] (may be NULL), states
 * [batch][steps][units] (may be NULL). */
static lln_status_t loop_steps(const lln_model_t *m, lln_state_t *s, lln_dtype_t t, int steps,
                               const void *x, const void *dt, int dt_shared, void *y, void *states)
{
    lln_status_t st = LLN_OK;
    size_t T = (size_t)steps, I = (size_t)m->cfg.input_size;
    size_t O = (size_t)m->out, N = (size_t)m->cfg.units, es = elem_size(t);
    size_t dts = dt_shared ? 0 : T; /* Δt stride between streams */
    for (size_t k = 0; k < T && st == LLN_OK; k++) {
        const void *xk = (const char *)x + k * I * es;
        const void *dk = dt == NULL ? NULL : (const char *)dt + (dt_shared ? 0 : k * es);
        void *yk = y ? (char *)y + k * O * es : NULL;
        void *hk = states ? (char *)states + k * N * es : NULL;
        st = t == LLN_F32 ? lln__step_f32(m, s, xk, T * I, dk, dts, yk, T * O, hk, T * N)
                          : lln__step_f64(m, s, xk, T * I, dk, dts, yk, T * O, hk, T * N);
    }
    return st;
}

/* ---- a batch of sequences on several threads ---------------------------------------------- */

/* lln_sequence_mt: the batch is cut into chunks of `per` streams, the shares of one job on a
 * pool of threads (src/common/pool.h), which the threads claim one after another until none
 * is left, so a thread that waits for a busy core takes fewer chunks instead of holding up the
 * call. A chunk runs all the steps of its streams on a view of the caller's state: a copy of
 * the header whose h, c and scratch pointers point at the chunk's streams (lln_state_init
 * lays every per-stream array out stream by stream), with the matching slices of x, dt, y
 * and states. */
typedef struct seq_job {
    const lln_model_t *m;
    const lln_state_t *s;
    lln_dtype_t t;
    int steps, per;
    const void *x, *dt;
    void *y, *states;
    volatile long err; /* the first failing status (0: none) */
} seq_job_t;

static void seq_chunk(void *arg, int k, int n)
{
    seq_job_t *j = arg; /* in the caller's floating-point environment (pool.h) */
    const lln_state_t *s = j->s;
    size_t es = elem_size(j->t), T = (size_t)j->steps, I = (size_t)j->m->cfg.input_size;
    size_t O = (size_t)j->m->out, N = (size_t)s->n, C = (size_t)s->nmem;
    size_t W = s->scratch / (size_t)s->batch; /* scratch elements per stream */
    int b0 = k * j->per, cnt = s->batch - b0 < j->per ? s->batch - b0 : j->per;
    size_t b = (size_t)b0;
    lln_state_t view = *s;
    (void)n;
    view.heap = NULL;
    view.batch = cnt;
    view.scratch = (size_t)cnt * W;
    view.h = (char *)s->h + b * N * es;
    view.c = (char *)s->c + b * C * es;
    view.work = (char *)s->work + b * W * es;
    lln_status_t st = loop_steps(j->m, &view, j->t, j->steps, (const char *)j->x + b * T * I * es,
                                 j->dt == NULL ? NULL : (const char *)j->dt + b * T * es, 0,
                                 j->y == NULL ? NULL : (char *)j->y + b * T * O * es,
                                 j->states == NULL ? NULL : (char *)j->states + b * T * N * es);
    if (st != LLN_OK)
        (void)lln__atomic_cas(&j->err, 0, (long)st);
}

/* The streams the kernels step together: LTC and the CfC cells without backbone run 16
 * streams in vector lanes (the widest lane count; 2 blocks of 8 with AVX2, 4 of 4 with SSE2);
 * the dense layers (CfC backbone and heads, LSTM, GRU, MLP) run blocks of 4 streams. */
static int chunk_grain(const lln_model_t *m)
{
    if (m->cfg.cell == LLN_CELL_LTC)
        return 16;
    for (int l = 0; l < m->p_f32.ncells; l++)
        if (m->p_f32.cfc[l].nbackbone == 0)
            return 16;
    return 4;
}

/* Streams per chunk: a multiple of the grain, small enough for about 4 chunks per thread
 * (a thread that starts late or shares its core takes fewer) and at most 16 streams (a
 * chunk's scratch then stays in L1/L2: 64 streams in one run cost 2-5 % more time per
 * stream than 16, on one thread too), never below the grain; a batch of one grain or less
 * is split evenly, one chunk per thread. */
static int chunk_size(const lln_model_t *m, int nb, int threads)
{
    int g = chunk_grain(m), want = (nb + 4 * threads - 1) / (4 * threads);
    int per = (want + g - 1) / g * g;
    per = per < 16 ? per : 16 > g ? 16 : g;
    return per < nb ? per : (nb + threads - 1) / threads;
}

/* The model's pool of `threads` threads for one call: its own, taken with pool_busy and
 * (re)started when missing or of another size; when another call holds it (the same model
 * stepped from two threads), a pool for this call only (*own = 1: the caller frees it).
 * NULL when out of memory: the chunks then run on the caller alone, with the same result. */
static lln__pool_t *take_pool(const lln_model_t *cm, int threads, int *own)
{
    lln_model_t *m = (lln_model_t *)(uintptr_t)cm; /* the pool is not part of the model's value */
    *own = lln__atomic_cas(&m->pool_busy, 0, 1) != 0;
    if (*own)
        return lln__pool_create(threads);
    if (m->pool != NULL && lln__pool_threads(m->pool) != threads) {
        lln__pool_free(m->pool);
        m->pool = NULL;
    }
    if (m->pool == NULL)
        m->pool = lln__pool_create(threads);
    return m->pool;
}

static void give_pool(const lln_model_t *cm, lln__pool_t *p, int own)
{
    lln_model_t *m = (lln_model_t *)(uintptr_t)cm;
    if (own)
        lln__pool_free(p);
    else
        lln__atomic_store(&m->pool_busy, 0);
}

/* The batch in chunks of `per` streams on `threads` threads (the caller's included). */
static lln_status_t run_chunks(const lln_model_t *m, lln_state_t *s, lln_dtype_t t, int threads,
                               int per, int steps, const void *x, const void *dt, void *y,
                               void *states)
{
    seq_job_t job = {.m = m,
                     .s = s,
                     .t = t,
                     .steps = steps,
                     .per = per,
                     .x = x,
                     .dt = dt,
                     .y = y,
                     .states = states};
    int chunks = (s->batch + per - 1) / per, n = threads < chunks ? threads : chunks, own = 0;
    lln__pool_t *p = n > 1 ? take_pool(m, n, &own) : NULL;
    lln__pool_run_n(p, seq_chunk, &job, chunks);
    if (n > 1)
        give_pool(m, p, own);
    return (lln_status_t)lln__atomic_load(&job.err);
}

static lln_status_t run_threads(const lln_model_t *m, lln_state_t *s, lln_dtype_t t, int threads,
                                int steps, const void *x, const void *dt, void *y, void *states)
{
    lln_status_t st = check_steps(m, s, t, steps, x, dt, 0);
    if (st != LLN_OK)
        return st;
    if (threads < 0 || threads > LLN_MAX_THREADS)
        return LLN_E_ARG;
    if (threads == 0) {
        long cpus = lln__online_cpus();
        threads = cpus < 1 ? 1 : cpus > LLN_MAX_THREADS ? LLN_MAX_THREADS : (int)cpus;
    }
    int nb = s->batch, per = chunk_size(m, nb, threads);
    if (per >= nb)
        return loop_steps(m, s, t, steps, x, dt, 0, y, states);
    return run_chunks(m, s, t, threads, per, steps, x, dt, y, states);
}

/* The body of every single-threaded public step function (see check_steps, loop_steps): a
 * batch of more than 16 streams with per-stream dt runs in chunks (chunk_size), one after
 * another. */
static lln_status_t run_steps(const lln_model_t *m, lln_state_t *s, lln_dtype_t t, int steps,
                              const void *x, const void *dt, int dt_shared, void *y, void *states)
{
    lln_status_t st = check_steps(m, s, t, steps, x, dt, dt_shared);
    if (st != LLN_OK)
        return st;
    int per = dt_shared ? s->batch : chunk_size(m, s->batch, 1);
    if (per >= s->batch)
        return loop_steps(m, s, t, steps, x, dt, dt_shared, y, states);
    return run_chunks(m, s, t, 1, per, steps, x, dt, y, states);
}

/* ---- public entry points: float32, then float64 ----------------------------------------- */

lln_status_t lln_step(const lln_model_t *m, lln_state_t *s, const float *x, float dt, float *y)
{
    return run_steps(m, s, LLN_F32, 1, x, &dt, 1, y, NULL);
}

lln_status_t lln_step_batch(const lln_model_t *m, lln_state_t *s, const float *x, const float *dt,
                            float *y)
{
    return run_steps(m, s, LLN_F32, 1, x, dt, 0, y, NULL);
}

lln_status_t lln_sequence(const lln_model_t *m, lln_state_t *s, int steps, const float *x,
                          const float *dt, float *y, float *states)
{
    return run_steps(m, s, LLN_F32, steps, x, dt, 0, y, states);
}

lln_status_t lln_sequence_mt(const lln_model_t *m, lln_state_t *s, int threads, int steps,
                             const float *x, const float *dt, float *y, float *states)
{
    return run_threads(m, s, LLN_F32, threads, steps, x, dt, y, states);
}

lln_status_t lln_step_f64(const lln_model_t *m, lln_state_t *s, const double *x, double dt,
                          double *y)
{
    return run_steps(m, s, LLN_F64, 1, x, &dt, 1, y, NULL);
}

lln_status_t lln_step_batch_f64(const lln_model_t *m, lln_state_t *s, const double *x,
                                const double *dt, double *y)
{
    return run_steps(m, s, LLN_F64, 1, x, dt, 0, y, NULL);
}

lln_status_t lln_sequence_f64(const lln_model_t *m, lln_state_t *s, int steps, const double *x,
                              const double *dt, double *y, double *states)
{
    return run_steps(m, s, LLN_F64, steps, x, dt, 0, y, states);
}

lln_status_t lln_sequence_mt_f64(const lln_model_t *m, lln_state_t *s, int threads, int steps,
                                 const double *x, const double *dt, double *y, double *states)
{
    return run_threads(m, s, LLN_F64, threads, steps, x, dt, y, states);
}

void lln__drop_spare_prep(lln_model_t *m, int k)
{
    lln_prep_blocks_t *pb = &m->blocks[k];
    for (size_t i = 0; i < pb->nspare; i++)
        lln__free(pb->spare[i]);
    lln__free(pb->spare);
    lln__free(pb->spare_bytes);
    pb->spare = NULL;
    pb->spare_bytes = NULL;
    pb->nspare = 0;
}

void lln__recycle_prep(lln_model_t *m, int k)
{
    lln_prep_blocks_t *pb = &m->blocks[k];
    lln__drop_spare_prep(m, k);
    pb->spare = pb->allocs;
    pb->spare_bytes = pb->alloc_bytes;
    pb->nspare = pb->nallocs;
    pb->allocs = NULL;
    pb->alloc_bytes = NULL;
    pb->nallocs = pb->cap_allocs = 0;
    if (k == 0)
        memset(&m->p_f32, 0, sizeof m->p_f32);
    else
        memset(&m->p_f64, 0, sizeof m->p_f64);
}

void lln__free_prep(lln_model_t *m)
{
    for (int k = 0; k < 2; k++) {
        lln__recycle_prep(m, k);
        lln__drop_spare_prep(m, k);
    }
}
