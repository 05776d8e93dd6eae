#!/bin/bash
# Hardware simulation: `lln verify` of exported firmware on every emulated target (Cortex-M0,
# M3, M4F, M7, M33, M55 under qemu-system-arm; rv32imc under qemu-system-riscv32), plus a
# structural check of the generated ESP-IDF component (Xtensa cannot be compiled here).
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin hwsim
if ! grep -q '"verify"' cli/main.c; then
    echo "SKIP (loud): 'lln verify' does not exist yet: the firmware export and emulator"
    echo "verification arrive with the fixed-point runtime issue; this stage then runs it."
    ci_end SKIP "lln verify not implemented yet"
fi
ci_end FAIL "lln verify exists but this stage has not been taught to run it"
