/** @file
 * liquid-edge: firmware export (`lln export`): a model's tables as const C data next to the
 * runtime sources and build glue for plain Make, CMake, ESP-IDF, Arduino and PlatformIO. */
#ifndef LLN_EXPORT_H
#define LLN_EXPORT_H

#include <stddef.h>

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

#ifdef __cplusplus
}
#endif
#endif
