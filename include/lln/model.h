/** @file
 * liquid-edge: models (LTC, CfC, wired CfC), their parameters, and the streaming step.
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

/** The kind of recurrent cell a model runs. */
typedef enum lln_cell_kind {
    LLN_CELL_LTC = 0,       /**< ncps LTC (liquid time-constant), any wiring */
    LLN_CELL_CFC = 1,       /**< ncps CfC (closed-form continuous-time), dense with backbone */
    LLN_CELL_WIRED_CFC = 2, /**< ncps WiredCfCCell: one CfC per wiring layer */
    /* Conventional discrete-time baselines (Δt is ignored; docs/DESIGN.md "Baselines"). */
    LLN_CELL_GRU = 3,  /**< torch GRUCell (gates r, z, n), then fc when proj_size > 0 */
    LLN_CELL_LSTM = 4, /**< torch LSTMCell (gates i, f, g, o); state h and memory c */
    LLN_CELL_MLP = 5   /**< dense layers over a window of the last mlp_window inputs */
} lln_cell_kind_t;

/** LTC input/output mapping (ncps input_mapping / output_mapping). */
typedef enum lln_mapping {
    LLN_MAP_AFFINE = 0, /**< x * w + b, elementwise (ncps "affine", the default) */
    LLN_MAP_LINEAR = 1, /**< x * w, elementwise (ncps "linear") */
    LLN_MAP_NONE = 2    /**< identity: no mapping tensors */
} lln_mapping_t;

/** How an LTC reads its outputs from the neuron states v (config key "readout"). */
typedef enum lln_readout {
    LLN_READOUT_MOTOR = 0, /**< ncps: y = output_w * v[j] + output_b for the first M (motor)
                                neurons j, elementwise (output_mapping); the default */
    LLN_READOUT_DENSE = 1  /**< the LTC paper's TensorFlow experiments: y = W v + b over all N
                                neurons, W (proj_size x N) and b being the tensors fc.weight and
                                fc.bias; output_mapping becomes none (the layer subsumes it) */
} lln_readout_t;

/** LTC positivity of gleak, cm, w, sensory_w: softplus at use (the LTC wrapper's default,
 *  implicit_param_constraints=True) or used as stored (LTCCell's default). */
typedef enum lln_positivity {
    LLN_POS_SOFTPLUS = 0, /**< softplus(p) is used (implicit_param_constraints=True) */
    LLN_POS_IDENTITY = 1  /**< p is used as stored */
} lln_positivity_t;

/** CfC cell mode (ncps CfC mode=...). With heads ff1, ff2 and time gate s = sigmoid(ta dt + tb):
 *  default: h = tanh(ff1) (1 - s) + s tanh(ff2); no_gate: h = tanh(ff1) + s tanh(ff2);
 *  pure: the closed-form solution h = -A exp(-dt (|w_tau| + |ff1|)) ff1 + A. */
typedef enum lln_cfc_mode {
    LLN_CFC_DEFAULT = 0, /**< ncps "default": gated */
    LLN_CFC_NO_GATE = 1, /**< ncps "no_gate" */
    LLN_CFC_PURE = 2     /**< ncps "pure": direct solution (parameters w_tau, A) */
} lln_cfc_mode_t;

/** Activation of the CfC backbone layers (ncps backbone_activation). */
typedef enum lln_activation {
    LLN_ACT_LECUN_TANH = 0, /**< 1.7159 * tanh(0.666 x) (ncps's constant, not 2/3) */
    LLN_ACT_TANH = 1,       /**< tanh(x) */
    LLN_ACT_RELU = 2,       /**< max(x, 0) */
    LLN_ACT_SILU = 3,       /**< x * sigmoid(x) */
    LLN_ACT_GELU = 4        /**< exact erf form */
} lln_activation_t;

/** Everything that fixes a model's structure. Start from lln_config_default(). */
typedef struct lln_config {
    lln_cell_kind_t cell;     /**< which cell (fixes which other fields apply) */
    int input_size;           /**< I */
    int units;                /**< N: state size of the cell (without the LSTM memory) */
    lln_wiring_spec_t wiring; /**< LTC and wired CfC. CUSTOM: structure from mask tensors */
    int output_size;          /**< CUSTOM wirings only: LTC motor count M (<= units) */
    int mixed_memory;         /**< 1: an LSTM memory cell runs before the cell (ncps) */
    /* LTC */
    int ode_unfolds;              /**< K >= 1, default 6 */
    double epsilon;               /**< default 1e-8 */
    lln_positivity_t positivity;  /**< default softplus */
    lln_mapping_t input_mapping;  /**< default affine */
    lln_mapping_t output_mapping; /**< default affine */
    lln_readout_t readout;        /**< motor (default, ncps) or dense; dense: outputs =
                                       proj_size (default: the motor count M) */
    /* CfC */
    lln_cfc_mode_t mode;         /**< default, no_gate, pure */
    lln_activation_t activation; /**< backbone activation, default lecun_tanh */
    int backbone_units;          /**< default 128 */
    int backbone_layers;         /**< 0..LLN_MAX_BACKBONE, default 1 */
    double backbone_dropout;     /**< only shifts parameter names (eval mode); default 0 */
    int proj_size;               /**< 0 = no projection, else Linear(out -> proj_size);
                                      LTC: only with readout = dense */
    /* wired CfC with a CUSTOM wiring: per-layer sizes (sum = units) */
    int num_layers;                  /**< wired CfC, CUSTOM wiring: layers, 1..LLN_MAX_LAYERS */
    int layer_sizes[LLN_MAX_LAYERS]; /**< wired CfC, CUSTOM wiring: neurons per layer */
    /* MLP baseline: hidden layers are backbone_layers x backbone_units with `activation`;
     * the state is the window, so units = mlp_window * input_size (filled in on creation) */
    int mlp_window; /**< MLP: input rows in the window, 1..LLN_MAX_WINDOW, default 8 */
} lln_config_t;

/** Smallest elapsed time accepted (seconds, or the caller's unit). Below it LTC's cm/Δt
 *  overflows float32; a Δt of 1e-20 has no physical meaning anyway. */
#define LLN_DT_MIN 1e-20

/** Most CfC backbone layers a configuration may have. */
#define LLN_MAX_BACKBONE 16
#define LLN_MAX_DIM 65536   /**< bound on every size in a config */
#define LLN_MAX_WINDOW 4096 /**< bound on the MLP baseline's mlp_window */

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
                                void (*fn)(const char *key, const char *value, void *ctx),
                                void *ctx);

/** Number of float64 parameter values (all tensors) a model of this configuration holds;
 *  computed without building the wiring or allocating the parameters. Lets a loader check
 *  an untrusted configuration against the data it comes with before creating the model. */
LLN_API lln_status_t lln_config_param_count(const lln_config_t *cfg, size_t *count,
                                            lln_error_t *err);

/* ---- model ---------------------------------------------------------------------------- */

/** A model (opaque): configuration, wiring, named float64 parameters, metadata and the
 *  prepared kernel tables. Create with lln_model_create(), lln_model_load() or
 *  lln_import_ncps(); free with lln_model_free(). */
typedef struct lln_model lln_model_t;

/** Tensor flags. */
#define LLN_TENSOR_TRAINABLE 1u /**< a parameter the trainer updates */
#define LLN_TENSOR_MASK 2u      /**< a 0/1 sparsity mask (fixed structure) */
#define LLN_TENSOR_NORM 4u      /**< input/output normalization (not an ncps tensor) */

/** One named parameter tensor of a model (row-major float64 values in the parameter vector). */
typedef struct lln_tensor_info {
    const char *name; /**< ncps state_dict key, or "norm.*" */
    int ndim;         /**< 1 or 2 */
    int dims[2];      /**< rows, columns (dims[1] is 0 when ndim is 1) */
    size_t count;     /**< elements */
    size_t offset;    /**< into lln_model_params() */
    unsigned flags;   /**< LLN_TENSOR_TRAINABLE, LLN_TENSOR_MASK, LLN_TENSOR_NORM */
} lln_tensor_info_t;

/** Builds a model: wiring (from cfg->wiring), tensors, and an ncps-like random
 *  initialisation from seed (the distributions of ncps, not its torch RNG stream). */
LLN_API lln_status_t lln_model_create(const lln_config_t *cfg, unsigned long long seed,
                                      lln_model_t **out, lln_error_t *err);
/** Frees a model and everything it owns. NULL-safe. States created for it must not be used
 *  afterwards. */
LLN_API void lln_model_free(lln_model_t *m);

/** The configuration the model was built from (owned by the model). */
LLN_API const lln_config_t *lln_model_config(const lln_model_t *m);
/** The wiring the model was built with (NULL for CUSTOM wirings). */
LLN_API const lln_wiring_t *lln_model_wiring(const lln_model_t *m);

/** Number of parameter tensors (masks and normalization tensors included). */
LLN_API size_t lln_model_tensor_count(const lln_model_t *m);
/** Tensor number index (0 .. lln_model_tensor_count() - 1), in parameter-vector order; NULL
 *  when index is out of range. */
LLN_API const lln_tensor_info_t *lln_model_tensor(const lln_model_t *m, size_t index);
/** NULL when the model has no tensor of that name. */
LLN_API const lln_tensor_info_t *lln_model_find(const lln_model_t *m, const char *name);

/** Copies values into a tensor, checking the element count; re-prepares the model.
 *  Masks must be 0/1 and every value finite. */
LLN_API lln_status_t lln_model_set(lln_model_t *m, const char *name, const double *values,
                                   size_t count, lln_error_t *err);

/** The master parameter vector (float64), all tensors back to back. After writing to it
 *  directly (e.g. an optimizer step), call lln_model_prepare(). */
LLN_API double *lln_model_params(lln_model_t *m);
/** Read-only view of the master parameter vector (see lln_model_params()). */
LLN_API const double *lln_model_params_const(const lln_model_t *m);
/** Number of float64 values in the parameter vector (all tensors, masks included). */
LLN_API size_t lln_model_param_count(const lln_model_t *m);

/** Rebuilds the precomputed kernel tables from the parameters (validates them). */
LLN_API lln_status_t lln_model_prepare(lln_model_t *m, lln_error_t *err);

/** The longest metadata value (bytes, without the NUL) a model file stores. */
#define LLN_MAX_META_VALUE 65536

/** Free-form metadata (UTF-8 key/value strings, stored in model files): sets key to a copy
 *  of value, replacing an existing value. LLN_E_ARG for a NULL or empty key or a NULL value,
 *  LLN_E_NOMEM. */
LLN_API lln_status_t lln_model_set_meta(lln_model_t *m, const char *key, const char *value);
/** The value of metadata key (owned by the model), or NULL when there is none. */
LLN_API const char *lln_model_get_meta(const lln_model_t *m, const char *key);
/** Number of metadata entries. */
LLN_API size_t lln_model_meta_count(const lln_model_t *m);
/** Metadata entry i (0 .. lln_model_meta_count() - 1), in insertion order: sets *key and
 *  *value (owned by the model). LLN_E_RANGE when i is out of range. */
LLN_API lln_status_t lln_model_meta_at(const lln_model_t *m, size_t i, const char **key,
                                       const char **value);

/* ---- sizes ------------------------------------------------------------------------------ */

/** I: values per input row. */
LLN_API int lln_model_input_size(const lln_model_t *m);
/** O: values per output row. */
LLN_API int lln_model_output_size(const lln_model_t *m);
/** N: size of the hidden state h. */
LLN_API int lln_model_state_size(const lln_model_t *m);
/** Size of the LSTM memory c: N with mixed memory or for the LSTM baseline, else 0. */
LLN_API int lln_model_memory_size(const lln_model_t *m);

/** Structural counts of one step for one sample (for `lln info` and profiling). */
typedef struct lln_model_stats {
    long params;             /**< trainable scalars (masked-out entries excluded) */
    long synapses;           /**< LTC: internal synapses; CfC: 0 */
    long sensory_synapses;   /**< LTC: synapses from the inputs; CfC: 0 */
    long macs;               /**< multiply-accumulates per step */
    long transcendentals;    /**< exp / tanh / erf / softplus calls per step */
    size_t weight_bytes_f32; /**< bytes of the float32 kernel tables */
} lln_model_stats_t;
/** Fills *st with the structural counts of m. */
LLN_API void lln_model_stats(const lln_model_t *m, lln_model_stats_t *st);

/* ---- streams ------------------------------------------------------------------------------ */

/** Precision of a state and of the step functions that run it. */
typedef enum lln_dtype {
    LLN_F32 = 0, /**< float32: lln_step(), lln_step_batch(), lln_sequence() */
    LLN_F64 = 1  /**< float64: lln_step_f64(), lln_step_batch_f64(), lln_sequence_f64() */
} lln_dtype_t;

/** A stream's state (opaque): hidden state, LSTM memory and step scratch for batch parallel
 *  streams of one model in one precision, in memory the caller owns. */
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
/** Frees a state made by lln_state_create(); does nothing for NULL or for a state laid out
 *  by lln_state_init() (the caller owns that buffer). */
LLN_API void lln_state_free(lln_state_t *s);
/** Zeroes the hidden state (and LSTM memory). */
LLN_API void lln_state_reset(lln_state_t *s);
/** Number of parallel streams of the state (0 for NULL). */
LLN_API int lln_state_batch(const lln_state_t *s);
/** Copies a hidden state in: h is batch x N, c (mixed memory only, else NULL) batch x N,
 *  in the precision of the state (float* for F32, double* for F64); a NULL h or c leaves
 *  that part as it is. LLN_E_ARG when s is NULL or c is given without mixed memory. */
LLN_API lln_status_t lln_state_set(lln_state_t *s, const void *h, const void *c);
/** Copies the hidden state out, laid out as for lln_state_set(); a NULL h or c skips that
 *  part. LLN_E_ARG when s is NULL or c is given without mixed memory. */
LLN_API lln_status_t lln_state_get(const lln_state_t *s, void *h, void *c);

/** One step for every stream of the state. x: batch x I, y: batch x O (may be NULL).
 *  dt: elapsed time per stream (batch values); NULL means 1.0 for all. A dt that is not
 *  finite or <= 0 returns LLN_E_DT and leaves the state unchanged; so do a non-finite input
 *  (LLN_E_RANGE) and a NULL x, or a state of another model or precision (LLN_E_ARG). Never
 *  allocates. */
LLN_API lln_status_t lln_step_batch(const lln_model_t *m, lln_state_t *s, const float *x,
                                    const float *dt, float *y);
/** float64 version of lln_step_batch(), for a state created with LLN_F64. */
LLN_API lln_status_t lln_step_batch_f64(const lln_model_t *m, lln_state_t *s, const double *x,
                                        const double *dt, double *y);

/** The streaming primitive: one step, every stream of the state uses the same dt (else as
 *  lln_step_batch()). */
LLN_API lln_status_t lln_step(const lln_model_t *m, lln_state_t *s, const float *x, float dt,
                              float *y);
/** float64 version of lln_step(), for a state created with LLN_F64. */
LLN_API lln_status_t lln_step_f64(const lln_model_t *m, lln_state_t *s, const double *x, double dt,
                                  double *y);

/** A whole batch of sequences, batch-first, starting from the state's current value and
 *  leaving the final state in it. x: B x T x I; dt: B x T or NULL (1.0); y: B x T x O
 *  (may be NULL); states: B x T x N or NULL (hidden state after every step). */
LLN_API lln_status_t lln_sequence(const lln_model_t *m, lln_state_t *s, int steps, const float *x,
                                  const float *dt, float *y, float *states);
/** float64 version of lln_sequence(), for a state created with LLN_F64. */
LLN_API lln_status_t lln_sequence_f64(const lln_model_t *m, lln_state_t *s, int steps,
                                      const double *x, const double *dt, double *y, double *states);

/** Most threads lln_sequence_mt() runs on. */
#define LLN_MAX_THREADS 64

/** lln_sequence() with the batch split across `threads` threads (0: one per online CPU, at
 *  most LLN_MAX_THREADS; 1: the calling thread only, as lln_sequence()). The batch is cut
 *  into chunks of about batch / (4 threads) streams, rounded up to the streams the kernels
 *  step together (16 for LTC and CfC cells without backbone, 4 for dense layers; a batch of
 *  one such block or less is split evenly), and each thread takes the next chunk until none
 *  is left, running all the steps of
 *  its streams on their part of the state, which already holds every stream's memory. The
 *  threads belong to the model: the first call with more than one thread starts them (a call
 *  with another thread count restarts them), they wait between calls (a short spin, then
 *  asleep) and lln_model_free() stops them; a call made while another call holds them (the
 *  same model stepped from two application threads) starts threads of its own for that call.
 *  Beyond that the model is only read. The results are bit-identical to lln_sequence() for any thread
 *  count, because a stream's arithmetic does not depend on the batch it runs in. The calling
 *  thread takes chunks too and waits for the others; a thread that cannot be started has
 *  its chunks run by the others. Arguments are checked as by lln_sequence() before any work;
 *  threads < 0 or > LLN_MAX_THREADS returns LLN_E_ARG. The same state must not be stepped
 *  by another call meanwhile. */
LLN_API lln_status_t lln_sequence_mt(const lln_model_t *m, lln_state_t *s, int threads, int steps,
                                     const float *x, const float *dt, float *y, float *states);
/** float64 version of lln_sequence_mt(), for a state created with LLN_F64. */
LLN_API lln_status_t lln_sequence_mt_f64(const lln_model_t *m, lln_state_t *s, int threads,
                                         int steps, const double *x, const double *dt, double *y,
                                         double *states);

/** Library version string, e.g. "0.1.0". */
LLN_API const char *lln_version(void);

/** Instruction set of the float32 kernels in use: "sse2", "avx2" or "avx512" when an x86-64
 *  build chooses at run time (the best the CPU supports, or the environment variable
 *  LLN_ISA=sse2|avx2|avx512|auto), "neon" on aarch64, otherwise the build's fixed choice
 *  ("... (fixed at build time)", "plain C"). */
LLN_API const char *lln_kernel_isa(void);

/* Name <-> enum helpers (NULL / LLN_E_ARG on unknown values). */
/** "ltc", "cfc", "wired_cfc", "gru", "lstm" or "mlp" (the values of lln_config_set()'s
 *  "cell"); NULL if unknown. */
LLN_API const char *lln_cell_name(lln_cell_kind_t k);
/** "affine", "linear" or "none"; NULL if unknown. */
LLN_API const char *lln_mapping_name(lln_mapping_t k);
/** "default", "no_gate" or "pure"; NULL if unknown. */
LLN_API const char *lln_cfc_mode_name(lln_cfc_mode_t k);
/** "lecun_tanh", "tanh", "relu", "silu" or "gelu"; NULL if unknown. */
LLN_API const char *lln_activation_name(lln_activation_t k);
/** "motor" or "dense" (the values of lln_config_set()'s "readout"); NULL if unknown. */
LLN_API const char *lln_readout_name(lln_readout_t k);

#ifdef __cplusplus
}
#endif
#endif
