#!/bin/bash
# Lint: (1) every C file against the repo's .clang-format (clang-format 14); (2) whitespace
# and line endings of every text file: no trailing blanks, no CR (CRLF), a final newline, no
# blank lines at the end, no tabs in C sources; (3) ShellCheck on every shell script (*.sh and
# files with a sh/bash shebang: .ci/run, scripts/*, ...), sourced files followed.
# (4) the architecture rules (scripts/check_arch.py and its self-test with planted violations);
# (5) the Python package (python/): black --check and mypy --strict; (6) the sources of the
# Windows wheels' MSVC build (scripts/check_msvc.sh: ISO C11 -Wvla for Windows, and no GNU-only
# construct in MSVC's preprocessor view; about 5 s).
# Files: what git tracks plus new files it does not ignore. Fuzz/seed corpora (their odd
# bytes are the point), patches and binary files are not text-checked.
# Fix formatting with:  git ls-files '*.c' '*.h' | xargs clang-format -i
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin lint
ci_need clang-format clang-format
ci_need shellcheck shellcheck
ci_need python3 python3
ci_need git git

# All files of the tree (NUL-separated); outside a git checkout, everything but build output.
list_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . -type f ! -path './.git/*' ! -path './build*' ! -path './dist/*' -printf '%P\0'
    fi
}
mapfile -d '' all < <(list_files)
files=()
for f in "${all[@]}"; do
    [ -f "$f" ] && [ ! -L "$f" ] && files+=("$f")
done
fail=""

echo "--- clang-format ($(clang-format --version | sed 's/.*version //'))"
cfiles=()
for f in "${files[@]}"; do
    case "$f" in *.c | *.h) cfiles+=("$f") ;; esac
done
fmt_bad=()
for f in "${cfiles[@]}"; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
        fmt_bad+=("$f")
        if [ ${#fmt_bad[@]} -le 5 ]; then # show what differs for the first few files
            clang-format --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" \
                "$f" - | head -n 20
        fi
    fi
done
if [ ${#fmt_bad[@]} -gt 0 ]; then
    echo "clang-format: ${#fmt_bad[@]} of ${#cfiles[@]} C files differ from .clang-format:"
    printf '  %s\n' "${fmt_bad[@]}"
    echo "fix: clang-format -i ${fmt_bad[*]}"
    fail="$fail format"
else
    echo "clang-format: ${#cfiles[@]} C files formatted"
fi
ci_metric lint_c_files "${#cfiles[@]}"
ci_metric lint_format_diffs "${#fmt_bad[@]}"

echo "--- whitespace and line endings"
ws_log="$CI_OUT/logs/lint-whitespace.log"
printf '%s\0' "${files[@]}" | python3 -c '
import sys
issues = 0
checked = 0
def report(path, line, what):
    global issues
    issues += 1
    print(f"{path}:{line}: {what}" if line else f"{path}: {what}")
for path in sys.stdin.buffer.read().split(b"\0"):
    if not path:
        continue
    name = path.decode("utf-8", "surrogateescape")
    if "/corpus/" in "/" + name or name.endswith((".patch", ".diff")):
        continue
    with open(path, "rb") as fh:
        data = fh.read()
    if not data or b"\0" in data:
        continue  # empty or binary
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        continue  # not text
    checked += 1
    c_source = name.endswith((".c", ".h"))
    lines = data.split(b"\n")
    for no, line in enumerate(lines[:-1] if data.endswith(b"\n") else lines, 1):
        if line.endswith(b"\r"):
            report(name, no, "CRLF line ending")
            line = line[:-1]
        if line != line.rstrip(b" \t"):
            report(name, no, "trailing whitespace")
        if c_source and b"\t" in line:
            report(name, no, "tab in a C source (indent with spaces)")
    if not data.endswith(b"\n"):
        report(name, len(lines), "no newline at the end of the file")
    elif data.endswith(b"\n\n"):
        report(name, len(lines) - 1, "blank line(s) at the end of the file")
print(f"checked {checked} text files, {issues} issue(s)", file=sys.stderr)
sys.exit(1 if issues else 0)
' >"$ws_log" 2>"$ws_log.summary"
ws_rc=$?
ws_issues=$(grep -c . "$ws_log")
cat "$ws_log.summary"
if [ "$ws_rc" -ne 0 ]; then
    head -n 40 "$ws_log"
    [ "$ws_issues" -gt 40 ] && echo "... $((ws_issues - 40)) more in $ws_log"
    fail="$fail whitespace"
fi
ci_metric lint_whitespace_issues "$ws_issues"

echo "--- shellcheck ($(shellcheck --version | sed -n 's/^version: //p'))"
scripts=()
for f in "${files[@]}"; do
    case "$f" in
    */corpus/* | corpus/*) continue ;;
    *.sh | *.bash) scripts+=("$f") ;;
    *)
        if head -n 1 "$f" 2>/dev/null | grep -Eq '^#!.*([/ ]|env )(ba|da|k)?sh( |$)'; then
            scripts+=("$f")
        fi
        ;;
    esac
done
sc_bad=()
for f in "${scripts[@]}"; do
    if ! out=$(shellcheck -x "$f" 2>&1); then
        sc_bad+=("$f")
        printf '%s\n' "$out" | head -n 30
    fi
done
if [ ${#sc_bad[@]} -gt 0 ]; then
    echo "shellcheck: ${#sc_bad[@]} of ${#scripts[@]} scripts have findings: ${sc_bad[*]}"
    fail="$fail shellcheck"
else
    echo "shellcheck: ${#scripts[@]} scripts clean"
fi
ci_metric lint_scripts "${#scripts[@]}"
ci_metric lint_shellcheck_failures "${#sc_bad[@]}"

echo "--- architecture: library boundary and layer rules (scripts/check_arch.py)"
arch_log="$CI_OUT/logs/lint-arch.log"
if python3 scripts/check_arch.py >"$arch_log" 2>&1 && python3 scripts/check_arch.py --self-test >>"$arch_log" 2>&1; then
    grep -E '^check_arch' "$arch_log"
    arch_bad=0
else
    cat "$arch_log"
    arch_bad=1
    fail="$fail architecture"
fi
ci_metric lint_arch_failures "$arch_bad"

echo "--- MSVC build of the extension's sources (scripts/check_msvc.sh)"
msvc_log="$CI_OUT/logs/lint-msvc.log"
if bash scripts/check_msvc.sh >"$msvc_log" 2>&1; then
    tail -n 1 "$msvc_log"
    msvc_bad=0
else
    tail -n 40 "$msvc_log"
    msvc_bad=1
    fail="$fail msvc"
fi
ci_metric lint_msvc_failures "$msvc_bad"

echo "--- Python (python/): black --check, mypy --strict"
py_bad=0
if command -v black >/dev/null 2>&1 && command -v mypy >/dev/null 2>&1; then
    if ! (cd python && black --check -q .) >"$CI_OUT/logs/lint-black.log" 2>&1; then
        cat "$CI_OUT/logs/lint-black.log"
        echo "fix: (cd python && black .)"
        py_bad=$((py_bad + 1))
    fi
    if ! (cd python && mypy --strict liquid_edge tests bench examples setup.py) >"$CI_OUT/logs/lint-mypy.log" 2>&1; then
        tail -n 30 "$CI_OUT/logs/lint-mypy.log"
        py_bad=$((py_bad + 1))
    fi
    [ "$py_bad" -eq 0 ] && echo "black and mypy --strict: clean"
else
    echo "black or mypy missing (Debian packages black, mypy; scripts/deps.sh ci)"
    py_bad=1
fi
[ "$py_bad" -gt 0 ] && fail="$fail python"
ci_metric lint_python_failures "$py_bad"

figure="${#fmt_bad[@]} format diffs, $ws_issues whitespace issues, $((${#scripts[@]} - ${#sc_bad[@]}))/${#scripts[@]} scripts clean"
[ -z "$fail" ] && ci_end PASS "$figure"
ci_end FAIL "$figure"
