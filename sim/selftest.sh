#!/bin/bash
# selftest.sh - checks sim/ end to end on every target (or the ones named):
#   sim/selftest.sh [TARGET...]
# Builds sim/selftest/selftest.c for the host (gcc) and for each target, runs each
# image twice under QEMU with instruction counting, and checks: the output (with its
# checksum) equals the host's; the exit status is 0; the 4 measured calls are 4
# regions and every count is the same in both runs; the float ABI is the table's; an
# image built with -DSELFTEST_EXIT=42 exits with 42; one built with -DSELFTEST_FAULT
# prints "*** fault" and exits with 99.  Prints one row per target: flash and RAM of
# the whole image (build.sh), of selftest.o alone (sizes.sh), and the instructions
# per measured call (the dot product plus the constant marker overhead of lln_prof.h).
# Exit status: 0 all passed; 1 a check failed (each failure is printed, naming the
# target); 127 a tool is missing (the message names the Debian packages).
# Work files: $SIM_OUT/selftest (default build-sim/selftest in the repository).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=targets.sh
. "$(dirname "${BASH_SOURCE[0]}")/targets.sh"

t_start=$EPOCHREALTIME
root=$(cd "$SIM_DIR/.." && pwd)
out=${SIM_OUT:-$root/build-sim}/selftest
src=$SIM_DIR/selftest/selftest.c
prof=$SIM_DIR/lln_prof.c
if [ $# -gt 0 ]; then
    targets=("$@")
else
    read -r -a targets <<<"$SIM_TARGETS"
fi

# ---- every tool first, so that one message names every missing package
pkgs=()
want() { # want PACKAGE: add once
    local p
    for p in "${pkgs[@]}"; do [ "$p" = "$1" ] && return; done
    pkgs+=("$1")
}
hostcc=${HOSTCC:-cc}
command -v "$hostcc" >/dev/null 2>&1 || want gcc
for t in "${targets[@]}"; do
    sim_target "$t" || exit 2
    if ! command -v "$SIM_CC" >/dev/null 2>&1; then
        want "$SIM_PKG_CC"
        want "$SIM_PKG_LIBC"
    elif ! sim_check_build 2>/dev/null; then
        want "$SIM_PKG_LIBC"
    fi
    command -v "${SIM_QEMU[0]}" >/dev/null 2>&1 || want "$SIM_PKG_QEMU"
done
if [ ${#pkgs[@]} -gt 0 ]; then
    echo "selftest: missing tools; install them with" >&2
    echo "  apt-get install -y --no-install-recommends ${pkgs[*]}" >&2
    echo "(or, as root: sh scripts/deps.sh sim)" >&2
    exit "$SIM_EXIT_MISSING"
fi

mkdir -p "$out" || exit 1
fail() {
    echo "FAIL $t: $*" >&2
    result=FAIL
}
show_log() { sed 's/^/    /' "$1" | tail -n 20 >&2; }

# ---- the host reference
t=host
if ! "$hostcc" -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I"$SIM_DIR" "$src" "$prof" \
    -o "$out/host" 2>"$out/host.log"; then
    fail "the host build failed:"
    show_log "$out/host.log"
    exit 1
fi
expected=$("$out/host") || {
    fail "the host program exited with $?"
    exit 1
}
echo "host:    $expected"
# Built once here rather than by several runs at the same time.
SIM_PLUGIN=$(sim_plugin) || exit 1
export SIM_PLUGIN

# key=value from an insncount or size line: field LINE KEY
field() { sed -n "s/.*[ :]$2=\([0-9]*\).*/\1/p" <<<"$1"; }

fmt='%-11s %-11s %-5s %8s %8s %11s %11s %11s  %s\n'

# check_target TARGET: every check of one target; prints its table row on stdout and
# each failure on stderr.
check_target() {
    t=$1
    result=PASS
    sim_target "$t"
    local elf=$out/$t.elf size flash ram obj abi got rc run c counts=() regions min max
    local per_call=- total=-
    if ! "$SIM_DIR/build.sh" "$t" "$elf" "$src" "$prof" -- -Werror >"$out/$t.build.log" 2>&1; then
        fail "build failed ($out/$t.build.log):"
        show_log "$out/$t.build.log"
        # shellcheck disable=SC2059
        printf "$fmt" "$t" "$SIM_BOARD" - - - - - - "$result"
        return
    fi
    size=$(grep '^size:' "$out/$t.build.log")
    flash=$(field "$size" flash)
    ram=$(field "$size" ram)
    obj=$("$SIM_DIR/sizes.sh" "$elf" selftest.o | awk '$3 == "selftest.o" { print $1 "/" $2 }')

    abi=$(sim_float_abi "$elf")
    [ "$abi" = "$SIM_FLOAT" ] || fail "float ABI is $abi, the table says $SIM_FLOAT"

    for run in 1 2; do
        got=$(COUNT=1 "$SIM_DIR/run.sh" "$t" "$elf" 2>"$out/$t.run$run.err")
        rc=$?
        [ $rc -eq 0 ] || fail "run $run: exit status $rc, expected 0 ($out/$t.run$run.err)"
        [ "$got" = "$expected" ] || fail "run $run: output '$got' differs from the host's '$expected'"
        counts+=("$(grep '^insncount: total=' "$out/$t.run$run.err")")
    done
    c=${counts[0]}
    if [ -z "$c" ]; then
        fail "no instruction count ($out/$t.run1.err)"
        show_log "$out/$t.run1.err"
    else
        [ "$c" = "${counts[1]}" ] || fail "counts differ between runs: '$c' vs '${counts[1]}'"
        regions=$(field "$c" regions)
        [ "$regions" = 4 ] || fail "$regions measured regions, expected 4: '$c'"
        min=$(field "$c" region_min)
        max=$(field "$c" region_max)
        total=$(field "$c" total)
        per_call=$min
        [ "$min" = "$max" ] || per_call="$min-$max"
    fi

    # The exit status and the fault paths.
    if "$SIM_DIR/build.sh" "$t" "$out/$t-exit.elf" "$src" "$prof" -- -DSELFTEST_EXIT=42 \
        >"$out/$t-exit.build.log" 2>&1; then
        "$SIM_DIR/run.sh" "$t" "$out/$t-exit.elf" >/dev/null 2>&1
        rc=$?
        [ $rc -eq 42 ] || fail "a program returning 42 exited with $rc"
    else
        fail "build failed ($out/$t-exit.build.log)"
    fi
    if "$SIM_DIR/build.sh" "$t" "$out/$t-fault.elf" "$src" "$prof" -- -DSELFTEST_FAULT \
        >"$out/$t-fault.build.log" 2>&1; then
        got=$(SIM_TIMEOUT=20 "$SIM_DIR/run.sh" "$t" "$out/$t-fault.elf" 2>&1)
        rc=$?
        [ $rc -eq 99 ] || fail "a faulting program exited with $rc, expected 99: $got"
        grep -q '^\*\*\* fault' <<<"$got" || fail "a faulting program printed no fault line: $got"
    else
        fail "build failed ($out/$t-fault.build.log)"
    fi

    # shellcheck disable=SC2059 # the format is the table's, in one place
    printf "$fmt" "$t" "$SIM_BOARD" "$abi" "$flash" "$ram" "$obj" "$per_call" "$total" "$result"
}

# Targets in parallel (SIM_JOBS, default: the number of CPUs), rows in table order.
jobs_max=${SIM_JOBS:-$(nproc 2>/dev/null || echo 2)}
for t in "${targets[@]}"; do
    check_target "$t" >"$out/$t.row" 2>"$out/$t.fail" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
done
wait

failed=()
# shellcheck disable=SC2059
printf "$fmt" target board float flash ram selftest.o insns/call "total insns" result
for t in "${targets[@]}"; do
    cat "$out/$t.row"
    if [ -s "$out/$t.fail" ]; then
        cat "$out/$t.fail" >&2
        failed+=("$t")
    fi
done

secs=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
if [ ${#failed[@]} -gt 0 ]; then
    echo "selftest: FAIL (${failed[*]}) in ${secs}s" >&2
    exit 1
fi
echo "selftest: PASS, ${#targets[@]} targets in ${secs}s"
echo "toolchain: $(sim_versions)"
