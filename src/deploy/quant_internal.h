/* Fixed-point quantization internals: the number formats calibration chooses (stored in the
 * model's metadata) and the integer image of a model for runtime/lln_rtq.h. */
#ifndef LLN_QUANT_INTERNAL_H
#define LLN_QUANT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../../runtime/lln_fx.h"
#include "../../runtime/lln_rtq.h"
#include "lln/quant.h"
#include "core/model_internal.h"
#include "rt_image.h"

#define LLN_Q_MAX_IO 1024 /* inputs and outputs a quantized model may have */
#define LLN_Q_META "quant.formats"

/* Fractional bits of every quantized vector (value = int * 2^-frac). */
typedef struct lln_qfmt {
    int dt;                 /* Δt (int32) */
    int nx, ny;             /* I, O */
    int x[LLN_Q_MAX_IO];    /* raw inputs */
    int y[LLN_Q_MAX_IO];    /* outputs */
    int v, xin;             /* LTC: state, mapped input */
    int nxn;                /* normalised inputs with a format: I (CfC, MLP) or 0 (LTC) */
    int xn[LLN_Q_MAX_IO];   /* CfC, MLP: normalised inputs, one format each */
    int ncells;             /* CfC cells (wired layers) */
    int h[LLN_MAX_LAYERS];  /* CfC: state of each cell */
    int ff[LLN_MAX_LAYERS]; /* CfC: ff1/ff2 heads (12 except in pure mode) */
    int t[LLN_MAX_LAYERS];  /* CfC: time_a / time_b heads */
    int nact;
    int act[LLN_MAX_BACKBONE]; /* CfC backbone, MLP hidden layers: pre-activations */
    int p;                     /* projection output */
    int cell;                  /* the model's lln_cell_kind_t (which keys apply) */
    int gin, ghn;              /* GRU: W_in xn + b_in, W_hn h + b_hn (keys only for a GRU) */
    int mem;                   /* LSTM: the memory c (key only for an LSTM) */
} lln_qfmt_t;

/* Formats -> the metadata text "dt=20 x=12,12 y=10 ..." (read back by quant.c). */
void lln__qfmt_format(const lln_qfmt_t *f, char *buf, size_t cap);

/* Why m cannot run in fixed point (NULL when it can). */
const char *lln__quant_unsupported(const lln_model_t *m);

/* One typed const array of the image (for export and freeing). */
/* LLN_QA_SYN: lln_rtq_synapse_t records (n of them). */
typedef enum { LLN_QA_I8, LLN_QA_I16, LLN_QA_U16, LLN_QA_I32, LLN_QA_SYN } lln_qa_type_t;
typedef struct lln_qarray {
    char name[48];
    lln_qa_type_t type;
    size_t n;
    void *data;
} lln_qarray_t;

#define LLN_Q_MAX_ARRAYS 256
typedef struct lln_qimage {
    lln_rtq_model_t model;
    lln_rtq_cfc_t cfc[LLN_MAX_LAYERS];
    lln_rtq_dense_t backbone[LLN_MAX_BACKBONE];
    lln_rtq_base_t base; /* the baselines' tables (model.base points here) */
    lln_qarray_t arrays[LLN_Q_MAX_ARRAYS];
    int narrays;
    size_t weight_bytes; /* every array */
    lln_qfmt_t fmt;
} lln_qimage_t;

lln_status_t lln__qimage_build(const lln_model_t *m, const lln_qfmt_t *f, lln_qimage_t *q,
                               lln_error_t *err);
void lln__qimage_free(lln_qimage_t *q);
const lln_qarray_t *lln__qimage_array(const lln_qimage_t *q, const void *p);

struct lln_quant {
    lln_qimage_t img;
};

/* Rounding helpers shared by calibration and building. */
int lln__q_frac_for(double maxabs, double headroom, int lo, int hi);
int16_t lln__q16(double v, int frac);
int32_t lln__q32(double v, int frac);

#endif
