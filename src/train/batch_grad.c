/* Batch loss and gradient on several threads (include/lln/train.h, lln_batch_grad_*).
 *
 * The batch is cut into contiguous slices, sequence k*B/W .. (k+1)*B/W - 1 for worker k of W.
 * Every worker runs its own tape (or, forward only, its own state) on its slice and adds its
 * gradient into its own buffer; the buffers are then added in worker order, each thread
 * adding them for its own share of the parameters. Floating-point addition is not
 * associative, so this fixed order is what makes the same thread count give the same bits on
 * every run. The loss is normalised by the count of the whole batch before any worker starts,
 * so each slice's dy is already the final one. The W threads are a persistent pool
 * (common/pool.h) started once by lln_batch_grad_create, not once per batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lln/grad.h"
#include "lln/train.h"
#include "common/alloc.h"
#include "train_internal.h"
#include "common/platform.h"
#include "common/pool.h"

typedef struct worker {
    struct lln_batch_grad *g;
    int b0, nb; /* slice of the current run */
    lln_tape_t *tape;
    void *state_buf;
    size_t state_bytes;
    double *grad; /* own gradient buffer (workers 1..W-1) */
    void *y, *dy; /* slice x T x O in the run's precision */
    lln_batch_stats_t stats;
    lln_status_t st;
    lln_error_t err;
} worker_t;

struct lln_batch_grad {
    lln_dtype_t dtype;
    int max_batch, steps, threads, slice;
    lln_loss_kind_t kind;
    lln_loss_steps_t which;
    int I, O;
    size_t P;
    worker_t *w;
    lln__pool_t *pool; /* the threads (any of them may run worker k's share) */
    /* the current run */
    const lln_model_t *m;
    const void *x, *dt, *target, *mask;
    double *grad;
    void *y_out;
    double count;    /* normaliser of the whole batch */
    double *inv_std; /* 1 / norm.output_std (MSE), O values */
    /* distributed (lln__batch_grad_set_dist): this pool's workers are global slices
     * first .. first + threads - 1 of total; one record per slice is exchanged */
    const lln_dist_t *dist;
    int first, total;
    double *send, *recv;
};

static size_t esize(lln_dtype_t d) { return d == LLN_F64 ? sizeof(double) : sizeof(float); }

static double rd(const void *p, lln_dtype_t d, size_t i)
{
    return d == LLN_F64 ? ((const double *)p)[i] : (double)((const float *)p)[i];
}

static void wr(void *p, lln_dtype_t d, size_t i, double v)
{
    if (d == LLN_F64)
        ((double *)p)[i] = v;
    else
        ((float *)p)[i] = (float)v;
}

static int online_cpus(void)
{
    long n = lln__online_cpus();
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

void lln_batch_stats_add(lln_batch_stats_t *a, const lln_batch_stats_t *b)
{
    a->loss_sum += b->loss_sum;
    a->count += b->count;
    a->steps += b->steps;
    a->correct += b->correct;
    a->sq_err_raw += b->sq_err_raw;
}

lln_status_t lln_batch_grad_create(const lln_model_t *m, lln_dtype_t dtype, int max_batch,
                                   int steps, int threads, lln_loss_kind_t kind,
                                   lln_loss_steps_t which, lln_batch_grad_t **out, lln_error_t *err)
{
    if (out == NULL || m == NULL || max_batch < 1 || steps < 1 || threads < 0 ||
        (dtype != LLN_F32 && dtype != LLN_F64) ||
        (kind != LLN_LOSS_MSE && kind != LLN_LOSS_CROSS_ENTROPY) ||
        (which != LLN_LOSS_EVERY_STEP && which != LLN_LOSS_LAST_STEP))
        return lln_error_set(err, LLN_E_ARG, "batch gradient: invalid argument");
    *out = NULL;
    lln_batch_grad_t *g = lln__calloc(1, sizeof *g);
    if (g == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "batch gradient: out of memory");
    g->dtype = dtype;
    g->max_batch = max_batch;
    g->steps = steps;
    g->threads = threads == 0 ? online_cpus() : threads;
    if (g->threads > max_batch)
        g->threads = max_batch;
    if (g->threads > 256)
        g->threads = 256;
    g->slice = (max_batch + g->threads - 1) / g->threads;
    g->kind = kind;
    g->which = which;
    g->I = lln_model_input_size(m);
    g->O = lln_model_output_size(m);
    g->P = lln_model_param_count(m);
    g->w = lln__calloc((size_t)g->threads, sizeof *g->w);
    g->inv_std = lln__calloc((size_t)g->O, sizeof(double));
    int ok = g->w != NULL && g->inv_std != NULL;
    size_t ybytes = (size_t)g->slice * (size_t)steps * (size_t)g->O * esize(dtype);
    for (int k = 0; ok && k < g->threads; k++) {
        worker_t *w = &g->w[k];
        w->g = g;
        w->y = lln__malloc(ybytes);
        w->dy = lln__malloc(ybytes);
        if (k > 0)
            w->grad = lln__malloc((g->P ? g->P : 1) * sizeof(double));
        ok = w->y != NULL && w->dy != NULL && (k == 0 || w->grad != NULL);
    }
    if (ok)
        ok = (g->pool = lln__pool_create(g->threads)) != NULL;
    if (!ok) {
        lln_batch_grad_free(g);
        return lln_error_set(err, LLN_E_NOMEM, "batch gradient: out of memory");
    }
    *out = g;
    return LLN_OK;
}

void lln_batch_grad_free(lln_batch_grad_t *g)
{
    if (g == NULL)
        return;
    lln__pool_free(g->pool);
    for (int k = 0; g->w != NULL && k < g->threads; k++) {
        lln_tape_free(g->w[k].tape);
        lln__free(g->w[k].state_buf);
        lln__free(g->w[k].grad);
        lln__free(g->w[k].y);
        lln__free(g->w[k].dy);
    }
    lln__free(g->w);
    lln__free(g->inv_std);
    lln__free(g->send);
    lln__free(g->recv);
    lln__free(g);
}

int lln_batch_grad_threads(const lln_batch_grad_t *g) { return g ? g->threads : 0; }

lln__pool_t *lln__batch_grad_pool(lln_batch_grad_t *g) { return g ? g->pool : NULL; }

/* ---- loss ----------------------------------------------------------------------------------- */

/* Last real step of sequence b (-1 when it has none). */
static int last_step(const lln_batch_grad_t *g, int b)
{
    if (g->mask == NULL)
        return g->steps - 1;
    for (int t = g->steps - 1; t >= 0; t--)
        if (rd(g->mask, g->dtype, (size_t)b * (size_t)g->steps + (size_t)t) != 0.0)
            return t;
    return -1;
}

static int counted(const lln_batch_grad_t *g, int b, int t, int last)
{
    if (g->which == LLN_LOSS_LAST_STEP)
        return t == last;
    return g->mask == NULL ||
           rd(g->mask, g->dtype, (size_t)b * (size_t)g->steps + (size_t)t) != 0.0;
}

static double batch_count(const lln_batch_grad_t *g, int batch)
{
    double n = 0.0;
    for (int b = 0; b < batch; b++) {
        int last = last_step(g, b);
        for (int t = 0; t < g->steps; t++)
            n += counted(g, b, t, last);
    }
    return g->kind == LLN_LOSS_MSE ? n * g->O : n;
}

/* MSE of one step: outputs and dy at offset dyo of the slice, targets at to of the batch.
 * Typed pointers (this runs for every output of every step), and the sums in four
 * interleaved partial sums, so they are not one long chain of dependent additions. */
static void step_mse(worker_t *w, lln_batch_stats_t *st, size_t to, size_t dyo)
{
    const lln_batch_grad_t *g = w->g;
    int f64 = g->dtype == LLN_F64;
    /* only the dtype's pointers are formed: the buffers hold that type */
    const double *yd = f64 ? (const double *)w->y + dyo : NULL;
    const double *td = f64 ? (const double *)g->target + to : NULL;
    const float *yf = f64 ? NULL : (const float *)w->y + dyo;
    const float *tf = f64 ? NULL : (const float *)g->target + to;
    double *dyd = f64 ? (double *)w->dy + dyo : NULL;
    float *dyf = f64 ? NULL : (float *)w->dy + dyo;
    double ls[4] = {0.0, 0.0, 0.0, 0.0}, sq[4] = {0.0, 0.0, 0.0, 0.0};
    for (int o = 0; o < g->O; o++) {
        double e = f64 ? yd[o] - td[o] : (double)yf[o] - (double)tf[o], en = e * g->inv_std[o];
        double d = 2.0 * en * g->inv_std[o] / g->count;
        ls[o & 3] += en * en;
        sq[o & 3] += e * e;
        if (f64)
            dyd[o] = d;
        else
            dyf[o] = (float)d;
    }
    st->loss_sum += (ls[0] + ls[1]) + (ls[2] + ls[3]);
    st->sq_err_raw += (sq[0] + sq[1]) + (sq[2] + sq[3]);
}

/* Softmax cross-entropy of one step; LLN_E_RANGE for a bad class id. */
static lln_status_t step_ce(worker_t *w, lln_batch_stats_t *st, size_t to, size_t dyo, int b, int t)
{
    const lln_batch_grad_t *g = w->g;
    double c = rd(g->target, g->dtype, to);
    if (!(c >= 0.0 && c < (double)g->O && c == floor(c)))
        return lln_error_set(&w->err, LLN_E_RANGE,
                             "batch sequence %d step %d: class %g is not in 0..%d", b, t, c,
                             g->O - 1);
    int cls = (int)c, arg = 0;
    double mx = rd(w->y, g->dtype, dyo);
    for (int o = 1; o < g->O; o++) {
        double v = rd(w->y, g->dtype, dyo + (size_t)o);
        if (v > mx) {
            mx = v;
            arg = o;
        }
    }
    double s = 0.0;
    for (int o = 0; o < g->O; o++)
        s += exp(rd(w->y, g->dtype, dyo + (size_t)o) - mx);
    /* s >= 1: the arg-max term is exp(0) */
    // cppcheck-suppress invalidFunctionArg
    st->loss_sum -= rd(w->y, g->dtype, dyo + (size_t)cls) - mx - log(s);
    st->correct += arg == cls;
    for (int o = 0; o < g->O; o++) {
        double p = exp(rd(w->y, g->dtype, dyo + (size_t)o) - mx) / s;
        wr(w->dy, g->dtype, dyo + (size_t)o, (p - (o == cls)) / g->count);
    }
    return LLN_OK;
}

/* Loss of the worker's slice and its dy (zero where a step does not count). */
static lln_status_t slice_loss(worker_t *w)
{
    const lln_batch_grad_t *g = w->g;
    size_t TO = (size_t)g->steps * (size_t)g->O;
    lln_batch_stats_t st; /* local: workers' structs share cache lines */
    memset(&st, 0, sizeof st);
    for (int k = 0; k < w->nb; k++) {
        int b = w->b0 + k, last = last_step(g, b);
        for (int t = 0; t < g->steps; t++) {
            size_t dyo = (size_t)k * TO + (size_t)t * (size_t)g->O;
            if (!counted(g, b, t, last)) {
                for (int o = 0; o < g->O; o++)
                    wr(w->dy, g->dtype, dyo + (size_t)o, 0.0);
                continue;
            }
            st.steps += 1.0;
            if (g->kind == LLN_LOSS_MSE) {
                step_mse(w, &st, (size_t)b * TO + (size_t)t * (size_t)g->O, dyo);
                st.count += g->O;
            } else {
                lln_status_t rc =
                    step_ce(w, &st, (size_t)b * (size_t)g->steps + (size_t)t, dyo, b, t);
                if (rc != LLN_OK)
                    return rc;
                st.count += 1.0;
            }
        }
    }
    w->stats = st;
    return LLN_OK;
}

/* ---- one worker --------------------------------------------------------------------------- */

static const void *at(const void *p, lln_dtype_t d, size_t i)
{
    return p == NULL ? NULL : (const char *)p + i * esize(d);
}

static lln_status_t forward(worker_t *w, int with_tape)
{
    const lln_batch_grad_t *g = w->g;
    size_t T = (size_t)g->steps, b0 = (size_t)w->b0;
    const void *x = at(g->x, g->dtype, b0 * T * (size_t)g->I);
    const void *dt = at(g->dt, g->dtype, b0 * T);
    lln_status_t st;
    if (with_tape) {
        st = g->dtype == LLN_F64
                 ? lln_tape_forward_f64(w->tape, w->nb, g->steps, x, dt, NULL, NULL, w->y)
                 : lln_tape_forward(w->tape, w->nb, g->steps, x, dt, NULL, NULL, w->y);
    } else {
        lln_state_t *s;
        st = lln_state_init(g->m, g->dtype, w->nb, w->state_buf, w->state_bytes, &s);
        if (st == LLN_OK)
            st = g->dtype == LLN_F64 ? lln_sequence_f64(g->m, s, g->steps, x, dt, w->y, NULL)
                                     : lln_sequence(g->m, s, g->steps, x, dt, w->y, NULL);
    }
    if (st != LLN_OK)
        return lln_error_set(&w->err, st, "batch sequences %d..%d: %s", w->b0, w->b0 + w->nb - 1,
                             lln_strerror(st));
    return LLN_OK;
}

static void copy_outputs(worker_t *w)
{
    const lln_batch_grad_t *g = w->g;
    size_t n = (size_t)w->nb * (size_t)g->steps * (size_t)g->O, e = esize(g->dtype);
    size_t off = (size_t)w->b0 * (size_t)g->steps * (size_t)g->O;
    memcpy((char *)g->y_out + off * e, w->y, n * e);
}

static void work(worker_t *w)
{
    const lln_batch_grad_t *g = w->g;
    int backward = g->grad != NULL && g->count > 0.0;
    memset(&w->stats, 0, sizeof w->stats);
    w->st = forward(w, g->grad != NULL);
    if (w->st == LLN_OK && g->y_out != NULL)
        copy_outputs(w);
    if (w->st == LLN_OK && g->target != NULL)
        w->st = slice_loss(w);
    if (w->st != LLN_OK || !backward)
        return;
    double *gr = w->grad != NULL ? w->grad : g->grad;
    if (w->grad != NULL)
        memset(w->grad, 0, g->P * sizeof(double));
    lln_status_t st = g->dtype == LLN_F64
                          ? lln_tape_backward_f64(w->tape, w->dy, gr, NULL, NULL, NULL)
                          : lln_tape_backward(w->tape, w->dy, gr, NULL, NULL, NULL);
    if (st != LLN_OK)
        w->st = lln_error_set(&w->err, st, "batch backward: %s", lln_strerror(st));
}

/* Pool job: worker k's slice. */
static void work_job(void *arg, int k, int n)
{
    lln_batch_grad_t *g = arg;
    (void)n;
    if (g->w[k].nb > 0)
        work(&g->w[k]);
}

/* Below this many additions the reduction runs on the caller alone. */
#define REDUCE_PARALLEL_MIN 16384

/* Pool job: grad += the buffers of workers 1..W-1 in worker order, share k of the
 * parameters (the order of every addition is that of one thread adding them all). */
static void reduce_job(void *arg, int k, int n)
{
    lln_batch_grad_t *g = arg;
    size_t lo, hi;
    lln__pool_share(g->P, k, n, &lo, &hi);
    for (int j = 1; j < g->threads; j++) {
        const double *src = g->w[j].grad;
        if (g->w[j].nb == 0 || src == NULL)
            continue;
        for (size_t i = lo; i < hi; i++)
            g->grad[i] += src[i];
    }
}

/* Tapes and state buffers are made on first use: a forward-only pool never needs a tape. */
static lln_status_t ensure_memory(lln_batch_grad_t *g, const lln_model_t *m, int want_tape,
                                  lln_error_t *err)
{
    for (int k = 0; k < g->threads; k++) {
        worker_t *w = &g->w[k];
        if (want_tape && w->tape == NULL &&
            lln_tape_create(m, g->dtype, g->slice, g->steps, &w->tape) != LLN_OK)
            return lln_error_set(err, LLN_E_NOMEM,
                                 "batch gradient: no memory for a tape of %d x %d steps", g->slice,
                                 g->steps);
        if (!want_tape && w->state_buf == NULL) {
            w->state_bytes = lln_state_bytes(m, g->dtype, g->slice);
            w->state_buf = lln__malloc(w->state_bytes);
            if (w->state_buf == NULL)
                return lln_error_set(err, LLN_E_NOMEM, "batch gradient: out of memory");
        }
    }
    return LLN_OK;
}

static lln_status_t prepare_run(lln_batch_grad_t *g, const lln_model_t *m, int batch,
                                lln_error_t *err)
{
    if (lln_model_input_size(m) != g->I || lln_model_output_size(m) != g->O ||
        lln_model_param_count(m) != g->P)
        return lln_error_set(err, LLN_E_ARG, "batch gradient: model of another structure");
    if (g->kind == LLN_LOSS_MSE) {
        const lln_tensor_info_t *ti = lln_model_find(m, "norm.output_std");
        const double *p = lln_model_params_const(m);
        for (int o = 0; o < g->O; o++)
            g->inv_std[o] =
                ti != NULL && ti->count == (size_t)g->O ? 1.0 / p[ti->offset + (size_t)o] : 1.0;
    }
    g->count = g->target != NULL ? batch_count(g, batch) : 0.0;
    return ensure_memory(g, m, g->grad != NULL, err);
}

/* ---- several processes (lln_dist_t) -------------------------------------------------------- */

/* One record per slice: status, the five sums of lln_batch_stats_t, then P gradient values. */
#define REC_HEAD 6

lln_status_t lln__batch_grad_set_dist(lln_batch_grad_t *g, const lln_dist_t *dist, lln_error_t *err)
{
    if (dist == NULL || dist->ranks < 1 || dist->rank < 0 || dist->rank >= dist->ranks ||
        dist->allgather == NULL)
        return lln_error_set(err, LLN_E_ARG, "batch gradient: invalid distribution");
    size_t rec = REC_HEAD + g->P;
    g->dist = dist;
    g->first = dist->rank * g->threads;
    g->total = dist->ranks * g->threads;
    g->send = lln__malloc((size_t)g->threads * rec * sizeof(double));
    g->recv = lln__malloc((size_t)g->total * rec * sizeof(double));
    /* worker 0 needs its own buffer too: the slices are added only after the exchange */
    if (g->w[0].grad == NULL)
        g->w[0].grad = lln__malloc((g->P ? g->P : 1) * sizeof(double));
    if (g->send == NULL || g->recv == NULL || g->w[0].grad == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "batch gradient: out of memory");
    return LLN_OK;
}

/* Exchanges the slices' records and adds them in global slice order, the order one process
 * with `total` threads uses, so every split of the same total gives the same bits. */
static lln_status_t dist_reduce(lln_batch_grad_t *g, int batch, double *grad,
                                lln_batch_stats_t *stats, lln_error_t *err)
{
    size_t rec = REC_HEAD + g->P;
    int backward = grad != NULL && g->count > 0.0;
    for (int k = 0; k < g->threads; k++) {
        const worker_t *w = &g->w[k];
        double *r = g->send + (size_t)k * rec;
        r[0] = w->nb > 0 ? (double)w->st : 0.0;
        r[1] = w->stats.loss_sum;
        r[2] = w->stats.count;
        r[3] = w->stats.steps;
        r[4] = w->stats.correct;
        r[5] = w->stats.sq_err_raw;
        if (backward && w->nb > 0 && w->st == LLN_OK)
            memcpy(r + REC_HEAD, w->grad, g->P * sizeof(double));
    }
    size_t n = backward ? rec : REC_HEAD; /* forward only: no gradient to send */
    if (n != rec) /* compact the records: the exchange sends threads x n values */
        for (int k = 1; k < g->threads; k++)
            memmove(g->send + (size_t)k * n, g->send + (size_t)k * rec, n * sizeof(double));
    if (g->dist->allgather(g->dist->ctx, g->send, (size_t)g->threads * n, g->recv) != 0)
        return lln_error_set(err, LLN_E_IO,
                             "batch gradient: the exchange between processes failed");
    lln_batch_stats_t sum;
    memset(&sum, 0, sizeof sum);
    for (int k = 0; k < g->total; k++) {
        if ((long)(k + 1) * batch / g->total == (long)k * batch / g->total)
            continue; /* an empty slice */
        const double *r = g->recv + (size_t)k * n;
        if (r[0] != 0.0) {
            int local = k - g->first;
            if (local >= 0 && local < g->threads) {
                if (err != NULL)
                    *err = g->w[local].err;
                return g->w[local].st;
            }
            return lln_error_set(err, (lln_status_t)r[0], "batch gradient: process %d: %s",
                                 k / g->threads, lln_strerror((lln_status_t)r[0]));
        }
        lln_batch_stats_t s = {r[1], r[2], r[3], r[4], r[5]};
        lln_batch_stats_add(&sum, &s);
        if (backward)
            for (size_t i = 0; i < g->P; i++)
                grad[i] += r[REC_HEAD + i];
    }
    if (stats != NULL)
        *stats = sum;
    return LLN_OK;
}

lln_status_t lln_batch_grad_run(lln_batch_grad_t *g, const lln_model_t *m, int batch, const void *x,
                                const void *dt, const void *target, const void *mask, double *grad,
                                void *y_out, lln_batch_stats_t *stats, lln_error_t *err)
{
    if (g == NULL || m == NULL || x == NULL || batch < 1 || batch > g->max_batch ||
        (grad != NULL && target == NULL))
        return lln_error_set(err, LLN_E_ARG, "batch gradient run: invalid argument");
    g->m = m;
    g->x = x;
    g->dt = dt;
    g->target = target;
    g->mask = mask;
    g->grad = grad;
    g->y_out = y_out;
    lln_status_t st = prepare_run(g, m, batch, err);
    if (st != LLN_OK)
        return st;
    int total = g->dist != NULL ? g->total : g->threads;
    for (int k = 0; k < g->threads; k++) {
        worker_t *w = &g->w[k];
        long gk = g->dist != NULL ? (long)g->first + k : k; /* global slice */
        w->b0 = (int)(gk * batch / total);
        w->nb = (int)((gk + 1) * batch / total) - w->b0;
        w->st = LLN_OK;
        memset(&w->stats, 0, sizeof w->stats);
    }
    lln__pool_run(g->pool, work_job, g);
    if (g->dist != NULL)
        return dist_reduce(g, batch, grad, stats, err);
    lln_batch_stats_t sum;
    memset(&sum, 0, sizeof sum);
    for (int k = 0; k < g->threads; k++) {
        worker_t *w = &g->w[k];
        if (w->nb == 0)
            continue;
        if (w->st != LLN_OK) {
            if (err != NULL)
                *err = w->err;
            return w->st;
        }
        lln_batch_stats_add(&sum, &w->stats);
    }
    /* small models: one thread adds faster than a hand-off to the pool (same bits) */
    if (grad != NULL && g->count > 0.0 && g->threads > 1) {
        if (g->P * (size_t)(g->threads - 1) >= REDUCE_PARALLEL_MIN)
            lln__pool_run(g->pool, reduce_job, g);
        else
            reduce_job(g, 0, 1);
    }
    if (stats != NULL)
        *stats = sum;
    return LLN_OK;
}
