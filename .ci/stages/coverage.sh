#!/bin/bash
# Coverage: the test suite on a gcc --coverage build; line coverage of the library and the CLI
# (src/, cli/) must be >= 85 % (gcovr --fail-under-line); branch coverage is reported.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin coverage
ci_need gcovr gcovr
MIN_LINE=${CI_MIN_LINE_COVERAGE:-85}
cov="$CI_OUT/build-coverage"
rm -rf "$cov"
if ! { ci_run coverage-configure cmake -S . -B "$cov" -DCMAKE_C_COMPILER=gcc -DLLN_COVERAGE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DLLN_SHARED_DIR="$CI_SHARED" &&
    ci_run coverage-build cmake --build "$cov" -j "$CI_JOBS"; }; then
    ci_end FAIL "coverage build failed"
fi
ci_run coverage-tests ctest --test-dir "$cov" -j "$CI_JOBS" || ci_end FAIL "tests failed"
gcovr -r . --object-directory "$cov" --filter 'src/' --filter 'cli/' \
    --exclude-unreachable-branches --print-summary --txt "$CI_OUT/coverage.txt" \
    --fail-under-line "$MIN_LINE" >"$CI_OUT/logs/coverage-gcovr.log" 2>&1
rc=$?
cat "$CI_OUT/logs/coverage-gcovr.log"
line=$(sed -nE 's/^lines: ([0-9.]+)%.*/\1/p' "$CI_OUT/logs/coverage-gcovr.log")
branch=$(sed -nE 's/^branches: ([0-9.]+)%.*/\1/p' "$CI_OUT/logs/coverage-gcovr.log")
ci_metric coverage_line "${line:-0}"
ci_metric coverage_branch "${branch:-0}"
[ "$rc" -eq 0 ] && ci_end PASS "lines ${line}% (>= ${MIN_LINE}%), branches ${branch}%"
ci_end FAIL "lines ${line:-?}% < ${MIN_LINE}% (gcovr exit $rc)"
