/* Streaming fixed-point inference on the host (include/lln/quant.h): one reading at a time,
 * for closed-loop control, where the next input depends on this step's output. The
 * arithmetic is the firmware's own (runtime/lln_rtq.c, compiled into the library). */
#include <math.h>
#include <stdlib.h>

#include "quant_internal.h"

struct lln_quant_stream {
    const lln_quant_t *q;
    int16_t *state, *s16;
    int32_t *s32;
};

lln_status_t lln_quant_stream_create(const lln_quant_t *q, lln_quant_stream_t **out,
                                     lln_error_t *err)
{
    if (q == NULL || out == NULL)
        return lln_error_set(err, LLN_E_ARG, "quantize: NULL argument");
    const lln_rtq_model_t *r = &q->img.model;
    lln_quant_stream_t *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->q = q;
        s->state = calloc(r->state_len + 1, sizeof *s->state);
        s->s16 = calloc(r->scratch16_len + 1, sizeof *s->s16);
        s->s32 = calloc(r->scratch32_len + 1, sizeof *s->s32);
    }
    if (s == NULL || !s->state || !s->s16 || !s->s32) {
        lln_quant_stream_free(s);
        return lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory");
    }
    lln_rtq_reset(r, s->state);
    *out = s;
    return LLN_OK;
}

void lln_quant_stream_free(lln_quant_stream_t *s)
{
    if (s == NULL)
        return;
    free(s->state), free(s->s16), free(s->s32);
    free(s);
}

void lln_quant_stream_reset(lln_quant_stream_t *s)
{
    if (s != NULL)
        lln_rtq_reset(&s->q->img.model, s->state);
}

lln_status_t lln_quant_stream_step(lln_quant_stream_t *s, const short *xq, long dtq, short *yq,
                                   lln_error_t *err)
{
    if (s == NULL || xq == NULL || yq == NULL)
        return lln_error_set(err, LLN_E_ARG, "quantize: NULL argument");
    const lln_rtq_model_t *r = &s->q->img.model;
    if (dtq < 1 || dtq > 2147483647L)
        return lln_error_set(err, LLN_E_DT, "quantize: integer dt %ld out of range", dtq);
    if (lln_rtq_step(r, s->state, xq, (int32_t)dtq, yq, s->s16, s->s32) != LLN_RTQ_OK)
        return lln_error_set(err, LLN_E_DT, "quantize: the runtime rejected dt %ld", dtq);
    return LLN_OK;
}

double lln_quant_decode(const lln_quant_t *q, int o, short yq)
{
    if (q == NULL || o < 0 || o >= q->img.model.outputs)
        return NAN;
    return ldexp(yq, -q->img.model.y_frac[o]);
}
