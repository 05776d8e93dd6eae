/** @file
 * liquid-edge: firmware export (`lln export`): a model's tables as const C data next to the
 * runtime sources and build glue for plain Make, CMake, ESP-IDF, Arduino and PlatformIO. */
#ifndef LLN_EXPORT_H
#define LLN_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "lln/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What to export. */
typedef struct lln_export_opts {
    const char *target;   /**< a name from lln_export_targets() ("cortex-m4f", "generic", ...) */
    const char *prefix;   /**< C identifier prefix of the generated symbols (default "lln") */
    long memory_limit_kb; /**< refuse when weights + state + scratch exceed it (0: no limit) */
    int float_path;       /**< 1: float32 runtime; 0: fixed point (needs a quantized model) */
} lln_export_opts_t;

/** Sizes of an export, in bytes. */
typedef struct lln_export_sizes {
    size_t weight_bytes;  /**< const tables (flash) */
    size_t state_bytes;   /**< per stream (RAM) */
    size_t scratch_bytes; /**< per step, reusable across streams (RAM) */
} lln_export_sizes_t;

/** NULL-terminated list of target names. */
LLN_API const char *const *lln_export_targets(void);

/** Computes the sizes an export would have (and checks the options), writing nothing. */
LLN_API lln_status_t lln_export_sizes(const lln_model_t *m, const lln_export_opts_t *o,
                                      lln_export_sizes_t *sizes, lln_error_t *err);

/** Writes the export into directory dir (created if missing; existing files of the same
 *  names are replaced atomically). */
LLN_API lln_status_t lln_export(const lln_model_t *m, const lln_export_opts_t *o, const char *dir,
                                lln_export_sizes_t *sizes, lln_error_t *err);

/** The exported firmware run on the host: the same runtime C source that lln_export() ships
 *  (the float32 runtime, or the fixed-point one for a quantized model), compiled into this
 *  library without floating-point contraction, so that a host program can predict the
 *  firmware's outputs and state bit for bit (what `lln verify` compares). Opaque. */
typedef struct lln_fw lln_fw_t;

/** Builds the runtime model of m: the fixed-point runtime when fixed != 0 (m must be
 *  quantized), else the float32 runtime. The state starts at zero. */
LLN_API lln_status_t lln_fw_create(const lln_model_t *m, int fixed, lln_fw_t **out,
                                   lln_error_t *err);
/** Frees f (NULL is fine). */
LLN_API void lln_fw_free(lln_fw_t *f);
/** Outputs per step and state values of f (the lengths of y and h in lln_fw_step()). */
LLN_API void lln_fw_shape(const lln_fw_t *f, int *outputs, int *state_len);
/** Zeroes the state. */
LLN_API void lln_fw_reset(lln_fw_t *f);
/** One step on x (one value per model input) and dt (seconds); the fixed-point runtime gets
 *  them rounded by lln_quant_input(). y and h receive the outputs and the state after the step
 *  as raw words: the IEEE-754 bits of each float (float32 runtime) or each int16 value as
 *  its 16-bit two's complement pattern (fixed point). Returns the runtime's status (0 = ok,
 *  else the step was rejected, e.g. for dt <= 0). */
LLN_API int lln_fw_step(lln_fw_t *f, const float *x, float dt, uint32_t *y, uint32_t *h);

#ifdef __cplusplus
}
#endif
#endif
