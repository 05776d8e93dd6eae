#!/bin/bash
# Shared by the cross-platform stages (.ci/stages/aarch64.sh, bigendian.sh, windows.sh):
# ci_cross STAGE TOOLCHAIN [DEBARCH]: builds for cmake/toolchains/TOOLCHAIN.cmake and runs the
# unit tests and golden parity under its emulator (scripts/cross_test.sh); DEBARCH names the
# Debian architecture whose zlib and cJSON scripts/cross_sysroot.sh unpacks first. A stage may
# set CI_CROSS_POST to a command run after the tests pass (log STAGE-post.log; its last line
# joins the key figure; its failure fails the stage).
# shellcheck source=.ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ci_cross() {
    local stage=$1 tc=$2 debarch=${3:-}
    local b="$CI_OUT/build-$stage" log="$CI_OUT/logs/$stage-tests.log"
    if [ -n "$debarch" ]; then
        ci_run "$stage-sysroot" sh scripts/cross_sysroot.sh "$debarch" ||
            ci_end FAIL "no $debarch sysroot (scripts/cross_sysroot.sh $debarch needs root)"
    fi
    if ci_run "$stage-tests" bash scripts/cross_test.sh "$tc" "$b" "$CI_SHARED"; then
        local summary
        summary=$(grep -E 'tests passed' "$log" | tail -n1)
        grep -E '^NOT RUN' "$log"
        grep -E 'golden.*passed|[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1
        ci_metric "${stage}_tests" "$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")"
        if [ -n "${CI_CROSS_POST:-}" ]; then
            local post="$CI_OUT/logs/$stage-post.log"
            # shellcheck disable=SC2086 # the command and its arguments, split on purpose
            ci_run "$stage-post" $CI_CROSS_POST || ci_end FAIL "$tc: $(tail -n1 "$post")"
            grep -E '^NOT RUN' "$post"
            ci_end PASS "$tc: $summary (emulated); $(tail -n1 "$post")"
        fi
        ci_end PASS "$tc: $summary (emulated; CLI tests not run)"
    fi
    ci_end FAIL "$tc: $(grep -E 'tests passed|tests failed' "$log" | tail -n1)"
}
