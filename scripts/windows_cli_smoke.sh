#!/bin/bash
# The lln command of the Windows cross build (cmake/toolchains/x86_64-w64-mingw32.cmake) run
# under wine64 (or directly, on Windows in an MSYS2 shell): help, data make, train, eval, quantize, export, run, info --json, a config
# file with CRLF line ends, outputs replaced in place (MoveFileEx), Windows paths with drive
# letter and backslashes, bad input (message and exit code), and the commands a Windows build
# refuses (verify, report) saying why. With a Linux lln as well, the files both make from the
# same input must be byte-identical (the dataset, the exported firmware) and a model written
# on Windows must load on Linux.
# Usage: scripts/windows_cli_smoke.sh BUILD_DIR [LINUX_LLN]
#   BUILD_DIR: a configured Windows build folder (lln.exe is built here if missing)
# Not tested here: Ctrl-C (wine offers no way to send a console control event to a
# program run from a script).
set -uo pipefail
build=${1:?usage: scripts/windows_cli_smoke.sh BUILD_DIR [LINUX_LLN]}
native=${2:-}
build=$(cd "$build" && pwd)
cmake --build "$build" -j "${CI_JOBS:-2}" --target lln >/dev/null || {
    echo "windows_cli_smoke: cannot build lln.exe in $build" >&2
    exit 1
}
tmp=$(mktemp -d /tmp/lln-win-smoke.XXXXXX)
case $(uname -s) in
MINGW* | MSYS*) # on Windows itself (the MSYS2 job of .github/workflows/platforms.yml)
    lln() { "$build/lln.exe" "$@"; }
    trap 'rm -rf "$tmp"' EXIT
    wtmp=$(cygpath -w "$tmp") # the same folder as Windows names it
    ;;
*)
    # shellcheck source-path=SCRIPTDIR source=lib/wine.sh
    . "$(dirname "$0")/lib/wine.sh"
    wine_start "$build" "$build/lln.exe" || exit 1
    trap '"$server" -k; rm -rf "$tmp"' EXIT
    lln() { "$wine" "$build/lln.exe" "$@"; }
    wtmp="Z:${tmp//\//\\}" # wine maps / to drive Z:
    ;;
esac
cd "$tmp" || exit 1
pass=0
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { pass=$((pass + 1)); }
# check WHAT CMD...: CMD succeeds, else WHAT is the failure.
check() {
    local what=$1
    shift
    if "$@"; then ok; else fail "$what"; fi
}
# expect CODE PATTERN -- ARGS...: lln ARGS exits CODE and its output (both streams) matches
# the extended regular expression PATTERN.
expect() {
    local code=$1 pat=$2 out rc=0
    shift 3
    out=$(lln "$@" 2>&1) || rc=$?
    # Under wine a console program's output was lost once in CI runs (empty, exit code right):
    # one rerun, said loudly; a command that never prints still fails below.
    if [ -z "$out" ] && [ -n "${wine:-}" ]; then
        echo "windows_cli_smoke: lln $*: no output under wine; run again" >&2
        rc=0
        out=$(lln "$@" 2>&1) || rc=$?
    fi
    if [ "$rc" -ne "$code" ]; then
        fail "lln $*: exit $rc, expected $code; output: $(head -c 600 <<<"$out")"
    elif ! grep -qE -- "$pat" <<<"$out"; then
        fail "lln $*: no '$pat' in: $(head -c 600 <<<"$out")"
    else
        ok
    fi
}

expect 0 '^  train +train a model' -- --help
expect 0 '^lln [0-9]+\.[0-9]+' -- --version
expect 0 'float32 kernels: ' -- doctor
expect 0 'lf\.csv: 3000 rows' -- data make line-follow --rows 3000 --seed 3 -o lf.csv
if [ -f lf.csv ] && grep -q $'\r' lf.csv; then
    fail "data make wrote CR LF line ends (the dataset is the same bytes everywhere)"
fi

# shellcheck disable=SC2054 # commas inside column lists, not between elements
data=(--data lf.csv --sequence episode --dt-column dt --ignore t --targets cmd_l,cmd_r
    --window 32 --stride 16)
model=(--cell cfc --units 8 --backbone-units 16 --seed 2)
opt=(--lr 0.01 --batch 16 --threads 2 --quiet)
expect 0 '^wrote .*m\.lln and .*m\.lln\.ckpt' -- train "${data[@]}" "${model[@]}" "${opt[@]}" \
    --epochs 2 -o m.lln
# the same again over the existing files (replaced with MoveFileEx), through a Windows path
out=$(lln train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 3 -o "$wtmp\\m.lln" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s m.lln.ckpt ]; then
    fail "train over existing files through $wtmp\\m.lln: exit $rc: $out"
else
    ok
fi
test_line=$(sed -n 's/^test .*normalized \([0-9.e-]*\).*/\1/p' <<<"$out")
ev=$(lln eval m.lln --data lf.csv --on test 2>&1 | awk '/^normalized/{print $2}')
if [ -z "$test_line" ] || [ "$ev" != "$test_line" ]; then
    fail "eval --on test gives '$ev', train printed '$test_line'"
else
    ok
fi
expect 0 'trained\.epochs.*3' -- info m.lln

# a config file as Notepad writes it: CR LF line ends
{
    printf 'data = lf.csv\r\nsequence = episode\r\ndt-column = dt\r\nignore = t\r\n'
    printf 'targets = cmd_l,cmd_r\r\nwindow = 32\r\nstride = 16\r\ncell = cfc\r\nunits = 8\r\n'
    printf 'backbone-units = 16\r\nseed = 2\r\nlr = 0.01\r\nbatch = 16\r\nthreads = 2\r\n'
    printf 'quiet = true\r\nepochs = 3\r\n'
} >c.conf
expect 0 '^wrote ' -- train --config c.conf -o c.lln
check "a CR LF config file gives another model than the flags" cmp -s m.lln c.lln

expect 0 '^quantized m\.lln: int8 weights' -- quantize m.lln --data lf.csv -o q.lln
expect 0 '^wrote .*fw for cortex-m4' -- export q.lln --target cortex-m4 --out "$wtmp\\fw"
check "export: no fw/lln_model.c or fw/lln_rtq.c" test -s fw/lln_model.c -a -s fw/lln_rtq.c
out=$(lln info --json m.lln 2>&1)
if python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(d["cell"] != "cfc")' \
    "$out" 2>/dev/null; then
    ok
else
    fail "info --json: not JSON with \"cell\": \"cfc\": $(head -c 300 <<<"$out")"
fi
cut -d, -f4-11 lf.csv | head -n 21 >in.csv
expect 0 '' -- run m.lln --input in.csv --output out.csv
expect 0 '' -- run m.lln --input in.csv --output out.csv # replaces the existing file
check "run --output: $(wc -l <out.csv) lines, expected 21" test "$(wc -l <out.csv)" -eq 21

# bad input: the message names the problem and the place; exit 1 (data) or 2 (command line)
printf 'a,b\n1,2\n3,x\n' >bad.csv
expect 1 "bad\.csv:3: column 2 \('b'\): 'x' is not a number" -- train --data bad.csv \
    --targets b -o x.lln
expect 1 'nosuch\.csv: cannot open' -- train --data nosuch.csv --targets b -o x.lln
expect 1 'nosuch\.lln' -- info nosuch.lln
expect 2 "Try 'lln train --help'" -- train --no-such-flag
check "a failed train left x.lln behind" test ! -e x.lln
# what a Windows build refuses, and why
expect 1 'lln verify: not supported on Windows' -- verify q.lln --target cortex-m4
expect 1 'lln profile: target cortex-m[0-9a-z]+: not supported on Windows' -- profile q.lln \
    --device nrf52840
if grep -q '^CJSON_FOUND:INTERNAL=1' "$build/CMakeCache.txt"; then # MSYS2 has cJSON
    expect 0 '^usage: lln report' -- report --help
else
    expect 1 'lln report: not available in this build' -- report m.lln
fi
expect 1 'lln compare: not supported on Windows' -- compare --data lf.csv

# with the Linux lln: the same bytes from the same input, and Windows's model loads on Linux
if [ -n "$native" ] && [ -x "$native" ]; then
    "$native" data make line-follow --rows 3000 --seed 3 -o lf_linux.csv >/dev/null 2>&1
    check "data make: Windows and Linux datasets differ" cmp -s lf.csv lf_linux.csv
    "$native" export q.lln --target cortex-m4 --out fw_linux >/dev/null 2>&1
    check "export: Windows and Linux firmware differ" diff -rq fw fw_linux
    check "the Windows model does not load on Linux" "$native" info m.lln
    compared="compared with the Linux lln"
else
    echo "NOT RUN: byte comparison with the Linux lln (no LINUX_LLN given or not executable)"
    compared="NOT compared with a Linux lln"
fi
echo "windows lln under wine64: $pass passed, $failures failed ($compared)"
[ "$failures" -eq 0 ]
