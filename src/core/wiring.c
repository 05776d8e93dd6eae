/* Wiring generators: FullyConnected, Random, NCP and AutoNCP, drawing from the same numpy
 * random streams as ncps 1.0.1 so that a spec, input width and seed give ncps's matrices
 * (spec/liquid-math.md section 2). */
#include "lln/wiring.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rng_numpy.h"
#include "common/alloc.h"

/* Sanity bounds (not ncps's): keep every index product within 32 bits. */
#define WIRING_MAX_UNITS 65536
#define WIRING_MAX_INPUTS 65536

/* NCP constructor arguments, given directly or derived from an AutoNCP spec. */
typedef struct ncp_params {
    int inter, command, motor;
    int sensory_fanout, inter_fanout, recurrent, motor_fanin;
    unsigned long long seed;
} ncp_params_t;

/* ---- spec helpers ------------------------------------------------------------------ */

void lln_wiring_spec_default(lln_wiring_spec_t *spec, lln_wiring_kind_t kind)
{
    if (spec == NULL)
        return;
    memset(spec, 0, sizeof *spec);
    spec->kind = kind;
    spec->self_connections = 1;
    if (kind == LLN_WIRING_NCP || kind == LLN_WIRING_AUTONCP)
        spec->seed = 22222;
    else
        spec->seed = 1111;
    spec->sparsity = kind == LLN_WIRING_AUTONCP ? 0.5 : 0.0;
}

static const struct {
    lln_wiring_kind_t kind;
    const char *name;
} kind_names[] = {
    {LLN_WIRING_CUSTOM, "custom"}, {LLN_WIRING_FULL, "fc"},         {LLN_WIRING_RANDOM, "random"},
    {LLN_WIRING_NCP, "ncp"},       {LLN_WIRING_AUTONCP, "autoncp"},
};
#define KIND_COUNT ((int)(sizeof kind_names / sizeof kind_names[0]))

const char *lln_wiring_kind_name(lln_wiring_kind_t kind)
{
    for (int i = 0; i < KIND_COUNT; i++)
        if (kind_names[i].kind == kind)
            return kind_names[i].name;
    return "unknown";
}

lln_status_t lln_wiring_kind_parse(const char *name, lln_wiring_kind_t *kind)
{
    if (name == NULL || kind == NULL)
        return LLN_E_ARG;
    for (int i = 0; i < KIND_COUNT; i++) {
        if (strcmp(kind_names[i].name, name) == 0) {
            *kind = kind_names[i].kind;
            return LLN_OK;
        }
    }
    return LLN_E_ARG;
}

/* AutoNCP's derivation of the NCP sizes. The floors are of double products, as in
 * Python's int(0.4 * ic), so borderline sizes round exactly as ncps rounds them. */
static ncp_params_t autoncp_params(const lln_wiring_spec_t *spec)
{
    ncp_params_t p;
    double density = 1.0 - spec->sparsity;
    int ic = spec->units - spec->output_dim;
    int c = (int)(0.4 * ic);
    p.command = c > 1 ? c : 1;
    p.inter = ic - p.command;
    p.motor = spec->output_dim;
    p.sensory_fanout = (int)(p.inter * density);
    p.inter_fanout = (int)(p.command * density);
    p.recurrent = (int)(p.command * density * 2);
    p.motor_fanin = (int)(p.command * density);
    if (p.sensory_fanout < 1)
        p.sensory_fanout = 1;
    if (p.inter_fanout < 1)
        p.inter_fanout = 1;
    if (p.recurrent < 1)
        p.recurrent = 1;
    if (p.motor_fanin < 1)
        p.motor_fanin = 1;
    p.seed = spec->seed;
    return p;
}

static ncp_params_t ncp_params(const lln_wiring_spec_t *spec)
{
    ncp_params_t p;
    p.inter = spec->inter;
    p.command = spec->command;
    p.motor = spec->motor;
    p.sensory_fanout = spec->sensory_fanout;
    p.inter_fanout = spec->inter_fanout;
    p.recurrent = spec->recurrent_command;
    p.motor_fanin = spec->motor_fanin;
    p.seed = spec->seed;
    return p;
}

/* ---- validation -------------------------------------------------------------------- */

static lln_status_t bad(lln_error_t *err, const char *kind, const char *arg, long long v,
                        const char *why)
{
    return lln_error_set(err, LLN_E_CONFIG, "wiring %s: %s = %lld %s", kind, arg, v, why);
}

/* N neurons (FC / Random / AutoNCP) within the sanity bound. */
static lln_status_t check_units(const char *kind, int units, lln_error_t *err)
{
    if (units < 1 || units > WIRING_MAX_UNITS)
        return bad(err, kind, "units", units, "must be between 1 and 65536");
    return LLN_OK;
}

/* FC / Random: output_dim 0 stands for units. */
static lln_status_t check_output_dim(const lln_wiring_spec_t *spec, lln_error_t *err)
{
    const char *kind = lln_wiring_kind_name(spec->kind);
    if (spec->output_dim < 0 || spec->output_dim > spec->units)
        return bad(err, kind, "output_dim", spec->output_dim,
                   "must be between 1 and units (0 = units)");
    return LLN_OK;
}

static lln_status_t validate_full(const lln_wiring_spec_t *spec, lln_error_t *err)
{
    lln_status_t st = check_units(lln_wiring_kind_name(spec->kind), spec->units, err);
    return st != LLN_OK ? st : check_output_dim(spec, err);
}

static lln_status_t validate_random(const lln_wiring_spec_t *spec, lln_error_t *err)
{
    lln_status_t st = validate_full(spec, err);
    if (st != LLN_OK)
        return st;
    /* written so that NaN fails too (ncps would fail later, on round(NaN)) */
    if (!(spec->sparsity >= 0.0 && spec->sparsity < 1.0))
        return lln_error_set(err, LLN_E_CONFIG, "wiring random: sparsity = %.17g must be in [0, 1)",
                             spec->sparsity);
    return LLN_OK;
}

/* Neuron counts and fan-outs of an NCP (also run on AutoNCP's derived sizes). */
static lln_status_t check_ncp_sizes(const char *kind, const ncp_params_t *p, lln_error_t *err)
{
    const int sizes[3] = {p->inter, p->command, p->motor};
    static const char *const size_names[3] = {"inter", "command", "motor"};
    for (int i = 0; i < 3; i++)
        if (sizes[i] < 1 || sizes[i] > WIRING_MAX_UNITS)
            return bad(err, kind, size_names[i], sizes[i], "must be between 1 and 65536");
    long long units = (long long)p->inter + p->command + p->motor;
    if (units > WIRING_MAX_UNITS)
        return bad(err, kind, "inter + command + motor", units, "must be at most 65536");
    const int fans[4] = {p->sensory_fanout, p->inter_fanout, p->recurrent, p->motor_fanin};
    static const char *const fan_names[4] = {"sensory_fanout", "inter_fanout", "recurrent_command",
                                             "motor_fanin"};
    for (int i = 0; i < 4; i++)
        if (fans[i] < 0)
            return bad(err, kind, fan_names[i], fans[i], "must be >= 0");
    return LLN_OK;
}

/* The three ValueErrors of ncps's NCP constructor, plus the RandomState seed range. */
static lln_status_t validate_ncp_params(const char *kind, const ncp_params_t *p, lln_error_t *err)
{
    lln_status_t st = check_ncp_sizes(kind, p, err);
    if (st != LLN_OK)
        return st;
    if (p->motor_fanin > p->command)
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring %s: motor_fanin = %d must not exceed command = %d", kind,
                             p->motor_fanin, p->command);
    if (p->sensory_fanout > p->inter)
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring %s: sensory_fanout = %d must not exceed inter = %d", kind,
                             p->sensory_fanout, p->inter);
    if (p->inter_fanout > p->command)
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring %s: inter_fanout = %d must not exceed command = %d", kind,
                             p->inter_fanout, p->command);
    if (p->seed > 0xFFFFFFFFull)
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring %s: seed = %llu must be < 2^32 (numpy RandomState)", kind,
                             p->seed);
    return LLN_OK;
}

static lln_status_t validate_autoncp(const lln_wiring_spec_t *spec, lln_error_t *err)
{
    lln_status_t st = check_units("autoncp", spec->units, err);
    if (st != LLN_OK)
        return st;
    if (spec->output_dim < 1)
        return bad(err, "autoncp", "output_size", spec->output_dim, "must be >= 1");
    if (spec->output_dim >= spec->units - 2)
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring autoncp: output_size = %d must be < units - 2 = %d",
                             spec->output_dim, spec->units - 2);
    if (!(spec->sparsity >= 0.1 && spec->sparsity <= 1.0))
        return lln_error_set(err, LLN_E_CONFIG,
                             "wiring autoncp: sparsity = %.17g must be in [0.1, 1.0]",
                             spec->sparsity);
    ncp_params_t p = autoncp_params(spec);
    return validate_ncp_params("autoncp", &p, err);
}

lln_status_t lln_wiring_validate(const lln_wiring_spec_t *spec, int input_dim, lln_error_t *err)
{
    if (spec == NULL)
        return lln_error_set(err, LLN_E_ARG, "wiring: spec is NULL");
    if (input_dim < 1 || input_dim > WIRING_MAX_INPUTS)
        return bad(err, lln_wiring_kind_name(spec->kind), "input_dim", input_dim,
                   "must be between 1 and 65536");
    switch (spec->kind) {
    case LLN_WIRING_CUSTOM:
    case LLN_WIRING_FULL: return validate_full(spec, err);
    case LLN_WIRING_RANDOM: return validate_random(spec, err);
    case LLN_WIRING_NCP: {
        ncp_params_t p = ncp_params(spec);
        return validate_ncp_params("ncp", &p, err);
    }
    case LLN_WIRING_AUTONCP: return validate_autoncp(spec, err);
    default:
        return lln_error_set(err, LLN_E_CONFIG, "wiring: kind = %d is not a wiring kind",
                             (int)spec->kind);
    }
}

/* ---- FullyConnected and Random (numpy Generator, PCG64) --------------------------- */

/* Generator.choice([-1, 1, 1]): P(+1) = 2/3. */
static signed char polarity3(lln_pcg64_t *rng)
{
    static const signed char pol[3] = {-1, 1, 1};
    return pol[lln__pcg64_interval(rng, 2)];
}

static void gen_full(const lln_wiring_spec_t *spec, lln_wiring_t *w)
{
    lln_pcg64_t rng;
    size_t n = (size_t)w->units;
    lln__pcg64_seed(&rng, spec->seed);
    for (size_t src = 0; src < n; src++)
        for (size_t dst = 0; dst < n; dst++)
            if (src != dst || spec->self_connections)
                w->adjacency[src * n + dst] = polarity3(&rng);
    for (size_t i = 0; i < (size_t)w->input_dim * n; i++)
        w->sensory[i] = polarity3(&rng);
}

/* round(rows*cols*(1-sparsity)) distinct (row, col) pairs in chosen order, each given
 * `draws` polarity draws of which the last wins (ncps draws twice for sensory synapses). */
static lln_status_t random_matrix(lln_pcg64_t *rng, int rows, int cols, double sparsity, int draws,
                                  signed char *m)
{
    uint64_t pop = (uint64_t)rows * (uint64_t)cols;
    /* nearbyint: round half to even, as np.round */
    uint64_t count = (uint64_t)nearbyint((double)pop * (1.0 - sparsity));
    uint32_t *pick = NULL;
    if (count > pop)
        count = pop; /* cannot happen for sparsity in [0, 1); keeps the sampler in range */
    if (count <= SIZE_MAX / sizeof *pick)
        pick = lln__malloc(count > 0 ? (size_t)count * sizeof *pick : 1);
    if (pick == NULL)
        return LLN_E_NOMEM;
    lln_status_t st = lln__pcg64_choice_distinct(rng, pop, count, pick);
    for (uint64_t k = 0; st == LLN_OK && k < count; k++)
        for (int d = 0; d < draws; d++)
            m[pick[k]] = polarity3(rng); /* pair index = row * cols + col = matrix offset */
    lln__free(pick);
    return st;
}

static lln_status_t gen_random(const lln_wiring_spec_t *spec, lln_wiring_t *w)
{
    lln_pcg64_t rng;
    lln__pcg64_seed(&rng, spec->seed);
    lln_status_t st = random_matrix(&rng, w->units, w->units, spec->sparsity, 1, w->adjacency);
    if (st == LLN_OK)
        st = random_matrix(&rng, w->input_dim, w->units, spec->sparsity, 2, w->sensory);
    return st;
}

/* ---- NCP (legacy RandomState, MT19937) ---------------------------------------------- */

typedef struct ncp_gen {
    lln_mt19937_t mt;
    int *perm;          /* permutation scratch, max(input_dim, units) */
    unsigned char *hit; /* "reached" flags of the current target group, units */
} ncp_gen_t;

/* One fan-out phase between neuron groups X and Y (contiguous id ranges). Every x picks
 * `fanout` distinct y's; then every y nobody picked gets k distinct x's. x_is_src says
 * whether x or y is the pre-synaptic side of the written synapse. */
typedef struct fan_phase {
    signed char *mat;
    int stride, x_is_src;
    int xbase, nx, ybase, ny;
    int fanout, kmax;
} fan_phase_t;

/* RandomState.choice([-1, 1]) */
static signed char polarity2(lln_mt19937_t *mt) { return lln__mt_interval(mt, 1) ? 1 : -1; }

static void set_synapse(const fan_phase_t *ph, int x, int y, signed char v)
{
    size_t src = (size_t)(ph->x_is_src ? x : y), dst = (size_t)(ph->x_is_src ? y : x);
    ph->mat[src * (size_t)ph->stride + dst] = v;
}

/* ncps's fan-in for unreached targets: int(nx * fanout / ny) clamped to [1, kmax]. */
static int fan_phase_k(const fan_phase_t *ph)
{
    int k = (int)((double)((long long)ph->nx * ph->fanout) / (double)ph->ny);
    if (k > ph->kmax)
        k = ph->kmax;
    if (k > ph->nx)
        k = ph->nx; /* ncps would raise; unreachable once the fan-outs are validated */
    return k < 1 ? 1 : k;
}

static void run_fan_phase(ncp_gen_t *g, const fan_phase_t *ph)
{
    memset(g->hit, 0, (size_t)ph->ny);
    for (int x = 0; x < ph->nx; x++) {
        lln__mt_permutation(&g->mt, ph->ny, g->perm);
        for (int t = 0; t < ph->fanout; t++) {
            g->hit[g->perm[t]] = 1;
            set_synapse(ph, ph->xbase + x, ph->ybase + g->perm[t], polarity2(&g->mt));
        }
    }
    int k = fan_phase_k(ph);
    for (int y = 0; y < ph->ny; y++) {
        if (g->hit[y])
            continue;
        lln__mt_permutation(&g->mt, ph->nx, g->perm);
        for (int t = 0; t < k; t++)
            set_synapse(ph, ph->xbase + g->perm[t], ph->ybase + y, polarity2(&g->mt));
    }
}

/* Command -> command synapses drawn with replacement (repeats overwrite, loops allowed). */
static void run_recurrent(ncp_gen_t *g, const ncp_params_t *p, lln_wiring_t *w)
{
    uint32_t top = (uint32_t)(p->command - 1);
    for (int r = 0; r < p->recurrent; r++) {
        size_t src = (size_t)p->motor + lln__mt_interval(&g->mt, top);
        size_t dst = (size_t)p->motor + lln__mt_interval(&g->mt, top);
        w->adjacency[src * (size_t)w->units + dst] = polarity2(&g->mt);
    }
}

static lln_status_t gen_ncp(const ncp_params_t *p, lln_wiring_t *w)
{
    ncp_gen_t g;
    int n = w->units > w->input_dim ? w->units : w->input_dim;
    int motor = 0, command = p->motor, inter = p->motor + p->command; /* first ids */
    g.perm = lln__malloc((size_t)n * sizeof *g.perm);
    g.hit = lln__malloc((size_t)n);
    if (g.perm == NULL || g.hit == NULL) {
        lln__free(g.perm);
        lln__free(g.hit);
        return LLN_E_NOMEM;
    }
    lln__mt_seed(&g.mt, (uint32_t)p->seed);
    /* phases in ncps's order: sensory->inter, inter->command, recurrent, command->motor */
    const fan_phase_t sensory = {.mat = w->sensory,
                                 .stride = w->units,
                                 .x_is_src = 1,
                                 .xbase = 0,
                                 .nx = w->input_dim,
                                 .ybase = inter,
                                 .ny = p->inter,
                                 .fanout = p->sensory_fanout,
                                 .kmax = w->input_dim};
    const fan_phase_t inter_cmd = {.mat = w->adjacency,
                                   .stride = w->units,
                                   .x_is_src = 1,
                                   .xbase = inter,
                                   .nx = p->inter,
                                   .ybase = command,
                                   .ny = p->command,
                                   .fanout = p->inter_fanout,
                                   .kmax = p->command}; /* sic: ncps caps at command */
    const fan_phase_t cmd_motor = {.mat = w->adjacency,
                                   .stride = w->units,
                                   .x_is_src = 0,
                                   .xbase = motor,
                                   .nx = p->motor,
                                   .ybase = command,
                                   .ny = p->command,
                                   .fanout = p->motor_fanin,
                                   .kmax = p->motor};
    run_fan_phase(&g, &sensory);
    run_fan_phase(&g, &inter_cmd);
    run_recurrent(&g, p, w);
    run_fan_phase(&g, &cmd_motor);
    lln__free(g.perm);
    lln__free(g.hit);
    return LLN_OK;
}

/* ---- build ------------------------------------------------------------------------- */

static lln_status_t alloc_wiring(lln_wiring_t *w, int units, int input_dim)
{
    size_t n = (size_t)units;
    if (n == 0) /* validated specs have units >= 1 */
        return LLN_E_ARG;
    if (n > SIZE_MAX / n || (size_t)input_dim > SIZE_MAX / n || n > SIZE_MAX / sizeof(int))
        return LLN_E_NOMEM;
    w->units = units;
    w->input_dim = input_dim;
    w->adjacency = lln__calloc(n * n, 1);
    w->sensory = lln__calloc((size_t)input_dim * n, 1);
    w->layer_ids = lln__malloc(n * sizeof *w->layer_ids);
    if (w->adjacency == NULL || w->sensory == NULL || w->layer_ids == NULL)
        return LLN_E_NOMEM;
    return LLN_OK;
}

/* Appends ids first..first+count-1 as the next layer. */
static void add_layer(lln_wiring_t *w, int *filled, int first, int count)
{
    w->layer_size[w->num_layers++] = count;
    for (int i = 0; i < count; i++)
        w->layer_ids[(*filled)++] = first + i;
}

static void set_layers(lln_wiring_t *w, const ncp_params_t *p)
{
    int filled = 0;
    if (p == NULL) {
        add_layer(w, &filled, 0, w->units);
        return;
    }
    add_layer(w, &filled, p->motor + p->command, p->inter);
    add_layer(w, &filled, p->motor, p->command);
    add_layer(w, &filled, 0, p->motor);
}

static lln_status_t generate(const lln_wiring_spec_t *spec, lln_wiring_t *w)
{
    ncp_params_t p;
    switch (spec->kind) {
    case LLN_WIRING_FULL:
        gen_full(spec, w);
        set_layers(w, NULL);
        return LLN_OK;
    case LLN_WIRING_RANDOM: set_layers(w, NULL); return gen_random(spec, w);
    case LLN_WIRING_NCP:
    case LLN_WIRING_AUTONCP:
        p = spec->kind == LLN_WIRING_NCP ? ncp_params(spec) : autoncp_params(spec);
        set_layers(w, &p);
        return gen_ncp(&p, w);
    default: return LLN_E_UNSUPPORTED;
    }
}

/* N and M of a validated spec. */
static void wiring_dims(const lln_wiring_spec_t *spec, int *units, int *output_dim)
{
    if (spec->kind == LLN_WIRING_NCP) {
        *units = spec->inter + spec->command + spec->motor;
        *output_dim = spec->motor;
    } else {
        *units = spec->units;
        *output_dim = spec->output_dim > 0 ? spec->output_dim : spec->units;
    }
}

lln_status_t lln_wiring_shape(const lln_wiring_spec_t *spec, int input_dim, lln_wiring_shape_t *out,
                              lln_error_t *err)
{
    if (out == NULL)
        return lln_error_set(err, LLN_E_ARG, "wiring: out is NULL");
    memset(out, 0, sizeof *out);
    lln_status_t st = lln_wiring_validate(spec, input_dim, err);
    if (st != LLN_OK)
        return st;
    if (spec->kind == LLN_WIRING_CUSTOM)
        return lln_error_set(err, LLN_E_UNSUPPORTED,
                             "wiring custom: has no generator (its masks come from a file)");
    wiring_dims(spec, &out->units, &out->output_dim);
    if (spec->kind == LLN_WIRING_FULL || spec->kind == LLN_WIRING_RANDOM) {
        out->num_layers = 1;
        out->layer_size[0] = out->units;
        return LLN_OK;
    }
    ncp_params_t p = spec->kind == LLN_WIRING_NCP ? ncp_params(spec) : autoncp_params(spec);
    out->num_layers = 3; /* inter, command, motor: the order set_layers uses */
    out->layer_size[0] = p.inter;
    out->layer_size[1] = p.command;
    out->layer_size[2] = p.motor;
    return LLN_OK;
}

lln_status_t lln_wiring_build(const lln_wiring_spec_t *spec, int input_dim, lln_wiring_t *out,
                              lln_error_t *err)
{
    lln_wiring_shape_t shape;
    if (out == NULL)
        return lln_error_set(err, LLN_E_ARG, "wiring: out is NULL");
    memset(out, 0, sizeof *out);
    lln_status_t st = lln_wiring_shape(spec, input_dim, &shape, err); /* validates */
    if (st != LLN_OK)
        return st;
    int units = shape.units, output_dim = shape.output_dim;
    st = alloc_wiring(out, units, input_dim);
    if (st == LLN_OK)
        st = generate(spec, out);
    if (st != LLN_OK) {
        lln_wiring_free(out);
        return lln_error_set(err, st, "wiring %s: %d units, %d inputs: %s",
                             lln_wiring_kind_name(spec->kind), units, input_dim, lln_strerror(st));
    }
    out->output_dim = output_dim;
    return LLN_OK;
}

void lln_wiring_free(lln_wiring_t *w)
{
    if (w == NULL)
        return;
    lln__free(w->adjacency);
    lln__free(w->sensory);
    lln__free(w->layer_ids);
    memset(w, 0, sizeof *w);
}

static long count_nonzero(const signed char *m, size_t n)
{
    long c = 0;
    for (size_t i = 0; m != NULL && i < n; i++)
        c += m[i] != 0;
    return c;
}

long lln_wiring_synapses(const lln_wiring_t *w)
{
    if (w == NULL || w->units < 0)
        return 0;
    return count_nonzero(w->adjacency, (size_t)w->units * (size_t)w->units);
}

long lln_wiring_sensory_synapses(const lln_wiring_t *w)
{
    if (w == NULL || w->units < 0 || w->input_dim < 0)
        return 0;
    return count_nonzero(w->sensory, (size_t)w->input_dim * (size_t)w->units);
}
