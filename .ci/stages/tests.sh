#!/bin/bash
# Tests: the README's test command (make test: unit, CLI and golden-parity tests), then the
# same tests under AddressSanitizer + UndefinedBehaviorSanitizer, then the CLI tests with the
# CLI under valgrind memcheck (any error or leak fails).
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin tests
ci_need valgrind valgrind
ci_need clang clang
fail=""

echo "--- make test (README)"
if ci_run tests-make make test SHARED="$CI_SHARED" CMAKE_FLAGS=-DLLN_WERROR=ON; then
    summary=$(grep -E 'tests passed|tests failed' "$CI_OUT/logs/tests-make.log" | tail -n1)
    echo "$summary"
    ci_metric tests_total "$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")"
    grep -E 'SKIP|Skipped|Not Run' "$CI_OUT/logs/tests-make.log" && echo "(skips above)"
else
    fail="$fail make-test"
fi

echo "--- ctest under ASan + UBSan (clang)"
asan="$CI_OUT/build-asan"
if ci_run tests-asan-configure cmake -S . -B "$asan" -DCMAKE_C_COMPILER=clang -DLLN_SANITIZE=ON \
    -DLLN_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DLLN_SHARED_DIR="$CI_SHARED" &&
    ci_run tests-asan-build cmake --build "$asan" -j "$CI_JOBS" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ci_run tests-asan ctest --test-dir "$asan" --output-on-failure -j "$CI_JOBS"; then
    grep -E 'tests passed' "$CI_OUT/logs/tests-asan.log"
else
    fail="$fail asan"
fi

echo "--- CLI tests with lln under valgrind memcheck"
vg="$CI_OUT/build-gcc-Debug"
if [ ! -x "$vg/lln" ]; then
    ci_run tests-vg-configure cmake -S . -B "$vg" -DCMAKE_BUILD_TYPE=Debug -DLLN_SHARED_DIR="$CI_SHARED" &&
        ci_run tests-vg-build cmake --build "$vg" -j "$CI_JOBS" --target lln
fi
wrapper="$CI_OUT/lln-valgrind"
cat >"$wrapper" <<WRAP
#!/bin/sh
# lln under memcheck: exit status 99 on any memory error or leak, so the CLI test fails.
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds=all "$vg/lln" "\$@"
WRAP
chmod +x "$wrapper"
if ci_run tests-valgrind bash tests/cli_basic.sh "$wrapper" "$CI_SHARED"; then
    tail -n1 "$CI_OUT/logs/tests-valgrind.log"
else
    fail="$fail valgrind"
fi

[ -z "$fail" ] && ci_end PASS "${summary:-tests} ; ASan+UBSan clean ; CLI valgrind clean"
ci_end FAIL "failed:$fail"
