#!/bin/bash
# CLI behaviour: help, exit codes, error messages naming file/line/column, streaming output,
# atomic output files, and ncps checkpoint import reproducing ncps's outputs.
# Usage: cli_basic.sh PATH/TO/lln SHARED_DIR
set -u
lln=$1
shared=${2:-}
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_basic

expect 0 '^usage: lln COMMAND' -- "$lln" --help
expect 0 '^lln [0-9]+\.[0-9]+\.[0-9]+' -- "$lln" --version
expect 2 "unknown command 'frobnicate'" -- "$lln" frobnicate
expect 2 'usage' -- "$lln"
for cmd in new info run import-ncps; do
    expect 0 "^usage: lln $cmd" -- "$lln" "$cmd" --help
    expect 2 "Try 'lln $cmd --help'" -- "$lln" "$cmd" --no-such-flag
done

# new: required flags, validation messages, success
expect 2 'inputs' -- "$lln" new -o "$tmp/m.lln"
expect 2 'output' -- "$lln" new --inputs 3
expect 2 "mode = 'fast' is not one of" -- "$lln" new --cell cfc --inputs 3 --units 4 --mode fast -o "$tmp/m.lln"
expect 2 'sparsity' -- "$lln" new --inputs 3 --wiring autoncp --units 10 --outputs 2 --sparsity 0.05 -o "$tmp/m.lln"
expect 2 'motor_fanin' -- "$lln" new --inputs 3 --ncp 4,2,2,2,2,2,3 -o "$tmp/m.lln"
[ -e "$tmp/m.lln" ] && fail "a failed 'new' left a model file"
expect 0 'wrote' -- "$lln" new --inputs 3 --wiring autoncp --units 12 --outputs 3 -o "$tmp/ltc.lln"
expect 0 'wrote' -- "$lln" new --cell cfc --inputs 3 --units 6 --backbone-layers 2 --backbone-units 8 --mixed-memory --proj-size 2 -o "$tmp/cfc.lln"
expect 0 'wrote' -- "$lln" new --cell wired_cfc --inputs 3 --ncp 4,3,2,2,2,3,2 --mode pure -o "$tmp/wcfc.lln"
expect 0 'synapses +[0-9]+ internal, [0-9]+ sensory' -- "$lln" info "$tmp/ltc.lln"
expect 0 'motor +3 neurons \(ids 0-2\)' -- "$lln" info "$tmp/ltc.lln"
expect 0 '"cell": "wired_cfc"' -- "$lln" info --json "$tmp/wcfc.lln"
expect 0 'projection +2' -- "$lln" info "$tmp/cfc.lln"

# info on bad files
printf 'not a model' >"$tmp/bad.lln"
expect 1 'bad.lln' -- "$lln" info "$tmp/bad.lln"
expect 1 'missing.lln' -- "$lln" info "$tmp/missing.lln"

# run: one row out per row in, plain and with irregular dt
printf 'a,b,c\n0.1,0.2,0.3\n0.4,0.5,0.6\n\n-1,0,1\n' >"$tmp/in.csv"
out=$("$lln" run "$tmp/ltc.lln" --input "$tmp/in.csv")
[ "$(wc -l <<<"$out")" -eq 4 ] || fail "run: expected header + 3 rows, got: $out"
head -n1 <<<"$out" | grep -qx 'y0,y1,y2' || fail "run: header: $out"
printf 'dt,a,b,c\n0.5,0.1,0.2,0.3\n2.0,0.4,0.5,0.6\n' >"$tmp/dt.csv"
out=$("$lln" run "$tmp/cfc.lln" --input "$tmp/dt.csv" --dt-column dt --state)
[ "$(wc -l <<<"$out")" -eq 3 ] || fail "run --dt-column: $out"
head -n1 <<<"$out" | grep -qx 'y0,y1,h0,h1,h2,h3,h4,h5' || fail "run --state header: $out"
out=$("$lln" run "$tmp/ltc.lln" <"$tmp/in.csv")
[ "$(wc -l <<<"$out")" -eq 4 ] || fail "run from stdin: $out"
a=$("$lln" run "$tmp/ltc.lln" --input "$tmp/in.csv" --f64 | tail -n1 | cut -d, -f1)
b=$("$lln" run "$tmp/ltc.lln" --input "$tmp/in.csv" | tail -n1 | cut -d, -f1)
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-5) }' ||
    fail "run: f32 ($b) and f64 ($a) disagree"

# run: bad input names the place
printf 'a,b,c\n0.1,zz,0.3\n' >"$tmp/x.csv"
expect 1 'x.csv:2: column 2: .zz. is not a finite number' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv"
printf 'a,b,c\n0.1,0.2\n' >"$tmp/x.csv"
expect 1 'x.csv:2: 2 fields, expected 3' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv"
printf 'a,b,c\n0.1,0.2,0.3,0.4\n' >"$tmp/x.csv"
expect 1 'x.csv:2: more than 3 fields' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv"
printf 'a,b,c\n0.1,nan,0.3\n' >"$tmp/x.csv"
expect 1 'x.csv:2: column 2' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv"
printf 'a,b\n0.1,0.2\n' >"$tmp/x.csv"
expect 1 'x.csv:1: 2 feature columns, but the model has 3 inputs' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv"
printf 'dt,a,b,c\n0,0.1,0.2,0.3\n' >"$tmp/x.csv"
expect 1 'x.csv:2: column 1: elapsed time 0 must be > 0' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv" --dt-column dt
expect 1 "no column named 'time'" -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv" --dt-column time
expect 2 'dt' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/in.csv" --dt -1
expect 2 'not both' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/dt.csv" --dt 1 --dt-column dt
# a failed run with -o leaves neither the output nor a temporary file
printf 'a,b,c\n0.1,0.2,0.3\n0.1,bad,0.3\n' >"$tmp/x.csv"
expect 1 'bad' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/x.csv" -o "$tmp/out.csv"
for left in "$tmp"/out.csv*; do
    [ -e "$left" ] && fail "failed run left ${left##*/}"
done
expect 0 '' -- "$lln" run "$tmp/ltc.lln" --input "$tmp/in.csv" -o "$tmp/out.csv"
[ "$(wc -l <"$tmp/out.csv")" -eq 4 ] || fail "run -o: $(cat "$tmp/out.csv")"

# import-ncps: the three ncps checkpoints reproduce ncps's outputs
if [ -d "$shared/golden/ltc_ncp" ]; then
    g=$shared/golden
    expect 0 'PASS' -- "$lln" import-ncps "$g/ltc_ncp/model_state_dict.pt" --check "$g/ltc_ncp/io.pt" -o "$tmp/i1.lln"
    expect 0 'PASS' -- "$lln" import-ncps "$g/cfc_default_bb1_lecun/model_state_dict.pt" --check "$g/cfc_default_bb1_lecun/io.pt" -o "$tmp/i2.lln"
    expect 0 'PASS' -- "$lln" import-ncps "$g/wcfc_autoncp_nogate_ts/model_state_dict.pt" --mode no_gate --check "$g/wcfc_autoncp_nogate_ts/io.pt" -o "$tmp/i3.lln"
    # the wrong mode is caught by the check; the wrong cell by the key check
    expect 1 'FAIL' -- "$lln" import-ncps "$g/wcfc_autoncp_nogate_ts/model_state_dict.pt" --check "$g/wcfc_autoncp_nogate_ts/io.pt"
    expect 1 'CfC checkpoint lacks rnn_cell.ff1.weight' -- "$lln" import-ncps "$g/ltc_ncp/model_state_dict.pt" --cell cfc -o "$tmp/x.lln"
    expect 1 'io.pt' -- "$lln" import-ncps "$g/ltc_ncp/io.pt" -o "$tmp/x.lln"
    expect 0 'cell +ltc' -- "$lln" info "$tmp/i1.lln"
    expect 0 'source_file' -- "$lln" info "$tmp/i1.lln"
    # the imported model streams the io.pt inputs like the batch replay did
    expect 0 '' -- "$lln" run "$tmp/i2.lln" --input "$tmp/in.csv"
else
    echo "SKIP (loud): import-ncps checks need $shared/golden; they did not run" >&2
fi

cli_end
