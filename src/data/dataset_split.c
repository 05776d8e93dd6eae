/* Splits of a dataset's windows: shuffled windows, chronological rows, whole sequences, or a
 * named sequence. Every random choice comes from the seeded integer generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Fisher-Yates shuffle of v[0..n-1] (splitmix64 of common/rng.c). */
static void shuffle(size_t *v, size_t n, lln_rng_t *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)lln_rng_below(r, (uint64_t)i);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

#include "common/alloc.h"

/* Split of position i of a shuffled order of n items: valid first, then test, then train. */
static lln_split_t cut(size_t i, size_t nvalid, size_t ntest)
{
    return i < nvalid ? LLN_VALID : i < nvalid + ntest ? LLN_TEST : LLN_TRAIN;
}

/* floor(f n), as Python's int(f * n) */
static size_t part(double f, size_t n) { return (size_t)floor(f * (double)n); }

static size_t *identity(size_t n)
{
    size_t *v = lln__malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v != NULL && i < n; i++)
        v[i] = i;
    return v;
}

static lln_status_t by_windows(lln_dataset_t *ds, double valid, double test, uint64_t seed)
{
    size_t n = ds->nwin, *order = identity(n);
    if (order == NULL)
        return LLN_E_NOMEM;
    lln_rng_t r;
    lln_rng_seed(&r, seed, LLN__STREAM_SPLIT);
    shuffle(order, n, &r);
    for (size_t i = 0; i < n; i++)
        ds->win[order[i]].split = cut(i, part(valid, n), part(test, n));
    lln__free(order);
    return LLN_OK;
}

static lln_status_t by_sequences(lln_dataset_t *ds, double valid, double test, uint64_t seed)
{
    size_t n = (size_t)ds->nseq, *order = identity(n);
    lln_split_t *of = lln__malloc((n ? n : 1) * sizeof *of); /* n >= 1 when there are windows */
    if (order == NULL || of == NULL) {
        lln__free(order);
        lln__free(of);
        return LLN_E_NOMEM;
    }
    lln_rng_t r;
    lln_rng_seed(&r, seed, LLN__STREAM_SPLIT);
    shuffle(order, n, &r);
    for (size_t i = 0; i < n; i++)
        of[order[i]] = cut(i, part(valid, n), part(test, n));
    for (size_t w = 0; w < ds->nwin; w++)
        ds->win[w].split = of[ds->win[w].sequence];
    lln__free(order);
    lln__free(of);
    return LLN_OK;
}

/* Rows in file order: train, valid, test; windows spanning two parts are dropped. */
static void by_rows(lln_dataset_t *ds, double valid, double test)
{
    size_t n = ds->rows, nt = part(test, n), nv = part(valid, n);
    size_t b1 = n - nt - nv, b2 = n - nt, kept = 0;
    for (size_t w = 0; w < ds->nwin; w++) {
        lln_window_t x = ds->win[w];
        size_t a = ds->seq[x.sequence].first + x.start, z = a + (size_t)x.length - 1;
        int sa = a < b1 ? LLN_TRAIN : a < b2 ? LLN_VALID : LLN_TEST;
        int sz = z < b1 ? LLN_TRAIN : z < b2 ? LLN_VALID : LLN_TEST;
        if (sa != sz) {
            ds->dropped++;
            continue;
        }
        x.split = (lln_split_t)sa;
        ds->win[kept++] = x;
    }
    ds->nwin = kept;
    ds->T = 0; /* the longest window may have gone */
    for (size_t w = 0; w < kept; w++)
        ds->T = ds->win[w].length > ds->T ? ds->win[w].length : ds->T;
}

lln_status_t lln_dataset_split(lln_dataset_t *ds, lln_split_method_t method, double valid,
                               double test, unsigned long long seed, lln_error_t *err)
{
    if (ds == NULL)
        return lln_error_set(err, LLN_E_ARG, "split: no dataset");
    if (!(valid >= 0 && test >= 0 && valid < 1 && test < 1 && valid + test < 1))
        return lln_error_set(err, LLN_E_ARG,
                             "split: fractions valid %g and test %g must be >= 0 with a sum < 1",
                             valid, test);
    if (ds->nwin == 0)
        return lln_error_set(err, LLN_E_RANGE, "%s: split: no windows yet", ds->source);
    lln_status_t st = LLN_OK;
    switch (method) {
    case LLN_SPLIT_SHUFFLE: st = by_windows(ds, valid, test, seed); break;
    case LLN_SPLIT_SEQUENCE: st = by_sequences(ds, valid, test, seed); break;
    case LLN_SPLIT_CHRONO: by_rows(ds, valid, test); break;
    default: return lln_error_set(err, LLN_E_ARG, "split: unknown method %d", (int)method);
    }
    if (st != LLN_OK)
        return lln_error_set(err, st, "%s: split: out of memory", ds->source);
    if (ds->nwin == 0)
        return lln_error_set(err, LLN_E_RANGE,
                             "%s: split: every window spans two parts of the file", ds->source);
    return LLN_OK;
}

lln_status_t lln_dataset_assign_sequence(lln_dataset_t *ds, const char *name, lln_split_t split,
                                         lln_error_t *err)
{
    if (ds == NULL || name == NULL || (int)split < 0 || (int)split > 2)
        return lln_error_set(err, LLN_E_ARG, "assign sequence: bad dataset, name or split");
    int s = 0;
    while (s < ds->nseq && strcmp(ds->seq[s].name, name) != 0)
        s++;
    if (s == ds->nseq)
        return lln_error_set(err, LLN_E_NOTFOUND, "%s: no sequence '%s'", ds->source, name);
    for (size_t w = 0; w < ds->nwin; w++)
        if (ds->win[w].sequence == s)
            ds->win[w].split = split;
    return LLN_OK;
}

size_t lln_dataset_split_windows(const lln_dataset_t *ds, lln_split_t split, size_t *idx)
{
    size_t n = 0;
    for (size_t w = 0; ds != NULL && w < ds->nwin; w++)
        if (ds->win[w].split == split) {
            if (idx != NULL)
                idx[n] = w;
            n++;
        }
    return n;
}

void lln_data_shuffle(size_t *v, size_t n, unsigned long long seed, unsigned long long epoch)
{
    lln_rng_t r;
    if (v == NULL)
        return;
    lln_rng_seed(&r, seed, epoch);
    shuffle(v, n, &r);
}
