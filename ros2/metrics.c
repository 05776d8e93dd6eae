/* Prometheus /metrics over libmicrohttpd (see metrics.h). The exposition is rendered by hand:
 * the text format is a few lines per series, and the Debian C clients (none packaged) would
 * add a dependency for less code than this. */
#include "metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds (seconds) of the latency buckets: 1 us .. 100 ms. */
static const double bounds[HIST_BUCKETS] = {1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4,
                                            5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1};

void hist_observe(histogram_t *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    double s = (double)ns * 1e-9;
    int b = 0;
    while (b < HIST_BUCKETS && s > bounds[b])
        b++;
    atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, (uint64_t)ns, memory_order_relaxed);
}

typedef struct out {
    char *buf;
    size_t cap, len;
} out_t;

static void put(out_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))); /* Flawfinder: ignore (format attribute) */
static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    /* Flawfinder: ignore (fmt: format-checked by the attribute) */
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static uint64_t ld(const _Atomic uint64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static void hist(out_t *o, const char *name, const char *help, const histogram_t *h)
{
    put(o, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        cum += ld(&h->bucket[b]);
        put(o, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[b], (unsigned long long)cum);
    }
    cum += ld(&h->bucket[HIST_BUCKETS]);
    put(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
    put(o, "%s_sum %.9f\n%s_count %llu\n", name, (double)ld(&h->sum_ns) * 1e-9, name,
        (unsigned long long)cum);
}

size_t metrics_render(const metrics_t *m, char *buf, size_t cap)
{
    out_t o = {buf, cap, 0};
    const nc_config_t *c = m->cfg;
    put(&o,
        "# HELP lln_node_model_info The model the node runs (value 1).\n"
        "# TYPE lln_node_model_info gauge\nlln_node_model_info{%s} 1\n",
        m->model_labels);
    put(&o,
        "# HELP lln_node_start_time_seconds Unix time the node started.\n"
        "# TYPE lln_node_start_time_seconds gauge\nlln_node_start_time_seconds %.3f\n",
        m->start_unix);
    put(&o,
        "# HELP lln_node_steps_total Model steps taken.\n# TYPE lln_node_steps_total counter\n"
        "lln_node_steps_total %llu\n",
        (unsigned long long)ld(&m->steps));
    static const char *const drop_names[] = {
#define X_NAME(e, s) s,
        DROP_REASONS(X_NAME)};
    static const char *const reset_names[] = {RESET_REASONS(X_NAME)
#undef X_NAME
    };
    put(&o, "# HELP lln_node_dropped_total Messages or steps dropped, by reason.\n"
            "# TYPE lln_node_dropped_total counter\n");
    for (int r = 0; r < DROP_COUNT; r++)
        put(&o, "lln_node_dropped_total{reason=\"%s\"} %llu\n", drop_names[r],
            (unsigned long long)ld(&m->drops[r]));
    put(&o, "# HELP lln_node_resets_total State resets, by reason.\n"
            "# TYPE lln_node_resets_total counter\n");
    for (int r = 0; r < RESET_COUNT; r++)
        put(&o, "lln_node_resets_total{reason=\"%s\"} %llu\n", reset_names[r],
            (unsigned long long)ld(&m->resets[r]));
    put(&o,
        "# HELP lln_node_watchdog_total Safe commands published by the stale-input "
        "watchdog.\n# TYPE lln_node_watchdog_total counter\nlln_node_watchdog_total %llu\n",
        (unsigned long long)ld(&m->watchdog));
    put(&o, "# HELP lln_node_received_total Messages received, by input.\n"
            "# TYPE lln_node_received_total counter\n");
    for (int i = 0; i < c->n_inputs; i++)
        put(&o, "lln_node_received_total{input=\"%s\",topic=\"%s\"} %llu\n", c->inputs[i].name,
            c->inputs[i].topic, (unsigned long long)ld(&m->received[i]));
    put(&o, "# HELP lln_node_deadline_missed_total Requested-deadline misses, by input.\n"
            "# TYPE lln_node_deadline_missed_total counter\n");
    for (int i = 0; i < c->n_inputs; i++)
        put(&o, "lln_node_deadline_missed_total{input=\"%s\"} %llu\n", c->inputs[i].name,
            (unsigned long long)ld(&m->deadline_missed[i]));
    put(&o, "# HELP lln_node_input_age_seconds Age of each input at the last step (step stamp "
            "minus the input's stamp).\n# TYPE lln_node_input_age_seconds gauge\n");
    for (int i = 0; i < c->n_inputs; i++)
        put(&o, "lln_node_input_age_seconds{input=\"%s\"} %.9f\n", c->inputs[i].name,
            (double)ld(&m->input_age_ns[i]) * 1e-9);
    put(&o, "# HELP lln_node_published_total Messages published, by output.\n"
            "# TYPE lln_node_published_total counter\n");
    for (int i = 0; i < c->n_outputs; i++)
        put(&o, "lln_node_published_total{output=\"%s\",topic=\"%s\"} %llu\n", c->outputs[i].name,
            c->outputs[i].topic, (unsigned long long)ld(&m->published[i]));
    hist(&o, "lln_node_step_seconds", "Time of one model step (lln_step).", &m->step);
    hist(&o, "lln_node_end_to_end_seconds",
         "From the triggering message's source timestamp to its outputs handed to the kernel.",
         &m->e2e);
    hist(&o, "lln_node_overhead_seconds",
         "Node time per step outside the model: from starting on the message (its take) to "
         "the outputs handed to the kernel, minus the step.",
         &m->overhead);
    return o.len;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    const metrics_t *m = cls;
    struct MHD_Response *r;
    unsigned code = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char msg[] = "only GET\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "see /metrics\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_NOT_FOUND;
    } else {
        size_t need = metrics_render(m, NULL, 0) + 1;
        char *buf = malloc(need);
        if (buf == NULL)
            return MHD_NO;
        size_t len = metrics_render(m, buf, need);
        r = MHD_create_response_from_buffer(len < need ? len : need - 1, buf,
                                            MHD_RESPMEM_MUST_FREE);
        if (r != NULL)
            MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
        else
            free(buf);
    }
    if (r == NULL)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

void *metrics_serve(metrics_t *m, const char *hostport, char *err, size_t errlen)
{
    char host[NC_TOPIC];
    snprintf(host, sizeof host, "%s", hostport);
    char *colon = strrchr(host, ':');
    if (colon == NULL) {
        snprintf(err, errlen, "metrics address '%s' is not HOST:PORT", hostport);
        return NULL;
    }
    *colon = '\0';
    long port = strtol(colon + 1, NULL, 10); /* 1..65535: checked by the config parser */
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "metrics address '%s': '%s' is not an IPv4 address", hostport, host);
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handle, m,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, 16u,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (d == NULL)
        snprintf(err, errlen, "cannot serve metrics on %s (port in use?)", hostport);
    return d;
}

void metrics_stop(void *server)
{
    if (server != NULL)
        MHD_stop_daemon(server);
}
