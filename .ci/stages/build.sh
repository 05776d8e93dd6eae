#!/bin/bash
# Build matrix: gcc and clang x Debug and Release, -Wall -Wextra -Wpedantic -Werror (and the
# project's other warnings). Every configuration must build every target.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin build
ci_need gcc gcc
ci_need clang clang
ci_need cmake cmake
ok=0
failed=""
for cc in gcc clang; do
    for type in Debug Release; do
        dir="$CI_OUT/build-$cc-$type"
        if ci_run "configure-$cc-$type" cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" \
            -DCMAKE_BUILD_TYPE="$type" -DLLN_WERROR=ON -DLLN_SHARED_DIR="$CI_SHARED" &&
            ci_run "build-$cc-$type" cmake --build "$dir" -j "$CI_JOBS"; then
            echo "$cc $type: ok"
            ok=$((ok + 1))
        else
            failed="$failed $cc-$type"
        fi
    done
done
ci_metric builds_ok "$ok"
[ -z "$failed" ] && ci_end PASS "4/4 configurations, -Werror"
ci_end FAIL "failed:$failed"
