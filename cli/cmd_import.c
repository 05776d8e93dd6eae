/* lln import-ncps: an ncps state_dict checkpoint (.pt) to a .lln model, no PyTorch needed.
 * --check IO.pt replays a torch.save()d {input, outputs[, h0, c0, timespans]} dict through
 * the imported model and compares the outputs; --auto searches the options a state_dict cannot
 * record. */
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
    "      --check IO.pt        replay {input, outputs[, h0, c0, timespans]} and compare outputs\n"
    "                           (h0, c0 default to zeros; a non-finite value never passes)\n"
    "      --tolerance T        for --check (default 1e-5, absolute, >= 0)\n"
    "      --auto               with --check: when the comparison fails, try every value of the\n"
    "                           options not given that the checkpoint cannot record (LTC:\n"
    "                           --positivity; CfC: --mode, --activation) and keep one that passes\n"
    "  -o, --output FILE        the .lln to write (required unless only checking)\n"
    "  -h, --help               this text\n";

enum { O_CELL = 256, O_POS, O_UNF, O_EPS, O_OUTSZ, O_MODE, O_ACT, O_BBD, O_CHECK, O_TOL, O_AUTO };

typedef struct {
    lln_import_opts_t o;
    const char *ckpt, *out, *check;
    double tol;
    int autosearch, pos_given, act_given;
} import_args_t;

static const char *positivity_name(lln_positivity_t p)
{
    return p == LLN_POS_IDENTITY ? "identity" : "softplus";
}

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
        a->pos_given = 1;
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
        a->act_given = 1;
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
    case O_TOL:
        if (!cli_parse_double("import-ncps", "--tolerance", v, &a->tol))
            return 0;
        if (a->tol < 0) {
            cli_error("import-ncps", "--tolerance: %s is negative; give a bound >= 0", v);
            return 0;
        }
        return 1;
    case O_AUTO: a->autosearch = 1; return 1;
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

/* What a replay found: the largest |output - reference| over the finite pairs, and how many
 * reference values and outputs are not finite (each one is a mismatch: a NaN never passes). */
typedef struct {
    double max_err;
    size_t n, bad_ref, bad_out;
} replay_t;

/* Runs io's input batch through m in float64. h0 and c0 default to zeros when absent (as
 * ncps's own forward() does). Returns 0 after printing an error. */
static int replay(const lln_model_t *m, const lln_tensors_t *io, const char *path, replay_t *r)
{
    const lln_tensor_t *in = lln_tensors_find(io, "input");
    if (in == NULL || in->ndim != 3 || in->dims[2] != lln_model_input_size(m)) {
        cli_error("import-ncps", "%s: 'input' must be (batch, steps, %d)", path,
                  lln_model_input_size(m));
        return 0;
    }
    size_t B = (size_t)in->dims[0], T = (size_t)in->dims[1], N = (size_t)lln_model_state_size(m);
    size_t O = (size_t)lln_model_output_size(m);
    const lln_tensor_t *h0 = lln_tensors_find(io, "h0");
    const lln_tensor_t *ref = need(io, "outputs", B * T * O, path);
    const lln_tensor_t *ts = lln_tensors_find(io, "timespans");
    const lln_tensor_t *c0 = lln_tensors_find(io, "c0");
    if (!ref || (h0 && !need(io, "h0", B * N, path)) ||
        (ts && !need(io, "timespans", B * T, path)) || (c0 && !need(io, "c0", B * N, path)))
        return 0;
    lln_state_t *s;
    double *y = malloc(B * T * O * sizeof *y);
    int ok = 0;
    memset(r, 0, sizeof *r);
    if (y && lln_state_create(m, LLN_F64, (int)B, &s) == LLN_OK) {
        lln_status_t st = LLN_OK;
        if (h0 || c0) /* a fresh state is zeros: set only what the file gives */
            st = lln_state_set(s, h0 ? h0->data : NULL,
                               lln_model_memory_size(m) && c0 ? c0->data : NULL);
        if (st == LLN_OK)
            st = lln_sequence_f64(m, s, (int)T, in->data, ts ? ts->data : NULL, y, NULL);
        if (st == LLN_OK) {
            r->n = B * T * O;
            for (size_t i = 0; i < r->n; i++) {
                int fr = isfinite(ref->data[i]) != 0, fy = isfinite(y[i]) != 0;
                r->bad_ref += !fr;
                r->bad_out += !fy;
                if (fr && fy && fabs(y[i] - ref->data[i]) > r->max_err)
                    r->max_err = fabs(y[i] - ref->data[i]);
            }
            ok = 1;
        } else {
            cli_error("import-ncps", "%s: replay failed: %s", path, lln_strerror(st));
        }
        lln_state_free(s);
    } else {
        cli_error("import-ncps", "%s: out of memory", path);
    }
    free(y);
    return ok;
}

static int replay_pass(const replay_t *r, double tol)
{
    return r->bad_ref == 0 && r->bad_out == 0 && r->max_err <= tol;
}

/* Prints the replay's verdict; returns 1 on PASS. */
static int report_check(const replay_t *r, const char *path, double tol)
{
    if (r->bad_ref || r->bad_out)
        printf("check %s: %zu of %zu reference values and %zu outputs are not finite; "
               "max |output - reference| over the rest = %.3g (tolerance %g) FAIL\n",
               path, r->bad_ref, r->n, r->bad_out, r->max_err, tol);
    else
        printf("check %s: max |output - reference| = %.3g (tolerance %g) %s\n", path, r->max_err,
               tol, r->max_err <= tol ? "PASS" : "FAIL");
    return replay_pass(r, tol);
}

static int load_io(const char *path, lln_tensors_t **io)
{
    lln_error_t err = {LLN_OK, ""};
    if (lln_tensors_load_pt(path, io, &err) != LLN_OK) {
        cli_error("import-ncps", "%s", err.msg);
        return 0;
    }
    return 1;
}

/* The options a state_dict cannot record, for the model's cell, as a hint after a FAIL. */
static void suggest(const lln_model_t *m, const import_args_t *a)
{
    const lln_config_t *c = lln_model_config(m);
    int bb = c->cell == LLN_CELL_CFC && c->backbone_layers > 0;
    if (c->cell == LLN_CELL_LTC)
        fprintf(stderr,
                "lln import-ncps: hint: the checkpoint does not record --positivity "
                "(used: %s; the other is %s); --auto tries both\n",
                positivity_name(a->o.positivity),
                positivity_name(a->o.positivity == LLN_POS_SOFTPLUS ? LLN_POS_IDENTITY
                                                                    : LLN_POS_SOFTPLUS));
    else
        fprintf(stderr,
                "lln import-ncps: hint: the checkpoint does not record --mode (used: %s%s)"
                "%s%s%s; --auto tries %s\n",
                lln_cfc_mode_name(c->mode), c->mode == LLN_CFC_PURE ? ", from its keys" : "",
                bb ? " or --activation (used: " : "", bb ? lln_activation_name(c->activation) : "",
                bb ? ")" : "", bb ? "every mode and activation" : "every mode");
}

/* --auto: imports with each value of the options the checkpoint cannot record that the user did
 * not give, replays each, keeps the first that passes (else the smallest error). *m is
 * replaced by the kept model. Returns 1 when one passed. */
static int auto_search(lln_model_t **m, import_args_t *a, const lln_tensors_t *io)
{
    int ltc = lln_model_config(*m)->cell == LLN_CELL_LTC;
    int has_bb =
        lln_model_config(*m)->cell == LLN_CELL_CFC && lln_model_config(*m)->backbone_layers > 0;
    int npos = ltc && !a->pos_given ? 2 : 1;
    int pure = lln_model_config(*m)->mode == LLN_CFC_PURE;
    int nmode = !ltc && !pure && !a->o.mode_given ? 2 : 1,
        nact = !ltc && has_bb && !a->act_given ? 5 : 1;
    lln_import_opts_t best = a->o;
    replay_t rbest = {INFINITY, 0, 0, 0};
    int found = 0;
    for (int p = 0; p < npos && !found; p++)
        for (int md = 0; md < nmode && !found; md++)
            for (int ac = 0; ac < nact && !found; ac++) {
                lln_import_opts_t o = a->o;
                if (npos > 1)
                    o.positivity = (lln_positivity_t)p;
                if (nmode > 1)
                    o.mode = (lln_cfc_mode_t)md;
                if (nact > 1)
                    o.activation = (lln_activation_t)ac;
                lln_model_t *t;
                lln_error_t err = {LLN_OK, ""};
                replay_t r;
                if (lln_import_ncps(a->ckpt, &o, &t, &err) != LLN_OK)
                    continue; /* e.g. a mode the keys contradict */
                int ok = replay(t, io, a->check, &r);
                lln_model_free(t);
                if (!ok)
                    return 0;
                if (ltc)
                    printf("auto: --positivity %s", positivity_name(o.positivity));
                else
                    printf("auto: --mode %s%s%s", lln_cfc_mode_name(o.mode),
                           has_bb ? " --activation " : "",
                           has_bb ? lln_activation_name(o.activation) : "");
                printf(": max |output - reference| = %.3g%s\n", r.max_err,
                       r.bad_out || r.bad_ref ? " (non-finite values)" : "");
                found = replay_pass(&r, a->tol);
                int better = !(r.bad_out || r.bad_ref) && r.max_err < rbest.max_err;
                if (found || better)
                    best = o, rbest = r;
            }
    lln_model_t *t;
    lln_error_t err = {LLN_OK, ""};
    if (lln_import_ncps(a->ckpt, &best, &t, &err) != LLN_OK) {
        cli_error("import-ncps", "%s", err.msg);
        return 0;
    }
    lln_model_free(*m);
    *m = t;
    a->o = best;
    return found;
}

static int check(lln_model_t **m, import_args_t *a)
{
    lln_tensors_t *io;
    if (!load_io(a->check, &io))
        return 0;
    replay_t r;
    int ok = replay(*m, io, a->check, &r);
    int pass = ok && report_check(&r, a->check, a->tol);
    if (ok && !pass && a->autosearch) {
        pass = auto_search(m, a, io);
        if (replay(*m, io, a->check, &r))
            pass = report_check(&r, a->check, a->tol);
    }
    if (ok && !pass)
        suggest(*m, a);
    lln_tensors_free(io);
    return pass;
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
        {"auto", no_argument, 0, O_AUTO},
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
    if (a.autosearch && a.check == NULL) {
        cli_error("import-ncps", "--auto needs --check IO.pt (it compares against the outputs)");
        lln_model_free(m);
        return cli_usage_error("import-ncps");
    }
    int ok = a.check == NULL || check(&m, &a);
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
