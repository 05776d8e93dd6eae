/* Wiring generators vs ncps: the nine wirings of golden/wirings/wirings.txt and the Random
 * wiring of the ltc_random_nomap_unfold10 case must match exactly; further Random and
 * FullyConnected wirings are checked against fingerprints of numpy-built matrices;
 * every invalid spec is rejected with a message naming the argument. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/casefile.h"
#include "check.h"
#include "lln/wiring.h"

/* ---- helpers ----------------------------------------------------------------------- */

/* Config value "<prefix><key>" as a number, or def when absent. */
static double cfg_num(const lln_case_t *c, const char *prefix, const char *key, double def)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", prefix, key);
    const char *v = lln__case_get(c, full);
    if (v == NULL || strcmp(v, "none") == 0)
        return def;
    return strtod(v, NULL);
}

static int cfg_int(const lln_case_t *c, const char *prefix, const char *key, int def)
{
    return (int)cfg_num(c, prefix, key, def);
}

/* Compares an integer matrix/list with a golden tensor of the given shape; prints the first
 * mismatch. Returns the number of mismatching entries (or 1 for a shape mismatch). */
static long compare_tensor(const char *what, const lln_case_tensor_t *t, int rows, int cols,
                           const signed char *sc, const int *ints)
{
    long n = (long)rows * cols, bad_count = 0;
    if (t == NULL || (sc == NULL && ints == NULL) || t->count != (size_t)n ||
        (t->ndim == 2 && (t->dims[0] != rows || t->dims[1] != cols))) {
        fprintf(stderr, "%s: missing or shape mismatch (want %d x %d, have %zu values)\n", what,
                rows, cols, t == NULL ? (size_t)0 : t->count);
        return 1;
    }
    for (long i = 0; i < n; i++) {
        double have = sc != NULL ? (double)sc[i] : (double)ints[i];
        if (have != t->data[i]) {
            if (bad_count == 0)
                fprintf(stderr, "%s: first mismatch at [%ld][%ld]: got %g, ncps %g\n", what,
                        i / cols, i % cols, have, t->data[i]);
            bad_count++;
        }
    }
    if (bad_count > 0)
        fprintf(stderr, "%s: %ld of %ld entries differ\n", what, bad_count, n);
    return bad_count;
}

/* ---- golden wirings.txt ------------------------------------------------------------ */

/* Reads the constructor arguments of wiring `p` ("<name>.") into spec. */
static int spec_from_config(const lln_case_t *c, const char *p, const char *type,
                            lln_wiring_spec_t *spec)
{
    lln_wiring_kind_t kind;
    if (lln_wiring_kind_parse(type, &kind) != LLN_OK)
        return -1;
    lln_wiring_spec_default(spec, kind);
    spec->units = cfg_int(c, p, "units", 0);
    if (kind == LLN_WIRING_FULL) {
        spec->output_dim = cfg_int(c, p, "output_dim", 0);
        spec->self_connections = cfg_int(c, p, "self_connections", 1);
        spec->seed = (unsigned long long)cfg_num(c, p, "erev_init_seed", 1111);
    } else if (kind == LLN_WIRING_RANDOM) {
        spec->output_dim = cfg_int(c, p, "output_dim", 0);
        spec->sparsity = cfg_num(c, p, "sparsity_level", 0.0);
        spec->seed = (unsigned long long)cfg_num(c, p, "random_seed", 1111);
    } else if (kind == LLN_WIRING_AUTONCP) {
        spec->output_dim = cfg_int(c, p, "output_size", 0);
        spec->sparsity = cfg_num(c, p, "sparsity_level", 0.5);
        spec->seed = (unsigned long long)cfg_num(c, p, "seed", 22222);
    } else if (kind == LLN_WIRING_NCP) {
        spec->inter = cfg_int(c, p, "inter", 0);
        spec->command = cfg_int(c, p, "command", 0);
        spec->motor = cfg_int(c, p, "motor", 0);
        spec->sensory_fanout = cfg_int(c, p, "sensory_fanout", 0);
        spec->inter_fanout = cfg_int(c, p, "inter_fanout", 0);
        spec->recurrent_command = cfg_int(c, p, "recurrent_command_synapses", 0);
        spec->motor_fanin = cfg_int(c, p, "motor_fanin", 0);
        spec->seed = (unsigned long long)cfg_num(c, p, "seed", 22222);
    }
    return 0;
}

static long compare_layers(const lln_case_t *c, const char *p, const lln_wiring_t *w)
{
    char name[256];
    long bad_count = 0;
    int offset = 0;
    for (int l = 0; l < w->num_layers; l++) {
        snprintf(name, sizeof name, "%slayer%d_neurons", p, l);
        bad_count += compare_tensor(name, lln__case_tensor(c, name), 1, w->layer_size[l], NULL,
                                    w->layer_ids + offset);
        offset += w->layer_size[l];
    }
    snprintf(name, sizeof name, "%slayer%d_neurons", p, w->num_layers);
    CHECK_MSG(lln__case_tensor(c, name) == NULL, "%s: ncps has more layers than %d", p,
              w->num_layers);
    return bad_count;
}

/* Builds wiring `name` of wirings.txt and compares it; returns 1 if it matched exactly. */
static int check_golden_wiring(const lln_case_t *c, const char *name, const char *type)
{
    char p[200], what[256];
    lln_wiring_spec_t spec;
    lln_wiring_t w;
    lln_error_t err = {LLN_OK, ""};
    if (snprintf(p, sizeof p, "%s.", name) >= (int)sizeof p)
        return 0; /* names are short; the caller bounds them */
    CHECK_MSG(spec_from_config(c, p, type, &spec) == 0, "%s: unknown type %s", name, type);
    int input_dim = cfg_int(c, p, "input_dim", 0);
    lln_status_t st = lln_wiring_build(&spec, input_dim, &w, &err);
    CHECK_MSG(st == LLN_OK, "%s: build failed: %s", name, err.msg);
    if (st != LLN_OK)
        return 0;
    long bad_count = 0;
    CHECK_EQ_INT(w.units, cfg_int(c, p, "units", -1));
    CHECK_EQ_INT(w.output_dim, cfg_int(c, p, "output_dim", -1));
    snprintf(what, sizeof what, "%sadjacency_matrix", p);
    bad_count +=
        compare_tensor(what, lln__case_tensor(c, what), w.units, w.units, w.adjacency, NULL);
    snprintf(what, sizeof what, "%ssensory_adjacency_matrix", p);
    bad_count +=
        compare_tensor(what, lln__case_tensor(c, what), input_dim, w.units, w.sensory, NULL);
    bad_count += compare_layers(c, p, &w);
    CHECK_MSG(bad_count == 0, "%s (%s) differs from ncps", name, type);
    lln_wiring_free(&w);
    return bad_count == 0;
}

static void test_golden_wirings(const char *path)
{
    lln_case_t c;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln__case_load(path, &c, &err);
    CHECK_MSG(st == LLN_OK, "cannot load %s: %s", path, err.msg);
    if (st != LLN_OK)
        return;
    int found = 0, matched = 0;
    for (size_t i = 0; i < c.nconfig; i++) {
        const char *key = c.config[i].key;
        size_t len = strlen(key);
        if (len <= 5 || strcmp(key + len - 5, ".type") != 0 || len - 5 >= 190)
            continue;
        char name[200];
        memcpy(name, key, len - 5);
        name[len - 5] = '\0';
        found++;
        matched += check_golden_wiring(&c, name, c.config[i].value);
    }
    CHECK_EQ_INT(found, 9);
    printf("wirings.txt: %d of %d ncps wirings reproduced exactly\n", matched, found);
    lln__case_free(&c);
}

/* The Random(7, output_dim=2, sparsity .5, seed 5) wiring of an LTC golden case. */
static void test_golden_random(const char *path)
{
    lln_case_t c;
    lln_error_t err = {LLN_OK, ""};
    lln_status_t st = lln__case_load(path, &c, &err);
    CHECK_MSG(st == LLN_OK, "cannot load %s: %s", path, err.msg);
    if (st != LLN_OK)
        return;
    const char *kind = lln__case_get(&c, "wiring");
    lln_wiring_spec_t spec;
    lln_wiring_t w;
    CHECK_MSG(kind != NULL && spec_from_config(&c, "wiring_", kind, &spec) == 0,
              "%s: no wiring config", path);
    int input_dim = cfg_int(&c, "", "input_size", 0);
    st = lln_wiring_build(&spec, input_dim, &w, &err);
    CHECK_MSG(st == LLN_OK, "Random golden: build failed: %s", err.msg);
    if (st == LLN_OK) {
        long bad_count =
            compare_tensor("random adjacency", lln__case_tensor(&c, "wiring.adjacency_matrix"),
                           w.units, w.units, w.adjacency, NULL);
        bad_count += compare_tensor("random sensory",
                                    lln__case_tensor(&c, "wiring.sensory_adjacency_matrix"),
                                    input_dim, w.units, w.sensory, NULL);
        CHECK_MSG(bad_count == 0, "Random wiring differs from ncps (%s)", path);
        CHECK_EQ_INT(w.output_dim, 2);
        if (bad_count == 0)
            printf("ltc_random_nomap_unfold10: ncps Random wiring reproduced exactly\n");
        lln_wiring_free(&w);
    }
    lln__case_free(&c);
}

/* ---- Random / FullyConnected fingerprints ------------------------------------------ */

/* FNV-1a 64 over (v + 1) of every adjacency entry, then every sensory entry. */
static uint64_t fingerprint(const lln_wiring_t *w)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t na = (size_t)w->units * (size_t)w->units;
    size_t ns = (size_t)w->input_dim * (size_t)w->units;
    for (size_t i = 0; i < na + ns; i++) {
        h ^= (uint64_t)(i < na ? w->adjacency[i] + 1 : w->sensory[i - na] + 1);
        h *= 0x100000001b3ull;
    }
    return h;
}

typedef struct fp_case {
    lln_wiring_kind_t kind;
    int units;
    double sparsity;      /* Random */
    int self_connections; /* FC */
    unsigned long long seed;
    int input_dim;
    long synapses, sensory_synapses;
    uint64_t fnv;
} fp_case_t;

/* Computed with numpy 1.24's default_rng exactly as ncps's Random / FullyConnected use it.
 * The 101-unit pair sits on each side of numpy's choice() cut-off between Floyd's method
 * and the tail shuffle (204 vs 205 of 10201); 120 and 40 x 300 use the tail shuffle;
 * 25 * 0.5 = 12.5 rounds to even; 2^40 + 3 is a two-word SeedSequence seed. */
static const fp_case_t fp_cases[] = {
    {LLN_WIRING_RANDOM, 101, 0.98, 1, 7ull, 3, 204, 6, 0xa5319a8fa8f8750full},
    {LLN_WIRING_RANDOM, 101, 0.9799, 1, 7ull, 3, 205, 6, 0x07626b25aa62f15cull},
    {LLN_WIRING_RANDOM, 120, 0.5, 1, 1111ull, 100, 7200, 6000, 0x4ea2f8e5749a7d8bull},
    {LLN_WIRING_RANDOM, 1, 0.0, 1, 1111ull, 1, 1, 1, 0x08395607b4f139a5ull},
    {LLN_WIRING_RANDOM, 3, 0.9, 1, 1ull, 2, 1, 1, 0x8ee60668542139beull},
    {LLN_WIRING_RANDOM, 10, 0.95, 1, 1099511627779ull, 4, 5, 2, 0x06c37b10ec7efb34ull},
    {LLN_WIRING_RANDOM, 5, 0.5, 1, 0ull, 3, 12, 8, 0x7301e496244d90b3ull},
    {LLN_WIRING_RANDOM, 40, 0.3, 1, 123456789ull, 300, 1120, 8400, 0xebcc0bdcfd239dc9ull},
    {LLN_WIRING_FULL, 19, 0.0, 0, 1099511627779ull, 8, 342, 152, 0x6fb1779cbe6d2028ull},
    {LLN_WIRING_FULL, 7, 0.0, 0, 5ull, 2, 42, 14, 0x84bbd3208f52835aull},
    {LLN_WIRING_FULL, 1, 0.0, 1, 1111ull, 1, 1, 1, 0x08395607b4f139a5ull},
    {LLN_WIRING_FULL, 32, 0.0, 1, 0ull, 8, 1024, 256, 0x6820210fee7e6627ull},
};

static void test_fingerprints(void)
{
    int n = (int)(sizeof fp_cases / sizeof fp_cases[0]), matched = 0;
    for (int i = 0; i < n; i++) {
        const fp_case_t *fc = &fp_cases[i];
        lln_wiring_spec_t spec;
        lln_wiring_t w;
        lln_error_t err = {LLN_OK, ""};
        lln_wiring_spec_default(&spec, fc->kind);
        spec.units = fc->units;
        spec.sparsity = fc->sparsity;
        spec.self_connections = fc->self_connections;
        spec.seed = fc->seed;
        lln_status_t st = lln_wiring_build(&spec, fc->input_dim, &w, &err);
        CHECK_MSG(st == LLN_OK, "case %d: %s", i, err.msg);
        if (st != LLN_OK)
            continue;
        uint64_t h = fingerprint(&w);
        CHECK_MSG(lln_wiring_synapses(&w) == fc->synapses, "case %d: %ld synapses, numpy %ld", i,
                  lln_wiring_synapses(&w), fc->synapses);
        CHECK_MSG(lln_wiring_sensory_synapses(&w) == fc->sensory_synapses,
                  "case %d: %ld sensory synapses, numpy %ld", i, lln_wiring_sensory_synapses(&w),
                  fc->sensory_synapses);
        CHECK_MSG(h == fc->fnv,
                  "case %d (%s %d, sparsity %g, seed %llu, in %d): "
                  "fingerprint %016llx, numpy %016llx",
                  i, lln_wiring_kind_name(fc->kind), fc->units, fc->sparsity, fc->seed,
                  fc->input_dim, (unsigned long long)h, (unsigned long long)fc->fnv);
        matched += h == fc->fnv;
        CHECK_EQ_INT(w.num_layers, 1);
        CHECK_EQ_INT(w.layer_size[0], fc->units);
        for (int k = 0; k < fc->units; k++)
            CHECK_EQ_INT(w.layer_ids[k], k);
        lln_wiring_free(&w);
    }
    printf("numpy fingerprints: %d of %d Random/FullyConnected wirings match\n", matched, n);
}

/* ---- structural checks ------------------------------------------------------------- */

/* The classic 19-neuron policy AutoNCP(19, 4): its synapse counts as ncps builds them. */
static void test_autoncp_19(void)
{
    lln_wiring_spec_t spec;
    lln_wiring_t w;
    lln_wiring_spec_default(&spec, LLN_WIRING_AUTONCP);
    spec.units = 19;
    spec.output_dim = 4;
    CHECK(lln_wiring_build(&spec, 8, &w, NULL) == LLN_OK);
    CHECK_EQ_INT(lln_wiring_synapses(&w), 45);
    CHECK_EQ_INT(lln_wiring_sensory_synapses(&w), 35);
    CHECK_EQ_INT(w.num_layers, 3);
    CHECK_EQ_INT(w.layer_size[0], 9);
    CHECK_EQ_INT(w.layer_size[1], 6);
    CHECK_EQ_INT(w.layer_size[2], 4);
    /* no synapse out of a motor neuron or into an inter neuron */
    for (int s = 0; s < w.units; s++)
        for (int d = 0; d < w.units; d++)
            if (s < 4 || d >= 10)
                CHECK_EQ_INT(w.adjacency[s * w.units + d], 0);
    lln_wiring_free(&w);
    lln_wiring_free(&w); /* idempotent */
    lln_wiring_free(NULL);
}

static void test_names_and_defaults(void)
{
    static const char *const names[] = {"custom", "fc", "random", "ncp", "autoncp"};
    for (int i = 0; i < 5; i++) {
        lln_wiring_kind_t k = LLN_WIRING_CUSTOM;
        CHECK(lln_wiring_kind_parse(names[i], &k) == LLN_OK);
        CHECK(strcmp(lln_wiring_kind_name(k), names[i]) == 0);
    }
    lln_wiring_kind_t k;
    CHECK(lln_wiring_kind_parse("mlp", &k) == LLN_E_ARG);
    CHECK(lln_wiring_kind_parse(NULL, &k) == LLN_E_ARG);
    lln_wiring_spec_t spec;
    lln_wiring_spec_default(&spec, LLN_WIRING_AUTONCP);
    CHECK(spec.seed == 22222 && spec.sparsity == 0.5 && spec.units == 0);
    lln_wiring_spec_default(&spec, LLN_WIRING_RANDOM);
    CHECK(spec.seed == 1111 && spec.sparsity == 0.0 && spec.self_connections == 1);
    lln_wiring_spec_default(NULL, LLN_WIRING_FULL);
}

/* ---- validation -------------------------------------------------------------------- */

/* The spec must be rejected by validate and build, with a message naming `arg`. */
static void expect_reject(const lln_wiring_spec_t *spec, int input_dim, lln_status_t code,
                          const char *arg, int line)
{
    lln_error_t err = {LLN_OK, ""};
    lln_wiring_t w;
    lln_status_t st = lln_wiring_validate(spec, input_dim, &err);
    CHECK_MSG(st == code, "line %d: validate gave %d (%s), want %d", line, (int)st, err.msg,
              (int)code);
    CHECK_MSG(strstr(err.msg, arg) != NULL, "line %d: message \"%s\" does not name %s", line,
              err.msg, arg);
    memset(&w, 0x5A, sizeof w);
    st = lln_wiring_build(spec, input_dim, &w, NULL);
    CHECK_MSG(st == code, "line %d: build gave %d, want %d", line, (int)st, (int)code);
    CHECK_MSG(w.adjacency == NULL && w.sensory == NULL && w.layer_ids == NULL,
              "line %d: failed build left arrays behind", line);
}

static void expect_accept(const lln_wiring_spec_t *spec, int input_dim, int line)
{
    lln_error_t err = {LLN_OK, ""};
    lln_wiring_t w;
    lln_status_t st = lln_wiring_build(spec, input_dim, &w, &err);
    CHECK_MSG(st == LLN_OK, "line %d: rejected: %s", line, err.msg);
    if (st == LLN_OK)
        lln_wiring_free(&w);
}

#define REJECT(spec, in, arg) expect_reject(&(spec), (in), LLN_E_CONFIG, (arg), __LINE__)
#define ACCEPT(spec, in) expect_accept(&(spec), (in), __LINE__)

static lln_wiring_spec_t ncp_spec(int ni, int nc, int nm, int sf, int inf, int rc, int mf)
{
    lln_wiring_spec_t s;
    lln_wiring_spec_default(&s, LLN_WIRING_NCP);
    s.inter = ni;
    s.command = nc;
    s.motor = nm;
    s.sensory_fanout = sf;
    s.inter_fanout = inf;
    s.recurrent_command = rc;
    s.motor_fanin = mf;
    return s;
}

static lln_wiring_spec_t sized_spec(lln_wiring_kind_t kind, int units, int out, double sp)
{
    lln_wiring_spec_t s;
    lln_wiring_spec_default(&s, kind);
    s.units = units;
    s.output_dim = out;
    s.sparsity = sp;
    return s;
}

static void test_validate_ncp(void)
{
    lln_wiring_spec_t s = ncp_spec(10, 10, 8, 6, 6, 4, 6);
    ACCEPT(s, 8);
    s = ncp_spec(10, 10, 8, 6, 6, 4, 11); /* ncps: motor_fanin > command */
    REJECT(s, 8, "motor_fanin");
    s = ncp_spec(5, 10, 8, 6, 6, 4, 6); /* ncps: sensory_fanout > inter */
    REJECT(s, 8, "sensory_fanout");
    s = ncp_spec(10, 5, 2, 3, 6, 1, 2); /* ncps: inter_fanout > command */
    REJECT(s, 8, "inter_fanout");
    s = ncp_spec(7, 5, 1, 3, 2, 0, 5); /* zero recurrent synapses is fine in ncps */
    ACCEPT(s, 2);
    s = ncp_spec(4, 3, 2, 0, 0, 0, 0); /* so are zero fan-outs */
    ACCEPT(s, 3);
    s = ncp_spec(0, 3, 2, 0, 1, 1, 1);
    REJECT(s, 3, "inter");
    s = ncp_spec(4, 0, 2, 1, 0, 1, 0);
    REJECT(s, 3, "command");
    s = ncp_spec(4, 3, -1, 1, 1, 1, 1);
    REJECT(s, 3, "motor");
    s = ncp_spec(4, 3, 2, 1, 1, -1, 1);
    REJECT(s, 3, "recurrent_command");
    s = ncp_spec(4, 3, 2, -2, 1, 1, 1);
    REJECT(s, 3, "sensory_fanout");
    s = ncp_spec(40000, 30000, 2, 1, 1, 1, 1);
    REJECT(s, 3, "inter + command + motor");
    s = ncp_spec(4, 3, 2, 1, 1, 1, 1);
    s.seed = 1ull << 32;
    REJECT(s, 3, "seed");
    s.seed = 0xFFFFFFFFull;
    ACCEPT(s, 3);
    REJECT(s, 0, "input_dim");
    REJECT(s, 65537, "input_dim");
}

static void test_validate_autoncp(void)
{
    lln_wiring_spec_t s = sized_spec(LLN_WIRING_AUTONCP, 10, 7, 0.5);
    ACCEPT(s, 1);
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 8, 0.5); /* ncps: output_size >= units - 2 */
    REJECT(s, 1, "output_size");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 0, 0.5);
    REJECT(s, 1, "output_size");
    s = sized_spec(LLN_WIRING_AUTONCP, 2, 1, 0.5);
    REJECT(s, 1, "output_size");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, 0.09);
    REJECT(s, 1, "sparsity");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, 1.01);
    REJECT(s, 1, "sparsity");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, NAN);
    REJECT(s, 1, "sparsity");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, 0.1);
    ACCEPT(s, 1);
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, 1.0);
    ACCEPT(s, 1);
    s = sized_spec(LLN_WIRING_AUTONCP, 65537, 2, 0.5);
    REJECT(s, 1, "units");
    s = sized_spec(LLN_WIRING_AUTONCP, 10, 2, 0.5);
    s.seed = 1ull << 40;
    REJECT(s, 1, "seed");
}

static void test_validate_fc_random(void)
{
    lln_wiring_spec_t s = sized_spec(LLN_WIRING_RANDOM, 7, 2, 0.0);
    ACCEPT(s, 3);
    s.sparsity = 1.0; /* ncps: sparsity_level must be < 1 */
    REJECT(s, 3, "sparsity");
    s.sparsity = -0.01;
    REJECT(s, 3, "sparsity");
    s.sparsity = NAN;
    REJECT(s, 3, "sparsity");
    s.sparsity = 0.999;
    ACCEPT(s, 3);
    s = sized_spec(LLN_WIRING_RANDOM, 0, 0, 0.5);
    REJECT(s, 3, "units");
    s = sized_spec(LLN_WIRING_FULL, -3, 0, 0.0);
    REJECT(s, 3, "units");
    s = sized_spec(LLN_WIRING_FULL, 65537, 0, 0.0);
    REJECT(s, 3, "units");
    s = sized_spec(LLN_WIRING_FULL, 5, 6, 0.0);
    REJECT(s, 3, "output_dim");
    s = sized_spec(LLN_WIRING_FULL, 5, -1, 0.0);
    REJECT(s, 3, "output_dim");
    s = sized_spec(LLN_WIRING_FULL, 5, 0, 0.0);
    s.seed = ~0ull; /* any 64-bit seed is a valid SeedSequence seed */
    ACCEPT(s, 3);
    REJECT(s, -1, "input_dim");
    s.kind = (lln_wiring_kind_t)99;
    REJECT(s, 3, "kind");
}

static void test_bad_arguments(void)
{
    lln_wiring_spec_t s = sized_spec(LLN_WIRING_FULL, 5, 0, 0.0);
    lln_wiring_t w;
    lln_error_t err = {LLN_OK, ""};
    CHECK(lln_wiring_validate(NULL, 3, &err) == LLN_E_ARG);
    CHECK(lln_wiring_build(NULL, 3, &w, &err) == LLN_E_ARG);
    CHECK(lln_wiring_build(&s, 3, NULL, &err) == LLN_E_ARG);
    s.kind = LLN_WIRING_CUSTOM;
    CHECK(lln_wiring_build(&s, 3, &w, &err) == LLN_E_UNSUPPORTED);
    CHECK(w.adjacency == NULL);
    CHECK(lln_wiring_synapses(NULL) == 0 && lln_wiring_sensory_synapses(NULL) == 0);
}

/* ---- main -------------------------------------------------------------------------- */

int main(void)
{
    const char *wirings = LLN_SHARED_DIR "/golden/wirings/wirings.txt";
    const char *random_case = LLN_SHARED_DIR "/golden/ltc_random_nomap_unfold10/case.txt";
    test_names_and_defaults();
    test_validate_ncp();
    test_validate_autoncp();
    test_validate_fc_random();
    test_bad_arguments();
    test_autoncp_19();
    test_fingerprints();
    FILE *f = fopen(wirings, "r");
    if (f == NULL) {
        if (check_failures_ > 0)
            return check_done("test_wiring");
        SKIP("%s not found: golden wiring comparison NOT run (set LLN_SHARED_DIR)", wirings);
    }
    fclose(f);
    test_golden_wirings(wirings);
    test_golden_random(random_case);
    return check_done("test_wiring");
}
