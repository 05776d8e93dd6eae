#!/bin/bash
# Flash and instructions per step of the specialised CfC step (src/deploy/export_q_spec.c) on
# CfC models without backbone of several shapes: `lln verify` of each quantized model on each
# target (bit-exact against the host or the row says FAIL), flash = runtime + model tables as
# lln verify reports it. The models: wired CfC AutoNCP(19,4) with 8 inputs (docs/HARDWARE.md's),
# AutoNCP(24,3) with 5 inputs, AutoNCP(16,2) with 3, AutoNCP(12,3) no_gate with 4,
# AutoNCP(30,5) with 8, and a CfC of 6 units without backbone with 3 inputs; each quantized on
# scripts/lib/calib_seq.sh's sequence (its first columns). docs/PERFORMANCE.md ("The 3 KB
# round") has its table for this build and the one before.
# Usage: scripts/spec_shapes.sh PATH/TO/lln [TARGET...]   (default: cortex-m4)
set -uo pipefail
lln=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cortex-m4)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=scripts/lib/calib_seq.sh
. "$(dirname "$0")/lib/calib_seq.sh"
calib_seq >"$tmp/c8.csv"
models=(
    "wc19:8:--cell wired_cfc --wiring autoncp --units 19 --outputs 4 --seed 1"
    "wc24:5:--cell wired_cfc --wiring autoncp --units 24 --outputs 3 --seed 2"
    "wc16:3:--cell wired_cfc --wiring autoncp --units 16 --outputs 2 --seed 3"
    "wc12_nogate:4:--cell wired_cfc --wiring autoncp --units 12 --outputs 3 --mode no_gate --seed 4"
    "wc30:8:--cell wired_cfc --wiring autoncp --units 30 --outputs 5 --seed 6"
    "cfc6:3:--cell cfc --units 6 --backbone-layers 0 --seed 5"
)
echo "| model | inputs | target | result | flash B | instructions/step |"
echo "|---|---|---|---|---|---|"
for m in "${models[@]}"; do
    name=${m%%:*} rest=${m#*:}
    ni=${rest%%:*} opts=${rest#*:}
    cut -d, -f1-$((ni + 1)) "$tmp/c8.csv" >"$tmp/c.csv"
    # shellcheck disable=SC2086 # opts are words
    if ! "$lln" new $opts --inputs "$ni" -o "$tmp/$name.lln" >/dev/null ||
        ! "$lln" quantize "$tmp/$name.lln" --calib "$tmp/c.csv" -o "$tmp/$name.q.lln" >/dev/null; then
        echo "spec_shapes: could not make $name" >&2
        exit 1
    fi
    for t in "${targets[@]}"; do
        if o=$("$lln" verify "$tmp/$name.q.lln" --target "$t" 2>&1); then res=bit-exact; else res=FAIL; fi
        flash=$(sed -nE 's/^  flash +([0-9]+) B.*/\1/p' <<<"$o")
        ins=$(sed -nE 's/^  instructions +([0-9]+) per step.*/\1/p' <<<"$o")
        echo "| $name | $ni | $t | $res | ${flash:-?} | ${ins:-?} |"
    done
done
