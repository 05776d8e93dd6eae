/* Test talker for lln-ros2, built from IDL generated from the upstream ROS 2 .msg files
 * (tests/ros2/msg2idl.py), independent of the node's code. Publishes ROS 2 messages the way a
 * ROS 2 node on rmw_cyclonedds_cpp would (rt/ topics, PKG::msg::dds_::NAME_ types) and checks
 * the type name the matched reader announces on the wire.
 *
 *   talker imu COUNT RATE_HZ [CSV]   Imu on /imu (stamps exactly 1/RATE apart); CSV gets the
 *                                    values the node should feed the model and the dt column
 *   talker imuscan COUNT RATE_HZ RANGES  LaserScan on /scan then Imu on /imu, same stamp
 *   talker scan COUNT RANGES         LaserScan on /scan only (e.g. 100000 ranges)
 *   talker burst COUNT               Imu on /imu as fast as the writer takes them
 *   talker faults                    Imu: 3 good, 1 NaN, 1 stamp backwards, 1 inf, 3 good
 *   talker reset                     std_msgs/Bool true on /lln/reset
 *   talker joints COUNT RATE_HZ [CSV] JointState on /joint_states (joints wheel_r, arm,
 *                                    wheel_l); CSV: the velocities of wheel_l, wheel_r and dt
 * Writers are RELIABLE (a best-effort or reliable reader matches them) and offer a 50 ms
 * deadline. Exit 0 when every
 * message was written and acknowledged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dds/dds.h"
#include "upstream_msgs.h"
#include "wire_common.h"

static dds_entity_t pp;

static dds_entity_t writer(const dds_topic_descriptor_t *d, const char *name, int depth)
{
    dds_entity_t t = dds_create_topic(pp, d, name, NULL, NULL);
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, depth);
    /* offers a 50 ms deadline: matches readers requesting none or one of >= 50 ms */
    dds_qset_deadline(q, DDS_MSECS(50));
    dds_entity_t w = dds_create_writer(pp, t, q, NULL);
    dds_delete_qos(q);
    if (t < 0 || w < 0) {
        fprintf(stderr, "talker: cannot create writer %s\n", name);
        exit(1);
    }
    return w;
}

/* Waits until a reader matches w, then checks the type name it announced. */
static void await_match(dds_entity_t w, const char *expect_type)
{
    dds_time_t end = dds_time() + DDS_SECS(15);
    dds_publication_matched_status_t st;
    while (dds_get_publication_matched_status(w, &st) == 0 && st.current_count == 0) {
        if (dds_time() > end) {
            fprintf(stderr, "talker: no reader matched %s within 15 s\n", expect_type);
            exit(1);
        }
        dds_sleepfor(DDS_MSECS(10));
    }
    dds_instance_handle_t h[4];
    int k = dds_get_matched_subscriptions(w, h, 4);
    for (int i = 0; i < k; i++) {
        dds_builtintopic_endpoint_t *e = dds_get_matched_subscription_data(w, h[i]);
        if (e == NULL)
            continue;
        if (strcmp(e->type_name, expect_type) != 0) {
            fprintf(stderr, "talker: reader of %s announces type %s, expected %s\n", e->topic_name,
                    e->type_name, expect_type);
            exit(1);
        }
        printf("talker: matched reader of %s type %s\n", e->topic_name, e->type_name);
        dds_builtintopic_free_endpoint(e);
    }
}

static void to_time(int64_t ns, builtin_interfaces_msg_dds__Time_ *t)
{
    t->sec = (int32_t)(ns / 1000000000);
    t->nanosec = (uint32_t)(ns % 1000000000);
}

static void fill_imu(sensor_msgs_msg_dds__Imu_ *m, int i, int64_t stamp)
{
    memset(m, 0, sizeof *m);
    to_time(stamp, &m->header.stamp);
    m->header.frame_id = "imu_link";
    m->orientation.w = 1;
    m->angular_velocity.z = sin(0.05 * i);
    m->linear_acceleration.x = 0.5 * cos(0.031 * i);
    m->linear_acceleration.y = 9.81 - 0.01 * (i % 17);
}

static void fill_scan(sensor_msgs_msg_dds__LaserScan_ *m, float *r, int n, int i, int64_t stamp)
{
    memset(m, 0, sizeof *m);
    to_time(stamp, &m->header.stamp);
    m->header.frame_id = "laser";
    m->angle_min = -3.14159f;
    m->angle_max = 3.14159f;
    m->angle_increment = 6.28318f / (float)n;
    m->scan_time = 0.1f;
    m->range_min = 0.1f;
    m->range_max = 10.0f;
    for (int k = 0; k < n; k++) {
        /* REP 117 specials mixed in: +inf (nothing in range), -inf (too close), NaN */
        switch ((k + i) % 97) {
        case 0: r[k] = INFINITY; break;
        case 1: r[k] = -INFINITY; break;
        case 2: r[k] = NAN; break;
        case 3: r[k] = 50.0f; break; /* beyond range_max: invalid */
        default: r[k] = 1.0f + 0.5f * (float)sin(0.01 * k + 0.1 * i);
        }
    }
    m->ranges._length = m->ranges._maximum = (uint32_t)n;
    m->ranges._buffer = r;
}

static int64_t now_ns(void) { return (int64_t)dds_time(); }

static void pace(struct timespec *next, long period_ns)
{
    next->tv_nsec += period_ns;
    while (next->tv_nsec >= 1000000000) {
        next->tv_nsec -= 1000000000;
        next->tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static int finish(dds_entity_t w, int sent)
{
    dds_return_t rc = dds_wait_for_acks(w, DDS_SECS(20));
    printf("talker: sent %d%s\n", sent, rc == 0 ? ", all acknowledged" : ", NOT acknowledged");
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: talker imu|imuscan|scan|burst|faults|reset ...\n");
        return 2;
    }
    const char *kind = argv[1];
    int count = argc > 2 ? (int)arg_num(argv[2], "COUNT") : 0;
    pp = dds_create_participant(domain_from_env(), NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "talker: participant: %s\n", dds_strretcode(-pp));
        return 1;
    }
    int rc = 0;
    if (strcmp(kind, "imu") == 0 || strcmp(kind, "imuscan") == 0 || strcmp(kind, "burst") == 0) {
        int burst = strcmp(kind, "burst") == 0, with_scan = strcmp(kind, "imuscan") == 0;
        double rate = burst ? 1000.0 : (argc > 3 ? arg_num(argv[3], "RATE_HZ") : 100.0);
        int nranges = with_scan && argc > 4 ? (int)arg_num(argv[4], "RANGES") : 360;
        const char *csv = !with_scan && !burst && argc > 4 ? argv[4] : NULL;
        if (count <= 0 || rate <= 0 || nranges <= 0) {
            fprintf(stderr, "talker: bad COUNT, RATE or RANGES\n");
            return 2;
        }
        dds_entity_t wi = writer(&sensor_msgs_msg_dds__Imu__desc, "rt/imu", burst ? count : 1000);
        dds_entity_t ws =
            with_scan ? writer(&sensor_msgs_msg_dds__LaserScan__desc, "rt/scan", 100) : 0;
        await_match(wi, "sensor_msgs::msg::dds_::Imu_");
        if (ws)
            await_match(ws, "sensor_msgs::msg::dds_::LaserScan_");
        dds_sleepfor(DDS_MSECS(200)); /* let discovery settle on both sides */
        FILE *f = NULL;
        if (csv != NULL) {
            f = fopen(csv, "w");
            if (f == NULL) {
                perror(csv);
                return 1;
            }
            fprintf(f, "wz,ax,ay,dt\n");
        }
        float *r = with_scan ? malloc((size_t)nranges * sizeof *r) : NULL;
        long period = (long)(1e9 / rate);
        int64_t t0 = now_ns();
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (int i = 0; i < count; i++) {
            int64_t stamp = t0 + (int64_t)i * period;
            if (ws) {
                sensor_msgs_msg_dds__LaserScan_ s;
                fill_scan(&s, r, nranges, i, stamp);
                if (dds_write(ws, &s) != 0)
                    rc = 1;
                dds_sleepfor(DDS_USECS(500)); /* scan first: the Imu triggers the step */
            }
            sensor_msgs_msg_dds__Imu_ m;
            fill_imu(&m, i, stamp);
            if (dds_write(wi, &m) != 0)
                rc = 1;
            if (f != NULL) /* dt of the first step is the node's dt_initial (0.01 in the test) */
                fprintf(f, "%.17g,%.17g,%.17g,%.17g\n", (double)(float)m.angular_velocity.z,
                        (double)(float)m.linear_acceleration.x,
                        (double)(float)m.linear_acceleration.y,
                        i == 0 ? 0.01 : (double)period * 1e-9);
            if (!burst)
                pace(&next, period);
        }
        if (f != NULL && fclose(f) != 0)
            rc = 1;
        free(r);
        rc |= finish(wi, count);
    } else if (strcmp(kind, "scan") == 0) {
        int nranges = argc > 3 ? (int)arg_num(argv[3], "RANGES") : 100000;
        dds_entity_t ws = writer(&sensor_msgs_msg_dds__LaserScan__desc, "rt/scan", 10);
        await_match(ws, "sensor_msgs::msg::dds_::LaserScan_");
        float *r = malloc((size_t)nranges * sizeof *r);
        for (int i = 0; i < count; i++) {
            sensor_msgs_msg_dds__LaserScan_ s;
            fill_scan(&s, r, nranges, i, now_ns());
            if (dds_write(ws, &s) != 0)
                rc = 1;
            dds_sleepfor(DDS_MSECS(20));
        }
        free(r);
        rc |= finish(ws, count);
    } else if (strcmp(kind, "faults") == 0) {
        dds_entity_t wi = writer(&sensor_msgs_msg_dds__Imu__desc, "rt/imu", 100);
        await_match(wi, "sensor_msgs::msg::dds_::Imu_");
        dds_sleepfor(DDS_MSECS(200));
        int64_t t0 = now_ns();
        int sent = 0;
        for (int i = 0; i < 9; i++) {
            sensor_msgs_msg_dds__Imu_ m;
            int64_t stamp = t0 + (int64_t)i * 10000000;
            if (i == 4)
                stamp = t0; /* backwards: before the previous message */
            fill_imu(&m, i, stamp);
            if (i == 3)
                m.angular_velocity.z = NAN;
            if (i == 5)
                m.linear_acceleration.x = INFINITY;
            rc |= dds_write(wi, &m) != 0;
            sent++;
            dds_sleepfor(DDS_MSECS(10));
        }
        rc |= finish(wi, sent);
    } else if (strcmp(kind, "joints") == 0) {
        double rate = argc > 3 ? arg_num(argv[3], "RATE_HZ") : 100.0;
        const char *csv = argc > 4 ? argv[4] : NULL;
        if (count <= 0 || rate <= 0) {
            fprintf(stderr, "talker: bad COUNT or RATE\n");
            return 2;
        }
        dds_entity_t wj = writer(&sensor_msgs_msg_dds__JointState__desc, "rt/joint_states", 1000);
        await_match(wj, "sensor_msgs::msg::dds_::JointState_");
        dds_sleepfor(DDS_MSECS(200));
        FILE *f = csv != NULL ? fopen(csv, "w") : NULL;
        if (csv != NULL && f == NULL) {
            perror(csv);
            return 1;
        }
        if (f != NULL)
            fprintf(f, "wheel_l,wheel_r,dt\n");
        char *names[3] = {"wheel_r", "arm", "wheel_l"};
        long period = (long)(1e9 / rate);
        int64_t t0 = now_ns();
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (int i = 0; i < count; i++) {
            double pos[3] = {0.1 * i, 0.2, -0.1 * i};
            double vel[3] = {cos(0.07 * i), 0.5, sin(0.05 * i)};
            double eff[3] = {1, 2, 3};
            sensor_msgs_msg_dds__JointState_ m;
            memset(&m, 0, sizeof m);
            to_time(t0 + (int64_t)i * period, &m.header.stamp);
            m.header.frame_id = "base";
            m.name._length = m.name._maximum = 3;
            m.name._buffer = names;
            m.position._length = m.position._maximum = 3;
            m.position._buffer = pos;
            m.velocity._length = m.velocity._maximum = 3;
            m.velocity._buffer = vel;
            m.effort._length = m.effort._maximum = 3;
            m.effort._buffer = eff;
            if (dds_write(wj, &m) != 0)
                rc = 1;
            if (f != NULL)
                fprintf(f, "%.17g,%.17g,%.17g\n", (double)(float)vel[2], (double)(float)vel[0],
                        i == 0 ? 0.01 : (double)period * 1e-9);
            pace(&next, period);
        }
        if (f != NULL && fclose(f) != 0)
            rc = 1;
        rc |= finish(wj, count);
    } else if (strcmp(kind, "reset") == 0) {
        dds_entity_t wr = writer(&std_msgs_msg_dds__Bool__desc, "rt/lln/reset", 10);
        await_match(wr, "std_msgs::msg::dds_::Bool_");
        std_msgs_msg_dds__Bool_ b = {true};
        rc |= dds_write(wr, &b) != 0;
        rc |= finish(wr, 1);
    } else {
        fprintf(stderr, "talker: unknown kind '%s'\n", kind);
        rc = 2;
    }
    dds_delete(pp);
    return rc;
}
