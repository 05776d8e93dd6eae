#!/bin/bash
# Firmware verification: `lln verify` on every emulated target for several models (LTC with
# an NCP wiring, CfC in each mode with a backbone, wired CfC, mixed memory and projection,
# and the GRU / LSTM / MLP baselines),
# with the generated sequence (irregular Δt, saturating inputs) and with a CSV; plus the
# export's refusals. Skipped (loudly, exit 77) when the cross toolchains or QEMU are absent.
# Usage: cli_verify.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_verify
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc riscv64-unknown-elf-gcc qemu-system-arm qemu-system-riscv32

"$lln" new --inputs 4 --wiring ncp --ncp 5,4,2,3,2,3,2 -o "$tmp/ltc_ncp.lln" >/dev/null
"$lln" new --cell cfc --inputs 3 --units 8 --backbone-units 16 --activation gelu -o "$tmp/cfc_default.lln" >/dev/null
"$lln" new --cell cfc --inputs 3 --units 6 --backbone-layers 0 --mode no_gate --proj-size 2 -o "$tmp/cfc_nogate.lln" >/dev/null
"$lln" new --cell cfc --inputs 3 --units 6 --backbone-layers 2 --backbone-units 8 --activation silu --mode pure --mixed-memory -o "$tmp/cfc_pure.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 4 --wiring autoncp --units 12 --outputs 3 -o "$tmp/wcfc.lln" >/dev/null
"$lln" new --inputs 3 --units 5 --mixed-memory --positivity identity --ode-unfolds 3 -o "$tmp/ltc_mixed.lln" >/dev/null
# the discrete-time baselines (float32 runtime here, fixed point below)
"$lln" new --cell gru --inputs 3 --units 6 -o "$tmp/gru.lln" >/dev/null
"$lln" new --cell lstm --inputs 4 --units 5 --proj-size 2 -o "$tmp/lstm.lln" >/dev/null
"$lln" new --cell mlp --inputs 3 --mlp-window 4 --backbone-layers 2 --backbone-units 8 --activation tanh --proj-size 2 -o "$tmp/mlp.lln" >/dev/null

# Every target with LLN_VERIFY_TARGETS=all (CI's hwsim stage); by default (`make test`, which
# CI also runs under ASan) one target per kind of code the runtime has: Armv6-M without DSP or
# FPU, Armv7E-M with DSP and FPU (the SMLAD and int16-weight paths), Armv8.1-M with Helium, RV32
all_targets="cortex-m0 cortex-m3 cortex-m4 cortex-m4f cortex-m7 cortex-m33 cortex-m55 rv32imc rv32imafc"
case ${LLN_VERIFY_TARGETS:-} in
all) targets=$all_targets ;;
"") targets="cortex-m0 cortex-m4f cortex-m55 rv32imc"
    echo "cli_verify: 4 of the 9 targets ($targets); LLN_VERIFY_TARGETS=all runs every one (CI's hwsim stage does)" >&2 ;;
*) targets=$LLN_VERIFY_TARGETS ;;
esac
for model in ltc_ncp cfc_default cfc_nogate cfc_pure wcfc ltc_mixed gru lstm mlp; do
    for t in $targets; do
        out=$("$lln" verify "$tmp/$model.lln" --target "$t" --steps 16 2>&1)
        rc=$?
        if [ $rc -ne 0 ] || ! grep -qx PASS <<<"$out" || ! grep -q 'bit-identical' <<<"$out"; then
            fail "$model on $t (exit $rc): $out"
        else
            printf '%-12s %-11s %s\n' "$model" "$t" "$(grep instructions <<<"$out" | awk '{print $2}') instructions/step"
        fi
    done
done

# the fixed-point path: quantize (calibration CSV with irregular dt), then verify on every
# target; on the DSP cores (M4, M7, M33, M55) this also proves the SMLAD dot product equals
# the plain C one the host ran
awk 'BEGIN { print "dt,a,b,c,d"; for (t = 0; t < 120; t++) printf "%.3f,%.4f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1), 0.5 }' >"$tmp/calib.csv"
cut -d, -f1-4 "$tmp/calib.csv" >"$tmp/calib3.csv"
"$lln" new --inputs 4 --wiring autoncp --units 12 --outputs 3 -o "$tmp/q_ltc.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 4 --wiring autoncp --units 12 --outputs 3 --mode no_gate -o "$tmp/q_wcfc.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 4 --wiring autoncp --units 10 --outputs 2 --mode pure -o "$tmp/q_wcfc_pure.lln" >/dev/null
# a CfC without backbone or projection: the export's specialised step (lln_rtq_spec.h), as for
# the wired CfC in default and no_gate mode
"$lln" new --cell cfc --inputs 4 --units 7 --backbone-layers 0 -o "$tmp/q_cfc_nobb.lln" >/dev/null
"$lln" new --cell wired_cfc --inputs 4 --wiring autoncp --units 12 --outputs 3 -o "$tmp/q_wcfc_default.lln" >/dev/null
for model in q_ltc q_wcfc q_wcfc_pure q_cfc_nobb q_wcfc_default; do
    "$lln" quantize "$tmp/$model.lln" --calib "$tmp/calib.csv" -o "$tmp/$model.q.lln" >/dev/null ||
        fail "quantize $model"
done
for model in cfc_default cfc_nogate mlp gru; do
    "$lln" quantize "$tmp/$model.lln" --calib "$tmp/calib3.csv" -o "$tmp/q_$model.q.lln" >/dev/null ||
        fail "quantize $model"
done
"$lln" quantize "$tmp/lstm.lln" --calib "$tmp/calib.csv" -o "$tmp/q_lstm.q.lln" >/dev/null ||
    fail "quantize lstm"
for model in q_ltc q_wcfc q_wcfc_pure q_cfc_nobb q_wcfc_default q_cfc_default q_cfc_nogate q_mlp q_gru q_lstm; do
    for t in $targets; do
        out=$("$lln" verify "$tmp/$model.q.lln" --target "$t" --steps 16 2>&1)
        rc=$?
        if [ $rc -ne 0 ] || ! grep -qx PASS <<<"$out" || ! grep -q 'fixed point' <<<"$out"; then
            fail "$model (fixed point) on $t (exit $rc): $out"
        else
            printf '%-16s %-11s %s\n' "$model" "$t" "$(grep instructions <<<"$out" | awk '{print $2}') instructions/step"
        fi
    done
done
out=$("$lln" verify "$tmp/q_ltc.q.lln" --target cortex-m4f --float --steps 8 2>&1) ||
    fail "verify --float of a quantized model: $out"
grep -q 'float32' <<<"$out" || fail "verify --float did not use the float32 runtime: $out"
expect_rc 1 'mixed memory' "quantize mixed memory" -- \
    "$lln" quantize "$tmp/ltc_mixed.lln" --calib "$tmp/calib3.csv" -o "$tmp/x.lln"
expect_rc 1 'feature columns' "quantize wrong columns" -- \
    "$lln" quantize "$tmp/q_ltc.lln" --calib "$tmp/calib3.csv" -o "$tmp/x.lln"
expect_rc 2 'calib' "quantize without --calib" -- "$lln" quantize "$tmp/q_ltc.lln" -o "$tmp/x.lln"
[ ! -e "$tmp/x.lln" ] || fail "a failed quantize left $tmp/x.lln behind"
"$lln" export "$tmp/q_wcfc.q.lln" --target generic --prefix robot --out "$tmp/gq" >/dev/null ||
    fail "generic fixed-point export"
if ! make -s -C "$tmp/gq" >/dev/null 2>&1 || ! "$tmp/gq/example" >/dev/null; then
    fail "generic fixed-point export does not build/run"
fi
for f in lln_fx.c lln_fx.h lln_rtq.c lln_rtq.h lln_rtq_spec.h lln_rtq_config.h esp-idf/robot/lln_rtq.c \
    esp-idf/robot/lln_rtq_config.h esp-idf/robot/lln_rtq_spec.h arduino/robot/src/lln_fx.h \
    arduino/robot/src/lln_rtq_config.h arduino/robot/src/lln_rtq_spec.h; do
    [ -s "$tmp/gq/$f" ] || fail "fixed-point export lacks $f"
done
# compile-time selection: the wired CfC's export compiles the CfC part only, an LTC's the LTC
# part only; a build with the model's part left out refuses to step (LLN_RTQ_E_PART)
for want in 'LTC 0' 'CFC 1' 'CFC_GENERIC 0' 'PURE 0' 'BACKBONE 0' 'BASELINES 0' 'PROJ 0'; do
    grep -q "^#define LLN_RTQ_WITH_$want " "$tmp/gq/lln_rtq_config.h" ||
        fail "wired CfC export: lln_rtq_config.h lacks LLN_RTQ_WITH_$want: $(cat "$tmp/gq/lln_rtq_config.h")"
done
# the wired CfC runs the specialised step (its tables in the kernel's layout, no generic cells);
# a CfC with a backbone keeps the generic cells
grep -q '\.step = robot_step,' "$tmp/gq/robot_model.c" || fail "wired CfC export: no specialised step"
! grep -q 'robot_cells\|lln_rtq_cfc_t' "$tmp/gq/robot_model.c" || fail "wired CfC export: generic cells too"
"$lln" export "$tmp/q_cfc_default.q.lln" --target generic --out "$tmp/gb" >/dev/null || fail "CfC fixed-point export"
if ! grep -q '^#define LLN_RTQ_WITH_CFC_GENERIC 1 ' "$tmp/gb/lln_rtq_config.h" ||
    grep -q '\.step = ' "$tmp/gb/lln_model.c"; then
    fail "CfC with backbone: not the generic cells"
fi
"$lln" export "$tmp/q_ltc.q.lln" --target generic --out "$tmp/gl" >/dev/null || fail "LTC fixed-point export"
for want in 'LTC 1' 'CFC 0'; do
    grep -q "^#define LLN_RTQ_WITH_$want " "$tmp/gl/lln_rtq_config.h" ||
        fail "LTC export: lln_rtq_config.h lacks LLN_RTQ_WITH_$want"
done
cp -r "$tmp/gq" "$tmp/gq_nocfc"
sed -i 's/^#define LLN_RTQ_WITH_CFC 1 /#define LLN_RTQ_WITH_CFC 0 /' "$tmp/gq_nocfc/lln_rtq_config.h"
make -s -C "$tmp/gq_nocfc" clean >/dev/null 2>&1
make -s -C "$tmp/gq_nocfc" >/dev/null 2>&1 || fail "export with the CfC part left out does not build"
out=$("$tmp/gq_nocfc/example" 2>&1)
rc=$?
if [ $rc -ne 1 ] || grep -q 'step 0' <<<"$out"; then
    fail "a build without the model's part stepped anyway (exit $rc): $out"
fi

# a CSV sequence with its own dt column
printf 'dt,a,b,c,d\n0.5,0.1,0.2,0.3,0.4\n0.01,1,2,3,4\n3.0,-50,50,-50,50\n' >"$tmp/seq.csv"
out=$("$lln" verify "$tmp/ltc_ncp.lln" --target cortex-m4f --input "$tmp/seq.csv" 2>&1) ||
    fail "verify --input: $out"
grep -q '3 steps' <<<"$out" || fail "verify --input did not run 3 steps: $out"

# refusals and usage errors
expect_rc 2 'no emulator' "verify --target generic" -- "$lln" verify "$tmp/wcfc.lln" --target generic
expect_rc 2 'not quantized' "export of a float model without --float" -- \
    "$lln" export "$tmp/wcfc.lln" --target cortex-m4 --out "$tmp/x"
expect_rc 1 'bytes over the 1 KB limit' "memory limit" -- "$lln" export "$tmp/cfc_default.lln" \
    --target cortex-m4 --float --memory-limit-kb 1 --out "$tmp/x"
expect_rc 2 "unknown target 'cortex-m99'" "bad target" -- \
    "$lln" export "$tmp/cfc_default.lln" --target cortex-m99 --float --out "$tmp/x"
expect_rc 2 'C identifier' "bad prefix" -- \
    "$lln" export "$tmp/cfc_default.lln" --target generic --float --prefix 9bad --out "$tmp/x"

# the generic export builds and runs with the host compiler, and its build glue is complete
"$lln" export "$tmp/wcfc.lln" --target generic --float --prefix robot --out "$tmp/g" >/dev/null ||
    fail "generic export"
if ! make -s -C "$tmp/g" >/dev/null 2>&1 || ! "$tmp/g/example" >/dev/null; then
    fail "generic export does not build/run"
fi
for f in robot_model.c robot_model.h lln_rt.c lln_rt.h main.c Makefile CMakeLists.txt library.json \
    esp-idf/robot/CMakeLists.txt esp-idf/robot/idf_component.yml esp-idf/robot/robot_model.c \
    arduino/robot/library.properties arduino/robot/src/robot_model.h \
    arduino/robot/examples/robot_demo/robot_demo.ino; do
    [ -s "$tmp/g/$f" ] || fail "export lacks $f"
done

cli_end
