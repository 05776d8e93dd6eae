/* Model configuration: defaults, validation, and the key=value text form shared by model
 * files, the CLI and the importers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/model.h"

static const char *const CELL_NAMES[] = {"ltc", "cfc", "wired_cfc", "gru", "lstm", "mlp"};
static const char *const MAP_NAMES[] = {"affine", "linear", "none"};
static const char *const MODE_NAMES[] = {"default", "no_gate", "pure"};
static const char *const ACT_NAMES[] = {"lecun_tanh", "tanh", "relu", "silu", "gelu"};
static const char *const POS_NAMES[] = {"softplus", "identity"};
static const char *const READOUT_NAMES[] = {"motor", "dense"};
#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int n, int v)
{
    return v >= 0 && v < n ? names[v] : NULL;
}

const char *lln_cell_name(lln_cell_kind_t k)
{
    return name_of(CELL_NAMES, COUNT_OF(CELL_NAMES), (int)k);
}
const char *lln_mapping_name(lln_mapping_t k) { return name_of(MAP_NAMES, 3, (int)k); }
const char *lln_cfc_mode_name(lln_cfc_mode_t k) { return name_of(MODE_NAMES, 3, (int)k); }
const char *lln_activation_name(lln_activation_t k) { return name_of(ACT_NAMES, 5, (int)k); }
const char *lln_readout_name(lln_readout_t k) { return name_of(READOUT_NAMES, 2, (int)k); }

void lln_config_default(lln_config_t *cfg, lln_cell_kind_t cell)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cell = cell;
    lln_wiring_spec_default(&cfg->wiring, cell == LLN_CELL_LTC || cell == LLN_CELL_WIRED_CFC
                                              ? LLN_WIRING_FULL
                                              : LLN_WIRING_CUSTOM);
    cfg->ode_unfolds = 6;
    cfg->epsilon = 1e-8;
    cfg->positivity = LLN_POS_SOFTPLUS;
    cfg->input_mapping = LLN_MAP_AFFINE;
    cfg->output_mapping = LLN_MAP_AFFINE;
    cfg->mode = LLN_CFC_DEFAULT;
    cfg->activation = LLN_ACT_LECUN_TANH;
    cfg->backbone_units = 128;
    cfg->backbone_layers = 1;
    cfg->mlp_window = 8;
    if (cell == LLN_CELL_MLP)
        cfg->activation = LLN_ACT_RELU;
}

/* ---- validation ------------------------------------------------------------------------ */

static lln_status_t check_dim(const char *field, int v, int lo, lln_error_t *err)
{
    if (v < lo || v > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_CONFIG, "config: %s = %d is out of range [%d, %d]", field,
                             v, lo, LLN_MAX_DIM);
    return LLN_OK;
}

static lln_status_t validate_ltc(const lln_config_t *c, lln_error_t *err)
{
    if (c->ode_unfolds < 1 || c->ode_unfolds > 1000)
        return lln_error_set(err, LLN_E_CONFIG, "config: ode_unfolds = %d must be in [1, 1000]",
                             c->ode_unfolds);
    if (!isfinite(c->epsilon) || c->epsilon < 0)
        return lln_error_set(err, LLN_E_CONFIG, "config: epsilon = %g must be finite and >= 0",
                             c->epsilon);
    if ((unsigned)c->positivity > LLN_POS_IDENTITY || (unsigned)c->input_mapping > LLN_MAP_NONE ||
        (unsigned)c->output_mapping > LLN_MAP_NONE)
        return lln_error_set(err, LLN_E_CONFIG, "config: bad positivity or mapping value");
    if ((unsigned)c->readout > LLN_READOUT_DENSE)
        return lln_error_set(err, LLN_E_CONFIG, "config: bad readout value %d", (int)c->readout);
    if (c->proj_size < 0 || c->proj_size > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_CONFIG, "config: proj_size = %d out of range",
                             c->proj_size);
    if (c->proj_size > 0 && c->readout != LLN_READOUT_DENSE)
        return lln_error_set(err, LLN_E_CONFIG,
                             "config: proj_size = %d needs readout = dense for an ltc (the "
                             "motor readout maps each motor neuron to one output)",
                             c->proj_size);
    if (c->wiring.kind == LLN_WIRING_CUSTOM)
        return check_dim("output_size", c->output_size, 1, err) != LLN_OK ||
                       c->output_size > c->units
                   ? lln_error_set(err, LLN_E_CONFIG,
                                   "config: output_size = %d must be in [1, units = %d]",
                                   c->output_size, c->units)
                   : LLN_OK;
    return LLN_OK;
}

static lln_status_t validate_cfc(const lln_config_t *c, lln_error_t *err)
{
    if ((unsigned)c->mode > LLN_CFC_PURE)
        return lln_error_set(err, LLN_E_CONFIG, "config: bad CfC mode %d", (int)c->mode);
    if ((unsigned)c->activation > LLN_ACT_GELU)
        return lln_error_set(err, LLN_E_CONFIG, "config: bad activation %d", (int)c->activation);
    if (c->proj_size < 0 || c->proj_size > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_CONFIG, "config: proj_size = %d out of range",
                             c->proj_size);
    if (c->cell == LLN_CELL_WIRED_CFC)
        return LLN_OK; /* wired CfC has no backbone */
    if (c->backbone_layers < 0 || c->backbone_layers > LLN_MAX_BACKBONE)
        return lln_error_set(err, LLN_E_CONFIG, "config: backbone_layers = %d must be in [0, %d]",
                             c->backbone_layers, LLN_MAX_BACKBONE);
    if (c->backbone_layers > 0 && check_dim("backbone_units", c->backbone_units, 1, err))
        return LLN_E_CONFIG;
    if (!(c->backbone_dropout >= 0 && c->backbone_dropout < 1))
        return lln_error_set(err, LLN_E_CONFIG, "config: backbone_dropout = %g must be in [0, 1)",
                             c->backbone_dropout);
    return LLN_OK;
}

static lln_status_t validate_layers(const lln_config_t *c, lln_error_t *err)
{
    if (c->num_layers < 1 || c->num_layers > LLN_MAX_LAYERS)
        return lln_error_set(err, LLN_E_CONFIG, "config: num_layers = %d must be in [1, %d]",
                             c->num_layers, LLN_MAX_LAYERS);
    long sum = 0;
    for (int l = 0; l < c->num_layers; l++) {
        if (c->layer_sizes[l] < 1 || c->layer_sizes[l] > LLN_MAX_DIM)
            return lln_error_set(err, LLN_E_CONFIG, "config: layer_sizes[%d] = %d out of range", l,
                                 c->layer_sizes[l]);
        sum += c->layer_sizes[l];
    }
    if (sum != c->units)
        return lln_error_set(err, LLN_E_CONFIG, "config: layer_sizes add up to %ld but units = %d",
                             sum, c->units);
    return LLN_OK;
}

/* GRU / LSTM / MLP: no wiring, no mixed memory; the MLP's hidden layers are the backbone
 * keys and its state is the input window. */
static lln_status_t validate_baseline(const lln_config_t *c, lln_error_t *err)
{
    const char *name = CELL_NAMES[c->cell];
    if (c->mixed_memory)
        return lln_error_set(err, LLN_E_CONFIG, "config: mixed_memory is not available for %s",
                             name);
    if (c->proj_size < 0 || c->proj_size > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_CONFIG, "config: proj_size = %d out of range",
                             c->proj_size);
    if (c->cell != LLN_CELL_MLP)
        return LLN_OK;
    if (c->mlp_window < 1 || c->mlp_window > LLN_MAX_WINDOW)
        return lln_error_set(err, LLN_E_CONFIG, "config: mlp_window = %d must be in [1, %d]",
                             c->mlp_window, LLN_MAX_WINDOW);
    if ((long)c->mlp_window * c->input_size > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_CONFIG, "config: mlp_window * input_size = %ld exceeds %d",
                             (long)c->mlp_window * c->input_size, LLN_MAX_DIM);
    if ((unsigned)c->activation > LLN_ACT_GELU)
        return lln_error_set(err, LLN_E_CONFIG, "config: bad activation %d", (int)c->activation);
    if (c->backbone_layers < 0 || c->backbone_layers > LLN_MAX_BACKBONE)
        return lln_error_set(err, LLN_E_CONFIG, "config: backbone_layers = %d must be in [0, %d]",
                             c->backbone_layers, LLN_MAX_BACKBONE);
    if (c->backbone_layers > 0 && check_dim("backbone_units", c->backbone_units, 1, err))
        return LLN_E_CONFIG;
    return LLN_OK;
}

lln_status_t lln_config_validate(const lln_config_t *c, lln_error_t *err)
{
    if ((unsigned)c->cell > LLN_CELL_MLP)
        return lln_error_set(err, LLN_E_CONFIG, "config: unknown cell kind %d", (int)c->cell);
    if (c->readout != LLN_READOUT_MOTOR && c->cell != LLN_CELL_LTC)
        return lln_error_set(err, LLN_E_CONFIG,
                             "config: readout = %s is for the ltc only (other cells read all "
                             "units through proj_size)",
                             lln_readout_name(c->readout) ? lln_readout_name(c->readout) : "?");
    if (check_dim("input_size", c->input_size, 1, err) || check_dim("units", c->units, 1, err))
        return LLN_E_CONFIG;
    if (c->mixed_memory != 0 && c->mixed_memory != 1)
        return lln_error_set(err, LLN_E_CONFIG, "config: mixed_memory must be 0 or 1");
    if (c->cell >= LLN_CELL_GRU)
        return validate_baseline(c, err);
    if (c->cell != LLN_CELL_CFC && c->wiring.kind != LLN_WIRING_CUSTOM) {
        lln_status_t st = lln_wiring_validate(&c->wiring, c->input_size, err);
        if (st != LLN_OK)
            return st;
    }
    if (c->cell == LLN_CELL_WIRED_CFC && c->wiring.kind == LLN_WIRING_CUSTOM &&
        validate_layers(c, err) != LLN_OK)
        return LLN_E_CONFIG;
    return c->cell == LLN_CELL_LTC ? validate_ltc(c, err) : validate_cfc(c, err);
}

/* ---- key=value form -------------------------------------------------------------------- */

static int parse_enum(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

static lln_status_t parse_int(const char *key, const char *v, long lo, long hi, int *out,
                              lln_error_t *err)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi)
        return lln_error_set(err, LLN_E_CONFIG, "config: %s = '%s' is not an integer in [%ld, %ld]",
                             key, v, lo, hi);
    *out = (int)x;
    return LLN_OK;
}

static lln_status_t parse_real(const char *key, const char *v, double *out, lln_error_t *err)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !isfinite(x))
        return lln_error_set(err, LLN_E_CONFIG, "config: %s = '%s' is not a finite number", key, v);
    *out = x;
    return LLN_OK;
}

static lln_status_t parse_u64(const char *key, const char *v, unsigned long long *out,
                              lln_error_t *err)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-')
        return lln_error_set(err, LLN_E_CONFIG, "config: %s = '%s' is not a non-negative integer",
                             key, v);
    *out = x;
    return LLN_OK;
}

static lln_status_t parse_choice(const char *key, const char *v, const char *const *names, int n,
                                 int *out, lln_error_t *err)
{
    int k = parse_enum(names, n, v);
    if (k < 0) {
        char list[160] = "";
        for (int i = 0; i < n; i++) {
            strncat(list, names[i], sizeof list - strlen(list) - 1);
            if (i + 1 < n)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
        }
        return lln_error_set(err, LLN_E_CONFIG, "config: %s = '%s' is not one of: %s", key, v,
                             list);
    }
    *out = k;
    return LLN_OK;
}

static lln_status_t parse_layer_sizes(lln_config_t *c, const char *v, lln_error_t *err)
{
    int n = 0;
    const char *p = v;
    while (*p != '\0') {
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (errno != 0 || end == p || x < 1 || x > LLN_MAX_DIM || n >= LLN_MAX_LAYERS ||
            (*end != ',' && *end != '\0'))
            return lln_error_set(err, LLN_E_CONFIG,
                                 "config: layer_sizes = '%s' must be 1 to %d comma-separated "
                                 "sizes",
                                 v, LLN_MAX_LAYERS);
        c->layer_sizes[n++] = (int)x;
        p = *end == ',' ? end + 1 : end;
    }
    if (n == 0)
        return lln_error_set(err, LLN_E_CONFIG, "config: layer_sizes is empty");
    c->num_layers = n;
    return LLN_OK;
}

typedef enum { F_INT, F_REAL, F_BOOL } ftype_t;
typedef struct {
    const char *key;
    ftype_t type;
    size_t off;
    int lo; /* F_INT: the smallest value that can be valid (the message states the range) */
} field_t;

#define FIELD(k, t, m)                     \
    {                                      \
        k, t, offsetof(lln_config_t, m), 0 \
    }
#define FIELD1(k, m)                           \
    {                                          \
        k, F_INT, offsetof(lln_config_t, m), 1 \
    }
static const field_t FIELDS[] = {
    FIELD1("input_size", input_size),
    FIELD1("units", units),
    FIELD("output_size", F_INT, output_size),
    FIELD("mixed_memory", F_BOOL, mixed_memory),
    FIELD1("ode_unfolds", ode_unfolds),
    FIELD("epsilon", F_REAL, epsilon),
    FIELD("backbone_units", F_INT, backbone_units),
    FIELD("backbone_layers", F_INT, backbone_layers),
    FIELD("backbone_dropout", F_REAL, backbone_dropout),
    FIELD("proj_size", F_INT, proj_size),
    FIELD("wiring.units", F_INT, wiring.units),
    FIELD("wiring.output_dim", F_INT, wiring.output_dim),
    FIELD("wiring.self_connections", F_BOOL, wiring.self_connections),
    FIELD("wiring.sparsity", F_REAL, wiring.sparsity),
    FIELD("wiring.inter", F_INT, wiring.inter),
    FIELD("wiring.command", F_INT, wiring.command),
    FIELD("wiring.motor", F_INT, wiring.motor),
    FIELD("wiring.sensory_fanout", F_INT, wiring.sensory_fanout),
    FIELD("wiring.inter_fanout", F_INT, wiring.inter_fanout),
    FIELD("wiring.recurrent_command", F_INT, wiring.recurrent_command),
    FIELD("wiring.motor_fanin", F_INT, wiring.motor_fanin),
};

static lln_status_t set_field(lln_config_t *c, const field_t *f, const char *v, lln_error_t *err)
{
    char *base = (char *)c + f->off;
    if (f->type == F_REAL)
        return parse_real(f->key, v, (double *)(void *)base, err);
    return parse_int(f->key, v, f->type == F_BOOL ? 0 : f->lo, f->type == F_BOOL ? 1 : LLN_MAX_DIM,
                     (int *)(void *)base, err);
}

/* Switching the wiring kind moves the arguments still at the old kind's defaults (seed,
 * sparsity, self connections) to the new kind's; values the user set are kept. */
static void set_wiring_kind(lln_wiring_spec_t *w, lln_wiring_kind_t kind)
{
    lln_wiring_spec_t old, dflt;
    lln_wiring_spec_default(&old, w->kind);
    lln_wiring_spec_default(&dflt, kind);
    if (w->seed == old.seed)
        w->seed = dflt.seed;
    if (w->sparsity == old.sparsity)
        w->sparsity = dflt.sparsity;
    if (w->self_connections == old.self_connections)
        w->self_connections = dflt.self_connections;
    w->kind = kind;
}

static lln_status_t set_enum_key(lln_config_t *c, const char *key, const char *v, int *handled,
                                 lln_error_t *err)
{
    int k = 0;
    lln_status_t st = LLN_OK;
    *handled = 1;
    if (strcmp(key, "cell") == 0) {
        if ((st = parse_choice(key, v, CELL_NAMES, COUNT_OF(CELL_NAMES), &k, err)) == LLN_OK)
            c->cell = (lln_cell_kind_t)k;
    } else if (strcmp(key, "wiring") == 0) {
        lln_wiring_kind_t wk;
        if (lln_wiring_kind_parse(v, &wk) != LLN_OK)
            return lln_error_set(err, LLN_E_CONFIG,
                                 "config: wiring = '%s' is not one of: fc, random, ncp, "
                                 "autoncp, custom",
                                 v);
        set_wiring_kind(&c->wiring, wk);
    } else if (strcmp(key, "positivity") == 0) {
        if ((st = parse_choice(key, v, POS_NAMES, COUNT_OF(POS_NAMES), &k, err)) == LLN_OK)
            c->positivity = (lln_positivity_t)k;
    } else if (strcmp(key, "input_mapping") == 0 || strcmp(key, "output_mapping") == 0) {
        if ((st = parse_choice(key, v, MAP_NAMES, COUNT_OF(MAP_NAMES), &k, err)) == LLN_OK)
            *(key[0] == 'i' ? &c->input_mapping : &c->output_mapping) = (lln_mapping_t)k;
    } else if (strcmp(key, "readout") == 0) {
        if ((st = parse_choice(key, v, READOUT_NAMES, COUNT_OF(READOUT_NAMES), &k, err)) == LLN_OK)
            c->readout = (lln_readout_t)k;
    } else if (strcmp(key, "mode") == 0) {
        if ((st = parse_choice(key, v, MODE_NAMES, COUNT_OF(MODE_NAMES), &k, err)) == LLN_OK)
            c->mode = (lln_cfc_mode_t)k;
    } else if (strcmp(key, "activation") == 0) {
        if ((st = parse_choice(key, v, ACT_NAMES, COUNT_OF(ACT_NAMES), &k, err)) == LLN_OK)
            c->activation = (lln_activation_t)k;
    } else if (strcmp(key, "wiring.seed") == 0) {
        st = parse_u64(key, v, &c->wiring.seed, err);
    } else if (strcmp(key, "layer_sizes") == 0) {
        st = parse_layer_sizes(c, v, err);
    } else if (strcmp(key, "mlp_window") == 0) {
        st = parse_int(key, v, 1, LLN_MAX_WINDOW, &c->mlp_window, err);
    } else {
        *handled = 0;
    }
    return st;
}

lln_status_t lln_config_set(lln_config_t *c, const char *key, const char *v, lln_error_t *err)
{
    int handled;
    lln_status_t st = set_enum_key(c, key, v, &handled, err);
    if (handled)
        return st;
    for (int i = 0; i < COUNT_OF(FIELDS); i++)
        if (strcmp(FIELDS[i].key, key) == 0)
            return set_field(c, &FIELDS[i], v, err);
    return lln_error_set(err, LLN_E_CONFIG, "config: unknown key '%s'", key);
}

void lln_config_foreach(const lln_config_t *c,
                        void (*fn)(const char *key, const char *value, void *ctx), void *ctx)
{
    char buf[64 * LLN_MAX_LAYERS];
    fn("cell", CELL_NAMES[c->cell], ctx);
    fn("wiring", lln_wiring_kind_name(c->wiring.kind), ctx);
    fn("positivity", POS_NAMES[c->positivity], ctx);
    fn("input_mapping", MAP_NAMES[c->input_mapping], ctx);
    fn("output_mapping", MAP_NAMES[c->output_mapping], ctx);
    fn("mode", MODE_NAMES[c->mode], ctx);
    fn("activation", ACT_NAMES[c->activation], ctx);
    snprintf(buf, sizeof buf, "%llu", c->wiring.seed);
    fn("wiring.seed", buf, ctx);
    for (int i = 0; i < COUNT_OF(FIELDS); i++) {
        const char *base = (const char *)c + FIELDS[i].off;
        if (FIELDS[i].type == F_REAL)
            snprintf(buf, sizeof buf, "%.17g", *(const double *)(const void *)base);
        else
            snprintf(buf, sizeof buf, "%d", *(const int *)(const void *)base);
        fn(FIELDS[i].key, buf, ctx);
    }
    if (c->num_layers > 0) {
        size_t n = 0;
        for (int l = 0; l < c->num_layers && l < LLN_MAX_LAYERS; l++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d", l ? "," : "", c->layer_sizes[l]);
        fn("layer_sizes", buf, ctx);
    }
    /* only for a dense readout: files of motor-readout models stay as they were */
    const char *readout = lln_readout_name(c->readout);
    if (c->readout != LLN_READOUT_MOTOR && readout != NULL)
        fn("readout", readout, ctx);
    if (c->cell == LLN_CELL_MLP) { /* only for the MLP: other cells' files stay as they were */
        snprintf(buf, sizeof buf, "%d", c->mlp_window);
        fn("mlp_window", buf, ctx);
    }
}
