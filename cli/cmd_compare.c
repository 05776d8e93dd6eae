/* lln compare: trains liquid networks and conventional baselines on the same data with the
 * same trainer, deploys each as firmware the same way and profiles it on one device, then
 * prints one table (parameters, task metric, flash, RAM, cycles, energy per step, average
 * power) and writes it as JSON for `lln report`. Every step is a child `lln` process (train,
 * quantize, profile) with its own log in the work folder, so a failing step names itself and
 * leaves its output behind, and an interrupted comparison keeps the models it finished. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "argfile.h"
#include "cli.h"
#include "compare.h"
#include "data_flags.h"
#include "lln/train.h"
#include "os.h"
#include "task_meta.h"

static const char COMPARE_HELP_HEAD[] =
    "usage: lln compare --data FILE [data options] --device D -o DIR [OPTIONS]\n\n"
    "Trains each model kind on the data with lln train (same data, splits, epochs and seed),\n"
    "quantizes it with lln quantize, profiles its firmware on device D with lln profile and\n"
    "prints one table: parameters, validation and test metric (of the fixed-point firmware,\n"
    "or of the float32 model with --runtime float), flash, RAM, cycles, energy per step and\n"
    "average power at --rate. DIR receives every model, training history, profile and log,\n"
    "and compare.json (read by lln report).\n\n"
    "  -M, --models LIST    kinds, comma-separated, the first is the reference:\n"
    "                       ltc, cfc (LTC / wired CfC on an AutoNCP wiring), gru, lstm, mlp\n"
    "                       (default ltc,cfc,gru,lstm,mlp)\n"
    "  -D, --device D       device to profile on (lln profile --list-devices)\n"
    "      --devices FILE   a device database instead of the built-in one\n"
    "  -r, --rate HZ        steps per second for the average power (default 100)\n"
    "      --sleep MODE     sleep mode between steps (default: the device's)\n"
    "      --match KIND     size (default): every kind gets the parameter count of the\n"
    "                       reference closest to it; accuracy: for each kind the smallest of\n"
    "                       a ladder of sizes (1/8x .. 4x the reference's parameters) whose\n"
    "                       validation metric reaches the reference's (see --tolerance)\n"
    "  -u, --units N        the reference's size (default 16)\n"
    "      --params P       match this parameter count instead of the reference's\n"
    "      --tolerance T    --match accuracy: accuracy within T (absolute), or MSE within\n"
    "                       a factor 1+T, of the reference (default 0.01)\n"
    "      --runtime R      fixed (default: int8/int16 firmware) or float (float32)\n"
    "      --epochs N, --seed S, --threads N, --lr RATE, --batch N, --loss-steps KIND\n"
    "                       passed to lln train (defaults: lln train's)\n"
    "  -o, --output DIR     work folder (created; files in it are replaced)\n"
    "      --json FILE      the comparison as JSON (default DIR/compare.json)\n\n";

static const char COMPARE_HELP_TAIL[] =
    "  -h, --help           this text\n\n"
    "Exit status: 0 compared; 1 a step failed (named, with its log); 2 bad command line.\n";

enum {
    C_MODELS = 800,
    C_DEVICE,
    C_DEVICES,
    C_RATE,
    C_SLEEP,
    C_MATCH,
    C_UNITS,
    C_PARAMS,
    C_TOL,
    C_RUNTIME,
    C_EPOCHS,
    C_SEED,
    C_THREADS,
    C_LR,
    C_BATCH,
    C_LSTEPS,
    C_OUT,
    C_JSON,
    C_CONFIG
};

static const struct option COMPARE_OPTIONS[] = {
    {"models", required_argument, 0, C_MODELS},
    {"device", required_argument, 0, C_DEVICE},
    {"devices", required_argument, 0, C_DEVICES},
    {"rate", required_argument, 0, C_RATE},
    {"sleep", required_argument, 0, C_SLEEP},
    {"match", required_argument, 0, C_MATCH},
    {"units", required_argument, 0, C_UNITS},
    {"params", required_argument, 0, C_PARAMS},
    {"tolerance", required_argument, 0, C_TOL},
    {"runtime", required_argument, 0, C_RUNTIME},
    {"epochs", required_argument, 0, C_EPOCHS},
    {"seed", required_argument, 0, C_SEED},
    {"threads", required_argument, 0, C_THREADS},
    {"lr", required_argument, 0, C_LR},
    {"batch", required_argument, 0, C_BATCH},
    {"loss-steps", required_argument, 0, C_LSTEPS},
    {"output", required_argument, 0, C_OUT},
    {"json", required_argument, 0, C_JSON},
    {"config", required_argument, 0, C_CONFIG},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

typedef struct {
    cli_data_args_t data;
    cmp_argv_t data_argv;  /* the data options as given, for the children */
    cmp_argv_t train_argv; /* the training options passed through */
    char models[CMP_MAX_MODELS][16];
    int nmodels;
    const char *device, *devices, *sleep, *out, *json;
    double rate, tol;
    long units, params;
    int match_acc, fixed;
} cmp_args_t;

/* ---- options ---------------------------------------------------------------------------- */

static int parse_models(cmp_args_t *a, const char *v)
{
    static const char *const known[] = {"ltc", "cfc", "gru", "lstm", "mlp"};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    a->nmodels = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= strcmp(t, known[k]) == 0;
        for (int j = 0; ok && j < a->nmodels; j++)
            ok = strcmp(a->models[j], t) != 0;
        if (!ok || a->nmodels == CMP_MAX_MODELS) {
            cli_error("compare", "--models: '%s' is unknown or repeated (ltc, cfc, gru, lstm, mlp)",
                      t);
            return 0;
        }
        snprintf(a->models[a->nmodels++], sizeof a->models[0], "%s", t);
    }
    return a->nmodels > 0;
}

static int pass_train(cmp_args_t *a, const char *name, const char *v)
{
    cmp_argv_add(&a->train_argv, name);
    cmp_argv_add(&a->train_argv, v);
    return 1;
}

/* *flag = (v is yes); 0 after a message naming the option when v is neither yes nor no. */
static int one_of(const char *opt, const char *v, const char *yes, const char *no, int *flag)
{
    *flag = strcmp(v, yes) == 0;
    if (*flag || strcmp(v, no) == 0)
        return 1;
    cli_error("compare", "%s: '%s' is not %s or %s", opt, v, no, yes);
    return 0;
}

/* A number in [lo, hi] (lo itself allowed when lo_ok), or 0 after a message naming opt. */
static int in_range(const char *opt, const char *v, double lo, int lo_ok, double hi, double *out)
{
    if (!cli_parse_double("compare", opt, v, out))
        return 0;
    if ((lo_ok ? *out >= lo : *out > lo) && *out <= hi)
        return 1;
    cli_error("compare", "%s: %s is not in %c%g, %g]", opt, v, lo_ok ? '[' : '(', lo, hi);
    return 0;
}

static int option(cmp_args_t *a, int opt, const char *name, const char *v)
{
    switch (opt) {
    case C_MODELS: return parse_models(a, v);
    case C_DEVICE: a->device = v; return 1;
    case C_DEVICES: a->devices = v; return 1;
    case C_RATE: return in_range("--rate", v, 0, 0, 1e6, &a->rate);
    case C_SLEEP: a->sleep = v; return 1;
    case C_MATCH: return one_of("--match", v, "accuracy", "size", &a->match_acc);
    case C_UNITS: return cli_parse_int("compare", "--units", v, 2, 512, &a->units);
    case C_PARAMS: return cli_parse_int("compare", "--params", v, 1, 100000000, &a->params);
    case C_TOL: return in_range("--tolerance", v, 0, 1, 1e300, &a->tol);
    case C_RUNTIME: return one_of("--runtime", v, "fixed", "float", &a->fixed);
    case C_OUT: a->out = v; return 1;
    case C_JSON: a->json = v; return 1;
    case C_EPOCHS:
    case C_SEED:
    case C_THREADS:
    case C_LR:
    case C_BATCH:
    case C_LSTEPS: return pass_train(a, name, v);
    default: break;
    }
    if (cli_data_option("compare", &a->data, opt, v) != 1)
        return 0;
    cmp_argv_add(&a->data_argv, name); /* forwarded to lln train and lln quantize as given */
    if (v)
        cmp_argv_add(&a->data_argv, v);
    return 1;
}

static void print_help(void)
{
    fputs(COMPARE_HELP_HEAD, stdout);
    fputs(CLI_DATA_HELP, stdout);
    fputs(COMPARE_HELP_TAIL, stdout);
}

static int long_code(int opt)
{
    switch (opt) {
    case 'M': return C_MODELS;
    case 'D': return C_DEVICE;
    case 'r': return C_RATE;
    case 'u': return C_UNITS;
    case 'o': return C_OUT;
    default: return opt;
    }
}

static int parse(int argc, char **argv, const struct option *opts, cmp_args_t *a)
{
    int opt;
    char name[64];
    optind = 1;
    while ((opt = getopt_long(argc, argv, "M:D:r:u:o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            print_help();
            return -1;
        }
        opt = long_code(opt);
        cli_option_label(opts, opt, name, sizeof name);
        if (opt == '?' || !option(a, opt, name, optarg))
            return cli_usage_error("compare");
    }
    const char *why = optind < argc   ? "unexpected argument"
                      : !a->data.path ? "--data FILE is required"
                      : !a->device    ? "--device D is required"
                      : !a->out       ? "-o DIR is required"
                                      : NULL;
    if (why) {
        cli_error("compare", "%s", why);
        return cli_usage_error("compare");
    }
    return 0;
}

/* ---- one model: train, deploy, profile -------------------------------------------------- */

typedef struct {
    cmp_args_t *a;
    const lln_dataset_t *ds;
    int I, O, classify;
    unsigned long long seed;
} cmp_ctx_t;

static void file_of(char *out, const cmp_ctx_t *c, const char *kind, int u, const char *ext)
{
    snprintf(out, CMP_PATH, "%s/%s-%d%s", c->a->out, kind, u, ext);
}

static int train_one(const cmp_ctx_t *c, const char *kind, int u, cmp_row_t *r)
{
    char init[CMP_PATH], model[CMP_PATH], log[CMP_PATH], what[64];
    lln_config_t cfg;
    lln_model_t *m = NULL;
    lln_error_t err;
    if (cmp_config(kind, u, c->I, c->O, &cfg) != 0 ||
        lln_model_create(&cfg, c->seed, &m, &err) != LLN_OK) {
        cli_error("compare", "%s with %d units is not a valid model for this data", kind, u);
        return 1;
    }
    lln_model_stats_t st;
    lln_model_stats(m, &st);
    r->params = st.params;
    file_of(init, c, kind, u, ".init.lln");
    file_of(model, c, kind, u, ".lln");
    file_of(r->history, c, kind, u, ".history.csv");
    file_of(log, c, kind, u, ".train.log");
    int ok = cli_save_model("compare", m, init);
    lln_model_free(m);
    fprintf(stderr, "compare: %s, %d units, %ld parameters: training (log %s)\n", kind, u,
            r->params, log);
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF,  "train",           "--init",    init,       "--norm", "fit",
                          "--quiet", "--no-checkpoint", "--history", r->history, "-o",     model};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        cmp_argv_add(&v, head[i]);
    for (int i = 0; i < c->a->data_argv.n; i++)
        cmp_argv_add(&v, c->a->data_argv.v[i]);
    for (int i = 0; i < c->a->train_argv.n; i++)
        cmp_argv_add(&v, c->a->train_argv.v[i]);
    snprintf(what, sizeof what, "training %s", kind);
    ok = ok && cmp_run_child(&v, log, what) == 0;
    cmp_argv_free(&v);
    snprintf(r->model, sizeof r->model, "%s", model);
    return ok ? 0 : 1;
}

int cmp_float_metric(const lln_dataset_t *ds, int classify, const lln_model_t *m, lln_split_t split,
                     double *v)
{
    lln_loss_kind_t loss;
    lln_loss_steps_t steps;
    cli_task_meta_loss(m, ds, &loss, &steps);
    size_t n = lln_dataset_split_windows(ds, split, NULL);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    lln_batch_stats_t s;
    lln_error_t err = {LLN_OK, ""};
    int ok = idx != NULL && n > 0;
    if (ok) {
        lln_dataset_split_windows(ds, split, idx);
        ok = lln_evaluate(m, ds, idx, n, loss, steps, LLN_F32, 256, 1, NULL, &s, NULL, &err) ==
             LLN_OK;
    }
    free(idx);
    if (!ok) {
        cli_error("compare", "evaluation: %s", n ? err.msg : "no windows in a split");
        return 1;
    }
    *v = classify ? s.correct / s.steps : s.sq_err_raw / s.count;
    return 0;
}

static int meta_number(const lln_model_t *m, const char *key, const char *path, double *v)
{
    const char *t = lln_model_get_meta(m, key);
    char *end = NULL;
    *v = t ? strtod(t, &end) : NAN;
    if (t == NULL || end == t || *end != '\0' || !isfinite(*v)) {
        cli_error("compare", "%s: metadata '%s' is missing or not a number", path, key);
        return 1;
    }
    return 0;
}

/* Metrics of what is deployed: the quantized model's (recorded by lln quantize) or the
 * float model's. */
static int metrics(const cmp_ctx_t *c, cmp_row_t *r)
{
    lln_model_t *m = cli_load_model("compare", r->model);
    int rc = m == NULL;
    if (rc == 0 && c->a->fixed)
        rc = meta_number(m, "quant.valid.fixed", r->model, &r->valid) ||
             meta_number(m, "quant.test.fixed", r->model, &r->test);
    else if (rc == 0)
        rc = cmp_float_metric(c->ds, c->classify, m, LLN_VALID, &r->valid) ||
             cmp_float_metric(c->ds, c->classify, m, LLN_TEST, &r->test);
    lln_model_free(m);
    return rc;
}

static int quantize_one(const cmp_ctx_t *c, const char *kind, int u, cmp_row_t *r)
{
    char q[CMP_PATH], log[CMP_PATH], what[64];
    file_of(q, c, kind, u, ".q.lln");
    file_of(log, c, kind, u, ".quantize.log");
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF, "quantize", r->model, "-o", q};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        cmp_argv_add(&v, head[i]);
    for (int i = 0; i < c->a->data_argv.n; i++)
        cmp_argv_add(&v, c->a->data_argv.v[i]);
    snprintf(what, sizeof what, "quantizing %s", kind);
    int rc = cmp_run_child(&v, log, what);
    cmp_argv_free(&v);
    snprintf(r->model, sizeof r->model, "%s", q);
    return rc;
}

static int profile_one(const cmp_ctx_t *c, const char *kind, int u, cmp_row_t *r)
{
    char json[CMP_PATH], log[CMP_PATH], what[64], rate[32];
    file_of(json, c, kind, u, ".profile.json");
    file_of(log, c, kind, u, ".profile.log");
    snprintf(rate, sizeof rate, "%.17g", c->a->rate);
    cmp_argv_t v = {{0}, 0};
    const char *head[] = {CMP_SELF, "profile", r->model, "--device", c->a->device,
                          "--rate", rate,      "--json", "-o",       json};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        cmp_argv_add(&v, head[i]);
    if (c->a->sleep)
        cmp_argv_add(&v, "--sleep"), cmp_argv_add(&v, c->a->sleep);
    if (c->a->devices)
        cmp_argv_add(&v, "--devices"), cmp_argv_add(&v, c->a->devices);
    snprintf(what, sizeof what, "profiling %s", kind);
    int rc = cmp_run_child(&v, log, what) || cmp_read_profile(json, r);
    cmp_argv_free(&v);
    return rc;
}

static int one_model(const cmp_ctx_t *c, const char *kind, int u, cmp_row_t *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    r->units = u;
    r->reached = 1;
    if (train_one(c, kind, u, r) != 0 || (c->a->fixed && quantize_one(c, kind, u, r) != 0))
        return 1;
    return metrics(c, r) || profile_one(c, kind, u, r);
}

/* ---- matching ------------------------------------------------------------------------------ */

static int reaches(const cmp_ctx_t *c, double v, double ref)
{
    return c->classify ? v >= ref - c->a->tol : v <= ref * (1 + c->a->tol);
}

/* --match accuracy: the smallest size on the ladder whose validation metric reaches ref. */
static int match_accuracy(const cmp_ctx_t *c, const char *kind, long P, double ref, cmp_row_t *r)
{
    static const double ladder[] = {0.125, 0.25, 0.5, 1, 2, 4};
    int last = 0;
    for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
        int u = cmp_units_for(kind, (long)ceil(ladder[i] * (double)P), c->I, c->O);
        if (u == 0 || u <= last)
            continue;
        last = u;
        if (one_model(c, kind, u, r) != 0)
            return 1;
        if (reaches(c, r->valid, ref))
            return 0;
    }
    r->reached = 0; /* the largest one tried stays in the table, marked */
    return last ? 0 : 1;
}

static int compare_all(const cmp_ctx_t *c, cmp_row_t *rows)
{
    const cmp_args_t *a = c->a;
    long P = a->params ? a->params : cmp_params(a->models[0], (int)a->units, c->I, c->O);
    if (P <= 0) {
        cli_error("compare",
                  "%s with %ld units is not a valid model for this data (%d outputs; an AutoNCP "
                  "wiring needs a few more units than outputs: try a larger --units)",
                  a->models[0], a->units, c->O);
        return EXIT_USAGE;
    }
    for (int i = 0; i < a->nmodels; i++) {
        const char *k = a->models[i];
        int u = i == 0 && !a->params ? (int)a->units : cmp_units_for(k, P, c->I, c->O);
        int rc = 0;
        if (u == 0) {
            cli_error("compare", "%s: no size near %ld parameters is possible", k, P);
            return EXIT_FAIL;
        }
        if (i > 0 && a->match_acc)
            rc = match_accuracy(c, k, P, rows[0].valid, &rows[i]);
        else
            rc = one_model(c, k, u, &rows[i]);
        if (rc != 0)
            return EXIT_FAIL;
    }
    return 0;
}

/* ---- main ------------------------------------------------------------------------------------ */

static int make_dir(const char *d)
{
    if (cli_mkdir(d) == 0 || errno == EEXIST)
        return 1;
    cli_error("compare", "cannot create %s: %s", d, strerror(errno));
    return 0;
}

static int run(cmp_args_t *a)
{
    lln_dataset_t *ds = NULL;
    if (cmp_check_device(a->devices, a->device, a->sleep) != 0)
        return EXIT_USAGE;
    int rc = make_dir(a->out) ? cli_data_load("compare", &a->data, 1, &ds) : EXIT_FAIL;
    if (rc != 0)
        return rc;
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    cmp_ctx_t c = {a, ds, in.inputs, in.classes > 0 ? in.classes : in.outputs, in.classes > 0, 1};
    for (int i = 0; i + 1 < a->train_argv.n; i += 2)
        if (strcmp(a->train_argv.v[i], "--seed") == 0)
            c.seed = strtoull(a->train_argv.v[i + 1], NULL, 10);
    cli_data_describe(ds, a->data.path);
    cmp_row_t rows[CMP_MAX_MODELS];
    rc = compare_all(&c, rows);
    if (rc == 0) {
        const char *metric = c.classify ? "accuracy" : "mse";
        char json[CMP_PATH];
        snprintf(json, sizeof json, "%s/compare.json", a->out);
        cmp_print_table(stdout, rows, a->nmodels, metric, a->device, a->rate);
        rc = cmp_write_json(a->json ? a->json : json, rows, a->nmodels, a->data.path, metric,
                            a->device, a->rate, a->match_acc ? "accuracy" : "size",
                            a->json ? NULL : a->out);
        if (rc == 0)
            printf("wrote %s\n", a->json ? a->json : json);
    }
    lln_dataset_free(ds);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    struct option opts[96];
    const struct option *tables[] = {CLI_DATA_OPTIONS, COMPARE_OPTIONS};
    if (!cli_options_join(opts, sizeof opts / sizeof opts[0], tables, 2))
        return EXIT_FAIL;
    int n = 0, code = 0;
    char **av = cli_args_expand("compare", argc, argv, opts, NULL, &n, &code);
    if (av == NULL)
        return code;
    cmp_args_t a;
    memset(&a, 0, sizeof a);
    cli_data_args_init(&a.data);
    a.rate = 100, a.units = 16, a.tol = 0.01, a.fixed = 1;
    parse_models(&a, "ltc,cfc,gru,lstm,mlp");
    int rc = parse(n, av, opts, &a);
    if (rc == 0)
        rc = run(&a);
    cmp_argv_free(&a.data_argv);
    cmp_argv_free(&a.train_argv);
    cli_data_args_free(&a.data);
    cli_args_free(av, n);
    return rc < 0 ? EXIT_OK : rc;
}
