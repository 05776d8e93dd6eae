/* Tapes (include/lln/grad.h): sizing, caller-owned layout, argument checks, and dispatch to
 * the float32 / float64 backpropagation of backprop_impl.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lln/grad.h"
#include "model_internal.h"
#include "common/alloc.h"

#define TAPE_ALIGN 64
#define MAX_ROWS (1L << 28) /* batch * steps bound: keeps every size_t product far from overflow */

static size_t header_bytes(void)
{
    return (sizeof(lln_tape_t) + TAPE_ALIGN - 1) / TAPE_ALIGN * TAPE_ALIGN;
}

static int valid(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps)
{
    return m != NULL && (dtype == LLN_F32 || dtype == LLN_F64) && batch >= 1 && steps >= 1 &&
           (long)batch * (long)steps <= MAX_ROWS;
}

static size_t carve(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps, void *base)
{
    return dtype == LLN_F64 ? lln__tape_carve_f64(m, batch, steps, base)
                            : lln__tape_carve_f32(m, batch, steps, base);
}

static size_t ltc_count(const lln_model_t *m, int sensory)
{
    if (m->cfg.cell != LLN_CELL_LTC)
        return 0;
    const int *off = sensory ? m->p_f32.ltc.s_off : m->p_f32.ltc.r_off;
    return (size_t)off[m->cfg.units];
}

size_t lln_tape_bytes(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps)
{
    if (!valid(m, dtype, batch, steps))
        return 0;
    return header_bytes() + carve(m, dtype, batch, steps, NULL);
}

lln_status_t lln_tape_init(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps, void *buf,
                           size_t bytes, lln_tape_t **out)
{
    size_t need = lln_tape_bytes(m, dtype, batch, steps);
    if (out == NULL || buf == NULL || need == 0)
        return LLN_E_ARG;
    *out = NULL;
    uintptr_t a = ((uintptr_t)buf + TAPE_ALIGN - 1) & ~(uintptr_t)(TAPE_ALIGN - 1);
    size_t shift = (size_t)(a - (uintptr_t)buf);
    if (bytes < need + shift)
        return LLN_E_RANGE;
    lln_tape_t *t = (lln_tape_t *)a;
    memset(t, 0, sizeof *t);
    t->model = m;
    t->dtype = dtype;
    t->cap_b = batch;
    t->cap_t = steps;
    t->syn = ltc_count(m, 0);
    t->ssyn = ltc_count(m, 1);
    t->data = (char *)t + header_bytes();
    carve(m, dtype, batch, steps, t->data);
    *out = t;
    return LLN_OK;
}

lln_status_t lln_tape_create(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps,
                             lln_tape_t **out)
{
    size_t need = lln_tape_bytes(m, dtype, batch, steps);
    if (out == NULL || need == 0)
        return LLN_E_ARG;
    void *buf = lln__malloc(need + TAPE_ALIGN);
    if (buf == NULL)
        return LLN_E_NOMEM;
    lln_status_t st = lln_tape_init(m, dtype, batch, steps, buf, need + TAPE_ALIGN, out);
    if (st != LLN_OK) {
        lln__free(buf);
        return st;
    }
    (*out)->heap = buf;
    return LLN_OK;
}

void lln_tape_free(lln_tape_t *t)
{
    if (t != NULL && t->heap != NULL)
        lln__free(t->heap);
}

/* The model may have been re-prepared since the tape was laid out; its structure (and so
 * every buffer size) must be the same. Only LTC synapse counts can change (new masks). */
static int same_shape(const lln_tape_t *t)
{
    return t->syn == ltc_count(t->model, 0) && t->ssyn == ltc_count(t->model, 1);
}

static lln_status_t check_call(const lln_tape_t *t, lln_dtype_t dtype, int batch, int steps,
                               const void *x, const void *c0)
{
    if (t == NULL || t->dtype != dtype || x == NULL || batch < 1 || steps < 1 || batch > t->cap_b ||
        steps > t->cap_t || !same_shape(t))
        return LLN_E_ARG;
    if (c0 != NULL && !lln__nmem(&t->model->cfg))
        return LLN_E_ARG;
    return LLN_OK;
}

/* The body of lln_tape_forward / lln_tape_forward_f64: checks everything (a failed check
 * empties the tape), then records the forward pass in the tape's precision. */
static lln_status_t tape_forward(lln_tape_t *t, lln_dtype_t dtype, int batch, int steps,
                                 const void *x, const void *dt, const void *h0, const void *c0,
                                 void *y)
{
    lln_status_t st = check_call(t, dtype, batch, steps, x, c0);
    if (st == LLN_OK && dtype == LLN_F64)
        st = lln__model_f64(t->model);
    if (st != LLN_OK)
        return st;
    const lln_model_t *m = t->model;
    size_t rows = (size_t)batch * (size_t)steps, nh = (size_t)batch * m->cfg.units;
    if ((st = lln__check_dt(dtype, dt, rows)) != LLN_OK ||
        (st = lln__check_finite(dtype, x, rows * (size_t)m->cfg.input_size)) != LLN_OK ||
        (h0 != NULL && (st = lln__check_finite(dtype, h0, nh)) != LLN_OK) ||
        (c0 != NULL && (st = lln__check_finite(dtype, c0, nh)) != LLN_OK)) {
        t->nb = 0;
        return st;
    }
    t->nb = batch;
    t->steps = steps;
    if (dtype == LLN_F32)
        lln__tape_forward_f32(t, x, dt, h0, c0, y);
    else
        lln__tape_forward_f64(t, x, dt, h0, c0, y);
    return LLN_OK;
}

/* The body of lln_tape_backward / lln_tape_backward_f64. */
static lln_status_t tape_backward(lln_tape_t *t, lln_dtype_t dtype, const void *dy, double *grad,
                                  void *dx, void *dh0, void *dc0)
{
    if (t == NULL || t->dtype != dtype || t->nb == 0 || dy == NULL || grad == NULL ||
        !same_shape(t) || (dc0 != NULL && !lln__nmem(&t->model->cfg)))
        return LLN_E_ARG;
    lln_status_t st = dtype == LLN_F64 ? lln__model_f64(t->model) : LLN_OK;
    if (st != LLN_OK)
        return st;
    if (dtype == LLN_F32)
        lln__tape_backward_f32(t, dy, grad, dx, dh0, dc0);
    else
        lln__tape_backward_f64(t, dy, grad, dx, dh0, dc0);
    return LLN_OK;
}

lln_status_t lln_tape_forward(lln_tape_t *t, int batch, int steps, const float *x, const float *dt,
                              const float *h0, const float *c0, float *y)
{
    return tape_forward(t, LLN_F32, batch, steps, x, dt, h0, c0, y);
}

lln_status_t lln_tape_backward(lln_tape_t *t, const float *dy, double *grad, float *dx, float *dh0,
                               float *dc0)
{
    return tape_backward(t, LLN_F32, dy, grad, dx, dh0, dc0);
}

lln_status_t lln_tape_forward_f64(lln_tape_t *t, int batch, int steps, const double *x,
                                  const double *dt, const double *h0, const double *c0, double *y)
{
    return tape_forward(t, LLN_F64, batch, steps, x, dt, h0, c0, y);
}

lln_status_t lln_tape_backward_f64(lln_tape_t *t, const double *dy, double *grad, double *dx,
                                   double *dh0, double *dc0)
{
    return tape_backward(t, LLN_F64, dy, grad, dx, dh0, dc0);
}

lln_status_t lln_tape_final_state(const lln_tape_t *t, void *h, void *c)
{
    if (t == NULL || t->nb == 0 || (c != NULL && !lln__nmem(&t->model->cfg)))
        return LLN_E_ARG;
    size_t es = t->dtype == LLN_F64 ? sizeof(double) : sizeof(float);
    size_t nbN = (size_t)t->nb * (size_t)t->model->cfg.units, at = (size_t)t->steps * nbN * es;
    /* the record starts with xn, dt, h, c: ask the precision's layout where they are */
    const char *hrec, *crec;
    if (t->dtype == LLN_F64)
        lln__tape_records_f64(t, (const void **)&hrec, (const void **)&crec);
    else
        lln__tape_records_f32(t, (const void **)&hrec, (const void **)&crec);
    if (h != NULL)
        memcpy(h, hrec + at, nbN * es);
    if (c != NULL)
        memcpy(c, crec + at, nbN * es);
    return LLN_OK;
}
