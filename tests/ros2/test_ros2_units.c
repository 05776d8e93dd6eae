/* Unit tests of lln-ros2's configuration parser and LaserScan binning (no DDS traffic). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "node_config.h"
#include "scan_bins.h"

static int failures = 0;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                     \
            printf(__VA_ARGS__); /* Flawfinder: ignore (literal formats) */ \
            printf("\n");                                                   \
            failures++;                                                     \
        }                                                                   \
    } while (0)

static const char *good = "# a node\n"
                          "[node]\n"
                          "step = trigger\n"
                          "trigger = imu\n"
                          "max_age = 0.2\n"
                          "metrics = 127.0.0.1:9464\n"
                          "[input scan]\n"
                          "topic = /scan\n"
                          "type = sensor_msgs/msg/LaserScan\n"
                          "bins = 8\n"
                          "[input imu]\n"
                          "topic = /imu\n"
                          "type = sensor_msgs/Imu   # short form\n"
                          "fields = angular_velocity.z, linear_acceleration.x\n"
                          "reliability = reliable\n"
                          "deadline = 0.05\n"
                          "[output cmd]\n"
                          "topic = /cmd_vel\n"
                          "type = geometry_msgs/msg/Twist\n"
                          "fields = linear.x angular.z\n"
                          "safe = 0 0\n"
                          "[output joints]\n"
                          "topic = /joint_cmd\n"
                          "type = sensor_msgs/msg/JointState\n"
                          "joints = a b\n"
                          "field = velocity\n"
                          "safe = 0 0.5\n";

/* Parses text with one line replaced (or appended when line is 0) and checks the message. */
static void expect_error(const char *text, const char *want)
{
    nc_config_t c;
    char err[600] = "";
    int rc = nc_parse(text, "node.conf", &c, err, sizeof err);
    CHECK(rc < 0, "accepted a bad config; wanted an error containing \"%s\"", want);
    CHECK(strstr(err, want) != NULL, "error \"%s\" does not contain \"%s\"", err, want);
}

static void test_config(void)
{
    nc_config_t c;
    char err[600] = "";
    int rc = nc_parse(good, "node.conf", &c, err, sizeof err);
    CHECK(rc == 0, "good config rejected: %s", err);
    if (rc == 0) {
        CHECK(c.n_inputs == 2 && c.n_outputs == 2, "ports %d %d", c.n_inputs, c.n_outputs);
        CHECK(c.trigger == 1, "trigger index %d", c.trigger);
        CHECK(c.step_thread == NC_THREAD_RECEIVE && c.write_batch == 0,
              "defaults: step_thread %d write_batch %d", (int)c.step_thread, c.write_batch);
        CHECK(c.input_width == 10 && c.output_width == 4, "widths %d %d", c.input_width,
              c.output_width);
        CHECK(c.inputs[1].first == 8 && c.inputs[1].field[0] == 6 && c.inputs[1].field[1] == 7,
              "imu mapping first %d fields %d %d", c.inputs[1].first, c.inputs[1].field[0],
              c.inputs[1].field[1]);
        CHECK(c.inputs[1].qos.reliability == NC_RELIABLE && c.inputs[1].qos.deadline == 0.05,
              "imu qos");
        CHECK(c.inputs[0].qos.reliability == NC_BEST_EFFORT && c.inputs[0].qos.depth == 5,
              "scan default qos (sensor data: best effort, depth 5)");
        CHECK(c.outputs[1].safe[1] == 0.5 && c.outputs[1].joint_field == NC_JOINT_VELOCITY,
              "joint output");
        CHECK(nc_check_model(&c, "node.conf", 10, 4, err, sizeof err) == 0, "%s", err);
        CHECK(nc_check_model(&c, "node.conf", 11, 4, err, sizeof err) < 0 &&
                  strstr(err, "give 10 values but the model takes 11") != NULL,
              "width mismatch: %s", err);
    }
    char bad[4096];
    /* unknown type: line 9 */
    snprintf(bad, sizeof bad, "%s", good);
    char *p = strstr(bad, "sensor_msgs/msg/LaserScan");
    memcpy(p, "sensor_msgs/msg/LaserScam", 25);
    expect_error(bad, "node.conf:9: key 'type': unknown message type 'sensor_msgs/msg/LaserScam'");
    expect_error("[node]\nfoo = 1\n", "node.conf:2: key 'foo': unknown key in [node]");
    expect_error("[node]\nmax_age = nan\n", "node.conf:2: key 'max_age': 'nan' is not a finite");
    expect_error("[node]\nmax_age = -1\n", "key 'max_age': -1 is out of range");
    expect_error("[node]\nstep = trigger\ntrigger = lidar\n[input imu]\ntopic = /imu\n"
                 "type = sensor_msgs/msg/Imu\nfields = angular_velocity.z\n[output o]\n"
                 "topic = /o\ntype = std_msgs/msg/Float32MultiArray\nsize = 1\nsafe = 0\n",
                 "node.conf:3: key 'trigger': no [input lidar] section");
    expect_error("[input imu]\ntopic = /imu\ntype = sensor_msgs/msg/Imu\nfields = spin\n",
                 "node.conf:4: key 'fields': 'spin' is not a field of sensor_msgs/msg/Imu");
    expect_error("[input imu]\ntopic = imu\n", "node.conf:2: key 'topic': 'imu' is not a ROS");
    expect_error("[input imu]\ntype = geometry_msgs/msg/Twist\n",
                 "node.conf:2: key 'type': geometry_msgs/msg/Twist cannot be an input");
    expect_error("[output o]\ntopic = /o\ntype = std_msgs/msg/Float32MultiArray\nsize = 2\n"
                 "safe = 0\n[input i]\n",
                 "node.conf:1: key 'safe': [output o] has 1 safe values for 2 outputs");
    expect_error("[output o]\ntopic = /o\ntype = std_msgs/msg/Float32MultiArray\nsize = 2\n"
                 "safe = 0 inf\n",
                 "node.conf:5: key 'safe': 'inf' is not a finite number");
    expect_error("[input i]\ntopic = /s\ntype = sensor_msgs/msg/LaserScan\n[output o]\n",
                 "node.conf:1: key 'bins': [input i] must say how many bins");
    char alt[2048];
    snprintf(alt, sizeof alt, "[node]\nstep_thread = node\nwrite_batch = on\n%s",
             strstr(good, "[input scan]"));
    CHECK(nc_parse(alt, "node.conf", &c, err, sizeof err) == 0 && c.step_thread == NC_THREAD_NODE &&
              c.write_batch == 1,
          "step_thread = node, write_batch = on: %s", err);
    expect_error("[node]\nstep_thread = dds\n",
                 "node.conf:2: key 'step_thread': 'dds' is not 'receive' or 'node'");
    expect_error("[node]\nwrite_batch = yes\n",
                 "node.conf:2: key 'write_batch': 'yes' is not 'on' or 'off'");
    expect_error("[nodes]\n", "node.conf:1: unknown section [nodes]");
    expect_error("[node]\njust text\n", "node.conf:2: expected 'key = value'");
    expect_error("", "no [input NAME] section");
}

static void test_scan(void)
{
    float out[8];
    size_t ignored = 0;
    /* 8 readings, 4 bins of 2: bin 0 = min(2, 3); bin 1: +inf -> range_max (5) and NaN
     * ignored; bin 2: -inf -> range_min (0.5) and 4; bin 3: 9 (> range_max, ignored) and 0.1
     * (< range_min, ignored) -> nothing usable -> range_max */
    const float r[8] = {2, 3, INFINITY, NAN, -INFINITY, 4, 9, 0.1f};
    CHECK(scan_bins(r, 8, 0.5f, 5.0f, 4, out, &ignored) == 0, "scan_bins failed");
    CHECK(out[0] == 2 && out[1] == 5 && out[2] == 0.5f && out[3] == 5,
          "bins %g %g %g %g, want 2 5 0.5 5", out[0], out[1], out[2], out[3]);
    CHECK(ignored == 3, "ignored %zu, want 3", ignored);
    /* fewer readings than bins: empty bins read range_max */
    const float r2[2] = {1, 2};
    CHECK(scan_bins(r2, 2, 0, 5, 4, out, NULL) == 0, "2 readings");
    CHECK(out[0] == 1 && out[1] == 5 && out[2] == 2 && out[3] == 5, "bins %g %g %g %g", out[0],
          out[1], out[2], out[3]);
    CHECK(scan_bins(r2, 0, 0, 5, 4, out, NULL) < 0, "empty scan accepted");
    CHECK(scan_bins(r2, 2, 5, 5, 4, out, NULL) < 0, "range_min == range_max accepted");
    CHECK(scan_bins(r2, 2, NAN, 5, 4, out, NULL) < 0, "NaN range_min accepted");
    CHECK(scan_bins(r2, 2, -1, 5, 4, out, NULL) < 0, "negative range_min accepted");
    /* 100 000 readings into 8 bins: every bin gets 12 500 */
    static float big[100000];
    for (int i = 0; i < 100000; i++) {
        int sector = i / 12500; /* 0..7: each sector's minimum is 1 + sector */
        big[i] = 1.0f + (float)(i % 12500) * 1e-4f + (float)sector;
    }
    CHECK(scan_bins(big, 100000, 0.1f, 20.0f, 8, out, NULL) == 0, "big scan");
    CHECK(out[0] == 1 && out[3] == 4, "big scan bins %g %g, want 1 4", out[0], out[3]);
}

int main(void)
{
    test_config();
    test_scan();
    if (failures == 0)
        printf("ros2 units: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
