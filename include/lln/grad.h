/** @file
 * liquid-edge: exact gradients by backpropagation through time (BPTT).
 *
 * A tape records one forward pass over a batch of sequences (batch-first, like
 * lln_sequence()) and then runs the exact backward pass of that computation: the gradient of
 * a loss with respect to every parameter, the inputs and the initial state, given the
 * gradient of the loss with respect to every output. It covers every cell the core runs
 * (LTC through its unfolds, CfC in all modes and backbones, wired CfC, mixed memory, the
 * LTC input/output mappings, the CfC projection) with per-sample Δt, and matches autograd
 * on ncps's own models (see docs/DESIGN.md "Gradients").
 *
 * Layout of a gradient: one double per parameter, laid out exactly like
 * lln_model_params() (lln_model_param_count() values, tensor table order). Backward adds
 * (+=) into it, so one vector can collect the gradients of several tapes (e.g. the batch
 * slices of several threads). Entries of mask tensors, of normalisation tensors (norm.*,
 * which the forward applies but which are not trainable) and of pruned synapses (mask 0)
 * receive exactly +0.
 *
 * Padding and variable-length sequences: a step whose output gradient is zero contributes
 * nothing, so a loss mask is simply a zero in dL/dy.
 *
 * Threads: a tape holds everything a pass writes; the model is only read. Any number of
 * tapes may run on one const model at once. The model must not change between a tape's
 * forward and its backward (an optimizer updates it after the backward, then calls
 * lln_model_prepare(), then the next forward sees the new parameters).
 */
#ifndef LLN_GRAD_H
#define LLN_GRAD_H

#include <stddef.h>

#include "lln/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A forward record and the backward pass's working memory for up to `batch` sequences of
 *  up to `steps` steps, for one model in one precision (opaque). */
typedef struct lln_tape lln_tape_t;

/** Bytes a tape for (model, dtype, batch, steps) needs; 0 for invalid arguments. Grows
 *  linearly with batch * steps (the forward record) plus a part fixed by the model. */
LLN_API size_t lln_tape_bytes(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps);

/** Lays a tape out in caller memory of `bytes` bytes (>= lln_tape_bytes(); 64-byte aligned
 *  memory avoids up to 63 bytes of slack). Nothing is allocated; the buffer must outlive the
 *  tape. LLN_E_ARG for bad arguments, LLN_E_RANGE when the buffer is too small. */
LLN_API lln_status_t lln_tape_init(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps,
                                   void *buf, size_t bytes, lln_tape_t **out);

/** Heap version of lln_tape_init(); free with lln_tape_free(). */
LLN_API lln_status_t lln_tape_create(const lln_model_t *m, lln_dtype_t dtype, int batch, int steps,
                                     lln_tape_t **out);

/** Frees a tape made by lln_tape_create(); does nothing for NULL or for a tape laid out by
 *  lln_tape_init(). */
LLN_API void lln_tape_free(lln_tape_t *t);

/** Runs `batch` (<= the tape's batch) sequences of `steps` (<= the tape's steps) steps and
 *  records what the backward pass needs. x: batch x steps x I; dt: batch x steps elapsed
 *  times, or NULL for 1.0; h0: batch x N initial states or NULL for zeros; c0: batch x N
 *  initial LSTM memory (mixed memory only; NULL = zeros); y: batch x steps x O outputs (may
 *  be NULL). The outputs are bit for bit those of lln_sequence() from the same state.
 *  LLN_E_DT / LLN_E_RANGE for a bad Δt / a non-finite input (nothing recorded), LLN_E_ARG
 *  for a tape of the other precision, bad sizes, or c0 without mixed memory. */
LLN_API lln_status_t lln_tape_forward(lln_tape_t *t, int batch, int steps, const float *x,
                                      const float *dt, const float *h0, const float *c0, float *y);
/** float64 version of lln_tape_forward(), for a tape created with LLN_F64. */
LLN_API lln_status_t lln_tape_forward_f64(lln_tape_t *t, int batch, int steps, const double *x,
                                          const double *dt, const double *h0, const double *c0,
                                          double *y);

/** The final state of the last forward: h batch x N, c batch x N (mixed memory only, else
 *  pass NULL), in the tape's precision; a NULL pointer skips that part. LLN_E_ARG without a
 *  recorded forward or for c without mixed memory. */
LLN_API lln_status_t lln_tape_final_state(const lln_tape_t *t, void *h, void *c);

/** Backward pass of the last forward. dy: batch x steps x O, the gradient of the loss with
 *  respect to each output y (e.g. 2 (y - target) / (B T O) for the mean squared error).
 *  Adds dL/dparameters into grad (lln_model_param_count() doubles, parameter-vector
 *  layout). Optionally writes dx (batch x steps x I), dh0 (batch x N) and dc0 (batch x N,
 *  mixed memory only); NULL skips them. May be called more than once per forward (each call
 *  is independent). Never allocates. LLN_E_ARG without a recorded forward, for NULL dy or
 *  grad, or a tape of the other precision. */
LLN_API lln_status_t lln_tape_backward(lln_tape_t *t, const float *dy, double *grad, float *dx,
                                       float *dh0, float *dc0);
/** float64 version of lln_tape_backward(), for a tape created with LLN_F64. */
LLN_API lln_status_t lln_tape_backward_f64(lln_tape_t *t, const double *dy, double *grad,
                                           double *dx, double *dh0, double *dc0);

#ifdef __cplusplus
}
#endif
#endif
