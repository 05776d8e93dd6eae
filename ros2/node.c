/* lln-ros2: runs a liquid-edge model as a ROS 2 node over plain Cyclone DDS (no ROS install).
 * Subscribes to sensor topics, steps the model with Δt from the messages' header stamps,
 * publishes commands; ROS 2 wire names (rt/TOPIC, PKG::msg::dds_::NAME_, XCDR1).
 * Uses only the public library API (include/lln/). Design and behaviour: docs/ROS2.md. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "dds/dds.h"
#include "lln/format.h"
#include "lln/model.h"
#include "metrics.h"
#include "node_config.h"
#include "ros2_msgs.h"
#include "scan_bins.h"

#define USAGE                                                                               \
    "usage: lln-ros2 MODEL.lln --config NODE.conf [--check] [--latency-report] [--quiet]\n" \
    "\n"                                                                                    \
    "Runs MODEL as a ROS 2 node over Cyclone DDS: the inputs, outputs, QoS, watchdog and\n" \
    "metrics are set in NODE.conf (docs/ROS2.md). Set CYCLONEDDS_URI (e.g. a loopback\n"    \
    "config) before starting it. SIGTERM or SIGINT stop it cleanly.\n"                      \
    "\n"                                                                                    \
    "  --config FILE       the node configuration (required)\n"                             \
    "  --check             check the configuration against the model and exit\n"            \
    "  --latency-report    on exit, print p50/p99/max of the step, the node's overhead\n"   \
    "                      (its part in writing the outputs too), the end-to-end\n"         \
    "                      latency and the step rate\n"                                     \
    "  --quiet             no start-up and watchdog messages\n"                             \
    "  -h, --help          this text\n"                                                     \
    "\n"                                                                                    \
    "Exit status: 0 stopped by a signal, 1 run-time failure, 2 bad arguments, model or\n"   \
    "configuration.\n"

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Latency samples for --latency-report (bounded: the first SAMPLES_MAX steps). */
#define SAMPLES_MAX 2000000
typedef struct samples {
    float *step, *overhead, *write, *e2e; /* microseconds */
    size_t n;
} samples_t;

typedef struct input_slot {
    dds_entity_t reader;
    float vals[NC_MAX_FIELDS];
    int64_t stamp; /* ns since the epoch of the stamps (header or source time) */
    int have;
} input_slot_t;

typedef struct node {
    nc_config_t cfg;
    const char *cfg_path;
    lln_model_t *model;
    lln_state_t *state;
    float *x, *y;
    input_slot_t in[NC_MAX_PORTS];
    dds_entity_t domain, pp, writers[NC_MAX_PORTS], reset_reader, diag_writer, waitset;
    int64_t last_step_stamp; /* 0: no step since start or reset (nor a reset stamp) */
    int fresh_reset;         /* no step since the last reset */
    int64_t last_cmd_mono, last_safe_mono, last_diag_mono, last_step_mono, first_step_mono;
    int stale;      /* the watchdog's safe command is active */
    int bad_output; /* the last step gave a non-finite output */
    char stale_why[256];
    metrics_t *mx;
    samples_t lat;
    int quiet;
    char model_desc[256];
    /* step_thread = receive: the inputs are taken and stepped in Cyclone's receive thread (a
     * data-available listener); the main thread keeps the watchdog, deadlines, diagnostics and
     * the reset topic. `lock` serialises the two over everything above. */
    pthread_mutex_t lock;
} node_t;

static void logmsg(const node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))); /* Flawfinder: ignore (format attribute) */
static void logmsg(const node_t *n, const char *fmt, ...)
{
    if (n->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("lln-ros2: ", stderr);
    vfprintf(stderr, fmt, ap); /* Flawfinder: ignore (fmt: format-checked) */
    fputc('\n', stderr);
    va_end(ap);
}

static void count_drop(node_t *n, drop_reason_t r)
{
    atomic_fetch_add_explicit(&n->mx->drops[r], 1, memory_order_relaxed);
}

/* ---- messages -> model inputs ------------------------------------------------------------ */

static int stamp_ns(const builtin_interfaces_msg_dds__Time_ *t, int64_t *out)
{
    if (t->nanosec >= 1000000000u || t->sec < 0)
        return -1;
    *out = (int64_t)t->sec * 1000000000 + t->nanosec;
    return 0;
}

static double imu_field(const sensor_msgs_msg_dds__Imu_ *m, int f)
{
    switch (f) {
    case 0: return m->orientation.x;
    case 1: return m->orientation.y;
    case 2: return m->orientation.z;
    case 3: return m->orientation.w;
    case 4: return m->angular_velocity.x;
    case 5: return m->angular_velocity.y;
    case 6: return m->angular_velocity.z;
    case 7: return m->linear_acceleration.x;
    case 8: return m->linear_acceleration.y;
    default: return m->linear_acceleration.z;
    }
}

/* Fills vals from one sample; returns a drop reason, or DROP_COUNT when the sample is usable. */
static drop_reason_t extract(const nc_port_t *p, const void *sample, const dds_sample_info_t *si,
                             float *vals, int64_t *stamp)
{
    switch (p->type) {
    case NC_IMU: {
        const sensor_msgs_msg_dds__Imu_ *m = sample;
        if (stamp_ns(&m->header.stamp, stamp) < 0)
            return DROP_BAD_MESSAGE;
        for (int k = 0; k < p->width; k++) {
            /* REP 145 / Imu.msg: covariance[0] = -1 means "this part is not provided" */
            const double *cov = p->field[k] < 4   ? m->orientation_covariance
                                : p->field[k] < 7 ? m->angular_velocity_covariance
                                                  : m->linear_acceleration_covariance;
            if (cov[0] == -1.0)
                return DROP_BAD_MESSAGE;
            double v = imu_field(m, p->field[k]);
            if (!isfinite(v) || fabs(v) > 3e38)
                return DROP_NONFINITE;
            vals[k] = (float)v;
        }
        return DROP_COUNT;
    }
    case NC_LASERSCAN: {
        const sensor_msgs_msg_dds__LaserScan_ *m = sample;
        if (stamp_ns(&m->header.stamp, stamp) < 0)
            return DROP_BAD_MESSAGE;
        if (!isfinite(m->range_min) || !isfinite(m->range_max))
            return DROP_NONFINITE;
        if (scan_bins(m->ranges._buffer, m->ranges._length, m->range_min, m->range_max, p->width,
                      vals, NULL) < 0)
            return DROP_BAD_MESSAGE;
        return DROP_COUNT;
    }
    case NC_JOINTSTATE: {
        const sensor_msgs_msg_dds__JointState_ *m = sample;
        if (stamp_ns(&m->header.stamp, stamp) < 0)
            return DROP_BAD_MESSAGE;
        const dds_sequence_double *arr = p->joint_field == NC_JOINT_POSITION   ? &m->position
                                         : p->joint_field == NC_JOINT_VELOCITY ? &m->velocity
                                                                               : &m->effort;
        if (arr->_length != m->name._length)
            return DROP_BAD_MESSAGE;
        for (int k = 0; k < p->width; k++) {
            uint32_t j = 0;
            while (j < m->name._length &&
                   (m->name._buffer[j] == NULL || strcmp(m->name._buffer[j], p->joints[k]) != 0))
                j++;
            if (j == m->name._length)
                return DROP_BAD_MESSAGE;
            double v = arr->_buffer[j];
            if (!isfinite(v) || fabs(v) > 3e38)
                return DROP_NONFINITE;
            vals[k] = (float)v;
        }
        return DROP_COUNT;
    }
    case NC_F32ARRAY: {
        /* no header: the writer's source timestamp is the stamp */
        const std_msgs_msg_dds__Float32MultiArray_ *m = sample;
        *stamp = si->source_timestamp;
        uint32_t off = m->layout.data_offset;
        if (off > m->data._length || m->data._length - off < (uint32_t)p->width)
            return DROP_BAD_MESSAGE;
        for (int k = 0; k < p->width; k++) {
            if (!isfinite(m->data._buffer[off + (uint32_t)k]))
                return DROP_NONFINITE;
            vals[k] = m->data._buffer[off + (uint32_t)k];
        }
        return DROP_COUNT;
    }
    default: return DROP_BAD_MESSAGE;
    }
}

static const dds_topic_descriptor_t *descriptor(nc_msg_type_t t)
{
    switch (t) {
    case NC_IMU: return &sensor_msgs_msg_dds__Imu__desc;
    case NC_LASERSCAN: return &sensor_msgs_msg_dds__LaserScan__desc;
    case NC_JOINTSTATE: return &sensor_msgs_msg_dds__JointState__desc;
    case NC_F32ARRAY: return &std_msgs_msg_dds__Float32MultiArray__desc;
    case NC_TWIST: return &geometry_msgs_msg_dds__Twist__desc;
    default: return NULL;
    }
}

/* ---- publishing -------------------------------------------------------------------------- */

static void stamp_from_ns(int64_t ns, builtin_interfaces_msg_dds__Time_ *t)
{
    if (ns < 0)
        ns = 0;
    t->sec = (int32_t)(ns / 1000000000);
    t->nanosec = (uint32_t)(ns % 1000000000);
}

/* Writes vals (one output's values) on output o; returns 0 or a DDS error. */
static int publish(node_t *n, int o, const float *vals, int64_t stamp)
{
    const nc_port_t *p = &n->cfg.outputs[o];
    for (int k = 0; k < p->width; k++)
        if (!isfinite(vals[k]))
            return -1; /* never reached: callers check; kept so nothing NaN can leave */
    dds_return_t rc;
    switch (p->type) {
    case NC_TWIST: {
        geometry_msgs_msg_dds__Twist_ m;
        memset(&m, 0, sizeof m);
        double *f[6] = {&m.linear.x,  &m.linear.y,  &m.linear.z,
                        &m.angular.x, &m.angular.y, &m.angular.z};
        for (int k = 0; k < p->width; k++)
            *f[p->field[k]] = vals[k];
        rc = dds_write(n->writers[o], &m);
        break;
    }
    case NC_F32ARRAY: {
        std_msgs_msg_dds__Float32MultiArray_ m;
        memset(&m, 0, sizeof m);
        std_msgs_msg_dds__MultiArrayDimension_ dim = {(char *)"outputs", (uint32_t)p->width,
                                                      (uint32_t)p->width};
        m.layout.dim._length = m.layout.dim._maximum = 1;
        m.layout.dim._buffer = &dim;
        m.data._length = m.data._maximum = (uint32_t)p->width;
        m.data._buffer = (float *)vals;
        rc = dds_write(n->writers[o], &m);
        break;
    }
    case NC_JOINTSTATE: {
        sensor_msgs_msg_dds__JointState_ m;
        memset(&m, 0, sizeof m);
        char *names[NC_MAX_FIELDS];
        double v[NC_MAX_FIELDS];
        for (int k = 0; k < p->width; k++) {
            names[k] = (char *)p->joints[k];
            v[k] = vals[k];
        }
        stamp_from_ns(stamp, &m.header.stamp);
        m.header.frame_id = (char *)"";
        m.name._length = m.name._maximum = (uint32_t)p->width;
        m.name._buffer = names;
        dds_sequence_double *arr = p->joint_field == NC_JOINT_POSITION   ? &m.position
                                   : p->joint_field == NC_JOINT_VELOCITY ? &m.velocity
                                                                         : &m.effort;
        arr->_length = arr->_maximum = (uint32_t)p->width;
        arr->_buffer = v;
        rc = dds_write(n->writers[o], &m);
        break;
    }
    default: return -1;
    }
    if (rc == DDS_RETCODE_OK)
        atomic_fetch_add_explicit(&n->mx->published[o], 1, memory_order_relaxed);
    return rc == DDS_RETCODE_OK ? 0 : -1;
}

static void publish_all(node_t *n, const float *y, int64_t stamp)
{
    for (int o = 0; o < n->cfg.n_outputs; o++)
        if (publish(n, o, y + n->cfg.outputs[o].first, stamp) < 0)
            logmsg(n, "writing output '%s' failed", n->cfg.outputs[o].name);
}

/* With write batching (write_batch = on) dds_write only queues a sample in its writer; this
 * sends what is queued (without batching there is nothing queued and it costs nothing). */
static void flush_outputs(node_t *n)
{
    for (int o = 0; o < n->cfg.n_outputs; o++)
        dds_write_flush(n->writers[o]);
}

static void publish_safe(node_t *n, int64_t stamp)
{
    float safe[NC_MAX_FIELDS];
    for (int o = 0; o < n->cfg.n_outputs; o++) {
        const nc_port_t *p = &n->cfg.outputs[o];
        for (int k = 0; k < p->width; k++)
            safe[k] = (float)p->safe[k];
        if (publish(n, o, safe, stamp) < 0)
            logmsg(n, "writing the safe command on '%s' failed", p->name);
    }
    flush_outputs(n);
}

/* ---- stepping ---------------------------------------------------------------------------- */

static void record_latency(node_t *n, int64_t step_ns, int64_t over_ns, int64_t write_ns,
                           int64_t e2e_ns)
{
    hist_observe(&n->mx->step, step_ns);
    hist_observe(&n->mx->overhead, over_ns);
    hist_observe(&n->mx->e2e, e2e_ns);
    samples_t *s = &n->lat;
    if (s->step != NULL && s->n < SAMPLES_MAX) {
        s->step[s->n] = (float)step_ns * 1e-3f;
        s->overhead[s->n] = (float)over_ns * 1e-3f;
        s->write[s->n] = (float)write_ns * 1e-3f;
        s->e2e[s->n] = (float)e2e_ns * 1e-3f;
        s->n++;
    }
}

/* ref_stamp: the stamp the state was reset at (the first step then has Δt = its stamp minus
 * this), or 0 for none (the first step uses dt_initial). */
static void reset_state(node_t *n, reset_reason_t why, int64_t ref_stamp)
{
    lln_state_reset(n->state);
    n->last_step_stamp = ref_stamp;
    n->fresh_reset = 1;
    atomic_fetch_add_explicit(&n->mx->resets[why], 1, memory_order_relaxed);
}

/* A step whose outputs are written but maybe not yet sent (write batching): its latencies
 * are recorded when the batch is flushed. */
typedef struct pending {
    int64_t t_take, step_ns, write_ns;
    dds_time_t source;
} pending_t;

/* Tries one step at `stamp` (the stepping message's stamp); t_take: monotonic time the node
 * started on the sample, source: its DDS source timestamp (for the end-to-end latency).
 * Returns 1 and fills *pd when outputs were written. */
static int try_step(node_t *n, int64_t stamp, int64_t t_take, dds_time_t source, pending_t *pd)
{
    const nc_config_t *c = &n->cfg;
    for (int i = 0; i < c->n_inputs; i++) {
        int64_t age = stamp - n->in[i].stamp;
        if (!n->in[i].have || (double)age * 1e-9 > c->max_age) {
            count_drop(n, DROP_STALE_INPUT);
            return 0;
        }
    }
    double dt;
    if (n->last_step_stamp == 0) {
        dt = c->dt_initial;
    } else {
        dt = (double)(stamp - n->last_step_stamp) * 1e-9;
        if (dt <= 0 && n->fresh_reset)
            dt = c->dt_initial; /* reset stamped at or after this input: no elapsed time known */
        else if (dt <= 0)
            return 0; /* every-message mode: an input older than the last step only updates */
        if (c->gap_reset > 0 && dt > c->gap_reset) {
            reset_state(n, RESET_GAP, 0);
            logmsg(n, "input gap of %.3f s > gap_reset %.3f s: state reset", dt, c->gap_reset);
            dt = c->dt_initial;
        }
    }
    for (int i = 0; i < c->n_inputs; i++) {
        memcpy(n->x + c->inputs[i].first, n->in[i].vals,
               (size_t)c->inputs[i].width * sizeof(float));
        int64_t age = stamp - n->in[i].stamp;
        atomic_store_explicit(&n->mx->input_age_ns[i], (uint64_t)(age > 0 ? age : 0),
                              memory_order_relaxed);
    }
    int64_t t0 = mono_ns();
    lln_status_t st = lln_step(n->model, n->state, n->x, (float)(dt * c->time_scale), n->y);
    int64_t t1 = mono_ns();
    if (st != LLN_OK) {
        count_drop(n, DROP_STEP_ERROR);
        return 0;
    }
    for (int k = 0; k < c->output_width; k++) {
        if (!isfinite(n->y[k])) {
            count_drop(n, DROP_NONFINITE_OUTPUT);
            reset_state(n, RESET_OUTPUT, 0);
            publish_safe(n, stamp);
            if (!n->bad_output) /* said once until a good step */
                logmsg(n, "the model produced a non-finite output: safe command, state reset");
            n->bad_output = 1;
            return 0;
        }
    }
    n->last_step_stamp = stamp;
    n->fresh_reset = 0;
    n->bad_output = 0;
    publish_all(n, n->y, stamp);
    int64_t t2 = mono_ns();
    atomic_fetch_add_explicit(&n->mx->steps, 1, memory_order_relaxed);
    *pd = (pending_t){t_take, t1 - t0, t2 - t1, source};
    if (n->first_step_mono == 0)
        n->first_step_mono = t1;
    n->last_step_mono = t2;
    n->last_cmd_mono = t2;
    if (n->stale) {
        n->stale = 0;
        logmsg(n, "inputs are back: stepping again");
    }
    return 1;
}

/* Takes every waiting sample of input i. */
static void drain_input(node_t *n, int i)
{
    const nc_port_t *p = &n->cfg.inputs[i];
    enum { BATCH = 16 };
    void *buf[BATCH];
    dds_sample_info_t si[BATCH];
    pending_t pend[BATCH];
    int np = 0;
    /* t_start: when the node starts on a sample: before the take for the first of a batch,
     * when it finished the previous one for the others (the node overhead counts from here) */
    int64_t t_start = mono_ns();
    for (;;) {
        memset(buf, 0, sizeof buf);
        int got = dds_take(n->in[i].reader, buf, si, BATCH, BATCH);
        if (got <= 0)
            break;
        for (int s = 0; s < got; s++) {
            if (!si[s].valid_data)
                continue;
            int64_t t_take = t_start;
            atomic_fetch_add_explicit(&n->mx->received[i], 1, memory_order_relaxed);
            float vals[NC_MAX_FIELDS];
            int64_t stamp = 0;
            drop_reason_t r = extract(p, buf[s], &si[s], vals, &stamp);
            if (r == DROP_COUNT && n->in[i].have && stamp <= n->in[i].stamp)
                r = DROP_STAMP_BACKWARDS;
            if (r != DROP_COUNT) {
                count_drop(n, r);
                continue;
            }
            memcpy(n->in[i].vals, vals, (size_t)p->width * sizeof(float));
            n->in[i].stamp = stamp;
            n->in[i].have = 1;
            if ((n->cfg.step == NC_STEP_EVERY || n->cfg.trigger == i) &&
                try_step(n, stamp, t_take, si[s].source_timestamp, &pend[np])) {
                if (n->cfg.write_batch) {
                    np++; /* its outputs go out with the batch's flush */
                } else {  /* its outputs are with the kernel already */
                    const pending_t *d = &pend[np];
                    int64_t t_end = mono_ns();
                    record_latency(n, d->step_ns, t_end - d->t_take - d->step_ns, d->write_ns,
                                   dds_time() - d->source);
                }
            }
            t_start = mono_ns();
        }
        dds_return_loan(n->in[i].reader, buf, got);
        if (np > 0) { /* the batch's outputs onto the wire, then their latencies */
            int64_t f0 = mono_ns();
            flush_outputs(n);
            int64_t f1 = mono_ns();
            dds_time_t now = dds_time();
            for (int k = 0; k < np; k++)
                record_latency(n, pend[k].step_ns, f1 - pend[k].t_take - pend[k].step_ns,
                               pend[k].write_ns + (f1 - f0), now - pend[k].source);
            n->last_step_mono = n->last_cmd_mono = f1;
            np = 0;
            t_start = f1;
        }
        if (got < BATCH)
            break;
    }
}

static void drain_reset(node_t *n)
{
    void *buf[8] = {NULL};
    dds_sample_info_t si[8];
    int got;
    while ((got = dds_take(n->reset_reader, buf, si, 8, 8)) > 0) {
        for (int s = 0; s < got; s++) {
            const std_msgs_msg_dds__Bool_ *m = buf[s];
            if (si[s].valid_data && m->data) {
                /* the message's source time is the reset's stamp: a publisher that stamps
                 * its inputs in its own (e.g. simulated) time resets at an exact instant */
                int64_t ref = si[s].source_timestamp;
                reset_state(n, RESET_TOPIC, ref > 0 ? ref : 0);
                logmsg(n, "state reset by %s", n->cfg.reset_topic);
            }
        }
        dds_return_loan(n->reset_reader, buf, got);
        memset(buf, 0, sizeof buf);
    }
}

/* step_thread = receive: Cyclone calls this on its receive thread as soon as a sample of an
 * input has been delivered to the reader, so the node takes and steps it without waking a
 * thread of its own. */
static void on_input(dds_entity_t reader, void *arg)
{
    node_t *n = arg;
    for (int i = 0; i < n->cfg.n_inputs; i++)
        if (n->in[i].reader == reader) {
            pthread_mutex_lock(&n->lock);
            drain_input(n, i);
            pthread_mutex_unlock(&n->lock);
            return;
        }
}

static void on_reset(dds_entity_t reader, void *arg)
{
    node_t *n = arg;
    (void)reader;
    pthread_mutex_lock(&n->lock);
    drain_reset(n);
    pthread_mutex_unlock(&n->lock);
}

/* ---- watchdog, deadlines, diagnostics ------------------------------------------------------ */

static void describe_staleness(node_t *n, int64_t now_mono)
{
    const nc_config_t *c = &n->cfg;
    int64_t now = dds_time();
    size_t len = (size_t)snprintf(n->stale_why, sizeof n->stale_why, "no step for %.3f s",
                                  (double)(now_mono - n->last_cmd_mono) * 1e-9);
    for (int i = 0; i < c->n_inputs && len < sizeof n->stale_why; i++) {
        if (!n->in[i].have)
            len += (size_t)snprintf(n->stale_why + len, sizeof n->stale_why - len,
                                    "; input '%s' (%s) never received", c->inputs[i].name,
                                    c->inputs[i].topic);
        else if ((double)(now - n->in[i].stamp) * 1e-9 > c->max_age)
            len += (size_t)snprintf(n->stale_why + len, sizeof n->stale_why - len,
                                    "; input '%s' (%s) last stamp %.3f s ago", c->inputs[i].name,
                                    c->inputs[i].topic, (double)(now - n->in[i].stamp) * 1e-9);
    }
}

static void watchdog(node_t *n, int64_t now_mono)
{
    int64_t limit = (int64_t)(n->cfg.watchdog * 1e9);
    if (limit <= 0 || now_mono - n->last_cmd_mono <= limit)
        return;
    if (n->stale && now_mono - n->last_safe_mono < limit)
        return;
    describe_staleness(n, now_mono);
    if (!n->stale)
        logmsg(n, "watchdog: %s: publishing the safe command", n->stale_why);
    n->stale = 1;
    n->last_safe_mono = now_mono;
    publish_safe(n, dds_time());
    atomic_fetch_add_explicit(&n->mx->watchdog, 1, memory_order_relaxed);
}

/* Deadline misses (a metric) and writers that cannot match because their QoS is
 * incompatible (e.g. the input requests a deadline the publisher does not offer): logged. */
static void poll_deadlines(node_t *n)
{
    for (int i = 0; i < n->cfg.n_inputs; i++) {
        dds_requested_incompatible_qos_status_t iq;
        if (dds_get_requested_incompatible_qos_status(n->in[i].reader, &iq) == DDS_RETCODE_OK &&
            iq.total_count_change > 0)
            logmsg(n,
                   "input '%s' (%s): a publisher's QoS is incompatible (DDS QoS policy id %u%s): "
                   "not receiving from it",
                   n->cfg.inputs[i].name, n->cfg.inputs[i].topic, (unsigned)iq.last_policy_id,
                   iq.last_policy_id == DDS_DEADLINE_QOS_POLICY_ID
                       ? " = deadline: the publisher must offer a deadline <= ours"
                   : iq.last_policy_id == DDS_RELIABILITY_QOS_POLICY_ID
                       ? " = reliability: a best-effort publisher cannot serve a reliable input"
                       : "");
        dds_requested_deadline_missed_status_t st;
        if (n->cfg.inputs[i].qos.deadline > 0 &&
            dds_get_requested_deadline_missed_status(n->in[i].reader, &st) == DDS_RETCODE_OK)
            atomic_store_explicit(&n->mx->deadline_missed[i], st.total_count, memory_order_relaxed);
    }
}

/* stale, why, last_cmd: the watchdog's state, copied under the lock (the stepping thread may
 * change it while this message is written). */
static void diagnostics(node_t *n, int64_t now_mono, int stale, const char *why, int64_t last_cmd)
{
    if (n->diag_writer == 0)
        return;
    static uint64_t last_drops = 0;
    uint64_t drops = 0;
    for (int r = 0; r < DROP_COUNT; r++)
        drops += atomic_load_explicit(&n->mx->drops[r], memory_order_relaxed);
    char v_steps[32], v_drops[32], v_resets[32], v_wd[32], v_age[32];
    snprintf(v_steps, sizeof v_steps, "%llu",
             (unsigned long long)atomic_load_explicit(&n->mx->steps, memory_order_relaxed));
    snprintf(v_drops, sizeof v_drops, "%llu", (unsigned long long)drops);
    uint64_t resets = 0;
    for (int r = 0; r < RESET_COUNT; r++)
        resets += atomic_load_explicit(&n->mx->resets[r], memory_order_relaxed);
    snprintf(v_resets, sizeof v_resets, "%llu", (unsigned long long)resets);
    snprintf(v_wd, sizeof v_wd, "%llu",
             (unsigned long long)atomic_load_explicit(&n->mx->watchdog, memory_order_relaxed));
    snprintf(v_age, sizeof v_age, "%.3f", (double)(now_mono - last_cmd) * 1e-9);
    diagnostic_msgs_msg_dds__KeyValue_ kv[] = {
        {(char *)"model", n->model_desc}, {(char *)"steps", v_steps},
        {(char *)"dropped", v_drops},     {(char *)"resets", v_resets},
        {(char *)"watchdog_trips", v_wd}, {(char *)"seconds_since_command", v_age}};
    char message[300];
    uint8_t level = 0; /* DiagnosticStatus.OK */
    if (stale) {
        level = 1; /* WARN */
        snprintf(message, sizeof message, "safe command: %s", why);
    } else if (drops > last_drops) {
        level = 1;
        snprintf(message, sizeof message, "%llu messages dropped since the last report",
                 (unsigned long long)(drops - last_drops));
    } else {
        snprintf(message, sizeof message, "running");
    }
    last_drops = drops;
    diagnostic_msgs_msg_dds__DiagnosticStatus_ status;
    memset(&status, 0, sizeof status);
    status.level = level;
    status.name = n->cfg.name;
    status.message = message;
    status.hardware_id = n->cfg.name;
    status.values._length = status.values._maximum = (uint32_t)(sizeof kv / sizeof kv[0]);
    status.values._buffer = kv;
    diagnostic_msgs_msg_dds__DiagnosticArray_ arr;
    memset(&arr, 0, sizeof arr);
    stamp_from_ns(dds_time(), &arr.header.stamp);
    arr.header.frame_id = (char *)"";
    arr.status._length = arr.status._maximum = 1;
    arr.status._buffer = &status;
    dds_write(n->diag_writer, &arr);
}

/* ---- set-up -------------------------------------------------------------------------------- */

static dds_qos_t *make_qos(const nc_qos_t *q)
{
    dds_qos_t *qos = dds_create_qos();
    dds_qset_reliability(
        qos, q->reliability == NC_RELIABLE ? DDS_RELIABILITY_RELIABLE : DDS_RELIABILITY_BEST_EFFORT,
        DDS_MSECS(100));
    dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, q->depth);
    dds_qset_durability(qos, DDS_DURABILITY_VOLATILE);
    if (q->deadline > 0)
        dds_qset_deadline(qos, (dds_duration_t)(q->deadline * 1e9));
    return qos;
}

static dds_entity_t make_topic(node_t *n, const dds_topic_descriptor_t *d, const char *ros_name)
{
    char name[NC_TOPIC + 4];
    snprintf(name, sizeof name, "rt%s", ros_name);
    dds_entity_t t = dds_create_topic(n->pp, d, name, NULL, NULL);
    if (t < 0)
        fprintf(stderr, "lln-ros2: cannot create topic %s (%s): %s\n", name, d->m_typename,
                dds_strretcode(-t));
    return t;
}

/* A reader's samples reach the node by a listener on the receive thread or by the main
 * thread's waitset (step_thread); the reset topic goes the same way, so that a reset
 * acknowledged before an input is handled before that input. */
static int attach_input(node_t *n, dds_entity_t reader, int index, void (*cb)(dds_entity_t, void *))
{
    dds_return_t rc;
    if (n->cfg.step_thread == NC_THREAD_RECEIVE) {
        dds_listener_t *l = dds_create_listener(n);
        dds_lset_data_available(l, cb);
        rc = dds_set_listener(reader, l);
        dds_delete_listener(l);
    } else {
        rc = dds_set_status_mask(reader, DDS_DATA_AVAILABLE_STATUS);
        if (rc == DDS_RETCODE_OK)
            rc = dds_waitset_attach(n->waitset, reader, index);
    }
    if (rc != DDS_RETCODE_OK)
        fprintf(stderr, "lln-ros2: cannot attach a reader: %s\n", dds_strretcode(-rc));
    return rc == DDS_RETCODE_OK ? 0 : -1;
}

static int setup_dds(node_t *n)
{
    const nc_config_t *c = &n->cfg;
    if (c->write_batch) { /* the user's configuration (CYCLONEDDS_URI) plus write batching */
        static const char batch[] = "<CycloneDDS><Domain><Internal><WriteBatch>true</WriteBatch>"
                                    "</Internal></Domain></CycloneDDS>";
        const char *uri = getenv("CYCLONEDDS_URI");
        size_t len = (uri != NULL ? strlen(uri) + 1 : 0) + sizeof batch;
        char *conf = malloc(len);
        if (conf == NULL)
            return -1;
        snprintf(conf, len, "%s%s%s", uri != NULL ? uri : "", uri != NULL ? "," : "", batch);
        n->domain = dds_create_domain((dds_domainid_t)c->domain, conf);
        free(conf);
        if (n->domain < 0) {
            fprintf(stderr,
                    "lln-ros2: cannot create DDS domain %d from CYCLONEDDS_URI with write "
                    "batching: %s\n",
                    c->domain, dds_strretcode(-n->domain));
            return -1;
        }
    }
    n->pp = dds_create_participant((dds_domainid_t)c->domain, NULL, NULL);
    if (n->pp < 0) {
        fprintf(stderr, "lln-ros2: cannot create a DDS participant on domain %d: %s\n", c->domain,
                dds_strretcode(-n->pp));
        return -1;
    }
    n->waitset = dds_create_waitset(n->pp);
    /* a waitset with nothing attached does not wait: with step_thread = receive only this
     * never-triggered guard (and the reset topic, if any) keeps the main loop's 20 ms pace */
    dds_entity_t guard = dds_create_guardcondition(n->pp);
    if (n->waitset < 0 || guard < 0 ||
        dds_waitset_attach(n->waitset, guard, (dds_attach_t)-2) != DDS_RETCODE_OK) {
        fprintf(stderr, "lln-ros2: cannot create a DDS waitset\n");
        return -1;
    }
    for (int i = 0; i < c->n_inputs; i++) {
        dds_entity_t t = make_topic(n, descriptor(c->inputs[i].type), c->inputs[i].topic);
        if (t < 0)
            return -1;
        dds_qos_t *q = make_qos(&c->inputs[i].qos);
        n->in[i].reader = dds_create_reader(n->pp, t, q, NULL);
        dds_delete_qos(q);
        if (n->in[i].reader < 0) {
            fprintf(stderr, "lln-ros2: cannot create a reader for %s\n", c->inputs[i].topic);
            return -1;
        }
        if (attach_input(n, n->in[i].reader, i, on_input) < 0)
            return -1;
    }
    for (int o = 0; o < c->n_outputs; o++) {
        dds_entity_t t = make_topic(n, descriptor(c->outputs[o].type), c->outputs[o].topic);
        if (t < 0)
            return -1;
        dds_qos_t *q = make_qos(&c->outputs[o].qos);
        n->writers[o] = dds_create_writer(n->pp, t, q, NULL);
        dds_delete_qos(q);
        if (n->writers[o] < 0) {
            fprintf(stderr, "lln-ros2: cannot create a writer for %s\n", c->outputs[o].topic);
            return -1;
        }
    }
    nc_qos_t rel = {NC_RELIABLE, 10, 0};
    if (c->reset_topic[0] != '\0') {
        dds_entity_t t = make_topic(n, &std_msgs_msg_dds__Bool__desc, c->reset_topic);
        if (t < 0)
            return -1;
        dds_qos_t *q = make_qos(&rel);
        n->reset_reader = dds_create_reader(n->pp, t, q, NULL);
        dds_delete_qos(q);
        if (n->reset_reader < 0)
            return -1;
        if (attach_input(n, n->reset_reader, -1, on_reset) < 0)
            return -1;
    }
    if (c->diagnostics_period > 0) {
        dds_entity_t t =
            make_topic(n, &diagnostic_msgs_msg_dds__DiagnosticArray__desc, "/diagnostics");
        if (t < 0)
            return -1;
        dds_qos_t *q = make_qos(&rel);
        n->diag_writer = dds_create_writer(n->pp, t, q, NULL);
        dds_delete_qos(q);
        if (n->diag_writer < 0)
            return -1;
    }
    return 0;
}

/* Prometheus label value: backslash, quote and newline escaped. */
static void label_escape(char *out, size_t cap, const char *s)
{
    size_t j = 0;
    for (; *s != '\0' && j + 3 < cap; s++) {
        if (*s == '\\' || *s == '"') {
            out[j++] = '\\';
            out[j++] = *s;
        } else if (*s == '\n') {
            out[j++] = '\\';
            out[j++] = 'n';
        } else {
            out[j++] = *s;
        }
    }
    out[j] = '\0';
}

/* Adler-32 (zlib) of the model file: identifies the exact model in metrics and diagnostics.
 * Not CRC-32: a model file ends with its own CRC-32, so the CRC-32 of every whole model file
 * is the same constant (the CRC residue). */
static int file_crc(const char *path, unsigned long *crc)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char buf[65536];
    size_t k;
    uLong c = adler32(0L, Z_NULL, 0);
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        c = adler32(c, buf, (uInt)k);
    int bad = ferror(f);
    fclose(f);
    *crc = c;
    return bad ? -1 : 0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void report_one(const char *what, float *v, size_t n)
{
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_float);
    size_t p99 = (size_t)((double)(n - 1) * 0.99);
    fprintf(stderr, "lln-ros2: %-11s us: p50 %.1f  p99 %.1f  max %.1f  (n=%zu)\n", what,
            (double)v[(n - 1) / 2], (double)v[p99], (double)v[n - 1], n);
}

static void latency_report(node_t *n)
{
    unsigned long long steps = atomic_load_explicit(&n->mx->steps, memory_order_relaxed);
    double span = (double)(n->last_step_mono - n->first_step_mono) * 1e-9;
    fprintf(stderr, "lln-ros2: %llu steps", steps);
    if (steps > 1 && span > 0)
        fprintf(stderr, " in %.3f s (%.0f steps/s)", span, (double)(steps - 1) / span);
    fputc('\n', stderr);
    report_one("step", n->lat.step, n->lat.n);
    report_one("overhead", n->lat.overhead, n->lat.n);
    report_one("dds write", n->lat.write, n->lat.n);
    report_one("end-to-end", n->lat.e2e, n->lat.n);
    unsigned long long published = 0, drops = 0;
    for (int o = 0; o < n->cfg.n_outputs; o++)
        published += atomic_load_explicit(&n->mx->published[o], memory_order_relaxed);
    for (int r = 0; r < DROP_COUNT; r++)
        drops += atomic_load_explicit(&n->mx->drops[r], memory_order_relaxed);
    fprintf(stderr, "lln-ros2: published %llu, dropped %llu, watchdog %llu\n", published, drops,
            (unsigned long long)atomic_load_explicit(&n->mx->watchdog, memory_order_relaxed));
}

int main(int argc, char **argv)
{
    const char *model_path = NULL, *cfg_path = NULL;
    int check = 0, report = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            cfg_path = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (strcmp(argv[i], "--latency-report") == 0) {
            report = 1;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
        } else if (argv[i][0] == '-' || model_path != NULL) {
            fprintf(stderr, "lln-ros2: unexpected argument '%s'\n%s", argv[i], USAGE);
            return 2;
        } else {
            model_path = argv[i];
        }
    }
    if (model_path == NULL || cfg_path == NULL) {
        fprintf(stderr, "lln-ros2: %s is required\n%s",
                model_path == NULL ? "MODEL" : "--config FILE", USAGE);
        return 2;
    }
    static node_t node;
    node_t *n = &node;
    pthread_mutex_init(&n->lock, NULL);
    n->quiet = quiet;
    n->cfg_path = cfg_path;
    char err[600];
    if (nc_load(cfg_path, &n->cfg, err, sizeof err) < 0) {
        fprintf(stderr, "lln-ros2: %s\n", err);
        return 2;
    }
    lln_error_t lerr;
    if (lln_model_load(model_path, &n->model, &lerr) != LLN_OK) {
        fprintf(stderr, "lln-ros2: %s\n", lerr.msg);
        return 2;
    }
    int I = lln_model_input_size(n->model), O = lln_model_output_size(n->model);
    if (nc_check_model(&n->cfg, cfg_path, I, O, err, sizeof err) < 0) {
        fprintf(stderr, "lln-ros2: %s (model %s)\n", err, model_path);
        lln_model_free(n->model);
        return 2;
    }
    unsigned long crc = 0;
    if (file_crc(model_path, &crc) < 0) {
        fprintf(stderr, "lln-ros2: %s: read error\n", model_path);
        lln_model_free(n->model);
        return 2;
    }
    const char *cell = lln_cell_name(lln_model_config(n->model)->cell);
    const char *mname = lln_model_get_meta(n->model, "name");
    snprintf(n->model_desc, sizeof n->model_desc, "%s %s %d->%d units %d adler32 %08lx",
             mname != NULL ? mname : "(unnamed)", cell, I, O, lln_model_state_size(n->model), crc);
    if (check) {
        printf("%s: ok: %d inputs -> model %s -> %d outputs\n", cfg_path, n->cfg.n_inputs,
               n->model_desc, n->cfg.n_outputs);
        lln_model_free(n->model);
        return 0;
    }
    static metrics_t mx;
    n->mx = &mx;
    mx.cfg = &n->cfg;
    {
        char p[512], nm[128];
        label_escape(p, sizeof p, model_path);
        label_escape(nm, sizeof nm, mname != NULL ? mname : "");
        snprintf(mx.model_labels, sizeof mx.model_labels,
                 "path=\"%s\",name=\"%s\",cell=\"%s\",inputs=\"%d\",outputs=\"%d\",units=\"%d\","
                 "adler32=\"%08lx\"",
                 p, nm, cell, I, O, lln_model_state_size(n->model), crc);
        mx.start_unix = (double)dds_time() * 1e-9;
    }
    int rc = 1;
    void *http = NULL;
    n->x = calloc((size_t)I, sizeof(float));
    n->y = calloc((size_t)O, sizeof(float));
    if (report) {
        n->lat.step = malloc(SAMPLES_MAX * sizeof(float));
        n->lat.overhead = malloc(SAMPLES_MAX * sizeof(float));
        n->lat.write = malloc(SAMPLES_MAX * sizeof(float));
        n->lat.e2e = malloc(SAMPLES_MAX * sizeof(float));
    }
    if (n->x == NULL || n->y == NULL ||
        (report && (n->lat.step == NULL || n->lat.overhead == NULL || n->lat.write == NULL ||
                    n->lat.e2e == NULL)) ||
        lln_state_create(n->model, LLN_F32, 1, &n->state) != LLN_OK) {
        fprintf(stderr, "lln-ros2: out of memory\n");
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (n->cfg.domain < 0) { /* not in the config: ROS_DOMAIN_ID, as ROS 2 does, else 0 */
        const char *d = getenv("ROS_DOMAIN_ID");
        char *end;
        long v = d != NULL && *d != '\0' ? strtol(d, &end, 10) : 0;
        if (d != NULL && *d != '\0' && (*end != '\0' || v < 0 || v > 232)) {
            fprintf(stderr,
                    "lln-ros2: environment variable ROS_DOMAIN_ID='%s' is not a domain "
                    "id 0..232\n",
                    d);
            rc = 2;
            goto done;
        }
        n->cfg.domain = (int)v;
    }
    if (getenv("CYCLONEDDS_URI") == NULL)
        logmsg(n, "warning: CYCLONEDDS_URI is not set: Cyclone DDS picks a network interface "
                  "itself");
    if (setup_dds(n) < 0)
        goto done;
    if (n->cfg.metrics[0] != '\0') {
        http = metrics_serve(&mx, n->cfg.metrics, err, sizeof err);
        if (http == NULL) {
            fprintf(stderr, "lln-ros2: %s\n", err);
            goto done;
        }
    }
    logmsg(n, "running model %s: %d inputs, %d outputs%s%s", n->model_desc, n->cfg.n_inputs,
           n->cfg.n_outputs, http != NULL ? ", metrics on http://" : "",
           http != NULL ? n->cfg.metrics : "");
    int64_t now = mono_ns();
    n->last_cmd_mono = n->last_diag_mono = now;
    int64_t last_poll = now;
    dds_attach_t trig[NC_MAX_PORTS + 2];
    while (!stop_signal) {
        /* 20 ms: the longest a watchdog, diagnostics or a stop request waits for a tick */
        dds_return_t k = dds_waitset_wait(n->waitset, trig, NC_MAX_PORTS + 2, DDS_MSECS(20));
        if (k < 0 && k != DDS_RETCODE_TIMEOUT) {
            fprintf(stderr, "lln-ros2: waitset: %s\n", dds_strretcode(-k));
            goto done;
        }
        for (int j = 0; j < k; j++) /* the reset first: it was acknowledged before inputs */
            if (trig[j] == (dds_attach_t)-1)
                drain_reset(n);
        for (int j = 0; j < k; j++)
            if (trig[j] != (dds_attach_t)-1 && trig[j] != (dds_attach_t)-2)
                drain_input(n, (int)trig[j]);
        now = mono_ns();
        if (now - last_poll >= 20000000) {
            last_poll = now;
            /* the lock only for the watchdog and a copy of its state: a stepping receive
             * thread must not wait while the diagnostics are written */
            pthread_mutex_lock(&n->lock);
            watchdog(n, now);
            int stale = n->stale;
            int64_t last_cmd = n->last_cmd_mono;
            char why[sizeof n->stale_why];
            memcpy(why, n->stale_why, sizeof why);
            pthread_mutex_unlock(&n->lock);
            poll_deadlines(n);
            if (n->cfg.diagnostics_period > 0 &&
                (double)(now - n->last_diag_mono) * 1e-9 >= n->cfg.diagnostics_period) {
                n->last_diag_mono = now;
                diagnostics(n, now, stale, why, last_cmd);
            }
        }
    }
    logmsg(n, "stopping on signal %d", (int)stop_signal);
    rc = 0;
done:
    metrics_stop(http);
    if (n->pp > 0)
        dds_delete(n->pp);
    if (n->domain > 0)
        dds_delete(n->domain);
    if (report && rc == 0)
        latency_report(n);
    free(n->lat.step);
    free(n->lat.overhead);
    free(n->lat.write);
    free(n->lat.e2e);
    lln_state_free(n->state);
    lln_model_free(n->model);
    free(n->x);
    free(n->y);
    return rc;
}
