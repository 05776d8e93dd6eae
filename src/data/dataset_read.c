/* Reading a dataset: the header's columns get roles (feature, target, sequence, split, time,
 * Δt), every row is checked and stored as float64, sequences are cut, Δt derived. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/csv.h"
#include "data_internal.h"
#include "common/alloc.h"
#include "common/platform.h"

enum role { R_NONE, R_FEATURE, R_TARGET, R_SEQ, R_SPLIT, R_TIME, R_DT, R_IGNORE };
static const char *const ROLE_NAMES[] = {"",      "feature", "target", "sequence",
                                         "split", "time",    "dt",     "ignored"};

typedef struct reader {
    lln_csv_t *csv;
    const lln_csv_spec_t *spec;
    lln_dataset_t *ds;
    int ncols;
    int *role;        /* per column */
    int *fcol, *tcol; /* column of feature i, of target j */
    int seqcol, splitcol, timecol, dtcol;
    double scale;
    size_t cap;            /* rows allocated */
    lln__strmap_t columns; /* header name -> column */
    lln__strmap_t seen;    /* ids of sequences that ended */
    lln__strmap_t labels;  /* text label -> id in order of appearance */
    double prev_time;
    double max_label;
} reader_t;

int lln__parse_split(const char *s)
{
    static const struct {
        const char *name;
        int split;
    } names[] = {{"train", 0}, {"0", 0}, {"valid", 1}, {"validation", 1},
                 {"val", 1},   {"1", 1}, {"test", 2},  {"2", 2}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].split;
    return -1;
}

void lln_csv_spec_default(lln_csv_spec_t *spec)
{
    if (spec == NULL)
        return;
    memset(spec, 0, sizeof *spec);
    spec->time_scale = 1.0;
    spec->dt_default = 0.0; /* automatic: the median, or 1.0 */
    spec->labels = LLN_LABELS_NONE;
}

void lln_dataset_free(lln_dataset_t *ds)
{
    if (ds == NULL)
        return;
    for (int i = 0; ds->names != NULL && i < ds->I + ds->O; i++)
        lln__free(ds->names[i]);
    for (int k = 0; ds->class_names != NULL && k < ds->classes; k++)
        lln__free(ds->class_names[k]);
    for (int s = 0; s < ds->nseq; s++)
        lln__free(ds->seq[s].name);
    lln__free(ds->names);
    lln__free(ds->class_names);
    lln__free(ds->seq);
    lln__free(ds->x);
    lln__free(ds->y);
    lln__free(ds->dt);
    lln__free(ds->line);
    lln__free(ds->split);
    lln__free(ds->win);
    lln__free(ds->source);
    lln__free(ds);
}

/* ---- the header ------------------------------------------------------------------------ */

static lln_status_t check_spec(const lln_csv_spec_t *s, const char *name, lln_error_t *err)
{
    if (s->target_shift < 0 || s->target_shift > 1000000000)
        return lln_error_set(err, LLN_E_ARG, "%s: target shift %d is not in [0, 1e9]", name,
                             s->target_shift);
    if (s->target_shift > 0 && s->ntargets == 0)
        return lln_error_set(err, LLN_E_ARG, "%s: a target shift needs target columns", name);
    if ((s->nfeatures > 0 && s->features == NULL) || (s->ntargets > 0 && s->targets == NULL) ||
        (s->nignore > 0 && s->ignore == NULL) || s->nfeatures < 0 || s->ntargets < 0 ||
        s->nignore < 0)
        return lln_error_set(err, LLN_E_ARG, "%s: column lists and their counts disagree", name);
    if (s->time != NULL && s->dt != NULL)
        return lln_error_set(err, LLN_E_ARG, "%s: give a time column or a dt column, not both",
                             name);
    if (!isfinite(s->time_scale) || s->time_scale < 0 || !isfinite(s->dt_default) ||
        s->dt_default < 0 || (s->dt_default > 0 && s->dt_default < LLN_DT_MIN))
        return lln_error_set(err, LLN_E_ARG,
                             "%s: time_scale and dt_default must be finite, >= 0 (0: automatic)"
                             " and not below %g",
                             name, LLN_DT_MIN);
    if (s->labels != LLN_LABELS_NONE && s->labels != LLN_LABELS_INT &&
        s->labels != LLN_LABELS_STRING)
        return lln_error_set(err, LLN_E_ARG, "%s: unknown label kind %d", name, (int)s->labels);
    if (s->labels != LLN_LABELS_NONE && s->ntargets < 1)
        return lln_error_set(err, LLN_E_ARG, "%s: class labels need a target column", name);
    if (s->classes < 0 || s->classes > LLN_MAX_DIM)
        return lln_error_set(err, LLN_E_ARG, "%s: classes %d is not in [0, %d]", name, s->classes,
                             LLN_MAX_DIM);
    return LLN_OK;
}

/* The header's names into rd->columns, refusing duplicates (empty names may repeat: they
 * cannot be selected). */
static lln_status_t index_header(reader_t *rd, lln_error_t *err)
{
    lln_csv_t *c = rd->csv;
    rd->ncols = lln_csv_nfields(c);
    LLN__TRY(lln_csv_keep_header(c, err)); /* first: messages then name the columns */
    for (int i = 0; i < rd->ncols; i++) {
        const char *n = lln_csv_field(c, i);
        if (n[0] == '\0')
            continue;
        int prev = lln__strmap_get(&rd->columns, n);
        if (prev >= 0)
            return lln_csv_error(c, i, err, LLN_E_FORMAT, "duplicate column name (also column %d)",
                                 prev + 1);
        if (lln__strmap_put(&rd->columns, n, i) != LLN_OK)
            return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", lln_csv_name(c));
    }
    return LLN_OK;
}

/* "a, b, c" (the header), shortened to fit a message. */
static void header_list(const reader_t *rd, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < rd->ncols && k + 8 < n; i++) {
        int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", lln_csv_header(rd->csv, i));
        if (w < 0 || (size_t)w >= n - k) {
            snprintf(buf + (n > 4 ? n - 4 : 0), n > 4 ? 4 : n, "...");
            return;
        }
        k += (size_t)w;
    }
}

/* "#N" (N = 1, 2, ...: the column numbers of messages) -> N - 1; -1 when name is not that. */
static int column_number(const char *name, int ncols)
{
    long n = 0;
    if (name[0] != '#' || name[1] == '\0')
        return -1;
    for (const char *p = name + 1; *p; p++) {
        if (*p < '0' || *p > '9' || n > ncols)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n >= 1 && n <= ncols ? (int)n - 1 : -1;
}

/* The column of a header name, else of "#N"; -1 when neither. */
static int column_of(const reader_t *rd, const char *name)
{
    int c = lln__strmap_get(&rd->columns, name);
    return c >= 0 ? c : column_number(name, rd->ncols);
}

/* Where the choice of a role's columns came from (lln_csv_spec_t.*_origin), or NULL. */
static const char *origin_of(const reader_t *rd, int role)
{
    const lln_csv_spec_t *s = rd->spec;
    const char *const by_role[] = {
        NULL,           s->features_origin, s->targets_origin, s->sequence_origin, s->split_origin,
        s->time_origin, s->dt_origin,       s->ignore_origin}; /* enum role order */
    return by_role[role];
}

/* The prefix "ORIGIN: " of a message about the columns of role, or "" (see origin_of). */
static const char *origin_prefix(const reader_t *rd, int role, char *buf, size_t cap)
{
    const char *o = origin_of(rd, role);
    if (o == NULL)
        return "";
    snprintf(buf, cap, "%s: ", o);
    return buf;
}

/* "target" or, with an origin, "target (--targets)", into buf. */
static const char *role_text(const reader_t *rd, int role, char *buf, size_t cap)
{
    const char *o = origin_of(rd, role);
    if (o == NULL)
        return ROLE_NAMES[role];
    snprintf(buf, cap, "%s (%s)", ROLE_NAMES[role], o);
    return buf;
}

/* The error for column c, which has a role, chosen again for role. */
static lln_status_t twice(const reader_t *rd, int c, int role, lln_error_t *err)
{
    char a[96], b[96];
    return lln_csv_error(rd->csv, c, err, LLN_E_ARG, "selected as %s and as %s",
                         role_text(rd, rd->role[c], a, sizeof a), role_text(rd, role, b, sizeof b));
}

/* Gives the column `name` (a header name, else "#N") a role; *col gets its number. */
static lln_status_t take(reader_t *rd, const char *name, int role, int *col, lln_error_t *err)
{
    int c = column_of(rd, name);
    if (c < 0) {
        char list[256], q[48], pre[80];
        header_list(rd, list, sizeof list);
        lln_csv_quote(name, q, sizeof q);
        return lln_error_set(err, LLN_E_NOTFOUND, "%s%s:%ld: no column named '%s' (%s: %s)",
                             origin_prefix(rd, role, pre, sizeof pre), lln_csv_name(rd->csv),
                             lln_csv_line(rd->csv), q,
                             role == R_IGNORE ? "ignore list" : ROLE_NAMES[role], list);
    }
    if (rd->role[c] != R_NONE)
        return twice(rd, c, role, err);
    rd->role[c] = role;
    if (col != NULL)
        *col = c;
    return LLN_OK;
}

/* A list of column selectors expanded to column numbers. Each selector is a column (a header
 * name, or "#N"), a range "A..B" of columns in header order (A, B names or #N, both
 * included), or a shell pattern with * ? [...] (fnmatch) that takes every matching column that
 * has no role yet. An exact header name always wins, so a column named "a*" or "x..y" is
 * still selectable. *cols (freed by the caller) gets *n numbers. */
static lln_status_t expand(reader_t *rd, const char *const *names, int count, int role, int **cols,
                           int *n, lln_error_t *err)
{
    size_t cap = (size_t)count + 1;
    *n = 0;
    *cols = lln__malloc(cap * sizeof **cols);
    if (*cols == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", rd->ds->source);
    for (int i = 0; i < count; i++) {
        const char *name = names[i], *dots = strstr(name, "..");
        int lo = column_of(rd, name), hi = lo, pattern = 0;
        if (lo < 0 && dots != NULL && dots != name && dots[2] != '\0') {
            char a[256];
            snprintf(a, sizeof a, "%.*s", (int)(dots - name), name);
            lo = column_of(rd, a);
            hi = column_of(rd, dots + 2);
            if (lo < 0 || hi < 0) /* name the end that is missing */
                return take(rd, lo < 0 ? a : dots + 2, role, NULL, err);
            if (lo > hi) {
                char pre[80];
                return lln_error_set(err, LLN_E_ARG,
                                     "%s%s: range '%s': '%s' (column %d) comes after '%s' "
                                     "(column %d) in the header",
                                     origin_prefix(rd, role, pre, sizeof pre), rd->ds->source, name,
                                     a, lo + 1, dots + 2, hi + 1);
            }
        } else if (lo < 0 && strpbrk(name, "*?[") != NULL) {
            pattern = 1, lo = 0, hi = rd->ncols - 1;
        } else if (lo < 0) {
            return take(rd, name, role, NULL, err); /* the "no column named" message */
        }
        int matched = 0;
        for (int c = lo; c <= hi; c++) {
            if (pattern &&
                (rd->role[c] != R_NONE || lln__fnmatch(name, lln_csv_header(rd->csv, c)) != 0))
                continue;
            if ((size_t)*n + 1 > cap) {
                int *g = lln__realloc(*cols, 2 * cap * sizeof *g);
                if (g == NULL)
                    return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", rd->ds->source);
                *cols = g;
                cap *= 2;
            }
            (*cols)[(*n)++] = c;
            matched++;
        }
        if (matched == 0) {
            char pre[80];
            return lln_error_set(err, LLN_E_NOTFOUND,
                                 "%s%s: pattern '%s' (%s) matches no column without another role",
                                 origin_prefix(rd, role, pre, sizeof pre), rd->ds->source, name,
                                 role == R_IGNORE ? "ignore list" : ROLE_NAMES[role]);
        }
    }
    return LLN_OK;
}

/* Gives the columns of an expanded list a role, in order. */
static lln_status_t take_cols(reader_t *rd, const int *cols, int n, int role, int *out,
                              lln_error_t *err)
{
    for (int i = 0; i < n; i++) {
        int c = cols[i];
        /* shifted targets: the current value of a target column may be an input */
        int shared = role == R_FEATURE && rd->role[c] == R_TARGET && rd->spec->target_shift > 0;
        if (rd->role[c] != R_NONE && !shared)
            return twice(rd, c, role, err);
        if (!shared)
            rd->role[c] = role;
        if (out != NULL)
            out[i] = c;
    }
    return LLN_OK;
}

static lln_status_t assign_roles(reader_t *rd, lln_error_t *err)
{
    const lln_csv_spec_t *s = rd->spec;
    lln_dataset_t *ds = rd->ds;
    rd->role = lln__calloc((size_t)rd->ncols, sizeof *rd->role);
    if (rd->role == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    rd->seqcol = rd->splitcol = rd->timecol = rd->dtcol = -1;
    if (s->sequence != NULL)
        LLN__TRY(take(rd, s->sequence, R_SEQ, &rd->seqcol, err));
    if (s->split != NULL)
        LLN__TRY(take(rd, s->split, R_SPLIT, &rd->splitcol, err));
    if (s->time != NULL)
        LLN__TRY(take(rd, s->time, R_TIME, &rd->timecol, err));
    if (s->dt != NULL)
        LLN__TRY(take(rd, s->dt, R_DT, &rd->dtcol, err));
    int nt = 0, nf = 0, *cols = NULL;
    lln_status_t st = expand(rd, s->targets, s->ntargets, R_TARGET, &rd->tcol, &nt, err);
    if (st == LLN_OK)
        st = take_cols(rd, rd->tcol, nt, R_TARGET, NULL, err);
    if (st == LLN_OK && s->labels != LLN_LABELS_NONE && nt != 1)
        st = lln_error_set(err, LLN_E_ARG,
                           "%s: class labels need exactly one target column (%d selected)",
                           ds->source, nt);
    if (st == LLN_OK && s->nfeatures == 0) { /* every remaining column that is not ignored */
        int ni = 0;
        st = expand(rd, s->ignore, s->nignore, R_IGNORE, &cols, &ni, err);
        if (st == LLN_OK)
            st = take_cols(rd, cols, ni, R_IGNORE, NULL, err);
        lln__free(cols);
        cols = NULL;
        for (int c = 0; st == LLN_OK && c < rd->ncols; c++)
            nf += rd->role[c] == R_NONE;
    } else if (st == LLN_OK) {
        st = expand(rd, s->features, s->nfeatures, R_FEATURE, &cols, &nf, err);
    }
    if (st == LLN_OK && nf == 0)
        st = lln_error_set(err, LLN_E_ARG, "%s:%ld: no feature columns", ds->source,
                           lln_csv_line(rd->csv));
    if (st == LLN_OK && (nf > LLN_MAX_DIM || nt > LLN_MAX_DIM))
        st = lln_error_set(err, LLN_E_ARG, "%s: more than %d feature or target columns", ds->source,
                           LLN_MAX_DIM);
    if (st == LLN_OK && (rd->fcol = lln__calloc((size_t)nf, sizeof *rd->fcol)) == NULL)
        st = lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    if (st == LLN_OK && s->nfeatures > 0) {
        st = take_cols(rd, cols, nf, R_FEATURE, rd->fcol, err);
    } else if (st == LLN_OK) {
        for (int c = 0, i = 0; c < rd->ncols; c++)
            if (rd->role[c] == R_NONE) {
                rd->role[c] = R_FEATURE;
                rd->fcol[i++] = c;
            }
    }
    lln__free(cols);
    if (st != LLN_OK)
        return st;
    ds->I = nf;
    ds->O = nt;
    ds->labels = s->labels;
    ds->names = lln__calloc((size_t)nf + (size_t)ds->O, sizeof *ds->names);
    if (ds->names == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    for (int i = 0; i < nf + ds->O; i++) {
        int c = i < nf ? rd->fcol[i] : rd->tcol[i - nf];
        if ((ds->names[i] = lln__strdup(lln_csv_header(rd->csv, c))) == NULL)
            return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    }
    return LLN_OK;
}

/* ---- rows ---------------------------------------------------------------------------------- */

static lln_status_t grow_rows(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    if (ds->rows < rd->cap)
        return LLN_OK;
    size_t cap = rd->cap ? 2 * rd->cap : 1024;
    double *x = lln__realloc(ds->x, cap * (size_t)ds->I * sizeof *x);
    if (x != NULL)
        ds->x = x;
    double *y = ds->O ? lln__realloc(ds->y, cap * (size_t)ds->O * sizeof *y) : ds->y;
    if (y != NULL)
        ds->y = y;
    double *dt = lln__realloc(ds->dt, cap * sizeof *dt);
    if (dt != NULL)
        ds->dt = dt;
    long *line = lln__realloc(ds->line, cap * sizeof *line);
    if (line != NULL)
        ds->line = line;
    signed char *sp = rd->splitcol >= 0 ? lln__realloc(ds->split, cap) : ds->split;
    if (sp != NULL)
        ds->split = (signed char *)sp;
    if (x == NULL || (ds->O && y == NULL) || dt == NULL || line == NULL ||
        (rd->splitcol >= 0 && sp == NULL)) {
        /* The constant, not lln_error_set's result: the analyser cannot see that it returns
         * its code, and read_row then relies on the arrays being there. */
        (void)lln_error_set(err, LLN_E_NOMEM, "%s: out of memory after %zu rows", ds->source,
                            ds->rows);
        return LLN_E_NOMEM;
    }
    rd->cap = cap;
    return LLN_OK;
}

/* A finite number from field c, or a message naming the place. */
static lln_status_t number(reader_t *rd, int c, double *v, lln_error_t *err)
{
    const char *f = lln_csv_field(rd->csv, c);
    if (f[0] == '\0')
        return lln_csv_error(rd->csv, c, err, LLN_E_FORMAT, "empty field, a number is needed");
    int r = lln_csv_number(f, v);
    if (r == 0)
        return LLN_OK;
    char q[48];
    lln_csv_quote(f, q, sizeof q);
    return lln_csv_error(rd->csv, c, err, LLN_E_FORMAT,
                         r == 2 ? "'%s' is not a finite number" : "'%s' is not a number", q);
}

static lln_status_t label(reader_t *rd, double *out, lln_error_t *err)
{
    const lln_csv_spec_t *s = rd->spec;
    int c = rd->tcol[0];
    if (s->labels == LLN_LABELS_STRING) {
        const char *f = lln_csv_field(rd->csv, c);
        int id = lln__strmap_get(&rd->labels, f);
        if (id < 0) {
            if (rd->labels.n >= LLN_MAX_DIM)
                return lln_csv_error(rd->csv, c, err, LLN_E_RANGE,
                                     "more than %d distinct class labels", LLN_MAX_DIM);
            id = (int)rd->labels.n;
            if (lln__strmap_put(&rd->labels, f, id) != LLN_OK)
                return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", rd->ds->source);
        }
        *out = id;
        return LLN_OK;
    }
    double v;
    LLN__TRY(number(rd, c, &v, err));
    double top = s->classes > 0 ? s->classes - 1 : LLN_MAX_DIM - 1;
    if (v != floor(v) || v < 0 || v > top) {
        char q[48];
        lln_csv_quote(lln_csv_field(rd->csv, c), q, sizeof q);
        return lln_csv_error(rd->csv, c, err, LLN_E_FORMAT,
                             "class label '%s' is not an integer in [0, %.0f]", q, top);
    }
    if (v > rd->max_label)
        rd->max_label = v;
    *out = v;
    return LLN_OK;
}

/* Starts a new sequence when the id changes; an id that comes back is an error. */
static lln_status_t sequence(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    const char *id = rd->seqcol >= 0 ? lln_csv_field(rd->csv, rd->seqcol) : "";
    if (ds->nseq > 0 && strcmp(ds->seq[ds->nseq - 1].name, id) == 0) {
        ds->seq[ds->nseq - 1].count++;
        return LLN_OK;
    }
    int prev = lln__strmap_get(&rd->seen, id);
    if (prev >= 0) {
        char q[48];
        lln_csv_quote(id, q, sizeof q);
        return lln_csv_error(rd->csv, rd->seqcol, err, LLN_E_FORMAT,
                             "sequence '%s' appears again (its rows ended at line %ld); the rows "
                             "of a sequence must be contiguous",
                             q, ds->line[ds->seq[prev].first + ds->seq[prev].count - 1]);
    }
    if ((ds->nseq & (ds->nseq - 1)) == 0) { /* 0, 1, 2, 4, ...: double */
        lln__seq_t *ns = lln__realloc(ds->seq, (size_t)(ds->nseq ? 2 * ds->nseq : 1) * sizeof *ns);
        if (ns == NULL)
            return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
        ds->seq = ns;
    }
    if (ds->nseq == 0x7fffffff)
        return lln_csv_error(rd->csv, rd->seqcol, err, LLN_E_RANGE, "too many sequences");
    lln__seq_t *q = &ds->seq[ds->nseq];
    if ((q->name = lln__strdup(id)) == NULL || lln__strmap_put(&rd->seen, id, ds->nseq) != LLN_OK) {
        lln__free(q->name);
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    }
    q->first = ds->rows;
    q->count = 1;
    ds->nseq++;
    return LLN_OK;
}

/* Δt of the row: NaN marks "unknown" (a first row), filled in later. */
static lln_status_t row_dt(reader_t *rd, int first, double *dt, lln_error_t *err)
{
    double v;
    *dt = NAN;
    if (rd->timecol >= 0) {
        LLN__TRY(number(rd, rd->timecol, &v, err));
        double prev = rd->prev_time;
        rd->prev_time = v;
        if (first)
            return LLN_OK;
        double d = (v - prev) * rd->scale;
        if (!(v > prev))
            return lln_csv_error(rd->csv, rd->timecol, err, LLN_E_FORMAT,
                                 "time %.17g does not increase (previous row: %.17g)", v, prev);
        if (!isfinite(d) || d < LLN_DT_MIN)
            return lln_csv_error(rd->csv, rd->timecol, err, LLN_E_FORMAT,
                                 "time step %g is not finite or below %g after scaling", d,
                                 LLN_DT_MIN);
        *dt = d;
    } else if (rd->dtcol >= 0) {
        LLN__TRY(number(rd, rd->dtcol, &v, err));
        if (v == 0 && first)
            return LLN_OK;
        double d = v * rd->scale;
        if (!(v > 0) || !isfinite(d) || d < LLN_DT_MIN)
            return lln_csv_error(rd->csv, rd->dtcol, err, LLN_E_FORMAT,
                                 "Δt %.17g must be > 0 after scaling (>= %g; 0 only on the first "
                                 "row of a sequence)",
                                 v, LLN_DT_MIN);
        *dt = d;
    }
    return LLN_OK;
}

static lln_status_t read_row(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    lln_csv_t *c = rd->csv;
    int nf = lln_csv_nfields(c);
    if (nf < rd->ncols)
        return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: %d fields, expected %d", ds->source,
                             lln_csv_line(c), nf, rd->ncols);
    if (nf > rd->ncols)
        return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: more than %d fields", ds->source,
                             lln_csv_line(c), rd->ncols);
    LLN__TRY(grow_rows(rd, err));
    size_t r = ds->rows;
    for (int i = 0; i < ds->I; i++)
        LLN__TRY(number(rd, rd->fcol[i], &ds->x[r * (size_t)ds->I + (size_t)i], err));
    if (rd->spec->labels != LLN_LABELS_NONE)
        LLN__TRY(label(rd, &ds->y[r], err));
    else
        for (int j = 0; j < ds->O; j++)
            LLN__TRY(number(rd, rd->tcol[j], &ds->y[r * (size_t)ds->O + (size_t)j], err));
    if (rd->splitcol >= 0) {
        const char *f = lln_csv_field(c, rd->splitcol);
        int sp = lln__parse_split(f);
        if (sp < 0) {
            char q[48];
            lln_csv_quote(f, q, sizeof q);
            return lln_csv_error(c, rd->splitcol, err, LLN_E_FORMAT,
                                 "'%s' is not a split (train, valid, validation, val, test, "
                                 "0, 1, 2)",
                                 q);
        }
        ds->split[r] = (signed char)sp;
    }
    int nseq = ds->nseq;
    LLN__TRY(sequence(rd, err));
    LLN__TRY(row_dt(rd, ds->nseq != nseq, &ds->dt[r], err));
    ds->line[r] = lln_csv_line(c);
    ds->rows++;
    return LLN_OK;
}

/* ---- finishing ------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Unknown Δt (first rows, or every row without a time column) get dt_default or the
 * median. */
static lln_status_t fill_dt(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    size_t n = 0;
    for (size_t r = 0; r < ds->rows; r++)
        n += !isnan(ds->dt[r]);
    double med = 1.0;
    if (n > 0) {
        double *v = lln__malloc(n * sizeof *v);
        if (v == NULL)
            return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
        for (size_t r = 0, k = 0; r < ds->rows; r++)
            if (!isnan(ds->dt[r]))
                v[k++] = ds->dt[r];
        qsort(v, n, sizeof *v, cmp_double);
        med = v[(n - 1) / 2];
        lln__free(v);
    }
    double fill = rd->spec->dt_default > 0 ? rd->spec->dt_default : med;
    ds->dt_median = n > 0 ? med : fill;
    ds->dt_min = INFINITY;
    ds->dt_max = 0;
    for (size_t r = 0; r < ds->rows; r++) {
        if (isnan(ds->dt[r]))
            ds->dt[r] = fill;
        ds->dt_min = fmin(ds->dt_min, ds->dt[r]);
        ds->dt_max = fmax(ds->dt_max, ds->dt[r]);
    }
    return LLN_OK;
}

/* Class names; text labels renumbered in sorted order. */
static lln_status_t finish_labels(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    const lln_csv_spec_t *s = rd->spec;
    if (s->labels == LLN_LABELS_NONE)
        return LLN_OK;
    int k = s->labels == LLN_LABELS_STRING ? (int)rd->labels.n
            : s->classes > 0               ? s->classes
                                           : (int)rd->max_label + 1;
    ds->classes = k;
    ds->class_names = lln__calloc((size_t)k, sizeof *ds->class_names);
    int *remap = lln__calloc((size_t)k, sizeof *remap);
    if (ds->class_names == NULL || remap == NULL) {
        lln__free(remap);
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", ds->source);
    }
    lln_status_t st = LLN_OK;
    if (s->labels == LLN_LABELS_STRING) {
        for (size_t i = 0, j = 0; i < rd->labels.cap; i++)
            if (rd->labels.keys[i] != NULL)
                ds->class_names[j++] = lln__strdup(rd->labels.keys[i]);
        for (int i = 0; i < k; i++)
            if (ds->class_names[i] == NULL)
                st = LLN_E_NOMEM;
        if (st == LLN_OK) {
            qsort(ds->class_names, (size_t)k, sizeof *ds->class_names, cmp_str);
            for (int i = 0; i < k; i++)
                remap[lln__strmap_get(&rd->labels, ds->class_names[i])] = i;
            for (size_t r = 0; r < ds->rows; r++)
                ds->y[r] = remap[(int)ds->y[r]];
        }
    } else {
        for (int i = 0; i < k && st == LLN_OK; i++) {
            char b[16];
            snprintf(b, sizeof b, "%d", i);
            if ((ds->class_names[i] = lln__strdup(b)) == NULL)
                st = LLN_E_NOMEM;
        }
    }
    lln__free(remap);
    return st == LLN_OK ? LLN_OK : lln_error_set(err, st, "%s: out of memory", ds->source);
}

/* target_shift K: row r takes the targets of row r + K of its sequence; the last K rows of each
 * sequence are dropped (compacted in place: a row only moves to a lower index, and a target is
 * read from a row not yet overwritten), and sequences left empty with them. */
static lln_status_t shift_targets(reader_t *rd, lln_error_t *err)
{
    lln_dataset_t *ds = rd->ds;
    size_t K = (size_t)rd->spec->target_shift, w = 0, I = (size_t)ds->I, O = (size_t)ds->O;
    if (K == 0)
        return LLN_OK;
    int ns = 0;
    for (int q = 0; q < ds->nseq; q++) {
        lln__seq_t s = ds->seq[q];
        size_t keep = s.count > K ? s.count - K : 0, start = w;
        for (size_t i = 0; i < keep; i++, w++) {
            size_t r = s.first + i;
            memmove(ds->x + w * I, ds->x + r * I, I * sizeof *ds->x);
            memmove(ds->y + w * O, ds->y + (r + K) * O, O * sizeof *ds->y);
            ds->dt[w] = ds->dt[r];
            ds->line[w] = ds->line[r];
            if (ds->split != NULL)
                ds->split[w] = ds->split[r];
        }
        if (keep == 0) {
            lln__free(s.name);
            continue;
        }
        s.first = start;
        s.count = keep;
        ds->seq[ns++] = s;
    }
    ds->rows = w;
    ds->nseq = ns;
    if (w == 0)
        return lln_error_set(err, LLN_E_FORMAT,
                             "%s: target shift %zu: no sequence has more than %zu rows, so no row "
                             "has a target %zu rows later",
                             ds->source, K, K, K);
    return LLN_OK;
}

static lln_status_t read_all(reader_t *rd, lln_error_t *err)
{
    lln_csv_t *c = rd->csv;
    int got;
    LLN__TRY(check_spec(rd->spec, lln_csv_name(c), err));
    LLN__TRY(lln_csv_next(c, &got, err));
    if (!got)
        return lln_error_set(err, LLN_E_FORMAT, "%s: empty file (no header line)", lln_csv_name(c));
    long header_line = lln_csv_line(c);
    LLN__TRY(index_header(rd, err));
    LLN__TRY(assign_roles(rd, err));
    for (;;) {
        LLN__TRY(lln_csv_next(c, &got, err));
        if (!got)
            break;
        LLN__TRY(read_row(rd, err));
    }
    if (rd->ds->rows == 0)
        return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: header only, no data rows",
                             lln_csv_name(c), header_line);
    LLN__TRY(shift_targets(rd, err));
    LLN__TRY(fill_dt(rd, err));
    return finish_labels(rd, err);
}

static lln_status_t read_from(lln_csv_t *csv, const lln_csv_spec_t *spec, lln_dataset_t **out,
                              lln_error_t *err)
{
    lln_csv_spec_t dflt;
    if (spec == NULL) {
        lln_csv_spec_default(&dflt);
        spec = &dflt;
    }
    reader_t rd;
    memset(&rd, 0, sizeof rd);
    rd.csv = csv;
    rd.spec = spec;
    rd.scale = spec->time_scale > 0 ? spec->time_scale : 1.0;
    rd.max_label = -1;
    rd.ds = lln__calloc(1, sizeof *rd.ds);
    lln_status_t st = LLN_E_NOMEM;
    if (rd.ds != NULL && (rd.ds->source = lln__strdup(lln_csv_name(csv))) != NULL) {
        lln_cloc_t loc;
        lln_cloc_begin(&loc);
        st = read_all(&rd, err);
        lln_cloc_end(&loc);
    } else {
        lln_error_set(err, st, "%s: out of memory", lln_csv_name(csv));
    }
    lln__strmap_free(&rd.columns);
    lln__strmap_free(&rd.seen);
    lln__strmap_free(&rd.labels);
    lln__free(rd.role);
    lln__free(rd.fcol);
    lln__free(rd.tcol);
    if (st != LLN_OK) {
        lln_dataset_free(rd.ds);
        return st;
    }
    *out = rd.ds;
    return LLN_OK;
}

lln_status_t lln_dataset_read(const char *path, const lln_csv_spec_t *spec, lln_dataset_t **out,
                              lln_error_t *err)
{
    if (out == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln_dataset_read: out is NULL");
    *out = NULL;
    lln_csv_t *csv;
    LLN__TRY(lln_csv_open(path, &csv, err));
    lln_status_t st = read_from(csv, spec, out, err);
    lln_csv_close(csv);
    return st;
}

lln_status_t lln_dataset_read_mem(const char *name, const void *data, size_t size,
                                  const lln_csv_spec_t *spec, lln_dataset_t **out, lln_error_t *err)
{
    if (out == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln_dataset_read_mem: out is NULL");
    *out = NULL;
    lln_csv_t *csv;
    LLN__TRY(lln_csv_open_mem(name, data, size, &csv, err));
    lln_status_t st = read_from(csv, spec, out, err);
    lln_csv_close(csv);
    return st;
}
