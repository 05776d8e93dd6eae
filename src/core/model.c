/* Model construction: the tensor table (named like ncps's state_dict), initialisation,
 * parameter access and metadata. The kernels' tables are built in prepare_impl.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "common/alloc.h"
#include "common/platform.h"
#include "common/pool.h"
#include "lln/util.h"

/* ---- deterministic initialisation: splitmix64 (lln_rng_next) from seed ^ a constant ------ */

typedef lln_rng_t rng_t;

static double rng_uniform(rng_t *r, double lo, double hi)
{
    double u = (double)(lln_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return lo + (hi - lo) * u;
}

static double rng_normal(rng_t *r)
{
    double u1 = rng_uniform(r, 0x1p-53, 1.0), u2 = rng_uniform(r, 0.0, 1.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- tensor table ------------------------------------------------------------------------ */

static lln_status_t add_tensor(lln_model_t *m, const char *name, int d0, int d1, unsigned flags,
                               lln_error_t *err)
{
    if (m->ntensors >= LLN_MAX_TENSORS)
        return lln_error_set(err, LLN_E_CONFIG, "model: too many tensors");
    lln_tensor_slot_t *t = &m->tensors[m->ntensors];
    if ((size_t)snprintf(t->name, sizeof t->name, "%s", name) >= sizeof t->name)
        return lln_error_set(err, LLN_E_CONFIG, "model: tensor name too long: %s", name);
    t->info.name = t->name;
    t->info.ndim = d1 > 0 ? 2 : 1;
    t->info.dims[0] = d0;
    t->info.dims[1] = d1 > 0 ? d1 : 0;
    t->info.count = (size_t)d0 * (size_t)(d1 > 0 ? d1 : 1);
    t->info.offset = m->nparams;
    t->info.flags = flags;
    m->nparams += t->info.count;
    m->ntensors++;
    return LLN_OK;
}

#define TRAIN LLN_TENSOR_TRAINABLE
static lln_status_t add_linear(lln_model_t *m, const char *prefix, int out, int in,
                               lln_error_t *err)
{
    char name[LLN_NAME_MAX + 16]; /* add_tensor rejects names that are too long */
    snprintf(name, sizeof name, "%s.weight", prefix);
    LLN__TRY(add_tensor(m, name, out, in, TRAIN, err));
    snprintf(name, sizeof name, "%s.bias", prefix);
    return add_tensor(m, name, out, 0, TRAIN, err);
}

static lln_status_t table_ltc(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    int N = c->units, I = c->input_size, M = m->out_cell;
    static const char *const vecs[] = {"rnn_cell.gleak", "rnn_cell.vleak", "rnn_cell.cm"};
    static const char *const mats[] = {"sigma", "mu", "w", "erev"};
    char name[LLN_NAME_MAX];
    for (int i = 0; i < 3; i++)
        LLN__TRY(add_tensor(m, vecs[i], N, 0, TRAIN, err));
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "rnn_cell.%s", mats[i]);
        LLN__TRY(add_tensor(m, name, N, N, TRAIN, err));
    }
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "rnn_cell.sensory_%s", mats[i]);
        LLN__TRY(add_tensor(m, name, I, N, TRAIN, err));
    }
    LLN__TRY(add_tensor(m, "rnn_cell.sparsity_mask", N, N, LLN_TENSOR_MASK, err));
    LLN__TRY(add_tensor(m, "rnn_cell.sensory_sparsity_mask", I, N, LLN_TENSOR_MASK, err));
    if (c->input_mapping != LLN_MAP_NONE)
        LLN__TRY(add_tensor(m, "rnn_cell.input_w", I, 0, TRAIN, err));
    if (c->input_mapping == LLN_MAP_AFFINE)
        LLN__TRY(add_tensor(m, "rnn_cell.input_b", I, 0, TRAIN, err));
    if (c->output_mapping != LLN_MAP_NONE)
        LLN__TRY(add_tensor(m, "rnn_cell.output_w", M, 0, TRAIN, err));
    if (c->output_mapping == LLN_MAP_AFFINE)
        LLN__TRY(add_tensor(m, "rnn_cell.output_b", M, 0, TRAIN, err));
    return LLN_OK;
}

/* Heads of one CfC cell (dense or one wired layer) with input width F. */
static lln_status_t table_cfc_heads(lln_model_t *m, const char *prefix, int H, int F,
                                    lln_error_t *err)
{
    static const char *const heads[] = {"ff1", "ff2", "time_a", "time_b"};
    char name[LLN_NAME_MAX];
    int nheads = m->cfg.mode == LLN_CFC_PURE ? 1 : 4;
    for (int h = 0; h < nheads; h++) {
        snprintf(name, sizeof name, "%s%s", prefix, heads[h]);
        LLN__TRY(add_linear(m, name, H, F, err));
    }
    return LLN_OK;
}

static lln_status_t table_pure(lln_model_t *m, const char *prefix, int H, lln_error_t *err)
{
    char name[LLN_NAME_MAX];
    if (m->cfg.mode != LLN_CFC_PURE)
        return LLN_OK;
    snprintf(name, sizeof name, "%sw_tau", prefix);
    LLN__TRY(add_tensor(m, name, 1, H, TRAIN, err));
    snprintf(name, sizeof name, "%sA", prefix);
    return add_tensor(m, name, 1, H, TRAIN, err);
}

/* ncps names backbone Linear layers by their index in an nn.Sequential: 0, 2, 4, ... or,
 * with dropout (a Dropout after every layer but the first), 0, 2, 5, 8, ... */
int lln__backbone_index(const lln_config_t *c, int layer)
{
    if (layer == 0)
        return 0;
    return c->backbone_dropout > 0 ? 2 + 3 * (layer - 1) : 2 * layer;
}

static lln_status_t table_cfc(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    int H = c->units, F = c->input_size + H;
    char name[LLN_NAME_MAX];
    LLN__TRY(table_pure(m, "rnn_cell.", H, err));
    for (int l = 0; l < c->backbone_layers; l++) {
        snprintf(name, sizeof name, "rnn_cell.backbone.%d", lln__backbone_index(c, l));
        LLN__TRY(add_linear(m, name, c->backbone_units, l == 0 ? F : c->backbone_units, err));
    }
    if (c->backbone_layers > 0)
        F = c->backbone_units;
    return table_cfc_heads(m, "rnn_cell.", H, F, err);
}

static lln_status_t table_wired(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    char prefix[32], name[LLN_NAME_MAX];
    int in = c->input_size;
    for (int l = 0; l < c->num_layers; l++) {
        int n = c->layer_sizes[l];
        snprintf(prefix, sizeof prefix, "rnn_cell.layer_%d.", l);
        snprintf(name, sizeof name, "%ssparsity_mask", prefix);
        LLN__TRY(add_tensor(m, name, n, in + n, LLN_TENSOR_MASK, err));
        LLN__TRY(table_pure(m, prefix, n, err));
        LLN__TRY(table_cfc_heads(m, prefix, n, in + n, err));
        in = n;
    }
    return LLN_OK;
}

/* GRU / LSTM: torch GRUCell / LSTMCell's tensors (gates stacked in torch's order);
 * MLP: hidden Linear layers "rnn_cell.hidden.<k>" over the window. */
static lln_status_t table_baseline(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    int G = lln__gates(c), N = c->units;
    char name[LLN_NAME_MAX];
    if (c->cell != LLN_CELL_MLP) {
        LLN__TRY(add_tensor(m, "rnn_cell.weight_ih", G * N, c->input_size, TRAIN, err));
        LLN__TRY(add_tensor(m, "rnn_cell.weight_hh", G * N, N, TRAIN, err));
        LLN__TRY(add_tensor(m, "rnn_cell.bias_ih", G * N, 0, TRAIN, err));
        return add_tensor(m, "rnn_cell.bias_hh", G * N, 0, TRAIN, err);
    }
    for (int l = 0; l < c->backbone_layers; l++) { /* the first reads the window (N) */
        snprintf(name, sizeof name, "rnn_cell.hidden.%d", l);
        LLN__TRY(add_linear(m, name, c->backbone_units, l == 0 ? N : c->backbone_units, err));
    }
    return LLN_OK;
}

static lln_status_t table_all(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    int N = c->units;
    if (c->cell == LLN_CELL_LTC)
        LLN__TRY(table_ltc(m, err));
    else if (lln__baseline(c))
        LLN__TRY(table_baseline(m, err));
    else if (c->cell == LLN_CELL_CFC)
        LLN__TRY(table_cfc(m, err));
    else
        LLN__TRY(table_wired(m, err));
    if (c->mixed_memory) {
        LLN__TRY(add_linear(m, "lstm.input_map", 4 * N, c->input_size, err));
        LLN__TRY(add_tensor(m, "lstm.recurrent_map.weight", 4 * N, N, TRAIN, err));
    }
    if (c->proj_size > 0)
        LLN__TRY(add_linear(m, "fc", c->proj_size, m->out_cell, err));
    LLN__TRY(add_tensor(m, "norm.input_mean", c->input_size, 0, LLN_TENSOR_NORM, err));
    LLN__TRY(add_tensor(m, "norm.input_std", c->input_size, 0, LLN_TENSOR_NORM, err));
    LLN__TRY(add_tensor(m, "norm.output_mean", m->out, 0, LLN_TENSOR_NORM, err));
    return add_tensor(m, "norm.output_std", m->out, 0, LLN_TENSOR_NORM, err);
}

/* ---- initialisation (ncps's distributions) -------------------------------------------- */

static lln_tensor_slot_t *slot(lln_model_t *m, const char *name)
{
    for (size_t i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0)
            return &m->tensors[i];
    return NULL;
}

static double *tdata(lln_model_t *m, const char *name)
{
    lln_tensor_slot_t *t = slot(m, name);
    return t ? m->params + t->info.offset : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* torch.nn.init.orthogonal_ for a rows x cols matrix with rows >= cols: orthonormal columns
 * from a Gaussian matrix by modified Gram-Schmidt. */
static void init_orthogonal(double *w, int rows, int cols, rng_t *r)
{
    for (int i = 0; i < rows * cols; i++)
        w[i] = rng_normal(r);
    for (int j = 0; j < cols; j++) {
        for (int k = 0; k < j; k++) {
            double d = 0;
            for (int i = 0; i < rows; i++)
                d += w[i * cols + j] * w[i * cols + k];
            for (int i = 0; i < rows; i++)
                w[i * cols + j] -= d * w[i * cols + k];
        }
        double n = 0;
        for (int i = 0; i < rows; i++)
            n += w[i * cols + j] * w[i * cols + j];
        n = n > 0 ? 1.0 / sqrt(n) : 0;
        for (int i = 0; i < rows; i++)
            w[i * cols + j] *= n;
    }
}

static void fill_uniform(double *d, size_t n, double lo, double hi, rng_t *r)
{
    for (size_t i = 0; i < n; i++)
        d[i] = rng_uniform(r, lo, hi);
}

static void init_ltc_tensor(lln_model_t *m, lln_tensor_slot_t *t, rng_t *r)
{
    static const struct {
        const char *suffix;
        double lo, hi;
    } U[] = {{"gleak", 0.001, 1.0}, {"vleak", -0.2, 0.2}, {"cm", 0.4, 0.6},
             {"sigma", 3.0, 8.0},   {"mu", 0.3, 0.8},     {"w", 0.001, 1.0}};
    double *d = m->params + t->info.offset;
    const char *leaf = strrchr(t->name, '.') + 1;
    if (strncmp(leaf, "sensory_", 8) == 0)
        leaf += 8;
    for (size_t i = 0; i < sizeof U / sizeof U[0]; i++)
        if (strcmp(leaf, U[i].suffix) == 0) {
            fill_uniform(d, t->info.count, U[i].lo, U[i].hi, r);
            return;
        }
    double one = strcmp(leaf, "input_w") == 0 || strcmp(leaf, "output_w") == 0 ? 1.0 : 0.0;
    for (size_t i = 0; i < t->info.count; i++)
        d[i] = one; /* input/output maps start as identity; erev/masks come from the wiring */
}

static void init_ltc_wiring(lln_model_t *m)
{
    const lln_wiring_t *w = &m->wiring;
    double *erev = tdata(m, "rnn_cell.erev"), *serev = tdata(m, "rnn_cell.sensory_erev");
    double *mask = tdata(m, "rnn_cell.sparsity_mask");
    double *smask = tdata(m, "rnn_cell.sensory_sparsity_mask");
    size_t nn = (size_t)w->units * (size_t)w->units, in = (size_t)w->input_dim * (size_t)w->units;
    for (size_t i = 0; i < nn; i++) {
        erev[i] = m->has_wiring ? w->adjacency[i] : 1.0;
        mask[i] = erev[i] != 0;
    }
    for (size_t i = 0; i < in; i++) {
        serev[i] = m->has_wiring ? w->sensory[i] : 1.0;
        smask[i] = serev[i] != 0;
    }
}

/* Wired CfC layer masks: transpose of [incoming block ; ones(n, n)] (ncps's WiredCfCCell: a layer sees its
 * inputs through the wiring and its own units densely). */
static void init_wired_masks(lln_model_t *m)
{
    const lln_config_t *c = &m->cfg;
    const lln_wiring_t *w = &m->wiring;
    int in = c->input_size, first = 0, prev_first = 0;
    for (int l = 0; l < c->num_layers; l++) {
        char name[LLN_NAME_MAX];
        int n = c->layer_sizes[l];
        snprintf(name, sizeof name, "rnn_cell.layer_%d.sparsity_mask", l);
        double *mask = tdata(m, name);
        for (int r = 0; r < n; r++)
            for (int k = 0; k < in + n; k++) {
                double v = 1.0;
                if (k < in && m->has_wiring) {
                    int dst = w->layer_ids[first + r];
                    v = l == 0 ? w->sensory[k * w->units + dst]
                               : w->adjacency[w->layer_ids[prev_first + k] * w->units + dst];
                }
                mask[r * (in + n) + k] = v != 0;
            }
        prev_first = first;
        first += n;
        in = n;
    }
}

static void init_dense_tensor(lln_model_t *m, lln_tensor_slot_t *t, rng_t *r)
{
    double *d = m->params + t->info.offset;
    size_t n = t->info.count;
    if (t->info.flags & (LLN_TENSOR_MASK | LLN_TENSOR_NORM)) {
        double v = ends_with(t->name, "_std") || (t->info.flags & LLN_TENSOR_MASK) ? 1.0 : 0.0;
        for (size_t i = 0; i < n; i++)
            d[i] = v;
    } else if (strcmp(t->name, "lstm.recurrent_map.weight") == 0) {
        init_orthogonal(d, t->info.dims[0], t->info.dims[1], r);
    } else if (strcmp(t->name, "lstm.input_map.bias") == 0) {
        fill_uniform(d, n, -0.1, 0.1, r);
    } else if (lln__gates(&m->cfg) > 0 && strncmp(t->name, "rnn_cell.", 9) == 0) {
        /* torch GRUCell / LSTMCell: every tensor U(+-1/sqrt(hidden_size)) */
        double b = 1.0 / sqrt((double)m->cfg.units);
        fill_uniform(d, n, -b, b, r);
    } else if (t->info.ndim == 2 && strncmp(t->name, "fc.", 3) != 0 && !lln__baseline(&m->cfg)) {
        /* ncps overwrites every 2-D trainable CfC/LSTM parameter with xavier_uniform */
        double b = sqrt(6.0 / (t->info.dims[0] + t->info.dims[1]));
        fill_uniform(d, n, -b, b, r);
    } else {
        /* torch Linear default: U(+-1/sqrt(fan_in)); fan_in from the weight beside it */
        const lln_tensor_slot_t *wt = t->info.ndim == 2 ? t : t - 1;
        double b = 1.0 / sqrt((double)wt->info.dims[1]);
        fill_uniform(d, n, -b, b, r);
    }
}

static void init_all(lln_model_t *m, unsigned long long seed)
{
    rng_t r = {seed ^ 0x6C6971756964ull};
    for (size_t i = 0; i < m->ntensors; i++) {
        lln_tensor_slot_t *t = &m->tensors[i];
        int ltc_own = m->cfg.cell == LLN_CELL_LTC && strncmp(t->name, "rnn_cell.", 9) == 0;
        if (ltc_own)
            init_ltc_tensor(m, t, &r);
        else
            init_dense_tensor(m, t, &r);
    }
    if (m->cfg.cell == LLN_CELL_LTC)
        init_ltc_wiring(m);
    else if (m->cfg.cell == LLN_CELL_WIRED_CFC)
        init_wired_masks(m);
}

/* ---- creation ----------------------------------------------------------------------------- */

/* Baselines have no wiring: the GRU/LSTM output is h (N), the MLP's the last hidden layer
 * (or the window itself without hidden layers); the MLP's state is the window. */
static lln_status_t normalise_baseline(lln_model_t *m, lln_error_t *err)
{
    lln_config_t *c = &m->cfg;
    c->wiring.kind = LLN_WIRING_CUSTOM;
    if (c->cell == LLN_CELL_MLP) {
        long win = (long)c->mlp_window * c->input_size;
        if (c->units != 0 && c->units != win)
            return lln_error_set(err, LLN_E_CONFIG,
                                 "config: units = %d, but an mlp's state is its window of "
                                 "mlp_window * input_size = %ld values (set the hidden width "
                                 "with backbone_units)",
                                 c->units, win);
        if (win >= 1 && win <= LLN_MAX_DIM)
            c->units = (int)win;
    }
    LLN__TRY(lln_config_validate(c, err));
    m->out_cell = c->cell == LLN_CELL_MLP && c->backbone_layers > 0 ? c->backbone_units : c->units;
    c->output_size = m->out_cell;
    m->out = c->proj_size > 0 ? c->proj_size : m->out_cell;
    return LLN_OK;
}

/* Fills units, layer sizes and output widths from the wiring's shape (nothing is generated
 * or allocated here, so the sizes can be checked before anything large is built). */
static lln_status_t normalise(lln_model_t *m, lln_error_t *err)
{
    lln_config_t *c = &m->cfg;
    if (lln__baseline(c))
        return normalise_baseline(m, err);
    if (c->cell != LLN_CELL_CFC && c->wiring.kind != LLN_WIRING_CUSTOM) {
        lln_wiring_shape_t ws;
        if (c->wiring.kind != LLN_WIRING_NCP && c->wiring.units == 0)
            c->wiring.units = c->units;
        LLN__TRY(lln_wiring_shape(&c->wiring, c->input_size, &ws, err));
        if (c->units != 0 && c->units != ws.units)
            return lln_error_set(err, LLN_E_CONFIG, "config: units = %d but the wiring has %d",
                                 c->units, ws.units);
        c->units = ws.units;
        c->output_size = ws.output_dim;
        if (c->cell == LLN_CELL_WIRED_CFC) {
            c->num_layers = ws.num_layers;
            for (int l = 0; l < c->num_layers; l++)
                c->layer_sizes[l] = ws.layer_size[l];
        }
    }
    if (c->cell == LLN_CELL_CFC)
        c->output_size = c->units;
    if (c->cell == LLN_CELL_LTC && c->readout == LLN_READOUT_DENSE) {
        /* the dense layer reads all N states and replaces the elementwise output map; its
         * output count defaults to the wiring's motor count */
        c->output_mapping = LLN_MAP_NONE;
        if (c->proj_size == 0)
            c->proj_size = c->output_size;
    }
    LLN__TRY(lln_config_validate(c, err));
    if (c->cell == LLN_CELL_LTC) /* the dense readout reads every neuron */
        m->out_cell = c->readout == LLN_READOUT_DENSE ? c->units : c->output_size;
    else
        m->out_cell = c->cell == LLN_CELL_CFC ? c->units : c->layer_sizes[c->num_layers - 1];
    m->out = c->proj_size > 0 ? c->proj_size : m->out_cell;
    return LLN_OK;
}

/* A model with its configuration normalised and its tensor table laid out, nothing else:
 * what both sizing and creation start from. */
static lln_status_t skeleton(const lln_config_t *cfg, lln_model_t **out, lln_error_t *err)
{
    lln_model_t *m = lln__calloc(1, sizeof *m);
    *out = m;
    if (m == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "model: out of memory");
    m->cfg = *cfg;
    LLN__TRY(normalise(m, err));
    return table_all(m, err);
}

lln_status_t lln_config_param_count(const lln_config_t *cfg, size_t *count, lln_error_t *err)
{
    lln_model_t *m;
    lln_status_t st = skeleton(cfg, &m, err);
    *count = st == LLN_OK ? m->nparams : 0;
    lln__free(m);
    return st;
}

static lln_status_t build_wiring(lln_model_t *m, lln_error_t *err)
{
    const lln_config_t *c = &m->cfg;
    if (c->cell == LLN_CELL_CFC || lln__baseline(c) || c->wiring.kind == LLN_WIRING_CUSTOM)
        return LLN_OK;
    LLN__TRY(lln_wiring_build(&c->wiring, c->input_size, &m->wiring, err));
    m->has_wiring = 1;
    return LLN_OK;
}

lln_status_t lln_model_create(const lln_config_t *cfg, unsigned long long seed, lln_model_t **out,
                              lln_error_t *err)
{
    *out = NULL;
    lln_model_t *m;
    lln_status_t st = skeleton(cfg, &m, err);
    if (st == LLN_OK)
        st = build_wiring(m, err);
    if (st == LLN_OK && (m->params = lln__calloc(m->nparams, sizeof *m->params)) == NULL)
        st = lln_error_set(err, LLN_E_NOMEM, "model: out of memory for %zu parameters", m->nparams);
    if (st == LLN_OK) {
        init_all(m, seed);
        st = lln_model_prepare(m, err);
    }
    if (st != LLN_OK) {
        lln_model_free(m);
        return st;
    }
    *out = m;
    return LLN_OK;
}

void lln_model_free(lln_model_t *m)
{
    if (m == NULL)
        return;
    lln__pool_free(m->pool);
    lln__free_prep(m);
    lln_wiring_free(&m->wiring);
    for (size_t i = 0; i < m->nmeta; i++) {
        lln__free(m->meta[i].key);
        lln__free(m->meta[i].value);
    }
    lln__free(m->meta);
    lln__free(m->params);
    lln__free(m);
}

/* ---- access ------------------------------------------------------------------------------- */

const lln_config_t *lln_model_config(const lln_model_t *m) { return &m->cfg; }
const lln_wiring_t *lln_model_wiring(const lln_model_t *m)
{
    return m->has_wiring ? &m->wiring : NULL;
}
size_t lln_model_tensor_count(const lln_model_t *m) { return m->ntensors; }
const lln_tensor_info_t *lln_model_tensor(const lln_model_t *m, size_t i)
{
    return i < m->ntensors ? &m->tensors[i].info : NULL;
}
const lln_tensor_info_t *lln_model_find(const lln_model_t *m, const char *name)
{
    for (size_t i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0)
            return &m->tensors[i].info;
    return NULL;
}
const double *lln__tensor(const lln_model_t *m, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    return t ? m->params + t->offset : NULL;
}
double *lln_model_params(lln_model_t *m) { return m->params; }
const double *lln_model_params_const(const lln_model_t *m) { return m->params; }
size_t lln_model_param_count(const lln_model_t *m) { return m->nparams; }
int lln_model_input_size(const lln_model_t *m) { return m->cfg.input_size; }
int lln_model_output_size(const lln_model_t *m) { return m->out; }
int lln_model_state_size(const lln_model_t *m) { return m->cfg.units; }
int lln_model_memory_size(const lln_model_t *m) { return lln__nmem(&m->cfg); }
const char *lln_version(void) { return LLN_VERSION_STRING; }

/* 1 when every value is finite and within LLN_MAX_PARAM (NaN fails the comparison). No early
 * exit, so the loop is vectorised: an optimizer step checks every parameter. */
static int all_in_range(const double *v, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= !(fabs(v[i]) <= LLN_MAX_PARAM);
    return !bad;
}

static lln_status_t check_values(const lln_tensor_info_t *t, const double *v, lln_error_t *err)
{
    if (!(t->flags & (LLN_TENSOR_MASK | LLN_TENSOR_NORM)) && all_in_range(v, t->count))
        return LLN_OK; /* the loop below would find nothing to report */
    for (size_t i = 0; i < t->count; i++) {
        if (!isfinite(v[i]) || fabs(v[i]) > LLN_MAX_PARAM)
            return lln_error_set(err, LLN_E_RANGE,
                                 "tensor '%s': element %zu = %g is not finite or exceeds %g",
                                 t->name, i, v[i], LLN_MAX_PARAM);
        if ((t->flags & LLN_TENSOR_MASK) && v[i] != 0.0 && v[i] != 1.0)
            return lln_error_set(err, LLN_E_RANGE,
                                 "tensor '%s': element %zu = %g, a mask must be 0 or 1", t->name, i,
                                 v[i]);
        if ((t->flags & LLN_TENSOR_NORM) && ends_with(t->name, "_std") && !(v[i] > 0))
            return lln_error_set(err, LLN_E_RANGE, "tensor '%s': element %zu = %g must be > 0",
                                 t->name, i, v[i]);
    }
    return LLN_OK;
}

lln_status_t lln__model_copy(lln_model_t *m, const char *name, const double *values, size_t count,
                             lln_error_t *err)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    if (t == NULL)
        return lln_error_set(err, LLN_E_NOTFOUND, "model has no tensor '%s'", name);
    if (count != t->count)
        return lln_error_set(err, LLN_E_SHAPE, "tensor '%s': %zu values given, %zu expected", name,
                             count, t->count);
    LLN__TRY(check_values(t, values, err));
    memcpy(m->params + t->offset, values, count * sizeof *values);
    return LLN_OK;
}

lln_status_t lln_model_set(lln_model_t *m, const char *name, const double *values, size_t count,
                           lln_error_t *err)
{
    LLN__TRY(lln__model_copy(m, name, values, count, err));
    return lln_model_prepare(m, err);
}

/* Checks the parameters, then rebuilds the float32 tables and, with f64, the float64 ones
 * (else marks them stale). */
static lln_status_t prepare(lln_model_t *m, int f64, lln_error_t *err)
{
    for (size_t i = 0; i < m->ntensors; i++)
        LLN__TRY(check_values(&m->tensors[i].info, m->params + m->tensors[i].info.offset, err));
    lln__recycle_prep(m, 0);
    lln_status_t st = lln__prepare_f32(m, err);
    lln__drop_spare_prep(m, 0);
    if (!f64) {
        lln__atomic_store(&m->f64_stale, 1);
        return st;
    }
    lln__recycle_prep(m, 1);
    if (st == LLN_OK)
        st = lln__prepare_f64(m, err);
    lln__drop_spare_prep(m, 1);
    lln__atomic_store(&m->f64_stale, 0);
    return st;
}

lln_status_t lln_model_prepare(lln_model_t *m, lln_error_t *err) { return prepare(m, 1, err); }

lln_status_t lln__model_prepare_f32(lln_model_t *m, lln_error_t *err) { return prepare(m, 0, err); }

lln_status_t lln__model_f64(const lln_model_t *cm)
{
    lln_model_t *m = (lln_model_t *)(uintptr_t)cm; /* the tables are a cache of the parameters */
    if (!lln__atomic_load(&m->f64_stale))
        return LLN_OK;
    while (lln__atomic_cas(&m->f64_lock, 0, 1) != 0)
        lln__cpu_relax();
    lln_status_t st = LLN_OK;
    if (lln__atomic_load(&m->f64_stale)) { /* not rebuilt by a thread that held the lock */
        lln__recycle_prep(m, 1);
        st = lln__prepare_f64(m, NULL);
        lln__drop_spare_prep(m, 1);
        if (st == LLN_OK)
            lln__atomic_store(&m->f64_stale, 0);
    }
    lln__atomic_store(&m->f64_lock, 0);
    return st;
}

/* ---- metadata ----------------------------------------------------------------------------- */

lln_status_t lln_model_set_meta(lln_model_t *m, const char *key, const char *value)
{
    if (key == NULL || value == NULL || key[0] == '\0')
        return LLN_E_ARG;
    char *v = lln__strdup(value);
    if (v == NULL)
        return LLN_E_NOMEM;
    for (size_t i = 0; i < m->nmeta; i++)
        if (strcmp(m->meta[i].key, key) == 0) {
            lln__free(m->meta[i].value);
            m->meta[i].value = v;
            return LLN_OK;
        }
    lln_meta_t *nm = lln__realloc(m->meta, (m->nmeta + 1) * sizeof *nm);
    char *k = lln__strdup(key);
    if (nm == NULL || k == NULL) {
        if (nm != NULL)
            m->meta = nm;
        lln__free(k);
        lln__free(v);
        return LLN_E_NOMEM;
    }
    m->meta = nm;
    nm[m->nmeta].key = k;
    nm[m->nmeta].value = v;
    m->nmeta++;
    return LLN_OK;
}

const char *lln_model_get_meta(const lln_model_t *m, const char *key)
{
    for (size_t i = 0; i < m->nmeta; i++)
        if (strcmp(m->meta[i].key, key) == 0)
            return m->meta[i].value;
    return NULL;
}

size_t lln_model_meta_count(const lln_model_t *m) { return m->nmeta; }

lln_status_t lln_model_meta_at(const lln_model_t *m, size_t i, const char **key, const char **value)
{
    if (i >= m->nmeta)
        return LLN_E_RANGE;
    *key = m->meta[i].key;
    *value = m->meta[i].value;
    return LLN_OK;
}

/* ---- structural statistics ---------------------------------------------------------------- */

static long mask_ones(const lln_model_t *m, const char *name)
{
    const lln_tensor_info_t *t = lln_model_find(m, name);
    long n = 0;
    for (size_t i = 0; t != NULL && i < t->count; i++)
        n += m->params[t->offset + i] != 0;
    return n;
}

/* Dense layer: out*in multiplies. */
static long dense_macs(const lln_model_t *m, const char *wname)
{
    const lln_tensor_info_t *t = lln_model_find(m, wname);
    return t ? (long)t->count : 0;
}

static void stats_ltc(const lln_model_t *m, lln_model_stats_t *st)
{
    const lln_config_t *c = &m->cfg;
    long N = c->units, I = c->input_size, M = m->out_cell, K = c->ode_unfolds;
    long S = mask_ones(m, "rnn_cell.sparsity_mask");
    long Ss = mask_ones(m, "rnn_cell.sensory_sparsity_mask");
    if (c->readout == LLN_READOUT_DENSE)
        M = 0; /* no output map: the dense layer fc is counted with the other layers */
    long maps = (c->input_mapping == LLN_MAP_AFFINE ? 2 : c->input_mapping == LLN_MAP_LINEAR) * I +
                (c->output_mapping == LLN_MAP_AFFINE ? 2 : c->output_mapping == LLN_MAP_LINEAR) * M;
    st->synapses = S;
    st->sensory_synapses = Ss;
    st->params = 3 * N + 4 * S + 4 * Ss + maps;
    /* per synapse: sigma*(v-mu), w*sigmoid, w*erev*sigmoid; per neuron and unfold: cm_t*v
     * and the division; once per step: sensory synapses, cm/dt, input and output maps */
    st->macs = K * (3 * S + 2 * N) + 3 * Ss + N + I + M;
    st->transcendentals = K * S + Ss;
    st->weight_bytes_f32 =
        (size_t)(3 * N + 2 * I + 2 * M) * 4 + (size_t)(2 * (N + 1)) * 4 + (size_t)(S + Ss) * 20;
}

static long act_calls(lln_activation_t a, long n) { return a == LLN_ACT_RELU ? 0 : n; }

static void stats_cfc(const lln_model_t *m, lln_model_stats_t *st)
{
    const lln_config_t *c = &m->cfg;
    int heads = c->mode == LLN_CFC_PURE ? 1 : 4;
    for (size_t i = 0; i < m->ntensors; i++) {
        const lln_tensor_info_t *t = &m->tensors[i].info;
        if (t->flags & LLN_TENSOR_TRAINABLE && strncmp(t->name, "rnn_cell.", 9) == 0)
            st->params += (long)t->count;
    }
    for (int l = 0; l < c->backbone_layers && c->cell == LLN_CELL_CFC; l++) {
        char name[64];
        snprintf(name, sizeof name, "rnn_cell.backbone.%d.weight", lln__backbone_index(c, l));
        st->macs += dense_macs(m, name);
        st->transcendentals += act_calls(c->activation, c->backbone_units);
    }
    int nl = c->cell == LLN_CELL_CFC ? 1 : c->num_layers;
    for (int l = 0; l < nl; l++) {
        char mask[64], w[64];
        long H = c->cell == LLN_CELL_CFC ? c->units : c->layer_sizes[l];
        const char *pre = c->cell == LLN_CELL_CFC ? "rnn_cell." : NULL;
        char buf[32];
        if (pre == NULL) {
            snprintf(buf, sizeof buf, "rnn_cell.layer_%d.", l);
            pre = buf;
        }
        snprintf(w, sizeof w, "%sff1.weight", pre);
        snprintf(mask, sizeof mask, "%ssparsity_mask", pre);
        long full = dense_macs(m, w), kept = lln_model_find(m, mask) ? mask_ones(m, mask) : full;
        /* masked-out ff1/ff2 weights neither count as parameters nor cost a multiply */
        long masked_heads = heads == 1 ? 1 : 2;
        st->params -= masked_heads * (full - kept);
        st->macs += masked_heads * kept + (heads - masked_heads) * full;
        st->transcendentals += heads == 1 ? H : 3 * H;
    }
    st->weight_bytes_f32 = (size_t)st->params * 4;
}

/* GRU: 2 sigmoids + tanh per unit; LSTM: 3 sigmoids + 2 tanh; MLP: its activations. MACs:
 * the dense layers plus the gate arithmetic (GRU: r*hn, (1-z)*n + z*h; LSTM: f*c + i*g,
 * o*tanh(c)). The MLP's window shift is a copy, not counted. */
static void stats_baseline(const lln_model_t *m, lln_model_stats_t *st)
{
    const lln_config_t *c = &m->cfg;
    for (size_t i = 0; i < m->ntensors; i++) {
        const lln_tensor_info_t *t = &m->tensors[i].info;
        if (!(t->flags & LLN_TENSOR_TRAINABLE) || strncmp(t->name, "rnn_cell.", 9) != 0)
            continue;
        st->params += (long)t->count;
        st->macs += t->ndim == 2 ? (long)t->count : 0;
    }
    long N = c->units;
    if (c->cell == LLN_CELL_GRU) {
        st->macs += 3 * N;
        st->transcendentals = 3 * N;
    } else if (c->cell == LLN_CELL_LSTM) {
        st->macs += 3 * N;
        st->transcendentals = 5 * N;
    } else {
        st->transcendentals =
            act_calls(c->activation, (long)c->backbone_layers * c->backbone_units);
    }
    st->weight_bytes_f32 = (size_t)st->params * 4;
}

void lln_model_stats(const lln_model_t *m, lln_model_stats_t *st)
{
    memset(st, 0, sizeof *st);
    if (m->cfg.cell == LLN_CELL_LTC)
        stats_ltc(m, st);
    else if (lln__baseline(&m->cfg))
        stats_baseline(m, st);
    else
        stats_cfc(m, st);
    long extra = dense_macs(m, "lstm.input_map.weight") +
                 dense_macs(m, "lstm.recurrent_map.weight") + dense_macs(m, "fc.weight");
    long extra_params = extra + (m->cfg.mixed_memory ? 4L * m->cfg.units : 0) +
                        (m->cfg.proj_size > 0 ? m->cfg.proj_size : 0);
    st->macs += extra;
    st->params += extra_params;
    st->transcendentals += m->cfg.mixed_memory ? 5L * m->cfg.units : 0;
    st->weight_bytes_f32 += (size_t)extra_params * 4;
}
