/* `lln import-ncps`: a torch.save()d ncps state_dict to a model. */
#include <stddef.h>

#include "import_internal.h"
#include "ptfile.h"

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
    lln_status_t st = lln_pt_load(path, &t, err);
    if (st != LLN_OK)
        return st;
    st = lln__model_from_tensors(&t, opts, 1, path, out, err);
    lln_case_free(&t);
    if (st == LLN_OK) {
        (void)lln_model_set_meta(*out, "source", "ncps checkpoint");
        (void)lln_model_set_meta(*out, "source_file", path);
    }
    return st;
}
