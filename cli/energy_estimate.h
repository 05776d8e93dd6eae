/* PROVISIONAL energy estimate for `lln train --energy-budget-mw` until the device database of
 * `lln profile` (include/lln/profile.h) is merged; the integrator replaces
 * cli_energy_estimate() with a call into that library. Nothing else depends on its insides:
 * the training loop sees only an lln_cost_fn (lln/sparse.h). */
#ifndef LLN_CLI_ENERGY_ESTIMATE_H
#define LLN_CLI_ENERGY_ESTIMATE_H

#include "lln/sparse.h"

typedef struct cli_energy_ctx {
    const char *device; /* only "stm32l4r5" for now */
    double rate_hz;     /* steps per second */
} cli_energy_ctx_t;

/* 1 when the provisional estimator knows the device. */
int cli_energy_device_known(const char *device);

/* lln_cost_fn: average power (mW) of m running at ctx->rate_hz on ctx->device.
 * LLN_E_RANGE when a step takes longer than the period. */
lln_status_t cli_energy_estimate(const lln_model_t *m, void *ctx, double *mw);

#endif
