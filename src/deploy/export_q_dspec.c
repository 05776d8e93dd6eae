/* `lln export` of the fixed-point path, dense CfC with one tanh backbone layer: the step with
 * the model's shapes compiled in for DSP cores (LLN_RTQ_DSPEC, lln_rtq.h; the kernels are
 * runtime/lln_rtq_spec.h's "dense CfC step"). The exporter lays both layers out in blocks of
 * four rows (the heads' block of neuron j holds its ff1, ff2, time_a and time_b rows, so its gate
 * follows the block without a store), the weights pre-widened to int16 pairs, each block
 * followed by its rows' requantisation constants; it writes every pass of the blocks' inline
 * assembly, every loop count and shift as literals, and the tables of the branch-free
 * nonlinearities. The arithmetic is the generic runtime's (the same products summed modulo 2^32,
 * the same requantisation and gate), which `lln verify` checks bit for bit against the host.
 * Other builds of the same file (no DSP extension, another compiler, -DLLN_RTQ_DSPEC=0) run the
 * generic step on the generic tables. */
#include <stdio.h>
#include <string.h>

#include "../../runtime/lln_rtq_spec.h"
#include "export_q.h"

/* Widest layer input the exporter lays out (its rows are copied on the stack). */
#define DS_MAX_IN 512

/* The model's backbone layer, or NULL when the model does not qualify. */
static const lln_rtq_dense_t *backbone_of(const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    if (r->cell != LLN_RTQ_CFC || r->baseline != NULL || r->ncells != 1 ||
        r->mode == LLN_RTQ_MODE_PURE || r->proj.out > 0 ||
        (r->activation != LLN_RTQ_ACT_TANH && r->activation != LLN_RTQ_ACT_LECUN_TANH))
        return NULL;
    const lln_rtq_cfc_t *c = &r->cfc[0];
    if (c->nbackbone != 1 || c->backbone == NULL)
        return NULL;
    return &c->backbone[0];
}

/* Largest |floor(p / 2^32)| of row o of d over all int16 activations (p = A ma + B mb). */
static int64_t hi_bound(const lln_rtq_dense_t *d, int o)
{
    int na = d->split ? d->split : d->in;
    int64_t sa = 0, sb = 0;
    for (int i = 0; i < d->in; i++) {
        int64_t a = (int64_t)d->w[(size_t)o * d->in + (size_t)i];
        *(i < na ? &sa : &sb) += (a < 0 ? -a : a) * 32768;
    }
    int64_t ma = d->mult[o], mb = d->mult2 ? d->mult2[o] : d->mult[o];
    int64_t p = sa * (ma < 0 ? -ma : ma) + sb * (mb < 0 ? -mb : mb); /* < 2^60 */
    return p / ((int64_t)1 << 32) + 1;
}

/* The row's constant c = 2^(k-1) + bias 2^k (lln_rtq_spec.h, LLN_RTQ__DS_END1); 0 when
 * floor(p / 2^32) + c could leave the int32 range (then the model does not qualify: c = 0 is
 * never a valid constant, as 2^(k-1) >= 1 and the bias cannot cancel it exactly). */
static int32_t row_c(const lln_rtq_dense_t *d, int o)
{
    int k = d->shift - 32;
    int64_t c = ((int64_t)1 << (k - 1)) + (d->bias ? (int64_t)d->bias[o] * ((int64_t)1 << k) : 0);
    int64_t m = (c < 0 ? -c : c) + hi_bound(d, o);
    return m > INT32_MAX ? 0 : (int32_t)c;
}

int lln__export_q_dspec_ok(const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_dense_t *b = backbone_of(q);
    if (b == NULL)
        return 0;
    const lln_rtq_cfc_t *c = &r->cfc[0];
    const lln_rtq_dense_t *h = &c->heads;
    int I = r->inputs, H = c->hidden;
    /* shapes: [input, h] in two groups of even widths, whole blocks of four rows, one group of
     * heads; the activations fit the scratch word aligned, with the 8 values Helium's last
     * chunk may read past them; rq's one-word path */
    if (c->in != I || I % 2 || H % 2 || b->split != I || b->in != I + H || b->out % 4 ||
        b->out == 0 || h->out != 4 * H || h->in != b->out || (h->split && h->split != h->in) ||
        b->shift < 33 || h->shift < 33 || b->w == NULL || h->w == NULL || b->mult == NULL ||
        h->mult == NULL || b->in > DS_MAX_IN || h->in > DS_MAX_IN ||
        r->scratch16_len < (uint32_t)(I + H + b->out + 1 + 8))
        return 0;
    for (int o = 0; o < b->out; o++)
        if (row_c(b, o) == 0)
            return 0;
    for (int o = 0; o < h->out; o++)
        if (row_c(h, o) == 0)
            return 0;
    return 1;
}

int lln__export_q_dspec_skips(const lln_qimage_t *q, const void *data)
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_dense_t *d[2] = {backbone_of(q), &r->cfc[0].heads};
    const lln_rtq_affine_t *io[2] = {&r->in_norm, &r->out_map};
    if (data == NULL)
        return 0;
    for (int i = 0; i < 2; i++)
        if (data == d[i]->w || data == d[i]->mult || data == d[i]->mult2 || data == d[i]->bias ||
            data == io[i]->mult || data == io[i]->shift || data == io[i]->bias)
            return 1;
    return 0;
}

void lln__dspec_tables(int32_t tb[256], int16_t td[256], int32_t sb[128], int16_t sd[128])
{
    const int16_t *T = lln_fx_tanh_lut, *N = lln_fx_sigmoid8_nodes;
    /* tanh: segment s = x >> 8 in [-128, 127] at j = s mod 256, fx = x - 256 s in [0, 255].
     * s >= 0: T[s] + floor((d fx + 128) / 2^8), d = T[s + 1] - T[s] (lln_fx__tanh_pos_fast).
     * s < 0, k = -s: x = -a, a = 256 k - fx, so the odd extension -(T[a >> 8] + ...) is
     * -T[k] + floor((d fx + 127) / 2^8) with d = T[k] - T[k - 1] (fx = 0: -T[k]; fx > 0:
     * a >> 8 = k - 1 and a & 255 = 256 - fx, and -floor((d (256 - fx) + 128) / 256) =
     * -d + ceil((d fx - 128) / 256)). Both as (B + d x) >> 8 with B = 256 base + r - 256 d s. */
    for (int j = 0; j < 256; j++) {
        int s = j < 128 ? j : j - 256, k = s < 0 ? -s : s;
        int32_t base = s < 0 ? -T[k] : T[k], d = s < 0 ? T[k] - T[k - 1] : T[k + 1] - T[k];
        tb[j] = 256 * base + (s < 0 ? 127 : 128) - 256 * d * s;
        td[j] = (int16_t)d;
    }
    /* sigmoid: a = x + 2^15, node k = a >> 9 = s + 64 for s = x >> 9 in [-64, 63] (j = s mod
     * 128), f = a & 511 = x - 512 s: N[k] + floor((d f + 256) / 2^9) = (B + d x) >> 9 with
     * B = 512 N[k] + 256 - 512 d s (lln_fx__sigmoid8_32). */
    for (int j = 0; j < 128; j++) {
        int s = j < 64 ? j : j - 128, k = s + 64;
        int32_t d = N[k + 1] - N[k];
        sb[j] = 512 * N[k] + 256 - 512 * d * s;
        sd[j] = (int16_t)d;
    }
}

/* Words of a group of n columns in a block: the int16 pairs (four rows' words a pair), or on
 * Helium the chunks of eight int8 columns (32 bytes). */
static size_t group_words(int n, int mve)
{
    return mve ? (size_t)(n + 7) / 8 * 8 : (size_t)(n / 2) * 4;
}

/* Words of a layer's table: per block of four rows, its groups' weights (group_words), then the
 * constants (LLN_RTQ__DS_END1: 8; END2: 3 a row). */
static size_t layer_words(const lln_rtq_dense_t *d, int two, int mve)
{
    int na = d->split ? d->split : d->in;
    return (size_t)d->out / 4 *
           (group_words(na, mve) + group_words(d->in - na, mve) + (two ? 12 : 8));
}

size_t lln__export_q_dspec_bytes(const lln_qimage_t *q, int mve)
{
    const lln_rtq_model_t *r = &q->model;
    /* the layers in the DSP or Helium layout, the (B, D) tables, x_frac, y_frac, the descriptor */
    return 4 * (layer_words(backbone_of(q), 1, mve) + layer_words(&r->cfc[0].heads, 0, mve) + 512 +
                256) +
           (size_t)r->inputs + r->outputs + sizeof(lln_rtq_model_t);
}

int lln__export_q_dspec_default(const char *target)
{
    return target != NULL &&
           (lln__export_q_w16_default(target) || strcmp(target, "cortex-m55") == 0);
}

static void put_int(lln_text_t *t, int *k, long v)
{
    lln_text_put(t, "%s%ld,", *k % 8 ? " " : "\n    ", v);
    (*k)++;
}

/* One word of a layer's table (the kernels read int32 values back exactly). */
static void put_word(lln_text_t *t, int *k, uint32_t v)
{
    lln_text_put(t, "%s0x%08lXu,", *k % 8 ? " " : "\n    ", (unsigned long)v);
    (*k)++;
}

/* A table of lln_rtq__ds_tanh or lln_rtq__ds_sig (n segments) as NAME_b and NAME_d. */
static void put_bd(lln_text_t *t, const char *p, const char *name, const int32_t *b,
                   const int16_t *d, int n)
{
    int k = 0;
    lln_text_put(t, "static const int32_t %s_%s_b[%d] = {", p, name, n);
    for (int i = 0; i < n; i++)
        put_int(t, &k, b[i]);
    lln_text_put(t, "\n};\nstatic const int16_t %s_%s_d[%d] = {", p, name, n);
    k = 0;
    for (int i = 0; i < n; i++)
        put_int(t, &k, d[i]);
    lln_text_put(t, "\n};\n");
}

/* The table of layer d (blocks of four rows: the backbone's in order, the heads' neuron by
 * neuron), as `static const uint32_t NAME[]`; mve: Helium's layout (lln_rtq__dsv_block). */
static void put_layer(lln_text_t *t, const char *p, const char *name, const lln_rtq_dense_t *d,
                      int two, int H, int mve)
{
    int na = d->split ? d->split : d->in, k = 0;
    lln_text_put(t, "static const uint32_t %s_%s[%zu] = {", p, name, layer_words(d, two, mve));
    for (int o = 0; o < d->out; o += 4) {
        int rows[4];
        int8_t nat[4][DS_MAX_IN];
        for (int i = 0; i < 4; i++) { /* heads: the block of neuron o / 4 */
            rows[i] = two ? o + i : i * H + o / 4;
            const int8_t *w = d->w + (size_t)rows[i] * d->in;
            lln_fx_interleave4(w, nat[i], na); /* the interleave undone, group by group */
            lln_fx_interleave4(w + na, nat[i] + na, d->in - na);
        }
        for (int c = 0; !mve && c < d->in; c += 2)
            for (int i = 0; i < 4; i++)
                put_word(t, &k,
                         (uint32_t)(uint16_t)nat[i][c] | (uint32_t)(uint16_t)nat[i][c + 1] << 16);
        for (int g = 0; mve && g < 2; g++) { /* chunks of eight, byte b of a word at bits 8b */
            int c0 = g ? na : 0, n = g ? d->in - na : na;
            for (int c = 0; c < n; c += 8)
                for (int i = 0; i < 4; i++)
                    for (int h = 0; h < 8; h += 4) {
                        uint32_t v = 0;
                        for (int b = 0; b < 4; b++)
                            if (c + h + b < n)
                                v |= (uint32_t)(uint8_t)nat[i][c0 + c + h + b] << (8 * b);
                        put_word(t, &k, v);
                    }
        }
        for (int i = 0; two && i < 4; i++) { /* ma, mb, c a row */
            put_word(t, &k, (uint32_t)d->mult[rows[i]]);
            put_word(t, &k, (uint32_t)(d->mult2 ? d->mult2 : d->mult)[rows[i]]);
            put_word(t, &k, (uint32_t)row_c(d, rows[i]));
        }
        for (int i = 0; !two && i < 4; i++)
            put_word(t, &k, (uint32_t)d->mult[rows[i]]);
        for (int i = 0; !two && i < 4; i++)
            put_word(t, &k, (uint32_t)row_c(d, rows[i]));
    }
    lln_text_put(t, "\n};\n");
}

/* A block's dot products (lln_rtq_spec.h) as macro NAME's lines: groups of na and nb columns
 * (nb = 0: one group); DSP passes of up to four activation words, or Helium chunks of up to
 * eight columns (mve). */
static void put_dot(lln_text_t *t, const char *p, const char *name, int na, int nb, int mve)
{
    lln_text_put(t, "#define %s_%s", p, name);
    for (int g = 0; g < 2; g++) {
        int n = g ? nb : na;
        if (g && nb > 0)
            lln_text_put(t, " \\\n    LLN_RTQ__DS%s_MID", mve ? "V" : "");
        for (int c = 0; mve && c < n; c += 8) /* chunks: the activations move by their width */
            lln_text_put(t, " \\\n    LLN_RTQ__DSV_%s(\"%d\")", c ? "MAC" : "MUL",
                         2 * (n - c < 8 ? n - c : 8));
        for (int i = 0; !mve && i < n / 2; i += 4) {
            int k = n / 2 - i < 4 ? n / 2 - i : 4;
            lln_text_put(t, " \\\n    LLN_RTQ__DS_X%d", k);
            for (int j = 0; j < k; j++)
                lln_text_put(t, " LLN_RTQ__DS_%s(\"r%d\")", i + j == 0 ? "MUL" : "MAC", 4 + j);
        }
    }
    lln_text_put(t, "\n");
}

/* Both layers' tables and block macros for one instruction set (mve: Helium). */
static void put_isa(lln_text_t *t, const char *p, const lln_qimage_t *q, int mve)
{
    const lln_rtq_dense_t *b = backbone_of(q), *h = &q->model.cfc[0].heads;
    int I = q->model.inputs, H = q->model.cfc[0].hidden;
    const char *v = mve ? "V" : "";
    put_layer(t, p, "dbb", b, 1, H, mve);
    put_layer(t, p, "dhd", h, 0, H, mve);
    put_dot(t, p, "DBB", I, H, mve);
    put_dot(t, p, "DHD", b->out, 0, mve);
    lln_text_put(t,
                 "#define %s_BLK_BB(w, x, v0, v1, v2, v3) LLN_RTQ__DS%s_BLOCK(w, x, %s_DBB, "
                 "LLN_RTQ__DS%s_END2, v0, v1, v2, v3)\n",
                 p, v, p, v);
    lln_text_put(t,
                 "#define %s_BLK_HD(w, x, v0, v1, v2, v3) LLN_RTQ__DS%s_BLOCK(w, x, %s_DHD, "
                 "LLN_RTQ__DS%s_END1, v0, v1, v2, v3)\n",
                 p, v, p, v);
}

void lln__export_q_dspec(lln_text_t *t, const lln_qimage_t *q, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_dense_t *b = backbone_of(q), *h = &r->cfc[0].heads;
    int I = r->inputs, H = r->cfc[0].hidden, B = b->out;
    int32_t tb[256], sb[128];
    int16_t td[256], sd[128];
    lln__dspec_tables(tb, td, sb, sd);
    lln_text_put(t, "\n#if LLN_RTQ_DSPEC\n/* The dense CfC step for DSP cores (lln_rtq_spec.h): "
                    "both layers in blocks of four rows,\n * each block's requantisation "
                    "constants after its weights. */\n");
    lln_text_put(t, "#if defined(__ARM_FEATURE_MVE) /* Helium: int8 chunks of eight columns */\n");
    put_isa(t, p, q, 1);
    lln_text_put(t, "#else /* int16 pairs */\n");
    put_isa(t, p, q, 0);
    lln_text_put(t, "#endif\n/* (b, d) of lln_rtq__ds_tanh and lln_rtq__ds_sig */\n");
    put_bd(t, p, "dtanh", tb, td, 256);
    put_bd(t, p, "dsig", sb, sd, 128);
    lln_text_put(t,
                 "\nstatic int %s_dstep(const lln_rtq_model_t *m, int16_t *h, const int16_t *x, "
                 "int32_t dt, int16_t *y,\n                    int16_t *xn)\n{\n",
                 p);
    lln_text_put(t,
                 "    /* the activations, word aligned in the scratch: [input, h], then the "
                 "backbone's outputs */\n"
                 "    uint32_t *xw = (uint32_t *)(void *)(((uintptr_t)xn + 3u) & ~(uintptr_t)3u);\n"
                 "    int16_t *xs = (int16_t *)(void *)xw, *bo = xs + %d;\n"
                 "    const void *w = %s_dbb;\n"
                 "    lln_rtq__tgate_t tg = lln_rtq__tgate_prep(%d, %d);\n    (void)m;\n",
                 I + H, p, r->cfc[0].t_frac, r->dt_frac);
    lln__export_q_affine(t, "xs", "x", 0, &r->in_norm, I);
    lln_text_put(t, "    for (int i = 0; i < %d; i++)\n        xs[%d + i] = h[i];\n", H, I);
    lln_text_put(t,
                 "    for (int o = 0; o < %d; o += 4) { /* backbone: tanh(sat16(rq + bias)) */\n"
                 "        int32_t v0, v1, v2, v3;\n"
                 "        %s_BLK_BB(w, xw, v0, v1, v2, v3);\n",
                 B, p);
    for (int i = 0; i < 4; i++)
        lln_text_put(t,
                     "        bo[o + %d] = (int16_t)lln_rtq__ds_tanh(%s_dtanh_b, %s_dtanh_d, "
                     "lln_rtq__sat(v%d >> "
                     "%d));\n",
                     i, p, p, i, b->shift - 32);
    lln_text_put(t, "    }\n    w = %s_dhd;\n", p);
    lln_text_put(
        t,
        "    for (int j = 0; j < %d; j++) { /* heads and gate, neuron by neuron */\n"
        "        int32_t v0, v1, v2, v3;\n"
        "        %s_BLK_HD(w, xw + %d, v0, v1, v2, v3);\n"
        "        h[j] = lln_rtq__ds_gate(v0, v1, v2, v3, %d, %s_dsig_b, %s_dsig_d, dt, tg, %d, "
        "%d);\n"
        "    }\n",
        H, p, (I + H) / 2, h->shift - 32, p, p, r->mode, r->cfc[0].h_frac);
    lln_text_put(t, "    if (y == 0)\n        return LLN_RTQ_OK;\n");
    lln__export_q_affine(t, "y", "h", r->units - r->cell_outputs, &r->out_map, r->outputs);
    lln_text_put(t, "    return LLN_RTQ_OK;\n}\n#endif\n");
}
