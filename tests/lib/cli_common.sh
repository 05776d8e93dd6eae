# shellcheck shell=bash
# Helpers shared by the CLI tests tests/cli_*.sh. Sourced, never run: it lives in tests/lib/ so
# that CMake's glob of tests/cli_*.sh does not make it a test. Each test starts with
#     # shellcheck source=tests/lib/cli_common.sh
#     . "$(dirname "$0")/lib/cli_common.sh"
#     cli_begin NAME
# and ends with `cli_end`. The tests take the path of lln as $1 (ctest passes
# $<TARGET_FILE:lln>; the CI's valgrind pass passes a wrapper script that runs lln under
# memcheck, so tests must run "$lln", never a lln of their own finding).
#
# cli_begin NAME      NAME names the summary lines; makes $tmp, a temporary folder removed on
#                     exit, and sets the counters fails (failed checks) and checks (expect calls).
# abs_path PATH       prints PATH made absolute (its folder must exist), for tests that cd.
# fail MSG...         prints "FAIL: MSG" on stderr and counts a failure; the test goes on.
# expect CODE PATTERN -- CMD...
#                     CMD exits CODE and its stdout+stderr match the ERE PATTERN ('' matches all).
# expect_rc CODE PATTERN LABEL -- CMD...
#                     the same check, the failure named by LABEL.
# expect_exit CODE WHAT CMD...
#                     CMD exits CODE; its stdout+stderr are left in $tmp/out for further greps.
# have TOOL...        true when every TOOL is on PATH.
# skip_loud MSG...    prints "SKIP (loud): MSG" on stderr and exits 77 (ctest's SKIP_RETURN_CODE:
#                     reported as skipped, never as passed), or 1 when a check already failed.
# need_tools HINT TOOL...
#                     skip_loud "TOOL is missing; install with: HINT" for the first missing TOOL.
# line_follow         writes the built-in line-follow log (4000 rows, seed 3) to $tmp/lf.csv and
#                     sets the array `data`: the lln train flags that read it as windows of 32.
# eval_mse MODEL [CSV]
#                     prints the normalized test MSE that lln eval gives MODEL on CSV
#                     (default $tmp/lf.csv).
# train_mse OUTPUT    prints the normalized test MSE on the "test" line of lln train's OUTPUT.
# cli_end             "NAME: N failure(s)" and exit 1, or "NAME: all checks passed" and exit 0.

cli_begin() {
    cli_name=$1
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    fails=0
    checks=0
}

abs_path() {
    echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}

fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

expect() {
    local code=$1 pattern=$2 out rc
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    checks=$((checks + 1))
    [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code: $out"
    grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
}

expect_rc() {
    local code=$1 pattern=$2 label=$3 out rc
    shift 4
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$label (exit $rc, expected $code and /$pattern/): $out"
    fi
}

expect_exit() {
    local want=$1 what=$2 rc
    shift 2
    "$@" >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" = "$want" ] || fail "$what: exit $rc, want $want: $(cat "$tmp/out")"
}

have() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || return 1
    done
}

skip_loud() {
    echo "SKIP (loud): $*" >&2
    [ "$fails" -eq 0 ] || exit 1
    exit 77
}

need_tools() {
    local hint=$1 tool
    shift
    for tool in "$@"; do
        have "$tool" || skip_loud "$tool is missing; install with: $hint"
    done
}

# shellcheck disable=SC2154 # $lln: set by the test that sources this file
line_follow() {
    "$lln" data make line-follow --rows 4000 --seed 3 -o "$tmp/lf.csv" 2>/dev/null ||
        fail "lln data make line-follow"
    # shellcheck disable=SC2034,SC2054 # used by the sourcing test; commas inside column lists
    data=(--data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t --targets cmd_l,cmd_r
        --window 32 --stride 16)
}

eval_mse() {
    "$lln" eval "$1" --data "${2:-$tmp/lf.csv}" --on test 2>&1 | awk '/^normalized/ { print $2 }'
}

train_mse() {
    grep '^test' <<<"$1" | sed 's/.*normalized \([0-9.e+-]*\).*/\1/'
}

cli_end() {
    if [ "$fails" -ne 0 ]; then
        echo "$cli_name: $fails failure(s)"
        exit 1
    fi
    echo "$cli_name: all checks passed"
    exit 0
}
