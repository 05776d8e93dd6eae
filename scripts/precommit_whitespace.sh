#!/bin/bash
# Whitespace and end-of-line check (a pre-commit hook; usable by the lint stage too).
# Usage: scripts/precommit_whitespace.sh [FILE...]
#   FILEs are relative to the current directory; no FILE: every file git tracks in this repo.
# A text file fails if a line ends in spaces or tabs, a line ends in CR (CRLF), the last line
# has no newline, the file ends in blank lines, or a C source has a tab: the rules of the
# lint stage (.ci/stages/lint.sh). Binary files, fuzz/seed corpora (whose odd bytes are the
# point) and patches are not checked.
set -uo pipefail

if [ $# -eq 0 ]; then
    cd "$(dirname "$0")/.." || exit 1
    mapfile -d '' files < <(git ls-files -z)
else
    files=("$@")
fi

bad=0
report() { # report FILE WHAT
    echo "$1: $2"
    bad=$((bad + 1))
}
for f in "${files[@]}"; do
    case "$f" in
    */corpus/* | corpus/* | *.patch | *.diff) continue ;;
    esac
    if [ ! -f "$f" ] || [ -L "$f" ] || [ ! -s "$f" ]; then
        continue
    fi
    grep -Iq . "$f" || continue # binary (or no text at all)
    if lines=$(grep -nE '[[:blank:]]+$' "$f" | cut -d: -f1 | head -n 5 | paste -sd, -) &&
        [ -n "$lines" ]; then
        report "$f" "trailing whitespace on line(s) $lines"
    fi
    if lines=$(grep -n $'\r$' "$f" | cut -d: -f1 | head -n 5 | paste -sd, -) &&
        [ -n "$lines" ]; then
        report "$f" "CRLF line ending on line(s) $lines"
    fi
    case "$f" in
    *.c | *.h)
        if lines=$(grep -n $'\t' "$f" | cut -d: -f1 | head -n 5 | paste -sd, -) &&
            [ -n "$lines" ]; then
            report "$f" "tab in a C source on line(s) $lines (indent with spaces)"
        fi
        ;;
    esac
    if [ -n "$(tail -c 1 "$f")" ]; then
        report "$f" "no newline at the end of the file"
    elif [ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = '\n\n' ]; then
        report "$f" "blank line(s) at the end of the file"
    fi
done
if [ "$bad" -gt 0 ]; then
    echo "whitespace: $bad problem(s) (fix: sed -i 's/[[:blank:]]*\$//' FILE; end with one newline)"
    exit 1
fi
exit 0
