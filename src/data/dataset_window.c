/* Windows of a dataset: cut by length and stride, given as a list, or read from a window
 * file; and the dataset's accessors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lln/csv.h"
#include "data_internal.h"
#include "common/alloc.h"

/* ---- accessors -------------------------------------------------------------------------- */

void lln_dataset_info(const lln_dataset_t *ds, lln_dataset_info_t *info)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    if (ds == NULL)
        return;
    info->rows = ds->rows;
    info->sequences = ds->nseq;
    info->inputs = ds->I;
    info->outputs = ds->O;
    info->classes = ds->classes;
    info->window_length = ds->T;
    info->windows = ds->nwin;
    for (size_t w = 0; w < ds->nwin; w++) {
        info->split_windows[ds->win[w].split]++;
        info->padded_windows += ds->win[w].length < ds->T;
    }
    info->dropped_windows = ds->dropped;
    info->dt_min = ds->dt_min;
    info->dt_max = ds->dt_max;
    info->dt_median = ds->dt_median;
}

const char *lln_dataset_feature_name(const lln_dataset_t *ds, int i)
{
    return ds != NULL && i >= 0 && i < ds->I ? ds->names[i] : NULL;
}

const char *lln_dataset_target_name(const lln_dataset_t *ds, int j)
{
    return ds != NULL && j >= 0 && j < ds->O ? ds->names[ds->I + j] : NULL;
}

const char *lln_dataset_class_name(const lln_dataset_t *ds, int k)
{
    return ds != NULL && k >= 0 && k < ds->classes ? ds->class_names[k] : NULL;
}

lln_status_t lln_dataset_sequence(const lln_dataset_t *ds, int s, const char **name,
                                  size_t *first_row, size_t *rows)
{
    if (ds == NULL || s < 0 || s >= ds->nseq)
        return LLN_E_RANGE;
    if (name != NULL)
        *name = ds->seq[s].name;
    if (first_row != NULL)
        *first_row = ds->seq[s].first;
    if (rows != NULL)
        *rows = ds->seq[s].count;
    return LLN_OK;
}

const double *lln_dataset_inputs(const lln_dataset_t *ds) { return ds ? ds->x : NULL; }
const double *lln_dataset_targets(const lln_dataset_t *ds) { return ds ? ds->y : NULL; }
const double *lln_dataset_dt(const lln_dataset_t *ds) { return ds ? ds->dt : NULL; }

long lln_dataset_row_line(const lln_dataset_t *ds, size_t r)
{
    return ds != NULL && r < ds->rows ? ds->line[r] : 0;
}

size_t lln_dataset_window_count(const lln_dataset_t *ds) { return ds ? ds->nwin : 0; }

const lln_window_t *lln_dataset_window(const lln_dataset_t *ds, size_t w)
{
    return ds != NULL && w < ds->nwin ? &ds->win[w] : NULL;
}

/* ---- window lists ------------------------------------------------------------------------- */

typedef struct wlist {
    lln_window_t *w;
    size_t n, cap;
} wlist_t;

static int push(wlist_t *l, int seq, size_t start, size_t len, int split)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        lln_window_t *nw = lln__realloc(l->w, cap * sizeof *nw);
        if (nw == NULL)
            return 0;
        l->w = nw;
        l->cap = cap;
    }
    lln_window_t *w = &l->w[l->n++];
    w->sequence = seq;
    w->start = start;
    w->length = (int)len;
    w->split = (lln_split_t)split;
    return 1;
}

/* Takes the list as the dataset's windows (T = the longest). */
static void install(lln_dataset_t *ds, wlist_t *l, size_t dropped)
{
    lln__free(ds->win);
    ds->win = l->w;
    ds->nwin = l->n;
    ds->dropped = dropped;
    ds->T = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->w[i].length > ds->T)
            ds->T = l->w[i].length;
    l->w = NULL;
}

/* The split of rows [a, b) from the split column: -1 when they disagree. */
static int rows_split(const lln_dataset_t *ds, size_t a, size_t b)
{
    if (ds->split == NULL)
        return LLN_TRAIN;
    for (size_t r = a + 1; r < b; r++)
        if (ds->split[r] != ds->split[a])
            return -1;
    return ds->split[a];
}

lln_status_t lln_dataset_make_windows(lln_dataset_t *ds, int length, int stride, lln_tail_t tail,
                                      lln_error_t *err)
{
    if (ds == NULL || length < 0 || stride < 0 || (tail != LLN_TAIL_DROP && tail != LLN_TAIL_PAD))
        return lln_error_set(err, LLN_E_ARG,
                             "windows: length %d and stride %d must be >= 0, tail drop or pad",
                             length, stride);
    wlist_t l = {NULL, 0, 0};
    size_t dropped = 0, longest = 0;
    for (int s = 0; s < ds->nseq; s++) {
        size_t n = ds->seq[s].count, first = ds->seq[s].first;
        size_t L = length ? (size_t)length : n, S = stride ? (size_t)stride : L;
        size_t start = 0, covered = 0;
        int tailw = length == 0 || tail == LLN_TAIL_PAD;
        longest = n > longest ? n : longest;
        for (; start + L <= n; start += S) {
            int sp = rows_split(ds, first + start, first + start + L);
            if (sp < 0)
                dropped++;
            else if (!push(&l, s, start, L, sp))
                goto nomem;
            covered = start + L;
        }
        if (tailw && start < n && covered < n) { /* the rest, shorter than L */
            int sp = rows_split(ds, first + start, first + n);
            if (sp < 0)
                dropped++;
            else if (!push(&l, s, start, n - start, sp))
                goto nomem;
        }
    }
    if (l.n == 0) {
        lln__free(l.w);
        if (dropped > 0)
            return lln_error_set(err, LLN_E_RANGE,
                                 "%s: every window of %d rows spans two splits of the split column",
                                 ds->source, length);
        return lln_error_set(err, LLN_E_RANGE,
                             "%s: no window of %d rows fits: the longest sequence has %zu rows "
                             "(use a shorter length or tail padding)",
                             ds->source, length, longest);
    }
    install(ds, &l, dropped);
    return LLN_OK;
nomem:
    lln__free(l.w);
    return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory for windows", ds->source);
}

/* Checks one window against the dataset; msg gets the problem. */
static int window_ok(const lln_dataset_t *ds, const lln_window_t *w, char *msg, size_t n)
{
    if (w->sequence < 0 || w->sequence >= ds->nseq) {
        snprintf(msg, n, "sequence %d is not in [0, %d)", w->sequence, ds->nseq);
        return 0;
    }
    size_t rows = ds->seq[w->sequence].count;
    if (w->length < 1 || w->start > rows || (size_t)w->length > rows - w->start) {
        snprintf(msg, n, "rows %zu .. %zu + %d are not inside sequence '%s' (%zu rows)", w->start,
                 w->start, w->length, ds->seq[w->sequence].name, rows);
        return 0;
    }
    if ((int)w->split < 0 || (int)w->split > 2) {
        snprintf(msg, n, "split %d is not 0, 1 or 2", (int)w->split);
        return 0;
    }
    return 1;
}

lln_status_t lln_dataset_set_windows(lln_dataset_t *ds, const lln_window_t *w, size_t n,
                                     lln_error_t *err)
{
    if (ds == NULL || (w == NULL && n > 0))
        return lln_error_set(err, LLN_E_ARG, "windows: NULL dataset or list");
    if (n == 0)
        return lln_error_set(err, LLN_E_RANGE, "%s: an empty window list", ds->source);
    char msg[256];
    for (size_t i = 0; i < n; i++)
        if (!window_ok(ds, &w[i], msg, sizeof msg))
            return lln_error_set(err, LLN_E_RANGE, "%s: window %zu: %s", ds->source, i, msg);
    wlist_t l = {lln__malloc(n * sizeof *w), n, n};
    if (l.w == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory for windows", ds->source);
    memcpy(l.w, w, n * sizeof *w);
    install(ds, &l, 0);
    return LLN_OK;
}

/* ---- window files ------------------------------------------------------------------------- */

typedef struct wfile {
    lln_csv_t *csv;
    int seqc, startc, lenc, splitc;
    lln__strmap_t seqs;
} wfile_t;

static lln_status_t column(wfile_t *f, const char *name, const char *what, int *col,
                           lln_error_t *err)
{
    *col = -1;
    if (name == NULL)
        return LLN_OK;
    for (int i = 0; i < lln_csv_nfields(f->csv); i++)
        if (strcmp(lln_csv_field(f->csv, i), name) == 0) {
            *col = i;
            return LLN_OK;
        }
    return lln_error_set(err, LLN_E_NOTFOUND, "%s:%ld: no column named '%s' (%s)",
                         lln_csv_name(f->csv), lln_csv_line(f->csv), name, what);
}

/* A whole number in [lo, hi] from field c. */
static lln_status_t count_field(wfile_t *f, int c, double lo, double hi, double *v,
                                lln_error_t *err)
{
    const char *s = lln_csv_field(f->csv, c);
    char q[48];
    lln_csv_quote(s, q, sizeof q);
    if (lln_csv_number(s, v) != 0 || *v != floor(*v) || *v < lo || *v > hi)
        return lln_csv_error(f->csv, c, err, LLN_E_FORMAT, "'%s' is not an integer in [%.0f, %.0f]",
                             q, lo, hi);
    return LLN_OK;
}

static lln_status_t window_row(const lln_dataset_t *ds, wfile_t *f,
                               const lln_window_file_spec_t *spec, wlist_t *l, lln_error_t *err)
{
    lln_csv_t *c = f->csv;
    int seq = 0;
    if (f->seqc >= 0 && (seq = lln__strmap_get(&f->seqs, lln_csv_field(c, f->seqc))) < 0) {
        char q[48];
        lln_csv_quote(lln_csv_field(c, f->seqc), q, sizeof q);
        return lln_csv_error(c, f->seqc, err, LLN_E_NOTFOUND, "no sequence '%s' in %s", q,
                             ds->source);
    }
    double start, len = spec->default_length;
    LLN__TRY(count_field(f, f->startc, 0, 1e15, &start, err));
    if (f->lenc >= 0)
        LLN__TRY(count_field(f, f->lenc, 1, LLN_CSV_MAX_LINE, &len, err));
    int split = LLN_TRAIN;
    if (f->splitc >= 0 && (split = lln__parse_split(lln_csv_field(c, f->splitc))) < 0) {
        char q[48];
        lln_csv_quote(lln_csv_field(c, f->splitc), q, sizeof q);
        return lln_csv_error(c, f->splitc, err, LLN_E_FORMAT,
                             "'%s' is not a split (train, valid, validation, val, test, 0, 1, 2)",
                             q);
    }
    lln_window_t w = {seq, (size_t)start, (int)len, (lln_split_t)split};
    char msg[256];
    if (!window_ok(ds, &w, msg, sizeof msg))
        return lln_csv_error(c, f->startc, err, LLN_E_RANGE, "%s", msg);
    return push(l, w.sequence, w.start, (size_t)w.length, split)
               ? LLN_OK
               : lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", lln_csv_name(c));
}

static lln_status_t read_windows(lln_dataset_t *ds, wfile_t *f, const lln_window_file_spec_t *spec,
                                 wlist_t *l, lln_error_t *err)
{
    int got;
    LLN__TRY(lln_csv_next(f->csv, &got, err));
    if (!got)
        return lln_error_set(err, LLN_E_FORMAT, "%s: empty file (no header line)",
                             lln_csv_name(f->csv));
    LLN__TRY(column(f, spec->sequence, "sequence", &f->seqc, err));
    LLN__TRY(column(f, spec->start, "start", &f->startc, err));
    LLN__TRY(column(f, spec->length, "length", &f->lenc, err));
    LLN__TRY(column(f, spec->split, "split", &f->splitc, err));
    LLN__TRY(lln_csv_keep_header(f->csv, err));
    int ncols = lln_csv_nfields(f->csv);
    for (int s = 0; s < ds->nseq && f->seqc >= 0; s++)
        if (lln__strmap_put(&f->seqs, ds->seq[s].name, s) != LLN_OK)
            return lln_error_set(err, LLN_E_NOMEM, "out of memory");
    for (;;) {
        LLN__TRY(lln_csv_next(f->csv, &got, err));
        if (!got)
            break;
        int nf = lln_csv_nfields(f->csv);
        if (nf != ncols)
            return lln_error_set(err, LLN_E_FORMAT, "%s:%ld: %d fields, expected %d",
                                 lln_csv_name(f->csv), lln_csv_line(f->csv), nf, ncols);
        LLN__TRY(window_row(ds, f, spec, l, err));
    }
    if (l->n == 0)
        return lln_error_set(err, LLN_E_FORMAT, "%s: header only, no windows",
                             lln_csv_name(f->csv));
    return LLN_OK;
}

lln_status_t lln_dataset_read_windows(lln_dataset_t *ds, const char *path,
                                      const lln_window_file_spec_t *spec, lln_error_t *err)
{
    if (ds == NULL || spec == NULL || spec->start == NULL)
        return lln_error_set(err, LLN_E_ARG, "windows file: no dataset, spec or start column");
    if (spec->sequence == NULL && ds->nseq != 1)
        return lln_error_set(err, LLN_E_ARG,
                             "windows file %s: %s has %d sequences; name the sequence column",
                             path ? path : "(null)", ds->source, ds->nseq);
    if (spec->length == NULL &&
        (spec->default_length < 1 || spec->default_length > LLN_CSV_MAX_LINE))
        return lln_error_set(err, LLN_E_ARG,
                             "windows file %s: no length column and no default length",
                             path ? path : "(null)");
    wfile_t f;
    memset(&f, 0, sizeof f);
    LLN__TRY(lln_csv_open(path, &f.csv, err));
    wlist_t l = {NULL, 0, 0};
    lln_cloc_t loc;
    lln_cloc_begin(&loc);
    lln_status_t st = read_windows(ds, &f, spec, &l, err);
    lln_cloc_end(&loc);
    if (st == LLN_OK)
        install(ds, &l, 0);
    lln__free(l.w);
    lln__strmap_free(&f.seqs);
    lln_csv_close(f.csv);
    return st;
}
