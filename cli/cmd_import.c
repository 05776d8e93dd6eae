/* lln import-ncps: an ncps state_dict checkpoint (.pt) to a .lln model, no PyTorch needed.
 * --check IO.pt replays a torch.save()d {input, h0, outputs[, timespans, c0]} dict through
 * the imported model and compares the outputs. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lln/import.h"

static const char IMPORT_HELP[] =
    "usage: lln import-ncps CHECKPOINT.pt [OPTIONS] -o MODEL.lln\n\n"
    "Converts the state_dict of an ncps LTC or CfC model saved with "
    "torch.save(model.state_dict()).\n"
    "Cell type, sizes, wiring masks, mappings, backbone, projection and mixed memory are read "
    "from\n"
    "the checkpoint; give what it does not record:\n\n"
    "      --cell KIND          ltc, cfc or wired_cfc (default: inferred from the keys)\n"
    "      --positivity P       LTC: softplus (the LTC wrapper's default, "
    "implicit_param_constraints\n"
    "                           =True) or identity (LTCCell's default) (default softplus)\n"
    "      --ode-unfolds K      LTC (default 6)\n"
    "      --epsilon E          LTC (default 1e-8)\n"
    "      --output-size M      LTC without output mapping: motor neurons (default all units)\n"
    "      --mode MODE          CfC: default or no_gate (pure is recognised) (default default)\n"
    "      --activation A       CfC backbone: lecun_tanh (default), tanh, relu, silu, gelu\n"
    "      --backbone-dropout P CfC: needed when the layer names show dropout (0, 2, 5, ...)\n"
    "      --check IO.pt        replay {input, h0, outputs[, timespans, c0]} and compare outputs\n"
    "      --tolerance T        for --check (default 1e-5, absolute)\n"
    "  -o, --output FILE        the .lln to write (required unless only checking)\n"
    "  -h, --help               this text\n";

enum { O_CELL = 256, O_POS, O_UNF, O_EPS, O_OUTSZ, O_MODE, O_ACT, O_BBD, O_CHECK, O_TOL };

typedef struct {
    lln_import_opts_t o;
    const char *ckpt, *out, *check;
    double tol;
} import_args_t;

static int set_enum(const char *opt, const char *v, const char *key, lln_config_t *tmp)
{
    return cli_config_set("import-ncps", opt, tmp, key, v);
}

static int handle(import_args_t *a, int opt, const char *v)
{
    lln_config_t tmp;
    long x;
    lln_config_default(&tmp, LLN_CELL_LTC);
    switch (opt) {
    case O_CELL:
        if (!set_enum("--cell", v, "cell", &tmp))
            return 0;
        a->o.cell = lln_cell_name(tmp.cell);
        return 1;
    case O_POS:
        if (!set_enum("--positivity", v, "positivity", &tmp))
            return 0;
        a->o.positivity = tmp.positivity;
        return 1;
    case O_MODE:
        if (!set_enum("--mode", v, "mode", &tmp))
            return 0;
        a->o.mode = tmp.mode;
        a->o.mode_given = 1;
        return 1;
    case O_ACT:
        if (!set_enum("--activation", v, "activation", &tmp))
            return 0;
        a->o.activation = tmp.activation;
        return 1;
    case O_UNF:
        if (!cli_parse_int("import-ncps", "--ode-unfolds", v, 1, 1000, &x))
            return 0;
        a->o.ode_unfolds = (int)x;
        return 1;
    case O_OUTSZ:
        if (!cli_parse_int("import-ncps", "--output-size", v, 1, LLN_MAX_DIM, &x))
            return 0;
        a->o.output_size = (int)x;
        return 1;
    case O_EPS: return cli_parse_double("import-ncps", "--epsilon", v, &a->o.epsilon);
    case O_BBD:
        return cli_parse_double("import-ncps", "--backbone-dropout", v, &a->o.backbone_dropout);
    case O_TOL: return cli_parse_double("import-ncps", "--tolerance", v, &a->tol);
    case O_CHECK: a->check = v; return 1;
    case 'o': a->out = v; return 1;
    default: return 0;
    }
}

static const lln_tensor_t *need(const lln_tensors_t *io, const char *name, size_t count,
                                const char *path)
{
    const lln_tensor_t *t = lln_tensors_find(io, name);
    if (t == NULL || t->count != count) {
        cli_error("import-ncps", "%s: tensor '%s' %s (expected %zu values)", path, name,
                  t ? "has the wrong size" : "is missing", count);
        return NULL;
    }
    return t;
}

/* Runs io's input batch through m in float64; returns the max |output - reference| or -1. */
static double replay(const lln_model_t *m, const lln_tensors_t *io, const char *path)
{
    const lln_tensor_t *in = lln_tensors_find(io, "input");
    if (in == NULL || in->ndim != 3 || in->dims[2] != lln_model_input_size(m)) {
        cli_error("import-ncps", "%s: 'input' must be (batch, steps, %d)", path,
                  lln_model_input_size(m));
        return -1;
    }
    size_t B = (size_t)in->dims[0], T = (size_t)in->dims[1], N = (size_t)lln_model_state_size(m);
    size_t O = (size_t)lln_model_output_size(m);
    const lln_tensor_t *h0 = need(io, "h0", B * N, path);
    const lln_tensor_t *ref = need(io, "outputs", B * T * O, path);
    const lln_tensor_t *ts = lln_tensors_find(io, "timespans");
    const lln_tensor_t *c0 = lln_tensors_find(io, "c0");
    if (!h0 || !ref || (ts && !need(io, "timespans", B * T, path)) ||
        (c0 && !need(io, "c0", B * N, path)))
        return -1;
    lln_state_t *s;
    double *y = malloc(B * T * O * sizeof *y), err = -1;
    if (y && lln_state_create(m, LLN_F64, (int)B, &s) == LLN_OK) {
        lln_status_t st =
            lln_state_set(s, h0->data, lln_model_memory_size(m) && c0 ? c0->data : NULL);
        if (st == LLN_OK)
            st = lln_sequence_f64(m, s, (int)T, in->data, ts ? ts->data : NULL, y, NULL);
        if (st == LLN_OK)
            for (size_t i = 0, n = B * T * O; i < n; i++)
                err = fmax(err, fabs(y[i] - ref->data[i]));
        else
            cli_error("import-ncps", "%s: replay failed: %s", path, lln_strerror(st));
        lln_state_free(s);
    }
    free(y);
    return err;
}

static int check(const lln_model_t *m, const import_args_t *a)
{
    lln_tensors_t *io;
    lln_error_t err = {LLN_OK, ""};
    if (lln_tensors_load_pt(a->check, &io, &err) != LLN_OK) {
        cli_error("import-ncps", "%s", err.msg);
        return 0;
    }
    double e = replay(m, io, a->check);
    lln_tensors_free(io);
    if (e < 0)
        return 0;
    printf("check %s: max |output - reference| = %.3g (tolerance %g) %s\n", a->check, e, a->tol,
           e <= a->tol ? "PASS" : "FAIL");
    return e <= a->tol;
}

int cmd_import_ncps(int argc, char **argv)
{
    static const struct option opts[] = {
        {"cell", required_argument, 0, O_CELL},
        {"positivity", required_argument, 0, O_POS},
        {"ode-unfolds", required_argument, 0, O_UNF},
        {"epsilon", required_argument, 0, O_EPS},
        {"output-size", required_argument, 0, O_OUTSZ},
        {"mode", required_argument, 0, O_MODE},
        {"activation", required_argument, 0, O_ACT},
        {"backbone-dropout", required_argument, 0, O_BBD},
        {"check", required_argument, 0, O_CHECK},
        {"tolerance", required_argument, 0, O_TOL},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    import_args_t a;
    memset(&a, 0, sizeof a);
    lln_import_opts_default(&a.o);
    a.tol = 1e-5;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(IMPORT_HELP, stdout);
            return EXIT_OK;
        }
        if (opt == '?' || !handle(&a, opt, optarg))
            return cli_usage_error("import-ncps");
    }
    if (optind != argc - 1 || (a.out == NULL && a.check == NULL)) {
        cli_error("import-ncps", optind != argc - 1 ? "expected exactly one checkpoint"
                                                    : "-o/--output is required");
        return cli_usage_error("import-ncps");
    }
    a.ckpt = argv[optind];
    lln_model_t *m;
    lln_error_t err = {LLN_OK, ""};
    if (lln_import_ncps(a.ckpt, &a.o, &m, &err) != LLN_OK) {
        cli_error("import-ncps", "%s", err.msg);
        return EXIT_FAIL;
    }
    int ok = a.check == NULL || check(m, &a);
    if (ok && a.out) {
        ok = cli_save_model("import-ncps", m, a.out);
        if (ok)
            printf("wrote %s (%s, %d inputs, %d outputs, %d units)\n", a.out,
                   lln_cell_name(lln_model_config(m)->cell), lln_model_input_size(m),
                   lln_model_output_size(m), lln_model_state_size(m));
    }
    lln_model_free(m);
    return ok ? EXIT_OK : EXIT_FAIL;
}
