/* `lln export` of the fixed-point path, CfC without backbone (wired or not): the step with the
 * model's shapes compiled in. The exporter knows every layer's rows and column groups, so it
 * writes them as literal arguments of the inline kernel of runtime/lln_rtq_spec.h (GCC then
 * unrolls each row completely: no loop set-up, no scalar tails) and lays the heads' tables out
 * for it: rows neuron by neuron (ff1, ff2, time_a, time_b of neuron j together, so the gate
 * follows its four rows without a trip through memory), each column group padded with zero
 * weights to whole words of four, biases as int16 where every value fits. The arithmetic is the
 * generic runtime's (the same inline requantisation and gate; dot products are sums modulo
 * 2^32 of the same products), which `lln verify` checks bit for bit against the host. */
#include <stdio.h>
#include <string.h>

#include "../../runtime/lln_rtq_spec.h"
#include "export_q.h"

/* One layer's layout: column groups, their words of four weights, the bias type. */
typedef struct {
    int na, nb, two, wa, wb, bias16;
} spec_shape_t;

static spec_shape_t shape_of(const lln_rtq_cfc_t *c)
{
    const lln_rtq_dense_t *d = &c->heads;
    spec_shape_t s;
    s.na = d->split ? d->split : d->in;
    s.nb = d->in - s.na;
    s.two = d->mult2 != NULL && s.nb > 0;
    s.wa = ((s.two ? s.na : s.na + s.nb) + 3) / 4;
    s.wb = s.two ? (s.nb + 3) / 4 : 0;
    s.bias16 = d->bias != NULL;
    for (int o = 0; s.bias16 && o < d->out; o++)
        s.bias16 = d->bias[o] >= INT16_MIN && d->bias[o] <= INT16_MAX;
    return s;
}

int lln__export_q_spec_ok(const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    if ((r->cell != LLN_RTQ_CFC && r->cell != LLN_RTQ_WIRED_CFC) || r->baseline != NULL ||
        r->ncells == 0 || r->mode == LLN_RTQ_MODE_PURE)
        return 0;
    for (int l = 0; l < r->ncells; l++) {
        const lln_rtq_cfc_t *c = &r->cfc[l];
        /* the packed activations must fit the kernel's array, and A + B must not wrap */
        if (c->nbackbone != 0 || c->heads.out != 4 * c->hidden ||
            c->heads.in > LLN_RTQ_SPEC_MAX_IN || c->heads.shift < 1)
            return 0;
    }
    return 1;
}

int lln__export_q_spec_skips(const lln_qimage_t *q, const void *data)
{
    for (int l = 0; l < q->model.ncells; l++) {
        const lln_rtq_dense_t *d = &q->model.cfc[l].heads;
        if (data == d->w || data == d->mult || data == d->mult2 || data == d->bias)
            return 1;
    }
    return 0;
}

/* One per-row table of layer l in the kernel's row order (row 4 j + g is image row g H + j):
 * v is the image's table (NULL: skipped). */
static void put_rows(lln_text_t *t, const char *type, const char *p, int l, const char *name,
                     const int32_t *v, int H)
{
    if (v == NULL)
        return;
    lln_text_put(t, "static const %s %s_s%d_%s[%d] = {", type, p, l, name, 4 * H);
    for (int r = 0; r < 4 * H; r++)
        lln_text_put(t, "%s%ld,", r % 12 ? " " : "\n    ", (long)v[(r % 4) * H + r / 4]);
    lln_text_put(t, "\n};\n");
}

/* Layer l's tables in the kernel's layout. */
static void put_layer(lln_text_t *t, const char *p, int l, const lln_rtq_cfc_t *c,
                      const spec_shape_t *s)
{
    const lln_rtq_dense_t *d = &c->heads;
    int H = c->hidden, row = 4 * (s->wa + s->wb), k = 0;
    lln_text_put(t, "static const int8_t %s_s%d_w[%d] = {", p, l, 4 * H * row);
    for (int r = 0; r < 4 * H; r++) {
        int8_t nat[LLN_RTQ_SPEC_MAX_IN], pad[LLN_RTQ_SPEC_MAX_IN + 8] = {0},
            out[LLN_RTQ_SPEC_MAX_IN + 8];
        const int8_t *w = d->w + (size_t)((r % 4) * H + r / 4) * d->in; /* image row g H + j */
        /* natural column order: swapping lanes 1 and 2 of each group undoes the interleave */
        lln_fx_interleave4(w, nat, s->na);
        lln_fx_interleave4(w + s->na, nat + s->na, d->in - s->na);
        /* group A padded to wa words, then group B to wb (one group: all columns, wa words) */
        memcpy(pad, nat, (size_t)(s->two ? s->na : d->in));
        if (s->two)
            memcpy(pad + 4 * s->wa, nat + s->na, (size_t)s->nb);
        lln_fx_interleave4(pad, out, 4 * s->wa);
        lln_fx_interleave4(pad + 4 * s->wa, out + 4 * s->wa, 4 * s->wb);
        for (int i = 0; i < row; i++, k++)
            lln_text_put(t, "%s%d,", k % 16 ? " " : "\n    ", out[i]);
    }
    lln_text_put(t, "\n};\n");
    put_rows(t, "int32_t", p, l, "ma", d->mult, H);
    put_rows(t, "int32_t", p, l, "mb", s->two ? d->mult2 : NULL, H);
    put_rows(t, s->bias16 ? "int16_t" : "int32_t", p, l, "b", d->bias, H);
}

void lln__export_q_spec(lln_text_t *t, const lln_qimage_t *q, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    spec_shape_t s[LLN_MAX_LAYERS];
    lln_text_put(t, "\n/* The CfC layers with this model's shapes compiled in (lln_rtq_spec.h): heads' "
                    "rows neuron\n * by neuron, column groups padded to words of four. */\n");
    for (int l = 0; l < r->ncells; l++) {
        s[l] = shape_of(&r->cfc[l]);
        put_layer(t, p, l, &r->cfc[l], &s[l]);
    }
    lln_text_put(t, "\nstatic void %s_cfc_step(const lln_rtq_model_t *m, const int16_t *xn, "
                    "int32_t dt, int16_t *h)\n{\n    (void)m;\n",
                 p);
    for (int l = 0, col = 0, prev = 0; l < r->ncells; l++) {
        const lln_rtq_cfc_t *c = &r->cfc[l];
        char b16[64] = "0", b32[64] = "0", mb[64] = "0", xa[32] = "xn";
        if (c->heads.bias)
            snprintf(s[l].bias16 ? b16 : b32, sizeof b16, "%s_s%d_b", p, l);
        if (s[l].two)
            snprintf(mb, sizeof mb, "%s_s%d_mb", p, l);
        if (l > 0) /* the next layer reads the previous layer's new state */
            snprintf(xa, sizeof xa, "h + %d", prev);
        lln_text_put(t, "    /* layer %d: %d neurons, columns %d + %d */\n", l, c->hidden, s[l].na,
                     s[l].nb);
        lln_text_put(t, "    lln_rtq__cfc_spec(%s_s%d_w, %s_s%d_ma, %s, %s, %s, %d, %d, %d, %d, %d, %d,",
                     p, l, p, l, mb, b16, b32, c->hidden, s[l].na, s[l].nb, s[l].two, s[l].wa,
                     s[l].wb);
        lln_text_put(t, " %d, %d, %d, %d, %d,\n                      %s, h + %d, dt, h + %d);\n",
                     c->heads.shift, c->t_frac, r->dt_frac, c->h_frac, r->mode, xa, col, col);
        prev = col;
        col += c->hidden;
    }
    lln_text_put(t, "}\n");
}
