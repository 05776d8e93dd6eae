/* Building a model from a list of named tensors (ncps state_dict keys). Shared by the .pt
 * importer and the golden parity tool. */
#ifndef LLN_IMPORT_INTERNAL_H
#define LLN_IMPORT_INTERNAL_H

#include "casefile.h"
#include "lln/import.h"

/* strict: every tensor must belong to the model (a checkpoint); otherwise tensors that are
 * not state_dict entries ("input", "grad.*", ...) are ignored (a golden case). */
lln_status_t lln__model_from_tensors(const lln_case_t *t, const lln_import_opts_t *o, int strict,
                                     const char *where, lln_model_t **out, lln_error_t *err);

#endif
