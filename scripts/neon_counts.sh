#!/bin/bash
# Executed-instruction counts of the aarch64 float32 kernels, NEON against the plain C loops,
# under qemu-aarch64 with the counting plugin of sim/insncount.c (deterministic: an emulator
# gives no time, but the same count on every run). Each workload of tools/lln_perfcount.c is
# counted from lln_state_create to lln_state_free: the workload (1000 lln_step calls, or one
# lln_sequence call) plus the state's creation, the integer input generator, a checksum loop
# and one printf, which are the same in both builds and small beside the workload.
# Usage: scripts/neon_counts.sh [WORK_DIR]      (builds WORK_DIR/neon and WORK_DIR/scalar)
#   NEON build: cmake/toolchains/aarch64-linux-gnu.cmake, Release; scalar build: the same with
#   -DLLN_NO_NEON (src/common/mathfn.h). Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/lln-neon-counts}
jobs=${CI_JOBS:-2}
mkdir -p "$work"
gcc -std=c99 -O2 -Wall -Wextra -shared -fPIC -o "$work/insncount.so" "$root/sim/insncount.c"
for v in neon scalar; do
    flags=""
    [ "$v" = scalar ] && flags=-DLLN_NO_NEON
    cmake -S "$root" -B "$work/$v" --toolchain "$root/cmake/toolchains/aarch64-linux-gnu.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="$flags" >/dev/null
    cmake --build "$work/$v" -j "$jobs" --target lln_perfcount >/dev/null
done
# qemu-user loads a position-independent executable at this guest address (QEMU 7.2, 64-bit
# guest); a fixed-address one at its link address.
addr() { # addr BUILD SYMBOL
    local exe="$work/$1/lln_perfcount" off base=0
    off=$(aarch64-linux-gnu-nm "$exe" | awk -v s="$2" '$3 == s { print $1 }')
    [ -n "$off" ] || { echo "neon_counts: no symbol $2 in $exe" >&2; exit 1; }
    aarch64-linux-gnu-readelf -h "$exe" | grep -q 'DYN' && base=$((0x5500000000))
    printf '0x%x\n' $((base + 0x$off))
}
count() { # count BUILD KERNEL
    local b e log="$work/$1-$2.log"
    b=$(addr "$1" lln_state_create)
    e=$(addr "$1" lln_state_free)
    qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib \
        -plugin "$work/insncount.so,begin=$b,end=$e" -d plugin -D "$log" \
        "$work/$1/lln_perfcount" "$2" >/dev/null
    local n
    n=$(sed -n 's/^insncount: total=[0-9]* regions=1 region_sum=\([0-9]*\).*/\1/p' "$log")
    if [ -z "$n" ] || grep -q warning "$log"; then
        echo "neon_counts: $1 $2: not exactly one region counted (log: $log)" >&2
        exit 1
    fi
    echo "$n"
}
echo "| workload | scalar (plain C) | NEON | NEON / scalar |"
echo "|---|---:|---:|---:|"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/neon/lln_perfcount" --list |
    while read -r kernel _; do
        s=$(count scalar "$kernel")
        n=$(count neon "$kernel")
        awk -v k="$kernel" -v s="$s" -v n="$n" \
            'BEGIN { printf "| %s | %d | %d | %.2f |\n", k, s, n, n / s }'
    done
