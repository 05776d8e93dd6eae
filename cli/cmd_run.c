/* lln run: stream CSV rows through a model. One output row per input row, written and
 * flushed as soon as the row is read, so the command can sit in a pipe next to a robot. */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "os.h"

static const char RUN_HELP[] =
    "usage: lln run MODEL.lln [--input CSV|-] [--dt VALUE | --dt-column NAME] [OPTIONS]\n\n"
    "Reads rows of input features (CSV, first line a header) and writes one row of outputs per\n"
    "input row, flushed per row. Every column except the Δt column is an input feature, in\n"
    "order; their number must equal the model's inputs. The hidden state carries over from row\n"
    "to row, starting at zero.\n\n"
    "  -i, --input FILE     CSV to read ('-' or absent: standard input)\n"
    "      --dt VALUE       elapsed time of every step (default 1.0; must be > 0)\n"
    "      --dt-column NAME take each row's elapsed time from this column (irregular sampling)\n"
    "      --no-header      the input has no header line and no header is written\n"
    "      --f64            compute in float64 (default float32)\n"
    "      --state          also write the hidden state after each step (columns h0..)\n"
    "  -o, --output FILE    write to FILE (atomically, at the end) instead of standard output\n"
    "  -h, --help           this text\n";

typedef struct {
    const char *model, *input, *output, *dt_column;
    double dt;
    int no_header, f64, state;
} run_args_t;

typedef struct {
    const char *src; /* for messages */
    long line;
    int ncols, dt_col; /* dt_col = -1 when dt is constant */
    char **f;          /* field pointers into the current line, fcap of them */
    size_t fcap;
} csv_t;

/* Splits line at commas in place (quotes around a field are dropped), growing c->f to hold
 * every field (up to LLN_MAX_DIM + 1: a model's inputs and a Δt column). Returns the number of
 * fields, LLN_MAX_DIM + 2 for "more than that" (then c->f is not filled), -1 when out of memory. */
static int split(csv_t *c, char *line)
{
    size_t need = 1;
    for (const char *q = line; (q = strchr(q, ',')) != NULL; q++)
        need++;
    if (need > (size_t)LLN_MAX_DIM + 1)
        return LLN_MAX_DIM + 2; /* more fields than any model has inputs: not split */
    if (need > c->fcap) {
        char **nf = realloc(c->f, need * sizeof *nf);
        if (nf == NULL)
            return -1;
        c->f = nf;
        c->fcap = need;
    }
    int n = 0;
    for (char *p = line;; n++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        size_t fl = strlen(p);
        if (fl >= 2 && p[0] == '"' && p[fl - 1] == '"') {
            p[fl - 1] = '\0';
            p++;
        }
        c->f[n] = p;
        if (!comma)
            return n + 1;
        p = comma + 1;
    }
}

/* Reads one line ending in LF, CRLF or a lone CR (the line ends the data reader accepts) into
 * *buf without its end. A CR is taken as the end at once and a LF right after it is skipped on
 * the next call, so a row is answered as soon as it arrives through a pipe. Returns the length,
 * or -1 at end of input (or a read error: see ferror) or when out of memory. */
static long read_line(FILE *in, char **buf, size_t *cap, int *after_cr)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(in)) != EOF) {
        if (*after_cr && ch == '\n' && n == 0) {
            *after_cr = 0;
            continue;
        }
        *after_cr = ch == '\r';
        if (ch == '\n' || ch == '\r')
            break;
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *nb = realloc(*buf, nc);
            if (nb == NULL)
                return -1;
            *buf = nb, *cap = nc;
        }
        (*buf)[n++] = (char)ch;
    }
    if (ch == EOF && n == 0)
        return -1;
    if (*buf == NULL && (*buf = malloc(1)) != NULL)
        *cap = 1;
    if (*buf == NULL)
        return -1;
    (*buf)[n] = '\0';
    return (long)n;
}

static int parse_header(csv_t *c, char *line, const run_args_t *a, int inputs)
{
    int n = split(c, line);
    if (n < 0) {
        cli_error("run", "%s:1: out of memory", c->src);
        return 0;
    }
    c->ncols = n;
    c->dt_col = -1;
    if (a->dt_column) {
        for (int i = 0; i < n; i++)
            if (strcmp(c->f[i], a->dt_column) == 0)
                c->dt_col = i;
        if (c->dt_col < 0) {
            cli_error("run", "%s:1: no column named '%s' in the header", c->src, a->dt_column);
            return 0;
        }
    }
    int features = n - (c->dt_col >= 0);
    if (features != inputs) {
        cli_error("run", "%s:1: %s%d feature columns, but the model has %d inputs", c->src,
                  n > LLN_MAX_DIM + 1 ? "more than " : "", features, inputs);
        return 0;
    }
    return 1;
}

/* Parses one data row into x (inputs) and *dt. f32: values must fit a float32. Returns 0 after
 * printing an error. */
static int parse_row(csv_t *c, char *line, double *x, double *dt, double dt_const, int f32)
{
    int n = split(c, line);
    if (n < 0) {
        cli_error("run", "%s:%ld: out of memory", c->src, c->line);
        return 0;
    }
    if (n != c->ncols) {
        cli_error("run", "%s:%ld: %s%d fields, expected %d", c->src, c->line,
                  n > c->ncols ? "more than " : "", n > c->ncols ? c->ncols : n, c->ncols);
        return 0;
    }
    *dt = dt_const;
    for (int i = 0, k = 0; i < n; i++) {
        char *end, *fi = c->f[i];
        errno = 0;
        double v = strtod(fi, &end);
        if (end == fi || *end != '\0' || errno == ERANGE || !isfinite(v)) {
            cli_error("run", "%s:%ld: column %d: '%s' is not a finite number", c->src, c->line,
                      i + 1, fi);
            return 0;
        }
        if (f32 && fabs(v) > FLT_MAX) {
            cli_error("run", "%s:%ld: column %d: %s is beyond the float32 range (+-%g); use --f64",
                      c->src, c->line, i + 1, fi, (double)FLT_MAX);
            return 0;
        }
        if (i == c->dt_col) {
            if (!(v > 0)) {
                cli_error("run", "%s:%ld: column %d: elapsed time %g must be > 0", c->src, c->line,
                          i + 1, v);
                return 0;
            }
            *dt = v;
        } else {
            x[k++] = v;
        }
    }
    return 1;
}

static void write_header(FILE *out, int O, int N, int with_state)
{
    for (int o = 0; o < O; o++)
        fprintf(out, "%sy%d", o ? "," : "", o);
    for (int j = 0; with_state && j < N; j++)
        fprintf(out, ",h%d", j);
    fputc('\n', out);
}

typedef struct {
    lln_model_t *m;
    lln_state_t *s;
    int f64, I, O, N;
    double *x, *y, *h;
    float *xf, *yf, *hf;
} stream_t;

static int step_row(stream_t *st, double dt, FILE *out, int with_state)
{
    lln_status_t rc;
    if (st->f64) {
        rc = lln_step_f64(st->m, st->s, st->x, dt, st->y);
        if (rc == LLN_OK && with_state)
            rc = lln_state_get(st->s, st->h, NULL);
    } else {
        for (int i = 0; i < st->I; i++)
            st->xf[i] = (float)st->x[i];
        rc = lln_step(st->m, st->s, st->xf, (float)dt, st->yf);
        if (rc == LLN_OK && with_state)
            rc = lln_state_get(st->s, st->hf, NULL);
        for (int o = 0; o < st->O; o++)
            st->y[o] = st->yf[o];
        for (int j = 0; with_state && j < st->N; j++)
            st->h[j] = st->hf[j];
    }
    if (rc != LLN_OK)
        return (int)rc;
    int digits = st->f64 ? 17 : 9; /* round-trip precision of the type computed in */
    for (int o = 0; o < st->O; o++) {
        if (o)
            fputc(',', out);
        fprintf(out, "%.*g", digits, st->y[o]);
    }
    for (int j = 0; with_state && j < st->N; j++) {
        fputc(',', out);
        fprintf(out, "%.*g", digits, st->h[j]);
    }
    fputc('\n', out);
    return fflush(out) == 0 ? 0 : -1;
}

static int stream(const run_args_t *a, stream_t *st, FILE *in, FILE *out)
{
    csv_t c = {a->input ? a->input : "<stdin>", 0, 0, -1, NULL, 0};
    char *line = NULL;
    size_t cap = 0;
    int ok = 1, header_done = a->no_header, after_cr = 0;
    if (a->no_header) {
        c.ncols = st->I;
        if (a->dt_column) {
            cli_error("run", "--dt-column needs a header line (drop --no-header)");
            return 0;
        }
    } else {
        write_header(out, st->O, st->N, a->state);
    }
    while (ok && read_line(in, &line, &cap, &after_cr) >= 0) {
        c.line++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue; /* blank line */
        if (!header_done) {
            ok = parse_header(&c, line, a, st->I);
            header_done = 1;
            continue;
        }
        double dt;
        ok = parse_row(&c, line, st->x, &dt, a->dt, !st->f64);
        int rc = ok ? step_row(st, dt, out, a->state) : 0;
        if (rc > 0)
            cli_error("run", "%s:%ld: %s", c.src, c.line, lln_strerror((lln_status_t)rc));
        else if (rc < 0)
            cli_error("run", "%s: cannot write output (row %ld of %s): %s",
                      a->output ? a->output : "<stdout>", c.line, c.src, strerror(errno));
        ok = ok && rc == 0;
    }
    if (ok && ferror(in)) {
        cli_error("run", "%s: read error: %s", c.src, strerror(errno));
        ok = 0;
    }
    free(line);
    free(c.f);
    return ok;
}

static int parse_args(int argc, char **argv, run_args_t *a)
{
    static const struct option opts[] = {
        {"input", required_argument, 0, 'i'},
        {"dt", required_argument, 0, 'd'},
        {"dt-column", required_argument, 0, 'D'},
        {"no-header", no_argument, 0, 'n'},
        {"f64", no_argument, 0, 'f'},
        {"state", no_argument, 0, 's'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int opt, dt_given = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(RUN_HELP, stdout); return -1;
        case 'i': a->input = strcmp(optarg, "-") == 0 ? NULL : optarg; break;
        case 'o': a->output = optarg; break;
        case 'D': a->dt_column = optarg; break;
        case 'n': a->no_header = 1; break;
        case 'f': a->f64 = 1; break;
        case 's': a->state = 1; break;
        case 'd':
            if (!cli_parse_double("run", "--dt", optarg, &a->dt) || !(a->dt > 0)) {
                cli_error("run", "--dt must be a number > 0");
                return 0;
            }
            dt_given = 1;
            break;
        default: return 0;
        }
    }
    if (dt_given && a->dt_column) {
        cli_error("run", "give either --dt or --dt-column, not both");
        return 0;
    }
    if (optind != argc - 1) {
        cli_error("run", "expected exactly one model file");
        return 0;
    }
    a->model = argv[optind];
    return 1;
}

static int alloc_stream(stream_t *st)
{
    size_t I = (size_t)st->I, O = (size_t)st->O, N = (size_t)st->N;
    st->x = calloc(I, sizeof *st->x);
    st->y = calloc(O, sizeof *st->y);
    st->h = calloc(N, sizeof *st->h);
    st->xf = calloc(I, sizeof *st->xf);
    st->yf = calloc(O, sizeof *st->yf);
    st->hf = calloc(N, sizeof *st->hf);
    return st->x && st->y && st->h && st->xf && st->yf && st->hf &&
           lln_state_create(st->m, st->f64 ? LLN_F64 : LLN_F32, 1, &st->s) == LLN_OK;
}

static void free_stream(stream_t *st)
{
    free(st->x), free(st->y), free(st->h), free(st->xf), free(st->yf), free(st->hf);
    lln_state_free(st->s);
    lln_model_free(st->m);
}

/* Output to a file goes to a temporary name first, renamed when the run succeeded. */
static int finish_output(FILE *out, const char *tmp, const char *path, int ok)
{
    if (out == stdout) {
        if (ok && (fflush(stdout) != 0 || ferror(stdout))) {
            cli_error("run", "<stdout>: cannot write output: %s", strerror(errno));
            ok = 0;
        }
        return ok;
    }
    int wrote = !ok || cli_sync_file(out) == 0;
    wrote = (fclose(out) == 0) && wrote;
    if (ok && !wrote)
        cli_error("run", "%s: cannot write output: %s", path, strerror(errno));
    ok = ok && wrote;
    if (ok && cli_replace_file(tmp, path) != 0) {
        cli_error("run", "%s: cannot rename: %s", path, strerror(errno));
        ok = 0;
    }
    if (!ok)
        (void)remove(tmp);
    return ok;
}

int cmd_run(int argc, char **argv)
{
    run_args_t a = {NULL, NULL, NULL, NULL, 1.0, 0, 0, 0};
    int pr = parse_args(argc, argv, &a);
    if (pr <= 0)
        return pr < 0 ? EXIT_OK : cli_usage_error("run");
    stream_t st;
    memset(&st, 0, sizeof st);
    if ((st.m = cli_load_model("run", a.model)) == NULL)
        return EXIT_FAIL;
    st.f64 = a.f64;
    st.I = lln_model_input_size(st.m);
    st.O = lln_model_output_size(st.m);
    st.N = lln_model_state_size(st.m);
    FILE *in = a.input ? fopen(a.input, "r") : stdin, *out = stdout;
    char tmp[4096] = "";
    if (in == NULL)
        cli_error("run", "%s: cannot open: %s", a.input, strerror(errno));
    if (in && a.output) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a.output, cli_pid());
        if ((out = fopen(tmp, "w")) == NULL)
            cli_error("run", "%s: cannot create: %s", tmp, strerror(errno));
    }
    int ok = in && out && alloc_stream(&st);
    ok = ok && stream(&a, &st, in, out);
    if (out)
        ok = finish_output(out, tmp, a.output, ok);
    if (in && in != stdin)
        fclose(in);
    free_stream(&st);
    return ok ? EXIT_OK : EXIT_FAIL;
}
