#!/bin/bash
# Robots in the loop: a short closed-loop check of every robot task (the expert succeeds in
# >= 95 % of 20 held-out episodes of each; the same seed gives the same traces, SVG and JSON;
# bad models and MJCF files fail clearly) and the firmware-in-the-loop check: an int8 policy
# exported for Cortex-M4 runs under QEMU in lockstep with the physics and issues bit for bit
# the commands of the host fixed-point run, and the float32 firmware on Cortex-M4F those of
# the host float32 firmware runtime (tests/cli_sim.sh); then the timing study's short run
# (tests/robots_timing.sh: seconds). Budget: 4 minutes.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin robots
if [ ! -e /usr/include/mujoco/mujoco.h ]; then
    echo "missing MuJoCo: install Debian package 'libmujoco-dev' (scripts/deps.sh ci does it)"
    ci_end FAIL "missing libmujoco-dev"
fi
ci_need arm-none-eabi-gcc gcc-arm-none-eabi
ci_need qemu-system-arm qemu-system-arm
b="$CI_OUT/build-robots"
ci_run robots-configure cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=Release -DLLN_SHARED_DIR="$CI_SHARED" ||
    ci_end FAIL "configure failed"
ci_run robots-build cmake --build "$b" -j "$CI_JOBS" --target lln lln_set_tensor ||
    ci_end FAIL "build failed"
grep -q "MuJoCo found" "$CI_OUT/logs/robots-configure.log" || ci_end FAIL "CMake did not find MuJoCo"
t0=$(date +%s)
if ! ci_run robots-sim bash tests/cli_sim.sh "$b/lln"; then
    tail -n 20 "$CI_OUT/logs/robots-sim.log"
    ci_end FAIL "tests/cli_sim.sh failed"
fi
# the timing study's short run (one task, one cell, one seed; seconds): tests/robots_timing.sh
t1=$(date +%s)
if ! ci_run robots-timing bash tests/robots_timing.sh "$b"; then
    tail -n 20 "$CI_OUT/logs/robots-timing.log"
    ci_end FAIL "tests/robots_timing.sh failed (the timing study's short run)"
fi
ci_metric robots_timing_seconds $(($(date +%s) - t1))
ci_metric robots_seconds $(($(date +%s) - t0))
ci_end PASS "4 tasks closed loop, experts >= 95 %, reproducible, int8 firmware (cortex-m4) and float32 firmware (cortex-m4f) in the loop bit-exact; timing study short run (resumable, report input)"
