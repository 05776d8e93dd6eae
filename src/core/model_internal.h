/* Private model layout shared by model.c, the kernels and the state code. */
#ifndef LLN_MODEL_INTERNAL_H
#define LLN_MODEL_INTERNAL_H

#include "lln/grad.h"
#include "lln/model.h"

#define LLN_MAX_TENSORS 160
#define LLN_NAME_MAX 48

/* Precomputed tables of one precision; generated twice from kernels_impl.h. Layout is the
 * same for float and double, so we declare both with a macro.
 *
 * LTC synapses: always as lists grouped by destination (sources ascending), and, when the
 * connection matrix is dense enough, also as source-major rows of ld (>= N) destinations
 * with zeros for absent synapses (a == NULL: no dense copy). The per-synapse activation
 * parameters (a, b) are precision-specific: float64 keeps ncps's form sigmoid(a (v - b)) with
 * a = sigma, b = mu; float32 stores a = -sigma, b = sigma*mu so that the exponent of
 * sigmoid = 1 / (1 + e^-(sigma (v - mu))) is one fused multiply-add, a v + b.
 * Dense layers store W transposed (in x out) with the outputs padded to ld >= out (a multiple
 * of the vector width; padding zero) and packed in column panels (prepare_impl.h). */
/* NOLINTBEGIN(bugprone-macro-parentheses): REAL is a type name (float/double) here */
#define LLN_DECLARE_PREP(REAL, SFX)                                                        \
    typedef struct lln_syn_dense_##SFX { /* rows[src * ld + dst], NULL = not dense */      \
        REAL *a, *b, *w, *we;                                                              \
    } lln_syn_dense_##SFX;                                                                 \
    typedef struct lln_syn_ell_##SFX { /* one-sample tables (ELL), NULL w = none */        \
        int nblk, nsyn; /* blocks of lanes (ld / lanes); synapses + 1 padding synapse */   \
        int *slot0;     /* nblk + 1: a block's first fan-in slot */                        \
        int *syn;       /* [slot][lane]: the synapse (list order); padding: nsyn - 1 */    \
        REAL *w, *we;   /* [slot][lane]; padding: 0 */                                     \
        int *src;       /* [synapse], whole vectors: its source; padding: a zero value */  \
        REAL *a, *b;    /* [synapse], whole vectors: activation; padding: 0 */             \
    } lln_syn_ell_##SFX;                                                                   \
    typedef struct lln_ltc_prep_##SFX {                                                    \
        int I, N, M, K;                                                                    \
        int ld; /* row stride of the dense synapse copies */                               \
        REAL eps;                                                                          \
        REAL *in_w, *in_b, *out_w, *out_b; /* identity mapping = 1 / 0 */                  \
        REAL *cm_k, *gleak, *gvleak;       /* P(cm)*K, P(gleak), P(gleak)*vleak */         \
        int *s_off, *s_src;                /* sensory synapses, grouped by destination */  \
        REAL *s_a, *s_b, *s_w, *s_we;      /* activation (see above), P(w), P(w)*erev */   \
        int *r_off, *r_src;                /* internal synapses, grouped by destination */ \
        REAL *r_a, *r_b, *r_w, *r_we;                                                      \
        lln_syn_dense_##SFX sd, rd; /* dense copies (sensory, internal) */                 \
        lln_syn_ell_##SFX se, re;   /* one-sample ELL copies of sparse lists (f32 SIMD) */ \
    } lln_ltc_prep_##SFX;                                                                  \
    typedef struct lln_dense_##SFX { /* y = W x + b */                                     \
        int out, in, ld;             /* w: ld x in values, packed; b: ld values */         \
        REAL *w, *b;                                                                       \
    } lln_dense_##SFX;                                                                     \
    typedef struct lln_cfc_prep_##SFX { /* one CfC cell (or one wired layer) */            \
        int in, hidden, nheads;         /* heads: ff1 [, ff2, time_a, time_b] stacked */   \
        int nbackbone;                                                                     \
        lln_dense_##SFX backbone[LLN_MAX_BACKBONE];                                        \
        lln_dense_##SFX heads; /* nheads*hidden x F */                                     \
        REAL *w_tau_abs, *a;   /* pure mode */                                             \
    } lln_cfc_prep_##SFX;                                                                  \
    typedef struct lln_prep_##SFX {                                                        \
        lln_ltc_prep_##SFX ltc;                                                            \
        int ncells;                                                                        \
        lln_cfc_prep_##SFX cfc[LLN_MAX_LAYERS];                                            \
        lln_dense_##SFX lstm_in, lstm_rec; /* mixed memory */                              \
        lln_dense_##SFX proj;              /* out == 0: none */                            \
        lln_dense_##SFX rnn_ih, rnn_hh;    /* GRU / LSTM: gate pre-activations */          \
        int nmlp;                          /* MLP: hidden layers */                        \
        lln_dense_##SFX mlp[LLN_MAX_BACKBONE];                                             \
        REAL *x_mean, *x_inv_std, *y_mean, *y_std;                                         \
    } lln_prep_##SFX;

/* NOLINTEND(bugprone-macro-parentheses) */
LLN_DECLARE_PREP(float, f32)
LLN_DECLARE_PREP(double, f64)

typedef struct lln_tensor_slot {
    lln_tensor_info_t info;
    char name[LLN_NAME_MAX];
} lln_tensor_slot_t;

typedef struct lln_meta {
    char *key, *value;
} lln_meta_t;

/* The blocks one precision's tables use. While lln_model_prepare runs, the previous
 * preparation's blocks are the spares: block i is reused for the new block i when it has the
 * same size (a training step rebuilds the same tables, so all are; without this the big ones
 * went back to the system and faulted in again). */
typedef struct lln_prep_blocks {
    void **allocs;       /* every block the prep tables use */
    size_t *alloc_bytes; /* the size palloc was asked for, per block */
    size_t nallocs, cap_allocs;
    void **spare;
    size_t *spare_bytes, nspare;
} lln_prep_blocks_t;

struct lln_model {
    lln_config_t cfg; /* normalised: units/output sizes filled in */
    lln_wiring_t wiring;
    int has_wiring;
    int out_cell; /* width of the cell output before projection */
    int out;      /* O */
    size_t ntensors;
    lln_tensor_slot_t tensors[LLN_MAX_TENSORS];
    double *params;
    size_t nparams;
    lln_prep_f32 p_f32;
    lln_prep_f64 p_f64;
    /* the blocks of the float32 (0) and float64 (1) tables, kept apart so that one
     * precision can be rebuilt alone */
    lln_prep_blocks_t blocks[2];
    /* 1: the float64 tables are older than the parameters (an optimizer step rebuilt only
     * the float32 ones); the first float64 call rebuilds them under f64_lock */
    volatile long f64_stale, f64_lock;
    size_t scratch_per_sample; /* elements of scratch one sample needs in a step */
    lln_meta_t *meta;
    size_t nmeta;
    /* lln_sequence_mt's threads, started by its first call with more than one thread and
     * kept until lln_model_free; pool_busy (0 / 1) is taken by the call that runs on them, so
     * that a concurrent call on the same model (another state) starts a pool of its own */
    struct lln__pool *pool;
    volatile long pool_busy;
};

/* State header, followed in the same buffer by h, c and scratch (element type by dtype). */
struct lln_state {
    const lln_model_t *model;
    lln_dtype_t dtype;
    int batch, n, nmem;
    size_t scratch; /* elements */
    void *h, *c, *work;
    void *heap; /* non-NULL when created by lln_state_create */
};

/* GRU, LSTM and MLP: the discrete-time baselines (docs/DESIGN.md "Baselines"). */
static inline int lln__baseline(const lln_config_t *c) { return c->cell >= LLN_CELL_GRU; }
/* Gates of a GRU (r, z, n) or LSTM (i, f, g, o) cell; 0 for the other cells. */
static inline int lln__gates(const lln_config_t *c)
{
    return c->cell == LLN_CELL_GRU ? 3 : c->cell == LLN_CELL_LSTM ? 4 : 0;
}
/* Values of the LSTM memory c per stream: mixed memory or the LSTM baseline. */
static inline int lln__nmem(const lln_config_t *c)
{
    return c->mixed_memory || c->cell == LLN_CELL_LSTM ? c->units : 0;
}

/* Largest parameter magnitude accepted: products the kernels precompute (P(w)*erev,
 * P(cm)*K) must stay finite in float32 (FLT_MAX ~ 3.4e38). */
#define LLN_MAX_PARAM 1e30

/* lln_model_set without the re-prepare (for loaders that set many tensors, then prepare). */
lln_status_t lln__model_copy(lln_model_t *m, const char *name, const double *values, size_t count,
                             lln_error_t *err);

/* Parameter tensor values by name (NULL if absent). */
const double *lln__tensor(const lln_model_t *m, const char *name);
/* Index ncps gives backbone layer `layer` inside its nn.Sequential. */
int lln__backbone_index(const lln_config_t *c, int layer);

lln_status_t lln__prepare_f32(lln_model_t *m, lln_error_t *err);
lln_status_t lln__prepare_f64(lln_model_t *m, lln_error_t *err);
void lln__free_prep(lln_model_t *m);
/* Before preparing precision k (0: float32, 1: float64) again: its tables' blocks become m's
 * spares (reused by the new tables of the same sizes, in allocation order) and its tables are
 * cleared. */
void lln__recycle_prep(lln_model_t *m, int k);
/* After preparing precision k: frees its spares that were not reused. */
void lln__drop_spare_prep(lln_model_t *m, int k);
/* lln_model_prepare for float32 work only (the optimizer step of float32 training): checks
 * the parameters and rebuilds the float32 tables; the float64 ones are marked stale and
 * rebuilt by the first float64 call (lln__model_f64). */
lln_status_t lln__model_prepare_f32(lln_model_t *m, lln_error_t *err);
/* Before any use of the float64 tables: rebuilds them if they are stale (once, whichever
 * thread comes first; the others wait). LLN_E_NOMEM when that runs out of memory. */
lln_status_t lln__model_f64(const lln_model_t *m);

/* Tape header (include/lln/grad.h). The precision's record and working memory follow it in
 * the same buffer, laid out by lln__tape_carve_<sfx> (backprop_impl.h). */
struct lln_tape {
    const lln_model_t *model;
    lln_dtype_t dtype;
    int cap_b, cap_t; /* capacity: sequences and steps */
    int nb, steps;    /* of the recorded forward; nb == 0: nothing recorded */
    size_t syn, ssyn; /* LTC synapse counts the buffers were sized for */
    void *data;       /* the precision's layout */
    void *heap;       /* non-NULL when made by lln_tape_create */
};

/* Elements of step scratch one sample needs (state.c). */
size_t lln__scratch_per_sample(const lln_model_t *m);

/* Tape layout: bytes after the header; lays it out at base unless base is NULL. */
size_t lln__tape_carve_f32(const lln_model_t *m, int batch, int steps, void *base);
size_t lln__tape_carve_f64(const lln_model_t *m, int batch, int steps, void *base);
void lln__tape_forward_f32(lln_tape_t *t, const float *x, const float *dt, const float *h0,
                           const float *c0, float *y);
void lln__tape_forward_f64(lln_tape_t *t, const double *x, const double *dt, const double *h0,
                           const double *c0, double *y);
void lln__tape_records_f32(const lln_tape_t *t, const void **h, const void **c);
void lln__tape_records_f64(const lln_tape_t *t, const void **h, const void **c);
void lln__tape_backward_f32(lln_tape_t *t, const float *dy, double *grad, float *dx, float *dh0,
                            float *dc0);
void lln__tape_backward_f64(lln_tape_t *t, const double *dy, double *grad, double *dx, double *dh0,
                            double *dc0);

/* Argument checks of the step and tape entry points, for values of precision t: every Δt is
 * finite and at least LLN_DT_MIN (LLN_E_DT; dt NULL = the defaults, fine); every value is
 * finite (LLN_E_RANGE). */
lln_status_t lln__check_dt(lln_dtype_t t, const void *dt, size_t n);
lln_status_t lln__check_finite(lln_dtype_t t, const void *x, size_t n);

lln_status_t lln__step_f32(const lln_model_t *m, lln_state_t *s, const float *x, size_t xs,
                           const float *dt, size_t dts, float *y, size_t ys, float *st, size_t sts);
lln_status_t lln__step_f64(const lln_model_t *m, lln_state_t *s, const double *x, size_t xs,
                           const double *dt, size_t dts, double *y, size_t ys, double *st,
                           size_t sts);

#endif
