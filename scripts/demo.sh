#!/bin/sh
# The main job on data the project generates itself: simulate a line-following robot's sensor
# log, train a liquid time-constant network with an AutoNCP(19, 2) wiring to imitate the expert
# controller (about half a minute on two cores), score it on held-out episodes, stream a test
# episode through it, describe it, export it as firmware for a Cortex-M4F and verify that
# firmware under QEMU; then quantize it to the fixed-point runtime (calibrated on the training
# episodes, scored float vs fixed on the test episodes), export that for a Cortex-M4 (no FPU),
# verify it too and print the summary table; then profile the fixed-point model's energy on two
# microcontrollers (STM32L4R5, nRF52840) at 100 steps/s and write an HTML report of the
# training curves and the profiles. Without the cross tools or QEMU the firmware and profile
# parts are skipped (loudly) and the report holds the training curves only.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
build=${1:-build}
lln="$build/lln"
out="$build/demo"
mkdir -p "$out"

echo "== 1. the built-in dataset: a differential-drive robot following a line (44 episodes)"
"$lln" data make line-follow --rows 60000 --seed 1 -o "$out/line-follow.csv"

echo "== 2. training a liquid time-constant network, AutoNCP(19 neurons, 2 motor), on it"
echo "   inputs: 5 line sensors, gyro, 2 wheel encoders, irregular dt; targets: the expert's"
echo "   wheel commands; episodes split 70/15/15 into train/valid/test"
quiet=""
[ -t 2 ] || quiet=--quiet # one progress line per epoch is too much for a log
# shellcheck disable=SC2086 # $quiet is empty or one flag
"$lln" train --data "$out/line-follow.csv" --sequence episode --dt-column dt --ignore t \
    --targets cmd_l,cmd_r --window 64 --stride 16 \
    --cell ltc --wiring autoncp --units 19 --seed 7 --name demo-ltc-line-follow \
    --lr 0.02 --lr-schedule cosine --epochs 150 --patience 30 $quiet \
    --history "$out/history.csv" -o "$out/demo.lln"

echo "== 3. the trained model on the test episodes (never seen in training)"
"$lln" eval "$out/demo.lln" --data "$out/line-follow.csv" --on test | tee "$out/eval.txt"
awk '/^normalized/ { printf "=> explains %.1f %% of the variance of the expert'"'"'s commands\n", 100 * (1 - $2) }
     /^rmse/ { printf "=> wheel-command error %.3f m/s (commands range -0.6..0.6 m/s)\n", $2 }' \
    "$out/eval.txt"
if [ -x "$build/lln_lf_baseline" ]; then
    echo "   for scale, least-squares fits of the commands scored on the rows they were fitted to"
    echo "   (all episodes; tools/lln_lf_baseline.c):"
    "$build/lln_lf_baseline" "$out/line-follow.csv" | grep -E 'now (linear|quadratic)' |
        grep -E 'rows (0|-8)\.\.now ' | sed 's/^/     /'
fi

echo "== 4. streaming one test episode through it (one output row per sensor row)"
# the columns the model reads (dt first), 200 rows of the last episode; dt 0 (unknown) -> 0.02
awk -F, 'NR == 1 { next } { last = $1 } END { print last }' "$out/line-follow.csv" >"$out/ep"
awk -F, -v ep="$(cat "$out/ep")" -v OFS=, '
    NR == 1 { print "dt,s0,s1,s2,s3,s4,gyro,enc_l,enc_r" > "'"$out/stream.csv"'"
              print "cmd_l,cmd_r" > "'"$out/expert.csv"'"; next }
    $1 == ep && n < 200 { n++; dt = $3 + 0 == 0 ? "0.020" : $3
        print dt, $4, $5, $6, $7, $8, $9, $10, $11 > "'"$out/stream.csv"'"
        print $12, $13 > "'"$out/expert.csv"'" }' "$out/line-follow.csv"
"$lln" run "$out/demo.lln" --input "$out/stream.csv" --dt-column dt -o "$out/outputs.csv"
echo "model y0,y1 | expert cmd_l,cmd_r (rows 100..104)"
paste -d' ' "$out/outputs.csv" "$out/expert.csv" | sed -n '101,105p'
echo "wrote $out/outputs.csv ($(($(wc -l <"$out/outputs.csv") - 1)) rows)"

echo "== 5. the model"
"$lln" info "$out/demo.lln"

echo "== 6. firmware for a Cortex-M4F: export, then verify under QEMU bit for bit against the host"
"$lln" export "$out/demo.lln" --target cortex-m4f --float --prefix demo --out "$out/firmware"
have_sim=0
if command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1; then
    have_sim=1
fi
skip() {
    echo "SKIP (loud): $1 needs arm-none-eabi-gcc and qemu-system-arm, missing here:" \
        "sh scripts/deps.sh sim (as root)" >&2
}
if [ "$have_sim" = 1 ]; then
    "$lln" verify "$out/demo.lln" --target cortex-m4f --input "$out/stream.csv"
else
    skip "lln verify"
fi

echo "== 7. fixed point: calibrate on the training episodes, score float vs fixed on the test ones"
"$lln" quantize "$out/demo.lln" --data "$out/line-follow.csv" -o "$out/demo.q.lln" | tee "$out/quant.txt"

echo "== 8. fixed-point firmware for a Cortex-M4 (no FPU): export, verify under QEMU"
"$lln" export "$out/demo.q.lln" --target cortex-m4 --prefix demo --out "$out/firmware-fixed"
if [ "$have_sim" = 1 ]; then
    "$lln" verify "$out/demo.q.lln" --target cortex-m4 --input "$out/stream.csv" | tee "$out/verify.txt"
    echo "== summary"
    awk '$1 == "test" && $2 == "mse" {
            printf "%-30s %-12s %-12s %s\n", "", "float32/64", "fixed point", "difference"
            d = $7; gsub(/[(]/, "", d)
            printf "%-30s %-12.6g %-12.6g %s\n", "test MSE (wheel commands)", $4, $6, d " %" }' \
        "$out/quant.txt"
    awk '/^  flash/ { f = $2 } /^  RAM/ { r = $(NF - 1) } /^  instructions/ { i = $2 }
         /^PASS|^FAIL/ { v = $1 }
         END { printf "%-30s flash %s B, RAM %s B, %s instructions/step, %s (bit-exact vs host)\n",
               "Cortex-M4 firmware (int8)", f, r, i, v }' "$out/verify.txt"
else
    skip "lln verify"
fi

echo "== 9. energy: the fixed-point model on two microcontrollers at 100 steps/s (lln profile)"
rm -f "$out/profile.json"
if [ "$have_sim" = 1 ]; then
    "$lln" profile "$out/demo.q.lln" --device stm32l4r5,nrf52840 --rate 100 --json \
        -o "$out/profile.json"
    "$lln" profile "$out/demo.q.lln" --device stm32l4r5,nrf52840 --rate 100 |
        tee "$out/profile.txt"
else
    skip "lln profile (instructions per step are counted under QEMU)"
fi

echo "== 9b. closed loop: the robot driven by the expert, the policy (float and int8) and the"
echo "   int8 firmware on Cortex-M4 under QEMU, in lockstep, on 5 held-out tracks (lln sim)"
if "$lln" sim --help >/dev/null 2>&1; then
    fwopt=""
    [ "$have_sim" = 1 ] && fwopt="--firmware cortex-m4"
    # shellcheck disable=SC2086 # $fwopt is empty or two words
    "$lln" sim line-follow --policy "$out/demo.q.lln" --episodes 5 --seed 1 -q $fwopt \
        --svg "$out/closed-loop.svg" --json "$out/closed-loop.json" | tee "$out/closed-loop.txt"
    [ "$have_sim" = 1 ] || skip "firmware in the loop"
else
    skip "lln sim"
fi

echo "== 10. the HTML report: training curves$([ -s "$out/profile.json" ] && echo ", energy and memory per device")"
reports="$out/history.csv"
[ -s "$out/profile.json" ] && reports="$reports $out/profile.json"
# shellcheck disable=SC2086 # $reports is a list of paths without spaces (the build folder)
"$lln" report $reports --title "liquid-edge demo: LTC AutoNCP(19,2) line follower" \
    -o "$out/report.html"
echo "report: $(cd "$(dirname "$out/report.html")" && pwd)/report.html"
