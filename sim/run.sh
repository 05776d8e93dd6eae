#!/bin/bash
# run.sh - runs a firmware image of one target under QEMU.
#   sim/run.sh TARGET ELF
# stdout: the program's console output (semihosting; its stdout and stderr both).
# Exit status: the program's (exit() / return from main); 99 the program faulted
# (the fault handler prints "*** fault: ..."); 124 it did not finish within
# SIM_TIMEOUT seconds (default 60); 125 bad usage or QEMU failed; 127 a tool is
# missing (the message names the Debian package).
# COUNT=1 also loads the instruction-counting plugin (insncount.c) and prints, on
# stderr after the run,
#   insncount: total=N regions=K region_sum=S region_min=A region_max=B
# N: every instruction executed; K: lln_prof_begin/lln_prof_end pairs; S, A, B:
# their sum, least and greatest count (lln_prof.h).  COUNT=each adds one line
# "insncount: region I N" per region.  Counts are exact and the same on every run
# of the same binary.
# SIM_CYCLES=m4|m33|m0plus (implies COUNT=1 when COUNT is unset) also estimates cycles from
# the core's documented instruction timings (zero wait states; insncount.c says which rules)
# and adds
#   insncount: cycles model=M total=C region_sum=S region_min=A region_max=B region_taken=T
# The program gets no input: QEMU's stdin is /dev/null (a terminal there would be
# switched to raw mode; and reading semihosting stdin sees end-of-file with newlib
# but blocks with picolibc).  Compile test inputs into the image.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=targets.sh
. "$(dirname "${BASH_SOURCE[0]}")/targets.sh"

if [ $# -ne 2 ]; then
    echo "usage: [COUNT=1|each] [SIM_CYCLES=m4|m33|m0plus] [SIM_TIMEOUT=seconds] sim/run.sh TARGET ELF" >&2
    echo "targets: $SIM_TARGETS" >&2
    exit 125
fi
sim_target "$1" || exit 125
elf=$2
if [ ! -f "$elf" ]; then
    echo "sim: no such image: $elf" >&2
    exit 125
fi
sim_check_run || exit "$SIM_EXIT_MISSING"
timeout_s=${SIM_TIMEOUT:-60}
count=${COUNT:-0}
[ -n "${SIM_CYCLES:-}" ] && [ -z "${COUNT:-}" ] && count=1

plugin_args=()
log=""
if [ "$count" != 0 ]; then
    if ! command -v "$SIM_NM" >/dev/null 2>&1; then
        sim_missing_msg "$SIM_NM" "$SIM_PKG_CC"
        exit "$SIM_EXIT_MISSING"
    fi
    plugin=$(sim_plugin) || exit 125
    spec=$plugin
    begin=$("$SIM_NM" "$elf" | awk '$3 == "lln_prof_begin" { print $1; exit }')
    end=$("$SIM_NM" "$elf" | awk '$3 == "lln_prof_end" { print $1; exit }')
    if [ -n "$begin" ] && [ -n "$end" ]; then
        spec="$spec,begin=0x$begin,end=0x$end"
    else
        echo "sim: $elf has no lln_prof_begin/lln_prof_end: counting the total only" >&2
    fi
    [ "$count" = each ] && spec="$spec,each=1"
    case ${SIM_CYCLES:-} in
    "") ;;
    m4 | m33 | m0plus) spec="$spec,cycles=$SIM_CYCLES" ;;
    *)
        echo "sim: SIM_CYCLES=$SIM_CYCLES: expected m4, m33 or m0plus" >&2
        exit 125
        ;;
    esac
    log=$(mktemp "${TMPDIR:-/tmp}/lln-sim-count.XXXXXX") || exit 125
    trap 'rm -f "$log"' EXIT
    plugin_args=(-plugin "$spec" -d plugin -D "$log")
fi

timeout -k 5 "$timeout_s" "${SIM_QEMU[@]}" -kernel "$elf" "${plugin_args[@]}" </dev/null
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "sim: $SIM_TARGET: $elf did not finish within ${timeout_s}s (SIM_TIMEOUT)" >&2
    rc=124
fi

if [ -n "$log" ]; then
    if grep -q '^insncount: total=' "$log"; then
        grep '^insncount:' "$log" >&2
    elif [ $rc -ne 124 ]; then
        echo "sim: the counting plugin printed nothing; QEMU's log:" >&2
        cat "$log" >&2
        [ $rc -eq 0 ] && rc=125
    fi
fi
exit $rc
