#!/bin/bash
# The specialised CfC step's size variant (LLN_RTQ_SPEC_SMALL=1, runtime/lln_rtq_spec.h): the
# firmware `lln verify --keep` leaves, rebuilt with -DLLN_RTQ_SPEC_SMALL=1 -Os, must print the
# same outputs and states as the verified default build (which `lln verify` compared bit for bit
# with the host), and must really be the rolled kernel (lln_rtq__cfc_small linked, less code).
# It is the unrolled step's variant: on cortex-m4, whose default is the rolled step of
# LLN_RTQ_SPEC_ROLL (tests/cli_roll.sh), it is built with -DLLN_RTQ_SPEC_ROLL=0.
# Targets: cortex-m4 (SMLAD pairs), cortex-m0 and rv32imc (one activation a value). Models:
# wired CfC AutoNCP(19,4) (two column groups, int16 biases), wired CfC in no_gate mode and a CfC
# without backbone. Skipped (loudly, exit 77) when the cross toolchains or QEMU are absent.
# Usage: cli_verify_small.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_verify_small
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc arm-none-eabi-nm riscv64-unknown-elf-gcc qemu-system-arm qemu-system-riscv32

"$lln" new --cell wired_cfc --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 1 -o "$tmp/wcfc.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 4 --wiring autoncp --units 12 --outputs 3 --mode no_gate -o "$tmp/wcfc_ng.lln" >/dev/null
"$lln" new --cell cfc --inputs 3 --units 6 --backbone-layers 0 -o "$tmp/cfc.lln" >/dev/null
awk 'BEGIN { print "dt,a,b,c,d,e,f,g,h"; for (t = 0; t < 120; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5, cos(0.2 * t), -1, sin(0.05 * t), 3 * sin(0.11 * t) }' >"$tmp/calib8.csv"
cut -d, -f1-5 "$tmp/calib8.csv" >"$tmp/calib4.csv"
cut -d, -f1-4 "$tmp/calib8.csv" >"$tmp/calib3.csv"
for m in wcfc:8 wcfc_ng:4 cfc:3; do
    "$lln" quantize "$tmp/${m%:*}.lln" --calib "$tmp/calib${m#*:}.csv" -o "$tmp/${m%:*}.q.lln" >/dev/null ||
        fail "quantize ${m%:*}"
done

for model in wcfc wcfc_ng cfc; do
    for t in cortex-m4 cortex-m0 rv32imc; do
        k=$tmp/keep-$model-$t
        out=$("$lln" verify "$tmp/$model.q.lln" --target "$t" --keep "$k" 2>&1) || {
            fail "verify $model on $t: $out"
            continue
        }
        checks=$((checks + 1))
        grep -q 'lln_rtq__cfc_small(' "$k/fw/lln_model.c" || {
            fail "$model: the export has no size variant (not the specialised step?)"
            continue
        }
        if ! bash "$k/sim/build.sh" "$t" "$k/small.elf" "$k/fw/verify_main.c" "$k/fw/lln_rtq.c" \
            "$k/fw/lln_model.c" "$k/sim/lln_prof.c" "$k/fw/lln_fx.c" -- -I"$k/sim" -ffp-contract=off \
            -DLLN_RTQ_SPEC_SMALL=1 -DLLN_RTQ_SPEC_ROLL=0 -Os >"$tmp/build.log" 2>&1; then
            fail "$model on $t: the size variant does not build: $(tail -n 5 "$tmp/build.log")"
            continue
        fi
        bash "$k/sim/run.sh" "$t" "$k/small.elf" >"$k/small.out" 2>"$k/small.err" ||
            fail "$model on $t: the size variant failed to run: $(head -n 3 "$k/small.err")"
        [ -s "$k/run.out" ] || fail "$model on $t: the verified run left no output"
        cmp -s "$k/run.out" "$k/small.out" ||
            fail "$model on $t: the size variant's outputs differ from the verified build's"
        case $t in rv32*) nm=riscv64-unknown-elf-nm ;; *) nm=arm-none-eabi-nm ;; esac
        command -v "$nm" >/dev/null || nm=arm-none-eabi-nm
        "$nm" "$k/small.elf" | grep -qE ' lln_rtq__cfc_small(\.[a-z0-9.]+)?$' ||
            fail "$model on $t: lln_rtq__cfc_small is not in the size variant's image"
        small=$(bash "$k/sim/sizes.sh" "$k/small.elf" lln_model.o | awk '$3 == "TOTAL" { print $1 }')
        ref=$k/fw.elf # the unrolled step at -O2: the verified build, or on cortex-m4 rebuilt
        if [ "$t" = cortex-m4 ]; then
            ref=$k/unrolled.elf
            bash "$k/sim/build.sh" "$t" "$ref" "$k/fw/verify_main.c" "$k/fw/lln_rtq.c" \
                "$k/fw/lln_model.c" "$k/sim/lln_prof.c" "$k/fw/lln_fx.c" -- -I"$k/sim" \
                -ffp-contract=off -DLLN_RTQ_SPEC_ROLL=0 >"$tmp/build.log" 2>&1 ||
                fail "$model on $t: -DLLN_RTQ_SPEC_ROLL=0 does not build"
        fi
        big=$(bash "$k/sim/sizes.sh" "$ref" lln_model.o | awk '$3 == "TOTAL" { print $1 }')
        if [ -z "$small" ] || [ -z "$big" ] || [ "$small" -ge "$big" ]; then
            fail "$model on $t: the size variant's model object is not smaller ($small vs $big B)"
        fi
        echo "$model $t: model object $big B -> $small B with LLN_RTQ_SPEC_SMALL=1 -Os, outputs identical"
    done
done
cli_end
