#!/bin/bash
# Data-parallel scaling of lln-mpi train (docs/CLUSTER.md): the same training run on
# 1 rank x 1 thread, 2 ranks x 1 thread and 1 rank x 2 threads, with the wall time, the
# speed-up against 1 x 1 and the exchange's cost per optimizer step that lln-mpi prints.
# Prints a Markdown table. Time is wall time: run on an idle machine for clean numbers.
# The exchange is timed apart from the wait for the slowest rank (LLN_MPI_SPLIT_TIMING=1: a
# barrier before each exchange).
#   scripts/mpi_scaling.sh [BUILD] [EPOCHS] [UNITS]     (defaults: build 2 32)
set -euo pipefail
build=${1:-build}
epochs=${2:-2}
units=${3:-32}
lln=$build/lln
mpi=$build/lln-mpi
[ -x "$mpi" ] || { echo "no $mpi: configure with libopenmpi-dev installed" >&2; exit 1; }
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
export OMPI_MCA_btl=self,vader LLN_MPI_SPLIT_TIMING=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$lln" data make line-follow --rows 20000 --seed 1 -o "$tmp/lf.csv" >/dev/null 2>&1
# shellcheck disable=SC2054 # commas inside the column list
run=(train --data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t
    --targets cmd_l,cmd_r --window 64 --stride 32 --cell ltc --units "$units"
    --batch 32 --epochs "$epochs" --no-checkpoint --quiet)
echo "| ranks x threads | wall s | speed-up | exchange us/step | fastest exchange us | wait us/step | bytes in/step/rank |"
echo "|---|---|---|---|---|---|---|"
base=""
for split in 1x1 2x1 1x2; do
    np=${split%x*} th=${split#*x}
    t0=$(date +%s.%N)
    "${mpirun[@]}" -np "$np" "$mpi" "${run[@]}" --threads "$th" -o "$tmp/m.lln" >"$tmp/out" 2>&1 ||
        { cat "$tmp/out" >&2; exit 1; }
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    [ -n "$base" ] || base=$wall
    steps=$(awk '/^training/{print $2 * $5}' "$tmp/out")
    us=$(sed -n 's/.*moving (\([0-9.]*\) us per optimizer step.*/\1/p' "$tmp/out")
    fast_us=$(sed -n 's/.*fastest exchange \([0-9.]*\) us.*/\1/p' "$tmp/out")
    wait_us=$(sed -n 's/.*slowest rank (\([0-9.]*\) us per step.*/\1/p' "$tmp/out")
    bytes=$(awk -v s="$steps" '/^mpi /{for (i = 1; i <= NF; i++) if ($i == "bytes") printf "%.0f", $(i-1) / s}' "$tmp/out")
    echo "| $np x $th | $wall | $(awk -v a="$base" -v b="$wall" 'BEGIN { printf "%.2f", a / b }') | ${us:--} | ${fast_us:--} | ${wait_us:--} | ${bytes:--} |"
done
