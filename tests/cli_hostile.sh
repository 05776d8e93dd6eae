#!/bin/bash
# Regression tests for the defects found by hostile input (issue 16, item 6): each block names
# the defect it pins down and fails if the old behaviour (a crash, a silent wrong answer, a lost
# write, a message without its place) comes back.
# Usage: cli_hostile.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
shared=${2:-}
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
if ! { [ "$(wc -l <<<"$out")" -eq 2 ]; }; then
    fail "run: a 5000-input model must stream 5000 columns: $out"
fi
# the streamed row equals the same row given with the Δt column explicit
{ printf 'dt,'; row 5000 ''; printf '1,'; row 5000 0.25; } >"$tmp/in5kdt.csv"
out2=$("$lln" run "$tmp/m5k.lln" -i "$tmp/in5kdt.csv" --dt-column dt 2>&1)
if ! { [ "$out" = "$out2" ]; }; then
    fail "run: 5000 inputs with and without a dt column differ: $out / $out2"
fi

# ---- 4 (run): write errors name the output and the reason ----------------------------------
"$lln" new --inputs 3 --wiring autoncp --units 12 --outputs 3 -o "$tmp/ltc.lln" >/dev/null || fail "new ltc"
printf 'a,b,c\n0.1,0.2,0.3\n' >"$tmp/in.csv"
expect 1 '<stdout>: cannot write output .*No space left' -- sh -c "\"$lln\" run \"$tmp/ltc.lln\" -i \"$tmp/in.csv\" >/dev/full"
expect 1 'big.csv: cannot write output .*File too large' -- \
    bash -c "ulimit -f 0; trap '' XFSZ; \"$lln\" run \"$tmp/ltc.lln\" -i \"$tmp/in.csv\" -o \"$tmp/big.csv\""
[ -e "$tmp/big.csv" ] && fail "run -o: a failed write left $tmp/big.csv"
ls "$tmp"/big.csv.tmp.* >/dev/null 2>&1 && fail "run -o: a failed write left a temporary file"

# ---- 4: output lost on standard output is a failure (info, info --json, eval, data info) ------
expect 1 'lln info: <stdout>: cannot write output: No space left' -- sh -c "\"$lln\" info \"$tmp/ltc.lln\" >/dev/full"
expect 1 'lln info: <stdout>: cannot write output' -- sh -c "\"$lln\" info --json \"$tmp/ltc.lln\" >/dev/full"
printf 'seq,a,b\n0,1,2\n0,2,3\n0,3,4\n' >"$tmp/d.csv"
expect 1 'lln data: <stdout>: cannot write output' -- sh -c "\"$lln\" data info \"$tmp/d.csv\" >/dev/full"

# ---- 5: a multi-member .csv.gz whose second member's header is damaged is an error ---------
if have gzip; then
    { printf 'a,b\n'; seq 1 20 | awk '{ print $1 "," $1 * 2 }'; } | gzip -c >"$tmp/m1.gz"
    seq 21 40 | awk '{ print $1 "," $1 * 2 }' | gzip -c >"$tmp/m2.gz"
    cat "$tmp/m1.gz" "$tmp/m2.gz" >"$tmp/two.csv.gz"
    expect 0 'rows +40' -- "$lln" data info "$tmp/two.csv.gz"
    m1size=$(wc -c <"$tmp/m1.gz")
    { cat "$tmp/m1.gz"; printf '\000'; tail -c +2 "$tmp/m2.gz"; } >"$tmp/bad2.csv.gz"
    expect 1 "bad2.csv.gz: after line 21: damaged gzip data: bytes at offset $m1size after gzip member 1" -- \
        "$lln" data info "$tmp/bad2.csv.gz"
    head -c $((m1size + 5)) "$tmp/two.csv.gz" >"$tmp/cut2.csv.gz"
    expect 1 'cut2.csv.gz: after line 21: damaged gzip data: unexpected end of file' -- \
        "$lln" data info "$tmp/cut2.csv.gz"
else
    echo "SKIP (loud): gzip is missing; the multi-member checks did not run" >&2
fi

# ---- 6: --resume and --history: numbering, a foreign file at the path, another --seed -------
"$lln" data make line-follow --rows 600 --seed 3 -o "$tmp/lf.csv" 2>/dev/null || fail "data make"
# shellcheck disable=SC2054 # commas inside column lists, not between elements
tr=(--data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t --targets cmd_l,cmd_r
    --window 16 --stride 16 --cell cfc --units 4 --backbone-units 4 --batch 8 --threads 1 --quiet)
expect 0 'wrote' -- "$lln" train "${tr[@]}" --seed 2 --epochs 2 -o "$tmp/r.lln" --history "$tmp/r.csv"
expect 2 'r.lln.ckpt was made with --seed 2, this run has 5' -- \
    "$lln" train "${tr[@]}" --seed 5 --epochs 3 -o "$tmp/r.lln" --history "$tmp/r.csv" --resume
rm -f "$tmp/r.csv"
expect 0 'warning: --history .*r.csv is missing; the resumed run numbers its rows from epoch 3' -- \
    "$lln" train "${tr[@]}" --seed 2 --epochs 3 -o "$tmp/r.lln" --history "$tmp/r.csv" --resume
if ! { [ "$(grep -c '^[0-9]' "$tmp/r.csv")" = 1 ] && grep -q '^3,' "$tmp/r.csv"; }; then
    fail "resume without a history: the new row must be epoch 3: $(cat "$tmp/r.csv")"
fi
cp "$tmp/lf.csv" "$tmp/keep.csv"
expect 1 'keep.csv: the file exists and is not a training history.*not overwriting' -- \
    "$lln" train "${tr[@]}" --seed 2 --epochs 4 -o "$tmp/r.lln" --history "$tmp/keep.csv" --resume
expect 1 'keep.csv: the file exists and is not a training history' -- \
    "$lln" train "${tr[@]}" --seed 2 --epochs 1 -o "$tmp/r2.lln" --history "$tmp/keep.csv"
cmp -s "$tmp/lf.csv" "$tmp/keep.csv" || fail "--history overwrote a data file"
if [ "$(id -u)" != 0 ]; then
    cp "$tmp/r.csv" "$tmp/locked.csv" && chmod 000 "$tmp/locked.csv"
    expect 1 'locked.csv: cannot read it' -- \
        "$lln" train "${tr[@]}" --seed 2 --epochs 4 -o "$tmp/r.lln" --history "$tmp/locked.csv" --resume
else
    echo "SKIP (loud): running as root, an unreadable --history file cannot be made" >&2
fi

# ---- 8: lln verify --input refuses steps the runtime would reject (before any build) --------
printf 'dt,a,b,c\n0.1,1,2,3\n0,1,2,3\n' >"$tmp/v0.csv"
expect 1 "v0.csv:3: column 1 \('dt'\): elapsed time 0 must be > 0" -- \
    "$lln" verify "$tmp/ltc.lln" --target cortex-m4 --input "$tmp/v0.csv"
printf 'dt,a,b,c\n0.1,1,2,3\n-1,1,2,3\n' >"$tmp/vneg.csv"
expect 1 'vneg.csv:3: column 1 .*elapsed time -1 must be > 0' -- \
    "$lln" verify "$tmp/ltc.lln" --target cortex-m4 --input "$tmp/vneg.csv"
printf 'dt,a,b,c\n0.1,1e39,2,3\n' >"$tmp/vbig.csv"
expect 1 'vbig.csv:2: column 2: 1e\+39 is not a finite float32 value' -- \
    "$lln" verify "$tmp/ltc.lln" --target cortex-m4 --input "$tmp/vbig.csv"
printf 'dt,a,b,c\n0.1,1,2,3\n1e-40,1,2,3\n' >"$tmp/vsub.csv" # > 0, but the runtime rejects it
expect 1 'vsub.csv: step 1 .*rejected by the runtime.*1 of 2 steps' -- \
    "$lln" verify "$tmp/ltc.lln" --target cortex-m4 --input "$tmp/vsub.csv"

# ---- 9: lln report with a FIFO as a history path does not hang; 11: a JSON file with a BOM ---
mkdir -p "$tmp/rep"
cat >"$tmp/rep/c.json" <<'EOF_JSON'
{"lln_result": "compare", "version": 1, "data": "d.csv", "task": "t", "metric": "accuracy",
 "device": "stm32l4r5", "rate_hz": 100, "match": "size",
 "rows": [{"model": "ltc", "params": 300, "metric_value": 0.9, "flash_bytes": 9000,
           "ram_bytes": 500, "cycles_per_step": 1000, "energy_per_step_uj": 1.5,
           "avg_power_mw": 1.2, "history": "fifo.csv"}]}
EOF_JSON
if have mkfifo timeout; then
    mkfifo "$tmp/rep/fifo.csv"
    expect 0 "history '[^']*fifo.csv' is not a regular file" -- timeout 20 "$lln" report "$tmp/rep/c.json" -o "$tmp/rep/r.html"
    expect 1 'fifo.csv: not a regular file' -- timeout 20 "$lln" report "$tmp/rep/fifo.csv" -o "$tmp/rep/r.html"
else
    echo "SKIP (loud): mkfifo or timeout missing; the FIFO checks did not run" >&2
fi
{ printf '\357\273\277'; cat "$tmp/rep/c.json"; } >"$tmp/rep/bom.json"
expect 0 'wrote .*r2.html \(1 figures' -- "$lln" report "$tmp/rep/bom.json" -o "$tmp/rep/r2.html"

# ---- 10: lln info shows control characters of metadata escaped; the device database knows
# the export targets
awk 'BEGIN { printf "seq,a\033]0;pwned\007,b\302\233c,y\n"; for (s = 0; s < 4; s++) for (t = 0; t < 10; t++)
    printf "%d,%d,%d,%d\n", s, t, t * 2, t % 3 }' >"$tmp/esc.csv"
expect 0 'wrote' -- "$lln" train --data "$tmp/esc.csv" --sequence seq --targets y --window 5 --stride 5 \
    --cell cfc --units 4 --backbone-units 4 --epochs 1 --quiet -o "$tmp/esc.lln"
out=$("$lln" info "$tmp/esc.lln" 2>&1)
grep -qF 'data.features = a\x1b]0;pwned\x07,b\u009bc' <<<"$out" || fail "info: metadata not escaped: $(grep features <<<"$out" | od -c | head -3)"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$out" && fail "info: a control character reached the terminal"
"$lln" info --json "$tmp/esc.lln" | grep -qF '"data.features": "a\u001b]0;pwned\u0007,b\u009bc"' ||
    fail "info --json: metadata not escaped"
dev=$(dirname "$0")/../share/devices.txt
if [ -f "$dev" ]; then
    sed 's/^target = cortex-m7$/target = z80/' "$dev" >"$tmp/dev.txt"
    line=$(grep -n '^target = z80$' "$tmp/dev.txt" | head -n1 | cut -d: -f1)
    expect 1 "dev.txt:$line: key 'target': 'z80' is not a target of lln export \(cortex-m0" -- \
        "$lln" profile --list-devices --devices "$tmp/dev.txt"
else
    echo "SKIP (loud): share/devices.txt not found next to the tests; the z80 check did not run" >&2
fi

# ---- 11: messages name the option, the real range, the column, the file --------------------
expect 2 "lln compare: --match: 'bogus' is not size or accuracy" -- "$lln" compare --match bogus x
expect 2 "lln compare: --runtime: 'bogus' is not float or fixed" -- "$lln" compare --runtime bogus x
expect 2 'lln compare: --rate: -5 is not in \(0, 1e\+06\]' -- "$lln" compare --rate -5 x
expect 2 "lln new: --units: units = '-5' is not an integer in \[1, 65536\]" -- \
    "$lln" new --inputs 3 --units -5 -o "$tmp/x.lln"
expect 2 "lln new: --ode-unfolds: ode_unfolds = '0' is not an integer in \[1, 65536\]" -- \
    "$lln" new --inputs 3 --units 4 --ode-unfolds 0 -o "$tmp/x.lln"
awk 'BEGIN { print "seq,a,b,y"; for (s = 0; s < 4; s++) for (t = 0; t < 10; t++)
    printf "%d,%s,%d,%d\n", s, (s == 1 && t == 3 ? "1e308" : t), t * 2, t % 3 }' >"$tmp/big.csv"
expect 1 "big.csv: column 'a' \(feature 1\): mean .*std inf: its values are too large" -- \
    "$lln" train --data "$tmp/big.csv" --sequence seq --targets y --window 5 --stride 5 --cell cfc \
    --units 4 --backbone-units 4 --epochs 1 --quiet -o "$tmp/big.lln"
printf '\357\273\277epochs = 1\nquiet = true\n' >"$tmp/bom.conf"
printf 'epochs = 1\nqu\000iet = true\n' >"$tmp/nul.conf"
expect 0 '^test ' -- "$lln" train "${tr[@]}" --config "$tmp/bom.conf" -o "$tmp/bom.lln"
expect 2 'nul.conf:2: a NUL byte: a config file is text' -- \
    "$lln" train "${tr[@]}" --config "$tmp/nul.conf" -o "$tmp/nul.lln"

# ---- 11 (getopt): option errors name the command as "lln CMD" ------------------------------
for cmd in train eval info run quantize; do
    expect 2 "^lln $cmd: (unrecognized|unknown) option" -- "$lln" "$cmd" --no-such-flag
done

# ---- 10 (run): CR-only line ends; float32 range ---------------------------------------------
printf 'a,b,c\n0.1,0.2,0.3\n0.4,0.5,0.6\n1,2,3\n' >"$tmp/lf.csv"
printf 'a,b,c\r0.1,0.2,0.3\r0.4,0.5,0.6\r\n1,2,3' >"$tmp/cr.csv"
lf=$("$lln" run "$tmp/ltc.lln" -i "$tmp/lf.csv" 2>&1)
cr=$("$lln" run "$tmp/ltc.lln" -i "$tmp/cr.csv" 2>&1)
if ! { [ "$(wc -l <<<"$lf")" -eq 4 ] && [ "$lf" = "$cr" ]; }; then
    fail "run: CR / CRLF / LF line ends differ: $lf / $cr"
fi
printf 'a,b,c\n1e39,0,0\n' >"$tmp/huge.csv"
expect 1 'huge.csv:2: column 1: 1e39 is beyond the float32 range.*--f64' -- \
    "$lln" run "$tmp/ltc.lln" -i "$tmp/huge.csv"
expect 0 '^y0' -- "$lln" run "$tmp/ltc.lln" -i "$tmp/huge.csv" --f64

# ---- 3: class labels with a comma, > 64 KiB of class names; quantize matches classes by name --
awk 'BEGIN { srand(1); print "seq,x,y,label"; for (s = 0; s < 20; s++) for (t = 0; t < 20; t++) {
    x = rand() * 2 - 1; printf "%d,%.3f,%.3f,%s\n", s, x, rand(), (x > 0 ? "\"up,right\"" : "down") } }' >"$tmp/cls.csv"
cls=(--sequence seq --targets label --labels string --window 10 --stride 10 --cell cfc --units 4
    --backbone-units 4 --epochs 1 --quiet)
expect 0 'wrote' -- "$lln" train --data "$tmp/cls.csv" "${cls[@]}" -o "$tmp/cls.lln"
expect 0 'data.classes = down,up%2Cright' -- "$lln" info "$tmp/cls.lln"
sed 's/"up,right"/left/' "$tmp/cls.csv" >"$tmp/cls2.csv"
expect 1 "class 'left' of the data is not one of the model's 2 classes" -- \
    "$lln" eval "$tmp/cls.lln" --data "$tmp/cls2.csv"
expect 1 "lln quantize: class 'left' of the data is not one of the model's 2 classes" -- \
    "$lln" quantize "$tmp/cls.lln" --data "$tmp/cls2.csv" -o "$tmp/q.lln"
[ -e "$tmp/q.lln" ] && fail "quantize with an unknown class wrote a model"
expect 0 'accuracy' -- "$lln" eval "$tmp/cls.lln" --data "$tmp/cls.csv"
long_a=$(printf '%40000s' '' | tr ' ' a)
long_b=$(printf '%40000s' '' | tr ' ' b)
awk -v A="$long_a" -v B="$long_b" 'BEGIN { srand(1); print "seq,x,label"; for (s = 0; s < 4; s++)
    for (t = 0; t < 10; t++) { x = rand() * 2 - 1; printf "%d,%.3f,%s\n", s, x, (x > 0 ? A : B) } }' >"$tmp/long.csv"
expect 1 'data.classes: the names take 80001 bytes, a model file stores at most 65536' -- \
    "$lln" train --data "$tmp/long.csv" "${cls[@]}" -o "$tmp/long.lln"
[ -e "$tmp/long.lln" ] && fail "train with unstorable class names wrote a model"

# ---- 2: import-ncps --check with NaN references; --tolerance -1; h0 default; --auto --------
expect 2 '--tolerance: -1 is negative' -- "$lln" import-ncps x.pt --check y.pt --tolerance -1
g=$shared/golden
torch_py=
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import torch' 2>/dev/null; then torch_py=$py; break; fi
done
if [ ! -d "$g/ltc_ncp" ]; then
    echo "SKIP (loud): import-ncps checks need golden checkpoints in \$2 ($shared); they did not run" >&2
elif [ -z "$torch_py" ]; then
    echo "SKIP (loud): NaN-reference checks need python3-torch to write io.pt files; they did not run" >&2
else
    "$torch_py" - "$g/ltc_ncp/io.pt" "$tmp" <<'PY' || fail "could not write the io.pt variants"
import sys, torch
src, out = sys.argv[1], sys.argv[2]
io = torch.load(src)
nan = dict(io); o = io['outputs'].clone().reshape(-1); o[:-1] = float('nan')
nan['outputs'] = o.reshape(io['outputs'].shape); torch.save(nan, out + '/nan95.pt')
alln = dict(io); alln['outputs'] = torch.full_like(io['outputs'], float('nan')); torch.save(alln, out + '/nan96.pt')
zero = dict(io); zero['h0'] = torch.zeros_like(io['h0']); torch.save(zero, out + '/h0zero.pt')
noh0 = dict(io); del noh0['h0']; torch.save(noh0, out + '/noh0.pt')
PY
    ck=$g/ltc_ncp/model_state_dict.pt
    expect 0 'PASS' -- "$lln" import-ncps "$ck" --check "$g/ltc_ncp/io.pt"
    expect 1 '95 of 96 reference values .*FAIL' -- "$lln" import-ncps "$ck" --check "$tmp/nan95.pt"
    expect 1 '96 of 96 reference values .*FAIL' -- "$lln" import-ncps "$ck" --check "$tmp/nan96.pt"
    # h0 absent = h0 zeros: the same figure either way
    a=$("$lln" import-ncps "$ck" --check "$tmp/h0zero.pt" 2>&1 | grep -o '= [^ ]*' | head -n1)
    b=$("$lln" import-ncps "$ck" --check "$tmp/noh0.pt" 2>&1 | grep -o '= [^ ]*' | head -n1)
    if ! { [ -n "$a" ] && [ "$a" = "$b" ]; }; then
        fail "import-ncps: io.pt without h0 ($b) must replay as h0 = 0 ($a)"
    fi
    # the options a state_dict cannot record: a hint on FAIL, and --auto finds them
    w=$g/wcfc_autoncp_nogate_ts
    expect 1 'hint: the checkpoint does not record --mode.*--auto' -- \
        "$lln" import-ncps "$w/model_state_dict.pt" --check "$w/io.pt"
    expect 0 'auto: --mode no_gate: max .* = [0-9.]+e-0[6-9]' -- \
        "$lln" import-ncps "$w/model_state_dict.pt" --check "$w/io.pt" --auto -o "$tmp/auto.lln"
    expect 0 'PASS' -- "$lln" import-ncps "$w/model_state_dict.pt" --mode no_gate --check "$w/io.pt"
    expect 1 'hint: the checkpoint does not record --positivity' -- \
        "$lln" import-ncps "$ck" --positivity identity --check "$g/ltc_ncp/io.pt"
    expect 2 '--auto needs --check' -- "$lln" import-ncps "$ck" --auto -o "$tmp/x.lln"
    # 11: a value error names the checkpoint file
    "$torch_py" - "$ck" "$tmp/nanck.pt" <<'PY' || fail "could not write a NaN checkpoint"
import sys, torch
sd = torch.load(sys.argv[1]); sd['rnn_cell.gleak'][0] = float('nan'); torch.save(sd, sys.argv[2])
PY
    expect 1 'nanck.pt: tensor .rnn_cell.gleak.: element 0 = nan' -- "$lln" import-ncps "$tmp/nanck.pt" -o "$tmp/x.lln"
fi

cli_end
