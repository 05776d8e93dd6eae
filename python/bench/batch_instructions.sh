#!/bin/bash
# Instructions of one (64, 100, 8) batch: liquid_edge's model(x) (the binding's
# Model_sequence: argument checks, state and output allocation, lln_sequence) against the C
# API's lln_sequence on the same model (ctypes' ffi_call into build/liblln.so: lln_sequence
# itself ends in a tail call, so callgrind sees no frame of its own), counted by callgrind
# (exact, unlike wall clock on a shared machine). Usage (from python/, extension built in place): bench/batch_instructions.sh
# [LIB]   LIB: the C library, default ../build/liblln.so
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$(realpath "${1:-../build/liblln.so}")
py=${LLN_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { # count MODEL SIDE FUNCTION
    PYTHONPATH=.:bench valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$3" \
        --callgrind-out-file="$tmp/out" "$py" bench/batch_instructions.py "$1" "$2" "$lib" \
        >/dev/null 2>&1
    sed -n 's/^summary: //p' "$tmp/out"
}
echo "| model | model(x) instructions | C API lln_sequence instructions | ratio |"
echo "|---|---|---|---|"
for m in ltc_ncp19 cfc32; do
    p=$(count "$m" python Model_sequence)
    c=$(count "$m" capi ffi_call) # ctypes' call into lln_sequence (a tail call, not a frame)
    echo "| $m | $p | $c | $(awk -v a="$p" -v b="$c" 'BEGIN { printf "%.4f", a / b }') |"
done
