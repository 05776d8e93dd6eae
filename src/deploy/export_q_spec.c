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

/* Layer l's record for lln_rtq__cfc_roll (LLN_RTQ__R_*) into rec, with k the rows' shift - 32
 * the layer's multipliers are scaled to (k >= its own: exact, see roll_scale); returns 0 when
 * the layer cannot take the rolled step: rq off the one-word path (shift < 33 for the rows or
 * the time gate), int32 biases, a count above a byte, or one column group whose columns are
 * not one run in memory (a first layer reading the input and the state). */
/* e with 2^e = v, 0 <= e <= 30, or -1 when v is no such power of two. */
static int exact_log2(int32_t v)
{
    for (int e = 0; e <= 30; e++)
        if (((int32_t)1 << e) == v)
            return e;
    return -1;
}

static int roll_record(const lln_qimage_t *q, int l, const spec_shape_t *s, int k, int rec[])
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_cfc_t *c = &r->cfc[l];
    lln_rtq__tgate_t tg = lln_rtq__tgate_prep(c->t_frac, r->dt_frac);
    int ga = s->two ? s->na : c->heads.in, gb = s->two ? s->nb : 0, col = 0;
    int tl = exact_log2(tg.ka), tb = exact_log2(tg.tb_mul);
    for (int i = 0; i < l; i++)
        col += r->cfc[i].hidden;
    rec[LLN_RTQ__R_H] = c->hidden, rec[LLN_RTQ__R_GA] = ga, rec[LLN_RTQ__R_GB] = gb;
    rec[LLN_RTQ__R_XA] = l == 0 ? LLN_RTQ__R_INPUT : col - r->cfc[l - 1].hidden;
    rec[LLN_RTQ__R_XB] = col;
    /* pair counts p as the assembly takes them: 2 ceil(p / 2) + p mod 2 */
    rec[LLN_RTQ__R_PA] = (ga + 1) / 2 + (ga + 1) / 2 % 2 * 2;
    rec[LLN_RTQ__R_PB] = (gb + 1) / 2 + (gb + 1) / 2 % 2 * 2;
    rec[LLN_RTQ__R_K] = k, rec[LLN_RTQ__R_TK] = tg.rq.s - 32;
    rec[LLN_RTQ__R_TL] = tl, rec[LLN_RTQ__R_TB] = tb, rec[LLN_RTQ__R_HFRAC] = (int)c->h_frac;
    rec[LLN_RTQ__R_MODE] = r->mode, rec[LLN_RTQ__R_BIAS] = s->bias == 2;
    int one_run = s->two || s->nb == 0 || (l > 0 && s->na == r->cfc[l - 1].hidden);
    return c->heads.shift >= 33 && k >= 1 && k <= 30 && tg.rq.s >= 33 && s->bias != 1 &&
           c->hidden <= 255 && col + c->hidden < LLN_RTQ__R_INPUT && ga >= 1 && tl >= 0 &&
           tb >= 0 && c->h_frac >= 0 && c->h_frac <= 15 && one_run;
}

/* Can layer l's multipliers take the rows' shift 32 + k (>= its own)? Then they are stored
 * times 2^(32 + k - shift): rq(a m 2^e, shift + e) = rq(a m, shift) exactly (the same
 * quotient; rq's one-word path floors p / 2^32 first, and successive floors of divisions by
 * powers of two compose), as long as m 2^e stays within int32. */
static int roll_scale(const lln_rtq_dense_t *d, int k)
{
    int e = 32 + k - d->shift;
    if (e < 0 || e > 30)
        return 0;
    for (int i = 0; i < d->out; i++) {
        int64_t m = d->mult[i], m2 = d->mult2 ? d->mult2[i] : 0;
        int64_t lim = ((int64_t)1 << 31) >> e;
        if (m >= lim || m < -lim || m2 >= lim || m2 < -lim)
            return 0;
    }
    return 1;
}

/* Layer l's part of the rolled step's block: per neuron j its four rows' column pairs, group A
 * then group B (per pair a word of rows ff1, ff2 and one of time_a, time_b), then the
 * multipliers (scaled to the record's k), the second multipliers and the int16 bias pairs as
 * put_layer writes them. */
static void put_roll(lln_text_t *t, int *k, const lln_rtq_cfc_t *c, const spec_shape_t *s,
                     const int rec[])
{
    const lln_rtq_dense_t *d = &c->heads;
    int H = c->hidden, ga = rec[LLN_RTQ__R_GA], gb = rec[LLN_RTQ__R_GB];
    uint32_t sc = 1u << (32 + rec[LLN_RTQ__R_K] - d->shift);
    for (int j = 0; j < H; j++) {
        int8_t nat[4][LLN_RTQ_SPEC_MAX_IN + 2];
        memset(nat, 0, sizeof nat);
        for (int g = 0; g < 4; g++) { /* natural column order, as put_layer */
            const int8_t *w = d->w + (size_t)(g * H + j) * d->in;
            lln_fx_interleave4(w, nat[g], s->na);
            lln_fx_interleave4(w + s->na, nat[g] + s->na, d->in - s->na);
        }
        for (int grp = 0; grp < 2; grp++) {
            int c0 = grp ? ga : 0, n = grp ? gb : ga;
            for (int i = 0; i < n; i += 2)
                for (int g = 0; g < 4; g += 2) { /* rows g, g + 1; columns i, i + 1 */
                    int i1 = i + 1 < n ? c0 + i + 1 : LLN_RTQ_SPEC_MAX_IN + 1; /* a zero */
                    put_word(t, k,
                             (uint32_t)(uint8_t)nat[g][c0 + i] |
                                 (uint32_t)(uint8_t)nat[g + 1][c0 + i] << 8 |
                                 (uint32_t)(uint8_t)nat[g][i1] << 16 |
                                 (uint32_t)(uint8_t)nat[g + 1][i1] << 24);
                }
        }
        for (int g = 0; g < 4; g++) { /* two groups: per row ma, mb */
            put_word(t, k, (uint32_t)d->mult[g * H + j] * sc);
            if (s->two)
                put_word(t, k, (uint32_t)d->mult2[g * H + j] * sc);
        }
        for (int g = 0; s->bias == 2 && g < 4; g += 2)
            put_word(t, k,
                     (uint32_t)(uint16_t)d->bias[g * H + j] |
                         (uint32_t)(uint16_t)d->bias[(g + 1) * H + j] << 16);
    }
}

/* The rolled step's tables and its wrapper p_roll (lln_rtq__cfc_roll with the model's
 * literals), or nothing (returns 0) when a layer cannot take it. The rows' shift is one for
 * all layers where every layer's multipliers allow it (roll_scale). */
static int put_roll_step(lln_text_t *t, const lln_qimage_t *q, const spec_shape_t *s, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    int rec[LLN_MAX_LAYERS][LLN_RTQ__R_LEN], kmax = 0, one_k = 1, words = 0, k = 0, xw = 0;
    if (r->ncells < 1 || r->ncells > LLN_MAX_LAYERS)
        return 0;
    for (int l = 0; l < r->ncells; l++)
        kmax = r->cfc[l].heads.shift - 32 > kmax ? r->cfc[l].heads.shift - 32 : kmax;
    for (int l = 0; l < r->ncells; l++)
        one_k = one_k && roll_scale(&r->cfc[l].heads, kmax);
    for (int l = 0; l < r->ncells; l++) {
        if (!roll_record(q, l, &s[l], one_k ? kmax : r->cfc[l].heads.shift - 32, rec[l]))
            return 0;
        int pairs = (rec[l][LLN_RTQ__R_GA] + 1) / 2 + (rec[l][LLN_RTQ__R_GB] + 1) / 2;
        xw = pairs > xw ? pairs : xw;
        words += r->cfc[l].hidden * (2 * pairs + 4 + 4 * s[l].two + 2 * (s[l].bias == 2));
    }
    lln_text_put(t, "#if LLN_RTQ__ROLL /* the rolled step (lln_rtq__cfc_roll) */\n");
    lln_text_put(t, "static const uint32_t %s_r[%d] = {", p, words);
    for (int l = 0; l < r->ncells; l++)
        put_roll(t, &k, &r->cfc[l], &s[l], rec[l]);
    /* a field every layer shares is a literal, the others a byte of the layer's record */
    int lit[LLN_RTQ__R_LEN], stride = 0;
    for (int f = 0; f < LLN_RTQ__R_LEN; f++) {
        int same = 1;
        for (int l = 1; l < r->ncells; l++)
            same = same && rec[l][f] == rec[0][f];
        lit[f] = same ? rec[0][f] : -1 - stride++;
    }
    lln_text_put(t, "\n};\nstatic const uint8_t %s_q[%d] = {%s", p,
                 r->ncells * (stride ? stride : 1), stride ? "" : "0 /* every field a literal */");
    for (int l = 0; l < r->ncells; l++)
        for (int f = 0; f < LLN_RTQ__R_LEN; f++)
            if (lit[f] < 0)
                lln_text_put(t, "%s%d,", lit[f] == -1 ? "\n    " : " ", rec[l][f]);
    lln_text_put(t,
                 "\n};\n\nstatic void %s_roll(const int16_t *x, "
                 "int32_t dt, int16_t *h)\n{\n    static const int16_t lit[LLN_RTQ__R_LEN] = {",
                 p);
    for (int f = 0; f < LLN_RTQ__R_LEN; f++)
        lln_text_put(t, "%d%s", lit[f], f + 1 < LLN_RTQ__R_LEN ? ", " : "};\n");
    lln_text_put(t,
                 "    uint32_t xs[%d]; /* the activations: 4 zero words and the most pairs */\n"
                 "    lln_rtq__cfc_roll(%s_r, %s_q, lit, %d, %d, x, dt, h, xs);\n}\n#else\n",
                 4 + xw, p, p, stride, r->ncells);
    return 1;
}

/* Is element i of the affine map the identity on every int16 value (then the step copies)? */
static int affine_identity(const lln_rtq_affine_t *a, int i)
{
    lln_rtq__rq_t rq = lln_rtq__rq_prep_imm(a->shift[i]);
    for (int32_t x = INT16_MIN; x <= INT16_MAX; x++)
        if (lln_rtq__affine1((int16_t)x, a->mult[i], rq, a->bias[i]) != x)
            return 0;
    return 1;
}

void lln__export_q_affine(lln_text_t *t, const char *y, const char *x, int x0,
                          const lln_rtq_affine_t *a, int n)
{
    for (int i = 0; i < n; i++)
        if (affine_identity(a, i))
            lln_text_put(t, "    %s[%d] = %s[%d];\n", y, i, x, x0 + i);
        else
            lln_text_put(t,
                         "    %s[%d] = lln_rtq__affine1(%s[%d], %ld, lln_rtq__rq_prep_imm(%d), "
                         "%ld);\n",
                         y, i, x, x0 + i, (long)a->mult[i], a->shift[i], (long)a->bias[i]);
}

void lln__export_q_spec(lln_text_t *t, const lln_qimage_t *q, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    spec_shape_t s[LLN_MAX_LAYERS];
    lln_text_put(
        t, "\n/* The CfC layers with this model's shapes compiled in (lln_rtq_spec.h): heads' "
           "rows neuron\n * by neuron, column groups padded to words of four. */\n");
    for (int l = 0; l < r->ncells; l++)
        s[l] = shape_of(&r->cfc[l]);
    int roll = put_roll_step(t, q, s, p);
    for (int l = 0; l < r->ncells; l++)
        put_layer(t, p, l, &r->cfc[l], &s[l]);
    lln_text_put(t, "\n#if LLN_RTQ_SPEC_SMALL /* the layers' shapes for lln_rtq__cfc_small */\n");
    for (int l = 0; l < r->ncells; l++)
        lln_text_put(t,
                     "static const int16_t %s_h%d[12] = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, "
                     "%d, %d};\n",
                     p, l, r->cfc[l].hidden, s[l].na, s[l].nb, s[l].two, s[l].wa, s[l].wb,
                     s[l].bias, r->cfc[l].heads.shift, r->cfc[l].t_frac, r->dt_frac,
                     r->cfc[l].h_frac, r->mode);
    lln_text_put(t, "#endif\n");
    if (roll)
        lln_text_put(t, "#endif\n");
    lln_text_put(t,
                 "\nstatic int %s_step(const lln_rtq_model_t *m, int16_t *h, const int16_t *x, "
                 "int32_t dt, int16_t *y,\n                   int16_t *xn)\n{\n    (void)m;\n",
                 p);
    int xn_id = 1; /* the input map is the identity: the first layer reads x itself */
    for (int i = 0; i < r->inputs; i++)
        xn_id = xn_id && affine_identity(&r->in_norm, i);
    if (xn_id)
        lln_text_put(t, "    (void)xn; /* the input map is the identity */\n");
    else
        lln__export_q_affine(t, "xn", "x", 0, &r->in_norm, r->inputs);
    if (roll)
        lln_text_put(t, "#if LLN_RTQ__ROLL\n    %s_roll(%s, dt, h);\n#else\n", p,
                     xn_id ? "x" : "xn");
    for (int l = 0, col = 0, prev = 0; l < r->ncells; l++) {
        const lln_rtq_cfc_t *c = &r->cfc[l];
        char xa[32] = "xn";
        if (xn_id)
            strcpy(xa, "x");
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
    if (roll)
        lln_text_put(t, "#endif\n");
    lln_text_put(t, "    if (y == 0)\n        return LLN_RTQ_OK;\n");
    lln__export_q_affine(t, "y", "h", r->units - r->cell_outputs, &r->out_map, r->outputs);
    lln_text_put(t, "    return LLN_RTQ_OK;\n}\n");
}
