/* lln_golden: golden parity against ncps reference vectors.
 *
 *   lln_golden DIR      runs every DIR/<case>/case.txt (or DIR/case.txt itself)
 *
 * For each case it rebuilds the model from the case's state_dict tensors, runs the whole
 * batch of sequences in float32 and float64, and compares outputs, per-step states, final
 * states (and the LSTM cell state) and the MSE loss with the f64.* references (and runs the
 * firmware runtime, runtime/lln_rt.c, on the same inputs), using the
 * tolerances of shared/golden/README.md (f32: 1e-5, f64: 1e-10 absolute). It then runs the
 * gradient tape (lln/grad.h) in both precisions on the MSE loss against the case's target
 * and compares every f64.grad.* reference (parameters by state_dict key, grad.input,
 * grad.h0, grad.c0) with max |d| <= tol * max(1, max |ref|) per tensor; masks and
 * normalisation tensors must get exactly zero and every trainable tensor a reference. If the case
 * names a generated wiring, the wiring is rebuilt from its arguments and must match the
 * stored matrices exactly. Prints one line per case and "N passed, M failed"; exits 1 if
 * any case fails, 77 if DIR does not exist (so ctest reports a skip). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/casefile.h"
#include "io/import_internal.h"
#include "lln/grad.h"
#include "lln/model.h"
#include "deploy/rt_image.h"

#define TOL_F32 1e-5
#define TOL_F64 1e-10

typedef struct {
    double err;       /* max abs error over every compared quantity */
    const char *what; /* which quantity had it */
    char problem[600];
} result_t;

static const char *cfg_str(const lln_case_t *c, const char *k, const char *dflt)
{
    const char *v = lln__case_get(c, k);
    return v ? v : dflt;
}

static double cfg_num(const lln_case_t *c, const char *k, double dflt)
{
    const char *v = lln__case_get(c, k);
    return v && strcmp(v, "none") != 0 ? strtod(v, NULL) : dflt;
}

static void opts_from_case(const lln_case_t *c, lln_import_opts_t *o)
{
    lln_import_opts_default(o);
    const char *kind = cfg_str(c, "kind", "ltc");
    o->cell = strcmp(kind, "ltc") == 0 ? "ltc" : strcmp(kind, "cfc") == 0 ? "cfc" : "wired_cfc";
    o->positivity =
        cfg_num(c, "implicit_param_constraints", 1) != 0 ? LLN_POS_SOFTPLUS : LLN_POS_IDENTITY;
    o->ode_unfolds = (int)cfg_num(c, "ode_unfolds", 6);
    o->epsilon = cfg_num(c, "epsilon", 1e-8);
    o->output_size = (int)cfg_num(c, "output_size", 0);
    const char *mode = cfg_str(c, "mode", "default");
    o->mode = strcmp(mode, "no_gate") == 0 ? LLN_CFC_NO_GATE
              : strcmp(mode, "pure") == 0  ? LLN_CFC_PURE
                                           : LLN_CFC_DEFAULT;
    o->mode_given = 1;
    static const char *const acts[] = {"lecun_tanh", "tanh", "relu", "silu", "gelu"};
    const char *act = cfg_str(c, "activation", "lecun_tanh");
    for (int i = 0; i < 5; i++)
        if (strcmp(act, acts[i]) == 0)
            o->activation = (lln_activation_t)i;
    o->backbone_dropout = cfg_num(c, "backbone_dropout", 0);
}

/* The wiring spec a case's wiring_* keys describe (ncps constructor arguments). */
static int spec_from_case(const lln_case_t *c, lln_wiring_spec_t *s)
{
    lln_wiring_kind_t kind;
    const char *w = lln__case_get(c, "wiring");
    if (w == NULL || lln_wiring_kind_parse(w, &kind) != LLN_OK)
        return 0;
    lln_wiring_spec_default(s, kind);
    s->units = (int)cfg_num(c, "wiring_units", 0);
    s->output_dim = (int)cfg_num(c, "wiring_output_dim", cfg_num(c, "wiring_output_size", 0));
    s->self_connections = (int)cfg_num(c, "wiring_self_connections", 1);
    s->sparsity = cfg_num(c, "wiring_sparsity_level", s->sparsity);
    s->inter = (int)cfg_num(c, "wiring_inter", 0);
    s->command = (int)cfg_num(c, "wiring_command", 0);
    s->motor = (int)cfg_num(c, "wiring_motor", 0);
    s->sensory_fanout = (int)cfg_num(c, "wiring_sensory_fanout", 0);
    s->inter_fanout = (int)cfg_num(c, "wiring_inter_fanout", 0);
    s->recurrent_command = (int)cfg_num(c, "wiring_recurrent_command_synapses", 0);
    s->motor_fanin = (int)cfg_num(c, "wiring_motor_fanin", 0);
    double seed = cfg_num(c, "wiring_seed", -1);
    seed = seed >= 0 ? seed : cfg_num(c, "wiring_random_seed", -1);
    seed = seed >= 0 ? seed : cfg_num(c, "wiring_erev_init_seed", -1);
    if (seed >= 0)
        s->seed = (unsigned long long)seed;
    return 1;
}

static int same_matrix(const signed char *a, const lln_case_tensor_t *t, size_t n)
{
    if (t == NULL || t->count != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((double)a[i] != t->data[i])
            return 0;
    return 1;
}

/* Returns 0 and fills r->problem when the regenerated wiring differs from the stored one. */
static int check_wiring(const lln_case_t *c, result_t *r)
{
    lln_wiring_spec_t spec;
    const lln_case_tensor_t *adj = lln__case_tensor(c, "wiring.adjacency_matrix");
    if (adj == NULL || !spec_from_case(c, &spec))
        return 1;
    lln_wiring_t w;
    lln_error_t err;
    int in = (int)cfg_num(c, "input_size", 0);
    if (lln_wiring_build(&spec, in, &w, &err) != LLN_OK) {
        snprintf(r->problem, sizeof r->problem, "wiring: %s", err.msg);
        return 0;
    }
    size_t n = (size_t)w.units;
    int ok = same_matrix(w.adjacency, adj, n * n) &&
             same_matrix(w.sensory, lln__case_tensor(c, "wiring.sensory_adjacency_matrix"),
                         (size_t)in * n);
    lln_wiring_free(&w);
    if (!ok)
        snprintf(r->problem, sizeof r->problem, "regenerated wiring differs from ncps's");
    return ok;
}

static void track(result_t *r, const char *what, const double *ref, const void *got, int f64,
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double g = f64 ? ((const double *)got)[i] : (double)((const float *)got)[i];
        double e = fabs(g - ref[i]);
        if (!(e <= r->err)) { /* also catches NaN */
            r->err = isnan(e) ? INFINITY : e;
            r->what = what;
        }
    }
}

/* Gradient error of one tensor, scaled by max(1, max |ref|) as the golden README says. */
static void track_grad(result_t *r, const char *what, const double *ref, const void *got, int f64,
                       size_t n)
{
    double scale = 1, e = 0;
    for (size_t i = 0; i < n; i++)
        scale = fabs(ref[i]) > scale ? fabs(ref[i]) : scale;
    for (size_t i = 0; i < n; i++) {
        double g = f64 ? ((const double *)got)[i] : (double)((const float *)got)[i];
        double d = fabs(g - ref[i]) / scale;
        e = d > e || isnan(d) ? (isnan(d) ? INFINITY : d) : e;
    }
    if (!(e <= r->err)) {
        r->err = e;
        r->what = what;
    }
}

typedef struct {
    size_t B, T, I, O, N;
    const lln_case_tensor_t *input, *ts, *h0, *c0, *target;
} io_t;

static void *to_real(const double *v, size_t n, int f64)
{
    void *p = malloc((n ? n : 1) * (f64 ? sizeof(double) : sizeof(float)));
    for (size_t i = 0; p && i < n; i++) {
        if (f64)
            ((double *)p)[i] = v[i];
        else
            ((float *)p)[i] = (float)v[i];
    }
    return p;
}

/* Runs the case's batch in one precision and compares with the f64.* references. */
static int run_precision(const lln_model_t *m, const lln_case_t *c, const io_t *io, int f64,
                         result_t *r)
{
    lln_state_t *s;
    if (lln_state_create(m, f64 ? LLN_F64 : LLN_F32, (int)io->B, &s) != LLN_OK)
        return 0;
    size_t ny = io->B * io->T * io->O, ns = io->B * io->T * io->N, nh = io->B * io->N;
    size_t es = f64 ? sizeof(double) : sizeof(float);
    void *x = to_real(io->input->data, io->input->count, f64);
    void *dt = io->ts ? to_real(io->ts->data, io->ts->count, f64) : NULL;
    void *h0 = to_real(io->h0->data, nh, f64), *c0 = io->c0 ? to_real(io->c0->data, nh, f64) : NULL;
    void *y = malloc(ny * es), *st = malloc(ns * es), *hf = malloc(nh * es), *cf = malloc(nh * es);
    int ok = x && h0 && y && st && hf && cf && (!io->ts || dt) && (!io->c0 || c0);
    ok = ok && lln_state_set(s, h0, c0) == LLN_OK;
    if (ok)
        ok = (f64 ? lln_sequence_f64(m, s, (int)io->T, x, dt, y, st)
                  : lln_sequence(m, s, (int)io->T, x, dt, y, st)) == LLN_OK;
    ok = ok && lln_state_get(s, hf, io->c0 ? cf : NULL) == LLN_OK;
    if (ok) {
        const lln_case_tensor_t *ro = lln__case_tensor(c, "f64.outputs");
        const lln_case_tensor_t *rs = lln__case_tensor(c, "f64.states");
        const lln_case_tensor_t *rh = lln__case_tensor(c, "f64.h_final");
        const lln_case_tensor_t *rc = lln__case_tensor(c, "f64.c_final");
        const lln_case_tensor_t *rl = lln__case_tensor(c, "f64.loss");
        ok = ro && rs && rh && ro->count == ny && rs->count == ns && rh->count == nh;
        if (ok) {
            track(r, "outputs", ro->data, y, f64, ny);
            track(r, "states", rs->data, st, f64, ns);
            track(r, "h_final", rh->data, hf, f64, nh);
            if (rc && io->c0)
                track(r, "c_final", rc->data, cf, f64, nh);
            if (rl && io->target && io->target->count == ny) {
                double loss = 0;
                for (size_t i = 0; i < ny; i++) {
                    double g = f64 ? ((double *)y)[i] : ((float *)y)[i];
                    loss += (g - io->target->data[i]) * (g - io->target->data[i]);
                }
                loss /= (double)ny;
                track(r, "loss", rl->data, &loss, 1, 1);
            }
        } else {
            snprintf(r->problem, sizeof r->problem, "reference tensors missing or mis-sized");
        }
    } else if (r->problem[0] == '\0') {
        snprintf(r->problem, sizeof r->problem, "%s run failed", f64 ? "float64" : "float32");
    }
    free(x), free(dt), free(h0), free(c0), free(y), free(st), free(hf), free(cf);
    lln_state_free(s);
    return ok;
}

/* Compares the parameter gradients with the f64.grad.<key> references; fills r->problem for
 * a trainable tensor without reference or a reference without tensor, and for a mask or
 * normalisation tensor whose gradient is not exactly zero. */
static int compare_params(const lln_model_t *m, const lln_case_t *c, const double *grad,
                          result_t *r)
{
    char key[160];
    size_t refs = 0;
    for (size_t i = 0; i < c->ntensors; i++)
        if (strncmp(c->tensors[i].name, "f64.grad.", 9) == 0)
            refs++;
    for (size_t k = 0; k < lln_model_tensor_count(m); k++) {
        const lln_tensor_info_t *t = lln_model_tensor(m, k);
        snprintf(key, sizeof key, "f64.grad.%s", t->name);
        const lln_case_tensor_t *ref = lln__case_tensor(c, key);
        if (!(t->flags & LLN_TENSOR_TRAINABLE)) {
            for (size_t i = 0; i < t->count; i++)
                if (grad[t->offset + i] != 0.0) {
                    snprintf(r->problem, sizeof r->problem, "gradient of '%s' is not zero",
                             t->name);
                    return 0;
                }
            continue;
        }
        if (ref == NULL || ref->count != t->count) {
            snprintf(r->problem, sizeof r->problem, "no reference gradient of size %zu for '%s'",
                     t->count, t->name);
            return 0;
        }
        refs--;
        track_grad(r, t->name, ref->data, grad + t->offset, 1, t->count);
    }
    refs -= lln__case_tensor(c, "f64.grad.input") != NULL;
    refs -= lln__case_tensor(c, "f64.grad.h0") != NULL;
    refs -= lln__case_tensor(c, "f64.grad.c0") != NULL;
    if (refs != 0) {
        snprintf(r->problem, sizeof r->problem, "%zu reference gradient(s) match no tensor", refs);
        return 0;
    }
    return 1;
}

/* The gradient tape in one precision on the case's MSE loss: its forward outputs against the
 * references (into rf), then every gradient (into r). */
static int run_grad(const lln_model_t *m, const lln_case_t *c, const io_t *io, int f64,
                    result_t *rf, result_t *r)
{
    lln_tape_t *tp = NULL;
    size_t ny = io->B * io->T * io->O, nh = io->B * io->N, nx = io->input->count;
    size_t es = f64 ? sizeof(double) : sizeof(float), np = lln_model_param_count(m);
    const lln_case_tensor_t *ro = lln__case_tensor(c, "f64.outputs");
    const lln_case_tensor_t *rx = lln__case_tensor(c, "f64.grad.input");
    const lln_case_tensor_t *rh = lln__case_tensor(c, "f64.grad.h0");
    const lln_case_tensor_t *rc = lln__case_tensor(c, "f64.grad.c0");
    void *x = to_real(io->input->data, nx, f64);
    void *dt = io->ts ? to_real(io->ts->data, io->ts->count, f64) : NULL;
    void *h0 = to_real(io->h0->data, nh, f64), *c0 = io->c0 ? to_real(io->c0->data, nh, f64) : NULL;
    void *y = malloc(ny * es), *dy = malloc(ny * es), *dx = malloc(nx * es);
    void *dh0 = malloc(nh * es), *dc0 = malloc(nh * es);
    double *grad = calloc(np, sizeof *grad);
    int ok = x && h0 && y && dy && dx && dh0 && dc0 && grad && (!io->ts || dt) && (!io->c0 || c0) &&
             io->target && io->target->count == ny && ro && ro->count == ny;
    ok = ok && lln_tape_create(m, f64 ? LLN_F64 : LLN_F32, (int)io->B, (int)io->T, &tp) == LLN_OK;
    if (ok)
        ok = (f64 ? lln_tape_forward_f64(tp, (int)io->B, (int)io->T, x, dt, h0, c0, y)
                  : lln_tape_forward(tp, (int)io->B, (int)io->T, x, dt, h0, c0, y)) == LLN_OK;
    if (ok) {
        track(rf, "tape outputs", ro->data, y, f64, ny);
        for (size_t i = 0; i < ny; i++) { /* d mean((y - target)^2) / dy */
            double g = f64 ? ((double *)y)[i] : ((float *)y)[i];
            double d = 2.0 * (g - io->target->data[i]) / (double)ny;
            if (f64)
                ((double *)dy)[i] = d;
            else
                ((float *)dy)[i] = (float)d;
        }
        ok = (f64 ? lln_tape_backward_f64(tp, dy, grad, dx, dh0, io->c0 ? dc0 : NULL)
                  : lln_tape_backward(tp, dy, grad, dx, dh0, io->c0 ? dc0 : NULL)) == LLN_OK;
    }
    if (ok && (!rx || rx->count != nx || !rh || rh->count != nh || (io->c0 && !rc))) {
        snprintf(r->problem, sizeof r->problem, "reference input/state gradients missing");
        ok = 0;
    }
    if (ok) {
        track_grad(r, "grad.input", rx->data, dx, f64, nx);
        track_grad(r, "grad.h0", rh->data, dh0, f64, nh);
        if (io->c0)
            track_grad(r, "grad.c0", rc->data, dc0, f64, nh);
        ok = compare_params(m, c, grad, r);
    } else if (r->problem[0] == '\0') {
        snprintf(r->problem, sizeof r->problem, "%s gradient run failed",
                 f64 ? "float64" : "float32");
    }
    free(x), free(dt), free(h0), free(c0), free(y), free(dy), free(dx), free(dh0), free(dc0);
    free(grad);
    lln_tape_free(tp);
    return ok;
}

static int load_io(const lln_case_t *c, const lln_model_t *m, io_t *io, result_t *r)
{
    io->B = (size_t)cfg_num(c, "batch", 0);
    io->T = (size_t)cfg_num(c, "seq_len", 0);
    io->I = (size_t)lln_model_input_size(m);
    io->O = (size_t)lln_model_output_size(m);
    io->N = (size_t)lln_model_state_size(m);
    io->input = lln__case_tensor(c, "input");
    io->ts = cfg_num(c, "has_timespans", 0) != 0 ? lln__case_tensor(c, "timespans") : NULL;
    io->h0 = lln__case_tensor(c, "h0");
    io->c0 = lln_model_memory_size(m) ? lln__case_tensor(c, "c0") : NULL;
    io->target = lln__case_tensor(c, "target");
    int ok = io->input && io->input->count == io->B * io->T * io->I && io->h0 &&
             io->h0->count == io->B * io->N && (!io->ts || io->ts->count == io->B * io->T) &&
             (lln_model_memory_size(m) == 0 || (io->c0 && io->c0->count == io->B * io->N));
    if (!ok)
        snprintf(r->problem, sizeof r->problem, "input/h0/c0/timespans missing or mis-sized");
    return ok;
}

/* The firmware runtime (float32, runtime/lln_rt.c) on the same case, one sample at a time. */
static int run_runtime(const lln_model_t *m, const lln_case_t *c, const io_t *io, result_t *r)
{
    lln_rt_image_t img;
    if (lln__rt_image_build(m, &img, NULL) != LLN_OK)
        return 0;
    const lln_rt_model_t *rt = &img.model;
    const lln_case_tensor_t *ro = lln__case_tensor(c, "f64.outputs");
    const lln_case_tensor_t *rs = lln__case_tensor(c, "f64.states");
    float *st = calloc(rt->state_floats, sizeof *st), *w = calloc(rt->scratch_floats, sizeof *w);
    float *x = calloc(io->I, sizeof *x), *y = calloc(io->O, sizeof *y);
    int ok = st && w && x && y && ro && rs;
    for (size_t b = 0; ok && b < io->B; b++) {
        for (size_t j = 0; j < io->N; j++) {
            st[j] = (float)io->h0->data[b * io->N + j];
            if (io->c0)
                st[io->N + j] = (float)io->c0->data[b * io->N + j];
        }
        for (size_t t = 0; ok && t < io->T; t++) {
            size_t bt = b * io->T + t;
            for (size_t i = 0; i < io->I; i++)
                x[i] = (float)io->input->data[bt * io->I + i];
            float dt = io->ts ? (float)io->ts->data[bt] : 1.0f;
            ok = lln_rt_step(rt, st, x, dt, y, w) == LLN_RT_OK;
            track(r, "rt outputs", ro->data + bt * io->O, y, 0, io->O);
            track(r, "rt states", rs->data + bt * io->N, st, 0, io->N);
        }
    }
    free(st), free(w), free(x), free(y);
    lln__rt_image_free(&img);
    if (!ok)
        snprintf(r->problem, sizeof r->problem, "firmware runtime run failed");
    return ok;
}

/* Returns 1 when the case passes in both precisions and in the firmware runtime. */
static int run_case(const char *path, const char *name)
{
    lln_case_t c;
    lln_error_t err = {LLN_OK, ""};
    result_t r32 = {0, "-", ""}, r64 = {0, "-", ""}, rrt = {0, "-", ""};
    result_t g32 = {0, "-", ""}, g64 = {0, "-", ""};
    lln_model_t *m = NULL;
    io_t io;
    int ok = lln__case_load(path, &c, &err) == LLN_OK;
    if (!ok) {
        printf("%-32s FAIL  %s\n", name, err.msg);
        return 0;
    }
    lln_import_opts_t o;
    opts_from_case(&c, &o);
    ok = lln__model_from_tensors(&c, &o, 0, path, &m, &err) == LLN_OK;
    if (!ok)
        snprintf(r32.problem, sizeof r32.problem, "%s", err.msg);
    ok = ok && check_wiring(&c, &r32) && load_io(&c, m, &io, &r32);
    ok = ok && run_precision(m, &c, &io, 0, &r32) && run_precision(m, &c, &io, 1, &r64) &&
         run_runtime(m, &c, &io, &rrt) && run_grad(m, &c, &io, 0, &r32, &g32) &&
         run_grad(m, &c, &io, 1, &r64, &g64);
    int pass = ok && r32.err <= TOL_F32 && r64.err <= TOL_F64 && rrt.err <= TOL_F32 &&
               g32.err <= TOL_F32 && g64.err <= TOL_F64;
    if (ok)
        printf("%-30s f32 %.1e  f64 %.1e  firmware f32 %.1e  grad f32 %.1e  f64 %.1e  %s%s%s\n",
               name, r32.err, r64.err, rrt.err, g32.err, g64.err, pass ? "PASS" : "FAIL",
               pass ? "" : "  worst grad: ",
               pass                ? ""
               : g32.err > TOL_F32 ? g32.what
                                   : g64.what);
    else
        printf("%-32s FAIL  %s%s%s%s\n", name, r32.problem, r64.problem, g32.problem, g64.problem);
    lln_model_free(m);
    lln__case_free(&c);
    return pass;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: lln_golden DIR   (a folder of <case>/case.txt, or one case)\n");
        return argc == 2 ? 0 : 2;
    }
    char path[4096];
    struct stat sb;
    if (stat(argv[1], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "SKIP: %s is not a folder (is ../shared present?)\n", argv[1]);
        return 77;
    }
    int passed = 0, failed = 0;
    snprintf(path, sizeof path, "%s/case.txt", argv[1]);
    if (stat(path, &sb) == 0) {
        run_case(path, argv[1]) ? passed++ : failed++;
    } else {
        DIR *d = opendir(argv[1]);
        char *names[4096];
        int n = 0;
        for (struct dirent *e; d && (e = readdir(d)) != NULL && n < 4096;) {
            snprintf(path, sizeof path, "%s/%s/case.txt", argv[1], e->d_name);
            if (e->d_name[0] != '.' && stat(path, &sb) == 0)
                names[n++] = strdup(e->d_name);
        }
        if (d)
            closedir(d);
        qsort(names, (size_t)n, sizeof names[0], cmp_names);
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/%s/case.txt", argv[1], names[i]);
            run_case(path, names[i]) ? passed++ : failed++;
            free(names[i]);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
