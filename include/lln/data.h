/** @file
 * liquid-edge: training data — CSV logs in, fixed-length windows of sequences out.
 *
 * The pipeline, in the order a trainer calls it:
 *   1. lln_dataset_read(): a CSV file (plain or gzip, read through zlib) with a header row:
 *      feature columns, target columns (numbers or class labels), an optional sequence-id
 *      column, an optional time or Δt column and an optional split column. Bad data stops the
 *      read with a message naming the file, the line and the column.
 *   2. lln_dataset_make_windows() (length, stride, what to do with a short tail) or
 *      lln_dataset_read_windows() / lln_dataset_set_windows() (an explicit list, e.g. a
 *      paper's exact windows and split).
 *   3. lln_dataset_split() (shuffled windows, chronological rows, whole sequences) or
 *      lln_dataset_assign_sequence(); a split column or a window list needs neither.
 *   4. lln_dataset_fit_norm() on the training windows, then lln_model_set_norm(): the model
 *      file carries the normalization, so `lln run` and the firmware apply it.
 *   5. lln_data_shuffle() for each epoch's order and lln_dataset_gather() for each batch:
 *      contiguous x (B,T,I), Δt (B,T), targets (B,T,O) and mask (B,T), float32 or float64.
 *
 * The data stay raw (not normalized) in the dataset and in batches: the model normalizes its
 * inputs itself (x' = (x - mean) / std) and de-normalizes its outputs (y = y' std + mean).
 * Everything is deterministic: the same file, options and seeds give the same windows,
 * splits, orders and batches on every machine (integer RNG, no libm in any decision).
 * Numbers are parsed in the "C" locale whatever the process locale is. Format details and
 * the error messages: docs/DATA.md.
 */
#ifndef LLN_DATA_H
#define LLN_DATA_H

#include <stddef.h>

#include "lln/model.h"
#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest CSV line accepted (bytes, line end excluded); longer lines are an error naming
 *  the line. Lines are read into a growing buffer, so any length up to this works. */
#define LLN_CSV_MAX_LINE (16 * 1024 * 1024)

/** How a classification target is written in the file. */
typedef enum lln_label_kind {
    LLN_LABELS_NONE = 0,  /**< regression: every target column holds numbers */
    LLN_LABELS_INT = 1,   /**< one target column of integer class ids 0 .. K-1 */
    LLN_LABELS_STRING = 2 /**< one target column of text labels, numbered 0 .. K-1 in byte-wise
                               sorted order of the distinct labels (strcmp) */
} lln_label_kind_t;

/** Which columns of a CSV file mean what. Start from lln_csv_spec_default(). Column names
 *  match the header exactly (surrounding blanks and quotes removed); a name the header lacks
 *  of the form "#N" selects column N (1 = the first, as in messages), e.g. for an unnamed
 *  column. A column may have one role only. */
typedef struct lln_csv_spec {
    const char *const *features; /**< feature (input) columns, in this order; NULL or
                                      nfeatures 0: every column that has no other role and is
                                      not in ignore, in file order */
    int nfeatures;               /**< number of names in features */
    const char *const *targets;  /**< target columns, in this order (may be none) */
    int ntargets;                /**< number of names in targets */
    const char *const *ignore;   /**< columns left out of the automatic feature list */
    int nignore;                 /**< number of names in ignore */
    const char *sequence;        /**< sequence-id column (any text); rows of one sequence must be
                               contiguous. NULL: the whole file is one sequence */
    const char *split;           /**< split column: train / valid / test (also validation, val) or
                               0 / 1 / 2. NULL: none */
    const char *time;        /**< absolute time column: Δt = t[i] - t[i-1] within a sequence, which
                               must increase strictly. NULL: none */
    const char *dt;          /**< Δt column; a sequence's first row may hold 0 (= unknown). NULL:
                               none (exclusive with time) */
    double time_scale;       /**< multiplies time and Δt values (0.001: milliseconds to seconds);
                               0 means 1 */
    double dt_default;       /**< Δt where the file gives none: every row without a time or Δt
                               column, the first row of each sequence with one (and a 0 there).
                               0 means: the median Δt of the file (lower median of all known
                               Δt), or 1.0 without a time or Δt column */
    lln_label_kind_t labels; /**< regression (default) or classification */
    int classes;             /**< LLN_LABELS_INT: K; 0 = the largest label + 1 */
    int target_shift;        /**< K >= 0: row r's targets are the target columns K rows later
                               in the same sequence (K = 1: predict the next step); the last K
                               rows of each sequence, which have none, are dropped, and so is a
                               sequence of K rows or fewer. With K > 0 a target column may also
                               be named in features (the current value as input, the future
                               one as target). 0 (default): the row's own values */
    /** Where each column choice came from, for error messages: e.g. a front end's option
     *  ("--features"). A message about a column list or column then starts with it
     *  ("--features: data.csv:1: no column named 'q' ..."). NULL (the default): messages name
     *  the role only ("feature", "target", ...). */
    const char *features_origin;
    const char *targets_origin;  /**< as features_origin, for the targets (e.g. "--targets") */
    const char *ignore_origin;   /**< as features_origin, for the ignored columns */
    const char *sequence_origin; /**< as features_origin, for the sequence column */
    const char *split_origin;    /**< as features_origin, for the split column */
    const char *time_origin;     /**< as features_origin, for the time column */
    const char *dt_origin;       /**< as features_origin, for the Δt column */
} lln_csv_spec_t;

/** Fills spec with the defaults: no columns named (all columns become features), no
 *  sequence, split, time or Δt column, scale 1, automatic Δt default (the median, or 1.0),
 *  regression. */
LLN_API void lln_csv_spec_default(lln_csv_spec_t *spec);

/** A dataset (opaque): the rows of one CSV file as float64 (features, targets, Δt), its
 *  sequences, and a list of windows with their splits. Free with lln_dataset_free(). */
typedef struct lln_dataset lln_dataset_t;

/** Reads a CSV file, plain or gzip-compressed (zlib detects which), or standard input for
 *  path "-". LLN_E_IO when it cannot be read; LLN_E_FORMAT with "file:line: column N
 *  ('name'): ..." for bad data; LLN_E_NOTFOUND for a column name the header lacks. */
LLN_API lln_status_t lln_dataset_read(const char *path, const lln_csv_spec_t *spec,
                                      lln_dataset_t **out, lln_error_t *err);

/** Reads CSV text from memory (not compressed); name is used in messages. */
LLN_API lln_status_t lln_dataset_read_mem(const char *name, const void *data, size_t size,
                                          const lln_csv_spec_t *spec, lln_dataset_t **out,
                                          lln_error_t *err);

/** Frees a dataset. NULL-safe. */
LLN_API void lln_dataset_free(lln_dataset_t *ds);

/** The three splits; a window belongs to one. */
typedef enum lln_split {
    LLN_TRAIN = 0, /**< training */
    LLN_VALID = 1, /**< validation (early stopping, model selection) */
    LLN_TEST = 2   /**< test (reported once) */
} lln_split_t;

/** Sizes and counts of a dataset. */
typedef struct lln_dataset_info {
    size_t rows;             /**< data rows read */
    int sequences;           /**< sequences (1 without a sequence column) */
    int inputs;              /**< I: feature columns */
    int outputs;             /**< O: target columns (1 for class labels) */
    int classes;             /**< K for classification, else 0 */
    int window_length;       /**< T of every batch: the longest window (0 before windows exist) */
    size_t windows;          /**< windows in the list */
    size_t split_windows[3]; /**< windows per split (train, valid, test) */
    size_t padded_windows;   /**< windows shorter than T (padded, mask 0) */
    size_t dropped_windows;  /**< windows removed because their rows span two splits */
    double dt_min;           /**< smallest Δt of any row */
    double dt_max;           /**< largest Δt of any row */
    double dt_median;        /**< lower median of the Δt the file gives (dt_default when none) */
} lln_dataset_info_t;

/** Fills *info. */
LLN_API void lln_dataset_info(const lln_dataset_t *ds, lln_dataset_info_t *info);

/** Name of feature column i (0 .. I-1); NULL when out of range. */
LLN_API const char *lln_dataset_feature_name(const lln_dataset_t *ds, int i);
/** Name of target column j (0 .. O-1); NULL when out of range. */
LLN_API const char *lln_dataset_target_name(const lln_dataset_t *ds, int j);
/** Text of class k for LLN_LABELS_STRING ("0", "1", ... for integer labels); NULL when out
 *  of range or for regression. */
LLN_API const char *lln_dataset_class_name(const lln_dataset_t *ds, int k);

/** Sequence s (0 .. sequences-1): its id text ("" without a sequence column), first row and
 *  row count. LLN_E_RANGE when s is out of range. Any output pointer may be NULL. */
LLN_API lln_status_t lln_dataset_sequence(const lln_dataset_t *ds, int s, const char **name,
                                          size_t *first_row, size_t *rows);

/** Read-only row data, row-major: features rows x I, targets rows x O (class ids as exact
 *  integers for classification), Δt per row (in the time unit times time_scale, every value
 *  finite and >= LLN_DT_MIN). */
LLN_API const double *lln_dataset_inputs(const lln_dataset_t *ds);
/** Targets, rows x O (see lln_dataset_inputs()). */
LLN_API const double *lln_dataset_targets(const lln_dataset_t *ds);
/** Δt per row (see lln_dataset_inputs()). */
LLN_API const double *lln_dataset_dt(const lln_dataset_t *ds);
/** Line of the file row r came from (1-based; for messages). 0 when r is out of range. */
LLN_API long lln_dataset_row_line(const lln_dataset_t *ds, size_t r);

/* ---- windows ---------------------------------------------------------------------------- */

/** One window: `length` consecutive rows of a sequence, starting at row `start` of that
 *  sequence (0 = its first row). Each step keeps its row's Δt, so a window that starts inside
 *  a sequence starts with the time since the row before it. */
typedef struct lln_window {
    int sequence;      /**< 0 .. sequences-1 */
    size_t start;      /**< first row, counted from the start of the sequence */
    int length;        /**< rows (1 .. T); shorter than T: padded in batches, mask 0 */
    lln_split_t split; /**< the split the window belongs to */
} lln_window_t;

/** What happens to a sequence's rows after its last full window. */
typedef enum lln_tail {
    LLN_TAIL_DROP = 0, /**< not used (a sequence shorter than the length gives no window) */
    LLN_TAIL_PAD = 1   /**< one more, shorter window at the next stride position, holding the
                            rest of the sequence (padded to T in batches, mask 0) */
} lln_tail_t;

/** Replaces the window list by windows of `length` rows every `stride` rows (starts 0,
 *  stride, 2 stride, ... while start + length <= rows) of every sequence, in file order;
 *  length 0: one window per whole sequence (T = the longest, shorter ones padded).
 *  stride 0 means stride = length (no overlap). Splits: from the split column when the file
 *  has one (a window whose rows span two splits is dropped and counted), else every window
 *  is LLN_TRAIN until lln_dataset_split() or lln_dataset_assign_sequence().
 *  LLN_E_ARG for a negative length or stride; LLN_E_RANGE when no window results. */
LLN_API lln_status_t lln_dataset_make_windows(lln_dataset_t *ds, int length, int stride,
                                              lln_tail_t tail, lln_error_t *err);

/** Replaces the window list by n explicit windows (checked: sequence in range, length >= 1,
 *  rows inside the sequence, split 0..2). */
LLN_API lln_status_t lln_dataset_set_windows(lln_dataset_t *ds, const lln_window_t *w, size_t n,
                                             lln_error_t *err);

/** Columns of a window-list CSV file (e.g. a paper's ltc_windows.csv). */
typedef struct lln_window_file_spec {
    const char *sequence; /**< column holding the sequence id, matched as text against the
                               dataset's sequence column; NULL: the dataset is one sequence */
    const char *start;    /**< column of the first row within the sequence (required) */
    const char *length;   /**< column of the window length; NULL: default_length */
    const char *split;    /**< column of the split (as lln_csv_spec_t::split); NULL: train */
    int default_length;   /**< length when there is no length column */
} lln_window_file_spec_t;

/** Replaces the window list by the windows listed in a CSV file (plain or gzip), in file
 *  order. Errors name the windows file, line and column. */
LLN_API lln_status_t lln_dataset_read_windows(lln_dataset_t *ds, const char *path,
                                              const lln_window_file_spec_t *spec, lln_error_t *err);

/** Number of windows in the list. */
LLN_API size_t lln_dataset_window_count(const lln_dataset_t *ds);
/** Window w of the list; NULL when out of range. */
LLN_API const lln_window_t *lln_dataset_window(const lln_dataset_t *ds, size_t w);

/* ---- splits ------------------------------------------------------------------------------ */

/** How lln_dataset_split() divides the windows. Counts are rounded down (as int() in
 *  Python): n_valid = floor(valid n), n_test = floor(test n), the rest is training. */
typedef enum lln_split_method {
    LLN_SPLIT_SHUFFLE = 0, /**< windows in a seeded random order: the first n_valid valid, the
                                next n_test test, the rest train (the LTC papers' protocol;
                                overlapping windows then share rows across splits) */
    LLN_SPLIT_CHRONO = 1,  /**< rows in file order: the first rows train, then valid, then the
                                last n_test rows test (n counts rows); windows whose rows span
                                two splits are dropped */
    LLN_SPLIT_SEQUENCE = 2 /**< whole sequences in a seeded random order (n counts sequences):
                                every window of a sequence goes to its split */
} lln_split_method_t;

/** Assigns every window of the list a split. valid and test are fractions in [0, 1) with
 *  valid + test < 1 (LLN_E_ARG otherwise). The same seed gives the same split everywhere. */
LLN_API lln_status_t lln_dataset_split(lln_dataset_t *ds, lln_split_method_t method, double valid,
                                       double test, unsigned long long seed, lln_error_t *err);

/** Puts every window of the sequence whose id is `name` into `split` (e.g. leave one
 *  recording out for testing). LLN_E_NOTFOUND when no sequence has that id. */
LLN_API lln_status_t lln_dataset_assign_sequence(lln_dataset_t *ds, const char *name,
                                                 lln_split_t split, lln_error_t *err);

/** Number of windows in split, and (when idx is not NULL) their list indices in list order. */
LLN_API size_t lln_dataset_split_windows(const lln_dataset_t *ds, lln_split_t split, size_t *idx);

/* ---- normalization ---------------------------------------------------------------------- */

/** Which rows lln_dataset_fit_norm() counts. */
typedef enum lln_norm_rows {
    LLN_NORM_UNIQUE_ROWS = 0,  /**< every row covered by a selected window once */
    LLN_NORM_WINDOW_STEPS = 1, /**< every step of every selected window (overlapping windows
                                    count shared rows again; the LTC gesture protocol) */
    LLN_NORM_SEQUENCE_ROWS = 2 /**< every row of every sequence that has a selected window
                                    (whole recordings; the LTC occupancy protocol) */
} lln_norm_rows_t;

/** Fits per-column mean and (population, divide-by-n) standard deviation over the rows of
 *  the windows whose split bit is set in split_mask (1 << LLN_TRAIN for training only;
 *  7 for all). A standard deviation below std_floor becomes std_floor (a constant column
 *  then only gets centred: its normalized value is 0). in_mean and in_std get I values;
 *  out_mean and out_std (may be NULL) get O values, fitted for regression targets and the
 *  identity (0, 1) for class labels. LLN_E_RANGE when no row is selected; LLN_E_ARG for
 *  std_floor <= 0. */
LLN_API lln_status_t lln_dataset_fit_norm(const lln_dataset_t *ds, unsigned split_mask,
                                          lln_norm_rows_t rows, double std_floor, double *in_mean,
                                          double *in_std, double *out_mean, double *out_std,
                                          lln_error_t *err);

/** Writes a normalization into a model's "norm.input_mean" / "norm.input_std" (I values
 *  each) and "norm.output_mean" / "norm.output_std" (O values each) tensors, which the model
 *  applies as x' = (x - mean) / std before the cell and y = y' std + mean after it. A NULL
 *  pair is left as it is. Every std must be > 0. */
LLN_API lln_status_t lln_model_set_norm(lln_model_t *m, const double *in_mean, const double *in_std,
                                        const double *out_mean, const double *out_std,
                                        lln_error_t *err);

/* ---- batches ----------------------------------------------------------------------------- */

/** Shuffles v[0..n-1] in place (Fisher-Yates) with a generator seeded by (seed, epoch): the
 *  same pair gives the same order on every machine; different epochs give independent
 *  orders. Use it on the index list of lln_dataset_split_windows() each epoch and cut the
 *  result into batches. */
LLN_API void lln_data_shuffle(size_t *v, size_t n, unsigned long long seed,
                              unsigned long long epoch);

/** Copies `count` windows (list indices in `windows`) into contiguous batch arrays with
 *  T = window_length, in float32 (dtype LLN_F32: float arrays) or float64 (double):
 *    x (count, T, I) raw features; dt (count, T) Δt; y (count, T, O) targets (class ids
 *    for classification); mask (count, T) 1 for real steps, 0 for padding.
 *  Padding (steps past a short window's end): x and Δt repeat the last real step, y is 0.
 *  x is required, any other array may be NULL. LLN_E_RANGE for an index out of range. */
LLN_API lln_status_t lln_dataset_gather(const lln_dataset_t *ds, const size_t *windows, int count,
                                        lln_dtype_t dtype, void *x, void *dt, void *y, void *mask,
                                        lln_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
