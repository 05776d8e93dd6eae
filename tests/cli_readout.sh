#!/bin/bash
# The LTC's dense readout through the CLI: `lln train --readout dense` learns the line-follow
# log with as many outputs as targets (whatever the wiring's motor count), eval agrees with
# train, a config file gives the same model as the flags, info / run show and use it, bad
# combinations exit 2 naming the option or key, `lln quantize` keeps the fixed-point test error
# within 5 % of float, and `lln verify` runs the float32 and the fixed-point firmware
# bit-identically to the host on one target (skipped loudly without the cross tools).
# Usage: cli_readout.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_readout

line_follow
opt=(--lr 0.01 --batch 16 --threads 2 --quiet --seed 2)
# an NCP wiring with 3 motor neurons: the dense readout still has the data's 2 outputs
# shellcheck disable=SC2054 # the commas are inside --ncp's value
model=(--cell ltc --ncp 4,3,3,3,2,2,2 --readout dense)

# ---- training learns; eval agrees; info and run show and use the readout -----------------------
out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 1 -o "$tmp/d1.lln" 2>&1) ||
    fail "train 1 epoch: $out"
out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 10 -o "$tmp/d.lln" 2>&1) ||
    fail "train: $out"
grep -q "^model *ltc, 8 inputs, 10 units, 2 outputs" <<<"$out" || fail "train's model line: $out"
t1=$(eval_mse "$tmp/d1.lln")
t10=$(train_mse "$out")
awk -v a="$t1" -v b="$t10" 'BEGIN { exit !(b > 0 && b < 0.8 * a) }' ||
    fail "no learning: normalized test mse after 1 epoch $t1, after 10 $t10"
echo "dense readout: normalized test mse after 1 epoch $t1, after 10 epochs $t10"
ev=$(eval_mse "$tmp/d.lln")
[ "$ev" = "$t10" ] || fail "eval --on test gives $ev, train printed $t10"
expect 0 '^readout +dense \(fc: 2 x 10 over all units\)' -- "$lln" info "$tmp/d.lln"
expect 0 'output map none' -- "$lln" info "$tmp/d.lln"
expect 0 '"readout": "dense"' -- "$lln" info --json "$tmp/d.lln"
"$lln" new --inputs 3 --ncp 4,3,3,3,2,2,2 -o "$tmp/motor.lln" >/dev/null || fail "lln new (motor)"
expect 0 '^readout +motor \(the first 3 neurons, output map affine\)' -- "$lln" info "$tmp/motor.lln"
cut -d, -f4-11 "$tmp/lf.csv" | head -n 40 >"$tmp/in.csv"
run=$("$lln" run "$tmp/d.lln" --input "$tmp/in.csv" --dt 0.02) || fail "run"
[ "$(wc -l <<<"$run")" -eq 40 ] || fail "run wrote $(wc -l <<<"$run") lines"
[ "$(head -n 1 <<<"$run" | tr ',' '\n' | wc -l)" -eq 2 ] || fail "run: not 2 outputs: $run"

# ---- a config file is the same as the flags ---------------------------------------------------
cat >"$tmp/train.conf" <<EOF
data = $tmp/lf.csv
sequence = episode
dt-column = dt
ignore = t
targets = cmd_l,cmd_r
window = 32
stride = 16
cell = ltc
ncp = 4,3,3,3,2,2,2
readout = dense
seed = 2
lr = 0.01
batch = 16
threads = 2
quiet = true
epochs = 10
EOF
"$lln" train --config "$tmp/train.conf" -o "$tmp/c.lln" >/dev/null 2>&1 || fail "train --config"
cmp -s "$tmp/d.lln" "$tmp/c.lln" || fail "--config gives another model than the flags"

# ---- errors name the option or key -------------------------------------------------------------
expect 2 'readout = dense is for the ltc only' -- "$lln" new --cell cfc --inputs 3 --units 4 \
    --readout dense -o "$tmp/x.lln"
expect 2 "readout = 'wide' is not one of: motor, dense" -- "$lln" new --inputs 3 --units 4 \
    --readout wide -o "$tmp/x.lln"
expect 2 'proj_size = 2 needs readout = dense' -- "$lln" new --inputs 3 --units 4 --proj-size 2 \
    -o "$tmp/x.lln"
expect 2 'the model has 3 outputs, the data need 2' -- "$lln" train "${data[@]}" "${model[@]}" \
    "${opt[@]}" --epochs 1 --proj-size 3 -o "$tmp/x.lln"
[ ! -e "$tmp/x.lln" ] || fail "a refused command left $tmp/x.lln"

# ---- fixed point: within 5 % of float on the test split ----------------------------------------
out=$("$lln" quantize "$tmp/d.lln" --data "$tmp/lf.csv" -o "$tmp/dq.lln" 2>&1) ||
    fail "quantize: $out"
line=$(grep '^  test  *mse' <<<"$out")
awk -v l="$line" 'BEGIN { n = split(l, f, " "); fl = f[4]; fx = f[6];
    exit !(fl > 0 && fx > 0 && (fx - fl) / fl < 0.05 && (fl - fx) / fl < 0.05) }' ||
    fail "fixed point more than 5 % from float: $line"
echo "quantized: $line"
if ! grep -q 'p=-\?[0-9]' <<<"$out" || grep -q ' p=0$' <<<"$out"; then
    fail "the dense readout's output format was not calibrated: $(grep '^formats' <<<"$out")"
fi

# ---- firmware: bit-identical to the host on one target -----------------------------------------
if ! have arm-none-eabi-gcc qemu-system-arm; then
    skip_loud "lln verify part: arm-none-eabi-gcc or qemu-system-arm is missing (install with: sh scripts/deps.sh sim)"
fi
for m in d dq; do
    out=$("$lln" verify "$tmp/$m.lln" --target cortex-m4f --steps 16 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || ! grep -qx PASS <<<"$out" || ! grep -q 'bit-identical' <<<"$out"; then
        fail "verify $m.lln on cortex-m4f (exit $rc): $out"
    else
        echo "verify $m.lln cortex-m4f: $(grep instructions <<<"$out" | awk '{print $2}') instructions/step"
    fi
done
cli_end
