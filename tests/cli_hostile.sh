#!/bin/bash
# Regression tests for the defects found by hostile input (issue 16, item 6): each block names
# the defect it pins down and fails if the old behaviour (a crash, a silent wrong answer, a lost
# write, a message without its place) comes back.
# Usage: cli_hostile.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_hostile

# A row of N comma-separated copies of $2 (header names c0.. when $2 is '').
row() {
    awk -v n="$1" -v v="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? "," : ""), (v == "" ? "c" i : v); print "" }'
}

# ---- 1: lln run with 4096 fields per row; more than 4096 inputs ----------------------------
"$lln" new --cell cfc --inputs 4095 --units 4 -o "$tmp/m4k.lln" >/dev/null || fail "new 4095 inputs"
{ row 4096 ''; row 4096 0.1; } >"$tmp/in4k.csv"
expect 0 '^y0,y1,y2,y3' -- "$lln" run "$tmp/m4k.lln" -i "$tmp/in4k.csv" --dt-column c4095
# the same row without the Δt column is one input too many, said as such (no read past the end)
expect 1 'in4k.csv:1: 4096 feature columns, but the model has 4095 inputs' -- \
    "$lln" run "$tmp/m4k.lln" -i "$tmp/in4k.csv"
"$lln" new --cell cfc --inputs 5000 --units 4 -o "$tmp/m5k.lln" >/dev/null || fail "new 5000 inputs"
{ row 5000 ''; row 5000 0.25; } >"$tmp/in5k.csv"
out=$("$lln" run "$tmp/m5k.lln" -i "$tmp/in5k.csv" 2>&1)
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "run: a 5000-input model must stream 5000 columns: $out"
# the streamed row equals the same row given with the Δt column explicit
{ printf 'dt,'; row 5000 ''; printf '1,'; row 5000 0.25; } >"$tmp/in5kdt.csv"
out2=$("$lln" run "$tmp/m5k.lln" -i "$tmp/in5kdt.csv" --dt-column dt 2>&1)
[ "$out" = "$out2" ] || fail "run: 5000 inputs with and without a dt column differ: $out / $out2"

# ---- 4 (run): write errors name the output and the reason ----------------------------------
"$lln" new --inputs 3 --wiring autoncp --units 12 --outputs 3 -o "$tmp/ltc.lln" >/dev/null || fail "new ltc"
printf 'a,b,c\n0.1,0.2,0.3\n' >"$tmp/in.csv"
expect 1 '<stdout>: cannot write output .*No space left' -- sh -c "\"$lln\" run \"$tmp/ltc.lln\" -i \"$tmp/in.csv\" >/dev/full"
expect 1 'big.csv: cannot write output .*File too large' -- \
    bash -c "ulimit -f 0; trap '' XFSZ; \"$lln\" run \"$tmp/ltc.lln\" -i \"$tmp/in.csv\" -o \"$tmp/big.csv\""
[ -e "$tmp/big.csv" ] && fail "run -o: a failed write left $tmp/big.csv"
ls "$tmp"/big.csv.tmp.* >/dev/null 2>&1 && fail "run -o: a failed write left a temporary file"

# ---- 10 (run): CR-only line ends; float32 range ---------------------------------------------
printf 'a,b,c\n0.1,0.2,0.3\n0.4,0.5,0.6\n1,2,3\n' >"$tmp/lf.csv"
printf 'a,b,c\r0.1,0.2,0.3\r0.4,0.5,0.6\r\n1,2,3' >"$tmp/cr.csv"
lf=$("$lln" run "$tmp/ltc.lln" -i "$tmp/lf.csv" 2>&1)
cr=$("$lln" run "$tmp/ltc.lln" -i "$tmp/cr.csv" 2>&1)
[ "$(wc -l <<<"$lf")" -eq 4 ] && [ "$lf" = "$cr" ] || fail "run: CR / CRLF / LF line ends differ: $lf / $cr"
printf 'a,b,c\n1e39,0,0\n' >"$tmp/huge.csv"
expect 1 'huge.csv:2: column 1: 1e39 is beyond the float32 range.*--f64' -- \
    "$lln" run "$tmp/ltc.lln" -i "$tmp/huge.csv"
expect 0 '^y0' -- "$lln" run "$tmp/ltc.lln" -i "$tmp/huge.csv" --f64

cli_end
