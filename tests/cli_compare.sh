#!/bin/bash
# lln compare on the built-in line-follow data: every model kind trained, quantized and
# profiled; the table, compare.json (the schema lln report reads), matched sizes, and the
# refusals. Needs the Cortex-M cross compiler and QEMU for the profiles (skips loudly without).
# Usage: cli_compare.sh PATH/TO/lln
set -u
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_compare
lln=$(abs_path "$1")

"$lln" data make line-follow --rows 6000 --seed 3 -o "$tmp/lf.csv" >/dev/null || fail "data make"
data=(--data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t --targets "cmd_l,cmd_r"
    --window 32 --stride 16)

# refusals come before any training
expect_exit 2 "no --device" "$lln" compare "${data[@]}" -o "$tmp/x"
expect_exit 2 "no -o" "$lln" compare "${data[@]}" --device stm32l4r5
expect_exit 2 "unknown device" "$lln" compare "${data[@]}" --device nosuch -o "$tmp/x"
grep -q "unknown device 'nosuch'" "$tmp/out" || fail "unknown device message: $(cat "$tmp/out")"
expect_exit 2 "unknown kind" "$lln" compare "${data[@]}" --device stm32l4r5 --models ltc,rnn -o "$tmp/x"
expect_exit 2 "repeated kind" "$lln" compare "${data[@]}" --device stm32l4r5 --models ltc,ltc -o "$tmp/x"
expect_exit 2 "bad --match" "$lln" compare "${data[@]}" --device stm32l4r5 --match speed -o "$tmp/x"
expect_exit 2 "bad --rate" "$lln" compare "${data[@]}" --device stm32l4r5 --rate 0 -o "$tmp/x"
printf 'a,b\n1,x\n' >"$tmp/bad.csv"
expect_exit 1 "bad data" "$lln" compare --data "$tmp/bad.csv" --device stm32l4r5 -o "$tmp/x"
"$lln" compare --help | grep -q -- '--match KIND' || fail "--help lacks --match"

have arm-none-eabi-gcc qemu-system-arm ||
    skip_loud "no arm-none-eabi-gcc / qemu-system-arm: lln compare cannot profile"

# every kind the build knows; size matching against a 16-unit LTC
kinds=ltc,cfc
for k in gru lstm mlp; do
    "$lln" new --cell "$k" --inputs 2 --units 4 -o "$tmp/probe.lln" >/dev/null 2>&1 && kinds=$kinds,$k
done
out=$("$lln" compare "${data[@]}" --models "$kinds" --device stm32l4r5 --rate 50 --epochs 2 \
    --threads 1 --seed 4 -o "$tmp/c" 2>&1) || fail "compare $kinds: $out"
echo "$out" | sed -n '/^model/,$p'
python3 - "$tmp/c" "$kinds" <<'PY' || fail "compare.json / profile files disagree or miss keys"
import json, os, sys
d, kinds = sys.argv[1], sys.argv[2].split(",")
c = json.load(open(os.path.join(d, "compare.json")))
assert c["lln_result"] == "compare" and c["version"] == 1, c
assert c["metric"] == "mse" and c["device"] == "stm32l4r5" and c["rate_hz"] == 50
assert c["match"] == "size" and c["task"] == "lf"
assert [r["model"] for r in c["rows"]] == kinds
ref = c["rows"][0]["params"]
for r in c["rows"]:
    # the sizes match: within a third of the reference's parameter count
    assert abs(r["params"] - ref) <= ref / 3, (r["model"], r["params"], ref)
    assert r["metric_value"] > 0 and r["valid_metric_value"] > 0
    p = json.load(open(os.path.join(d, "%s-%d.profile.json" % (r["model"], r["units"]))))
    q = p["profiles"][0]
    for k in ("flash_bytes", "ram_bytes", "cycles_per_step", "energy_per_step_uj",
              "avg_power_mw", "instructions_per_step"):
        assert abs(q[k] - r[k]) <= 1e-6 * abs(q[k]), (k, q[k], r[k])
    assert os.path.exists(os.path.join(d, r["history"])), r["history"]
    assert os.path.exists(os.path.join(d, r["model_file"])), r["model_file"]
PY
# the metric in the table is the fixed-point firmware's, as lln quantize recorded it
stored=$("$lln" info "$tmp/c/ltc-16.q.lln" | awk '$2 == "quant.test.fixed" { print $4 }')
row=$(awk '$1 == "ltc" && $2 == "16" { print $5 }' <<<"$out")
awk -v a="$stored" -v b="$row" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 1e-3 * a) }' ||
    fail "ltc test metric in the table '$row' is not quant.test.fixed '$stored'"
"$lln" report "$tmp/c/compare.json" -o "$tmp/r.html" >/dev/null 2>&1 || fail "lln report of compare.json"
grep -q 'Pareto' "$tmp/r.html" || fail "report lacks the Pareto figure"

# a failing step names itself and its log
out=$("$lln" compare "${data[@]}" --models ltc --device stm32l4r5 --epochs 1 --lr -5 \
    -o "$tmp/f" 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "failing training: exit $rc, want 1: $out"
if ! grep -q "training ltc failed" <<<"$out" || ! grep -q "ltc-16.train.log" <<<"$out"; then
    fail "failing training is not named with its log: $out"
fi

# --runtime float: no quantization; the metric is the float model's, as lln eval computes it
out=$("$lln" compare "${data[@]}" --models ltc --runtime float --device nrf52840 --epochs 1 \
    --threads 1 -o "$tmp/fl" 2>&1) || fail "compare --runtime float: $out"
[ ! -e "$tmp/fl/ltc-16.q.lln" ] || fail "--runtime float quantized the model"
ev=$("$lln" eval "$tmp/fl/ltc-16.lln" --data "$tmp/lf.csv" --on test | awk '$1 == "mse" { print $2 }')
python3 - "$tmp/fl/compare.json" "$ev" <<'PY' || fail "--runtime float metric is not lln eval's ($ev)"
import json, sys
r = json.load(open(sys.argv[1]))["rows"][0]
assert abs(r["metric_value"] - float(sys.argv[2])) <= 1e-5 * float(sys.argv[2]), r
PY

# --match accuracy: the reference is reached or the row says it was not
out=$("$lln" compare "${data[@]}" --models ltc,cfc --match accuracy --tolerance 0.5 \
    --device nrf52840 --epochs 2 --threads 1 -o "$tmp/a" 2>&1) || fail "compare --match accuracy: $out"
python3 - "$tmp/a/compare.json" <<'PY' || fail "--match accuracy result"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["match"] == "accuracy"
ref, cfc = c["rows"]
assert cfc["reached"] == (cfc["valid_metric_value"] <= ref["valid_metric_value"] * 1.5), c
PY

cli_end
