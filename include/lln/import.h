/** @file
 * liquid-edge: importing models trained with ncps (PyTorch), without PyTorch.
 *
 * A checkpoint is the state_dict of an ncps sequence wrapper (LTC or CfC) saved with
 * torch.save (a zip holding a pickle and raw storages). Shapes and key names fix most of
 * the configuration; the options carry what a state_dict does not record. */
#ifndef LLN_IMPORT_H
#define LLN_IMPORT_H

#include "lln/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of lln_import_ncps(): what a state_dict does not record. Start from
 *  lln_import_opts_default(). */
typedef struct lln_import_opts {
    /** "ltc", "cfc", "wired_cfc", or NULL to infer from the keys. */
    const char *cell;
    /** LTC: softplus (the LTC wrapper's default) or identity (LTCCell's default). */
    lln_positivity_t positivity;
    int ode_unfolds;             /**< LTC, default 6 */
    double epsilon;              /**< LTC, default 1e-8 */
    int output_size;             /**< LTC without output mapping: motor neurons (0 = all units) */
    lln_cfc_mode_t mode;         /**< CfC: default or no_gate (pure is recognised by its keys) */
    int mode_given;              /**< 1 when mode was set by the user */
    lln_activation_t activation; /**< CfC backbone activation */
    double backbone_dropout;     /**< > 0 when the backbone names show dropout layers */
} lln_import_opts_t;

/** ncps's defaults: softplus, 6 unfolds, 1e-8, default mode, lecun_tanh. */
LLN_API void lln_import_opts_default(lln_import_opts_t *o);

/** Reads an ncps state_dict checkpoint (.pt) and builds the model it describes. */
LLN_API lln_status_t lln_import_ncps(const char *path, const lln_import_opts_t *opts,
                                     lln_model_t **out, lln_error_t *err);

/** Most dimensions of a tensor read by lln_tensors_load_pt(). */
#define LLN_TENSOR_MAX_DIMS 8

/** A named tensor, its values converted to double. */
typedef struct lln_tensor {
    char *name;                     /**< the dict key */
    int ndim;                       /**< 0 (a scalar) .. LLN_TENSOR_MAX_DIMS */
    long dims[LLN_TENSOR_MAX_DIMS]; /**< sizes, outermost first */
    size_t count;                   /**< product of dims (1 when ndim == 0) */
    double *data;                   /**< count values in row-major order */
} lln_tensor_t;

/** The tensors of a file (opaque). */
typedef struct lln_tensors lln_tensors_t;

/** Reads a dict of tensors saved with torch.save() (the zip format of torch >= 1.6), such as
 *  the input/output file that `lln import-ncps --check` replays: float32/float64/float16/
 *  bfloat16 and integer/bool storages, strides and storage offsets honoured. The file is
 *  treated as untrusted (every size is checked before it is used). On error err holds
 *  "path: what is wrong (entry, offset)". Free with lln_tensors_free(). */
LLN_API lln_status_t lln_tensors_load_pt(const char *path, lln_tensors_t **out, lln_error_t *err);
/** The tensor named name, or NULL. */
LLN_API const lln_tensor_t *lln_tensors_find(const lln_tensors_t *t, const char *name);
/** Frees t (NULL is fine). */
LLN_API void lln_tensors_free(lln_tensors_t *t);

#ifdef __cplusplus
}
#endif
#endif
