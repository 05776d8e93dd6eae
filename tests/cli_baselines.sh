#!/bin/bash
# Baselines (gru, lstm, mlp) through the CLI: lln train learns the line-follow log (the test
# error after 12 epochs is well below the one after 1); eval agrees with train; a config file
# gives the same model as the flags; info and run work on the result; dt is ignored; bad
# configurations exit 2 naming the key; lln quantize gives each a fixed-point model within 5 %
# of its float test error (an MLP without output layer is refused; firmware:
# tests/cli_verify.sh).
# Usage: cli_baselines.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_baselines

line_follow
opt=(--lr 0.01 --batch 16 --threads 2 --quiet --seed 2)

# ---- each baseline learns; eval agrees; info and run work -----------------------------------
for cell in gru lstm mlp; do
    case $cell in
    mlp) model=(--cell mlp --mlp-window 6 --backbone-units 16 --backbone-layers 2) ;;
    *) model=(--cell "$cell" --units 8) ;;
    esac
    out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 1 -o "$tmp/$cell-1.lln" 2>&1) ||
        fail "$cell: train 1 epoch: $out"
    out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 12 -o "$tmp/$cell.lln" 2>&1) ||
        fail "$cell: train: $out"
    grep -q "^model *$cell, 8 inputs" <<<"$out" || fail "$cell: train's model line: $out"
    t1=$(eval_mse "$tmp/$cell-1.lln")
    t12=$(train_mse "$out")
    awk -v a="$t1" -v b="$t12" 'BEGIN { exit !(b > 0 && b < a / 2 && b < 0.3) }' ||
        fail "$cell: no learning: normalized test mse after 1 epoch $t1, after 12 $t12"
    echo "$cell: normalized test mse after 1 epoch $t1, after 12 epochs $t12"
    ev=$(eval_mse "$tmp/$cell.lln")
    [ "$ev" = "$t12" ] || fail "$cell: eval --on test gives $ev, train printed $t12"
    expect 0 "^cell +$cell \(" -- "$lln" info "$tmp/$cell.lln"
    expect 0 "\"cell\": \"$cell\"" -- "$lln" info --json "$tmp/$cell.lln"
    # dt is ignored: two different dt columns give the same outputs
    cut -d, -f4-11 "$tmp/lf.csv" | head -n 40 >"$tmp/in.csv"
    a=$("$lln" run "$tmp/$cell.lln" --input "$tmp/in.csv" --dt 0.01) || fail "$cell: run"
    b=$("$lln" run "$tmp/$cell.lln" --input "$tmp/in.csv" --dt 5) || fail "$cell: run --dt 5"
    if [ -z "$a" ] || [ "$a" != "$b" ]; then fail "$cell: outputs depend on dt"; fi
    [ "$(wc -l <<<"$a")" -eq 40 ] || fail "$cell: run wrote $(wc -l <<<"$a") lines"
done
expect 0 'memory +LSTM cell state \(8 values\)' -- "$lln" info "$tmp/lstm.lln"
expect 0 'window of 6 inputs, hidden 2 x 16 relu' -- "$lln" info "$tmp/mlp.lln"

# ---- a config file is the same as the flags ---------------------------------------------------
cat >"$tmp/train.conf" <<EOF
data = $tmp/lf.csv
sequence = episode
dt-column = dt
ignore = t
targets = cmd_l,cmd_r
window = 32
stride = 16
cell = mlp
mlp-window = 6
backbone-units = 16
backbone-layers = 2
seed = 2
lr = 0.01
batch = 16
threads = 2
quiet = true
epochs = 12
EOF
"$lln" train --config "$tmp/train.conf" -o "$tmp/c.lln" >/dev/null 2>&1 || fail "train --config"
cmp -s "$tmp/mlp.lln" "$tmp/c.lln" || fail "--config gives another model than the flags"

# ---- errors ------------------------------------------------------------------------------------
expect 2 'mixed_memory is not available for gru' -- "$lln" new --cell gru --inputs 3 --units 4 \
    --mixed-memory -o "$tmp/x.lln"
expect 2 "mlp's state is its window" -- "$lln" new --cell mlp --inputs 3 --units 4 -o "$tmp/x.lln"
expect 2 'mlp_window' -- "$lln" new --cell mlp --inputs 3 --mlp-window 0 -o "$tmp/x.lln"
expect 2 'not one of: ltc, cfc, wired_cfc, gru, lstm, mlp' -- "$lln" new --cell rnn --inputs 3 \
    --units 4 -o "$tmp/x.lln"
"$lln" new --cell mlp --inputs 8 --backbone-units 8 -o "$tmp/mlp_noproj.lln" >/dev/null
expect 1 "fixed point needs the mlp's output layer" -- "$lln" quantize "$tmp/mlp_noproj.lln" \
    --data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t --targets cmd_l,cmd_r \
    -o "$tmp/q.lln"

# ---- fixed point: the test error within 5 % of the float model's ---------------------------
for cell in gru lstm mlp; do
    out=$("$lln" quantize "$tmp/$cell.lln" --data "$tmp/lf.csv" --sequence episode --dt-column dt \
        --ignore t --targets cmd_l,cmd_r -o "$tmp/$cell.q.lln" 2>&1) || fail "quantize $cell: $out"
    rel=$(sed -nE 's/^ *test +mse float [0-9.e-]+ +fixed [0-9.e-]+ +\(([-+0-9.]+) % relative\)/\1/p' <<<"$out")
    awk -v r="$rel" 'BEGIN { exit !(r != "" && r < 5 && r > -5) }' ||
        fail "$cell fixed point: test mse differs by '$rel' % from float: $out"
    echo "$cell fixed point: test mse $rel % relative to float"
done

cli_end
