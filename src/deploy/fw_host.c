/* The exported firmware run on the host (lln_fw_*, lln/export.h): the float32 runtime on the
 * runtime image of the model, or the fixed-point runtime on its quantized image. Outputs and
 * state are handed out as raw 32-bit words so that callers compare bits, not values. */
#include <stdlib.h>
#include <string.h>

#include "lln/export.h"
#include "quant_internal.h"
#include "rt_image.h"
#include "common/alloc.h"

struct lln_fw {
    int fixed;
    lln_rt_image_t img; /* float32: the runtime model */
    lln_quant_t *q;     /* fixed point: the quantized image (q->img.model) */
    unsigned inputs, outputs, state_len;
    float *st, *scratch, *y;         /* float32 buffers */
    int16_t *st16, *s16, *y16, *x16; /* fixed-point buffers */
    int32_t *s32;
    double *xd; /* the inputs as double for lln_quant_input */
};

void lln_fw_free(lln_fw_t *f)
{
    if (f == NULL)
        return;
    if (f->fixed)
        lln_quant_free(f->q);
    else
        lln__rt_image_free(&f->img);
    lln__free(f->st), lln__free(f->scratch), lln__free(f->y);
    lln__free(f->st16), lln__free(f->s16), lln__free(f->y16), lln__free(f->x16), lln__free(f->s32),
        lln__free(f->xd);
    lln__free(f);
}

lln_status_t lln_fw_create(const lln_model_t *m, int fixed, lln_fw_t **out, lln_error_t *err)
{
    if (m == NULL || out == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln_fw_create: NULL argument");
    *out = NULL;
    lln_fw_t *f = lln__calloc(1, sizeof *f);
    if (f == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "out of memory");
    f->fixed = fixed != 0;
    lln_status_t st =
        f->fixed ? lln_quant_create(m, &f->q, err) : lln__rt_image_build(m, &f->img, err);
    if (st != LLN_OK) {
        lln__free(f);
        return st;
    }
    int ok;
    if (f->fixed) {
        const lln_rtq_model_t *r = &f->q->img.model;
        f->inputs = r->inputs, f->outputs = r->outputs, f->state_len = r->state_len;
        f->st16 = lln__calloc(r->state_len + 1, sizeof *f->st16);
        f->s16 = lln__calloc(r->scratch16_len + 1, sizeof *f->s16);
        f->s32 = lln__calloc(r->scratch32_len + 1, sizeof *f->s32);
        f->y16 = lln__calloc((size_t)r->outputs + 1, sizeof *f->y16);
        f->x16 = lln__calloc((size_t)r->inputs + 1, sizeof *f->x16);
        f->xd = lln__calloc((size_t)r->inputs + 1, sizeof *f->xd);
        ok = f->st16 && f->s16 && f->s32 && f->y16 && f->x16 && f->xd;
    } else {
        const lln_rt_model_t *r = &f->img.model;
        f->inputs = r->inputs, f->outputs = r->outputs, f->state_len = r->state_floats;
        f->st = lln__calloc(r->state_floats + 1, sizeof *f->st);
        f->scratch = lln__calloc(r->scratch_floats + 1, sizeof *f->scratch);
        f->y = lln__calloc((size_t)r->outputs + 1, sizeof *f->y);
        ok = f->st && f->scratch && f->y;
    }
    if (!ok) {
        lln_fw_free(f);
        return lln_error_set(err, LLN_E_NOMEM, "out of memory");
    }
    lln_fw_reset(f);
    *out = f;
    return LLN_OK;
}

void lln_fw_shape(const lln_fw_t *f, int *outputs, int *state_len)
{
    *outputs = (int)f->outputs;
    *state_len = (int)f->state_len;
}

void lln_fw_reset(lln_fw_t *f)
{
    if (f->fixed)
        lln_rtq_reset(&f->q->img.model, f->st16);
    else
        lln_rt_reset(&f->img.model, f->st);
}

int lln_fw_step(lln_fw_t *f, const float *x, float dt, uint32_t *y, uint32_t *h)
{
    int rc;
    if (f->fixed) {
        int32_t dq;
        for (unsigned i = 0; i < f->inputs; i++)
            f->xd[i] = x[i];
        lln_quant_input(f->q, f->xd, dt, f->x16, &dq);
        rc = lln_rtq_step(&f->q->img.model, f->st16, f->x16, dq, f->y16, f->s16, f->s32);
        for (unsigned o = 0; o < f->outputs; o++)
            y[o] = (uint16_t)f->y16[o];
        for (unsigned j = 0; j < f->state_len; j++)
            h[j] = (uint16_t)f->st16[j];
    } else {
        rc = lln_rt_step(&f->img.model, f->st, x, dt, f->y, f->scratch);
        memcpy(y, f->y, f->outputs * sizeof *y);
        memcpy(h, f->st, f->state_len * sizeof *h);
    }
    return rc;
}
