#!/bin/bash
# Target half of the performance gate: instructions per step of the exported firmware on
# every emulated target (QEMU instruction-count plugin, through `lln verify`) for three
# reference models, against the committed baseline bench/perf-targets.tsv.
#   scripts/perf_targets.sh LLN record|compare BASELINE [MAX_REGRESSION_PERCENT]
# compare exits 0 (within the bound), 1 (a count grew by more than the bound, or a verify
# failed), 3 (the baseline's toolchain differs: compared and printed, not gated).
# Counts belong to one exact binary: the baseline records the cross toolchains and QEMU.
set -uo pipefail
lln=$1
mode=$2
baseline=$3
max=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=scripts/lib/calib_seq.sh
. "$(dirname "$0")/lib/calib_seq.sh"
toolchain="# toolchain: $(arm-none-eabi-gcc --version | head -n1) | $(riscv64-unknown-elf-gcc --version | head -n1) | $(qemu-system-arm --version | head -n1)"
"$lln" new --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 1 -o "$tmp/ltc_ncp19.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 1 \
    -o "$tmp/wcfc_ncp19.lln" >/dev/null
"$lln" new --cell cfc --inputs 8 --units 32 --backbone-units 64 --seed 1 -o "$tmp/cfc32.lln" >/dev/null
# the fixed-point runtime: the same models quantized on a deterministic calibration sequence
calib_seq >"$tmp/calib.csv"
for m in ltc_ncp19 wcfc_ncp19 cfc32; do
    "$lln" quantize "$tmp/$m.lln" --calib "$tmp/calib.csv" -o "$tmp/${m}_q.lln" >/dev/null || exit 1
done
{
    echo "$toolchain"
    echo "# model target instructions_per_step (lln verify, 24 generated steps; *_q: fixed point)"
    for t in cortex-m0 cortex-m3 cortex-m4 cortex-m4f cortex-m7 cortex-m33 cortex-m55 rv32imc rv32imafc; do
        for m in ltc_ncp19 wcfc_ncp19 cfc32 ltc_ncp19_q wcfc_ncp19_q cfc32_q; do
            out=$("$lln" verify "$tmp/$m.lln" --target "$t" 2>&1) || {
                echo "verify failed: $m on $t: $out" >&2
                exit 1
            }
            echo "$m $t $(sed -nE 's/^  instructions +([0-9]+) per step.*/\1/p' <<<"$out")"
        done
    done
} >"$tmp/now.tsv" || exit 1
if [ "$mode" = record ]; then
    cp "$tmp/now.tsv" "$baseline"
    echo "recorded $(grep -vc '^#' "$baseline") target counts in $baseline"
    echo "FIGURE: target baseline recorded"
    exit 0
fi
[ -f "$baseline" ] || { echo "no baseline $baseline: run make perf-baseline" >&2; exit 1; }
skip=0
if [ "$(head -n1 "$baseline")" != "$toolchain" ]; then
    echo "!!! target toolchain differs from the baseline's; compared but NOT gated"
    echo "!!!   baseline: $(head -n1 "$baseline")"
    echo "!!!   now:      $toolchain"
    skip=1
fi
awk -v max="$max" -v skip="$skip" '
    FNR == NR { if ($1 !~ /^#/) base[$1 " " $2] = $3; next }
    $1 ~ /^#/ { next }
    {
        k = $1 " " $2; n++
        if (!(k in base)) { printf "%-22s new (no baseline)\n", k; next }
        d = 100.0 * ($3 - base[k]) / base[k]
        if (d > worst || n == 1) worst = d
        flag = d > max ? "  REGRESSION" : (d <= -max ? "  faster" : "")
        if (flag != "") fast += (flag == "  faster"); if (flag == "  REGRESSION") bad++
        printf "%-22s %10d %10d %+7.1f%%%s\n", k, base[k], $3, d, flag
    }
    END {
        printf "FIGURE: %d target counts, worst %+.1f %%\n", n, worst
        if (fast > 0) print "faster than the baseline: run `make perf-baseline` to record it"
        if (skip) exit 3
        exit bad > 0
    }' "$baseline" "$tmp/now.tsv"
