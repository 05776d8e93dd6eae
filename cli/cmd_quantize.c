/* lln quantize: post-training calibration to the fixed-point runtime. Runs the float model on
 * calibration data, picks every vector's binary point (stored in the model file), then runs
 * the float64 model and the fixed-point runtime side by side and reports the error per layer
 * and the task metric (MSE or accuracy) of both. Two ways to give data: --data (a training
 * log, read like lln train / lln eval: calibration on the training windows, the metric on
 * every split) or --calib (one plain sequence of inputs, no metric). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "cli.h"
#include "data_flags.h"
#include "lln/format.h"
#include "lln/quant.h"
#include "task_meta.h"

static const char QUANTIZE_HELP_HEAD[] =
    "usage: lln quantize MODEL.lln --data FILE [data options] -o OUT.lln\n"
    "       lln quantize MODEL.lln --calib CSV [--calib-valid CSV] -o OUT.lln\n\n"
    "Post-training quantization for the fixed-point firmware runtime (int8 weights with one\n"
    "scale per output row, int16 states and activations, int32 accumulators, 16-bit LTC\n"
    "synapses). Runs the float model over calibration data, picks a binary point for every\n"
    "stored vector (inputs, Δt, states, pre-activations, gates, outputs) and writes the model\n"
    "with these formats to OUT.lln; `lln export` and `lln verify` then use the fixed-point\n"
    "path. Reports, float64 model vs fixed point, the error of every layer's state and of the\n"
    "outputs and, with --data, the task metric (MSE in the data's units, or accuracy) on the\n"
    "training, validation and test windows.\n\n"
    "  -d, --data FILE      a training log read as lln train / lln eval read it: columns,\n"
    "                       windows and split default to what lln train recorded in the model;\n"
    "                       calibration uses the training windows\n"
    "      --calib-windows N  training windows used to calibrate (default 256; 0 = all)\n"
    "  -c, --calib CSV      instead of --data: calibration inputs, a header line, one column\n"
    "                       per model input in order, an optional 'dt' column (else Δt cycles\n"
    "                       through 0.05..0.25); the rows are one sequence from a zero state\n"
    "      --calib-valid CSV  with --calib: validation inputs, same format (reported only)\n"
    "  -o, --output FILE    the quantized model (written atomically)\n\n";

static const char QUANTIZE_HELP_TAIL[] =
    "  -h, --help           this text\n\n"
    "Exit status: 0 written; 1 bad model or data, or a model the fixed-point runtime cannot\n"
    "run (named); 2 bad command line.\n";

enum { Q_CALIB = 700, Q_VALID, Q_OUT, Q_NCALIB, Q_CONFIG };

static const struct option QUANTIZE_OPTIONS[] = {
    {"calib", required_argument, 0, Q_CALIB},
    {"calib-valid", required_argument, 0, Q_VALID},
    {"output", required_argument, 0, Q_OUT},
    {"calib-windows", required_argument, 0, Q_NCALIB},
    {"config", required_argument, 0, Q_CONFIG},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

typedef struct {
    cli_data_args_t data;
    const char *model, *calib, *valid, *out;
    long ncalib;
} quant_args_t;

static int option(quant_args_t *a, int opt, const char *v)
{
    switch (opt) {
    case Q_CALIB: a->calib = v; return 1;
    case Q_VALID: a->valid = v; return 1;
    case Q_OUT: a->out = v; return 1;
    case Q_CONFIG: return 1;
    case Q_NCALIB:
        return cli_parse_int("quantize", "--calib-windows", v, 0, 100000000L, &a->ncalib);
    default: return cli_data_option("quantize", &a->data, opt, v) == 1;
    }
}

static int parse(int argc, char **argv, const struct option *opts, quant_args_t *a)
{
    int opt;
    optind = 1;
    /* short forms: -d is --data (a data option), -c, -o */
    while ((opt = getopt_long(argc, argv, "hd:c:o:", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(QUANTIZE_HELP_HEAD, stdout);
            fputs(CLI_DATA_HELP, stdout);
            fputs(QUANTIZE_HELP_TAIL, stdout);
            return -1;
        }
        const char *name = opt == 'd' ? "data" : NULL;
        int code = opt == 'c' ? Q_CALIB : opt == 'o' ? Q_OUT : opt;
        for (const struct option *o = opts; name && o->name; o++)
            if (strcmp(o->name, name) == 0)
                code = o->val;
        if (opt == '?' || !option(a, code, optarg))
            return cli_usage_error("quantize");
    }
    const char *why = optind + 1 != argc                    ? "expected exactly one model file"
                      : (a->data.path == NULL) == !a->calib ? "give --data FILE or --calib CSV"
                      : a->out == NULL                      ? "--output is required"
                      : a->valid && !a->calib               ? "--calib-valid goes with --calib"
                                                            : NULL;
    if (why) {
        cli_error("quantize", "%s", why);
        return cli_usage_error("quantize");
    }
    a->model = argv[optind];
    return 0;
}

/* ---- comparing float and fixed point ------------------------------------------------------ */

/* Sums for one comparison: per state group, the outputs, and the task metric of both. */
typedef struct {
    double se[LLN_MAX_LAYERS + 1], mx[LLN_MAX_LAYERS + 1], lo[LLN_MAX_LAYERS + 1],
        hi[LLN_MAX_LAYERS + 1], n[LLN_MAX_LAYERS + 1];
    double task_f, task_q, steps; /* squared error sums or correct counts */
} cmp_t;

static void cmp_init(cmp_t *c)
{
    memset(c, 0, sizeof *c);
    for (int g = 0; g <= LLN_MAX_LAYERS; g++)
        c->lo[g] = INFINITY, c->hi[g] = -INFINITY;
}

static void cmp_add(cmp_t *c, int g, double ref, double got)
{
    double d = got - ref;
    c->se[g] += d * d, c->mx[g] = fmax(c->mx[g], fabs(d)), c->n[g]++;
    c->lo[g] = fmin(c->lo[g], ref), c->hi[g] = fmax(c->hi[g], ref);
}

static void cmp_row(const cmp_t *c, int g, const char *name)
{
    double range = c->hi[g] - c->lo[g];
    if (c->n[g] > 0)
        printf("  %-16s %11.3g %11.3g %11.3g %9.3f%%\n", name, sqrt(c->se[g] / c->n[g]), c->mx[g],
               range, range > 0 ? 100.0 * c->mx[g] / range : 0.0);
}

/* The state groups: one per wired-CfC layer, else one. */
static int groups(const lln_model_t *m, int *width)
{
    const lln_config_t *c = lln_model_config(m);
    int n = c->cell == LLN_CELL_WIRED_CFC ? c->num_layers : 1;
    for (int l = 0; l < n; l++)
        width[l] = c->cell == LLN_CELL_WIRED_CFC ? c->layer_sizes[l] : lln_model_state_size(m);
    return n;
}

static void cmp_print(const lln_model_t *m, const cmp_t *c, const char *what)
{
    int width[LLN_MAX_LAYERS], G = groups(m, width);
    printf("%s: float64 model vs fixed point\n", what);
    printf("  %-16s %11s %11s %11s %10s\n", "layer", "rms error", "max error", "range",
           "max/range");
    for (int g = 0; g < G; g++) {
        char name[32];
        if (G > 1)
            snprintf(name, sizeof name, "state layer %d", g);
        else
            snprintf(name, sizeof name, "state");
        cmp_row(c, g, name);
    }
    cmp_row(c, LLN_MAX_LAYERS, "outputs");
}

/* Adds one window's states and outputs (T steps; mask may be NULL) to c. */
static void cmp_window(const lln_model_t *m, cmp_t *c, int T, const double *hf, const double *hq,
                       const double *yf, const double *yq, const double *mask)
{
    int N = lln_model_state_size(m), O = lln_model_output_size(m), width[LLN_MAX_LAYERS];
    int G = groups(m, width);
    for (int t = 0; t < T; t++) {
        if (mask && mask[t] == 0)
            continue;
        for (int g = 0, j = 0; g < G; g++)
            for (int k = 0; k < width[g]; k++, j++)
                cmp_add(c, g, hf[(size_t)t * N + j], hq[(size_t)t * N + j]);
        for (int o = 0; o < O; o++)
            cmp_add(c, LLN_MAX_LAYERS, yf[(size_t)t * O + o], yq[(size_t)t * O + o]);
    }
}

/* The task metric of one output row against its target: squared error summed over outputs
 * (regression) or 1 for a correct arg-max (classification; map, when not NULL, gives the
 * model's output for each of the data's class ids, matched by name). */
static double metric(const double *y, const double *target, int O, int classify, const int *map)
{
    if (classify) {
        int best = 0, want = (int)target[0];
        for (int o = 1; o < O; o++)
            best = y[o] > y[best] ? o : best;
        return best == (map ? map[want] : want);
    }
    double s = 0;
    for (int o = 0; o < O; o++)
        s += (y[o] - target[o]) * (y[o] - target[o]);
    return s;
}

/* ---- the --data mode --------------------------------------------------------------------- */

typedef struct {
    int T, I, O, N, TO; /* TO: target values per step */
    double *x, *dt, *y, *mask, *yf, *yq, *hf, *hq;
} buffers_t;

/* Empty buffers for windows of ds (in) and a model with O outputs and N states. */
static buffers_t buffers_for(const lln_dataset_info_t *in, int O, int N)
{
    buffers_t b;
    memset(&b, 0, sizeof b); /* every pointer NULL until buffers_alloc */
    b.T = in->window_length, b.I = in->inputs, b.O = O, b.N = N, b.TO = in->outputs;
    return b;
}

static void buffers_free(buffers_t *b)
{
    free(b->x), free(b->dt), free(b->y), free(b->mask);
    free(b->yf), free(b->yq), free(b->hf), free(b->hq);
}

static int buffers_alloc(buffers_t *b, size_t count)
{
    size_t bt = count * (size_t)b->T + 1;
    b->x = malloc(bt * (size_t)b->I * sizeof(double));
    b->dt = malloc(bt * sizeof(double));
    b->y = malloc(bt * (size_t)b->TO * sizeof(double));
    b->mask = malloc(bt * sizeof(double));
    b->yf = malloc((size_t)b->T * (size_t)b->O * sizeof(double) + 8);
    b->yq = malloc((size_t)b->T * (size_t)b->O * sizeof(double) + 8);
    b->hf = malloc((size_t)b->T * (size_t)b->N * sizeof(double) + 8);
    b->hq = malloc((size_t)b->T * (size_t)b->N * sizeof(double) + 8);
    return b->x && b->dt && b->y && b->mask && b->yf && b->yq && b->hf && b->hq;
}

/* Runs the windows idx[0..n) through both models, adding to c. */
static int compare_windows(const lln_model_t *m, const lln_quant_t *q, const lln_dataset_t *ds,
                           const size_t *idx, size_t n, lln_loss_steps_t steps, int classify,
                           const int *map, cmp_t *c)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    buffers_t b = buffers_for(&in, lln_model_output_size(m), lln_model_state_size(m));
    lln_state_t *st = NULL;
    lln_error_t err = {LLN_OK, ""};
    int ok = buffers_alloc(&b, 1) && lln_state_create(m, LLN_F64, 1, &st) == LLN_OK;
    for (size_t w = 0; ok && w < n; w++) {
        ok = lln_dataset_gather(ds, idx + w, 1, LLN_F64, b.x, b.dt, b.y, b.mask, &err) == LLN_OK;
        lln_state_reset(st);
        ok = ok && lln_sequence_f64(m, st, b.T, b.x, b.dt, b.yf, b.hf) == LLN_OK &&
             lln_quant_run(q, 1, b.T, b.x, b.dt, b.yq, b.hq, &err) == LLN_OK;
        if (!ok)
            break;
        cmp_window(m, c, b.T, b.hf, b.hq, b.yf, b.yq, b.mask);
        int last = b.T - 1;
        while (last > 0 && b.mask[last] == 0)
            last--;
        for (int t = steps == LLN_LOSS_LAST_STEP ? last : 0; t <= last; t++) {
            if (b.mask[t] == 0)
                continue;
            const double *tg = b.y + (size_t)t * b.TO;
            c->task_f += metric(b.yf + (size_t)t * b.O, tg, b.O, classify, map);
            c->task_q += metric(b.yq + (size_t)t * b.O, tg, b.O, classify, map);
            c->steps += classify ? 1 : b.O;
        }
    }
    if (!ok)
        cli_error("quantize", "%s", err.msg[0] ? err.msg : "out of memory");
    lln_state_free(st);
    buffers_free(&b);
    return ok;
}

/* Calibrates on (up to ncalib of) the training windows. */
static int calibrate(lln_model_t *m, const lln_dataset_t *ds, long ncalib, size_t **cal,
                     size_t *ncal)
{
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    size_t n = lln_dataset_split_windows(ds, LLN_TRAIN, NULL);
    *cal = malloc((n ? n : 1) * sizeof **cal);
    if (*cal == NULL || n == 0) {
        cli_error("quantize", n == 0 ? "no training windows to calibrate on" : "out of memory");
        return 0;
    }
    lln_dataset_split_windows(ds, LLN_TRAIN, *cal);
    if (ncalib > 0 && (size_t)ncalib < n) { /* spread over the whole training set */
        for (size_t k = 0; k < (size_t)ncalib; k++)
            (*cal)[k] = (*cal)[k * n / (size_t)ncalib];
        n = (size_t)ncalib;
    }
    *ncal = n;
    buffers_t b = buffers_for(&in, 1, 1);
    lln_error_t err = {LLN_OK, ""};
    int ok = buffers_alloc(&b, n) &&
             lln_dataset_gather(ds, *cal, (int)n, LLN_F64, b.x, b.dt, NULL, NULL, &err) == LLN_OK;
    ok = ok && lln_quant_calibrate(m, (int)n, b.T, b.x, b.dt, &err) == LLN_OK;
    if (!ok)
        cli_error("quantize", "%s", err.msg[0] ? err.msg : "out of memory");
    buffers_free(&b);
    return ok;
}

static void print_task(const char *split, const cmp_t *c, int classify)
{
    if (c->steps <= 0)
        return;
    double f = c->task_f / c->steps, q = c->task_q / c->steps;
    if (classify)
        printf("  %-6s accuracy float %.4f  fixed %.4f  difference %+.4f (%+.2f %% relative)\n",
               split, f, q, q - f, f > 0 ? 100.0 * (q - f) / f : 0.0);
    else
        printf("  %-6s mse float %.6g  fixed %.6g  (%+.2f %% relative)\n", split, f, q,
               f > 0 ? 100.0 * (q - f) / f : 0.0);
}

/* Records the task metric of both paths in the model's metadata (quant.metric, quant.SPLIT.float,
 * quant.SPLIT.fixed), so `lln info` and `lln compare` read it without re-running the data. */
static void record_task(lln_model_t *m, const char *split, const cmp_t *c, int classify)
{
    char key[48], v[40];
    if (c->steps <= 0)
        return;
    lln_model_set_meta(m, "quant.metric", classify ? "accuracy" : "mse");
    snprintf(key, sizeof key, "quant.%s.float", split);
    snprintf(v, sizeof v, "%.9g", c->task_f / c->steps);
    lln_model_set_meta(m, key, v);
    snprintf(key, sizeof key, "quant.%s.fixed", split);
    snprintf(v, sizeof v, "%.9g", c->task_q / c->steps);
    lln_model_set_meta(m, key, v);
}

static int run_data(quant_args_t *a, lln_model_t *m, lln_quant_t **q)
{
    lln_dataset_t *ds = NULL;
    int rc = cli_task_meta_apply("quantize", m, &a->data);
    if (rc == 0)
        rc = cli_data_load("quantize", &a->data, 1, &ds);
    if (rc != 0)
        return rc;
    cli_data_describe(ds, a->data.path);
    lln_loss_kind_t loss;
    lln_loss_steps_t steps;
    cli_task_meta_loss(m, ds, &loss, &steps);
    lln_dataset_info_t in;
    lln_dataset_info(ds, &in);
    int classify = loss == LLN_LOSS_CROSS_ENTROPY, has_targets = in.outputs > 0;
    size_t *cal = NULL, ncal = 0;
    int *map = NULL; /* the data's class ids to the model's outputs, by name */
    lln_error_t err = {LLN_OK, ""};
    if (classify && has_targets)
        rc = cli_task_class_map("quantize", m, ds, lln_model_output_size(m), &map);
    if (rc == 0)
        rc = calibrate(m, ds, a->ncalib, &cal, &ncal) ? 0 : EXIT_FAIL;
    if (rc == 0 && lln_quant_create(m, q, &err) != LLN_OK) {
        cli_error("quantize", "%s", err.msg);
        rc = EXIT_FAIL;
    }
    cmp_t c[4];
    static const char *const names[] = {"train", "valid", "test"};
    if (rc == 0) {
        cmp_init(&c[3]);
        rc = compare_windows(m, *q, ds, cal, ncal, steps, classify, map, &c[3]) ? 0 : EXIT_FAIL;
        if (rc == 0) {
            printf("calibrated on %zu training windows\n", ncal);
            cmp_print(m, &c[3], "calibration windows");
        }
    }
    for (int s = 0; rc == 0 && s < 3; s++) {
        size_t n = lln_dataset_split_windows(ds, (lln_split_t)s, NULL);
        size_t *idx = malloc((n ? n : 1) * sizeof *idx);
        cmp_init(&c[s]);
        lln_dataset_split_windows(ds, (lln_split_t)s, idx);
        rc = idx && compare_windows(m, *q, ds, idx, n, steps, classify, map, &c[s]) ? 0 : EXIT_FAIL;
        free(idx);
    }
    if (rc == 0 && has_targets) {
        printf("task: %s (%s), float64 model vs fixed point\n",
               classify ? "classification accuracy" : "regression mse in the data's units",
               steps == LLN_LOSS_LAST_STEP ? "last step" : "every step");
        for (int s = 0; s < 3; s++) {
            print_task(names[s], &c[s], classify);
            record_task(m, names[s], &c[s], classify);
        }
    }
    free(cal);
    free(map);
    lln_dataset_free(ds);
    return rc;
}

/* ---- the --calib mode (one plain sequence) ------------------------------------------------ */

static int to_double(const seq_t *s, double **x, double **dt)
{
    size_t n = (size_t)s->steps * (size_t)s->inputs;
    *x = malloc((n + 1) * sizeof **x);
    *dt = malloc(((size_t)s->steps + 1) * sizeof **dt);
    if (*x == NULL || *dt == NULL)
        return 0;
    for (size_t k = 0; k < n; k++)
        (*x)[k] = s->x[k];
    for (int t = 0; t < s->steps; t++)
        (*dt)[t] = s->dt[t];
    return 1;
}

static int compare_seq(const char *what, const lln_model_t *m, const lln_quant_t *q, const seq_t *s)
{
    int O = lln_model_output_size(m), N = lln_model_state_size(m), T = s->steps;
    double *x = NULL, *dt = NULL, *yf = malloc(((size_t)T * O + 1) * sizeof *yf);
    double *hf = malloc(((size_t)T * N + 1) * sizeof *hf), *yq = malloc(((size_t)T * O + 1) * 8);
    double *hq = malloc(((size_t)T * N + 1) * sizeof *hq);
    lln_state_t *st = NULL;
    lln_error_t err = {LLN_OK, ""};
    int ok = to_double(s, &x, &dt) && yf && hf && yq && hq &&
             lln_state_create(m, LLN_F64, 1, &st) == LLN_OK &&
             lln_sequence_f64(m, st, T, x, dt, yf, hf) == LLN_OK &&
             lln_quant_run(q, 1, T, x, dt, yq, hq, &err) == LLN_OK;
    if (ok) {
        cmp_t c;
        cmp_init(&c);
        cmp_window(m, &c, T, hf, hq, yf, yq, NULL);
        char title[600];
        snprintf(title, sizeof title, "%s: %d steps", what, T);
        cmp_print(m, &c, title);
    } else {
        cli_error("quantize", "%s: %s", what, err.msg[0] ? err.msg : "out of memory");
    }
    lln_state_free(st);
    free(x), free(dt), free(yf), free(hf), free(yq), free(hq);
    return ok;
}

static int run_calib(const quant_args_t *a, lln_model_t *m, lln_quant_t **q)
{
    int in = lln_model_input_size(m);
    seq_t cal = {0, 0, NULL, NULL}, val = {0, 0, NULL, NULL};
    double *x = NULL, *dt = NULL;
    lln_error_t err = {LLN_OK, ""};
    int ok = cli_read_sequence("quantize", &cal, a->calib, in) &&
             (!a->valid || cli_read_sequence("quantize", &val, a->valid, in));
    if (ok && !(ok = to_double(&cal, &x, &dt)))
        cli_error("quantize", "out of memory");
    if (ok) {
        ok = lln_quant_calibrate(m, 1, cal.steps, x, dt, &err) == LLN_OK;
        ok = ok && lln_quant_create(m, q, &err) == LLN_OK;
        if (!ok)
            cli_error("quantize", "%s", err.msg);
    }
    ok = ok && compare_seq(a->calib, m, *q, &cal) &&
         (!a->valid || compare_seq(a->valid, m, *q, &val));
    free(x), free(dt), free(cal.x), free(cal.dt), free(val.x), free(val.dt);
    return ok ? 0 : EXIT_FAIL;
}

int cmd_quantize(int argc, char **argv)
{
    struct option opts[96];
    const struct option *tables[] = {CLI_DATA_OPTIONS, QUANTIZE_OPTIONS};
    if (!cli_options_join(opts, sizeof opts / sizeof opts[0], tables, 2))
        return EXIT_FAIL;
    quant_args_t a;
    memset(&a, 0, sizeof a);
    cli_data_args_init(&a.data);
    a.ncalib = 256;
    int rc = parse(argc, argv, opts, &a);
    lln_model_t *m = NULL;
    lln_quant_t *q = NULL;
    if (rc == 0 && (m = cli_load_model("quantize", a.model)) == NULL)
        rc = EXIT_FAIL;
    if (rc == 0)
        rc = a.calib ? run_calib(&a, m, &q) : run_data(&a, m, &q);
    if (rc == 0) {
        lln_quant_sizes_t sz;
        lln_quant_sizes(q, &sz);
        printf("quantized %s: int8 weights, int16 states; firmware tables %zu B, state %zu B, "
               "scratch %zu B\nformats: %s\n",
               a.model, sz.weight_bytes, sz.state_bytes, sz.scratch_bytes,
               lln_model_get_meta(m, "quant.formats"));
        rc = cli_save_model("quantize", m, a.out) ? 0 : EXIT_FAIL;
    }
    lln_quant_free(q);
    lln_model_free(m);
    cli_data_args_free(&a.data);
    return rc < 0 ? EXIT_OK : rc;
}
