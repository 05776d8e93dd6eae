/* Training data (internal): the dataset's layout, a string -> int map, the split names and
 * the seeded generator shared by splits and shuffles. */
#ifndef LLN_DATA_INTERNAL_H
#define LLN_DATA_INTERNAL_H

#include <stdint.h>

#include "lln/data.h"
#include "lln/util.h"

/* One sequence: a contiguous run of rows. */
typedef struct lln__seq {
    char *name;   /* id text ("" without a sequence column) */
    size_t first; /* first row */
    size_t count; /* rows */
} lln__seq_t;

struct lln_dataset {
    char *source; /* file name, for messages */
    int I, O;
    char **names; /* I feature names, then O target names */
    lln_label_kind_t labels;
    int classes;
    char **class_names; /* classes entries for classification, else NULL */
    size_t rows;
    double *x;          /* rows x I */
    double *y;          /* rows x O */
    double *dt;         /* rows */
    long *line;         /* rows: source line */
    signed char *split; /* rows: split from the split column, or NULL without one */
    int nseq;
    lln__seq_t *seq;
    double dt_min, dt_max, dt_median;
    /* windows */
    lln_window_t *win;
    size_t nwin;
    int T;
    size_t dropped;
};

/* Open-addressing hash map from strings (copied) to ints. */
typedef struct lln__strmap {
    char **keys;
    int *vals;
    size_t cap, n;
} lln__strmap_t;

/* The value of key, or -1. */
int lln__strmap_get(const lln__strmap_t *m, const char *key);
/* Sets key -> val (a copy of key is kept). LLN_E_NOMEM on failure. */
lln_status_t lln__strmap_put(lln__strmap_t *m, const char *key, int val);
void lln__strmap_free(lln__strmap_t *m);

/* "train" / "valid" / "validation" / "val" / "test" / "0" / "1" / "2" -> 0..2, else -1. */
int lln__parse_split(const char *s);

/* Stream of the split shuffles ("SPLIT" in ASCII): epochs use their own number, which never
 * gets near it. */
#define LLN__STREAM_SPLIT 0x53504C4954000000ull

#endif
