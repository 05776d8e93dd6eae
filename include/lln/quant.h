/** @file
 * liquid-edge: post-training quantization to the fixed-point firmware runtime
 * (runtime/lln_rtq.h): int8 dense weights with one scale per output row, int16 states and
 * activations, int32 accumulators, 16-bit LTC synapse parameters.
 *
 * Calibration runs the float model over representative sequences, records the range of every
 * intermediate vector (inputs, Δt, mapped inputs, states, pre-activations, gates, outputs)
 * and picks a binary point for each. The chosen formats are stored in the model's metadata
 * ("quant.formats"), so a quantized model is an ordinary `.lln` file: the integer tables are
 * derived from the float parameters and these formats whenever they are needed (export,
 * verify, evaluation), always the same way. */
#ifndef LLN_QUANT_H
#define LLN_QUANT_H

#include <stddef.h>

#include <stdint.h>

#include "lln/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Calibrates m on `batch` sequences of `steps` steps: x is batch x steps x I (row-major, raw
 *  un-normalised inputs), dt is batch x steps elapsed times (NULL: 1.0 everywhere). Stores the
 *  chosen number formats in m's metadata. LLN_E_UNSUPPORTED for models the fixed-point
 *  runtime cannot run (mixed memory, layers wider than 511 inputs), LLN_E_ARG for bad data. */
LLN_API lln_status_t lln_quant_calibrate(lln_model_t *m, int batch, int steps, const double *x,
                                         const double *dt, lln_error_t *err);

/** 1 when m carries quantization formats (was calibrated), else 0. */
LLN_API int lln_model_is_quantized(const lln_model_t *m);

/** A quantized model's integer tables (opaque), ready to run on the host. */
typedef struct lln_quant lln_quant_t;

/** Builds the integer tables of a calibrated model (LLN_E_NOTFOUND if it was not calibrated). */
LLN_API lln_status_t lln_quant_create(const lln_model_t *m, lln_quant_t **out, lln_error_t *err);
/** NULL-safe. */
LLN_API void lln_quant_free(lln_quant_t *q);

/** Runs `batch` sequences through the fixed-point runtime from a zero state, converting at
 *  the boundary: x and dt as for lln_quant_calibrate (inputs are rounded to the model's input
 *  formats and saturate outside them), y receives batch x steps x O dequantized outputs,
 *  h (may be NULL) batch x steps x N dequantized hidden states. */
LLN_API lln_status_t lln_quant_run(const lln_quant_t *q, int batch, int steps, const double *x,
                                   const double *dt, double *y, double *h, lln_error_t *err);

/** The fixed-point inputs of one step, rounded exactly as lln_quant_run() and the exported
 *  firmware's test harness round them: x[i] (the model's inputs) to int16 in input i's
 *  Q-format (saturating), dt to the int32 Δt of the runtime's Δt format (at least 1: a
 *  positive dt too small for the format becomes the smallest step). xq has one value per
 *  model input. */
LLN_API void lln_quant_input(const lln_quant_t *q, const double *x, double dt, int16_t *xq,
                             int32_t *dtq);

/** Sizes of the fixed-point firmware for one stream, in bytes. */
typedef struct lln_quant_sizes {
    size_t weight_bytes;  /**< const tables (flash), model descriptor included */
    size_t state_bytes;   /**< per stream (RAM) */
    size_t scratch_bytes; /**< per step (RAM) */
} lln_quant_sizes_t;

/** Fills *s for q. */
LLN_API void lln_quant_sizes(const lln_quant_t *q, lln_quant_sizes_t *s);

/** Fractional bits of the hidden state's element j (value = int * 2^-frac). */
LLN_API int lln_quant_state_frac(const lln_quant_t *q, int j);

/* ---- streaming (closed loop) ------------------------------------------------------------ */
/** One stream of a quantized model on the host, stepped one reading at a time (closed-loop
 *  control: the next input depends on this output). Bit for bit the arithmetic of the
 *  fixed-point firmware (runtime/lln_rtq.h) and of lln_quant_run(). */
typedef struct lln_quant_stream lln_quant_stream_t;
/** Creates a stream of q starting at the zero state; q must outlive it. */
LLN_API lln_status_t lln_quant_stream_create(const lln_quant_t *q, lln_quant_stream_t **out,
                                             lln_error_t *err);
/** NULL-safe. */
LLN_API void lln_quant_stream_free(lln_quant_stream_t *s);
/** Back to the zero state. */
LLN_API void lln_quant_stream_reset(lln_quant_stream_t *s);
/** One step on integer inputs (from lln_quant_input()): yq receives the O int16 outputs. */
LLN_API lln_status_t lln_quant_stream_step(lln_quant_stream_t *s, const short *xq, long dtq,
                                           short *yq, lln_error_t *err);
/** Output o's value of the integer yq: yq * 2^-y_frac[o] (exact in a double). */
LLN_API double lln_quant_decode(const lln_quant_t *q, int o, short yq);

#ifdef __cplusplus
}
#endif
#endif
