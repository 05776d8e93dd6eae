#!/bin/bash
# lln train --history, sparsity and the energy budget on the built-in line-follow log:
# the history file has the exact header, one well-formed row per epoch, keeps its rows on
# --resume and is never torn by kill -9; --l1 / --prune-threshold remove synapses that
# `lln info` no longer counts, and the pruned model still exports and verifies bit-exactly
# (skipped loudly without the cross toolchain and QEMU); penalties keep runs bit-identical;
# --energy-budget-mw reaches a reachable budget on a device of the database (the estimate within
# 15 % of the QEMU-measured power of the final model when the cross tools exist), refuses one
# below the floor before training, takes --devices FILE, and bad combinations exit 2.
# Usage: cli_sparse.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_sparse
header='epoch,train_loss,valid_loss,valid_metric,lr,seconds'
# well_formed FILE ROWS: comments, the header, ROWS rows numbered 1.. of 6 fields
well_formed() {
    awk -F, -v h="$header" -v rows="$2" '
        /^#/ { if (seen) bad = "comment after the header"; next }
        !seen { if ($0 != h) bad = "header: " $0; seen = 1; next }
        { n++; if (NF != 6 || $1 != n || $2 == "" || $5 == "" || $6 == "") bad = "row: " $0 }
        END { if (!seen) bad = "no header"; if (rows >= 0 && n != rows) bad = n " rows";
              if (bad != "") { print bad; exit 1 } }' "$1"
}

line_follow
ltc=(--wiring autoncp --units 12 --seed 2)
opt=(--lr 0.01 --batch 16 --threads 2 --quiet)

# ---- history ----------------------------------------------------------------------------------
out=$("$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 3 --history "$tmp/h.csv" \
    --name lf-ltc -o "$tmp/h.lln" 2>&1) || fail "train --history: $out"
msg=$(well_formed "$tmp/h.csv" 3) || fail "history: $msg: $(cat "$tmp/h.csv")"
grep -qx '# model=lf-ltc' "$tmp/h.csv" || fail "history lacks '# model=lf-ltc'"
grep -qx '# metric=mse' "$tmp/h.csv" || fail "history lacks '# metric=mse'"
awk -F, '!/^#/ && NR > 3 && ($4 == "" || $4 < 0) { exit 1 }' "$tmp/h.csv" ||
    fail "valid_metric (mse) missing: $(cat "$tmp/h.csv")"
# no validation split: the valid columns are empty
out=$("$lln" train "${data[@]}" --valid 0 "${ltc[@]}" "${opt[@]}" --epochs 2 \
    --history "$tmp/nv.csv" -o "$tmp/nv.lln" 2>&1) || fail "train --valid 0: $out"
awk -F, '!/^#/ && $1 != "epoch" && ($3 != "" || $4 != "") { exit 1 }' "$tmp/nv.csv" ||
    fail "without validation the valid fields must be empty: $(cat "$tmp/nv.csv")"
# --resume keeps the earlier rows and continues the numbering and the clock
"$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 2 --history "$tmp/r.csv" \
    -o "$tmp/r.lln" >/dev/null 2>&1 || fail "train 2 epochs"
head -n 5 "$tmp/r.csv" >"$tmp/r2.csv"
out=$("$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 4 --history "$tmp/r.csv" \
    --resume -o "$tmp/r.lln" 2>&1) || fail "train --resume: $out"
msg=$(well_formed "$tmp/r.csv" 4) || fail "resumed history: $msg: $(cat "$tmp/r.csv")"
[ "$(head -n 5 "$tmp/r.csv")" = "$(cat "$tmp/r2.csv")" ] || fail "--resume changed the old rows"
awk -F, '!/^#/ && $1 != "epoch" { if ($6 + 0 < last) exit 1; last = $6 + 0 }' "$tmp/r.csv" ||
    fail "seconds go backwards after --resume: $(cat "$tmp/r.csv")"
# kill -9 at random moments never leaves a torn file
for _ in 1 2 3; do
    rm -f "$tmp/k.csv"
    "$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 200 --history "$tmp/k.csv" \
        --no-checkpoint -o "$tmp/k.lln" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 6 + 2))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ -e "$tmp/k.csv" ]; then
        msg=$(well_formed "$tmp/k.csv" -1) || fail "history after kill -9: $msg"
    fi
done
expect 2 'history' -- "$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --history

# ---- sparsity ---------------------------------------------------------------------------------
syn() { "$lln" info "$1" | awk '/^synapses/ { print $2 + $4 }'; }
macs() { "$lln" info "$1" | awk '/^per step/ { print $3 }'; }
"$lln" new --inputs 8 "${ltc[@]}" --outputs 2 -o "$tmp/dense.lln" >/dev/null
out=$("$lln" train "${data[@]}" "${ltc[@]}" --lr 0.01 --batch 16 --threads 2 --epochs 6 \
    --l1 0.5 --prune-threshold 0.6 --prune-every 2 -o "$tmp/p.lln" 2>&1) || fail "prune: $out"
[ "$(grep -c '^prune      epoch' <<<"$out")" -eq 3 ] || fail "expected 3 prune lines: $out"
grep -qE 'prune      epoch 2: [0-9]+ synapses removed; [0-9]+ left, [0-9]+ parameters, [0-9]+ MACs' \
    <<<"$out" || fail "prune line format: $out"
s0=$(syn "$tmp/dense.lln")
s1=$(syn "$tmp/p.lln")
[ "$s1" -lt "$s0" ] || fail "pruning kept $s1 of $s0 synapses"
[ "$(macs "$tmp/p.lln")" -lt "$(macs "$tmp/dense.lln")" ] || fail "pruning did not cut MACs"
# the same seed and threads give the same bytes with penalties and pruning
"$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 6 --l1 0.5 --group-lasso 0.1 \
    --prune-threshold 0.6 --prune-every 2 --no-checkpoint -o "$tmp/d1.lln" >/dev/null 2>&1
"$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 6 --l1 0.5 --group-lasso 0.1 \
    --prune-threshold 0.6 --prune-every 2 --no-checkpoint -o "$tmp/d2.lln" >/dev/null 2>&1
cmp -s "$tmp/d1.lln" "$tmp/d2.lln" || fail "same seed and threads with penalties: models differ"
# wired CfC prunes too; dense CfC takes L1 but refuses masks
out=$("$lln" train "${data[@]}" --cell wired_cfc "${ltc[@]}" "${opt[@]}" --epochs 4 --l1 0.5 \
    --group-lasso 1 --prune-threshold 0.02 --prune-every 2 -o "$tmp/w.lln" 2>&1) ||
    fail "wired CfC prune: $out"
"$lln" new --cell wired_cfc --inputs 8 "${ltc[@]}" --outputs 2 -o "$tmp/wd.lln" >/dev/null
[ "$(macs "$tmp/w.lln")" -lt "$(macs "$tmp/wd.lln")" ] || fail "wired CfC pruning did not cut MACs"
cfc=(--cell cfc --units 8 --backbone-units 16 --seed 2)
expect 0 'wrote' -- "$lln" train "${data[@]}" "${cfc[@]}" "${opt[@]}" --epochs 1 --l1 0.1 \
    --no-checkpoint -o "$tmp/c.lln"
expect 2 'dense CfC has no sparsity masks' -- "$lln" train "${data[@]}" "${cfc[@]}" "${opt[@]}" \
    --epochs 1 --prune-threshold 0.1 -o "$tmp/c.lln"
expect 2 'dense CfC has no sparsity masks.*group lasso' -- "$lln" train "${data[@]}" "${cfc[@]}" \
    "${opt[@]}" --epochs 1 --group-lasso 0.1 -o "$tmp/c.lln"
expect 2 'prune-every needs --prune-threshold' -- "$lln" train "${data[@]}" "${ltc[@]}" \
    --prune-every 2 -o "$tmp/x.lln"

# ---- the pruned model on a device ---------------------------------------------------------------
expect 0 '' -- "$lln" export "$tmp/p.lln" --target cortex-m4 --float --out "$tmp/fw"
[ -s "$tmp/fw/lln_model.c" ] || fail "export wrote no model source: $(ls "$tmp/fw")"
awk 'BEGIN { printf "dt"; for (i = 0; i < 8; i++) printf ",x%d", i; print "";
    for (t = 0; t < 200; t++) { printf "%.3f", 0.02 + (t * 7 % 11) / 20.0;
        for (i = 0; i < 8; i++) printf ",%.4f", (1 + i % 3) * sin(0.1 * t + i); print "" } }' \
    >"$tmp/calib.csv"
expect 0 'quantized' -- "$lln" quantize "$tmp/p.lln" --calib "$tmp/calib.csv" -o "$tmp/p.q.lln"
if have arm-none-eabi-gcc qemu-system-arm; then
    expect 0 'bit-identical' -- "$lln" verify "$tmp/p.lln" --target cortex-m4 --steps 16
    expect 0 'PASS' -- "$lln" verify "$tmp/p.q.lln" --target cortex-m4 --steps 16
else
    echo "SKIP (loud): arm-none-eabi-gcc or qemu-system-arm missing: the pruned model was" \
        "exported but not verified; install with: sh scripts/deps.sh sim" >&2
fi

# ---- energy budget ------------------------------------------------------------------------------
energy=(--rate 100 --device stm32l4r5)
out=$("$lln" train "${data[@]}" "${ltc[@]}" "${opt[@]}" --epochs 4 --round-epochs 2 \
    --energy-budget-mw 0.62 "${energy[@]}" --history "$tmp/e.csv" -o "$tmp/e.lln" 2>&1) ||
    fail "energy budget 0.62 mW: $out"
grep -q '^energy     within budget' <<<"$out" || fail "energy: $out"
grep -q '^energy     budget 0.62 mW at 100 Hz on stm32l4r5 (cortex-m4f: .*CPI 1.42 at 120 MHz' \
    <<<"$out" || fail "energy header names no device figures: $out"
if have arm-none-eabi-gcc qemu-system-arm; then
    # the final model profiled for real: the estimate the loop used is close to QEMU's count
    line=$(grep '^measured   stm32l4r5 on cortex-m4f: ' <<<"$out") || fail "no measured line: $out"
    awk -v l="$line" 'BEGIN { n = split(l, w, /[(),% ]+/); bad = 0; k = 0
        for (i = 1; i <= n; i++) if (w[i] ~ /^[-+][0-9.]+$/) { k++; if (w[i] > 15 || w[i] < -15) bad = 1 }
        exit !(k == 2 && !bad) }' || fail "estimate vs measured off by more than 15 %: $line"
else
    grep -q 'SKIPPED (loud): the final model was not profiled' <<<"$out" ||
        fail "without the cross tools the final profile must be skipped loudly: $out"
fi
first=$(awk '/^round +0 / { print $9 }' <<<"$out")
last=$(awk '/^round +[0-9]+ / { p = $9 } END { print p }' <<<"$out")
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a && b <= 0.62 && a > 0.62) }' ||
    fail "power did not fall from above to below 0.62 mW ($first -> $last): $out"
msg=$(well_formed "$tmp/e.csv" -1) || fail "energy history: $msg"
[ "$(syn "$tmp/e.lln")" -lt "$s0" ] || fail "energy loop kept every synapse"
expect 1 'cannot be reached.*every synapse removed' -- "$lln" train "${data[@]}" "${ltc[@]}" \
    "${opt[@]}" --energy-budget-mw 0.1 "${energy[@]}" -o "$tmp/x.lln"
[ ! -e "$tmp/x.lln" ] || fail "an impossible budget still trained and wrote a model"
expect 2 'needs --rate HZ and --device D' -- "$lln" train "${data[@]}" "${ltc[@]}" \
    --energy-budget-mw 1 -o "$tmp/x.lln"
expect 2 "unknown device 'esp32x' \\(known: .*stm32l4r5.*nrf52840" -- "$lln" train "${data[@]}" \
    "${ltc[@]}" --energy-budget-mw 1 --rate 100 --device esp32x -o "$tmp/x.lln"
# another database: the same chip drawing ten times the active power cannot reach 0.8 mW
cat >"$tmp/dev.txt" <<'DEV'
[hotchip]
name = STM32L4R5 at ten times its active power (test)
core = cortex-m4f
target = cortex-m4f
emulated = yes
clock_mhz = 120 | U | test
voltage_v = 3.3 | U | test
active_mw = 745 | U | test: 10 x 74.5
flash_bytes = 2M | U | test
ram_bytes = 640K | U | test
fpu = yes | U | test
cpi = 1.3 | U | test
default_sleep = stop2
sleep.stop2.power_uw = 3.6 | U | test
sleep.stop2.retains_ram = yes | U | test
sleep.stop2.wake_us = 20 | U | test
DEV
expect 1 'cannot be reached: at 100 Hz on hotchip' -- "$lln" train "${data[@]}" "${ltc[@]}" \
    "${opt[@]}" --energy-budget-mw 0.8 --rate 100 --device hotchip --devices "$tmp/dev.txt" \
    -o "$tmp/x.lln"
expect 2 "unknown device 'stm32l4r5' \\(known: hotchip\\)" -- "$lln" train "${data[@]}" "${ltc[@]}" \
    --energy-budget-mw 0.8 "${energy[@]}" --devices "$tmp/dev.txt" -o "$tmp/x.lln"
printf '[broken]\nclock_mhz = 120\n' >"$tmp/bad.txt"
expect 1 'bad.txt:2' -- "$lln" train "${data[@]}" "${ltc[@]}" --energy-budget-mw 0.8 \
    "${energy[@]}" --devices "$tmp/bad.txt" -o "$tmp/x.lln"
expect 2 'belong to --energy-budget-mw' -- "$lln" train "${data[@]}" "${ltc[@]}" \
    --devices "$tmp/dev.txt" -o "$tmp/x.lln"
expect 2 'belong to --energy-budget-mw' -- "$lln" train "${data[@]}" "${ltc[@]}" --rate 100 \
    -o "$tmp/x.lln"
expect 2 'dense CfC' -- "$lln" train "${data[@]}" "${cfc[@]}" --energy-budget-mw 1 "${energy[@]}" \
    -o "$tmp/x.lln"

cli_end
