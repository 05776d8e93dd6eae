#!/bin/sh
# `make bench`: ncps and liquid-edge side by side, in the same run, at the same thread count.
#
#   scripts/bench.sh BUILD_DIR NCPS_DIR [THREADS] [--quick]
#
# THREADS (default 0 = every online CPU): the threads of batched inference and training, for
# ncps (torch.set_num_threads) and for us alike. Streaming is one stream at batch 1 and runs
# on one thread on both sides.
#
# 1. bench/ncps_bench.py runs the unmodified ncps found in NCPS_DIR (imported from there) with
#    the first python3 that can import torch ($PYTHON, python3, /usr/bin/python3) and writes
#    its times to BUILD_DIR/ncps.tsv. Without torch or ncps it says loudly that no comparison
#    is made, and the tables below show no ratios.
# 2. bench_speed (streaming on one thread, batched on THREADS), bench_train_grad (forward +
#    backward only, one thread) and bench_train (THREADS threads, as ncps) print one table per
#    mode: ncps, ours, ratio, the machine's limit (for THREADS cores), ours / limit.
set -eu
build=${1:?usage: bench.sh BUILD_DIR NCPS_DIR [THREADS] [--quick]}
ncps=${2:?usage: bench.sh BUILD_DIR NCPS_DIR [THREADS] [--quick]}
threads=${3:-0}
quick=${4:-}
case $threads in '' | *[!0-9]*)
    echo "bench.sh: THREADS '$threads' must be a whole number (0: every online CPU)" >&2
    exit 1
    ;;
esac
if [ "$threads" -eq 0 ]; then
    threads=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
fi
if [ "$threads" -gt 64 ]; then
    echo "bench.sh: THREADS $threads: at most 64 (LLN_MAX_THREADS)" >&2
    exit 1
fi
if [ -n "$quick" ] && [ "$quick" != --quick ]; then
    echo "bench.sh: 4th argument '$quick' must be --quick or empty" >&2
    exit 1
fi
out=$build/ncps.tsv
rm -f "$out" # never compare with an earlier run's numbers
py=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then
        py=$p
        break
    fi
done
ncps_arg=
if [ -z "$py" ]; then
    echo "*** NO COMPARISON WITH ncps: no python3 here can import torch (apt-get install"
    echo "*** python3-torch libopenblas0-pthread, or set PYTHON=...). Our numbers only. ***"
else
    echo "== ncps (the unmodified reference library, $py, $threads thread(s))"
    # OpenBLAS tuning variables of the environment would make ncps's run differ from its
    # default configuration: unset for this command, as ncps's README says.
    rc=0
    # shellcheck disable=SC2086 # $quick is empty or one option
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
        "$py" bench/ncps_bench.py --ncps "$ncps" --threads "$threads" --out "$out" $quick || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "*** NO COMPARISON WITH ncps: bench/ncps_bench.py failed (exit $rc). ***"
    else
        ncps_arg="--ncps $out"
    fi
fi
echo
echo "== liquid-edge"
# shellcheck disable=SC2086 # $ncps_arg and $quick are empty or whole options
"$build/bench_speed" $quick --threads "$threads" $ncps_arg
echo
# shellcheck disable=SC2086
"$build/bench_train_grad" $quick
echo
# shellcheck disable=SC2086
"$build/bench_train" $quick --threads "$threads" $ncps_arg
