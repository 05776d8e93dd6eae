#!/bin/bash
# The pre-commit checks without the pre-commit tool: the same hooks, ids and scripts as
# .pre-commit-config.yaml. scripts/install-git-hooks.sh makes this the git pre-commit hook.
#
# Usage: scripts/precommit.sh          checks what is staged, exactly: the index is copied to
#                                      build-precommit/tree (only changed files are rewritten,
#                                      so builds stay incremental) and checked there; unstaged
#                                      edits in the working tree play no part and are never
#                                      touched
#        scripts/precommit.sh --all    checks every tracked file of the working tree instead
#
# Hooks (ids as in .pre-commit-config.yaml; SKIP=id,id skips some, as with pre-commit):
#   - clang-format          staged .c/.h files against .clang-format
#   - whitespace            trailing whitespace, CRLF, final newline, blank lines at the end
#   - shellcheck            staged shell scripts
#   - ci-metrics-selftest   when scripts/ci_metrics.py or tests/data/ci/ changed
#   - fast-tests            `make test` (~10 s) when code, tests or the build changed
# Bypass once (CI still checks everything): git commit --no-verify
set -uo pipefail

mode=staged
case "${1:-}" in
--all) mode=all ;;
"") ;;
-h | --help)
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "usage: scripts/precommit.sh [--all]" >&2
    exit 2
    ;;
esac

root=$(git rev-parse --show-toplevel) || exit 1
cd "$root" || exit 1
shared=${SHARED:-$(cd "$root/.." && pwd)/shared}
state=$root/build-precommit

if [ "$mode" = staged ]; then
    # Everything git would commit: with `git commit -a` or `git commit FILE`, git hands the
    # hook a temporary index in GIT_INDEX_FILE, which write-tree and diff --cached follow.
    tree=$(git write-tree) || {
        echo "pre-commit: cannot snapshot the index (unresolved merge?)"
        exit 1
    }
    mapfile -d '' files < <(git diff --cached --name-only -z --diff-filter=ACMR)
    mapfile -d '' changed < <(git diff --cached --name-only -z --diff-filter=ACMRD)
    [ ${#changed[@]} -eq 0 ] && exit 0
    gitdir=$(git rev-parse --absolute-git-dir) || exit 1
    work=$state/tree
    mkdir -p "$work"
    (
        # A private index describes build-precommit/tree: read-tree rewrites only the files
        # whose content changed and deletes those gone from the index.
        export GIT_DIR=$gitdir GIT_INDEX_FILE=$state/tree.index GIT_WORK_TREE=$work
        cd "$work" || exit 1
        git read-tree --reset -u "$tree" || exit 1
        git update-index -q --refresh >/dev/null 2>&1
        git diff-files --name-only -z | xargs -0 -r git checkout-index -f --
    ) || {
        echo "pre-commit: could not copy the index to $work"
        exit 1
    }
else
    mapfile -d '' files < <(git ls-files -z)
    changed=("${files[@]}")
    work=$root
fi

skip=",${SKIP:-},"
failed=()
# run ID COMMAND...: runs one hook in the checked tree and prints its verdict.
run() {
    local id=$1 out rc
    shift
    if [[ "$skip" == *",$id,"* ]]; then
        printf '%-22s %s\n' "$id" "Skipped (SKIP)"
        return
    fi
    out=$(cd "$work" && "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        printf '%-22s %s\n' "$id" "Passed"
    else
        printf '%-22s %s\n' "$id" "Failed"
        printf '%s\n' "$out" | sed 's/^./    &/'
        failed+=("$id")
    fi
}
# matching REGEX: the files of this commit whose path matches (ERE), NUL-free, one a line.
matching() {
    local f
    for f in "${changed[@]}"; do
        [[ "$f" =~ $1 ]] && printf '%s\n' "$f"
    done
}
# The checkers of the tree being checked (the staged ones), else those of the working tree.
tool() {
    if [ -f "$work/scripts/$1" ]; then echo "$work/scripts/$1"; else echo "$root/scripts/$1"; fi
}

c_files=()
for f in "${files[@]}"; do
    [[ "$f" =~ \.[ch]$ ]] && c_files+=("$f")
done
if [ ${#c_files[@]} -gt 0 ]; then
    run clang-format bash "$(tool precommit_format.sh)" "${c_files[@]}"
fi
if [ ${#files[@]} -gt 0 ]; then
    run whitespace bash "$(tool precommit_whitespace.sh)" "${files[@]}"
    run shellcheck bash "$(tool precommit_shellcheck.sh)" "${files[@]}"
fi
if [ -n "$(matching '^(scripts/ci_metrics\.py|tests/data/ci/)')" ]; then
    run ci-metrics-selftest python3 "$(tool ci_metrics.py)" --selftest
fi
if [ -n "$(matching '^(src|include|cli|tests|tools|bench|runtime|cmake)/|^CMakeLists\.txt$|^Makefile$')" ]; then
    build=$state/build
    [ "$mode" = all ] && build=$state/build-worktree
    run fast-tests env SHARED="$shared" bash "$(tool precommit_tests.sh)" "$build"
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "pre-commit: failed: ${failed[*]} (fix and stage again; skip one with SKIP=id," \
        "or bypass with git commit --no-verify: CI still checks)"
    exit 1
fi
exit 0
