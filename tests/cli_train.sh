#!/bin/bash
# lln train / lln eval: a small model learns the built-in line-follow log in a few seconds;
# eval agrees with train's test line; a config file gives the same model as the flags; a run
# interrupted with SIGINT and resumed equals an uninterrupted one byte for byte; kill -9 at
# random moments never leaves an unloadable model or checkpoint; classification prints a
# confusion matrix; bad flags exit 2, bad data exit 1 naming file:line and the column.
# Usage: cli_train.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_train

line_follow
model=(--cell cfc --units 8 --backbone-units 16 --seed 2)
opt=(--lr 0.01 --batch 16 --threads 2 --quiet)

# ---- learns; eval agrees with the test line of train -----------------------------------------
out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 1 -o "$tmp/e1.lln" 2>&1) ||
    fail "train 1 epoch: $out"
out=$("$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --epochs 12 -o "$tmp/m.lln" 2>&1) ||
    fail "train: $out"
grep -q '^wrote .*m.lln and .*m.lln.ckpt' <<<"$out" || fail "train output: $out"
test1=$(eval_mse "$tmp/e1.lln")
test12=$(train_mse "$out")
awk -v a="$test1" -v b="$test12" 'BEGIN { exit !(b > 0 && b < a / 3) }' ||
    fail "no learning: normalized test mse after 1 epoch $test1, after 12 $test12"
ev=$(eval_mse "$tmp/m.lln")
[ "$ev" = "$test12" ] || fail "eval --on test gives $ev, train printed $test12"
expect 0 'data.features = s0,s1,s2,s3,s4,gyro,enc_l,enc_r' -- "$lln" info "$tmp/m.lln"
expect 0 'train.position' -- "$lln" info "$tmp/m.lln.ckpt"
out=$("$lln" run "$tmp/m.lln" --input <(cut -d, -f4-11 "$tmp/lf.csv" | head -n 20) 2>&1) ||
    fail "lln run on the trained model: $out"

# ---- a config file is the same as the flags -----------------------------------------------------
cat >"$tmp/train.conf" <<EOF
# the same run as the flags above
data = $tmp/lf.csv
sequence = episode
dt-column = dt
ignore = t
targets = cmd_l,cmd_r
window = 32
stride = 16
cell = cfc
units = 8
backbone-units = 16
seed = 2
lr = 0.01
batch = 16
threads = 2
quiet = true
epochs = 12
EOF
"$lln" train --config "$tmp/train.conf" -o "$tmp/c.lln" >/dev/null 2>&1 || fail "train --config"
cmp -s "$tmp/m.lln" "$tmp/c.lln" || fail "--config gives another model than the flags"
expect 0 '^evaluated' -- "$lln" eval "$tmp/m.lln" --config "$tmp/train.conf"
printf 'epochs = 2\nfrobnicate = 1\n' >"$tmp/bad.conf"
expect 2 'bad.conf:2: .frobnicate. is not an option' -- "$lln" train --config "$tmp/bad.conf" -o "$tmp/x.lln"
expect 1 'nope.conf' -- "$lln" train --config "$tmp/nope.conf" -o "$tmp/x.lln"

# ---- SIGINT after the first checkpoint, then --resume: the same bytes ------------------------
long=(--epochs 30)
"$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" "${long[@]}" -o "$tmp/full.lln" >/dev/null 2>&1 ||
    fail "uninterrupted run"
"$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" "${long[@]}" -o "$tmp/part.lln" >"$tmp/part.out" 2>&1 &
pid=$!
for _ in $(seq 200); do [ -e "$tmp/part.lln.ckpt" ] && break; sleep 0.02; done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" -eq 130 ]; then
    grep -q 'resume' "$tmp/part.out" || fail "interrupted run does not say how to resume"
    "$lln" info "$tmp/part.lln" >/dev/null 2>&1 || fail "interrupted run left no loadable model"
    "$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" "${long[@]}" -o "$tmp/part.lln" --resume \
        >/dev/null 2>&1 || fail "--resume failed"
elif [ "$rc" -ne 0 ]; then
    fail "interrupted run exited $rc: $(cat "$tmp/part.out")"
else
    echo "note: the run ended before SIGINT arrived; resume not exercised this time"
fi
cmp -s "$tmp/full.lln" "$tmp/part.lln" || fail "interrupted + resumed model differs from the uninterrupted one"
expect 1 'no checkpoint' -- "$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" --resume -o "$tmp/none.lln"
expect 1 'batch=16' -- "$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" "${long[@]}" --batch 8 \
    --resume -o "$tmp/part.lln"

# ---- kill -9 at random moments: what is on disk always loads ------------------------------------
for i in 1 2 3; do
    rm -f "$tmp/k.lln" "$tmp/k.lln.ckpt"
    "$lln" train "${data[@]}" "${model[@]}" "${opt[@]}" "${long[@]}" -o "$tmp/k.lln" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 9 + 1))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    for f in "$tmp/k.lln" "$tmp/k.lln.ckpt"; do
        [ -e "$f" ] || continue
        "$lln" info "$f" >/dev/null 2>&1 || fail "kill -9 #$i left an unloadable $f"
    done
done

# ---- classification: accuracy and a confusion matrix --------------------------------------------
awk -F, 'NR == 1 { print $0 ",turn"; next } { print $0 "," ($11 > $12 ? "right" : "left") }' \
    "$tmp/lf.csv" >"$tmp/cls.csv"
# shellcheck disable=SC2054
cls=(--data "$tmp/cls.csv" --sequence episode --dt-column dt --features s0,s1,s2,s3,s4,gyro
    --targets turn --labels string --window 32 --stride 16)
out=$("$lln" train "${cls[@]}" --cell wired_cfc --wiring autoncp --units 10 "${opt[@]}" --epochs 8 \
    -o "$tmp/cls.lln" 2>&1) || fail "classification training: $out"
grep -qE '^test +loss [0-9.]+, accuracy 0\.[5-9]' <<<"$out" || fail "classification: $out"
expect 0 'confusion' -- "$lln" eval "$tmp/cls.lln" --data "$tmp/cls.csv"
expect 0 'accuracy +[01]\.[0-9]+ \(' -- "$lln" eval "$tmp/cls.lln" --data "$tmp/cls.csv" --loss-steps last

# ---- bad command lines: exit 2 ------------------------------------------------------------------
expect 0 '^usage: lln train' -- "$lln" train --help
expect 0 '^usage: lln eval' -- "$lln" eval --help
expect 2 "Try 'lln train --help'" -- "$lln" train --no-such-flag
expect 2 'data' -- "$lln" train -o "$tmp/x.lln"
expect 2 'epochs' -- "$lln" train "${data[@]}" "${model[@]}" --epochs 0 -o "$tmp/x.lln"
expect 2 'optimizer' -- "$lln" train "${data[@]}" "${model[@]}" --optimizer rmsprop -o "$tmp/x.lln"
expect 2 'cross-entropy needs class labels' -- "$lln" train "${data[@]}" "${model[@]}" --loss ce -o "$tmp/x.lln"
expect 2 'units' -- "$lln" train "${data[@]}" --cell cfc -o "$tmp/x.lln"
expect 2 'inputs 3, but the data have 8' -- "$lln" train "${data[@]}" "${model[@]}" --inputs 3 -o "$tmp/x.lln"
expect 2 "Try 'lln eval --help'" -- "$lln" eval "$tmp/m.lln" --data "$tmp/lf.csv" --on everything
[ -e "$tmp/x.lln" ] && fail "a refused command line left a model file"

# ---- bad data: exit 1, file:line and the column --------------------------------------------------
{ head -n 3 "$tmp/lf.csv"; sed -n 4p "$tmp/lf.csv" | awk -F, -v OFS=, '{ $5 = "oops"; print }'; } \
    >"$tmp/bad.csv"
expect 1 'bad.csv:4.*s1' -- "$lln" train --data "$tmp/bad.csv" --targets cmd_l,cmd_r "${model[@]}" -o "$tmp/x.lln"
expect 1 'no_such_column' -- "$lln" train "${data[@]}" --targets no_such_column "${model[@]}" -o "$tmp/x.lln"
expect 1 'missing.csv' -- "$lln" train --data "$tmp/missing.csv" "${model[@]}" -o "$tmp/x.lln"
expect 1 'missing.lln' -- "$lln" eval "$tmp/missing.lln" --data "$tmp/lf.csv"
[ -e "$tmp/x.lln" ] && fail "a failed training left a model file"

cli_end
