/** @file
 * liquid-edge: small host utilities that the library uses and publishes so that its front
 * ends (the lln command, the Python package, the ROS 2 node) do not keep copies of them:
 * a growable text buffer, whole-file reads and atomic file writes, and the seeded random
 * generator of splits and shuffles. */
#ifndef LLN_UTIL_H
#define LLN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "lln/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A growable text buffer. Start from {NULL, 0, 0, 0}; free(t.s) when done. */
typedef struct lln_text {
    char *s;         /**< the text, NUL-terminated (NULL while empty) */
    size_t len, cap; /**< bytes used (without the NUL) and allocated */
    int oom;         /**< an allocation failed: the text is incomplete */
} lln_text_t;

/** Appends printf-formatted text (sets t->oom on failure). */
LLN_API void lln_text_put(lln_text_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;

/** Writes buf to "<path>.tmp.<pid>", fsyncs, renames over path and fsyncs the directory; on
 *  failure removes the temporary file and leaves path as it was (no partial file). */
LLN_API lln_status_t lln_write_atomic(const char *path, const unsigned char *buf, size_t len,
                                      lln_error_t *err);

/** Reads the whole regular file at path into a new buffer (*buf, freed by the caller with
 *  free()) of *len bytes plus a terminating NUL. */
LLN_API lln_status_t lln_read_file(const char *path, unsigned char **buf, size_t *len,
                                   lln_error_t *err);

/** The seeded generator of splits and shuffles: splitmix64 (Steele, Lea and Flood, 2014),
 *  integer arithmetic only, so a seed gives the same numbers on every machine. */
typedef struct lln_rng {
    uint64_t s; /**< the state */
} lln_rng_t;
/** Seeds from (seed, stream): different streams give unrelated sequences. */
LLN_API void lln_rng_seed(lln_rng_t *r, uint64_t seed, uint64_t stream);
/** The next 64 random bits. */
LLN_API uint64_t lln_rng_next(lln_rng_t *r);
/** Uniform in [0, n) without bias (rejection), n >= 1. */
LLN_API uint64_t lln_rng_below(lln_rng_t *r, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
