#!/bin/bash
# profile.sh - where a firmware image's instructions go: runs ELF under QEMU with its
# single-step execution log (-singlestep -d exec,nochain: one line per executed instruction,
# the log the instruction-count plugin was checked against) and prints the count per function
# (or per source line with LINES=1), divided by STEPS, highest first.
#   sim/profile.sh TARGET ELF [STEPS]
# STEPS (default 24: the steps of a `lln verify --keep DIR` image, DIR/fw.elf) divides the
# whole run's counts: the runtime's functions run only inside the steps, while start-up and the
# image's printing show up as C-library functions. Inlined code counts under the inline
# function it came from (addr2line -i's innermost frame). Arm targets only (arm-none-eabi
# addr2line); exit status 0, 2 bad usage, 1 the run or the tools failed.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=targets.sh
. "$(dirname "${BASH_SOURCE[0]}")/targets.sh"
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: [LINES=1] sim/profile.sh TARGET ELF [STEPS]" >&2
    exit 2
fi
sim_target "$1" || exit 2
elf=$2
steps=${3:-24}
if [ ! -f "$elf" ]; then
    echo "sim/profile.sh: no such image: $elf" >&2
    exit 2
fi
if ! [[ $steps =~ ^[1-9][0-9]{0,6}$ ]]; then
    echo "sim/profile.sh: STEPS must be a positive integer, not '$steps'" >&2
    exit 2
fi
if [ "$SIM_FAMILY" != arm ]; then
    echo "sim/profile.sh: $1: Arm targets only" >&2
    exit 2
fi
sim_check_run || exit 1
a2l=arm-none-eabi-addr2line
command -v "$a2l" >/dev/null 2>&1 || { sim_missing_msg "$a2l" "$SIM_PKG_CC"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lln-profile.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
timeout -k 5 "${SIM_TIMEOUT:-300}" "${SIM_QEMU[@]}" -kernel "$elf" -singlestep -d exec,nochain \
    -D "$tmp/exec.log" </dev/null >/dev/null
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$tmp/exec.log" ]; then
    echo "sim/profile.sh: the run failed (exit status $rc)" >&2
    exit 1
fi
# "Trace 0: 0x... [00000000/000003d8/...]": the second field in brackets is the pc
grep -oE '\[[0-9a-f]+/[0-9a-f]+' "$tmp/exec.log" | sed -E 's/^\[[0-9a-f]+\/0*/0x/' |
    sort | uniq -c >"$tmp/pc"
awk '{ print $2 }' "$tmp/pc" | "$a2l" -f -s -e "$elf" | paste - - >"$tmp/where"
col=1
[ "${LINES:-0}" = 1 ] && col=2
paste "$tmp/pc" "$tmp/where" | awk -F'\t' -v c="$col" -v s="$steps" '
    { split($1, a, " "); n[$(c + 1)] += a[1] }
    END { for (k in n) printf "%10.1f %s\n", n[k] / s, k }' | sort -rn
