#!/bin/bash
# The dense CfC step for DSP cores (LLN_RTQ_DSPEC, runtime/lln_rtq_spec.h; written by
# src/deploy/export_q_dspec.c) on shapes the reference model of docs/HARDWARE.md does not have:
# 6 inputs and 14 units (activation groups that end in a short pass on the DSP path and a short
# chunk on Helium), a 28-unit tanh backbone (seven blocks), no_gate mode. `lln verify` on
# cortex-m4 (SMLAD blocks) and cortex-m55 (Helium blocks) must pass bit for bit against the host
# and must have run the specialised step (lln_dstep in the image); the same sources rebuilt with
# -DLLN_RTQ_DSPEC=0 (the generic step) must print the same outputs. A model the step does not
# take (relu backbone) must export without it and still verify. Skipped (loudly, exit 77) when
# the Arm toolchain or QEMU is absent.
# Usage: cli_dspec.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_dspec
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm

awk 'BEGIN { print "dt,a,b,c,d,e,f"; for (t = 0; t < 120; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5, cos(0.2 * t), 3 * sin(0.11 * t) }' >"$tmp/calib6.csv"
"$lln" new --cell cfc --inputs 6 --units 14 --backbone-units 28 --mode no_gate --activation tanh \
    --seed 4 -o "$tmp/d.lln" >/dev/null || fail "new d"
"$lln" new --cell cfc --inputs 6 --units 8 --backbone-units 16 --activation relu --seed 4 \
    -o "$tmp/r.lln" >/dev/null || fail "new r"
for m in d r; do
    "$lln" quantize "$tmp/$m.lln" --calib "$tmp/calib6.csv" -o "$tmp/$m.q.lln" >/dev/null ||
        fail "quantize $m"
done

for t in cortex-m4 cortex-m55; do
    k=$tmp/keep-$t
    out=$("$lln" verify "$tmp/d.q.lln" --target "$t" --keep "$k" 2>&1) || {
        fail "verify on $t: $out"
        continue
    }
    checks=$((checks + 1))
    arm-none-eabi-nm "$k/fw.elf" | grep -qE ' lln_dstep$' ||
        fail "$t: the image does not contain the dense CfC step (lln_dstep)"
    if ! bash "$k/sim/build.sh" "$t" "$k/gen.elf" "$k/fw/verify_main.c" "$k/fw/lln_rtq.c" \
        "$k/fw/lln_model.c" "$k/sim/lln_prof.c" "$k/fw/lln_fx.c" -- -I"$k/sim" -ffp-contract=off \
        -DLLN_RTQ_DSPEC=0 >"$tmp/build.log" 2>&1; then
        fail "$t: the generic build does not build: $(tail -n 5 "$tmp/build.log")"
        continue
    fi
    arm-none-eabi-nm "$k/gen.elf" | grep -qE ' lln_dstep$' &&
        fail "$t: -DLLN_RTQ_DSPEC=0 still links the dense CfC step"
    bash "$k/sim/run.sh" "$t" "$k/gen.elf" >"$k/gen.out" 2>"$k/gen.err" ||
        fail "$t: the generic build failed to run: $(head -n 3 "$k/gen.err")"
    [ -s "$k/run.out" ] || fail "$t: the verified run left no output"
    cmp -s "$k/run.out" "$k/gen.out" ||
        fail "$t: the generic build's outputs differ from the dense CfC step's"
    echo "$t: dense CfC step bit-exact with the host and with -DLLN_RTQ_DSPEC=0 ($(sed -nE 's/^  instructions +([0-9]+) per step.*/\1/p' <<<"$out") instructions per step)"
done

k=$tmp/keep-relu
expect 0 'PASS' -- "$lln" verify "$tmp/r.q.lln" --target cortex-m4 --keep "$k"
grep -q '_dstep' "$k/fw/lln_model.c" 2>/dev/null &&
    fail "relu backbone: the export has the dense CfC step, which runs tanh only"
cli_end
