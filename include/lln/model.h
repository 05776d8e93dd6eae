/* liquid-edge: models (LTC, CfC, wired CfC), their parameters, and the streaming step.
 *
 * A model is immutable while it runs: lln_step() takes it const, so one model can serve
 * many streams and threads at once. Everything that changes per stream lives in an
 * lln_state_t, which the caller owns (lln_state_bytes() + lln_state_init() over any
 * buffer, or lln_state_create() on the heap). No function keeps hidden global state.
 *
 * Parameters are named tensors whose names are ncps's state_dict keys
 * ("rnn_cell.w", "rnn_cell.backbone.0.weight", "lstm.input_map.weight", "fc.bias", ...),
 * plus "norm.*" tensors for input/output normalization (identity by default). The master
 * copy is float64; lln_model_prepare() derives the float32 and float64 kernels' tables.
 *
 * Precision: every run-time function exists in float32 (lln_step, ...) and float64
 * (lln_step_f64, ...). A state is created for one precision.
 */
#ifndef LLN_MODEL_H
#define LLN_MODEL_H

#include <stddef.h>

#include "lln/status.h"
#include "lln/wiring.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lln_cell_kind {
    LLN_CELL_LTC = 0,      /**< ncps LTC (liquid time-constant), any wiring */
    LLN_CELL_CFC = 1,      /**< ncps CfC (closed-form continuous-time), dense with backbone */
    LLN_CELL_WIRED_CFC = 2 /**< ncps WiredCfCCell: one CfC per wiring layer */
} lln_cell_kind_t;

typedef enum lln_mapping { LLN_MAP_AFFINE = 0, LLN_MAP_LINEAR = 1, LLN_MAP_NONE = 2 } lln_mapping_t;

/** LTC positivity of gleak, cm, w, sensory_w: softplus at use (the LTC wrapper's default,
 *  implicit_param_constraints=True) or used as stored (LTCCell's default). */
typedef enum lln_positivity {
    LLN_POS_SOFTPLUS = 0,
    LLN_POS_IDENTITY = 1
} lln_positivity_t;

typedef enum lln_cfc_mode {
    LLN_CFC_DEFAULT = 0,
    LLN_CFC_NO_GATE = 1,
    LLN_CFC_PURE = 2
} lln_cfc_mode_t;

typedef enum lln_activation {
    LLN_ACT_LECUN_TANH = 0, /**< 1.7159 * tanh(0.666 x) (ncps's constant, not 2/3) */
    LLN_ACT_TANH = 1,
    LLN_ACT_RELU = 2,
    LLN_ACT_SILU = 3,
    LLN_ACT_GELU = 4 /**< exact erf form */
} lln_activation_t;

/** Everything that fixes a model's structure. Start from lln_config_default(). */
typedef struct lln_config {
    lln_cell_kind_t cell;
    int input_size;           /**< I */
    int units;                /**< N: state size of the cell (without the LSTM memory) */
    lln_wiring_spec_t wiring; /**< LTC and wired CfC. CUSTOM: structure from mask tensors */
    int output_size;          /**< CUSTOM wirings only: LTC motor count M (<= units) */
    int mixed_memory;         /**< 1: an LSTM memory cell runs before the cell (ncps) */
    /* LTC */
    int ode_unfolds;               /**< K >= 1, default 6 */
    double epsilon;                /**< default 1e-8 */
    lln_positivity_t positivity;   /**< default softplus */
    lln_mapping_t input_mapping;   /**< default affine */
    lln_mapping_t output_mapping;  /**< default affine */
    /* CfC */
    lln_cfc_mode_t mode;           /**< default, no_gate, pure */
    lln_activation_t activation;   /**< backbone activation, default lecun_tanh */
    int backbone_units;            /**< default 128 */
    int backbone_layers;           /**< 0..LLN_MAX_BACKBONE, default 1 */
    double backbone_dropout;       /**< only shifts parameter names (eval mode); default 0 */
    int proj_size;                 /**< 0 = no projection, else Linear(out -> proj_size) */
    /* wired CfC with a CUSTOM wiring: per-layer sizes (sum = units) */
    int num_layers;
    int layer_sizes[LLN_MAX_LAYERS];
} lln_config_t;

#define LLN_MAX_BACKBONE 16
#define LLN_MAX_DIM 65536 /**< bound on every size in a config */

/** Fills cfg with ncps's defaults for the cell kind (sizes left 0). */
LLN_API void lln_config_default(lln_config_t *cfg, lln_cell_kind_t cell);

/** Checks a configuration; the message names the offending field. */
LLN_API lln_status_t lln_config_validate(const lln_config_t *cfg, lln_error_t *err);

/** Sets one field from text, e.g. ("mode", "no_gate"), ("ode_unfolds", "6"),
 *  ("wiring", "autoncp"), ("wiring.units", "19"). Used by model files, the CLI and the
 *  importer. Keys and values: docs/FORMAT.md. */
LLN_API lln_status_t lln_config_set(lln_config_t *cfg, const char *key, const char *value,
                            lln_error_t *err);

/** Calls fn(key, value, ctx) for every field needed to rebuild cfg with lln_config_set. */
LLN_API void lln_config_foreach(const lln_config_t *cfg,
                        void (*fn)(const char *key, const char *value, void *ctx), void *ctx);

/** Number of float64 parameter values (all tensors) a model of this configuration holds;
 *  computed without building the wiring or allocating the parameters. Lets a loader check
 *  an untrusted configuration against the data it comes with before creating the model. */
LLN_API lln_status_t lln_config_param_count(const lln_config_t *cfg, size_t *count, lln_error_t *err);

/* ---- model ---------------------------------------------------------------------------- */

typedef struct lln_model lln_model_t;

/** Tensor flags. */
#define LLN_TENSOR_TRAINABLE 1u /**< a parameter the trainer updates */
#define LLN_TENSOR_MASK 2u      /**< a 0/1 sparsity mask (fixed structure) */
#define LLN_TENSOR_NORM 4u      /**< input/output normalization (not an ncps tensor) */

typedef struct lln_tensor_info {
    const char *name; /**< ncps state_dict key, or "norm.*" */
    int ndim;         /**< 1 or 2 */
    int dims[2];
    size_t count;  /**< elements */
    size_t offset; /**< into lln_model_params() */
    unsigned flags;
} lln_tensor_info_t;

/** Builds a model: wiring (from cfg->wiring), tensors, and an ncps-like random
 *  initialisation from seed (the distributions of ncps, not its torch RNG stream). */
LLN_API lln_status_t lln_model_create(const lln_config_t *cfg, unsigned long long seed,
                              lln_model_t **out, lln_error_t *err);
LLN_API void lln_model_free(lln_model_t *m);

LLN_API const lln_config_t *lln_model_config(const lln_model_t *m);
/** The wiring the model was built with (NULL for CUSTOM wirings). */
LLN_API const lln_wiring_t *lln_model_wiring(const lln_model_t *m);

LLN_API size_t lln_model_tensor_count(const lln_model_t *m);
LLN_API const lln_tensor_info_t *lln_model_tensor(const lln_model_t *m, size_t index);
/** NULL when the model has no tensor of that name. */
LLN_API const lln_tensor_info_t *lln_model_find(const lln_model_t *m, const char *name);

/** Copies values into a tensor, checking the element count; re-prepares the model.
 *  Masks must be 0/1 and every value finite. */
LLN_API lln_status_t lln_model_set(lln_model_t *m, const char *name, const double *values, size_t count,
                           lln_error_t *err);

/** The master parameter vector (float64), all tensors back to back. After writing to it
 *  directly (e.g. an optimizer step), call lln_model_prepare(). */
LLN_API double *lln_model_params(lln_model_t *m);
LLN_API const double *lln_model_params_const(const lln_model_t *m);
LLN_API size_t lln_model_param_count(const lln_model_t *m);

/** Rebuilds the precomputed kernel tables from the parameters (validates them). */
LLN_API lln_status_t lln_model_prepare(lln_model_t *m, lln_error_t *err);

/** Free-form metadata (UTF-8 key/value strings, stored in model files). */
LLN_API lln_status_t lln_model_set_meta(lln_model_t *m, const char *key, const char *value);
LLN_API const char *lln_model_get_meta(const lln_model_t *m, const char *key);
LLN_API size_t lln_model_meta_count(const lln_model_t *m);
LLN_API lln_status_t lln_model_meta_at(const lln_model_t *m, size_t i, const char **key,
                               const char **value);

/* ---- sizes ------------------------------------------------------------------------------ */

LLN_API int lln_model_input_size(const lln_model_t *m);  /**< I: floats per input row */
LLN_API int lln_model_output_size(const lln_model_t *m); /**< O: floats per output row */
LLN_API int lln_model_state_size(const lln_model_t *m);  /**< N: hidden state */
LLN_API int lln_model_memory_size(const lln_model_t *m); /**< N with mixed memory (LSTM c), else 0 */

/** Structural counts of one step for one sample (for `lln info` and profiling). */
typedef struct lln_model_stats {
    long params;          /**< trainable scalars (masked-out entries excluded) */
    long synapses;        /**< LTC: internal synapses; CfC: 0 */
    long sensory_synapses;
    long macs;            /**< multiply-accumulates per step */
    long transcendentals; /**< exp / tanh / erf / softplus calls per step */
    size_t weight_bytes_f32; /**< bytes of the float32 kernel tables */
} lln_model_stats_t;
LLN_API void lln_model_stats(const lln_model_t *m, lln_model_stats_t *st);

/* ---- streams ------------------------------------------------------------------------------ */

typedef enum lln_dtype { LLN_F32 = 0, LLN_F64 = 1 } lln_dtype_t;

typedef struct lln_state lln_state_t;

/** Bytes a state for `batch` parallel streams needs (incl. its scratch space). */
LLN_API size_t lln_state_bytes(const lln_model_t *m, lln_dtype_t dtype, int batch);
/** Lays a state out in caller memory (aligned to 16 bytes is best; any alignment works).
 *  The state starts at zero. The buffer must outlive the state; nothing is allocated. */
LLN_API lln_status_t lln_state_init(const lln_model_t *m, lln_dtype_t dtype, int batch, void *buf,
                            size_t bytes, lln_state_t **out);
/** Heap version of lln_state_init; free with lln_state_free. */
LLN_API lln_status_t lln_state_create(const lln_model_t *m, lln_dtype_t dtype, int batch,
                              lln_state_t **out);
LLN_API void lln_state_free(lln_state_t *s);
/** Zeroes the hidden state (and LSTM memory). */
LLN_API void lln_state_reset(lln_state_t *s);
LLN_API int lln_state_batch(const lln_state_t *s);
/** Copies the hidden state in or out: h is batch x N, c (mixed memory only, else NULL)
 *  batch x N, in the precision of the state (float* for F32, double* for F64). */
LLN_API lln_status_t lln_state_set(lln_state_t *s, const void *h, const void *c);
LLN_API lln_status_t lln_state_get(const lln_state_t *s, void *h, void *c);

/** One step for every stream of the state. x: batch x I, y: batch x O (may be NULL).
 *  dt: elapsed time per stream (batch values); NULL means 1.0 for all. A dt that is not
 *  finite or <= 0 returns LLN_E_DT and leaves the state unchanged. */
LLN_API lln_status_t lln_step_batch(const lln_model_t *m, lln_state_t *s, const float *x,
                            const float *dt, float *y);
LLN_API lln_status_t lln_step_batch_f64(const lln_model_t *m, lln_state_t *s, const double *x,
                                const double *dt, double *y);

/** The streaming primitive: one step, every stream of the state uses the same dt. */
LLN_API lln_status_t lln_step(const lln_model_t *m, lln_state_t *s, const float *x, float dt, float *y);
LLN_API lln_status_t lln_step_f64(const lln_model_t *m, lln_state_t *s, const double *x, double dt,
                          double *y);

/** A whole batch of sequences, batch-first, starting from the state's current value and
 *  leaving the final state in it. x: B x T x I; dt: B x T or NULL (1.0); y: B x T x O
 *  (may be NULL); states: B x T x N or NULL (hidden state after every step). */
LLN_API lln_status_t lln_sequence(const lln_model_t *m, lln_state_t *s, int steps, const float *x,
                          const float *dt, float *y, float *states);
LLN_API lln_status_t lln_sequence_f64(const lln_model_t *m, lln_state_t *s, int steps, const double *x,
                              const double *dt, double *y, double *states);

/** Library version string, e.g. "0.1.0". */
LLN_API const char *lln_version(void);

/* Name <-> enum helpers (NULL / LLN_E_ARG on unknown values). */
LLN_API const char *lln_cell_name(lln_cell_kind_t k);
LLN_API const char *lln_mapping_name(lln_mapping_t k);
LLN_API const char *lln_cfc_mode_name(lln_cfc_mode_t k);
LLN_API const char *lln_activation_name(lln_activation_t k);

#ifdef __cplusplus
}
#endif
#endif
