#!/bin/bash
# ROS 2 node (lln-ros2) over Cyclone DDS on loopback: configuration faults, wire content
# against a talker/listener built from the upstream .msg files, faults (NaN/inf, backwards
# stamps, publisher killed and restarted, 100 000-range LaserScan, 10 000-message burst,
# SIGTERM), lln sim cartpole --ros2 against the node (episodes equal the in-process run), then
# a 30-second 1 kHz soak (reliable QoS, zero lost outputs) while a real
# Prometheus server scrapes the node's /metrics (tests/ros2/run.sh ci). Budget: 3 minutes.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin ros2
ci_need idlc cyclonedds-tools
ci_need prometheus prometheus
ci_need curl curl
[ -f /usr/include/dds/dds.h ] || ci_end FAIL "missing cyclonedds-dev"
[ -f /usr/include/microhttpd.h ] || ci_end FAIL "missing libmicrohttpd-dev"
b="$CI_OUT/build-ros2"
ci_run ros2-configure cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=Release -DLLN_SHARED_DIR="$CI_SHARED" ||
    ci_end FAIL "configure failed"
ci_run ros2-build cmake --build "$b" -j "$CI_JOBS" --target lln lln_ros2 test_ros2_units \
    ros2_test_talker ros2_test_listener ros2_test_overflow_model ros2_test_dds_ping ||
    ci_end FAIL "build failed"
"$b/test_ros2_units" || ci_end FAIL "unit tests failed"
log="$CI_OUT/logs/ros2-run.log"
bash tests/ros2/run.sh "$b" ci 30 >"$log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP)|steps|us:|burst|prometheus' "$log"
passed=$(grep -c '^PASS' "$log")
ci_metric ros2_checks_passed "$passed"
p99=$(awk '/node: lln-ros2: step .*us:/ { v = $8 } END { print v + 0 }' "$log")
ci_metric ros2_soak_step_p99_us "$p99"
[ $rc -eq 77 ] && ci_end SKIP "ros2 tests skipped: $(grep SKIPPED "$log")"
[ $rc -eq 0 ] && ci_end PASS "$passed checks; 30 s 1 kHz soak, zero lost; Prometheus scrape ok"
ci_end FAIL "$(grep -c '^FAIL' "$log") of $((passed + $(grep -c '^FAIL' "$log"))) checks failed (log: $log)"
