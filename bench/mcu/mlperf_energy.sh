#!/bin/bash
# The energy model against a measured record: MLPerf Tiny v1.3's anomaly-detection autoencoder
# (int8 dense 640-128-128-128-128-8-128-128-128-128-640) through our int8 dense path under QEMU
# on the matching core, then the energy model of `lln profile` (build/energy_mlperf, the
# library's lln_profile_compute on the built-in device database) beside the published
# measurement. `make bench-energy` runs it.
#   bench/mcu/mlperf_energy.sh BUILD_DIR MLPERF_AD_DIR
# MLPERF_AD_DIR holds one folder per board with energy-log.txt ("Median energy cost is X
# uJ/inf.") and performance-log.txt ("Median throughput is Y inf./sec."); the numbers are read
# from there at run time. Boards and devices: NUCLEO_L4R5ZI-P = stm32l4r5-smps (cortex-m4f; the
# board's supply in the record) and stm32l4r5 (the same chip on its internal regulator),
# NUCLEO_U575ZI_Q = stm32u5 (cortex-m33); NUCLEO_U385RG_Q has no entry in the database and is
# listed with its measurement only. Prints two Markdown tables: the CPI from the QEMU plugin's
# cycle estimate of this network (SIM_CYCLES, sim/insncount.c: Arm's Cortex-M4 timings, applied
# to M33 too; zero wait states), as `lln profile` now computes it, and the database's cpi (the
# mean over the energy fit's models, which `lln train`'s estimate uses). Exit status 0; 1 on a failed build
# or run or an unreadable log; 2 bad usage; 127 a missing tool.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-}
ad=${2:-}
if [ -z "$build" ] || [ -z "$ad" ] || [ ! -x "$build/energy_mlperf" ]; then
    echo "usage: bench/mcu/mlperf_energy.sh BUILD_DIR MLPERF_AD_DIR (BUILD_DIR/energy_mlperf must exist)" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lln-mlperf.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# measured BOARD: prints "UJ INF_PER_S" from the board's logs
measured() {
    local e p
    e=$(sed -n 's/.*Median energy cost is *\([0-9.]*\) *uJ\/inf.*/\1/p' "$ad/$1/energy-log.txt" 2>/dev/null | head -1)
    p=$(sed -n 's/.*Median throughput is *\([0-9.]*\) *inf.*/\1/p' "$ad/$1/performance-log.txt" 2>/dev/null | head -1)
    if [ -z "$e" ] || [ -z "$p" ]; then
        echo "mlperf_energy: $ad/$1: no 'Median energy cost' in energy-log.txt or 'Median throughput' in performance-log.txt" >&2
        return 1
    fi
    echo "$e $p"
}

declare -A count=() cycles=()
declare -A model=([cortex-m4f]=m4 [cortex-m33]=m33) trust=([cortex-m4f]=D [cortex-m33]=U)
for t in cortex-m4f cortex-m33; do
    elf=$tmp/$t/ad.elf
    "$root/sim/build.sh" "$t" "$elf" "$root/bench/mcu/mlperf_ad.c" "$root/runtime/lln_fx.c" \
        "$root/sim/lln_prof.c" -- -I"$root/runtime" -I"$root/sim" >"$tmp/$t.build" 2>&1
    b=$?
    if [ $b -ne 0 ]; then
        echo "mlperf_energy: $t: build failed (exit $b):" >&2
        tail -20 "$tmp/$t.build" >&2
        exit $((b == 127 ? 127 : 1))
    fi
    COUNT=1 SIM_CYCLES=${model[$t]} "$root/sim/run.sh" "$t" "$elf" >"$tmp/$t.out" 2>"$tmp/$t.err"
    r=$?
    n=$(sed -n 's/^insncount: total=.*region_sum=\([0-9]*\).*/\1/p' "$tmp/$t.err")
    c=$(sed -n 's/^insncount: cycles .*region_sum=\([0-9]*\).*/\1/p' "$tmp/$t.err")
    if [ $r -ne 0 ] || [ -z "$n" ] || [ -z "$c" ] || ! grep -q '^macs 264192 live [1-9]' "$tmp/$t.out"; then
        echo "mlperf_energy: $t: run failed (exit $r):" >&2
        cat "$tmp/$t.out" "$tmp/$t.err" >&2
        exit $((r == 127 ? 127 : 1))
    fi
    count[$t]=$n
    cycles[$t]=$c
done

header() {
    echo "| device | instructions / inference (QEMU) | CPI | cycles | latency ms | active mW | estimate µJ | measured µJ | measured ms | measured mW | energy est./meas. | latency est./meas. | power est./meas. |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}
rc=0
# STM32U385: not in the database; its measurement beside our M33 count
u385=""
if m=$(measured NUCLEO_U385RG_Q); then
    read -r uj ips <<<"$m"
    u385=$(awk -v uj="$uj" -v ips="$ips" -v n="${count[cortex-m33]}" -v c="${cycles[cortex-m33]}" 'BEGIN {
        printf "| stm32u385 (not in the database) | %d (cortex-m33) | - | %d (timing model) | - | - | - | %.2f | %.2f | %.1f | - | - | - |\n", n, c, uj, 1000 / ips, uj * ips / 1000 }')
else
    rc=1
fi
for pass in cycles database; do
    if [ $pass = cycles ]; then
        echo "CPI from this network's cycles (QEMU plugin, Arm's Cortex-M4 timings; lln profile):"
    else
        echo
        echo "CPI from the database (the energy fit's mean; lln train's estimate):"
    fi
    echo
    header
    for row in "NUCLEO_L4R5ZI-P stm32l4r5-smps cortex-m4f" "NUCLEO_L4R5ZI-P stm32l4r5 cortex-m4f" \
        "NUCLEO_U575ZI_Q stm32u5 cortex-m33"; do
        read -r board dev t <<<"$row"
        m=$(measured "$board") || { rc=1; continue; }
        read -r uj ips <<<"$m"
        if [ $pass = cycles ]; then
            "$build/energy_mlperf" "$dev" "${count[$t]}" "$uj" "$ips" "${cycles[$t]}" "${trust[$t]}" || rc=1
        else
            "$build/energy_mlperf" "$dev" "${count[$t]}" "$uj" "$ips" || rc=1
        fi
    done
    [ -z "$u385" ] || echo "$u385"
done
echo
echo "Instructions per MAC of our autoencoder: $(awk -v a="${count[cortex-m4f]}" -v b="${count[cortex-m33]}" 'BEGIN { printf "%.2f (M4F), %.2f (M33); 264192 MACs", a / 264192, b / 264192 }')."
echo "Cycles per MAC (timing model, zero wait states): $(awk -v a="${cycles[cortex-m4f]}" -v b="${cycles[cortex-m33]}" 'BEGIN { printf "%.2f (M4F), %.2f (M33)", a / 264192, b / 264192 }')."
exit $rc
