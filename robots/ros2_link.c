/* The simulator's side of the loop over DDS (robots/ros2_link.h): sensors out, commands in,
 * in lockstep with the physics. ROS 2 wire names as lln-ros2 uses them (rt/TOPIC,
 * PKG::msg::dds_::NAME_); public lln API + Cyclone DDS only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/dds.h"
#include "ros2_link.h"
#include "ros2_msgs.h"

struct rb_ros2 {
    const rb_task_t *t;
    dds_entity_t pp, sensors, commands, reset, waitset;
    dds_time_t stamp; /* simulated time of the last reading, ns (DDS time base) */
    dds_duration_t reply;
    long episodes;
};

static dds_qos_t *reliable_qos(void)
{
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 100);
    return q;
}

static dds_entity_t endpoint(rb_ros2_t *l, const dds_topic_descriptor_t *d, const char *name,
                             int writer)
{
    dds_entity_t t = dds_create_topic(l->pp, d, name, NULL, NULL);
    if (t < 0)
        return t;
    dds_qos_t *q = reliable_qos();
    dds_entity_t e =
        writer ? dds_create_writer(l->pp, t, q, NULL) : dds_create_reader(l->pp, t, q, NULL);
    dds_delete_qos(q);
    return e;
}

/* Drops commands that arrived outside a step (e.g. a node's watchdog between episodes). */
static void drain_commands(rb_ros2_t *l)
{
    void *buf[16] = {NULL};
    dds_sample_info_t si[16];
    int k;
    while ((k = dds_take(l->commands, buf, si, 16, 16)) > 0) {
        dds_return_loan(l->commands, buf, k);
        memset(buf, 0, sizeof buf);
    }
}

static int ros2_reset(void *ctx)
{
    rb_ros2_t *l = ctx;
    drain_commands(l);
    /* a second of simulated time between episodes keeps every stamp after the last */
    l->stamp += DDS_SECS(1);
    std_msgs_msg_dds__Bool_ b = {true};
    if (dds_write_ts(l->reset, &b, l->stamp) != DDS_RETCODE_OK ||
        dds_wait_for_acks(l->reset, DDS_SECS(5)) != DDS_RETCODE_OK) {
        fprintf(stderr,
                "lln sim: --ros2: the node did not acknowledge the reset of episode %ld "
                "on /lln_sim/reset within 5 s\n",
                l->episodes);
        return 0;
    }
    l->episodes++;
    return 1;
}

static int ros2_act(void *ctx, rb_env_t *env, const double *obs, double dt, double *cmd, char *err,
                    size_t errlen)
{
    (void)env;
    rb_ros2_t *l = ctx;
    /* the episode's gaps are whole milliseconds: the node's Δt is exactly this reading's */
    l->stamp += (dds_time_t)llround(dt * 1e3) * DDS_MSECS(1);
    float x[RB_MAX_OBS];
    for (int i = 0; i < l->t->nobs; i++)
        x[i] = (float)obs[i];
    std_msgs_msg_dds__MultiArrayDimension_ dim = {(char *)"sensors", (uint32_t)l->t->nobs,
                                                  (uint32_t)l->t->nobs};
    std_msgs_msg_dds__Float32MultiArray_ m;
    memset(&m, 0, sizeof m);
    m.layout.dim._length = m.layout.dim._maximum = 1;
    m.layout.dim._buffer = &dim;
    m.data._length = m.data._maximum = (uint32_t)l->t->nobs;
    m.data._buffer = x;
    dds_return_t rc = dds_write_ts(l->sensors, &m, l->stamp);
    if (rc != DDS_RETCODE_OK) {
        snprintf(err, errlen, "ros2: writing the sensors failed: %s", dds_strretcode(-rc));
        return 0;
    }
    dds_time_t until = dds_time() + l->reply;
    for (;;) {
        void *buf[1] = {NULL};
        dds_sample_info_t si[1];
        int k = dds_take(l->commands, buf, si, 1, 1);
        if (k > 0) {
            const std_msgs_msg_dds__Float32MultiArray_ *c = buf[0];
            int ok = si[0].valid_data && c->data._length >= c->layout.data_offset &&
                     c->data._length - c->layout.data_offset == (uint32_t)l->t->nact;
            for (int a = 0; ok && a < l->t->nact; a++)
                cmd[a] = c->data._buffer[c->layout.data_offset + (uint32_t)a];
            uint32_t len = c->data._length;
            dds_return_loan(l->commands, buf, k);
            if (!si[0].valid_data)
                continue;
            if (!ok) {
                snprintf(err, errlen,
                         "ros2: a command on /lln_sim/commands has %u values; task %s takes %d",
                         (unsigned)len, l->t->name, l->t->nact);
                return 0;
            }
            return 1;
        }
        dds_time_t now = dds_time();
        if (now >= until) {
            snprintf(err, errlen,
                     "ros2: no command on /lln_sim/commands within %.1f s of the reading at "
                     "t=%.3f s (is lln-ros2 running with the task's config?)",
                     (double)l->reply * 1e-9, (double)(l->stamp % DDS_SECS(100000)) * 1e-9);
            return 0;
        }
        dds_waitset_wait(l->waitset, NULL, 0, until - now);
    }
}

void rb_ros2_close(rb_ros2_t *l)
{
    if (l == NULL)
        return;
    if (l->pp > 0)
        dds_delete(l->pp);
    free(l);
}

int rb_ros2_open(rb_ros2_t **out, const rb_task_t *t, double wait_s, double reply_s,
                 rb_controller_t *c, char *err, size_t errlen)
{
    *out = NULL;
    rb_ros2_t *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    l->t = t;
    l->reply = (dds_duration_t)(reply_s * 1e9);
    const char *d = getenv("ROS_DOMAIN_ID");
    char *end = NULL;
    long dom = d != NULL && *d != '\0' ? strtol(d, &end, 10) : 0;
    if (d != NULL && *d != '\0' && (*end != '\0' || dom < 0 || dom > 232)) {
        snprintf(err, errlen, "environment variable ROS_DOMAIN_ID='%s' is not a domain id 0..232",
                 d);
        free(l);
        return 0;
    }
    l->pp = dds_create_participant((dds_domainid_t)dom, NULL, NULL);
    if (l->pp < 0) {
        snprintf(err, errlen, "cannot join DDS domain %ld: %s", dom, dds_strretcode(-l->pp));
        free(l);
        return 0;
    }
    l->sensors = endpoint(l, &std_msgs_msg_dds__Float32MultiArray__desc, "rt/lln_sim/sensors", 1);
    l->commands = endpoint(l, &std_msgs_msg_dds__Float32MultiArray__desc, "rt/lln_sim/commands", 0);
    l->reset = endpoint(l, &std_msgs_msg_dds__Bool__desc, "rt/lln_sim/reset", 1);
    if (l->sensors < 0 || l->commands < 0 || l->reset < 0) {
        snprintf(err, errlen, "cannot create the DDS topics /lln_sim/sensors, commands, reset");
        rb_ros2_close(l);
        return 0;
    }
    l->waitset = dds_create_waitset(l->pp);
    dds_waitset_attach(l->waitset, dds_create_readcondition(l->commands, DDS_ANY_STATE), 0);
    /* simulated time starts now (in the DDS time base), so the node sees ordinary stamps */
    l->stamp = dds_time();
    dds_time_t until = dds_time() + (dds_time_t)(wait_s * 1e9);
    for (;;) {
        dds_publication_matched_status_t ps, rs;
        dds_subscription_matched_status_t cs;
        if (dds_get_publication_matched_status(l->sensors, &ps) == DDS_RETCODE_OK &&
            dds_get_publication_matched_status(l->reset, &rs) == DDS_RETCODE_OK &&
            dds_get_subscription_matched_status(l->commands, &cs) == DDS_RETCODE_OK &&
            ps.current_count > 0 && rs.current_count > 0 && cs.current_count > 0)
            break;
        if (dds_time() >= until) {
            snprintf(err, errlen,
                     "no node within %.0f s: one must subscribe to /lln_sim/sensors and "
                     "/lln_sim/reset and publish /lln_sim/commands (std_msgs/Float32MultiArray, "
                     "domain %ld)",
                     wait_s, dom);
            rb_ros2_close(l);
            return 0;
        }
        dds_sleepfor(DDS_MSECS(20));
    }
    dds_sleepfor(DDS_MSECS(200)); /* discovery settles on the node's side too */
    c->name = "ros2";
    c->ctx = l;
    c->reset = ros2_reset;
    c->act = ros2_act;
    *out = l;
    return 1;
}
