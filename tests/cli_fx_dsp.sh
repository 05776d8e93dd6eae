#!/bin/bash
# Fixed-point math on emulated microcontrollers (runtime/lln_fx.c):
#  1. tests/fx_xcheck.c built for the host and for Cortex-M0, M4, M7, M33, M55 and RV32IMC
#     (sim/build.sh, run by sim/run.sh under QEMU) prints the same checksums of every
#     function everywhere: the integer math is bit-identical on every target;
#  2. on the DSP cores (M4, M7, M33, M55) lln_fx_dot_s8_s16 is the SMLAD version (checked in
#     the disassembly) and equals the plain C reference on every row, wrapping ones included;
#  3. lln_fx.c needs no floating point: its Cortex-M0 and RV32IMC objects reference no
#     soft-float routine, and its Cortex-M4F object (hard float ABI) has no FPU instruction.
# Skipped (loudly, exit 77) when arm-none-eabi-gcc or qemu-system-arm is missing; the RV32
# target is skipped (loudly) when its toolchain or QEMU is missing.
# Usage: cli_fx_dsp.sh [PATH/TO/lln [SHARED_DIR]] (both ignored)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
hostcc=${CC:-cc}
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_fx_dsp
need_tools "sh scripts/deps.sh sim" arm-none-eabi-gcc arm-none-eabi-nm arm-none-eabi-objdump qemu-system-arm
src=("$root/tests/fx_xcheck.c" "$root/runtime/lln_fx.c")
warn=(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)

if ! "$hostcc" -std=c99 -O2 "${warn[@]}" -I"$root/runtime" "${src[@]}" -o "$tmp/host" ||
    ! "$tmp/host" >"$tmp/host.txt"; then
    echo "FAIL: host build or run of fx_xcheck" >&2
    exit 1
fi
grep -v '^dsp=' "$tmp/host.txt" >"$tmp/host.sums"
echo "host: $(tr '\n' ' ' <"$tmp/host.sums")"

targets="cortex-m0 cortex-m4 cortex-m7 cortex-m33 cortex-m55"
if have riscv64-unknown-elf-gcc qemu-system-riscv32; then
    targets="$targets rv32imc"
else
    echo "SKIP (loud): rv32imc part, riscv64-unknown-elf-gcc or qemu-system-riscv32 missing" >&2
fi

for t in $targets; do
    elf=$tmp/$t/fx.elf
    if ! "$root/sim/build.sh" "$t" "$elf" "${src[@]}" -- -I"$root/runtime" "${warn[@]}" \
        >"$tmp/$t.build" 2>&1; then
        fail "$t: build: $(cat "$tmp/$t.build")"
        continue
    fi
    "$root/sim/run.sh" "$t" "$elf" >"$tmp/$t.txt" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$t: exit status $rc: $(cat "$tmp/$t.txt")"
        continue
    fi
    grep -v '^dsp=' "$tmp/$t.txt" >"$tmp/$t.sums"
    if ! cmp -s "$tmp/host.sums" "$tmp/$t.sums"; then
        fail "$t: checksums differ from the host: $(diff "$tmp/host.sums" "$tmp/$t.sums")"
        continue
    fi
    dsp=$(sed -n 's/^dsp=//p' "$tmp/$t.txt")
    case $t in
    cortex-m0 | rv32imc) want=0 ;;
    *) want=1 ;;
    esac
    if [ "$dsp" != "$want" ]; then
        fail "$t: dsp=$dsp, expected $want"
        continue
    fi
    note="plain C dot product"
    if [ "$dsp" = 1 ]; then
        nsmlad=$(arm-none-eabi-objdump -d --disassemble=lln_fx_dot_s8_s16 "$elf" | grep -c 'smlad')
        if [ "$nsmlad" -eq 0 ]; then
            fail "$t: no smlad in lln_fx_dot_s8_s16"
            continue
        fi
        note="SMLAD dot product ($nsmlad smlad) == plain C on 600 rows, 5 of them wrapping"
    fi
    printf 'PASS %-10s checksums equal the host; %s\n' "$t" "$note"
done

# No floating point: undefined symbols of lln_fx.o must not be soft-float routines
# (__aeabi_f*, __aeabi_d*, __aeabi_[u]i2f/d, __aeabi_[u]l2f/d; libgcc's __addsf3, __muldf3,
# __floatsisf, __fixdfsi, __extendsfdf2, ...).
softfp='__aeabi_(f|d|u?i2[fd]|u?l2[fd])|__.*(sf|df|tf)[0-9]?$|__fix(uns)?[sdt]f|__float(un)?[sdt]i'
for t in cortex-m0 rv32imc; do
    obj=$tmp/$t/fx.obj/lln_fx.o
    [ -f "$obj" ] || continue
    case $t in rv32*) nm=riscv64-unknown-elf-nm ;; *) nm=arm-none-eabi-nm ;; esac
    undef=$("$nm" -u "$obj" | awk '{print $NF}' | tr '\n' ' ')
    if grep -qE "$softfp" <<<"${undef// /$'\n'}"; then
        fail "$t: lln_fx.o references soft-float routines: $undef"
    else
        echo "PASS $t: lln_fx.o uses no floating point (undefined symbols: ${undef:-none})"
    fi
done
if arm-none-eabi-gcc -std=c99 -O2 -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
    "${warn[@]}" -c "$root/runtime/lln_fx.c" -o "$tmp/m4f_fx.o"; then
    fpu=$(arm-none-eabi-objdump -d "$tmp/m4f_fx.o" | grep -cE $'\tv[a-z]+' || true)
    if [ "$fpu" -ne 0 ]; then
        fail "cortex-m4f: lln_fx.o has $fpu FPU instructions"
    else
        echo "PASS cortex-m4f: lln_fx.o (hard float ABI) has no FPU instruction"
    fi
else
    fail "cortex-m4f: lln_fx.c does not compile"
fi

cli_end
