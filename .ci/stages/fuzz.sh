#!/bin/bash
# Fuzz: every libFuzzer target tools/fuzz_<name>.c, built with clang
# -fsanitize=fuzzer,address,undefined against the library (itself built by CMake with
# -fsanitize=fuzzer-no-link,address,undefined, so coverage reaches into it), runs for a bounded
# time (CI_FUZZ_SECONDS, default 45 s per target; CI_JOBS targets at once) from its seed corpus
# tests/corpus/<name>/ (committed; a target without one fails the stage). New inputs go to a
# scratch corpus under the build directory, never into the repository. Any crash, leak,
# timeout (-timeout=10) or out-of-memory (-rss_limit_mb=2048) fails the stage; the input that
# caused it is kept in build-ci/fuzz/ and printed (hex head) with the command that replays it.
# -max_len comes from the "-max_len=N" in the target's header comment (default 16384).
#
# Targets today: format (.lln loader), ptfile (PyTorch checkpoint reader), casefile (golden
# case reader), step (float32/float64 step, random configurations, inputs and dt), csv (the
# training-data reader: CSV text or gzip, roles, windows, splits, normalization, batches).
# Still to come, with its issue: the fixed-point step (random inputs and dt). Adding the file
# and its seed folder is all this stage needs.
#
# Why the CMake-built library and not `clang ... src/*.c`: the library also compiles
# runtime/lln_rt.c and a generated source (the embedded runtime for `lln export`), so the
# list of its sources lives in CMakeLists.txt only.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin fuzz
ci_need clang clang
ci_need cmake cmake
SECONDS_EACH=${CI_FUZZ_SECONDS:-45}
bf="$CI_OUT/build-fuzz"
art="$CI_OUT/fuzz"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
asan_opts=detect_leaks=1:handle_abort=1
ubsan_opts=print_stacktrace=1:halt_on_error=1
mkdir -p "$art"
rm -f "$art"/*

# ASan finds llvm-symbolizer on PATH (Debian package llvm); llvm-14 alone has it here.
if ! command -v llvm-symbolizer >/dev/null 2>&1 && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
mkdir -p "$bf"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$bf/probe.c"
if ! clang -fsanitize=fuzzer "$bf/probe.c" -o "$bf/probe" >"$CI_OUT/logs/fuzz-probe.log" 2>&1; then
    cat "$CI_OUT/logs/fuzz-probe.log"
    echo "clang cannot link libFuzzer: install libclang-rt-14-dev (scripts/deps.sh ci)"
    ci_end FAIL "no libFuzzer runtime"
fi

echo "--- library: clang, -fsanitize=fuzzer-no-link,address,undefined"
if ! { ci_run fuzz-configure cmake -S . -B "$bf" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="-O1 -fsanitize=fuzzer-no-link $san" \
    -DLLN_SHARED_DIR="$CI_SHARED" &&
    ci_run fuzz-lib cmake --build "$bf" -j "$CI_JOBS" --target lln_static; }; then
    ci_end FAIL "library build failed"
fi
lib=$(find "$bf" -maxdepth 1 -name 'liblln.a' | head -n1)
[ -n "$lib" ] || ci_end FAIL "liblln.a not found in $bf"

echo "--- targets"
targets=()
failed=""
for src in tools/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    if [ ! -d "tests/corpus/$name" ] || [ -z "$(ls -A "tests/corpus/$name")" ]; then
        echo "$name: no seed corpus tests/corpus/$name/ (commit a few small valid inputs)"
        failed="$failed $name(no-corpus)"
        continue
    fi
    # shellcheck disable=SC2086 # $san is a list of flags
    if ci_run "fuzz-build-$name" clang -std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror \
        -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer $san -Iinclude -Isrc "$src" "$lib" \
        -lz -lpthread -lm -o "$bf/fuzz_$name"; then
        targets+=("$name")
        echo "$name: built"
    else
        failed="$failed $name(build)"
    fi
done

# run_one NAME: one bounded fuzzing session; its log is build-ci/logs/fuzz-run-NAME.log.
run_one() {
    local name=$1 maxlen scratch
    maxlen=$(grep -oE -- '-max_len=[0-9]+' "tools/fuzz_$name.c" | head -n1 | cut -d= -f2)
    scratch="$bf/corpus/$name"
    rm -rf "$scratch"
    mkdir -p "$scratch"
    ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts "$bf/fuzz_$name" \
        -max_total_time="$SECONDS_EACH" -max_len="${maxlen:-16384}" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 \
        -artifact_prefix="$art/$name-" "$scratch" "tests/corpus/$name" \
        >"$CI_OUT/logs/fuzz-run-$name.log" 2>&1
    echo $? >"$bf/rc-$name"
}

echo "--- fuzzing: ${SECONDS_EACH} s per target, $CI_JOBS at a time"
running=0
for name in "${targets[@]}"; do
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$CI_JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

total=0
crashes=0
for name in "${targets[@]}"; do
    log="$CI_OUT/logs/fuzz-run-$name.log"
    rc=$(cat "$bf/rc-$name" 2>/dev/null || echo 99)
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n1)
    execs=${execs:-0}
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
    units=$(find "$bf/corpus/$name" -type f | wc -l)
    total=$((total + execs))
    ci_metric "fuzz_execs_$name" "$execs"
    found=$(find "$art" -maxdepth 1 -type f \( -name "$name-crash-*" -o -name "$name-leak-*" \
        -o -name "$name-timeout-*" -o -name "$name-oom-*" \) | sort)
    if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
        printf '%-9s ok      %10d execs  cov %-6s %5d new inputs\n' "$name" "$execs" "${cov:-?}" \
            "$units"
        continue
    fi
    crashes=$((crashes + 1))
    failed="$failed $name"
    printf '%-9s FAILED  (exit %s) after %d execs\n' "$name" "$rc" "$execs"
    echo "--- $name: the report (last 40 lines of $log):"
    tail -n 40 "$log"
    for f in $found; do
        echo "--- $name: input kept as $f ($(wc -c <"$f") bytes); first bytes:"
        if command -v xxd >/dev/null 2>&1; then
            xxd "$f" | head -n 16
        else
            od -A x -t x1z "$f" | head -n 16
        fi
        # The replay gives the full sanitizer report with a symbolized stack (libFuzzer's
        # leak check during fuzzing prints none).
        ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts "$bf/fuzz_$name" -timeout=10 "$f" \
            >"$CI_OUT/logs/fuzz-replay-$name.log" 2>&1
        echo "--- $name: replayed ($CI_OUT/logs/fuzz-replay-$name.log):"
        grep -E -A12 '^==[0-9]+==ERROR|^SUMMARY|^fuzz_[a-z]+:' \
            "$CI_OUT/logs/fuzz-replay-$name.log" | head -n 24
        echo "replay: $bf/fuzz_$name $f"
    done
done

ci_metric fuzz_execs "$total"
ci_metric fuzz_targets "${#targets[@]}"
ci_metric fuzz_crashes "$crashes"
mexecs=$(awk -v n="$total" 'BEGIN { printf "%.1f", n / 1e6 }')
figure="${#targets[@]} targets, $mexecs M execs, $crashes crashes"
[ -z "$failed" ] && ci_end PASS "$figure"
ci_end FAIL "$figure; failed:$failed"
