#!/bin/bash
# lln profile: a small quantized model on two devices (one ARM, one RV32), the table, the
# JSON of the profile schema (docs/ENERGY.md), the budget answer, --list-devices, --devices
# FILE, and the refusals (unknown device or sleep mode, bad rate, bad database file, missing
# toolchain). Skipped (loudly, exit 77) when the cross toolchains or QEMU are absent.
# Usage: cli_profile.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_profile

# what needs no emulator first: the database, the command line, the refusals
expect_rc 0 '^usage: lln profile' "help" -- "$lln" profile --help
out=$("$lln" profile --list-devices) || fail "--list-devices: $out"
for d in stm32h743 stm32l4r5 stm32u5 nrf52840 rp2040 teensy41 esp32c3 esp32s3; do
    grep -q "^$d " <<<"$out" || fail "--list-devices lacks $d: $out"
done
grep -q '^esp32s3 .*no emulator: estimated' <<<"$out" || fail "esp32s3 not marked estimated: $out"
"$lln" new --inputs 4 --wiring autoncp --units 12 --outputs 3 --seed 3 -o "$tmp/m.lln" >/dev/null
expect_rc 2 "unknown device 'stm32f999' \(known: stm32h743" "bad device" -- \
    "$lln" profile "$tmp/m.lln" --device stm32l4r5,stm32f999
expect_rc 2 "--rate: 0 Hz is not in" "zero rate" -- "$lln" profile "$tmp/m.lln" --device rp2040 --rate 0
expect_rc 2 "--rate: 'fast' is not a finite number" "bad rate" -- \
    "$lln" profile "$tmp/m.lln" --device rp2040 --rate fast
expect_rc 2 "--budget-mw: -1 is not a power" "bad budget" -- \
    "$lln" profile "$tmp/m.lln" --device rp2040 --budget-mw -1
expect_rc 2 "no sleep mode 'deep' \(modes: stop2, sleep, standby, none\)" "bad sleep mode" -- \
    "$lln" profile "$tmp/m.lln" --device stm32l4r5 --sleep deep
expect_rc 2 "--device is required" "no device" -- "$lln" profile "$tmp/m.lln"
expect_rc 1 "missing.txt" "missing database" -- \
    "$lln" profile "$tmp/m.lln" --device rp2040 --devices "$tmp/missing.txt"
printf '[mcu]\ncore = cortex-m4\ntarget = cortex-m4\nclock_mhz = 80 | D\n' >"$tmp/bad.txt"
expect_rc 1 "bad.txt:4: key 'clock_mhz': expected 'value \| TAG \| source'" "bad database" -- \
    "$lln" profile --list-devices --devices "$tmp/bad.txt"
printf '[mcu]\ncore = cortex-m4\ntarget = cortex-m4\nclock_mhz = 80 | D | x\n' >"$tmp/short.txt"
expect_rc 1 "short.txt:1: device 'mcu' lacks voltage_v" "incomplete database" -- \
    "$lln" profile --list-devices --devices "$tmp/short.txt"
expect_rc 1 "missing.lln" "missing model" -- "$lln" profile "$tmp/missing.lln" --device rp2040

# a missing toolchain is named with its Debian package (PATH without the cross tools)
mkdir "$tmp/bin"
for t in bash timeout cc; do
    p=$(command -v "$t") && ln -s "$p" "$tmp/bin/$t"
done
expect_rc 1 "arm-none-eabi-gcc.*apt-get install -y --no-install-recommends gcc-arm-none-eabi" \
    "missing cross compiler" -- env PATH="$tmp/bin" "$lln" profile "$tmp/m.lln" --device stm32u5

need_tools "lln setup-toolchains (or sh scripts/deps.sh sim)" \
    arm-none-eabi-gcc riscv64-unknown-elf-gcc qemu-system-arm qemu-system-riscv32 python3

# the emulated runs: a quantized model (fixed-point runtime) on an ARM and an RV32 device
awk 'BEGIN { print "dt,a,b,c,d"; for (t = 0; t < 120; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5 }' >"$tmp/calib.csv"
"$lln" quantize "$tmp/m.lln" --calib "$tmp/calib.csv" -o "$tmp/q.lln" >/dev/null || fail "quantize"
out=$("$lln" profile "$tmp/q.lln" --device stm32l4r5,esp32c3 --rate 50 --budget-mw 5 2>&1) ||
    fail "profile (exit $?): $out"
echo "$out"
grep -q 'fixed-point runtime, 50 steps/s' <<<"$out" || fail "profile header: $out"
# the CPI of a Cortex-M4F device is this model's own, from the Cortex-M4 timings ([D])
grep -qE '^stm32l4r5 +cortex-m4f +[0-9]+ +1\.[0-9]+ ' <<<"$out" || fail "stm32l4r5 row: $out"
grep -q 'stm32l4r5: .*CPI \[D\]' <<<"$out" || fail "stm32l4r5: CPI not tagged [D]: $out"
grep -qE '^esp32c3 +rv32imc +[0-9]+ +1.4 ' <<<"$out" || fail "esp32c3 row: $out"
grep -qE 'budget 5 mW: (YES, within|NO, over) \(margin [+-]' <<<"$out" || fail "budget answer: $out"
grep -q 'only secondary or unverified figures' <<<"$out" || fail "no [S]/[U] warning: $out"

# the instruction count is the one lln verify reports for the same target
v=$("$lln" verify "$tmp/q.lln" --target cortex-m4f 2>&1) || fail "verify: $v"
vi=$(sed -nE 's/^  instructions +([0-9]+) per step.*/\1/p' <<<"$v")
pi=$(awk '$1 == "stm32l4r5" { print $3 }' <<<"$out")
if [ -z "$vi" ] || [ "$vi" != "$pi" ]; then
    fail "profile counts $pi instructions, verify $vi"
fi

# JSON: valid, the schema's keys, numbers consistent with the model
"$lln" profile "$tmp/q.lln" --device stm32l4r5,esp32s3 --json -o "$tmp/p.json" ||
    fail "profile --json -o"
python3 - "$tmp/p.json" <<'PY' || fail "profile JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lln_result"] == "profile" and d["version"] == 1, d
assert d["runtime"] == "fixed" and d["cell"] == "ltc" and d["params"] > 0, d
keys = ("device core target clock_mhz emulated instructions_per_step cpi cycles_per_step "
        "latency_us energy_per_step_uj rate_hz sleep_mode avg_power_mw max_rate_hz flash_bytes "
        "ram_bytes flash_capacity ram_capacity fits budget_mw within_budget sources notes").split()
assert [p["device"] for p in d["profiles"]] == ["stm32l4r5", "esp32s3"], d["profiles"]
for p in d["profiles"]:
    missing = [k for k in keys if k not in p]
    assert not missing, missing
    assert abs(p["cycles_per_step"] - p["instructions_per_step"] * p["cpi"]) <= 1, p
    assert abs(p["latency_us"] - p["cycles_per_step"] / p["clock_mhz"]) <= 0.01 * p["latency_us"], p
    assert p["budget_mw"] is None and p["within_budget"] is None, p
    assert p["rate_hz"] == 100 and p["fits"] is True, p
    assert any("[" in s for s in p["sources"]), p["sources"]
s3 = d["profiles"][1]
assert s3["emulated"] is False and s3["target"] == "rv32imafc", s3
assert any(n.startswith("ESTIMATED: no emulator for xtensa-lx7") for n in s3["notes"]), s3["notes"]
PY

# a database of one's own, and a sleep mode that loses the state
cat >"$tmp/mine.txt" <<'DB'
[mymcu]
core = cortex-m4
target = cortex-m4
clock_mhz = 100 | D | test clock
voltage_v = 2 | D | test supply
active_mw = 10 | D | test
flash_bytes = 4K | D | test: too small on purpose
ram_bytes = 16K | D | test
fpu = no | D | test
cpi = 1 | U | test
sleep.off.power_uw = 1 | D | test
sleep.off.retains_ram = no | D | test
sleep.off.wake_us = 10 | D | test
DB
out=$("$lln" profile "$tmp/m.lln" --device mymcu --devices "$tmp/mine.txt" 2>&1) ||
    fail "profile --devices: $out"
grep -q 'float32 runtime on a core without FPU: soft-float' <<<"$out" || fail "soft-float note: $out"
grep -q 'does not keep RAM' <<<"$out" || fail "retention note: $out"
grep -q 'does not fit the flash' <<<"$out" || fail "fit note: $out"
grep -qE '^mymcu .* NO$' <<<"$out" || fail "fits column: $out"

cli_end
