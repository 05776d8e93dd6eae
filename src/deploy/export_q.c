/* `lln export` of the fixed-point path: a quantized model's integer tables as const C for
 * runtime/lln_rtq.h (designated initialisers, so the text names every field it sets). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "export_q.h"

#include "common/alloc.h"

static const char *const CTYPE[] = {"int8_t", "int16_t", "uint16_t", "int32_t"};

static void put_synapses(lln_text_t *t, const char *p, const lln_qarray_t *a)
{
    const lln_rtq_synapse_t *y = a->data;
    lln_text_put(t, "static const lln_rtq_synapse_t %s_%s[%zu] = {", p, a->name, a->n ? a->n : 1);
    for (size_t i = 0; i < a->n; i++)
        lln_text_put(t, "%s{%" PRIu32 "u, %u, %d, %u, %d},", i % 4 ? " " : "\n    ", y[i].c,
                     (unsigned)y[i].src, y[i].sigma, (unsigned)y[i].w, y[i].erev);
    lln_text_put(t, a->n ? "\n};\n" : "{0, 0, 0, 0, 0}};\n");
}

static void put_array(lln_text_t *t, const char *p, const lln_qarray_t *a)
{
    if (a->type == LLN_QA_SYN) {
        put_synapses(t, p, a);
        return;
    }
    lln_text_put(t, "static const %s %s_%s[%zu] = {", CTYPE[a->type], p, a->name, a->n ? a->n : 1);
    for (size_t i = 0; i < a->n; i++) {
        long v = a->type == LLN_QA_I8    ? ((const int8_t *)a->data)[i]
                 : a->type == LLN_QA_I16 ? ((const int16_t *)a->data)[i]
                 : a->type == LLN_QA_U16 ? (long)((const uint16_t *)a->data)[i]
                                         : (long)((const int32_t *)a->data)[i];
        lln_text_put(t, "%s%ld%s,", i % 12 ? " " : "\n    ", v == INT32_MIN ? v + 1 : v,
                     v == INT32_MIN ? " - 1" : "");
    }
    lln_text_put(t, a->n ? "\n};\n" : "0};\n");
}

static void ref(lln_text_t *t, const lln_qimage_t *q, const char *p, const void *ptr)
{
    const lln_qarray_t *a = lln__qimage_array(q, ptr);
    if (a)
        lln_text_put(t, "%s_%s", p, a->name);
    else
        lln_text_put(t, "0");
}

static void affine(lln_text_t *t, const lln_qimage_t *q, const char *p, const lln_rtq_affine_t *a)
{
    lln_text_put(t, "{");
    ref(t, q, p, a->mult);
    lln_text_put(t, ", ");
    ref(t, q, p, a->shift);
    lln_text_put(t, ", ");
    ref(t, q, p, a->bias);
    lln_text_put(t, "}");
}

/* Most generic dense layers of a model: MLP layers or a backbone, GRU/LSTM gates and
 * candidates or every cell's heads, the projection. */
#define Q_MAX_DENSE (LLN_MAX_BACKBONE + LLN_MAX_LAYERS + 4)

/* The generic dense layers of a model without a specialised step (those q_dense runs), into
 * out (at most Q_MAX_DENSE); returns their number (0 for a model with a specialised step). */
static int dense_layers(const lln_qimage_t *q, const lln_rtq_dense_t **out)
{
    const lln_rtq_model_t *r = &q->model;
    int n = 0;
    if (lln__export_q_spec_ok(q))
        return 0;
    if (r->base != NULL) {
        for (unsigned k = 0; k < r->base->nmlp && k < LLN_MAX_BACKBONE; k++)
            out[n++] = &r->base->mlp[k];
        out[n++] = &r->base->gates, out[n++] = &r->base->cand_in, out[n++] = &r->base->cand_h;
    } else if (r->cell != LLN_RTQ_LTC) {
        for (unsigned k = 0; r->ncells > 0 && k < r->cfc[0].nbackbone && k < LLN_MAX_BACKBONE; k++)
            out[n++] = &r->cfc[0].backbone[k];
        for (unsigned l = 0; l < r->ncells && l < LLN_MAX_LAYERS; l++)
            out[n++] = &r->cfc[l].heads;
    }
    out[n++] = &r->proj;
    int m = 0; /* only those with weights */
    for (int i = 0; i < n; i++)
        if (out[i]->w != NULL && out[i]->out > 0 && lln__qimage_array(q, out[i]->w) != NULL)
            out[m++] = out[i];
    return m;
}

/* Whether a is the int8 weight table of one of the layers l[0..n) (LLN_RTQ_W16 builds read
 * the layer's int16 table instead, so it is left out of them). */
static int is_dense_w(const lln_qarray_t *a, const lln_rtq_dense_t *const *l, int n)
{
    for (int i = 0; i < n; i++)
        if (l[i]->w == a->data)
            return 1;
    return 0;
}

/* The layer's pre-widened weights (lln_rtq_dense_t.w in LLN_RTQ_W16 builds, lln_rtq.h:
 * lln_rtq_dense_widen), as `static const int32_t NAME16[]` (out of memory: t->oom, so the
 * export fails rather than write an incomplete file). */
static void put_w16(lln_text_t *t, const char *p, const lln_qarray_t *a, const lln_rtq_dense_t *d)
{
    unsigned long words = lln_rtq_dense_w16_words(d->out, d->in, d->split);
    int32_t *v = lln__malloc(words * sizeof *v);
    if (v == NULL) {
        t->oom = 1;
        return;
    }
    lln_rtq_dense_widen(a->data, d->out, d->in, d->split, v);
    lln_text_put(t, "static const int32_t %s_%s16[%lu] = {", p, a->name, words);
    for (unsigned long k = 0; k < words; k++)
        lln_text_put(t, "%s%ld,", k % 8 ? " " : "\n    ", (long)v[k]);
    lln_text_put(t, "\n};\n");
    lln__free(v);
}

static void dense(lln_text_t *t, const lln_qimage_t *q, const char *p, const lln_rtq_dense_t *d)
{
    const lln_rtq_dense_t *dl[Q_MAX_DENSE];
    int ndl = dense_layers(q, dl);
    const lln_qarray_t *a = lln__qimage_array(q, d->w);
    const lln_qarray_t *wa = a != NULL && is_dense_w(a, dl, ndl) ? a : NULL;
    lln_text_put(t, "{%u, %u, ", (unsigned)d->out, (unsigned)d->in);
    if (wa != NULL) /* the int8 table or the int16 one (put_w16) */
        lln_text_put(t, "LLN_RTQ_W16_PICK((const int8_t *)(const void *)%s_%s16, %s_%s)", p,
                     wa->name, p, wa->name);
    else
        ref(t, q, p, d->w);
    lln_text_put(t, ", ");
    ref(t, q, p, d->mult);
    lln_text_put(t, ", %d, ", d->shift);
    ref(t, q, p, d->bias);
    lln_text_put(t, ", %u, ", (unsigned)d->split);
    ref(t, q, p, d->mult2);
    lln_text_put(t, "}");
}

static void syn(lln_text_t *t, const lln_qimage_t *q, const char *p, const lln_rtq_syn_t *s)
{
    lln_text_put(t, "{");
    ref(t, q, p, s->off);
    lln_text_put(t, ", ");
    ref(t, q, p, s->syn);
    lln_text_put(t, ", %d}", s->sig_frac);
}

static void cells(lln_text_t *t, const lln_qimage_t *q, const char *p)
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_base_t *bs = r->base;
    if (bs != NULL && bs->nmlp > 0) { /* the MLP baseline's hidden layers */
        lln_text_put(t, "static const lln_rtq_dense_t %s_mlp[%u] = {\n", p, (unsigned)bs->nmlp);
        for (unsigned k = 0; k < bs->nmlp; k++) {
            lln_text_put(t, "    ");
            dense(t, q, p, &bs->mlp[k]);
            lln_text_put(t, ",\n");
        }
        lln_text_put(t, "};\n");
    }
    if (bs != NULL) { /* the baselines' tables */
        lln_text_put(
            t,
            "static const lln_rtq_base_t %s_base = {\n    .nmlp = %u, .mlp = %s%s, .mlp_frac = ", p,
            (unsigned)bs->nmlp, bs->nmlp ? p : "0", bs->nmlp ? "_mlp" : "");
        ref(t, q, p, bs->mlp_frac);
        lln_text_put(t, ",\n    .gates = ");
        dense(t, q, p, &bs->gates);
        lln_text_put(t, ",\n    .cand_in = ");
        dense(t, q, p, &bs->cand_in);
        lln_text_put(t, ",\n    .cand_h = ");
        dense(t, q, p, &bs->cand_h);
        lln_text_put(t, ",\n    .gin_frac = %d, .ghn_frac = %d, .mem_frac = %d};\n", bs->gin_frac,
                     bs->ghn_frac, bs->mem_frac);
    }
    if (r->ncells == 0)
        return;
    if (r->cfc[0].nbackbone > 0) {
        lln_text_put(t, "static const lln_rtq_dense_t %s_backbone[%u] = {\n", p,
                     (unsigned)r->cfc[0].nbackbone);
        for (unsigned k = 0; k < r->cfc[0].nbackbone; k++) {
            lln_text_put(t, "    ");
            dense(t, q, p, &r->cfc[0].backbone[k]);
            lln_text_put(t, ",\n");
        }
        lln_text_put(t, "};\n");
    }
    lln_text_put(t, "static const lln_rtq_cfc_t %s_cells[%u] = {\n", p, (unsigned)r->ncells);
    for (unsigned l = 0; l < r->ncells; l++) {
        const lln_rtq_cfc_t *c = &r->cfc[l];
        lln_text_put(t, "    {.in = %u, .hidden = %u, .nbackbone = %u, ", (unsigned)c->in,
                     (unsigned)c->hidden, (unsigned)c->nbackbone);
        lln_text_put(t, ".h_frac = %d,\n     .backbone = %s%s, .act_frac = ", c->h_frac,
                     c->nbackbone ? p : "0", c->nbackbone ? "_backbone" : "");
        ref(t, q, p, c->act_frac);
        lln_text_put(t, ",\n     .heads = ");
        dense(t, q, p, &c->heads);
        lln_text_put(t, ",\n     .ff_frac = %d, .t_frac = %d, .w_tau = ", c->ff_frac, c->t_frac);
        ref(t, q, p, c->w_tau);
        lln_text_put(t, ", .a = ");
        ref(t, q, p, c->a);
        lln_text_put(t, ", .a_frac = %d},\n", c->a_frac);
    }
    lln_text_put(t, "};\n");
}

/* One image array: a dense layer's weights as int8 or pre-widened to int16 (LLN_RTQ_W16,
 * lln_rtq.h), any other as it is. */
static void put_weights(lln_text_t *t, const char *p, const lln_qarray_t *a,
                        const lln_rtq_dense_t *const *dl, int ndl)
{
    if (!is_dense_w(a, dl, ndl)) {
        put_array(t, p, a);
        return;
    }
    lln_text_put(t, "#if LLN_RTQ_W16\n");
    for (int k = 0; k < ndl; k++)
        if (dl[k]->w == a->data) {
            put_w16(t, p, a, dl[k]);
            break;
        }
    lln_text_put(t, "#else\n");
    put_array(t, p, a);
    lln_text_put(t, "#endif\n");
}

void lln__export_q_model_c(lln_text_t *t, const lln_qimage_t *q, const char *p, const char *version)
{
    const lln_rtq_model_t *r = &q->model;
    const lln_rtq_ltc_t *l = &r->ltc;
    lln_text_put(t,
                 "/* Generated by lln export (liquid-edge %s): the integer tables of one quantized "
                 "model. Do not edit. */\n#include \"%s_model.h\"\n\n",
                 version, p);
    int spec = lln__export_q_spec_ok(q), dspec = lln__export_q_dspec_ok(q);
    if (spec || dspec)
        lln_text_put(t, "#include \"lln_rtq_spec.h\"\n\n");
    const lln_rtq_dense_t *dl[Q_MAX_DENSE];
    int ndl = dense_layers(q, dl);
    for (int i = 0; i < q->narrays; i++) {
        if (spec && lln__export_q_spec_skips(q, q->arrays[i].data))
            continue;
        /* the dense CfC step's builds read their own tables (lln__export_q_dspec) */
        int gen_only = dspec && lln__export_q_dspec_skips(q, q->arrays[i].data);
        if (gen_only)
            lln_text_put(t, "#if !LLN_RTQ_DSPEC\n");
        put_weights(t, p, &q->arrays[i], dl, ndl);
        if (gen_only)
            lln_text_put(t, "#endif\n");
    }
    if (spec) {
        lln__export_q_spec(t, q, p);
    } else if (dspec) {
        lln_text_put(t, "#if !LLN_RTQ_DSPEC\n");
        cells(t, q, p);
        lln_text_put(t, "#endif\n");
        lln__export_q_dspec(t, q, p);
    } else {
        cells(t, q, p);
    }
    lln_text_put(t, "\nconst lln_rtq_model_t %s_model = {\n", p);
    lln_text_put(t, "    .cell = %u, .mode = %u, .activation = %u,\n", (unsigned)r->cell,
                 (unsigned)r->mode, (unsigned)r->activation);
    lln_text_put(
        t, "    .inputs = %u, .units = %u, .outputs = %u, .cell_outputs = %u, .dt_frac = %d,\n",
        (unsigned)r->inputs, (unsigned)r->units, (unsigned)r->outputs, (unsigned)r->cell_outputs,
        r->dt_frac);
    lln_text_put(t, "    .x_frac = ");
    ref(t, q, p, r->x_frac);
    lln_text_put(t, ", .y_frac = ");
    ref(t, q, p, r->y_frac);
    if (r->cell == LLN_RTQ_LTC) {
        lln_text_put(t,
                     ",\n    .ltc = {.unfolds = %u, .v_frac = %d, .g_frac = %d, .xin_frac = %d,\n",
                     (unsigned)l->unfolds, l->v_frac, l->g_frac, l->xin_frac);
        lln_text_put(t, "            .cm_k = ");
        ref(t, q, p, l->cm_k);
        lln_text_put(t, ", .gleak = ");
        ref(t, q, p, l->gleak);
        lln_text_put(t, ", .gvleak = ");
        ref(t, q, p, l->gvleak);
        lln_text_put(t, ", .wmax = ");
        ref(t, q, p, l->wmax);
        lln_text_put(t, ", .eps = %" PRId32 ",\n            .in_map = ", l->eps);
        affine(t, q, p, &l->in_map);
        lln_text_put(t, ",\n            .sensory = ");
        syn(t, q, p, &l->sensory);
        lln_text_put(t, ",\n            .internal = ");
        syn(t, q, p, &l->internal);
        lln_text_put(t, "}");
    } else if (r->baseline) {
        lln_text_put(t, ",\n    .in_norm = ");
        affine(t, q, p, &r->in_norm);
        lln_text_put(t, ",\n    .base = &%s_base, .baseline = lln_rtq_baseline", p);
    } else {
        if (spec) /* the tables are the step's (the maps its literals) */
            lln_text_put(
                t, ",\n    .ncells = %u, .cfc = 0, .step = %s_step,\n    .in_norm = {0, 0, 0}",
                (unsigned)r->ncells, p);
        if (dspec)
            lln_text_put(t,
                         ",\n#if LLN_RTQ_DSPEC\n    .ncells = %u, .cfc = 0, .step = %s_dstep,\n"
                         "    .in_norm = {0, 0, 0}, .out_map = {0, 0, 0}\n#else\n",
                         (unsigned)r->ncells, p);
        if (!spec) {
            lln_text_put(t, "%s    .ncells = %u, .cfc = %s_cells,\n    .in_norm = ",
                         dspec ? "" : ",\n", (unsigned)r->ncells, p);
            affine(t, q, p, &r->in_norm);
        }
        if (dspec) {
            lln_text_put(t, ", .out_map = ");
            affine(t, q, p, &r->out_map);
            lln_text_put(t, "\n#endif\n   ");
        }
    }
    lln_text_put(t, ",\n    .proj = ");
    dense(t, q, p, &r->proj);
    lln_text_put(t, ", .c_frac = %d", r->c_frac);
    if (spec)
        lln_text_put(t, ",\n    .out_map = {0, 0, 0}");
    else if (!dspec) {
        lln_text_put(t, ",\n    .out_map = ");
        affine(t, q, p, &r->out_map);
    }
    lln_text_put(t, ",\n    .state_len = %lu, .scratch16_len = %lu, .scratch32_len = %lu};\n",
                 (unsigned long)r->state_len, (unsigned long)r->scratch16_len,
                 (unsigned long)r->scratch32_len);
}

void lln__export_q_config(lln_text_t *t, const lln_qimage_t *q)
{
    const lln_rtq_model_t *r = &q->model;
    int cfc = r->cell != LLN_RTQ_LTC && r->baseline == NULL;
    int backbone =
        (cfc && r->ncells > 0 && r->cfc[0].nbackbone > 0) || (r->base != NULL && r->base->nmlp > 0);
    /* a dense CfC's LLN_RTQ_DSPEC builds run its own step (lln__export_q_dspec) */
    int dspec = lln__export_q_dspec_ok(q);
    const struct {
        const char *name, *what;
        int on; /* 2: in builds without LLN_RTQ_DSPEC */
    } parts[] = {
        {"LTC", "LTC cells", r->cell == LLN_RTQ_LTC},
        {"CFC", "CfC and wired CfC cells", cfc},
        {"CFC_GENERIC", "the generic CfC cells (0: the model's specialised step only)",
         cfc && !lln__export_q_spec_ok(q) ? 1 + dspec : 0},
        {"PURE", "CfC's pure mode", cfc && r->mode == LLN_RTQ_MODE_PURE},
        {"BACKBONE", "CfC backbone and MLP hidden-layer activations", backbone ? 1 + dspec : 0},
        {"BASELINES", "the GRU, LSTM and MLP baselines", r->baseline != NULL},
        {"PROJ", "an output projection", r->proj.out > 0},
    };
    lln_text_put(t, "/* Generated by lln export: the parts of the fixed-point runtime (lln_rtq.c) "
                    "this model needs\n * (1) and those left out (0). Firmware running several "
                    "models needs the union of their\n * files. */\n#ifndef LLN_RTQ_CONFIG_H\n"
                    "#define LLN_RTQ_CONFIG_H\n\n");
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        lln_text_put(t, "#define LLN_RTQ_WITH_%s %s /* %s */\n", parts[i].name,
                     parts[i].on == 2 ? "(!LLN_RTQ_DSPEC)"
                     : parts[i].on    ? "1"
                                      : "0",
                     parts[i].what);
    lln__export_q_config_ltc(t, q);
    lln_text_put(t, "\n#endif\n");
}

static void list(lln_text_t *t, const int8_t *v, int n)
{
    lln_text_put(t, "{");
    for (int i = 0; i < n; i++)
        lln_text_put(t, "%s%d", i ? ", " : "", v[i]);
    lln_text_put(t, "}");
}

size_t lln__export_q_w16_extra(const lln_qimage_t *q)
{
    const lln_rtq_dense_t *dl[Q_MAX_DENSE];
    int n = dense_layers(q, dl);
    size_t extra = 0;
    for (int i = 0; i < n; i++) /* int32 words instead of int8 weights */
        extra += 4 * lln_rtq_dense_w16_words(dl[i]->out, dl[i]->in, dl[i]->split) -
                 (size_t)dl[i]->out * dl[i]->in;
    return extra;
}

int lln__export_q_w16_default(const char *target)
{
    static const char *const W16[] = {"cortex-m4", "cortex-m4f", "cortex-m7", "cortex-m33"};
    for (size_t i = 0; target != NULL && i < sizeof W16 / sizeof W16[0]; i++)
        if (strcmp(target, W16[i]) == 0)
            return 1;
    return 0;
}

void lln__export_q_model_h(lln_text_t *t, const lln_qimage_t *q, const char *p, const char *P,
                           const char *head, const lln_export_sizes_t *s, size_t w8)
{
    size_t extra = lln__export_q_w16_extra(q);
    const lln_rtq_model_t *r = &q->model;
    lln_text_put(t, "%s", head);
    lln_text_put(t,
                 " * Fixed point: inputs and outputs are int16 with per-element binary points\n");
    lln_text_put(t, " * (%s_X_FRAC, %s_Y_FRAC), dt an int32 with %s_DT_FRAC fractional bits.\n", P,
                 P, P);
    lln_text_put(t, " *   static int16_t state[%s_STATE_LEN], s16[%s_SCRATCH16_LEN];\n", P, P);
    lln_text_put(t, " *   static int32_t s32[%s_SCRATCH32_LEN];\n", P);
    lln_text_put(t, " *   lln_rtq_reset(&%s_model, state);\n", p);
    lln_text_put(
        t, " *   lln_rtq_step(&%s_model, state, x, %s_DT(seconds), y, s16, s32); (0 = ok) */\n", p,
        P);
    lln_text_put(t, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include \"lln_rtq.h\"\n\n", P, P);
    lln_text_put(t, "#define %s_INPUTS %u\n#define %s_OUTPUTS %u\n", P, (unsigned)r->inputs, P,
                 (unsigned)r->outputs);
    lln_text_put(
        t, "#define %s_STATE_LEN %lu\n#define %s_SCRATCH16_LEN %lu\n#define %s_SCRATCH32_LEN %lu\n",
        P, (unsigned long)r->state_len, P, (unsigned long)r->scratch16_len, P,
        (unsigned long)r->scratch32_len);
    lln_text_put(t, "#define %s_STATE_BYTES %zu   /* RAM per stream */\n", P, s->state_bytes);
    lln_text_put(t, "#define %s_SCRATCH_BYTES %zu /* RAM, shared by streams stepped in turn */\n",
                 P, s->scratch_bytes);
    if (lln__export_q_dspec_ok(q)) /* the dense CfC step's own tables (export_q_dspec.c) */
        lln_text_put(t,
                     "#if LLN_RTQ_DSPEC && defined(__ARM_FEATURE_MVE) /* the dense CfC step's "
                     "tables */\n#define %s_WEIGHT_BYTES %zu  /* const tables (flash) */\n"
                     "#elif LLN_RTQ_DSPEC\n#define %s_WEIGHT_BYTES %zu\n#elif LLN_RTQ_W16\n"
                     "#define %s_WEIGHT_BYTES %zu\n#else\n#define %s_WEIGHT_BYTES %zu\n#endif\n",
                     P, lln__export_q_dspec_bytes(q, 1), P, lln__export_q_dspec_bytes(q, 0), P,
                     w8 + extra, P, w8);
    else if (extra > 0) /* the dense weights' int16 tables or the int8 ones (LLN_RTQ_W16) */
        lln_text_put(t,
                     "#if LLN_RTQ_W16 /* dense weights pre-widened to int16 (lln_rtq.h) */\n"
                     "#define %s_WEIGHT_BYTES %zu  /* const tables (flash) */\n#else\n"
                     "#define %s_WEIGHT_BYTES %zu\n#endif\n",
                     P, w8 + extra, P, w8);
    else
        lln_text_put(t, "#define %s_WEIGHT_BYTES %zu  /* const tables (flash) */\n", P, w8);
    lln_text_put(t, "#define %s_DT_FRAC %d\n#define %s_X_FRAC ", P, r->dt_frac, P);
    list(t, r->x_frac, r->inputs);
    lln_text_put(t, "\n#define %s_Y_FRAC ", P);
    list(t, r->y_frac, r->outputs);
    lln_text_put(
        t, "\n/* Elapsed time in seconds (a constant expression) -> the int32 dt argument. */\n");
    lln_text_put(t, "#define %s_DT(seconds) ((int32_t)((seconds) * %.1f + 0.5))\n\n", P,
                 (double)(1UL << r->dt_frac));
    if (extra > 0) /* a build whose tables and runtime disagree on the layout does not link */
        lln_text_put(
            t,
            "/* The name carries the dense weights' layout (lln_rtq.h: tables and runtime\n"
            " * compiled with different LLN_RTQ_W16 do not link). */\n"
            "#if LLN_RTQ_W16\n#define %s_model %s_model_w16\n#endif\n",
            p, p);
    lln_text_put(t, "extern const lln_rtq_model_t %s_model;\n\n#endif\n", p);
}

void lln__export_q_main(lln_text_t *t, const char *p, const char *P)
{
    lln_text_put(
        t,
        "/* Example: stream a few steps through the exported fixed-point model (hosted C). "
        "*/\n#include <stdio.h>\n\n#include \"%s_model.h\"\n\n",
        p);
    lln_text_put(t, "static int16_t state[%s_STATE_LEN], s16[%s_SCRATCH16_LEN];\n", P, P);
    lln_text_put(t, "static int32_t s32[%s_SCRATCH32_LEN];\n", P);
    lln_text_put(t, "static const int xf[%s_INPUTS] = %s_X_FRAC, yf[%s_OUTPUTS] = %s_Y_FRAC;\n\n",
                 P, P, P, P);
    lln_text_put(t, "/* v * 2^-f as a double */\nstatic double real(long v, int f)\n{\n"
                    "    double s = (double)v;\n    for (; f > 0; f--)\n        s /= 2;\n"
                    "    for (; f < 0; f++)\n        s *= 2;\n    return s;\n}\n\n");
    lln_text_put(t, "int main(void)\n{\n    int16_t x[%s_INPUTS], y[%s_OUTPUTS];\n", P, P);
    lln_text_put(t, "    lln_rtq_reset(&%s_model, state);\n    for (int t = 0; t < 10; t++) {\n",
                 p);
    lln_text_put(t, "        for (int i = 0; i < %s_INPUTS; i++) /* value v -> v * 2^frac */\n", P);
    lln_text_put(
        t, "            x[i] = (int16_t)(((t * 7 + i * 3) %% 11 - 5) *\n"
           "                             (1 << (xf[i] < 3 ? 0 : xf[i] > 15 ? 12 : xf[i] - 3)));\n");
    lln_text_put(t,
                 "        if (lln_rtq_step(&%s_model, state, x, %s_DT(0.1), y, s16, s32) != "
                 "LLN_RTQ_OK)\n            return 1;\n",
                 p, P);
    lln_text_put(t, "        printf(\"step %%d: y0 = %%g\\n\", t, real(y[0], yf[0]));\n");
    lln_text_put(t, "    }\n    return 0;\n}\n");
}
