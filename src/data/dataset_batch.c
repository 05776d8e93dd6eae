/* Batches: windows copied into contiguous (B, T, ...) arrays in float32 or float64. */
#include <string.h>

#include "data_internal.h"

/* One gather per precision: the same code with REAL = float or double. */
/* NOLINTBEGIN(bugprone-macro-parentheses): REAL is a type name (float/double) here */
#define GATHER(NAME, REAL)                                                                         \
    static void NAME(const lln_dataset_t *ds, const size_t *windows, int count, REAL *x, REAL *dt, \
                     REAL *y, REAL *mask)                                                          \
    {                                                                                              \
        size_t T = (size_t)ds->T, I = (size_t)ds->I, O = (size_t)ds->O;                            \
        for (size_t b = 0; b < (size_t)count; b++) {                                               \
            const lln_window_t *w = &ds->win[windows[b]];                                          \
            size_t first = ds->seq[w->sequence].first + w->start, len = (size_t)w->length;         \
            for (size_t t = 0; t < T; t++) {                                                       \
                size_t r = first + (t < len ? t : len - 1), bt = b * T + t;                        \
                for (size_t i = 0; i < I; i++)                                                     \
                    x[bt * I + i] = (REAL)ds->x[r * I + i];                                        \
                if (dt != NULL)                                                                    \
                    dt[bt] = (REAL)ds->dt[r];                                                      \
                for (size_t j = 0; y != NULL && j < O; j++)                                        \
                    y[bt * O + j] = t < len ? (REAL)ds->y[r * O + j] : (REAL)0;                    \
                if (mask != NULL)                                                                  \
                    mask[bt] = t < len ? (REAL)1 : (REAL)0;                                        \
            }                                                                                      \
        }                                                                                          \
    }

GATHER(gather_f32, float)
GATHER(gather_f64, double)
/* NOLINTEND(bugprone-macro-parentheses) */

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
    if (dtype == LLN_F32)
        gather_f32(ds, windows, count, x, dt, y, mask);
    else
        gather_f64(ds, windows, count, x, dt, y, mask);
    return LLN_OK;
}
