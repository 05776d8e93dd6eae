/* `lln import-ncps`: a torch.save()d ncps state_dict to a model. */
#include <stddef.h>
#include <stdlib.h>

#include "import_internal.h"
#include "ptfile.h"
#include "common/alloc.h"

lln_status_t lln_import_ncps(const char *path, const lln_import_opts_t *opts, lln_model_t **out,
                             lln_error_t *err)
{
    lln_case_t t;
    lln_import_opts_t dflt;
    if (opts == NULL) {
        lln_import_opts_default(&dflt);
        opts = &dflt;
    }
    *out = NULL;
    lln_status_t st = lln__pt_load(path, &t, err);
    if (st != LLN_OK)
        return st;
    st = lln__model_from_tensors(&t, opts, 1, path, out, err);
    lln__case_free(&t);
    if (st == LLN_OK) {
        (void)lln_model_set_meta(*out, "source", "ncps checkpoint");
        (void)lln_model_set_meta(*out, "source_file", path);
    }
    return st;
}

/* ---- the public tensor reader: the case of lln__pt_load behind an opaque handle ------------ */

struct lln_tensors {
    lln_case_t c;
};

lln_status_t lln_tensors_load_pt(const char *path, lln_tensors_t **out, lln_error_t *err)
{
    if (out == NULL || path == NULL)
        return lln_error_set(err, LLN_E_ARG, "lln_tensors_load_pt: NULL argument");
    *out = NULL;
    lln_tensors_t *t = lln__calloc(1, sizeof *t);
    if (t == NULL)
        return lln_error_set(err, LLN_E_NOMEM, "%s: out of memory", path);
    lln_status_t st = lln__pt_load(path, &t->c, err);
    if (st != LLN_OK) {
        lln__free(t);
        return st;
    }
    *out = t;
    return LLN_OK;
}

const lln_tensor_t *lln_tensors_find(const lln_tensors_t *t, const char *name)
{
    return t && name ? lln__case_tensor(&t->c, name) : NULL;
}

void lln_tensors_free(lln_tensors_t *t)
{
    if (t != NULL) {
        lln__case_free(&t->c);
        lln__free(t);
    }
}
