/** @file
 * liquid-edge: the `.lln` model file (configuration, parameters and metadata of a model).
 *
 * Layout, limits and compatibility rules: docs/FORMAT.md. In short: little-endian, a
 * versioned header and a section table (CONF, TENS, DATA, META), 8-byte aligned sections,
 * CRC-32 per section and over the whole file. Loading validates every field against the
 * file size and the other fields before it allocates anything sized by them, so a corrupt
 * or hostile file is rejected with a message that says what is wrong and where; it never
 * crashes the reader or makes it allocate more than a small multiple of the file size.
 *
 * Parameters are stored as float32 when that is exact for every value of a tensor, else
 * as float64, so a load gives back the model's float64 master copy bit for bit.
 */
#ifndef LLN_FORMAT_H
#define LLN_FORMAT_H

#include <stddef.h>

#include "lln/model.h"
#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Format version this library writes. Readers reject another major version and accept
 *  any minor version of their major (newer minors only add what older readers may skip). */
#define LLN_FORMAT_VERSION_MAJOR 1
/** Minor format version this library writes (see LLN_FORMAT_VERSION_MAJOR). */
#define LLN_FORMAT_VERSION_MINOR 0

/** Saves m to path atomically: the bytes go to "<path>.tmp.<pid>" in the same directory,
 *  which is flushed, fsync'ed and renamed over path; then the directory is fsync'ed. On any
 *  failure the temporary file is removed and path is left as it was (no partial file).
 *  LLN_E_IO (with the OS's reason) when a file operation fails; LLN_E_RANGE when a
 *  parameter is not finite; LLN_E_ARG for NULL arguments or metadata that is not
 *  storable (see lln_model_save_mem). */
LLN_API lln_status_t lln_model_save(const lln_model_t *m, const char *path, lln_error_t *err);

/** Loads a model written by lln_model_save. *out is NULL on failure. Status codes:
 *  LLN_E_IO (cannot open or read), LLN_E_FORMAT (malformed: the message names the
 *  section, entry and field), LLN_E_VERSION (another major version), LLN_E_CHECKSUM
 *  (corrupted bytes), LLN_E_UNSUPPORTED (a newer writer's required feature), or the status
 *  of the configuration / tensor check that failed (LLN_E_CONFIG, LLN_E_RANGE, ...). */
LLN_API lln_status_t lln_model_load(const char *path, lln_model_t **out, lln_error_t *err);

/** Serializes m into a new heap buffer (*buf, *len); the caller frees *buf with free().
 *  The bytes are exactly what lln_model_save writes. Fails with LLN_E_RANGE if a parameter
 *  is not finite, LLN_E_ARG if a metadata key or value is not valid UTF-8 or exceeds the
 *  limits of docs/FORMAT.md, LLN_E_NOMEM. On failure *buf is NULL and *len 0. */
LLN_API lln_status_t lln_model_save_mem(const lln_model_t *m, unsigned char **buf, size_t *len,
                                        lln_error_t *err);

/** Loads a model from len bytes at buf (not modified, not kept). name_for_messages
 *  (e.g. the path; NULL means "<memory>") prefixes every error message. Same status codes
 *  as lln_model_load except LLN_E_IO. *out is NULL on failure. */
LLN_API lln_status_t lln_model_load_mem(const unsigned char *buf, size_t len,
                                        const char *name_for_messages, lln_model_t **out,
                                        lln_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
