#!/bin/sh
# The main job on data the project generates itself: build an LTC with an AutoNCP(19, 4)
# wiring, stream an irregularly sampled 8-channel signal through it, describe it, export it as
# firmware for a Cortex-M4F and verify that firmware under QEMU; then quantize it to the
# fixed-point runtime, export that for a Cortex-M4 (no FPU) and verify it too.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
build=${1:-build}
lln="$build/lln"
out="$build/demo"
mkdir -p "$out"

echo "== 1. a liquid time-constant network: 8 inputs, AutoNCP(19 neurons, 4 motor) wiring"
"$lln" new --cell ltc --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 7 \
    --name demo-ltc-autoncp -o "$out/demo.lln"

echo "== 2. a generated signal: 400 rows, irregular sampling (dt in 0.05..0.15 s)"
awk 'BEGIN {
    srand(42); t = 0
    printf "dt"; for (c = 0; c < 8; c++) printf ",x%d", c; printf "\n"
    for (r = 0; r < 400; r++) {
        dt = 0.05 + 0.1 * rand(); t += dt
        printf "%.4f", dt
        for (c = 0; c < 8; c++) printf ",%.5f", sin(t * (1 + c * 0.37) + c) + 0.1 * (rand() - 0.5)
        printf "\n"
    }
}' >"$out/signal.csv"
echo "wrote $out/signal.csv"

echo "== 3. streaming it through the model (one output row per input row; first and last rows)"
"$lln" run "$out/demo.lln" --input "$out/signal.csv" --dt-column dt -o "$out/outputs.csv"
head -n 4 "$out/outputs.csv"
echo "..."
tail -n 2 "$out/outputs.csv"
echo "wrote $out/outputs.csv ($(($(wc -l <"$out/outputs.csv") - 1)) rows)"

echo "== 4. the model"
"$lln" info "$out/demo.lln"

echo "== 5. firmware for a Cortex-M4F: export, then verify under QEMU bit for bit against the host"
"$lln" export "$out/demo.lln" --target cortex-m4f --float --prefix demo --out "$out/firmware"
if command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1; then
    "$lln" verify "$out/demo.lln" --target cortex-m4f --input "$out/signal.csv"
else
    echo "SKIP: lln verify needs arm-none-eabi-gcc and qemu-system-arm: sh scripts/deps.sh sim (as root)"
fi

echo "== 6. fixed point: calibrate on the first 300 rows, report float vs fixed on the rest"
head -n 301 "$out/signal.csv" >"$out/calib.csv"
{ head -n 1 "$out/signal.csv"; tail -n +302 "$out/signal.csv"; } >"$out/valid.csv"
"$lln" quantize "$out/demo.lln" --calib "$out/calib.csv" --valid "$out/valid.csv" -o "$out/demo.q.lln"

echo "== 7. fixed-point firmware for a Cortex-M4 (no FPU): export, verify under QEMU"
"$lln" export "$out/demo.q.lln" --target cortex-m4 --prefix demo --out "$out/firmware-fixed"
if command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1; then
    "$lln" verify "$out/demo.q.lln" --target cortex-m4 --input "$out/valid.csv"
else
    echo "SKIP: lln verify needs arm-none-eabi-gcc and qemu-system-arm: sh scripts/deps.sh sim (as root)"
fi
