/* Batches: windows copied into contiguous (B, T, ...) arrays in float32 or float64. */
#include <string.h>

#include "data_internal.h"

/* Stores value v as element i of a float32 or float64 array. */
static void put(void *a, lln_dtype_t dtype, size_t i, double v)
{
    if (dtype == LLN_F32)
        ((float *)a)[i] = (float)v;
    else
        ((double *)a)[i] = v;
}

/* Copies the windows' rows into the batch arrays [count][T][...]: a window shorter than T
 * repeats its last row, with target 0 and mask 0 there. */
static void gather(const lln_dataset_t *ds, const size_t *windows, int count, lln_dtype_t dtype,
                   void *x, void *dt, void *y, void *mask)
{
    size_t T = (size_t)ds->T, I = (size_t)ds->I, O = (size_t)ds->O;
    for (size_t b = 0; b < (size_t)count; b++) {
        const lln_window_t *w = &ds->win[windows[b]];
        size_t first = ds->seq[w->sequence].first + w->start, len = (size_t)w->length;
        for (size_t t = 0; t < T; t++) {
            size_t r = first + (t < len ? t : len - 1), bt = b * T + t;
            for (size_t i = 0; i < I; i++)
                put(x, dtype, bt * I + i, ds->x[r * I + i]);
            if (dt != NULL)
                put(dt, dtype, bt, ds->dt[r]);
            for (size_t j = 0; y != NULL && j < O; j++)
                put(y, dtype, bt * O + j, t < len ? ds->y[r * O + j] : 0.0);
            if (mask != NULL)
                put(mask, dtype, bt, t < len ? 1.0 : 0.0);
        }
    }
}

lln_status_t lln_dataset_gather(const lln_dataset_t *ds, const size_t *windows, int count,
                                lln_dtype_t dtype, void *x, void *dt, void *y, void *mask,
                                lln_error_t *err)
{
    if (ds == NULL || x == NULL || count < 0 || (windows == NULL && count > 0) ||
        (dtype != LLN_F32 && dtype != LLN_F64))
        return lln_error_set(err, LLN_E_ARG,
                             "gather: NULL dataset, windows or x, bad count or "
                             "dtype");
    if (ds->nwin == 0)
        return lln_error_set(err, LLN_E_RANGE, "%s: gather: no windows yet", ds->source);
    for (int b = 0; b < count; b++) /* all checked before anything is written */
        if (windows[b] >= ds->nwin)
            return lln_error_set(err, LLN_E_RANGE, "%s: gather: window %zu of %zu (batch row %d)",
                                 ds->source, windows[b], ds->nwin, b);
    gather(ds, windows, count, dtype, x, dt, y, mask);
    return LLN_OK;
}
