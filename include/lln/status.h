/** @file
 * liquid-edge: status codes and error reports.
 *
 * Every fallible function returns an lln_status_t (0 = OK). Host-side functions that can
 * say more (file, offset, field) also fill an optional lln_error_t. The enum and the
 * message table are generated from one X-macro list so they cannot drift apart.
 */
#ifndef LLN_STATUS_H
#define LLN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the public API: the only symbols the shared library exports (it is built with
 *  hidden visibility, so internal functions stay private). */
#if defined(__GNUC__) || defined(__clang__)
#define LLN_API __attribute__((visibility("default")))
#else
#define LLN_API
#endif

/** Every status code as an X(name, value, message) entry; the enum lln_status_t and the
 *  messages of lln_strerror() are both generated from this one list. */
#define LLN_STATUS_LIST(X)                                     \
    X(LLN_OK, 0, "ok")                                         \
    X(LLN_E_ARG, 1, "invalid argument")                        \
    X(LLN_E_NOMEM, 2, "out of memory")                         \
    X(LLN_E_IO, 3, "input/output error")                       \
    X(LLN_E_FORMAT, 4, "malformed file")                       \
    X(LLN_E_VERSION, 5, "unsupported file version")            \
    X(LLN_E_CHECKSUM, 6, "checksum mismatch")                  \
    X(LLN_E_CONFIG, 7, "invalid model configuration")          \
    X(LLN_E_SHAPE, 8, "tensor shape mismatch")                 \
    X(LLN_E_DT, 9, "elapsed time must be finite and >= 1e-20") \
    X(LLN_E_NOTFOUND, 10, "not found")                         \
    X(LLN_E_UNSUPPORTED, 11, "unsupported feature")            \
    X(LLN_E_RANGE, 12, "value out of range")

/** Status codes: LLN_OK (0) or an error, with the values and messages of LLN_STATUS_LIST. */
typedef enum lln_status {
/** Turns one LLN_STATUS_LIST entry into an enumerator (undefined again below). */
#define LLN_X_ENUM(name, value, msg) name = (value),
    LLN_STATUS_LIST(LLN_X_ENUM)
#undef LLN_X_ENUM
        LLN_STATUS_COUNT_ /**< number of status codes (not a status) */
} lln_status_t;

/** Static, never-NULL description of a status code. */
LLN_API const char *lln_strerror(lln_status_t code);

/** Detailed error report filled by host-side functions (may be passed as NULL). */
typedef struct lln_error {
    lln_status_t code; /**< the status the function returned */
    char msg[512];     /**< "what is wrong and where", NUL-terminated */
} lln_error_t;

/** Sets err (if non-NULL) to code and a printf-style message; returns code. */
LLN_API lln_status_t lln_error_set(lln_error_t *err, lln_status_t code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4))) /* Flawfinder: ignore (format attribute, not a call) */
#endif
    ;

/** Puts "where: " in front of err's message unless it starts with where already (host tools
 *  adding the file to a message that does not name it); returns code. NULL err or where, or
 *  code LLN_OK: nothing changes. */
LLN_API lln_status_t lln_error_prefix(lln_error_t *err, lln_status_t code, const char *where);

#ifdef __cplusplus
}
#endif
#endif
