#!/bin/bash
# The rolled CfC step for DSP cores (LLN_RTQ_SPEC_ROLL, runtime/lln_rtq_spec.h; written by
# src/deploy/export_q_spec.c). Issue 14's goal for docs/HARDWARE.md's wired CfC AutoNCP(19,4)
# (8 inputs, quantized on scripts/lib/calib_seq.sh's sequence): on cortex-m4, flash (runtime +
# model tables, as `lln verify` reports it) <= 3072 B and <= 4000 instructions per step, RAM
# <= 256 B, bit-exact against the host (exact, deterministic counts: QEMU and the linker map).
# The same firmware rebuilt with -DLLN_RTQ_SPEC_ROLL=0 (the unrolled step) must print the same
# outputs and must not link the rolled step. Other shapes, bit-exact on other DSP cores: a CfC
# without backbone with 3 inputs (one layer, two column groups of odd width, every record field
# a literal), a no_gate wired CfC, AutoNCP(24,3) with 5 inputs. Skipped (loudly, exit 77) when
# the Arm toolchain or QEMU is absent.
# Usage: cli_roll.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_roll
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm
# shellcheck source=scripts/lib/calib_seq.sh
. "$(dirname "$0")/../scripts/lib/calib_seq.sh"

field() { sed -nE "s/^  $1 +([0-9]+) .*/\1/p" <<<"$2"; }

calib_seq >"$tmp/calib.csv"
"$lln" new --cell wired_cfc --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 1 \
    -o "$tmp/w.lln" >/dev/null || fail "new w"
"$lln" quantize "$tmp/w.lln" --calib "$tmp/calib.csv" -o "$tmp/w.q.lln" >/dev/null ||
    fail "quantize w"

k=$tmp/keep-w
if out=$("$lln" verify "$tmp/w.q.lln" --target cortex-m4 --keep "$k" 2>&1); then
    checks=$((checks + 1))
    flash=$(field flash "$out")
    ins=$(field instructions "$out")
    ram=$(sed -nE 's/^  RAM .*= ([0-9]+) B$/\1/p' <<<"$out")
    echo "wired CfC AutoNCP(19,4) on cortex-m4: flash $flash B, $ins instructions/step, RAM $ram B"
    if [ -z "$flash" ] || [ "$flash" -gt 3072 ]; then
        fail "flash ${flash:-?} B > 3072 B (issue 14's goal)"
    fi
    if [ -z "$ins" ] || [ "$ins" -gt 4000 ]; then
        fail "${ins:-?} instructions/step > 4000 (issue 14's goal)"
    fi
    if [ -z "$ram" ] || [ "$ram" -gt 256 ]; then
        fail "RAM ${ram:-?} B > 256 B (issue 14's goal)"
    fi
    grep -q 'lln_rtq__cfc_roll(' "$k/fw/lln_model.c" ||
        fail "the export has no rolled step (lln_rtq__cfc_roll)"
    arm-none-eabi-objdump -d "$k/fw.elf" | grep -q 'smmla' ||
        fail "the image has no rolled step (no SMMLA)"
    if bash "$k/sim/build.sh" cortex-m4 "$k/unrolled.elf" "$k/fw/verify_main.c" \
        "$k/fw/lln_rtq.c" "$k/fw/lln_model.c" "$k/sim/lln_prof.c" "$k/fw/lln_fx.c" -- \
        -I"$k/sim" -ffp-contract=off -DLLN_RTQ_SPEC_ROLL=0 >"$tmp/build.log" 2>&1; then
        arm-none-eabi-objdump -d "$k/unrolled.elf" | grep -q 'smmla' &&
            fail "-DLLN_RTQ_SPEC_ROLL=0 still links the rolled step"
        bash "$k/sim/run.sh" cortex-m4 "$k/unrolled.elf" >"$k/unrolled.out" 2>"$k/unrolled.err" ||
            fail "the unrolled build failed to run: $(head -n 3 "$k/unrolled.err")"
        [ -s "$k/run.out" ] || fail "the verified run left no output"
        cmp -s "$k/run.out" "$k/unrolled.out" ||
            fail "the unrolled build's outputs differ from the rolled step's"
        big=$(bash "$k/sim/sizes.sh" "$k/unrolled.elf" lln_rtq.o lln_model.o lln_fx.o |
            awk '$3 == "TOTAL" { print $1 }')
        echo "-DLLN_RTQ_SPEC_ROLL=0 (unrolled): same outputs, flash $big B"
    else
        fail "-DLLN_RTQ_SPEC_ROLL=0 does not build: $(tail -n 5 "$tmp/build.log")"
    fi
else
    fail "verify w on cortex-m4: $out"
fi

awk 'BEGIN { print "dt,a,b,c,d,e"; for (t = 0; t < 120; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5, 3 * sin(0.11 * t) }' >"$tmp/c5.csv"
cut -d, -f1-4 "$tmp/c5.csv" >"$tmp/c3.csv"
"$lln" new --cell cfc --inputs 3 --units 6 --backbone-layers 0 --seed 5 -o "$tmp/c.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 3 --wiring autoncp --units 12 --outputs 3 --mode no_gate \
    --seed 4 -o "$tmp/n.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 5 --wiring autoncp --units 24 --outputs 3 --seed 2 \
    -o "$tmp/a.lln" >/dev/null
for m in c:3 n:3 a:5; do
    "$lln" quantize "$tmp/${m%:*}.lln" --calib "$tmp/c${m#*:}.csv" -o "$tmp/${m%:*}.q.lln" \
        >/dev/null || fail "quantize ${m%:*}"
done
for mt in c:cortex-m4 c:cortex-m55 n:cortex-m33 a:cortex-m7; do
    m=${mt%:*} t=${mt#*:}
    k=$tmp/keep-$m-$t
    expect 0 'bit-identical' -- "$lln" verify "$tmp/$m.q.lln" --target "$t" --keep "$k"
    arm-none-eabi-objdump -d "$k/fw.elf" 2>/dev/null | grep -q 'smmla' ||
        fail "$m on $t: the image does not contain the rolled step"
done
cli_end
