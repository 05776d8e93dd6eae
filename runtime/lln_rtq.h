/* liquid-edge firmware runtime, fixed-point path: one streaming step of a quantized liquid
 * network with integer arithmetic only (lln_fx.h supplies the primitives).
 *
 * C99, no malloc, no stdio, no libm, no floating point, no writable globals. The model is
 * const data emitted by `lln export` for a model quantized by `lln quantize`; the caller owns
 * the state and the two scratch buffers, whose lengths the export emits as #defines. The same
 * source runs on the host as the reference of `lln verify`, so host and target agree bit for
 * bit by construction (integer code has no rounding-mode or contraction freedom).
 *
 * Number formats. Every int16 vector v has a binary point: value = v * 2^-frac. Weights of
 * dense layers are int8 with one real scale per output row, folded with the input and output
 * scales into a multiplier per row over one shift per layer (one 32 x 32 -> 64-bit multiply and
 * a shift of its high word per row); biases are int32 in the output's units, added after
 * requantisation. The LTC synapses keep 16-bit parameters (see
 * docs/DESIGN.md: int8 conductances lose the small synapses). Δt is an int32 with the model's
 * dt_frac fractional bits.
 */
#ifndef LLN_RTQ_H
#define LLN_RTQ_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status of lln_rtq_step. */
#define LLN_RTQ_OK 0
#define LLN_RTQ_E_DT 1 /**< dt <= 0 (state unchanged) */
/** the model needs a part of the runtime this build left out (lln_rtq_config.h; state
 *  unchanged) */
#define LLN_RTQ_E_PART 2

/** Cell kinds, CfC modes and activations (same values as the host library's enums). */
enum {
    LLN_RTQ_LTC = 0,
    LLN_RTQ_CFC = 1,
    LLN_RTQ_WIRED_CFC = 2,
    LLN_RTQ_GRU = 3, /**< discrete-time baselines: dt is checked but not used */
    LLN_RTQ_LSTM = 4,
    LLN_RTQ_MLP = 5
};
enum { LLN_RTQ_MODE_DEFAULT = 0, LLN_RTQ_MODE_NO_GATE = 1, LLN_RTQ_MODE_PURE = 2 };
enum {
    LLN_RTQ_ACT_LECUN_TANH = 0,
    LLN_RTQ_ACT_TANH,
    LLN_RTQ_ACT_RELU,
    LLN_RTQ_ACT_SILU,
    LLN_RTQ_ACT_GELU
};

/** Per-element affine map y[i] = sat16(rq(x[i] 2^16 mult[i], shift[i]) + bias[i]), where
 *  rq(p, s) = floor(p / 2^s + 1/2) (rounded to nearest, ties up), clamped to +-2^24; shift in
 *  [1, 62], |mult| < 2^30. */
typedef struct lln_rtq_affine {
    const int32_t *mult;
    const int8_t *shift;
    const int32_t *bias;
} lln_rtq_affine_t;

/** y[o] = sat16(rq(A_o mult[o] + B_o mult2[o], shift) + bias[o]) (rq as for lln_rtq_affine_t;
 *  one shift for the whole layer, |mult|, |mult2| < 2^30), w row-major (out x in), int8.
 *  Columns [0, split) are group A, read from the layer's first input vector, and [split, in)
 *  group B, read from its second (split = 0: one group, A = the whole row); each group's
 *  weights are in lln_fx_dot_s8i_s16's interleaved layout on their own. A CfC cell's first
 *  layer reads [input, h] so, with no copy. mult2 NULL: group B has A's row scale
 *  (rq((A_o + B_o) mult[o], shift)); else its own (a wide-range input must not cost the
 *  recurrent state its precision). bias may be NULL. */
typedef struct lln_rtq_dense {
    uint16_t out, in;
    /** int8 weights; in LLN_RTQ_W16 builds instead the int32 words of the same weights
     *  pre-widened to int16 (cast; word aligned): per block of four rows (the last padded with
     *  zero rows), group A then group B, per pair of columns (a group's odd last column paired
     *  with a zero), one word per row holding the pair as two int16, the first column in the
     *  low half: what one SMLAD multiplies with an activation pair. `lln export` writes both
     *  tables, one compiled (lln_rtq_dense_w16_words gives the words' count). */
    const int8_t *w;
    const int32_t *mult;
    int8_t shift;
    const int32_t *bias;
    uint16_t split;
    const int32_t *mult2;
} lln_rtq_dense_t;

/** Whether the firmware's generic dense layers read pre-widened int16 weights
 *  (lln_rtq_dense_t.w): on by default on M-profile Arm cores with the DSP extension and no
 *  Helium (Cortex-M4, M7, M33), where a word of int16 weights feeds SMLAD directly (four rows
 *  share each activation pair: about 0.8 instructions per multiply-accumulate instead of 2.1),
 *  at twice the weight bytes in flash. -DLLN_RTQ_W16=0 keeps the int8 tables (less flash);
 *  -DLLN_RTQ_W16=1 elsewhere runs the plain C version of the same kernel (same results). An
 *  exported model's tables and the runtime must be compiled with the same setting (they are
 *  when both see the same flags; a mismatched build does not link, below); the host
 *  library's tables are int8 (never set there). */
#ifndef LLN_RTQ_W16
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_FEATURE_MVE) && \
    !defined(__ARM_BIG_ENDIAN) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define LLN_RTQ_W16 1
#else
#define LLN_RTQ_W16 0
#endif
#endif
/* A runtime and a caller compiled with different LLN_RTQ_W16 would read one layout as the
 * other (wrong results, no error), so they must not link: in W16 builds the step's symbol is
 * lln_rtq_step_w16, and an exported model with dense layers is NAME_model_w16 (its lln_model.h
 * says so). The application, which calls both, then links only when all three agree. */
#if LLN_RTQ_W16
#define lln_rtq_step lln_rtq_step_w16
#endif
/** Whether an exported dense CfC (one tanh backbone layer, default or no_gate mode) runs the
 *  step `lln export` specialises to its shapes for DSP cores (lln_rtq_spec.h, "the dense CfC
 *  step": four-row blocks of int16 weights in inline assembly, the requantisation fused into
 *  the block's end, table nonlinearities without branches) instead of the generic layers: on by
 *  default with GCC on M-profile Arm cores with the DSP extension (Cortex-M4, M7, M33, M55; not
 *  with Clang, which reserves r7, a register the blocks use); -DLLN_RTQ_DSPEC=0 builds the
 *  generic step. Same results bit for bit either way. */
#ifndef LLN_RTQ_DSPEC
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN) && \
    defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M' && defined(__GNUC__) &&             \
    !defined(__clang__) && defined(__thumb2__)
#define LLN_RTQ_DSPEC 1
#else
#define LLN_RTQ_DSPEC 0
#endif
#endif
/** In an exported model's tables: the int16 table a (LLN_RTQ_W16) or the int8 table b. */
#if LLN_RTQ_W16
#define LLN_RTQ_W16_PICK(a, b) (a)
#else
#define LLN_RTQ_W16_PICK(a, b) (b)
#endif

/** Words of the pre-widened weights (lln_rtq_dense_t.w) for a layer of out rows and in
 *  columns, split as there. */
#define lln_rtq_dense_w16_words(out, in, split)               \
    ((((unsigned long)(out) + 3u) / 4u) * 4u *                \
     (((unsigned long)((split) ? (split) : (in)) + 1u) / 2u + \
      ((unsigned long)(in) - (unsigned long)((split) ? (split) : (in)) + 1u) / 2u))

/** Writes the pre-widened weights (lln_rtq_dense_t.w of LLN_RTQ_W16 builds; the layout is
 *  described there) of a layer of out rows and in columns split as in lln_rtq_dense_t, from
 *  its int8 table w in the int8 layout (each group's rows in lln_fx_dot_s8i_s16's interleaved
 *  order), into dst (lln_rtq_dense_w16_words(out, in, split) words). `lln export` writes
 *  its tables with it; firmware that builds its layers at run time can too. */
void lln_rtq_dense_widen(const int8_t *w, uint16_t out, uint16_t in, uint16_t split, int32_t *dst);

/** One LTC synapse: the sigmoid argument's offset c = 2^31 + 2^(sh-1) - mu sigma (mod 2^32;
 *  mu in the source's units, sh = source frac + sig_frac - 12 of its list: see lln_rtq_syn_t),
 *  source index, sigma (frac sig_frac of its list, |sigma| < 2^14), the conductance P(w) (g
 *  units, < 2^16), the reversal potential erev (v units). Packed so the hot loop walks one
 *  pointer; mu folded into c so sigma (src - mu) rounded costs one multiply-add and a shift. */
typedef struct lln_rtq_synapse {
    uint32_t c;
    uint16_t src;
    int16_t sigma;
    uint16_t w;
    int16_t erev;
} lln_rtq_synapse_t;

/** LTC synapses listed by destination (off: N+1 offsets into syn). The source's fractional
 *  bits + sig_frac - 12 must lie in [1, 30] (the quantizer chooses sig_frac so). */
typedef struct lln_rtq_syn {
    const uint16_t *off;
    const lln_rtq_synapse_t *syn;
    int8_t sig_frac;
} lln_rtq_syn_t;

/** LTC tables. Conductances are in g units (2^-g_frac), the state v in v units (2^-v_frac). */
typedef struct lln_rtq_ltc {
    uint16_t unfolds;
    int8_t v_frac, g_frac, xin_frac; /**< xin: the mapped input the sensory synapses read */
    const int32_t *cm_k;             /**< P(cm) * unfolds, g units (cm/Δt = cm_k/dt) */
    const int32_t *gleak;            /**< P(gleak), g units, in [0, 2^16) */
    const int32_t *gvleak;           /**< P(gleak) * vleak, g x v units */
    const int32_t *wmax;     /**< per neuron: the sum of its internal synapses' P(w), g units */
    int32_t eps;             /**< epsilon in g units (usually 0), >= 0 */
    lln_rtq_affine_t in_map; /**< raw input -> xin (normalisation and mapping) */
    lln_rtq_syn_t sensory, internal;
} lln_rtq_ltc_t;

/** One CfC cell (dense with backbone, or one wired layer). Its first dense layer reads
 *  z = [input, h] as stored, in two column groups (lln_rtq_dense_t.split). */
typedef struct lln_rtq_cfc {
    uint16_t in, hidden, nbackbone;
    int8_t h_frac;                   /**< the cell's state: h * 2^-h_frac */
    const lln_rtq_dense_t *backbone; /**< nbackbone layers */
    const int8_t *act_frac;          /**< per backbone layer: frac of its pre-activation */
    lln_rtq_dense_t heads;           /**< ff1 [ff2 time_a time_b] stacked: nheads*hidden rows */
    int8_t ff_frac;                  /**< frac of ff1/ff2 (12 unless pure mode) */
    int8_t t_frac;                   /**< frac of time_a, time_b */
    const int16_t *w_tau;            /**< pure mode: |w_tau|, ff_frac */
    const int16_t *a;                /**< pure mode: A, a_frac */
    int8_t a_frac;
} lln_rtq_cfc_t;

/** The GRU / LSTM / MLP baselines' tables (lln_rtq_model_t.base). MLP: the state is the
 *  window of the last inputs after in_norm (each input in its own format), oldest row first;
 *  hidden layers as a CfC backbone. GRU / LSTM: the state is h (Q0.15), then the LSTM memory
 *  c (mem_frac). */
typedef struct lln_rtq_base {
    uint16_t nmlp;              /**< MLP: hidden layers */
    const lln_rtq_dense_t *mlp; /**< MLP: nmlp layers; the first reads the window */
    const int8_t *mlp_frac;     /**< MLP: per hidden layer, frac of its pre-activation */
    lln_rtq_dense_t gates;      /**< [xn, h] (split) -> Q3.12: GRU r, z; LSTM i, f, g, o */
    lln_rtq_dense_t cand_in;    /**< GRU: W_in xn + b_in, gin_frac */
    lln_rtq_dense_t cand_h;     /**< GRU: W_hn h + b_hn, ghn_frac */
    int8_t gin_frac, ghn_frac, mem_frac;
} lln_rtq_base_t;

/** An exported quantized model (const data). */
typedef struct lln_rtq_model {
    uint8_t cell, mode, activation;
    uint16_t inputs, units, outputs, cell_outputs; /**< I, N, O, width before projection */
    int8_t dt_frac;                                /**< Δt = dt * 2^-dt_frac */
    const int8_t *x_frac;                          /**< per input: its fractional bits */
    const int8_t *y_frac;                          /**< per output: its fractional bits */
    lln_rtq_ltc_t ltc;
    uint16_t ncells;
    const lln_rtq_cfc_t *cfc;   /**< ncells CfC cells (layers, in state order) */
    lln_rtq_affine_t in_norm;   /**< CfC: raw input -> normalised input */
    lln_rtq_dense_t proj;       /**< projection (out = 0: none) */
    int8_t c_frac;              /**< frac of the cell output the projection or out_map reads */
    lln_rtq_affine_t out_map;   /**< cell (or projection) output -> y (y_frac) */
    uint32_t state_len;         /**< int16 values per stream */
    uint32_t scratch16_len;     /**< int16 scratch values */
    uint32_t scratch32_len;     /**< int32 scratch values */
    const lln_rtq_base_t *base; /**< the baselines' tables (0 for the liquid cells) */
    /** lln_rtq_baseline for the baselines, 0 for the others: reached only through this pointer,
     *  so a liquid model's firmware links none of its code (--gc-sections). */
    void (*baseline)(const struct lln_rtq_model *m, const int16_t *xn, int16_t *state,
                     int16_t *out);
    /** The whole step with this model's shapes compiled in (`lln export` writes one for a CfC
     *  without backbone or projection, default or no_gate mode: lln_rtq_spec.h), or 0 (the
     *  generic code). lln_rtq_step calls it after checking dt; it takes lln_rtq_step's
     *  arguments (the int16 scratch holds the normalised input) and returns LLN_RTQ_OK. */
    int (*step)(const struct lln_rtq_model *m, int16_t *state, const int16_t *x, int32_t dt,
                int16_t *y, int16_t *scratch16);
} lln_rtq_model_t;

/** The baselines' cell (called by lln_rtq_step through lln_rtq_model_t.baseline). MLP: moves
 *  the window in state one row and appends xn; GRU / LSTM: the torch cell update of h (and
 *  c). Writes the cell output (cell_outputs values) to out and uses the values after it as
 *  scratch (MLP: 2 x cell_outputs; GRU / LSTM: inputs + 5 x units). */
void lln_rtq_baseline(const lln_rtq_model_t *m, const int16_t *xn, int16_t *state, int16_t *out);

/** Zeroes the state (state_len values). */
void lln_rtq_reset(const lln_rtq_model_t *m, int16_t *state);

/** One step: x (inputs values, x[i] * 2^-x_frac[i]), dt (> 0, dt * 2^-dt_frac), y (outputs
 *  values, y[o] * 2^-y_frac[o]; may be NULL), scratch buffers of scratch16_len and
 *  scratch32_len values (contents irrelevant). Returns LLN_RTQ_OK, or LLN_RTQ_E_DT or
 *  LLN_RTQ_E_PART with the state unchanged. */
int lln_rtq_step(const lln_rtq_model_t *m, int16_t *state, const int16_t *x, int32_t dt, int16_t *y,
                 int16_t *scratch16, int32_t *scratch32);

#ifdef __cplusplus
}
#endif
#endif
