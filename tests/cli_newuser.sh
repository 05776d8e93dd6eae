#!/bin/bash
# Issue 16, item 5: what a new user lacked. Column ranges and patterns in --features /
# --targets / --ignore select the same columns as the names written out (the same model bytes
# from the same seed), and their errors say which selector failed.
# Usage: cli_newuser.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_newuser

"$lln" data make line-follow --rows 1500 --seed 3 -o "$tmp/lf.csv" 2>/dev/null || fail "data make"
m=(--sequence episode --dt-column dt --window 16 --cell cfc --units 4 --backbone-units 4 --seed 3
    --epochs 1 --batch 8 --threads 1 --quiet --no-checkpoint)

# ---- column ranges and patterns ---------------------------------------------------------------
expect 0 'wrote' -- "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets cmd_l,cmd_r \
    --features s0,s1,s2,s3,s4,gyro -o "$tmp/names.lln"
expect 0 'wrote' -- "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets 'cmd_*' \
    --features 's0..s4,gyro' -o "$tmp/range.lln"
expect 0 'wrote' -- "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets '#12..#13' \
    --ignore 't,enc_?' -o "$tmp/ignore.lln"
cmp -s "$tmp/names.lln" "$tmp/range.lln" || fail "'cmd_*' / 's0..s4,gyro' select other columns than the names"
cmp -s "$tmp/names.lln" "$tmp/ignore.lln" || fail "'#12..#13' / --ignore 't,enc_?' select other columns than the names"
expect 0 'data.features = s0,s1,s2,s3,s4,gyro' -- "$lln" info "$tmp/range.lln"
expect 1 "^lln train: --targets: .*lf.csv: pattern 'zz\\*' \\(target\\) matches no column" -- \
    "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets 'zz*' -o "$tmp/x.lln"
expect 2 "^lln train: --features: .*range 's4..s0': 's4' \\(column 8\\) comes after 's0' \\(column 4\\)" -- \
    "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets cmd_l --features 's4..s0' -o "$tmp/x.lln"
expect 1 "^lln train: --features: .*lf.csv:1: no column named 'q'" -- \
    "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets cmd_l --features 's0..q' -o "$tmp/x.lln"
expect 1 "^lln train: --ignore: .*no column named 'nope'" -- \
    "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets cmd_l --ignore nope -o "$tmp/x.lln"
expect 2 "selected as target \\(--targets\\) and as feature \\(--features\\)" -- \
    "$lln" train --data "$tmp/lf.csv" "${m[@]}" --targets cmd_l --features s0,cmd_l -o "$tmp/x.lln"
# a column list recorded in the model: the message says so and names the option that overrides
sed '1s/^episode,t,dt,s0,/episode,t,dt,z0,/' "$tmp/lf.csv" >"$tmp/renamed.csv"
expect 1 "^lln eval: data.features of the model \\(--features overrides\\): .*no column named 's0'" -- \
    "$lln" eval "$tmp/names.lln" --data "$tmp/renamed.csv"
expect 1 "^lln quantize: data.features of the model \\(--features overrides\\): .*no column named 's0'" -- \
    "$lln" quantize "$tmp/names.lln" --data "$tmp/renamed.csv" -o "$tmp/x.lln"
sed '1s/^episode,/ep,/' "$tmp/lf.csv" >"$tmp/noseq.csv"
expect 1 "^lln eval: data.sequence of the model \\(--sequence overrides\\): .*no column named 'episode'" -- \
    "$lln" eval "$tmp/names.lln" --data "$tmp/noseq.csv"
expect 0 'test ' -- "$lln" eval "$tmp/names.lln" --data "$tmp/renamed.csv" --features z0,s1,s2,s3,s4,gyro

# ---- every error names its option: --target of export and verify --------------------------
expect 2 "^lln export: --target: unknown target 'z80' \\(known: cortex-m0, .*, generic\\)$" -- \
    "$lln" export "$tmp/names.lln" --target z80 --out "$tmp/fw"
[ -e "$tmp/fw" ] && fail "export with an unknown target created its output directory"
expect 2 "^lln verify: --target: unknown target 'z80' \\(known: cortex-m0, .*rv32imafc\\)$" -- \
    "$lln" verify "$tmp/names.lln" --target z80
expect 2 "^lln verify: --target: target 'generic' has no emulator" -- \
    "$lln" verify "$tmp/names.lln" --target generic

# ---- --monitor valid_mse: the best epoch is chosen on the validation MSE in data units ----------
expect 0 'best +epoch [0-9]+ of 4: valid mse \(data units\)' -- "$lln" train --data "$tmp/lf.csv" "${m[@]}" \
    --targets 'cmd_*' --ignore t --epochs 4 --monitor valid_mse --history "$tmp/h.csv" -o "$tmp/mse.lln"
best=$("$lln" info "$tmp/mse.lln" | awk '/trained.best_epoch/ { print $4 }')
bm=$("$lln" info "$tmp/mse.lln" | awk '/trained.best_metric/ { print $4 }')
row=$(awk -F, -v e="$best" '$1 == e { print $4 }' "$tmp/h.csv")
low=$(awk -F, '/^[0-9]/ { if (min == "" || $4 < min) min = $4 } END { print min }' "$tmp/h.csv")
checks=$((checks + 1))
if ! { [ -n "$bm" ] && [ "$bm" = "$row" ] && [ "$row" = "$low" ]; }; then
    fail "--monitor valid_mse: best metric $bm, history row of epoch $best has valid mse $row, lowest $low"
fi
awk 'BEGIN { print "seq,x,label"; for (s = 0; s < 8; s++) for (t = 0; t < 10; t++)
    printf "%d,%d,%s\n", s, t, (t % 2 ? "odd" : "even") }' >"$tmp/cls.csv"
expect 2 '--monitor valid_mse needs numeric targets' -- "$lln" train --data "$tmp/cls.csv" \
    --sequence seq --targets label --labels string --window 5 --cell cfc --units 4 \
    --backbone-units 4 --epochs 1 --quiet --monitor valid_mse -o "$tmp/x.lln"

# ---- --drop-last: floor(n/B) batches instead of ceil(n/B), so another model ------------------
tr=(--data "$tmp/lf.csv" --sequence episode --dt-column dt --targets 'cmd_*' --ignore t --window 16
    --stride 16 --cell cfc --units 4 --backbone-units 4 --seed 2 --batch 8 --threads 1 --epochs 2
    --no-checkpoint)
n=$("$lln" train "${tr[@]}" -o "$tmp/all.lln" | sed -n 's/^windows .* train \([0-9]*\),.*/\1/p')
expect 0 "training +2 epochs of $(((n + 7) / 8)) batches" -- "$lln" train "${tr[@]}" -o "$tmp/all.lln"
expect 0 "training +2 epochs of $((n / 8)) batches" -- "$lln" train "${tr[@]}" --drop-last -o "$tmp/drop.lln"
checks=$((checks + 1))
if [ $((n % 8)) -eq 0 ]; then
    fail "the test data should leave a partial batch ($n training windows)"
elif cmp -s "$tmp/all.lln" "$tmp/drop.lln"; then
    fail "--drop-last trained the same model"
fi
expect 2 "--drop-last: the $n training windows make no full batch of --batch 512" -- \
    "$lln" train "${tr[@]}" --drop-last --batch 512 -o "$tmp/x.lln"

cli_end
