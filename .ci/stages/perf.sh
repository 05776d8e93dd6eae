#!/bin/bash
# Performance regression: deterministic instruction counts of the float32 host kernels
# (tools/lln_perfcount.c: 1000 streaming lln_step calls on each of the five ncps anchor models,
# and lln_sequence at batch 64 x 20 steps for an LTC and a CfC model) under callgrind, in a
# portable Release build (gcc, no -march=native, so the SSE2 kernels without FMA: the same
# code on every x86-64 CI machine). Compared with the committed baseline
# bench/perf-baseline.json by scripts/perf_gate.py:
#   - more than 5 % (CI_PERF_MAX_REGRESSION) more instructions in our code for any kernel, or
#     more calls into libc/libm, FAILS and prints the table (kernel, baseline, now, change %);
#   - 5 % or more fewer passes and says "faster than the baseline: run `make perf-baseline`";
#   - memcpy & co. inside glibc are counted apart and not gated: glibc picks their variant by
#     CPU feature (ifunc), so they would make the count machine-dependent;
#   - a baseline recorded with another toolchain (compiler version, flags, kernel ISA,
#     architecture) is compared and printed, loudly, but not gated: the stage reports SKIP.
#     Counts from another compiler measure the compiler, so failing would be noise and
#     passing a false assurance; SKIP shows in the quality-gate table that the gate did not
#     run. The reference toolchain is Debian 12's (scripts/deps.sh ci).
# Then the firmware: instructions per step under QEMU (the instruction-count plugin, through
# `lln verify`) of three reference models on every emulated target, against
# bench/perf-targets.tsv, by the same rules (scripts/perf_targets.sh).
# CI_PERF_RECORD=1 (what `make perf-baseline` sets) writes both baselines instead.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin perf
ci_need gcc gcc
ci_need cmake cmake
ci_need valgrind valgrind
ci_need python3 python3
bp="$CI_OUT/build-perf"
cg="$bp/callgrind"
baseline=bench/perf-baseline.json

if ! { ci_run perf-configure cmake -S . -B "$bp" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
    -DLLN_NATIVE=OFF -DCMAKE_C_FLAGS= -DLLN_SHARED_DIR="$CI_SHARED" &&
    ci_run perf-build cmake --build "$bp" -j "$CI_JOBS" --target lln_perfcount lln; }; then
    ci_end FAIL "build failed"
fi
pc="$bp/lln_perfcount"
rm -rf "$cg"
mkdir -p "$cg"

# One callgrind run per kernel, CI_JOBS at a time (each is single-threaded and deterministic).
count_one() { # count_one KERNEL FUNCTION
    # LLN_ISA=sse2: the portable build chooses its kernels at run time (docs/DESIGN.md,
    # "Platforms"); the baseline is the SSE2 variant's, whatever CPU valgrind reports.
    LLN_ISA=sse2 LD_BIND_NOW=1 valgrind --tool=callgrind --toggle-collect="$2" \
        --callgrind-out-file="$cg/cg.$1.out" "$pc" "$1" >"$CI_OUT/logs/perf-$1.log" 2>&1 ||
        echo "$1" >>"$cg/failed"
}
running=0
while read -r kernel fn _; do
    count_one "$kernel" "$fn" &
    running=$((running + 1))
    if [ "$running" -ge "$CI_JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done < <("$pc" --list)
wait
if [ -s "$cg/failed" ]; then
    while read -r k; do
        echo "--- callgrind run of $k failed; last lines of $CI_OUT/logs/perf-$k.log:"
        tail -n 20 "$CI_OUT/logs/perf-$k.log"
    done <"$cg/failed"
    ci_end FAIL "callgrind failed: $(tr '\n' ' ' <"$cg/failed")"
fi

mode=compare
[ "${CI_PERF_RECORD:-0}" = 1 ] && mode=record
python3 scripts/perf_gate.py "$mode" --baseline "$baseline" --cg-dir "$cg" --build-dir "$bp" \
    --perfcount "$pc" --max-regression "${CI_PERF_MAX_REGRESSION:-5}" \
    >"$CI_OUT/logs/perf-gate.log" 2>&1
rc=$?
grep -vE '^(METRIC|FIGURE:) ' "$CI_OUT/logs/perf-gate.log"
while read -r _ key value; do
    ci_metric "$key" "$value"
done < <(grep -E '^METRIC ' "$CI_OUT/logs/perf-gate.log")
figure=$(sed -n 's/^FIGURE: //p' "$CI_OUT/logs/perf-gate.log" | tail -n1)

# Targets: QEMU instruction counts of the firmware (scripts/perf_targets.sh).
tmode=compare
[ "${CI_PERF_RECORD:-0}" = 1 ] && tmode=record
if command -v arm-none-eabi-gcc >/dev/null && command -v qemu-system-arm >/dev/null; then
    bash scripts/perf_targets.sh "$bp/lln" "$tmode" bench/perf-targets.tsv \
        "${CI_PERF_MAX_REGRESSION:-5}" >"$CI_OUT/logs/perf-targets.log" 2>&1
    trc=$?
    grep -v '^FIGURE: ' "$CI_OUT/logs/perf-targets.log" | grep -E 'REGRESSION|faster|!!!|failed|recorded' || true
    tfig=$(sed -n 's/^FIGURE: //p' "$CI_OUT/logs/perf-targets.log")
else
    echo "SKIP (loud): cross toolchains or QEMU missing; target counts not compared"
    trc=3
    tfig="targets not measured"
fi
figure="$figure; ${tfig:-target counts failed}"
[ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] && ci_end FAIL "${figure}"
[ "$trc" -ne 0 ] && [ "$trc" -ne 3 ] && {
    tail -n 40 "$CI_OUT/logs/perf-targets.log"
    ci_end FAIL "$figure"
}
[ "$rc" -eq 3 ] || [ "$trc" -eq 3 ] && ci_end SKIP "$figure"
ci_end PASS "$figure"
