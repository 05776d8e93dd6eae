/* liquid-edge firmware runtime: one streaming step of an exported liquid network.
 *
 * C99, freestanding-friendly: no malloc, no stdio, no libm, no writable globals. All
 * memory belongs to the caller: the model is const data emitted by `lln export`
 * (<prefix>_model.c), the state and the scratch are caller buffers whose sizes the export
 * emits as #defines (<PREFIX>_STATE_FLOATS, <PREFIX>_SCRATCH_FLOATS). The same source
 * compiles on the host (the reference `lln verify` compares against) and on the target;
 * build both without floating-point contraction (-ffp-contract=off) and without fast-math,
 * so every operation rounds the same way and results are bit-identical.
 *
 * This is the float32 path (for any target; FPU cores run it in hardware, others through
 * the compiler's IEEE soft-float routines).
 */
#ifndef LLN_RT_H
#define LLN_RT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status of lln_rt_step. */
#define LLN_RT_OK 0
#define LLN_RT_E_DT 1 /**< dt not finite or < LLN_RT_DT_MIN (state unchanged) */
/** Smallest dt accepted: below it LTC's cm/dt overflows float32. */
#define LLN_RT_DT_MIN 1e-20f
#define LLN_RT_E_INPUT 2 /**< an input is not finite (state unchanged) */

/** Cell kinds, CfC modes and activations (same values as the host library's enums). */
enum {
    LLN_RT_LTC = 0,
    LLN_RT_CFC = 1,
    LLN_RT_WIRED_CFC = 2,
    LLN_RT_GRU = 3, /**< discrete-time baselines: dt is checked but not used */
    LLN_RT_LSTM = 4,
    LLN_RT_MLP = 5
};
enum { LLN_RT_MODE_DEFAULT = 0, LLN_RT_MODE_NO_GATE = 1, LLN_RT_MODE_PURE = 2 };
enum {
    LLN_RT_ACT_LECUN_TANH = 0,
    LLN_RT_ACT_TANH,
    LLN_RT_ACT_RELU,
    LLN_RT_ACT_SILU,
    LLN_RT_ACT_GELU
};

/** y = W x + b; W row-major (out x in). */
typedef struct lln_rt_dense {
    uint16_t out, in;
    const float *w, *b;
} lln_rt_dense_t;

/** LTC tables: parameter-only terms precomputed, synapses listed by destination. */
typedef struct lln_rt_ltc {
    uint16_t unfolds;
    float eps;
    const float *in_w, *in_b;      /**< input mapping (identity = 1 / 0), I each */
    const float *out_w, *out_b;    /**< output mapping, M each */
    const float *cm_k;             /**< P(cm) * unfolds, N */
    const float *gleak;            /**< P(gleak), N */
    const float *gvleak;           /**< P(gleak) * vleak, N */
    const uint16_t *s_off, *s_src; /**< sensory synapses: N+1 offsets, source input ids */
    const float *s_sigma, *s_mu, *s_w, *s_we; /**< per synapse: sigma, mu, P(w), P(w)*erev */
    const uint16_t *r_off, *r_src;            /**< internal synapses, same layout */
    const float *r_sigma, *r_mu, *r_w, *r_we;
} lln_rt_ltc_t;

/** One CfC cell (dense with backbone, or one wired layer without). */
typedef struct lln_rt_cfc {
    uint16_t in, hidden, nbackbone;
    const lln_rt_dense_t *backbone; /**< nbackbone layers */
    lln_rt_dense_t heads;           /**< ff1 [ff2 time_a time_b] stacked: nheads*hidden rows */
    const float *w_tau_abs, *a;     /**< pure mode: |w_tau|, A */
} lln_rt_cfc_t;

/** The GRU / LSTM / MLP baselines' tables (lln_rt_model_t.base; the liquid cells have none). */
typedef struct lln_rt_base {
    lln_rt_dense_t rnn_ih, rnn_hh; /**< GRU / LSTM: gate pre-activations (out = 0: none) */
    uint16_t nmlp;                 /**< MLP: hidden layers over the input window */
    const lln_rt_dense_t *mlp;     /**< MLP: nmlp layers (the window is the state) */
} lln_rt_base_t;

/** An exported model (const data). */
typedef struct lln_rt_model {
    uint8_t cell, mode, activation, mixed_memory;
    uint16_t inputs, units, outputs, cell_outputs; /**< I, N, O, width before projection */
    lln_rt_ltc_t ltc;
    uint16_t ncells;
    const lln_rt_cfc_t *cfc;          /**< ncells CfC cells (layers, in state order) */
    lln_rt_dense_t lstm_in, lstm_rec; /**< mixed memory (out = 0: none) */
    lln_rt_dense_t proj;              /**< projection (out = 0: none) */
    const float *x_mean, *x_inv_std;  /**< input normalisation, I each */
    const float *y_mean, *y_std;      /**< output scaling, O each */
    uint32_t state_floats, scratch_floats;
    const lln_rt_base_t *base; /**< the baselines' tables (0 for the liquid cells) */
    /** lln_rt_baseline for the GRU / LSTM / MLP cells, 0 for the others: reached only
     *  through this pointer, so a liquid model's firmware links none of its code
     *  (--gc-sections). */
    void (*baseline)(const struct lln_rt_model *m, const float *xn, float *state, float *yc,
                     float *w);
} lln_rt_model_t;

/** The cell step of the GRU / LSTM / MLP baselines (called by lln_rt_step through
 *  lln_rt_model_t.baseline): xn the normalised input, yc the cell output, w scratch. */
void lln_rt_baseline(const lln_rt_model_t *m, const float *xn, float *state, float *yc, float *w);

/** Zeroes the state (state_floats values: hidden state, then LSTM cell state; for the MLP
 *  baseline the window of the last inputs, oldest first). */
void lln_rt_reset(const lln_rt_model_t *m, float *state);

/** One step: x (inputs values), dt (elapsed time, > 0), y (outputs values, may be NULL),
 *  scratch (scratch_floats values, contents irrelevant). Returns LLN_RT_OK or an error
 *  code, in which case the state is unchanged. */
int lln_rt_step(const lln_rt_model_t *m, float *state, const float *x, float dt, float *y,
                float *scratch);

#ifdef __cplusplus
}
#endif
#endif
