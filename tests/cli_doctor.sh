#!/bin/bash
# lln doctor and lln setup-toolchains --dry-run: run without a network or root needs, exit 0,
# and name the tools and their Debian packages. (setup-toolchains is never run for real here.)
# Usage: cli_doctor.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_doctor

out=$("$lln" doctor 2>&1) || fail "doctor exited $?: $out"
for tool in arm-none-eabi-gcc qemu-system-arm riscv64-unknown-elf-gcc qemu-system-riscv32 chromium rsvg-convert; do
    grep -qE "^  (ok|MISSING) +$tool( |$)" <<<"$out" || fail "doctor does not list $tool: $out"
done
# the kernels' instruction set, and LLN_ISA forcing it (x86-64 builds with run-time dispatch)
grep -qE '^liquid-edge [0-9.]+, float32 kernels: [a-z0-9]' <<<"$out" || fail "doctor: no kernel ISA: $out"
if grep -qE 'float32 kernels: (sse2|avx2|avx512)$' <<<"$out"; then
    forced=$(LLN_ISA=sse2 "$lln" doctor 2>&1 | head -n 1)
    grep -q 'float32 kernels: sse2$' <<<"$forced" || fail "doctor with LLN_ISA=sse2: $forced"
fi
# bash runs this test, so doctor must find it with a version
grep -qE '^  ok +bash +GNU bash, version [0-9]' <<<"$out" || fail "doctor: bash: $out"
# a tool it reports missing comes with its package and the install command
if grep -q '^  MISSING' <<<"$out"; then
    grep -q 'apt-get install -y --no-install-recommends' <<<"$out" || fail "no install command: $out"
fi
# with an empty PATH everything on PATH is missing, and the command names the packages
out=$(env PATH=/nonexistent "$lln" doctor 2>&1) || fail "doctor with no PATH exited $?"
grep -qE '^  MISSING +arm-none-eabi-gcc' <<<"$out" || fail "empty PATH: $out"
grep -q 'need: apt-get install -y --no-install-recommends .*gcc-arm-none-eabi' <<<"$out" ||
    fail "empty PATH: no install command: $out"
out=$(env PATH=/nonexistent "$lln" setup-toolchains --dry-run 2>&1) || fail "dry run exited $?"
grep -q '^would run: apt-get update && apt-get install -y --no-install-recommends .*qemu-system-arm' <<<"$out" ||
    fail "dry run: $out"
out=$("$lln" doctor --bogus 2>&1)
[ $? -eq 2 ] || fail "doctor --bogus: $out"
out=$("$lln" setup-toolchains extra 2>&1)
[ $? -eq 2 ] || fail "setup-toolchains extra: $out"

cli_end
