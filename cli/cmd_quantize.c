/* lln quantize: post-training calibration to the fixed-point runtime. Runs the float model on
 * calibration data, picks every vector's binary point (stored in the model file), then runs
 * both the float64 model and the fixed-point runtime on the calibration data (and on
 * validation data if given) and reports the error per layer and on the outputs. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/format.h"
#include "lln/quant.h"

static const char QUANTIZE_HELP[] =
    "usage: lln quantize MODEL.lln --calib CSV [--valid CSV] -o OUT.lln\n\n"
    "Post-training quantization for the fixed-point firmware runtime (int8 weights with one\n"
    "scale per output row, int16 states and activations, int32 accumulators, 16-bit LTC\n"
    "synapses). Runs the float model over the calibration data, picks a binary point for\n"
    "every stored vector (inputs, Δt, states, pre-activations, gates, outputs) and writes the\n"
    "model with these formats to OUT.lln; `lln export` and `lln verify` then use the\n"
    "fixed-point path. Reports, float vs fixed point, the error of every layer's state and of\n"
    "the outputs on the calibration and validation data.\n\n"
    "  -c, --calib CSV    calibration inputs: a header line, one column per model input in\n"
    "                     order, an optional 'dt' column (else Δt cycles through 0.05..0.25);\n"
    "                     the rows are one sequence from a zero state\n"
    "  -v, --valid CSV    validation inputs, same format (reported, not used to calibrate)\n"
    "  -o, --output FILE  the quantized model (written atomically)\n"
    "  -h, --help         this text\n\n"
    "Exit status: 0 written; 1 bad model or data, or a model the fixed-point runtime cannot\n"
    "run (named); 2 bad command line.\n";

typedef struct {
    const char *model, *calib, *valid, *out;
} quant_args_t;

static int parse(int argc, char **argv, quant_args_t *a)
{
    static const struct option opts[] = {{"calib", required_argument, 0, 'c'},
                                         {"valid", required_argument, 0, 'v'},
                                         {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:v:o:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(QUANTIZE_HELP, stdout); return -1;
        case 'c': a->calib = optarg; break;
        case 'v': a->valid = optarg; break;
        case 'o': a->out = optarg; break;
        default: return 0;
        }
    }
    if (optind != argc - 1 || a->calib == NULL || a->out == NULL) {
        cli_error("quantize", optind != argc - 1 ? "expected exactly one model file"
                              : a->calib == NULL ? "--calib is required"
                                                 : "--output is required");
        return 0;
    }
    a->model = argv[optind];
    return 1;
}

/* The sequence as double arrays (what the library's calibration takes). */
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

/* Prints "name  rms  max  range  max/range" for a (steps x n) block's columns [c0, c0 + w). */
static void row(const char *name, const double *ref, const double *got, int steps, int n, int c0,
                int w)
{
    double se = 0, mx = 0, lo = INFINITY, hi = -INFINITY;
    for (int t = 0; t < steps; t++)
        for (int j = c0; j < c0 + w; j++) {
            double r = ref[(size_t)t * n + j], d = got[(size_t)t * n + j] - r;
            se += d * d, mx = fmax(mx, fabs(d)), lo = fmin(lo, r), hi = fmax(hi, r);
        }
    double range = hi - lo;
    printf("  %-16s %11.3g %11.3g %11.3g %9.3f%%\n", name, sqrt(se / ((double)steps * w)), mx,
           range, range > 0 ? 100.0 * mx / range : 0.0);
}

/* Float64 model vs fixed point on one sequence: per layer and output errors. */
static int compare(const char *what, const lln_model_t *m, const lln_quant_t *q, const seq_t *s)
{
    int O = lln_model_output_size(m), N = lln_model_state_size(m), T = s->steps;
    double *x, *dt, *yf = malloc(((size_t)T * O + 1) * sizeof *yf);
    double *hf = malloc(((size_t)T * N + 1) * sizeof *hf), *yq = malloc(((size_t)T * O + 1) * 8);
    double *hq = malloc(((size_t)T * N + 1) * sizeof *hq);
    lln_state_t *st = NULL;
    lln_error_t err = {LLN_OK, ""};
    int ok = to_double(s, &x, &dt) && yf && hf && yq && hq &&
             lln_state_create(m, LLN_F64, 1, &st) == LLN_OK &&
             lln_sequence_f64(m, st, T, x, dt, yf, hf) == LLN_OK &&
             lln_quant_run(q, 1, T, x, dt, yq, hq, &err) == LLN_OK;
    if (!ok) {
        cli_error("quantize", "%s: %s", what, err.msg[0] ? err.msg : "out of memory");
    } else {
        printf("%s: %d steps, float64 model vs fixed point\n", what, T);
        printf("  %-16s %11s %11s %11s %10s\n", "layer", "rms error", "max error", "range",
               "max/range");
        const lln_config_t *c = lln_model_config(m);
        int layers = c->cell == LLN_CELL_WIRED_CFC ? c->num_layers : 1;
        for (int l = 0, col = 0; l < layers; l++) {
            int w = c->cell == LLN_CELL_WIRED_CFC ? c->layer_sizes[l] : N;
            char name[32];
            if (layers > 1)
                snprintf(name, sizeof name, "state layer %d", l);
            else
                snprintf(name, sizeof name, "state");
            row(name, hf, hq, T, N, col, w);
            col += w;
        }
        row("outputs", yf, yq, T, O, 0, O);
    }
    lln_state_free(st);
    free(x), free(dt), free(yf), free(hf), free(yq), free(hq);
    return ok;
}

int cmd_quantize(int argc, char **argv)
{
    quant_args_t a = {NULL, NULL, NULL, NULL};
    int pr = parse(argc, argv, &a);
    if (pr <= 0)
        return pr < 0 ? EXIT_OK : cli_usage_error("quantize");
    lln_model_t *m = cli_load_model("quantize", a.model);
    if (m == NULL)
        return EXIT_FAIL;
    int in = lln_model_input_size(m);
    seq_t cal = {0, 0, NULL, NULL}, val = {0, 0, NULL, NULL};
    double *x = NULL, *dt = NULL;
    lln_quant_t *q = NULL;
    lln_error_t err = {LLN_OK, ""};
    int ok = cli_read_sequence("quantize", &cal, a.calib, in) &&
             (!a.valid || cli_read_sequence("quantize", &val, a.valid, in));
    if (ok && !(ok = to_double(&cal, &x, &dt)))
        cli_error("quantize", "out of memory");
    if (ok) {
        ok = lln_quant_calibrate(m, 1, cal.steps, x, dt, &err) == LLN_OK;
        ok = ok && lln_quant_create(m, &q, &err) == LLN_OK;
        if (!ok)
            cli_error("quantize", "%s", err.msg);
    }
    if (ok) {
        lln_quant_sizes_t sz;
        lln_quant_sizes(q, &sz);
        printf("quantized %s: int8 weights, int16 states; firmware tables %zu B, state %zu B, "
               "scratch %zu B\n",
               a.model, sz.weight_bytes, sz.state_bytes, sz.scratch_bytes);
        printf("formats: %s\n", lln_model_get_meta(m, "quant.formats"));
        ok = compare(a.calib, m, q, &cal) && (!a.valid || compare(a.valid, m, q, &val));
    }
    if (ok)
        ok = cli_save_model("quantize", m, a.out);
    lln_quant_free(q);
    free(x), free(dt), free(cal.x), free(cal.dt), free(val.x), free(val.dt);
    lln_model_free(m);
    return ok ? EXIT_OK : EXIT_FAIL;
}
