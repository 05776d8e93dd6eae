#!/bin/bash
# Issue 16, item 5 "no silent wrong answers": everything lln train needs to reproduce its split
# is recorded in the model, and `lln eval MODEL --data FILE --on test` with no other option
# gives the test figure lln train printed, for a model trained with a windows file, with a
# split column, with --dt-default and with --time-scale; or it refuses and says why (the window
# list is missing or changed). An explicit option overrides, with a warning naming the key.
# Usage: cli_recorded_split.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_recorded_split

"$lln" data make line-follow --rows 3000 --seed 3 -o "$tmp/lf.csv" 2>/dev/null || fail "data make"
# a split column in blocks of 96 rows; a window list of 60 windows over two sequences
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "part"; next }
    { b = int(NR / 96) % 10; print $0, (b == 9 ? "test" : b == 8 ? "valid" : "train") }' \
    "$tmp/lf.csv" >"$tmp/sc.csv"
awk 'BEGIN { print "ep,first,len,which"; srand(5); for (i = 0; i < 60; i++)
    printf "%d,%d,%d,%s\n", i % 2, int(rand() * 1300), 20 + int(rand() * 10),
        (i % 5 == 0 ? "test" : i % 5 == 1 ? "valid" : "train") }' >"$tmp/wins.csv"
model=(--cell cfc --units 6 --backbone-units 8 --seed 2 --epochs 2 --batch 8 --threads 1 --quiet)
# shellcheck disable=SC2054 # commas inside column lists, not between elements
cols=(--sequence episode --dt-column dt --ignore t --targets cmd_l,cmd_r)

# train_vs_eval NAME DATA TRAIN-OPTIONS...: the test line of train = eval --on test
train_vs_eval() {
    local name=$1 csv=$2 out tr ev
    shift 2
    out=$("$lln" train --data "$csv" "$@" "${model[@]}" -o "$tmp/$name.lln" 2>&1) ||
        { fail "$name: train: $out"; return; }
    tr=$(train_mse "$out")
    ev=$(eval_mse "$tmp/$name.lln" "$csv")
    checks=$((checks + 1))
    if ! { [ -n "$tr" ] && [ "$tr" = "$ev" ]; }; then
        fail "$name: lln train's test figure '$tr' but lln eval --on test gives '$ev'"
    fi
}

train_vs_eval wins "$tmp/lf.csv" "${cols[@]}" --windows-file "$tmp/wins.csv" --windows-start first \
    --windows-sequence ep --windows-length len --windows-split which
train_vs_eval splitcol "$tmp/sc.csv" "${cols[@]}" --split-column part --window 16
train_vs_eval dtdef "$tmp/lf.csv" --sequence episode --ignore t,dt --targets cmd_l,cmd_r \
    --dt-default 0.5 --window 16
train_vs_eval tscale "$tmp/lf.csv" "${cols[@]}" --time-scale 1000 --window 16
train_vs_eval shift "$tmp/lf.csv" --sequence episode --dt-column dt --targets s0,s1 \
    --features 's0..s4,gyro' --target-shift 1 --window 16
train_vs_eval seqs "$tmp/lf.csv" "${cols[@]}" --window 16 --test-sequence 2 --valid-sequence 1 --tail pad

expect 0 'data.windows_crc32 = [0-9a-f]{8}' -- "$lln" info "$tmp/wins.lln"
expect 0 'data.dt_default = 0.5' -- "$lln" info "$tmp/dtdef.lln"
expect 0 'data.split_column = part' -- "$lln" info "$tmp/splitcol.lln"
expect 0 'data.target_shift = 1' -- "$lln" info "$tmp/shift.lln"
# next-step targets drop the last row of each of the 3 sequences
expect 0 'data +.*lf.csv: 2997 rows, 3 sequences, 6 features -> 2 targets' -- \
    "$lln" eval "$tmp/shift.lln" --data "$tmp/lf.csv" --on test

# the window list moved beside the data: found there (same checksum)
mkdir -p "$tmp/moved"
cp "$tmp/lf.csv" "$tmp/wins.csv" "$tmp/moved/"
ref=$(eval_mse "$tmp/wins.lln")
mv "$tmp/wins.csv" "$tmp/wins.away"
got=$(eval_mse "$tmp/wins.lln" "$tmp/moved/lf.csv")
if ! { [ -n "$ref" ] && [ "$ref" = "$got" ]; }; then
    fail "eval with the window list beside the data: '$got', want '$ref'"
fi
# nowhere to be found: refused, naming the file and the option
expect 1 'trained with --windows-file .*wins.csv, which cannot be read here.*give --windows-file' -- \
    "$lln" eval "$tmp/wins.lln" --data "$tmp/lf.csv" --on test
# changed since training: refused; given explicitly: used, with a warning
sed '$d' "$tmp/wins.away" >"$tmp/wins.csv"
expect 1 'wins.csv: the window list has changed since training \(CRC-32' -- \
    "$lln" eval "$tmp/wins.lln" --data "$tmp/lf.csv" --on test
expect 0 'warning: --windows-file .*wins.csv has CRC-32 [0-9a-f]+, the training.s window list had' -- \
    "$lln" eval "$tmp/wins.lln" --data "$tmp/lf.csv" --on test --windows-file "$tmp/wins.csv" \
    --windows-start first --windows-sequence ep --windows-length len --windows-split which
# an explicit option that differs from the recorded one is used, with a warning naming the key
expect 0 'warning: --dt-default 0.25 overrides the training.s data.dt_default = 0.5' -- \
    "$lln" eval "$tmp/dtdef.lln" --data "$tmp/lf.csv" --on test --dt-default 0.25
expect 0 'warning: --window 8 overrides the training.s data.window = 16' -- \
    "$lln" eval "$tmp/splitcol.lln" --data "$tmp/sc.csv" --on test --window 8
# quantize uses the recorded split too: its test figure is on the same 16 test windows
expect 0 'windows +182 of 16 steps: train 149, valid 17, test 16' -- \
    "$lln" quantize "$tmp/splitcol.lln" --data "$tmp/sc.csv" -o "$tmp/q.lln"

cli_end
