#!/bin/bash
# clang-format check of C sources against the repo's .clang-format (a pre-commit hook).
# Usage: scripts/precommit_format.sh [FILE...]
#   FILEs are relative to the current directory (other than .c/.h are ignored); no FILE: every
#   C file git tracks. Changes nothing: prints the places that differ and how to fix them.
set -uo pipefail

if [ $# -eq 0 ]; then
    cd "$(dirname "$0")/.." || exit 1
    mapfile -d '' files < <(git ls-files -z -- '*.c' '*.h')
else
    files=()
    for f in "$@"; do
        case "$f" in
        *.c | *.h) [ -f "$f" ] && files+=("$f") ;;
        esac
    done
fi
[ ${#files[@]} -eq 0 ] && exit 0
if ! command -v clang-format >/dev/null 2>&1; then
    echo "clang-format is not installed: apt-get install clang-format"
    exit 1
fi
bad=()
shown=0
for f in "${files[@]}"; do
    if ! out=$(clang-format --dry-run --Werror --style=file "$f" 2>&1); then
        bad+=("$f")
        if [ "$shown" -lt 30 ]; then
            printf '%s\n' "$out" | grep -E 'error:' | head -n $((30 - shown))
            shown=$((shown + $(printf '%s\n' "$out" | grep -c 'error:')))
        fi
    fi
done
[ ${#bad[@]} -eq 0 ] && exit 0
echo "format: ${#bad[@]} file(s) differ from .clang-format; fix with:"
echo "  clang-format -i --style=file ${bad[*]}"
exit 1
