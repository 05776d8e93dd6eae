#!/bin/bash
# The cycle estimate of the QEMU plugin (sim/insncount.c, SIM_CYCLES=m4|m33|m0plus in
# sim/run.sh) and its use by `lln verify` and `lln profile`:
#  * sim/selftest/cycles.c runs two marked regions, the second with a fixed Thumb sequence; the
#    difference of the two is the sequence alone, and its cycles are worked out by hand below
#    from Arm's timing tables (Cortex-M4 TRM, Cortex-M0+ generic user guide);
#  * without SIM_CYCLES the plugin's output is the instruction line alone, with the same counts;
#  * a bad SIM_CYCLES is refused;
#  * `lln verify` prints the cycles per step, and `lln profile` turns the same run into its CPI
#    (cycles per step = the verified cycles, to rounding) on stm32l4r5 (M4F) and rp2040 (M0+);
#  * the database's cpi of the devices on those cores (the zoo mean from
#    scripts/fit_energy_estimate.sh) is within 25 % of this model's own CPI.
# Skipped (loudly, exit 77) when the cross toolchain or QEMU is absent.
# Usage: cli_cycles.sh PATH/TO/lln
set -u
lln=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_cycles
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm cc

# field LINE KEY: the integer after KEY= in LINE
field() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"; }

# Expected, per model: instructions and cycles of the sequence, taken branches of both regions.
#  m4 / m33 (the M4 table): ldr after a mov that wrote its base 2+1, ldr pipelined 1, ldm of 4
#  regs 1+4, smlad 1, adds 1, ldr after the adds that wrote its base 2+1, str imm 1, cmp 1, bne
#  not taken 1, b taken 1+P (P=2), push/pop of 2 regs 1+2 each: 12 instructions, 26 cycles.
#  m0plus: ldr 2, ldr 2, muls 1, adds 1, str 2, cmp 1, bne not taken 1, b taken 2, push 3,
#  pop 3: 10 instructions, 18 cycles.
#  Taken branches: each region's return from lln_prof_begin and call of lln_prof_end, plus the
#  sequence's b: 2 + 3.
for row in "cortex-m4 m4 12 26" "cortex-m33 m33 12 26" "cortex-m0 m0plus 10 18"; do
    read -r t model want_i want_c <<<"$row"
    elf=$tmp/cycles-$t.elf
    if ! bash "$root/sim/build.sh" "$t" "$elf" "$root/sim/selftest/cycles.c" "$root/sim/lln_prof.c" \
        -- -I"$root/sim" >"$tmp/build-$t.log" 2>&1; then
        fail "$t: building sim/selftest/cycles.c failed: $(tail -5 "$tmp/build-$t.log")"
        continue
    fi
    SIM_CACHE=$tmp/cache SIM_CYCLES=$model bash "$root/sim/run.sh" "$t" "$elf" >"$tmp/out" 2>"$tmp/err" ||
        fail "$t: run with SIM_CYCLES=$model failed: $(cat "$tmp/err")"
    grep -qx 'cycles selftest done' "$tmp/out" || fail "$t: unexpected output: $(cat "$tmp/out")"
    li=$(grep '^insncount: total=' "$tmp/err")
    lc=$(grep "^insncount: cycles model=$model " "$tmp/err")
    [ "$(field "$li" regions)" = 2 ] || fail "$t: want 2 regions: $li"
    di=$(($(field "$li" region_max) - $(field "$li" region_min)))
    dc=$(($(field "$lc" region_max) - $(field "$lc" region_min)))
    [ "$di" = "$want_i" ] || fail "$t: the sequence is $di instructions, want $want_i: $li"
    [ "$dc" = "$want_c" ] || fail "$t: the sequence costs $dc cycles with $model, want $want_c: $lc"
    [ "$(field "$lc" region_taken)" = 5 ] || fail "$t: want 5 taken branches in the regions: $lc"
    # without SIM_CYCLES: the instruction line alone, the same counts
    SIM_CACHE=$tmp/cache COUNT=1 bash "$root/sim/run.sh" "$t" "$elf" >/dev/null 2>"$tmp/err0" ||
        fail "$t: run without SIM_CYCLES failed"
    [ "$(grep -c '^insncount:' "$tmp/err0")" = 1 ] || fail "$t: extra plugin lines: $(cat "$tmp/err0")"
    [ "$(grep '^insncount:' "$tmp/err0")" = "$li" ] || fail "$t: counts differ without SIM_CYCLES"
    checks=$((checks + 1))
done
expect_rc 125 "SIM_CYCLES=m7: expected m4, m33 or m0plus" "bad SIM_CYCLES" -- \
    env SIM_CYCLES=m7 bash "$root/sim/run.sh" cortex-m4 "$tmp/cycles-cortex-m4.elf"

# lln verify and lln profile on a small quantized LTC
"$lln" new --inputs 4 --wiring autoncp --units 12 --outputs 3 --seed 3 -o "$tmp/m.lln" >/dev/null
awk 'BEGIN { print "dt,a,b,c,d"; for (t = 0; t < 100; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5 }' >"$tmp/calib.csv"
"$lln" quantize "$tmp/m.lln" --calib "$tmp/calib.csv" -o "$tmp/m.q.lln" >/dev/null || fail "quantize"
for row in "stm32l4r5 cortex-m4f m4" "rp2040 cortex-m0 m0plus"; do
    read -r dev t model <<<"$row"
    v=$(SIM_CYCLES=$model "$lln" verify "$tmp/m.q.lln" --target "$t" 2>&1) || fail "$t: verify: $v"
    insn=$(awk '/^  instructions/ { print $2 }' <<<"$v")
    cyc=$(awk '/^  cycles/ { print $2 }' <<<"$v")
    if [ -z "$cyc" ] || [ "$cyc" -le "$insn" ]; then
        fail "$t: no cycles line, or cycles <= instructions: $v"
    fi
    "$lln" profile "$tmp/m.q.lln" --device "$dev" --json -o "$tmp/$dev.json" >/dev/null ||
        fail "$dev: profile"
    db=$(awk -F' *[=|] *' -v d="[$dev]" '$0 == d { in_d = 1; next } /^\[/ { in_d = 0 }
        in_d && $1 == "cpi" { print $2 }' "$root/share/devices.txt")
    python3 - "$tmp/$dev.json" "$insn" "$cyc" "$db" <<'PY' || fail "$dev: profile CPI vs verify cycles (above)"
import json, sys
p = json.load(open(sys.argv[1]))["profiles"][0]
insn, cyc, db = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cpi = p["cpi"]
# the profile's cycles are the verified ones (its CPI is cycles / instructions over all steps;
# the per-step figures are rounded down, so allow 0.2 %)
assert p["instructions_per_step"] == insn, (p["instructions_per_step"], insn)
assert abs(p["cycles_per_step"] - cyc) <= 0.002 * cyc, (p["cycles_per_step"], cyc)
assert 1.0 <= cpi <= 3.0, cpi
src = [s for s in p["sources"] if s.startswith("cpi = ")][0]
assert "sim/insncount.c" in src and "[D]" in src, src
# the database's cpi, the mean over the fit's models, is within 25 % of this model's
assert abs(db / cpi - 1) <= 0.25, (db, cpi)
PY
    # --database-cpi: the database's figure as given
    "$lln" profile "$tmp/m.q.lln" --device "$dev" --database-cpi --json -o "$tmp/$dev.db.json" \
        >/dev/null || fail "$dev: profile --database-cpi"
    python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["profiles"][0]
assert abs(p["cpi"] - float(sys.argv[2])) < 1e-9, (p["cpi"], sys.argv[2])' "$tmp/$dev.db.json" "$db" ||
        fail "$dev: --database-cpi did not use the database's cpi $db"
done
cli_end
