/* Prometheus metrics of the node: counters, gauges and latency histograms updated by the DDS
 * thread with relaxed atomics and rendered in the Prometheus text format (version 0.0.4) by
 * libmicrohttpd's thread on GET /metrics. */
#ifndef LLN_ROS2_METRICS_H
#define LLN_ROS2_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "node_config.h"

/* Why a message or a step was dropped (label reason="..."). */
#define DROP_REASONS(X)                                                                           \
    X(DROP_NONFINITE, "nonfinite")             /* NaN/inf in a value the model would read */      \
    X(DROP_STAMP_BACKWARDS, "stamp_backwards") /* stamp not after the input's previous one */     \
    X(DROP_STALE_INPUT, "stale_input")         /* another input missing or older than max_age */  \
    X(DROP_BAD_MESSAGE, "bad_message")         /* wrong size, missing joint, bad scan geometry */ \
    X(DROP_NONFINITE_OUTPUT, "nonfinite_output") /* the model gave NaN/inf: not published */      \
    X(DROP_STEP_ERROR, "step_error")             /* lln_step refused the input (status code) */

typedef enum drop_reason {
#define X_ENUM(e, s) e,
    DROP_REASONS(X_ENUM)
#undef X_ENUM
        DROP_COUNT
} drop_reason_t;

#define RESET_REASONS(X) \
    X(RESET_TOPIC, "topic") X(RESET_GAP, "gap") X(RESET_OUTPUT, "nonfinite_output")
typedef enum reset_reason {
#define X_ENUM(e, s) e,
    RESET_REASONS(X_ENUM)
#undef X_ENUM
        RESET_COUNT
} reset_reason_t;

#define HIST_BUCKETS 16
typedef struct histogram {
    _Atomic uint64_t bucket[HIST_BUCKETS + 1]; /* non-cumulative; last = +Inf */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_ns;
} histogram_t;

typedef struct metrics {
    _Atomic uint64_t steps;
    _Atomic uint64_t drops[DROP_COUNT];
    _Atomic uint64_t resets[RESET_COUNT];
    _Atomic uint64_t watchdog;
    _Atomic uint64_t received[NC_MAX_PORTS];
    _Atomic uint64_t deadline_missed[NC_MAX_PORTS];
    _Atomic uint64_t published[NC_MAX_PORTS];
    _Atomic uint64_t input_age_ns[NC_MAX_PORTS]; /* at the last step */
    histogram_t step, e2e, overhead;
    /* fixed at start */
    const nc_config_t *cfg;
    char model_labels[1024]; /* label set of lln_node_model_info */
    double start_unix;
} metrics_t;

/* Adds one observation of d nanoseconds (negative counts as 0). */
void hist_observe(histogram_t *h, int64_t ns);
/* Writes the Prometheus text exposition into buf (NUL-terminated); returns the length, or the
 * length needed when cap is too small. */
size_t metrics_render(const metrics_t *m, char *buf, size_t cap);

/* Starts the HTTP server on "HOST:PORT"; NULL with a message in err on failure. */
void *metrics_serve(metrics_t *m, const char *hostport, char *err, size_t errlen);
void metrics_stop(void *server);

#endif
