/* Quantized models on the host: the formats text in a model's metadata, the integer image,
 * and running it (the bit-exact reference of the firmware) on double data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant_internal.h"
#include "common/alloc.h"

/* ---- formats <-> text --------------------------------------------------------------------- */

static void put_list(char *buf, size_t cap, const char *key, const int *v, int n)
{
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "%s%s=", len ? " " : "", key);
    for (int i = 0; i < n; i++) {
        len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%d", i ? "," : "", v[i]);
    }
}

void lln__qfmt_format(const lln_qfmt_t *f, char *buf, size_t cap)
{
    buf[0] = '\0';
    put_list(buf, cap, "dt", &f->dt, 1);
    put_list(buf, cap, "x", f->x, f->nx);
    put_list(buf, cap, "y", f->y, f->ny);
    put_list(buf, cap, "v", &f->v, 1);
    put_list(buf, cap, "xin", &f->xin, 1);
    put_list(buf, cap, "xn", f->xn, f->nxn);
    put_list(buf, cap, "h", f->h, f->ncells);
    put_list(buf, cap, "ff", f->ff, f->ncells);
    put_list(buf, cap, "t", f->t, f->ncells);
    put_list(buf, cap, "act", f->act, f->nact);
    put_list(buf, cap, "p", &f->p, 1);
    if (f->cell == LLN_CELL_GRU) {
        put_list(buf, cap, "gin", &f->gin, 1);
        put_list(buf, cap, "ghn", &f->ghn, 1);
    }
    if (f->cell == LLN_CELL_LSTM)
        put_list(buf, cap, "mem", &f->mem, 1);
}

/* Reads "key=a,b,c" into v (exactly want values, each in [lo, hi]). */
static int get_list(const char *text, const char *key, int *v, int want, int lo, int hi)
{
    char pat[16];
    snprintf(pat, sizeof pat, "%s=", key);
    const char *p = text;
    size_t kl = strlen(pat);
    while ((p = strstr(p, pat)) != NULL && p != text && p[-1] != ' ')
        p += kl;
    if (p == NULL)
        return 0;
    p += kl;
    for (int i = 0; i < want; i++) {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p || x < lo || x > hi)
            return 0;
        v[i] = (int)x;
        p = end;
        if (i + 1 < want && *p++ != ',')
            return 0;
    }
    return *p == ' ' || *p == '\0';
}

/* The metadata text "dt=20 x=12,12 y=10 ..." -> formats, checked against m. */
static lln_status_t qfmt_parse(const lln_model_t *m, const char *text, lln_qfmt_t *f,
                               lln_error_t *err)
{
    const lln_config_t *c = lln_model_config(m);
    memset(f, 0, sizeof *f);
    f->nx = c->input_size, f->ny = lln_model_output_size(m);
    int wired = c->cell == LLN_CELL_WIRED_CFC;
    f->ncells = c->cell == LLN_CELL_LTC || c->cell >= LLN_CELL_GRU ? 0 : wired ? c->num_layers : 1;
    f->nact = c->cell == LLN_CELL_CFC || c->cell == LLN_CELL_MLP ? c->backbone_layers : 0;
    f->nxn = c->cell == LLN_CELL_LTC ? 0 : f->nx;
    f->cell = (int)c->cell;
    if (f->nx > LLN_Q_MAX_IO || f->ny > LLN_Q_MAX_IO)
        return lln_error_set(err, LLN_E_UNSUPPORTED, "quantize: too many inputs or outputs");
    struct {
        const char *key;
        int *v, n, lo, hi;
    } items[] = {{"dt", &f->dt, 1, 0, 30},       {"x", f->x, f->nx, -16, 24},
                 {"y", f->y, f->ny, -16, 24},    {"v", &f->v, 1, -8, 24},
                 {"xin", &f->xin, 1, -8, 24},    {"xn", f->xn, f->nxn, -8, 24},
                 {"h", f->h, f->ncells, -8, 15}, {"ff", f->ff, f->ncells, -8, 24},
                 {"t", f->t, f->ncells, -8, 24}, {"act", f->act, f->nact, -8, 24},
                 {"p", &f->p, 1, -8, 24}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (!get_list(text, items[i].key, items[i].v, items[i].n, items[i].lo, items[i].hi))
            return lln_error_set(err, LLN_E_FORMAT,
                                 "quantize: metadata %s: entry '%s' is missing or malformed "
                                 "(want %d integers in [%d, %d])",
                                 LLN_Q_META, items[i].key, items[i].n, items[i].lo, items[i].hi);
    /* keys of the GRU / LSTM baselines only (files of the other cells do not have them) */
    const char *bad = NULL;
    if (c->cell == LLN_CELL_GRU) {
        if (!get_list(text, "gin", &f->gin, 1, -8, 24))
            bad = "gin";
        else if (!get_list(text, "ghn", &f->ghn, 1, -8, 24))
            bad = "ghn";
    } else if (c->cell == LLN_CELL_LSTM && !get_list(text, "mem", &f->mem, 1, 0, 14)) {
        bad = "mem";
    }
    if (bad != NULL)
        return lln_error_set(err, LLN_E_FORMAT,
                             "quantize: metadata %s: entry '%s' is missing or malformed",
                             LLN_Q_META, bad);
    return LLN_OK;
}

/* ---- public API ------------------------------------------------------------------------------ */

int lln_model_is_quantized(const lln_model_t *m)
{
    return m != NULL && lln_model_get_meta(m, LLN_Q_META) != NULL;
}

lln_status_t lln_quant_create(const lln_model_t *m, lln_quant_t **out, lln_error_t *err)
{
    const char *text = m ? lln_model_get_meta(m, LLN_Q_META) : NULL;
    if (out == NULL)
        return lln_error_set(err, LLN_E_ARG, "quantize: NULL argument");
    *out = NULL;
    if (text == NULL)
        return lln_error_set(err, LLN_E_NOTFOUND,
                             "the model is not quantized (run `lln quantize MODEL --calib CSV`)");
    lln_quant_t *q = lln__calloc(1, sizeof *q);
    lln_qfmt_t *f = lln__malloc(sizeof *f);
    lln_status_t st = q && f ? qfmt_parse(m, text, f, err)
                             : lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory");
    if (st == LLN_OK)
        st = lln__qimage_build(m, f, &q->img, err);
    lln__free(f);
    if (st != LLN_OK) {
        lln__free(q);
        return st;
    }
    *out = q;
    return LLN_OK;
}

void lln_quant_free(lln_quant_t *q)
{
    if (q == NULL)
        return;
    lln__qimage_free(&q->img);
    lln__free(q);
}

void lln_quant_sizes(const lln_quant_t *q, lln_quant_sizes_t *s)
{
    const lln_rtq_model_t *r = &q->img.model;
    s->weight_bytes = q->img.weight_bytes + sizeof(lln_rtq_model_t) +
                      r->ncells * sizeof(lln_rtq_cfc_t) + q->img.fmt.nact * sizeof(lln_rtq_dense_t);
    /* (the MLP's hidden layers are counted by nact too) */
    s->weight_bytes += r->base ? sizeof(lln_rtq_base_t) : 0;
    s->state_bytes = r->state_len * sizeof(int16_t);
    s->scratch_bytes = r->scratch16_len * sizeof(int16_t) + r->scratch32_len * sizeof(int32_t);
}

int lln_quant_state_frac(const lln_quant_t *q, int j)
{
    const lln_rtq_model_t *r = &q->img.model;
    if (r->cell == LLN_RTQ_LTC)
        return r->ltc.v_frac;
    if (r->cell == LLN_RTQ_MLP) /* the window: input j % I's format */
        return q->img.fmt.xn[j % r->inputs];
    if (r->cell == LLN_RTQ_GRU || r->cell == LLN_RTQ_LSTM) /* h, then the LSTM memory */
        return j < r->units ? 15 : r->base->mem_frac;
    for (int l = 0, col = 0; l < r->ncells; col += r->cfc[l].hidden, l++)
        if (j < col + r->cfc[l].hidden)
            return r->cfc[l].h_frac;
    return 0;
}

void lln_quant_input(const lln_quant_t *q, const double *x, double dt, int16_t *xq, int32_t *dtq)
{
    const lln_rtq_model_t *r = &q->img.model;
    for (int i = 0; i < r->inputs; i++)
        xq[i] = lln__q16(x[i], r->x_frac[i]);
    int32_t d = lln__q32(dt, r->dt_frac);
    *dtq = d < 1 ? 1 : d;
}

lln_status_t lln_quant_run(const lln_quant_t *q, int batch, int steps, const double *x,
                           const double *dt, double *y, double *h, lln_error_t *err)
{
    if (q == NULL || x == NULL || y == NULL || batch < 0 || steps < 0)
        return lln_error_set(err, LLN_E_ARG, "quantize: bad arguments to lln_quant_run");
    const lln_rtq_model_t *r = &q->img.model;
    int I = r->inputs, O = r->outputs, N = r->units;
    int16_t *st = lln__calloc(r->state_len + 1, sizeof *st),
            *xq = lln__calloc((size_t)I + 1, sizeof *xq);
    int16_t *yq = lln__calloc((size_t)O + 1, sizeof *yq),
            *s16 = lln__calloc(r->scratch16_len, sizeof *s16);
    int32_t *s32 = lln__calloc(r->scratch32_len, sizeof *s32);
    lln_status_t status = LLN_OK;
    if (!st || !xq || !yq || !s16 || !s32)
        status = lln_error_set(err, LLN_E_NOMEM, "quantize: out of memory");
    for (int b = 0; status == LLN_OK && st && xq && yq && s16 && s32 && b < batch; b++) {
        lln_rtq_reset(r, st);
        for (int t = 0; status == LLN_OK && t < steps; t++) {
            size_t k = (size_t)b * (size_t)steps + (size_t)t;
            double d = dt ? dt[k] : 1.0;
            int32_t dq;
            lln_quant_input(q, x + k * (size_t)I, d, xq, &dq);
            if (!(d > 0) || !isfinite(d))
                status = lln_error_set(err, LLN_E_DT, "quantize: dt of step %zu is %g", k, d);
            else if (lln_rtq_step(r, st, xq, dq, yq, s16, s32) != LLN_RTQ_OK)
                status = lln_error_set(err, LLN_E_DT, "quantize: step %zu rejected dt", k);
            for (int o = 0; o < O; o++)
                y[k * (size_t)O + o] = ldexp(yq[o], -r->y_frac[o]);
            for (int j = 0; h && j < N; j++)
                h[k * (size_t)N + j] = ldexp(st[j], -lln_quant_state_frac(q, j));
        }
    }
    lln__free(st), lln__free(xq), lln__free(yq), lln__free(s16), lln__free(s32);
    return status;
}
