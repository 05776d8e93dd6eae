/* Cyclone DDS alone, without lln-ros2: what one reliable write and its delivery to another
 * process cost on this machine, with the node's output QoS (reliable, KEEP_LAST 10 writer;
 * reliable KEEP_ALL reader, as the test listener). The floor the node's figures are read
 * against (docs/ROS2.md "Where the time goes"). Built from the upstream .msg types.
 *
 *   dds_ping recv COUNT [SECONDS]      takes COUNT Twists from rt/lln_ping and prints
 *                                      p50/p99/max of (take time - the sample's source stamp)
 *   dds_ping send COUNT RATE_HZ [K]    writes COUNT ticks at RATE_HZ, K Twists per tick (1-4,
 *                                      default 2: the node's Twist + array), and prints
 *                                      p50/p99/max of one dds_write call
 *   dds_ping relay COUNT               the node's DDS work without the node: takes COUNT Imu
 *                                      from rt/imu (as lln-ros2 with step_thread = node) and for
 *                                      each writes a Twist on rt/cmd_vel and a
 *                                      Float32MultiArray on rt/policy_out (reliable, depth
 *                                      20 000, as the soak's node config); prints the same
 *                                      p50/p99/max lines as lln-ros2 --latency-report
 *   dds_ping udp COUNT RATE_HZ         no DDS: a child process blocks in recv() on a loopback
 *                                      UDP socket, the parent sends it 2 datagrams of 64 bytes
 *                                      per tick and prints p50/p99/max of one sendto() call
 *                                      (the kernel's part of a DDS write)
 *
 * Both clocks are the same CLOCK_REALTIME (one machine), so take - source is the one-way
 * latency from the start of dds_write to the reader's take. Exit 0 when all COUNT (x K) samples
 * were written and acknowledged / received, 1 otherwise, 2 bad arguments. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dds/dds.h"
#include "upstream_msgs.h"
#include "wire_common.h"

static int cmp_f(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, float *v, long n)
{
    if (n <= 0)
        return;
    qsort(v, (size_t)n, sizeof *v, cmp_f);
    printf("dds_ping: %-9s us: p50 %.1f  p99 %.1f  max %.1f  (n=%ld)\n", what,
           (double)v[(n - 1) / 2], (double)v[(long)((double)(n - 1) * 0.99)], (double)v[n - 1], n);
}

static dds_entity_t endpoint(dds_entity_t pp, int writer)
{
    dds_entity_t t =
        dds_create_topic(pp, &geometry_msgs_msg_dds__Twist__desc, "rt/lln_ping", NULL, NULL);
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
    if (writer)
        dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
    else
        dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
    dds_entity_t e = t < 0    ? t
                     : writer ? dds_create_writer(pp, t, q, NULL)
                              : dds_create_reader(pp, t, q, NULL);
    dds_delete_qos(q);
    if (e < 0) {
        fprintf(stderr, "dds_ping: cannot create the %s: %s\n", writer ? "writer" : "reader",
                dds_strretcode(-e));
        exit(1);
    }
    return e;
}

static int do_recv(dds_entity_t pp, long count, double secs)
{
    dds_entity_t r = endpoint(pp, 0);
    float *lat = malloc((size_t)count * sizeof *lat);
    if (lat == NULL)
        return 1;
    dds_entity_t ws = dds_create_waitset(pp);
    dds_waitset_attach(ws, dds_create_readcondition(r, DDS_ANY_STATE), 0);
    printf("dds_ping: ready\n");
    (void)fflush(stdout);
    long n = 0;
    dds_time_t end = dds_time() + (dds_time_t)(secs * 1e9);
    while (n < count && dds_time() < end) {
        dds_waitset_wait(ws, NULL, 0, DDS_MSECS(50));
        void *buf[64] = {NULL};
        dds_sample_info_t si[64];
        int k;
        while ((k = dds_take(r, buf, si, 64, 64)) > 0) {
            dds_time_t now = dds_time();
            for (int i = 0; i < k; i++)
                if (si[i].valid_data && n < count)
                    lat[n++] = (float)(now - si[i].source_timestamp) * 1e-3f;
            dds_return_loan(r, buf, k);
            memset(buf, 0, sizeof buf);
        }
    }
    printf("dds_ping: received %ld of %ld\n", n, count);
    report("one-way", lat, n);
    free(lat);
    return n == count ? 0 : 1;
}

static int do_send(dds_entity_t pp, long count, double rate, int per_tick)
{
    dds_entity_t w = endpoint(pp, 1);
    dds_publication_matched_status_t st = {0};
    for (int i = 0; i < 1000 && st.current_count == 0; i++) {
        dds_get_publication_matched_status(w, &st);
        dds_sleepfor(DDS_MSECS(10));
    }
    if (st.current_count == 0) {
        fprintf(stderr, "dds_ping: no reader matched in 10 s\n");
        return 1;
    }
    dds_sleepfor(DDS_MSECS(200)); /* discovery settles on both sides */
    float *wt = malloc((size_t)count * (size_t)per_tick * sizeof *wt);
    if (wt == NULL)
        return 1;
    long period = (long)(1e9 / rate), n = 0, failed = 0;
    struct timespec next, a, b;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 0; i < count; i++) {
        for (int k = 0; k < per_tick; k++) {
            geometry_msgs_msg_dds__Twist_ m;
            memset(&m, 0, sizeof m);
            m.linear.x = (double)i;
            m.angular.z = (double)k;
            clock_gettime(CLOCK_MONOTONIC, &a);
            failed += dds_write(w, &m) != DDS_RETCODE_OK;
            clock_gettime(CLOCK_MONOTONIC, &b);
            wt[n++] = (float)((double)(b.tv_sec - a.tv_sec) * 1e6 +
                              (double)(b.tv_nsec - a.tv_nsec) * 1e-3);
        }
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    dds_return_t rc = dds_wait_for_acks(w, DDS_SECS(20));
    printf("dds_ping: wrote %ld, %ld failed, %s\n", n, failed,
           rc == DDS_RETCODE_OK ? "all acknowledged" : "NOT acknowledged");
    report("dds_write", wt, n);
    free(wt);
    return failed == 0 && rc == DDS_RETCODE_OK ? 0 : 1;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static dds_entity_t relay_endpoint(dds_entity_t pp, const dds_topic_descriptor_t *d,
                                   const char *name, int writer)
{
    dds_entity_t t = dds_create_topic(pp, d, name, NULL, NULL);
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 20000);
    dds_entity_t e = t < 0    ? t
                     : writer ? dds_create_writer(pp, t, q, NULL)
                              : dds_create_reader(pp, t, q, NULL);
    dds_delete_qos(q);
    if (e < 0) {
        fprintf(stderr, "dds_ping: cannot create an endpoint of %s: %s\n", name,
                dds_strretcode(-e));
        exit(1);
    }
    return e;
}

static int do_relay(dds_entity_t pp, long count)
{
    dds_entity_t r = relay_endpoint(pp, &sensor_msgs_msg_dds__Imu__desc, "rt/imu", 0);
    dds_entity_t wt = relay_endpoint(pp, &geometry_msgs_msg_dds__Twist__desc, "rt/cmd_vel", 1);
    dds_entity_t wa =
        relay_endpoint(pp, &std_msgs_msg_dds__Float32MultiArray__desc, "rt/policy_out", 1);
    float *over = malloc((size_t)count * sizeof *over), *wr = malloc((size_t)count * sizeof *wr);
    float *e2e = malloc((size_t)count * sizeof *e2e);
    if (over == NULL || wr == NULL || e2e == NULL) {
        fprintf(stderr, "dds_ping: out of memory\n");
        free(over);
        free(wr);
        free(e2e);
        return 1;
    }
    dds_set_status_mask(r, DDS_DATA_AVAILABLE_STATUS);
    dds_entity_t ws = dds_create_waitset(pp);
    dds_waitset_attach(ws, r, 0);
    printf("dds_ping: relay ready\n");
    (void)fflush(stdout);
    long n = 0;
    int64_t first = 0, last = 0, idle_until = mono_ns() + 120 * (int64_t)1000000000;
    while (n < count && mono_ns() < idle_until) {
        dds_waitset_wait(ws, NULL, 0, DDS_MSECS(20));
        void *buf[16] = {NULL};
        dds_sample_info_t si[16];
        int64_t t_start = mono_ns();
        int k;
        while ((k = dds_take(r, buf, si, 16, 16)) > 0) {
            for (int i = 0; i < k; i++) {
                if (!si[i].valid_data || n >= count)
                    continue;
                geometry_msgs_msg_dds__Twist_ tw;
                memset(&tw, 0, sizeof tw);
                tw.linear.x = 0.5;
                float v[2] = {0.25f, 0.75f};
                std_msgs_msg_dds__MultiArrayDimension_ dim = {(char *)"outputs", 2, 2};
                std_msgs_msg_dds__Float32MultiArray_ a;
                memset(&a, 0, sizeof a);
                a.layout.dim._length = a.layout.dim._maximum = 1;
                a.layout.dim._buffer = &dim;
                a.data._length = a.data._maximum = 2;
                a.data._buffer = v;
                int64_t w0 = mono_ns();
                int bad = dds_write(wt, &tw) != DDS_RETCODE_OK;
                bad |= dds_write(wa, &a) != DDS_RETCODE_OK;
                int64_t w1 = mono_ns();
                if (bad)
                    fprintf(stderr, "dds_ping: a relay write failed\n");
                over[n] = (float)(w1 - t_start) * 1e-3f;
                wr[n] = (float)(w1 - w0) * 1e-3f;
                e2e[n] = (float)(dds_time() - si[i].source_timestamp) * 1e-3f;
                if (n == 0)
                    first = w1;
                last = w1;
                n++;
                t_start = mono_ns();
            }
            dds_return_loan(r, buf, k);
            memset(buf, 0, sizeof buf);
        }
        if (n > 0)
            idle_until = last + 10 * (int64_t)1000000000; /* the talker has stopped */
    }
    printf("dds_ping: relayed %ld of %ld", n, count);
    if (n > 1 && last > first)
        printf(" in %.3f s (%.0f /s)", (double)(last - first) * 1e-9,
               (double)(n - 1) / ((double)(last - first) * 1e-9));
    printf("\n");
    report("relay", over, n);
    report("dds write", wr, n);
    report("end-to-end", e2e, n);
    dds_return_t rc = dds_wait_for_acks(wt, DDS_SECS(10));
    if (rc == DDS_RETCODE_OK)
        rc = dds_wait_for_acks(wa, DDS_SECS(10));
    free(over);
    free(wr);
    free(e2e);
    return n == count && rc == DDS_RETCODE_OK ? 0 : 1;
}

static int do_udp(long count, double rate)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(rx, (struct sockaddr *)&a, &alen) != 0) {
        perror("dds_ping: udp socket");
        return 1;
    }
    float *wt = malloc((size_t)count * 2 * sizeof *wt);
    if (wt == NULL) {
        fprintf(stderr, "dds_ping: out of memory\n");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("dds_ping: fork");
        free(wt);
        return 1;
    }
    if (child == 0) { /* the receiver: blocks in recv like a DDS receive thread */
        char b[64];
        for (long i = 0; i < 2 * count; i++)
            if (recv(rx, b, sizeof b, 0) < 0)
                _exit(1);
        _exit(0);
    }
    char msg[64] = {0};
    long period = (long)(1e9 / rate), n = 0, failed = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 0; i < count; i++) {
        for (int k = 0; k < 2; k++) {
            int64_t t0 = mono_ns();
            failed += sendto(tx, msg, sizeof msg, 0, (struct sockaddr *)&a, sizeof a) < 0;
            wt[n++] = (float)(mono_ns() - t0) * 1e-3f;
        }
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    int st = 0;
    waitpid(child, &st, 0);
    printf("dds_ping: udp sent %ld, %ld failed, receiver %s\n", n, failed,
           WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "got all" : "FAILED");
    report("sendto", wt, n);
    free(wt);
    close(rx);
    close(tx);
    return failed == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 ||
        (strcmp(argv[1], "recv") != 0 && strcmp(argv[1], "send") != 0 &&
         strcmp(argv[1], "relay") != 0 && strcmp(argv[1], "udp") != 0) ||
        ((strcmp(argv[1], "send") == 0 || strcmp(argv[1], "udp") == 0) && argc < 4)) {
        fprintf(stderr, "usage: dds_ping recv COUNT [SECONDS] | send COUNT RATE_HZ [K] | relay "
                        "COUNT | udp COUNT RATE_HZ\n");
        return 2;
    }
    long count = (long)arg_num(argv[2], "COUNT");
    double x = argc > 3 && strcmp(argv[1], "relay") != 0
                   ? arg_num(argv[3], strcmp(argv[1], "recv") == 0 ? "SECONDS" : "RATE_HZ")
                   : 60;
    int per_tick = argc > 4 ? (int)arg_num(argv[4], "K") : 2;
    if (count <= 0 || count > 10000000 || !(x > 0) || per_tick < 1 || per_tick > 4) {
        fprintf(stderr, "dds_ping: COUNT 1..1e7, SECONDS/RATE_HZ > 0 and K 1..4 please\n");
        return 2;
    }
    if (strcmp(argv[1], "udp") == 0)
        return do_udp(count, x);
    dds_entity_t pp = dds_create_participant(domain_from_env(), NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "dds_ping: participant: %s\n", dds_strretcode(-pp));
        return 1;
    }
    int rc = strcmp(argv[1], "relay") == 0 ? do_relay(pp, count)
             : argv[1][0] == 'r'           ? do_recv(pp, count, x)
                                           : do_send(pp, count, x, per_tick);
    dds_delete(pp);
    return rc;
}
