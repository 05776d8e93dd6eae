#!/bin/bash
# Hardware simulation: `lln verify` on every emulated target (Cortex-M0, M3, M4, M4F, M7, M33,
# M55 under qemu-system-arm; rv32imc as the ESP32-C3 stand-in and rv32imafc under
# qemu-system-riscv32) for several models, bit-exact against the host (tests/cli_verify.sh);
# a structural check of the generated ESP-IDF component (Xtensa ESP32/ESP32-S3 cannot be
# compiled here); and the hardware compatibility matrix (build-ci/HARDWARE.md, compared with
# the committed docs/HARDWARE.md: `make hardware-doc` refreshes it).
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin hwsim
ci_need arm-none-eabi-gcc gcc-arm-none-eabi
ci_need riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
ci_need qemu-system-arm qemu-system-arm
ci_need qemu-system-riscv32 qemu-system-misc
b="$CI_OUT/build-hwsim"
ci_run hwsim-configure cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=Release -DLLN_SHARED_DIR="$CI_SHARED" ||
    ci_end FAIL "configure failed"
ci_run hwsim-build cmake --build "$b" -j "$CI_JOBS" --target lln || ci_end FAIL "build failed"

fail=""
echo "--- lln verify on every target"
if ci_run hwsim-verify env LLN_VERIFY_TARGETS=all bash tests/cli_verify.sh "$b/lln"; then
    tail -n 1 "$CI_OUT/logs/hwsim-verify.log"
else
    fail="$fail verify"
fi
pairs=$(grep -cE 'instructions/step$' "$CI_OUT/logs/hwsim-verify.log")
ci_metric verified_pairs "$pairs"

echo "--- ESP-IDF component (structural)"
rm -rf "$CI_OUT/hwsim-idf"
"$b/lln" new --cell wired_cfc --inputs 8 --wiring autoncp --units 19 --outputs 4 \
    -o "$CI_OUT/hwsim-idf.lln" >/dev/null &&
    "$b/lln" export "$CI_OUT/hwsim-idf.lln" --target rv32imc --float --prefix policy \
        --out "$CI_OUT/hwsim-idf" >/dev/null &&
    bash scripts/check_idf_component.sh "$CI_OUT/hwsim-idf/esp-idf/policy" || fail="$fail esp-idf"

echo "--- hardware compatibility matrix"
if bash scripts/hardware_doc.sh "$b/lln" "$CI_OUT/HARDWARE.md" >"$CI_OUT/logs/hwsim-doc.log" 2>&1; then
    if ! diff -u docs/HARDWARE.md "$CI_OUT/HARDWARE.md" >"$CI_OUT/logs/hwsim-doc.diff" 2>&1; then
        echo "NOTE: docs/HARDWARE.md differs from this run's matrix (toolchain or code changed):"
        head -n 20 "$CI_OUT/logs/hwsim-doc.diff"
        echo "refresh it with: make hardware-doc"
    fi
else
    tail -n 20 "$CI_OUT/logs/hwsim-doc.log"
    fail="$fail matrix"
fi
[ -z "$fail" ] && ci_end PASS "9 targets, $pairs model/target pairs bit-exact, ESP-IDF component ok"
ci_end FAIL "failed:$fail"
