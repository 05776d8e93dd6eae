/* Configuration inference from ncps state_dict keys and shapes (which cell, wiring, backbone,
 * mode and sizes a set of LTC/CfC tensors implies), and the checkpoint importer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

void lln_import_opts_default(lln_import_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->positivity = LLN_POS_SOFTPLUS;
    o->ode_unfolds = 6;
    o->epsilon = 1e-8;
    o->mode = LLN_CFC_DEFAULT;
    o->activation = LLN_ACT_LECUN_TANH;
}

static const lln_case_tensor_t *find(const lln_case_t *t, const char *name)
{
    return lln__case_tensor(t, name);
}

/* Rows of a 2-D tensor (0 when absent or not 2-D). */
static int rows(const lln_case_t *t, const char *name, int dim)
{
    const lln_case_tensor_t *x = find(t, name);
    if (x == NULL || x->ndim <= dim)
        return 0;
    return (int)x->dims[dim];
}

static lln_status_t infer_ltc(const lln_case_t *t, const lln_import_opts_t *o, lln_config_t *c,
                              const char *where, lln_error_t *err)
{
    lln_config_default(c, LLN_CELL_LTC);
    c->wiring.kind = LLN_WIRING_CUSTOM;
    c->units = rows(t, "rnn_cell.gleak", 0);
    c->input_size = rows(t, "rnn_cell.sensory_w", 0);
    if (c->units == 0 || c->input_size == 0)
        return lln_error_set(err, LLN_E_FORMAT,
                             "%s: LTC checkpoint lacks rnn_cell.gleak or rnn_cell.sensory_w",
                             where);
    c->positivity = o->positivity;
    c->ode_unfolds = o->ode_unfolds;
    c->epsilon = o->epsilon;
    c->input_mapping = find(t, "rnn_cell.input_b")   ? LLN_MAP_AFFINE
                       : find(t, "rnn_cell.input_w") ? LLN_MAP_LINEAR
                                                     : LLN_MAP_NONE;
    c->output_mapping = find(t, "rnn_cell.output_b")   ? LLN_MAP_AFFINE
                        : find(t, "rnn_cell.output_w") ? LLN_MAP_LINEAR
                                                       : LLN_MAP_NONE;
    int m_map = rows(t, "rnn_cell.output_w", 0);
    c->output_size = m_map ? m_map : (o->output_size ? o->output_size : c->units);
    if (m_map && o->output_size && o->output_size != m_map)
        return lln_error_set(err, LLN_E_CONFIG,
                             "%s: output size %d given but rnn_cell.output_w has %d entries", where,
                             o->output_size, m_map);
    return LLN_OK;
}

/* Backbone depth, width, and whether the Linear indices (0,2,5,8...) show dropout layers. */
static lln_status_t infer_backbone(const lln_case_t *t, const lln_import_opts_t *o, lln_config_t *c,
                                   const char *where, lln_error_t *err)
{
    int idx[LLN_MAX_BACKBONE + 1] = {0}, n = 0;
    for (int k = 0; k < 3 * LLN_MAX_BACKBONE + 3 && n <= LLN_MAX_BACKBONE; k++) {
        char name[64];
        snprintf(name, sizeof name, "rnn_cell.backbone.%d.weight", k);
        if (find(t, name))
            idx[n++] = k;
    }
    if (n > LLN_MAX_BACKBONE)
        return lln_error_set(err, LLN_E_UNSUPPORTED, "%s: more than %d backbone layers", where,
                             LLN_MAX_BACKBONE);
    c->backbone_layers = n;
    c->backbone_dropout = 0;
    if (n == 0)
        return LLN_OK;
    c->backbone_units = rows(t, "rnn_cell.backbone.0.weight", 0);
    int shifted = n >= 3 && idx[2] == 5;
    if (shifted) {
        if (!(o->backbone_dropout > 0))
            return lln_error_set(err, LLN_E_CONFIG,
                                 "%s: the backbone layer names (0, 2, 5, ...) show dropout layers: "
                                 "give the backbone dropout the model was trained with",
                                 where);
        c->backbone_dropout = o->backbone_dropout;
    }
    return LLN_OK;
}

static lln_status_t infer_cfc(const lln_case_t *t, const lln_import_opts_t *o, lln_config_t *c,
                              const char *where, lln_error_t *err)
{
    lln_config_default(c, LLN_CELL_CFC);
    c->units = rows(t, "rnn_cell.ff1.weight", 0);
    if (c->units == 0)
        return lln_error_set(err, LLN_E_FORMAT, "%s: CfC checkpoint lacks rnn_cell.ff1.weight",
                             where);
    c->activation = o->activation;
    lln_status_t st = infer_backbone(t, o, c, where, err);
    if (st != LLN_OK)
        return st;
    int fin = c->backbone_layers ? rows(t, "rnn_cell.backbone.0.weight", 1)
                                 : rows(t, "rnn_cell.ff1.weight", 1);
    c->input_size = fin - c->units;
    return LLN_OK;
}

static lln_status_t infer_wired(const lln_case_t *t, lln_config_t *c, const char *where,
                                lln_error_t *err)
{
    lln_config_default(c, LLN_CELL_WIRED_CFC);
    c->wiring.kind = LLN_WIRING_CUSTOM;
    for (int l = 0; l < LLN_MAX_LAYERS; l++) {
        char name[64];
        snprintf(name, sizeof name, "rnn_cell.layer_%d.ff1.weight", l);
        if (!find(t, name))
            break;
        c->layer_sizes[l] = rows(t, name, 0);
        if (l == 0)
            c->input_size = rows(t, name, 1) - c->layer_sizes[0];
        c->units += c->layer_sizes[l];
        c->num_layers = l + 1;
    }
    if (c->num_layers == 0)
        return lln_error_set(err, LLN_E_FORMAT, "%s: no rnn_cell.layer_0.ff1.weight", where);
    return LLN_OK;
}

static lln_status_t infer_config(const lln_case_t *t, const lln_import_opts_t *o, lln_config_t *c,
                                 const char *where, lln_error_t *err)
{
    const char *cell = o->cell;
    if (cell == NULL)
        cell = find(t, "rnn_cell.gleak")                ? "ltc"
               : find(t, "rnn_cell.layer_0.ff1.weight") ? "wired_cfc"
                                                        : "cfc";
    lln_status_t st;
    if (strcmp(cell, "ltc") == 0)
        st = infer_ltc(t, o, c, where, err);
    else if (strcmp(cell, "cfc") == 0)
        st = infer_cfc(t, o, c, where, err);
    else if (strcmp(cell, "wired_cfc") == 0)
        st = infer_wired(t, c, where, err);
    else
        return lln_error_set(err, LLN_E_ARG, "cell '%s' is not ltc, cfc or wired_cfc", cell);
    if (st != LLN_OK)
        return st;
    if (c->cell != LLN_CELL_LTC) {
        int pure = find(t, "rnn_cell.w_tau") || find(t, "rnn_cell.layer_0.w_tau");
        if (pure && o->mode_given && o->mode != LLN_CFC_PURE)
            return lln_error_set(err, LLN_E_CONFIG,
                                 "%s: the checkpoint has w_tau/A (pure mode) but mode %s was given",
                                 where, lln_cfc_mode_name(o->mode));
        c->mode = pure ? LLN_CFC_PURE : o->mode;
        c->proj_size = rows(t, "fc.weight", 0);
    }
    c->mixed_memory = find(t, "lstm.input_map.weight") != NULL;
    return LLN_OK;
}

static int is_state_key(const char *name)
{
    return strncmp(name, "rnn_cell.", 9) == 0 || strncmp(name, "lstm.", 5) == 0 ||
           strncmp(name, "fc.", 3) == 0;
}

static lln_status_t check_shape(const lln_tensor_info_t *mi, const lln_case_tensor_t *ct,
                                const char *where, lln_error_t *err)
{
    int same = ct->ndim == mi->ndim && ct->count == mi->count;
    for (int d = 0; same && d < mi->ndim; d++)
        same = ct->dims[d] == mi->dims[d];
    if (!same)
        return lln_error_set(err, LLN_E_SHAPE,
                             "%s: tensor '%s' has %d dims / %zu values, the model expects %d "
                             "dims (%d x %d)",
                             where, mi->name, ct->ndim, ct->count, mi->ndim, mi->dims[0],
                             mi->ndim > 1 ? mi->dims[1] : 1);
    return LLN_OK;
}

/* Copies every tensor of the model from t; rejects missing (and, if strict, extra) keys. */
static lln_status_t fill(lln_model_t *m, const lln_case_t *t, int strict, const char *where,
                         lln_error_t *err)
{
    double *params = lln_model_params(m);
    for (size_t i = 0; i < lln_model_tensor_count(m); i++) {
        const lln_tensor_info_t *mi = lln_model_tensor(m, i);
        const lln_case_tensor_t *ct = find(t, mi->name);
        if (ct == NULL) {
            if (mi->flags & LLN_TENSOR_NORM)
                continue; /* ours, not ncps's: stays identity */
            return lln_error_set(err, LLN_E_NOTFOUND, "%s: missing tensor '%s'", where, mi->name);
        }
        lln_status_t st = check_shape(mi, ct, where, err);
        if (st != LLN_OK)
            return st;
        memcpy(params + mi->offset, ct->data, mi->count * sizeof(double));
    }
    for (size_t i = 0; i < t->ntensors; i++) {
        const char *name = t->tensors[i].name;
        if ((strict || is_state_key(name)) && lln_model_find(m, name) == NULL)
            return lln_error_set(err, LLN_E_FORMAT,
                                 "%s: tensor '%s' does not belong to the inferred %s model "
                                 "(wrong cell type or options?)",
                                 where, name, lln_cell_name(lln_model_config(m)->cell));
    }
    return lln_model_prepare(m, err);
}

lln_status_t lln__model_from_tensors(const lln_case_t *t, const lln_import_opts_t *o, int strict,
                                     const char *where, lln_model_t **out, lln_error_t *err)
{
    lln_config_t cfg;
    *out = NULL;
    lln_status_t st = infer_config(t, o, &cfg, where, err);
    if (st != LLN_OK)
        return st;
    lln_model_t *m;
    if ((st = lln_model_create(&cfg, 0, &m, err)) != LLN_OK)
        return lln_error_prefix(err, st, where);
    if ((st = fill(m, t, strict, where, err)) != LLN_OK) {
        lln_model_free(m);
        return lln_error_prefix(err, st, where);
    }
    *out = m;
    return LLN_OK;
}
