#!/bin/bash
# Lints shell scripts with ShellCheck (a pre-commit hook). Sourced files are followed (-x), so
# run it from the top of the tree, as pre-commit and scripts/precommit.sh do.
# Usage: scripts/precommit_shellcheck.sh [FILE...]
#   Of the FILEs, those named *.sh or *.bash or starting with a sh/bash shebang are checked; no
#   FILE: every such file git tracks.
set -uo pipefail

if [ $# -eq 0 ]; then
    cd "$(dirname "$0")/.." || exit 1
    mapfile -d '' candidates < <(git ls-files -z)
else
    candidates=("$@")
fi
files=()
for f in "${candidates[@]}"; do
    [ -f "$f" ] || continue
    case "$f" in
    */corpus/* | corpus/*) continue ;;
    *.sh | *.bash) files+=("$f") ;;
    *)
        if head -n 1 "$f" 2>/dev/null | grep -Eq '^#!.*([/ ]|env )(ba|da|k)?sh( |$)'; then
            files+=("$f")
        fi
        ;;
    esac
done
[ ${#files[@]} -eq 0 ] && exit 0
if ! command -v shellcheck >/dev/null 2>&1; then
    echo "shellcheck is not installed: apt-get install shellcheck"
    exit 1
fi
shellcheck -x "${files[@]}"
