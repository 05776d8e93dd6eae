#!/bin/bash
# lln sim and lln data make TASK (robots/): every task's expert succeeds in at least 95 % of 20
# held-out episodes; the same seed gives the same traces, SVG and JSON byte for byte (and
# another seed other ones); demonstrations are written in the CSV conventions and are
# reproducible; bad input fails clearly: an unknown task, a model whose input or output
# count does not fit the task, a missing, malformed or unfitting MJCF file; a policy that
# outputs infinity is a counted controller failure; the int8 firmware on Cortex-M4 under QEMU
# issues bit for bit the commands of the host fixed-point run in closed loop, and the float32
# firmware on Cortex-M4F those of the host float32 firmware runtime (skipped loudly without
# the cross compiler or QEMU).
# Usage: cli_sim.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_sim
set_tensor=$(dirname "$lln")/lln_set_tensor

if ! "$lln" sim --help | grep -q cartpole; then
    fail "lln sim --help does not list the tasks"
fi
if "$lln" sim cartpole --episodes 1 -q 2>&1 | grep -q "built without it"; then
    skip_loud "lln was built without MuJoCo (apt-get install libmujoco-dev); line-follow only"
fi

# ---- experts succeed; metrics are sane -------------------------------------------------------
for task in line-follow cartpole reacher avoid; do
    expect_exit 0 "$task: 20 expert episodes" "$lln" sim "$task" --episodes 20 --seed 3 -q \
        --json "$tmp/$task.json"
    rate=$(awk -F: '/"success_rate"/ { gsub(/[,[:space:]]/, "", $2); print $2; exit }' "$tmp/$task.json")
    checks=$((checks + 1))
    awk -v r="${rate:-0}" 'BEGIN { exit !(r >= 0.95) }' ||
        fail "$task: expert success rate ${rate:-missing} < 0.95"
done

# ---- the same seed, the same bytes ------------------------------------------------------------
for task in line-follow cartpole reacher avoid; do
    for run in a b; do
        "$lln" sim "$task" --episodes 2 --seed 11 -q --trace "$tmp/tr-$task-$run" \
            --svg "$tmp/$task-$run.svg" --json "$tmp/$task-$run.json" >/dev/null 2>&1 ||
            fail "$task: sim run $run"
    done
    checks=$((checks + 1))
    diff -r "$tmp/tr-$task-a" "$tmp/tr-$task-b" >/dev/null || fail "$task: traces differ for one seed"
    cmp -s "$tmp/$task-a.svg" "$tmp/$task-b.svg" || fail "$task: SVG differs for one seed"
    cmp -s "$tmp/$task-a.json" "$tmp/$task-b.json" || fail "$task: JSON differs for one seed"
    [ "$(find "$tmp/tr-$task-a" -name '*.csv' | wc -l)" = 2 ] || fail "$task: expected 2 trace files"
    grep -q '<svg' "$tmp/$task-a.svg" || fail "$task: no SVG written"
done
"$lln" sim cartpole --episodes 2 --seed 12 -q --trace "$tmp/tr-other" >/dev/null 2>&1
checks=$((checks + 1))
cmp -s "$tmp/tr-other/cartpole-expert-0000.csv" "$tmp/tr-cartpole-a/cartpole-expert-0000.csv" &&
    fail "cartpole: seeds 11 and 12 gave the same episode"

# ---- demonstrations -----------------------------------------------------------------------
for task in cartpole reacher avoid; do
    expect 0 "wrote .*rows" -- "$lln" data make "$task" --rows 300 --seed 4 -o "$tmp/$task-1.csv"
    "$lln" data make "$task" --rows 300 --seed 4 -o "$tmp/$task-2.csv" 2>/dev/null
    checks=$((checks + 1))
    cmp -s "$tmp/$task-1.csv" "$tmp/$task-2.csv" || fail "$task: data make is not reproducible"
    [ "$(wc -l <"$tmp/$task-1.csv")" = 301 ] || fail "$task: expected a header and 300 rows"
done
head -1 "$tmp/avoid-1.csv" | grep -qx 'episode,t,dt,r0,r1,r2,r3,r4,goal_x,goal_y,v,w' ||
    fail "avoid: header is $(head -1 "$tmp/avoid-1.csv")"
# a held-out sim episode is not a demonstration: sim episode 0 differs from data episode 0
"$lln" sim reacher --episodes 1 --seed 4 -q --trace "$tmp/tr-held" >/dev/null 2>&1
checks=$((checks + 1))
[ "$(sed -n 2p "$tmp/tr-held/reacher-expert-0000.csv" | cut -d, -f2-9)" != \
    "$(sed -n 2p "$tmp/reacher-1.csv" | cut -d, -f2-9)" ] || fail "sim reused a demonstration episode"

# ---- bad input ------------------------------------------------------------------------------
expect 2 "unknown task 'walker'" -- "$lln" sim walker
expect 2 "unknown dataset 'walker'" -- "$lln" data make walker -o "$tmp/w.csv"
"$lln" new --cell ltc --units 6 --inputs 3 --seed 1 -o "$tmp/i3.lln" >/dev/null 2>&1 ||
    fail "lln new"
expect 1 "has 3 inputs and 6 outputs; task cartpole needs 4 inputs" -- \
    "$lln" sim cartpole --policy "$tmp/i3.lln" --episodes 1
expect 1 "nope.xml: cannot open" -- "$lln" sim cartpole --mjcf "$tmp/nope.xml" --episodes 1
printf '<mujoco><worldbody><body>\n' >"$tmp/bad.xml"
expect 1 "bad.xml: not a valid MJCF model" -- "$lln" sim cartpole --mjcf "$tmp/bad.xml" --episodes 1
printf '<mujoco><worldbody><body><joint type="slide"/><geom size="0.1"/></body></worldbody></mujoco>\n' \
    >"$tmp/few.xml"
expect 1 "has 0 sensor values and 0 actuators; the task needs 4 and 1" -- \
    "$lln" sim cartpole --mjcf "$tmp/few.xml" --episodes 1
expect 1 "line-follow has no MJCF model" -- "$lln" sim line-follow --mjcf "$tmp/few.xml"
expect 2 "needs --policy" -- "$lln" sim reacher --firmware cortex-m4
expect 2 "not a target with the lockstep UART" -- "$lln" sim reacher --firmware rv32imc \
    --policy "$tmp/i3.lln"

# a policy whose output overflows float32: every episode a counted controller failure
"$lln" new --cell ltc --wiring autoncp --units 19 --outputs 1 --inputs 4 --seed 3 \
    -o "$tmp/cp.lln" >/dev/null 2>&1 || fail "lln new (cart-pole sized)"
if [ -x "$set_tensor" ]; then
    if ! "$set_tensor" "$tmp/cp.lln" norm.output_std 1e30 "$tmp/big1.lln" ||
        ! "$set_tensor" "$tmp/big1.lln" rnn_cell.output_w 1e30 "$tmp/inf.lln"; then
        fail "lln_set_tensor"
    fi
    expect 0 "output 0 \(push\) is not finite" -- "$lln" sim cartpole --policy "$tmp/inf.lln" \
        --episodes 3 --no-expert -q --json "$tmp/inf.json"
    checks=$((checks + 1))
    grep -q '"controller_failures":[[:space:]]*3' "$tmp/inf.json" ||
        fail "the 3 non-finite episodes are not counted: $(cat "$tmp/inf.json")"
else
    fail "tools/lln_set_tensor was not built next to lln"
fi

# ---- firmware in the loop: int8 on Cortex-M4 == host fixed point, bit for bit --------------
"$lln" new --cell ltc --wiring autoncp --units 19 --outputs 2 --inputs 6 --seed 5 \
    -o "$tmp/re.lln" >/dev/null 2>&1 || fail "lln new (reacher sized)"
"$lln" data make reacher --rows 2000 --seed 9 -o "$tmp/re.csv" 2>/dev/null
awk -F, 'NR == 1 { print "q1,q2,qd1,qd2,tx,ty,dt"; next }
    { print $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $3 }' "$tmp/re.csv" >"$tmp/calib.csv"
"$lln" quantize "$tmp/re.lln" --calib "$tmp/calib.csv" -o "$tmp/re.q.lln" >/dev/null 2>&1 ||
    fail "lln quantize (reacher sized)"
if ! have arm-none-eabi-gcc qemu-system-arm; then
    skip_loud "firmware in the loop: arm-none-eabi-gcc or qemu-system-arm missing (lln doctor)"
fi
expect 0 "firmware in the loop \(cortex-m4, fixed point\): [1-9][0-9]* steps, 0 with commands that differ" -- \
    "$lln" sim reacher --policy "$tmp/re.q.lln" --episodes 3 --seed 2 --firmware cortex-m4 \
    --no-expert -q --json "$tmp/fw.json"
# the firmware's episodes are the host fixed-point ones: same metrics line for line
checks=$((checks + 1))
awk '/"controller":[[:space:]]*"int-host"/ { h = 1 } /"controller":[[:space:]]*"int-firmware"/ { h = 2 }
    h && /"(successes|tracking_error|effort)"/ { v[h] = v[h] $0 } END { exit !(v[1] == v[2]) }' \
    "$tmp/fw.json" || fail "firmware and host fixed point episodes differ: $(cat "$tmp/fw.json")"

# ---- float32 firmware on Cortex-M4F == host float32 firmware runtime, bit for bit ----------
# the unquantized model: the float32 export (lln export --float) built with the hardware FPU;
# every command's float bits must equal those of lln_fw_* (lln verify's reference)
expect 0 "firmware in the loop \(cortex-m4f, float32\): [1-9][0-9]* steps, 0 with commands that differ from the host float32 firmware runtime" -- \
    "$lln" sim reacher --policy "$tmp/re.lln" --episodes 2 --seed 2 --firmware cortex-m4f \
    --no-expert -q --json "$tmp/fw32.json"
checks=$((checks + 1))
if ! grep -q '"controller":[[:space:]]*"float-firmware"' "$tmp/fw32.json" ||
    ! grep -q '"firmware_mismatches":[[:space:]]*0' "$tmp/fw32.json"; then
    fail "float32 firmware in the loop: JSON lacks the float-firmware run: $(cat "$tmp/fw32.json")"
fi

cli_end
