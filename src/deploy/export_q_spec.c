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

/* One layer's layout: column groups, their words of four weights, bias (lln_rtq__bias: 0 none,
 * 1 int32 words, 2 int16 pairs where every bias fits). */
typedef struct {
    int na, nb, two, wa, wb, bias;
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
    s.bias = 0;
    if (d->bias != NULL) {
        s.bias = 2;
        for (int o = 0; o < d->out; o++)
            if (d->bias[o] < INT16_MIN || d->bias[o] > INT16_MAX)
                s.bias = 1;
    }
    return s;
}

int lln__export_q_spec_ok(const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    if ((r->cell != LLN_RTQ_CFC && r->cell != LLN_RTQ_WIRED_CFC) || r->baseline != NULL ||
        r->ncells == 0 || r->mode == LLN_RTQ_MODE_PURE || r->proj.out > 0)
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
    const lln_rtq_affine_t *io[2] = {&q->model.in_norm, &q->model.out_map};
    if (data == NULL)
        return 0;
    for (int i = 0; i < 2; i++) /* now literals of the step */
        if (data == io[i]->mult || data == io[i]->shift || data == io[i]->bias)
            return 1;
    for (int l = 0; l < q->model.ncells; l++) {
        const lln_rtq_dense_t *d = &q->model.cfc[l].heads;
        if (data == d->w || data == d->mult || data == d->mult2 || data == d->bias)
            return 1;
    }
    return 0;
}

/* One word of the block (a uint32 literal: the kernel reads int32 values back exactly). */
static void put_word(lln_text_t *t, int *k, uint32_t v)
{
    lln_text_put(t, "%s0x%08lXu,", *k % 8 ? " " : "\n    ", (unsigned long)v);
    (*k)++;
}

/* Layer l's block in the kernel's layout (lln_rtq__cfc_spec): per neuron j its four rows (image
 * rows g H + j), their multipliers, second multipliers and biases. */
static void put_layer(lln_text_t *t, const char *p, int l, const lln_rtq_cfc_t *c,
                      const spec_shape_t *s)
{
    const lln_rtq_dense_t *d = &c->heads;
    int H = c->hidden, row = 4 * (s->wa + s->wb), k = 0;
    int per = 4 * (s->wa + s->wb) + 4 + 4 * s->two + (s->bias == 2 ? 2 : 4 * s->bias);
    lln_text_put(t, "static const uint32_t %s_s%d[%d] = {", p, l, H * per);
    for (int j = 0; j < H; j++) {
        for (int g = 0; g < 4; g++) {
            int8_t nat[LLN_RTQ_SPEC_MAX_IN], pad[LLN_RTQ_SPEC_MAX_IN + 8] = {0},
                                                                       out[LLN_RTQ_SPEC_MAX_IN + 8];
            const int8_t *w = d->w + (size_t)(g * H + j) * d->in;
            /* natural column order: swapping lanes 1 and 2 of each group undoes the interleave */
            lln_fx_interleave4(w, nat, s->na);
            lln_fx_interleave4(w + s->na, nat + s->na, d->in - s->na);
            /* group A padded to wa words, then group B to wb (one group: all columns, wa words) */
            memcpy(pad, nat, (size_t)(s->two ? s->na : d->in));
            if (s->two)
                memcpy(pad + (ptrdiff_t)4 * s->wa, nat + s->na, (size_t)s->nb);
            lln_fx_interleave4(pad, out, 4 * s->wa);
            lln_fx_interleave4(pad + (ptrdiff_t)4 * s->wa, out + (ptrdiff_t)4 * s->wa, 4 * s->wb);
            for (int i = 0; i < row; i += 4)
                put_word(t, &k,
                         (uint32_t)(uint8_t)out[i] | (uint32_t)(uint8_t)out[i + 1] << 8 |
                             (uint32_t)(uint8_t)out[i + 2] << 16 |
                             (uint32_t)(uint8_t)out[i + 3] << 24);
        }
        for (int g = 0; g < 4; g++)
            put_word(t, &k, (uint32_t)d->mult[g * H + j]);
        for (int g = 0; s->two && g < 4; g++)
            put_word(t, &k, (uint32_t)d->mult2[g * H + j]);
        for (int g = 0; s->bias == 1 && g < 4; g++)
            put_word(t, &k, (uint32_t)d->bias[g * H + j]);
        for (int g = 0; s->bias == 2 && g < 4; g += 2) /* head g low, g + 1 high */
            put_word(t, &k,
                     (uint32_t)(uint16_t)d->bias[g * H + j] |
                         (uint32_t)(uint16_t)d->bias[(g + 1) * H + j] << 16);
    }
    lln_text_put(t, "\n};\n");
}

void lln__export_q_affine(lln_text_t *t, const char *y, const char *x, int x0,
                          const lln_rtq_affine_t *a, int n)
{
    for (int i = 0; i < n; i++)
        lln_text_put(t,
                     "    %s[%d] = lln_rtq__affine1(%s[%d], %ld, lln_rtq__rq_prep_imm(%d), %ld);\n",
                     y, i, x, x0 + i, (long)a->mult[i], a->shift[i], (long)a->bias[i]);
}

void lln__export_q_spec(lln_text_t *t, const lln_qimage_t *q, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    spec_shape_t s[LLN_MAX_LAYERS];
    lln_text_put(
        t, "\n/* The CfC layers with this model's shapes compiled in (lln_rtq_spec.h): heads' "
           "rows neuron\n * by neuron, column groups padded to words of four. */\n");
    for (int l = 0; l < r->ncells; l++) {
        s[l] = shape_of(&r->cfc[l]);
        put_layer(t, p, l, &r->cfc[l], &s[l]);
    }
    lln_text_put(t, "\n#if LLN_RTQ_SPEC_SMALL /* the layers' shapes for lln_rtq__cfc_small */\n");
    for (int l = 0; l < r->ncells; l++)
        lln_text_put(t,
                     "static const int16_t %s_h%d[12] = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, "
                     "%d, %d};\n",
                     p, l, r->cfc[l].hidden, s[l].na, s[l].nb, s[l].two, s[l].wa, s[l].wb,
                     s[l].bias, r->cfc[l].heads.shift, r->cfc[l].t_frac, r->dt_frac,
                     r->cfc[l].h_frac, r->mode);
    lln_text_put(t, "#endif\n");
    lln_text_put(t,
                 "\nstatic int %s_step(const lln_rtq_model_t *m, int16_t *h, const int16_t *x, "
                 "int32_t dt, int16_t *y,\n                   int16_t *xn)\n{\n    (void)m;\n",
                 p);
    lln__export_q_affine(t, "xn", "x", 0, &r->in_norm, r->inputs);
    for (int l = 0, col = 0, prev = 0; l < r->ncells; l++) {
        const lln_rtq_cfc_t *c = &r->cfc[l];
        char xa[32] = "xn";
        if (l > 0) /* the next layer reads the previous layer's new state */
            snprintf(xa, sizeof xa, "h + %d", prev);
        lln_text_put(t, "    /* layer %d: %d neurons, columns %d + %d */\n", l, c->hidden, s[l].na,
                     s[l].nb);
        lln_text_put(t,
                     "#if LLN_RTQ_SPEC_SMALL\n    lln_rtq__cfc_small(%s_s%d, %s_h%d, %s, h + %d, "
                     "dt, h + %d);\n#else\n",
                     p, l, p, l, xa, col, col);
        lln_text_put(t, "    lln_rtq__cfc_spec(%s_s%d, %d, %d, %d, %d, %d, %d, %d, %d,", p, l,
                     c->hidden, s[l].na, s[l].nb, s[l].two, s[l].wa, s[l].wb, s[l].bias,
                     c->heads.shift);
        lln_text_put(t, " %d, %d, %d, %d,\n                      %s, h + %d, dt, h + %d);\n",
                     c->t_frac, r->dt_frac, c->h_frac, r->mode, xa, col, col);
        lln_text_put(t, "#endif\n");
        prev = col;
        col += c->hidden;
    }
    lln_text_put(t, "    if (y == 0)\n        return LLN_RTQ_OK;\n");
    lln__export_q_affine(t, "y", "h", r->units - r->cell_outputs, &r->out_map, r->outputs);
    lln_text_put(t, "    return LLN_RTQ_OK;\n}\n");
}
