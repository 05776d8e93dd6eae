#!/bin/bash
# Shared by every CI stage script (.ci/stages/*.sh). A stage is runnable alone:
#   bash .ci/stages/<name>.sh
# It calls ci_begin NAME first and ends with ci_end PASS|FAIL|SKIP "key figure", which records
# build-ci/results/NAME.json ({"stage", "status", "figure", "seconds", plus any ci_metric
# values}) for the quality-gate table and the metrics record, and exits 0 (PASS, SKIP) or
# 1 (FAIL).
set -uo pipefail
CI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CI_OUT=${CI_OUT:-$CI_ROOT/build-ci}
CI_JOBS=${CI_JOBS:-2}
CI_SHARED=${CI_SHARED:-$(cd "$CI_ROOT/.." && pwd)/shared}
mkdir -p "$CI_OUT/results" "$CI_OUT/logs"
cd "$CI_ROOT" || exit 1

CI_STAGE=""
CI_T0=0
CI_METRICS=""

ci_begin() {
    CI_STAGE=$1
    CI_T0=$(date +%s)
    CI_METRICS=""
    printf '\n=== stage %s\n' "$CI_STAGE"
}

# ci_metric KEY NUMBER: a numeric value for the metrics record (e.g. coverage_line 91.9).
ci_metric() {
    CI_METRICS="$CI_METRICS, \"$1\": $2"
}

# ci_end STATUS FIGURE
ci_end() {
    local status=$1 figure=${2:-} secs=$(($(date +%s) - CI_T0))
    figure=${figure//\\/\\\\}
    figure=${figure//\"/\\\"}
    printf '{"stage": "%s", "status": "%s", "figure": "%s", "seconds": %d%s}\n' \
        "$CI_STAGE" "$status" "$figure" "$secs" "$CI_METRICS" >"$CI_OUT/results/$CI_STAGE.json"
    printf '=== stage %s: %s (%s) in %ds\n' "$CI_STAGE" "$status" "$figure" "$secs"
    [ "$status" != FAIL ]
    exit $?
}

# ci_run LOGNAME CMD...: runs CMD with output to build-ci/logs/LOGNAME.log; on failure prints
# the last 60 lines. Returns CMD's status.
ci_run() {
    local log="$CI_OUT/logs/$1.log"
    shift
    local rc=0
    "$@" >"$log" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && return 0
    echo "--- $* failed ($rc); last lines of $log:"
    tail -n 60 "$log"
    return $rc
}

# ci_need CMD PACKAGE: fails the stage loudly if a tool is missing (CI installs them first;
# running a stage alone on a machine without it says what to install).
ci_need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "missing tool '$1': install Debian package '$2' (scripts/deps.sh ci does it)"
        ci_end FAIL "missing $1"
    fi
}
