/* Normalization of a dataset: per-column mean and population standard deviation over the
 * rows of the selected windows (two passes, so large offsets lose no precision), and the
 * model tensors they go into. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "common/alloc.h"

/* Weight of every row: how many times it is counted (0: not selected). */
static lln_status_t row_weights(const lln_dataset_t *ds, unsigned mask, lln_norm_rows_t mode,
                                unsigned *wt, size_t *total)
{
    *total = 0;
    for (size_t w = 0; w < ds->nwin; w++) {
        const lln_window_t *x = &ds->win[w];
        if (!(mask & (1u << x->split)))
            continue;
        size_t a = ds->seq[x->sequence].first + x->start, n = (size_t)x->length;
        if (mode == LLN_NORM_SEQUENCE_ROWS) {
            a = ds->seq[x->sequence].first;
            n = ds->seq[x->sequence].count;
        }
        for (size_t r = a; r < a + n; r++) {
            if (mode != LLN_NORM_WINDOW_STEPS && wt[r] != 0)
                continue;
            if (wt[r] == 0xffffffffu)
                return LLN_E_RANGE;
            wt[r]++;
            (*total)++;
        }
    }
    return LLN_OK;
}

/* mean and std of the `cols` columns of v (rows x cols) under the weights. */
static void fit(const double *v, int cols, size_t rows, const unsigned *wt, double total,
                double floor_, double *mean, double *std)
{
    for (int c = 0; c < cols; c++) {
        double s = 0;
        for (size_t r = 0; r < rows; r++)
            s += wt[r] * v[r * (size_t)cols + (size_t)c];
        double m = s / total, q = 0;
        for (size_t r = 0; r < rows; r++) {
            double d = v[r * (size_t)cols + (size_t)c] - m;
            q += wt[r] * d * d;
        }
        double sd = sqrt(q / total);
        mean[c] = m;
        std[c] = sd < floor_ ? floor_ : sd;
    }
}

lln_status_t lln_dataset_fit_norm(const lln_dataset_t *ds, unsigned split_mask,
                                  lln_norm_rows_t rows, double std_floor, double *in_mean,
                                  double *in_std, double *out_mean, double *out_std,
                                  lln_error_t *err)
{
    if (ds == NULL || in_mean == NULL || in_std == NULL || (out_mean == NULL) != (out_std == NULL))
        return lln_error_set(err, LLN_E_ARG, "fit norm: NULL dataset or arrays");
    if (!(std_floor > 0) || !isfinite(std_floor) || (split_mask & 7u) == 0 ||
        (rows != LLN_NORM_UNIQUE_ROWS && rows != LLN_NORM_WINDOW_STEPS &&
         rows != LLN_NORM_SEQUENCE_ROWS))
        return lln_error_set(err, LLN_E_ARG,
                             "fit norm: std_floor %g must be > 0, the split mask select a split",
                             std_floor);
    unsigned *wt = lln__calloc(ds->rows, sizeof *wt);
    if (wt == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: fit norm: out of memory", ds->source);
    size_t total = 0;
    lln_status_t st = row_weights(ds, split_mask & 7u, rows, wt, &total);
    if (st == LLN_OK && total == 0)
        st = lln_error_set(err, LLN_E_RANGE, "%s: fit norm: no windows in the selected splits",
                           ds->source);
    else if (st != LLN_OK)
        st = lln_error_set(err, st, "%s: fit norm: a row is counted too often", ds->source);
    if (st == LLN_OK) {
        fit(ds->x, ds->I, ds->rows, wt, (double)total, std_floor, in_mean, in_std);
        if (out_mean != NULL && ds->labels == LLN_LABELS_NONE)
            fit(ds->y, ds->O, ds->rows, wt, (double)total, std_floor, out_mean, out_std);
        else if (out_mean != NULL)
            for (int j = 0; j < ds->O; j++) {
                out_mean[j] = 0.0;
                out_std[j] = 1.0;
            }
    }
    lln__free(wt);
    return st;
}

static lln_status_t check_std(const double *sd, int n, const char *what, lln_error_t *err)
{
    for (int i = 0; i < n; i++)
        if (!(sd[i] > 0) || !isfinite(sd[i]))
            return lln_error_set(err, LLN_E_RANGE, "%s[%d] = %g must be finite and > 0", what, i,
                                 sd[i]);
    return LLN_OK;
}

lln_status_t lln_model_set_norm(lln_model_t *m, const double *in_mean, const double *in_std,
                                const double *out_mean, const double *out_std, lln_error_t *err)
{
    if (m == NULL || (in_mean == NULL) != (in_std == NULL) ||
        (out_mean == NULL) != (out_std == NULL))
        return lln_error_set(err, LLN_E_ARG, "set norm: no model, or a mean without its std");
    int I = lln_model_input_size(m), O = lln_model_output_size(m);
    /* everything is checked before anything is written: no half-updated model */
    lln_status_t st = in_std ? check_std(in_std, I, "input std", err) : LLN_OK;
    if (st == LLN_OK && out_std != NULL)
        st = check_std(out_std, O, "output std", err);
    for (int i = 0; st == LLN_OK && in_mean != NULL && i < I; i++)
        if (!isfinite(in_mean[i]))
            st = lln_error_set(err, LLN_E_RANGE, "input mean[%d] is not finite", i);
    for (int j = 0; st == LLN_OK && out_mean != NULL && j < O; j++)
        if (!isfinite(out_mean[j]))
            st = lln_error_set(err, LLN_E_RANGE, "output mean[%d] is not finite", j);
    if (st != LLN_OK)
        return st;
    if (in_mean != NULL) {
        if ((st = lln_model_set(m, "norm.input_mean", in_mean, (size_t)I, err)) != LLN_OK ||
            (st = lln_model_set(m, "norm.input_std", in_std, (size_t)I, err)) != LLN_OK)
            return st;
    }
    if (out_mean != NULL) {
        if ((st = lln_model_set(m, "norm.output_mean", out_mean, (size_t)O, err)) != LLN_OK ||
            (st = lln_model_set(m, "norm.output_std", out_std, (size_t)O, err)) != LLN_OK)
            return st;
    }
    return LLN_OK;
}
