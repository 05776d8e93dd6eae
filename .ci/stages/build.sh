#!/bin/bash
# Build matrix: gcc and clang x Debug and Release (CI_COMPILERS / CI_BUILD_TYPES narrow it,
# e.g. one cell of the GitHub PR matrix), -Wall -Wextra -Wpedantic -Werror (and the
# project's other warnings). Every configuration must build every target.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin build
ci_need gcc gcc
ci_need clang clang
ci_need cmake cmake
ok=0
failed=""
n=0
for cc in ${CI_COMPILERS:-gcc clang}; do
    for type in ${CI_BUILD_TYPES:-Debug Release}; do
        n=$((n + 1))
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
[ -z "$failed" ] && ci_end PASS "$ok/$n configurations, -Werror"
ci_end FAIL "failed:$failed"
