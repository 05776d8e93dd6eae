/* .lln model files on disk: a whole-file read and an atomic write (lln_read_file and
 * lln_write_atomic of common/fileio.c) around the in-memory loader and saver. */
#include <stdlib.h>

#include "lln/util.h"
#include "lln/format.h"
#include "common/alloc.h"

/* ---- save ----------------------------------------------------------------------------------- */

lln_status_t lln_model_save(const lln_model_t *m, const char *path, lln_error_t *err)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (m == NULL || path == NULL || path[0] == '\0')
        return lln_error_set(err, LLN_E_ARG, "save: NULL model or empty path");
    lln_status_t st = lln_model_save_mem(m, &buf, &len, err);
    if (st == LLN_OK)
        st = lln_write_atomic(path, buf, len, err);
    lln__free(buf);
    return st;
}

/* ---- load ----------------------------------------------------------------------------------- */

lln_status_t lln_model_load(const char *path, lln_model_t **out, lln_error_t *err)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL)
        return lln_error_set(err, LLN_E_ARG, "load: NULL path or output");
    unsigned char *buf = NULL;
    size_t len = 0;
    lln_status_t st = lln_read_file(path, &buf, &len, err);
    if (st == LLN_OK)
        st = lln_model_load_mem(buf, len, path, out, err);
    lln__free(buf);
    return st;
}
