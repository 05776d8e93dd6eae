/* Reader for the golden "case.txt" record format of the reference test vectors:
 *   # comment
 *   config <key> <value>
 *   tensor <name> <ndim> <d0> ... <v0> <v1> ...
 * Used by the golden parity tool, the wiring tests and the CLI's `golden` command.
 * Internal to liquid-edge (not installed). */
#ifndef LLN_CASEFILE_H
#define LLN_CASEFILE_H

#include <stddef.h>

#include "lln/import.h"

#define LLN_CASE_MAX_DIMS LLN_TENSOR_MAX_DIMS

/* A tensor of a case file: values parsed with strtod (float32 values are exact in double). */
typedef lln_tensor_t lln_case_tensor_t;

typedef struct lln_case_config {
    char *key;
    char *value;
} lln_case_config_t;

typedef struct lln_case {
    lln_case_config_t *config;
    size_t nconfig;
    lln_case_tensor_t *tensors;
    size_t ntensors;
} lln_case_t;

/* Parses path. On error fills err with "path:line: what" and leaves *out empty. */
lln_status_t lln__case_load(const char *path, lln_case_t *out, lln_error_t *err);
void lln__case_free(lln_case_t *c);
/* NULL when absent. */
const lln_case_tensor_t *lln__case_tensor(const lln_case_t *c, const char *name);
const char *lln__case_get(const lln_case_t *c, const char *key);

#endif
