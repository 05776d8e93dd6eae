#!/bin/bash
# make sim-bench: how fast lln sim runs closed loop, as simulated time / wall-clock time
# (x real time), for a 19-neuron LTC (AutoNCP wiring) driving the MuJoCo reacher: the
# expert, the float32 and int8 host runtimes, and the int8 firmware on Cortex-M4 and the
# float32 firmware on Cortex-M4F under QEMU in lockstep (needs arm-none-eabi-gcc and
# qemu-system-arm; skipped loudly otherwise).
# A benchmark, not a test: the figures depend on the machine and its load.
#   scripts/sim_bench.sh [BUILD_DIR] [EPISODES] [FW_EPISODES]
set -euo pipefail
build=${1:-build}
episodes=${2:-50}
fw_episodes=${3:-5}
lln="$build/lln"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$lln" new --cell ltc --wiring autoncp --units 19 --outputs 2 --inputs 6 --seed 1 \
    -o "$tmp/ltc19.lln" >/dev/null
"$lln" data make reacher --rows 3000 --seed 1 -o "$tmp/re.csv" 2>/dev/null
awk -F, 'NR == 1 { print "q1,q2,qd1,qd2,tx,ty,dt"; next }
    { print $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $3 }' "$tmp/re.csv" >"$tmp/calib.csv"
"$lln" quantize "$tmp/ltc19.lln" --calib "$tmp/calib.csv" -o "$tmp/ltc19.q.lln" >/dev/null
echo "== host: $episodes reacher episodes of 3 s per controller (19-neuron LTC policy)"
"$lln" sim reacher --policy "$tmp/ltc19.q.lln" --episodes "$episodes" -q
if command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1; then
    echo "== firmware in the loop: int8 on Cortex-M4 under QEMU, $fw_episodes episodes"
    "$lln" sim reacher --policy "$tmp/ltc19.q.lln" --episodes "$fw_episodes" -q --no-expert \
        --firmware cortex-m4
    echo "== firmware in the loop: float32 on Cortex-M4F under QEMU, $fw_episodes episodes"
    "$lln" sim reacher --policy "$tmp/ltc19.lln" --episodes "$fw_episodes" -q --no-expert \
        --firmware cortex-m4f
else
    echo "SKIPPED (loud): firmware in the loop needs arm-none-eabi-gcc and qemu-system-arm" >&2
fi
echo "(x_rt_wall: simulated / wall-clock time, depends on the load; x_rt_cpu: simulated / CPU time of lln and QEMU; load average now: $(cut -d" " -f1-3 /proc/loadavg))"
