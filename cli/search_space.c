/* The candidates of `lln search`: a seeded random draw over cell kind, wiring, units,
 * sparsity, learning rate and runtime. Random search rather than a grid: with a handful of
 * trials it covers every dimension at many values (Bergstra and Bengio 2012), and a draw
 * from a seed is reproducible and cheap to redo when a search resumes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lln/util.h"
#include "budget_search.h"

/* The library's seeded generator (lln/util.h): the same draw on every machine. */
static double uniform(lln_rng_t *r) { return (double)(lln_rng_next(r) >> 11) * 0x1p-53; }

static int pick(lln_rng_t *r, int n) { return (int)lln_rng_below(r, (uint64_t)n); }

/* One of the set bits of set (bit k = option k of 2). */
static int pick_set(lln_rng_t *r, int set) { return set == 3 ? pick(r, 2) : set == 2 ? 1 : 0; }

static int set_int(lln_config_t *cfg, const char *key, long v)
{
    char t[32];
    lln_error_t err;
    snprintf(t, sizeof t, "%ld", v);
    return lln_config_set(cfg, key, t, &err) == LLN_OK;
}

int srch_config(const srch_cand_t *c, int I, int O, lln_config_t *cfg, long *params)
{
    lln_error_t err;
    char sp[32];
    lln_config_default(cfg, LLN_CELL_LTC);
    if (lln_config_set(cfg, "cell", strcmp(c->cell, "cfc") == 0 ? "wired_cfc" : "ltc", &err) !=
        LLN_OK)
        return 1;
    lln_config_default(cfg, cfg->cell);
    cfg->input_size = I;
    snprintf(sp, sizeof sp, "%.2f", c->sparsity);
    int ok = lln_config_set(cfg, "wiring", c->wiring, &err) == LLN_OK &&
             set_int(cfg, "units", c->units) && set_int(cfg, "wiring.units", c->units) &&
             set_int(cfg, "wiring.output_dim", O);
    if (ok && strcmp(c->wiring, "fc") != 0)
        ok = lln_config_set(cfg, "wiring.sparsity", sp, &err) == LLN_OK;
    if (!ok || lln_config_validate(cfg, &err) != LLN_OK)
        return 1;
    lln_model_t *m = NULL;
    ok = lln_model_create(cfg, 1, &m, &err) == LLN_OK && lln_model_output_size(m) == O;
    if (ok && params != NULL) {
        lln_model_stats_t st;
        lln_model_stats(m, &st);
        *params = st.params;
    }
    lln_model_free(m);
    return ok ? 0 : 1;
}

void srch_describe(const srch_cand_t *c, char *buf, size_t n)
{
    char sp[16] = "";
    if (strcmp(c->wiring, "fc") != 0)
        snprintf(sp, sizeof sp, " s%.2f", c->sparsity);
    snprintf(buf, n, "%s %s %du%s lr%.3g %s", c->cell, c->wiring, c->units, sp, c->lr,
             c->fixed ? "fixed" : "float");
}

int srch_sample(const srch_args_t *a, int I, int O, srch_cand_t *c, int count)
{
    static const char *const cells[] = {"ltc", "cfc"}, *const wirings[] = {"autoncp", "fc",
                                                                           "random"};
    lln_rng_t rng, *s = &rng;
    lln_rng_seed(s, a->seed, 0x5ea4c4); /* a stream of its own: not the trainer's draws */
    int lo = O + 3 > 4 ? O + 3 : 4;     /* AutoNCP needs a few more units than outputs */
    if (lo > a->max_units) {
        cli_error("search", "--max-units %d: the data's %d outputs need at least %d units",
                  a->max_units, O, lo);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        lln_config_t cfg;
        int tries = 0;
        do {
            srch_cand_t *k = &c[i];
            memset(k, 0, sizeof *k);
            snprintf(k->cell, sizeof k->cell, "%s", cells[pick_set(s, a->cells)]);
            snprintf(k->wiring, sizeof k->wiring, "%s", wirings[pick(s, 3)]);
            k->units = lo + pick(s, a->max_units - lo + 1);
            double u = uniform(s);
            /* AutoNCP: sparsity 0.3..0.8 (ncps default 0.5); random: 0.2..0.7 */
            k->sparsity = strcmp(k->wiring, "fc") == 0        ? 0.0
                          : strcmp(k->wiring, "autoncp") == 0 ? 0.3 + 0.5 * u
                                                              : 0.2 + 0.5 * u;
            k->sparsity = floor(k->sparsity * 100 + 0.5) / 100;
            /* learning rate log-uniform in 3e-3 .. 3e-2, three digits */
            double lr = pow(10.0, log10(3e-3) + uniform(s));
            double scale = pow(10.0, floor(log10(lr)) - 2);
            k->lr = floor(lr / scale + 0.5) * scale;
            k->fixed = pick_set(s, a->runtimes) == 0;
            k->metric = NAN;
        } while (srch_config(&c[i], I, O, &cfg, &c[i].row.params) != 0 && ++tries < 1000);
        if (tries == 1000) {
            cli_error("search", "no valid model in the search space (check --max-units, --cells)");
            return 1;
        }
    }
    return 0;
}
