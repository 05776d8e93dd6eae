/* Test listener for lln-ros2, built from IDL generated from the upstream ROS 2 .msg files
 * (tests/ros2/msg2idl.py), independent of the node's code. Subscribes to rt/cmd_vel
 * (geometry_msgs/Twist), rt/joint_cmd (sensor_msgs/JointState, joints a and b, efforts),
 * rt/policy_out (std_msgs/Float32MultiArray) and rt/diagnostics
 * (diagnostic_msgs/DiagnosticArray), checks the type names the node's writers announce on the
 * wire, counts non-finite values and writes what it received.
 *
 *   listener SECONDS [EXPECT] [CSV]
 * Runs SECONDS, until SIGINT/SIGTERM, or until EXPECT Twist and EXPECT arrays arrived, EXPECT > 0), then prints
 *   listener: twist T array A diagnostics D nonfinite N mismatched M zero_twists Z
 * CSV: one row per step: the Twist's linear.x, angular.z (or the JointState's two efforts)
 * and the Float32MultiArray's two values of the same index. Exit 0 when nothing was non-finite, EXPECT (if given) was met and the Twist and
 * the array of the same step agree (they carry outputs 0-1 and 2-3 of one step: see run.sh). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/dds.h"
#include "upstream_msgs.h"
#include "wire_common.h"

#define MAXN 2000000

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { stop = sig; }

static dds_entity_t reader(dds_entity_t pp, const dds_topic_descriptor_t *d, const char *name)
{
    dds_entity_t t = dds_create_topic(pp, d, name, NULL, NULL);
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
    dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
    dds_entity_t r = dds_create_reader(pp, t, q, NULL);
    dds_delete_qos(q);
    if (t < 0 || r < 0) {
        fprintf(stderr, "listener: cannot create reader %s\n", name);
        exit(1);
    }
    return r;
}

/* 1 when every matched writer of r announces expect_type (0 writers: 1, nothing to check). */
static int check_types(dds_entity_t r, const char *expect_type, int *seen)
{
    dds_instance_handle_t h[8];
    int k = dds_get_matched_publications(r, h, 8), ok = 1;
    for (int i = 0; i < k; i++) {
        dds_builtintopic_endpoint_t *e = dds_get_matched_publication_data(r, h[i]);
        if (e == NULL)
            continue;
        if (strcmp(e->type_name, expect_type) != 0) {
            fprintf(stderr, "listener: writer of %s announces type %s, expected %s\n",
                    e->topic_name, e->type_name, expect_type);
            ok = 0;
        } else if (!*seen) {
            printf("listener: matched writer of %s type %s\n", e->topic_name, e->type_name);
            *seen = 1;
        }
        dds_builtintopic_free_endpoint(e);
    }
    return ok;
}

int main(int argc, char **argv)
{
    (void)signal(SIGINT, on_signal);
    (void)signal(SIGTERM, on_signal);
    double secs = argc > 1 ? arg_num(argv[1], "SECONDS") : 10;
    long expect = argc > 2 ? (long)arg_num(argv[2], "EXPECT") : 0;
    const char *csv = argc > 3 ? argv[3] : NULL;
    dds_entity_t pp = dds_create_participant(domain_from_env(), NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "listener: participant: %s\n", dds_strretcode(-pp));
        return 1;
    }
    dds_entity_t rt = reader(pp, &geometry_msgs_msg_dds__Twist__desc, "rt/cmd_vel");
    dds_entity_t ra = reader(pp, &std_msgs_msg_dds__Float32MultiArray__desc, "rt/policy_out");
    dds_entity_t rd = reader(pp, &diagnostic_msgs_msg_dds__DiagnosticArray__desc, "rt/diagnostics");
    dds_entity_t rj = reader(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/joint_cmd");
    float *tw = malloc((size_t)2 * MAXN * sizeof *tw), *ar = malloc((size_t)2 * MAXN * sizeof *ar);
    if (tw == NULL || ar == NULL) {
        fprintf(stderr, "listener: out of memory\n");
        free(tw);
        free(ar);
        return 1;
    }
    long nt = 0, na = 0, nd = 0, nj = 0, nonfinite = 0, zero = 0, badlen = 0;
    int types_ok = 1, seen_t = 0, seen_a = 0, seen_d = 0, seen_j = 0;
    dds_entity_t ws = dds_create_waitset(pp);
    dds_waitset_attach(ws, dds_create_readcondition(rt, DDS_ANY_STATE), 0);
    dds_waitset_attach(ws, dds_create_readcondition(ra, DDS_ANY_STATE), 1);
    dds_waitset_attach(ws, dds_create_readcondition(rd, DDS_ANY_STATE), 2);
    dds_waitset_attach(ws, dds_create_readcondition(rj, DDS_ANY_STATE), 3);
    printf("listener: ready\n");
    (void)fflush(stdout);
    dds_time_t end = dds_time() + (dds_time_t)(secs * 1e9);
    while (!stop && dds_time() < end && !(expect > 0 && nt + nj >= expect && na >= expect)) {
        dds_waitset_wait(ws, NULL, 0, DDS_MSECS(50));
        void *buf[64] = {NULL};
        dds_sample_info_t si[64];
        int k;
        while ((k = dds_take(rt, buf, si, 64, 64)) > 0) {
            for (int i = 0; i < k; i++) {
                const geometry_msgs_msg_dds__Twist_ *m = buf[i];
                if (!si[i].valid_data)
                    continue;
                double v[6] = {m->linear.x,  m->linear.y,  m->linear.z,
                               m->angular.x, m->angular.y, m->angular.z};
                for (int j = 0; j < 6; j++)
                    nonfinite += !isfinite(v[j]);
                zero += m->linear.x == 0 && m->angular.z == 0;
                if (nt < MAXN) {
                    tw[2 * nt] = (float)m->linear.x;
                    tw[2 * nt + 1] = (float)m->angular.z;
                }
                nt++;
            }
            dds_return_loan(rt, buf, k);
            memset(buf, 0, sizeof buf);
        }
        while ((k = dds_take(ra, buf, si, 64, 64)) > 0) {
            for (int i = 0; i < k; i++) {
                const std_msgs_msg_dds__Float32MultiArray_ *m = buf[i];
                if (!si[i].valid_data)
                    continue;
                for (uint32_t j = 0; j < m->data._length; j++)
                    nonfinite += !isfinite(m->data._buffer[j]);
                if (m->data._length != 2 || m->layout.dim._length != 1 ||
                    m->layout.dim._buffer[0].size != 2)
                    badlen++;
                else if (na < MAXN) {
                    ar[2 * na] = m->data._buffer[0];
                    ar[2 * na + 1] = m->data._buffer[1];
                }
                na++;
            }
            dds_return_loan(ra, buf, k);
            memset(buf, 0, sizeof buf);
        }
        while ((k = dds_take(rj, buf, si, 64, 64)) > 0) {
            for (int i = 0; i < k; i++) {
                const sensor_msgs_msg_dds__JointState_ *m = buf[i];
                if (!si[i].valid_data)
                    continue;
                for (uint32_t j = 0; j < m->effort._length; j++)
                    nonfinite += !isfinite(m->effort._buffer[j]);
                if (m->name._length != 2 || strcmp(m->name._buffer[0], "a") != 0 ||
                    strcmp(m->name._buffer[1], "b") != 0 || m->effort._length != 2 ||
                    m->position._length != 0 || m->velocity._length != 0)
                    badlen++;
                else if (nj < MAXN) {
                    tw[2 * nj] = (float)m->effort._buffer[0];
                    tw[2 * nj + 1] = (float)m->effort._buffer[1];
                }
                nj++;
            }
            dds_return_loan(rj, buf, k);
            memset(buf, 0, sizeof buf);
        }
        while ((k = dds_take(rd, buf, si, 64, 64)) > 0) {
            for (int i = 0; i < k; i++)
                nd += si[i].valid_data;
            dds_return_loan(rd, buf, k);
            memset(buf, 0, sizeof buf);
        }
        types_ok &= check_types(rt, "geometry_msgs::msg::dds_::Twist_", &seen_t);
        types_ok &= check_types(ra, "std_msgs::msg::dds_::Float32MultiArray_", &seen_a);
        types_ok &= check_types(rd, "diagnostic_msgs::msg::dds_::DiagnosticArray_", &seen_d);
        types_ok &= check_types(rj, "sensor_msgs::msg::dds_::JointState_", &seen_j);
    }
    if (csv != NULL) {
        FILE *f = fopen(csv, "w");
        if (f == NULL) {
            perror(csv);
            free(tw);
            free(ar);
            return 1;
        }
        long first = nt > 0 ? nt : nj; /* a test has Twist or JointState commands, not both */
        long rows = na < first ? na : first;
        if (rows > MAXN)
            rows = MAXN;
        fprintf(f, "linear_x,angular_z,out2,out3\n");
        for (long i = 0; i < rows; i++)
            fprintf(f, "%.9g,%.9g,%.9g,%.9g\n", tw[2 * i], tw[2 * i + 1], ar[2 * i], ar[2 * i + 1]);
        if (fclose(f) != 0) {
            free(tw);
            free(ar);
            return 1;
        }
    }
    printf("listener: twist %ld joints %ld array %ld diagnostics %ld nonfinite %ld badlen %ld "
           "zero_twists %ld types %s\n",
           nt, nj, na, nd, nonfinite, badlen, zero, types_ok ? "ok" : "WRONG");
    dds_delete(pp);
    free(tw);
    free(ar);
    int ok = nonfinite == 0 && badlen == 0 && types_ok &&
             (expect <= 0 || (nt + nj >= expect && na >= expect));
    return ok ? 0 : 1;
}
