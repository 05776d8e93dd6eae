/* Status-code messages and the host-side error report. */
#include "lln/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *lln_strerror(lln_status_t code)
{
    switch (code) {
#define LLN_X_CASE(name, value, msg) \
    case name: return msg;
        LLN_STATUS_LIST(LLN_X_CASE)
#undef LLN_X_CASE
    default: return "unknown status";
    }
}

lln_status_t lln_error_set(lln_error_t *err, lln_status_t code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        /* Flawfinder: ignore (fmt: a format-checked argument, see status.h) */
        (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

lln_status_t lln_error_prefix(lln_error_t *err, lln_status_t code, const char *where)
{
    if (err == NULL || where == NULL || code == LLN_OK ||
        strncmp(err->msg, where, strlen(where)) == 0)
        return code;
    char msg[sizeof err->msg];
    (void)snprintf(msg, sizeof msg, "%s", err->msg);
    return lln_error_set(err, code, "%s: %s", where, msg);
}
