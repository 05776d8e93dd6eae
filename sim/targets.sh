#!/bin/bash
# targets.sh - the emulated targets of sim/: one table, and the helpers that read it.
# Sourced by build.sh, run.sh, sizes.sh and selftest.sh.  Run it to print the table:
#   sim/targets.sh
# shellcheck disable=SC2034 # the SIM_* variables set here are read by the scripts that source this

SIM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# target    board       float  QEMU -cpu          linker script  compiler flags
# (cortex-*: arm-none-eabi-gcc, newlib-nano + librdimon, qemu-system-arm -machine BOARD;
#  rv32*: riscv64-unknown-elf-gcc, picolibc, qemu-system-riscv32 -machine virt -bios none)
SIM_TABLE='
cortex-m0   microbit    soft   -                  nrf51.ld       -mthumb -mcpu=cortex-m0 -mfloat-abi=soft
cortex-m3   mps2-an385  soft   -                  mps2.ld        -mthumb -mcpu=cortex-m3 -mfloat-abi=soft
cortex-m4   mps2-an386  soft   -                  mps2.ld        -mthumb -mcpu=cortex-m4 -mfloat-abi=soft
cortex-m4f  mps2-an386  hard   -                  mps2.ld        -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16
cortex-m7   mps2-an500  hard   -                  mps2.ld        -mthumb -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16
cortex-m33  mps2-an505  hard   -                  an505.ld       -mthumb -mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16
cortex-m55  mps3-an547  hard   -                  an547.ld       -mthumb -mcpu=cortex-m55 -mfloat-abi=hard
rv32imc     virt        soft   rv32,f=off,d=off   riscv-virt.ld  -march=rv32imc -mabi=ilp32
rv32imafc   virt        hard   rv32,d=off         riscv-virt.ld  -march=rv32imafc -mabi=ilp32f
'

# Every target name, in table order.
SIM_TARGETS=$(awk 'NF { printf "%s%s", sep, $1; sep = " " }' <<<"$SIM_TABLE")

# Exit status of every sim/ script when a tool is missing (as a shell's "command not found").
SIM_EXIT_MISSING=127

# QEMU options common to every target: no display, monitor or serial port on stdio;
# semihosting (the program's console and exit status) on stdio.  arg= fixes the
# command line the guest can ask for (picolibc's crt0 parses it into argv): by
# default it is the image's path, and the instruction count would depend on it.
SIM_QEMU_COMMON=(-display none -monitor none -serial none -chardev "stdio,id=sh0"
    -semihosting-config "enable=on,target=native,chardev=sh0,arg=firmware")

# sim_target NAME: sets the SIM_* variables of one target; returns 1 (with a message
# on stderr) for an unknown name.
#   SIM_BOARD SIM_FLOAT SIM_FAMILY(arm|riscv) SIM_LIBC SIM_LD(path) SIM_ARCH(array)
#   SIM_CC SIM_NM SIM_SIZE SIM_READELF SIM_CFLAGS_LIBC(array) SIM_LDFLAGS_LIBC(array)
#   SIM_STARTUP(path) SIM_QEMU(array: command without -kernel)
#   SIM_PKG_CC SIM_PKG_LIBC SIM_PKG_QEMU (Debian packages)
sim_target() {
    local name=$1 row cpu ld
    row=$(awk -v t="$name" '$1 == t' <<<"$SIM_TABLE")
    if [ -z "$row" ]; then
        echo "sim: unknown target '$name' (targets: $SIM_TARGETS)" >&2
        return 1
    fi
    read -r SIM_TARGET SIM_BOARD SIM_FLOAT cpu ld row <<<"$row"
    read -r -a SIM_ARCH <<<"$row"
    SIM_LD=$SIM_DIR/ld/$ld
    case $SIM_TARGET in
    cortex-*)
        SIM_FAMILY=arm
        SIM_LIBC="newlib-nano + librdimon"
        SIM_CC=arm-none-eabi-gcc
        SIM_CFLAGS_LIBC=(--specs=nano.specs)
        SIM_LDFLAGS_LIBC=(-nostartfiles --specs=nano.specs --specs=rdimon.specs -lm)
        SIM_STARTUP=$SIM_DIR/startup_cortexm.c
        SIM_QEMU=(qemu-system-arm -machine "$SIM_BOARD")
        SIM_PKG_CC=gcc-arm-none-eabi
        SIM_PKG_LIBC=libnewlib-arm-none-eabi
        SIM_PKG_QEMU=qemu-system-arm
        ;;
    rv32*)
        SIM_FAMILY=riscv
        SIM_LIBC=picolibc
        SIM_CC=riscv64-unknown-elf-gcc
        # Integer-only printf (as newlib-nano's default): print floats as hex bits.
        SIM_CFLAGS_LIBC=(--specs=picolibc.specs -DPICOLIBC_INTEGER_PRINTF_SCANF)
        SIM_LDFLAGS_LIBC=(--specs=picolibc.specs --oslib=semihost --crt0=semihost
            -DPICOLIBC_INTEGER_PRINTF_SCANF -lm)
        SIM_STARTUP=$SIM_DIR/trap_riscv.c
        SIM_QEMU=(qemu-system-riscv32 -machine "$SIM_BOARD" -bios none -smp 1)
        SIM_PKG_CC=gcc-riscv64-unknown-elf
        SIM_PKG_LIBC=picolibc-riscv64-unknown-elf
        SIM_PKG_QEMU=qemu-system-misc
        ;;
    esac
    [ "$cpu" = - ] || SIM_QEMU+=(-cpu "$cpu")
    SIM_QEMU+=("${SIM_QEMU_COMMON[@]}")
    SIM_NM=${SIM_CC%gcc}nm
    SIM_SIZE=${SIM_CC%gcc}size
    SIM_READELF=${SIM_CC%gcc}readelf
}

# sim_missing_msg TOOL PACKAGE: the message for a missing tool.
sim_missing_msg() {
    echo "sim: missing $1: install it with  apt-get install -y --no-install-recommends $2" \
        "(all of sim/'s tools: sh scripts/deps.sh sim)" >&2
}

# sim_check_build: the current target's compiler and C library are installed
# (messages name the Debian package); returns 1 if not.
sim_check_build() {
    if ! command -v "$SIM_CC" >/dev/null 2>&1; then
        sim_missing_msg "$SIM_CC" "$SIM_PKG_CC"
        return 1
    fi
    local probe
    case $SIM_FAMILY in
    arm) probe=librdimon_nano.a ;;
    riscv) probe=picolibc.specs ;;
    esac
    # gcc prints the bare name back when it cannot find the file.
    if [ "$("$SIM_CC" "${SIM_ARCH[@]}" -print-file-name="$probe")" = "$probe" ]; then
        sim_missing_msg "$probe" "$SIM_PKG_LIBC"
        return 1
    fi
}

# sim_check_run: the current target's emulator is installed; returns 1 if not.
sim_check_run() {
    if ! command -v "${SIM_QEMU[0]}" >/dev/null 2>&1; then
        sim_missing_msg "${SIM_QEMU[0]}" "$SIM_PKG_QEMU"
        return 1
    fi
    if ! command -v timeout >/dev/null 2>&1; then
        sim_missing_msg timeout coreutils
        return 1
    fi
}

# sim_elf_sizes ELF: prints "FLASH RAM" in bytes, from the section headers.  Flash:
# every allocated section with contents (code, read-only data, the initial image of
# .data).  RAM: writable sections (.data, .bss, ...), without the stack reserve
# (picolibc's .stack section) and without the TLS template (.tbss, whose space is
# .tbss_space).
sim_elf_sizes() {
    "$SIM_READELF" -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '
        function hex(s,   n, i) {
            n = 0; s = tolower(s)
            for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return n
        }
        NF >= 10 && $7 ~ /A/ {
            name = $1; type = $2; size = hex($5); flags = $7
            if (name == ".stack" || name == ".heap") next
            if (type == "NOBITS") { if (flags !~ /T/) ram += size; next }
            flash += size
            if (flags ~ /W/) ram += size
        }
        END { printf "%d %d\n", flash, ram }'
}

# sim_float_abi ELF: "hard" if the image passes floats in FP registers, else "soft".
sim_float_abi() {
    case $SIM_FAMILY in
    arm)
        if "$SIM_READELF" -A "$1" | grep -q 'Tag_ABI_VFP_args: VFP registers'; then
            echo hard
        else
            echo soft
        fi
        ;;
    riscv)
        if "$SIM_READELF" -h "$1" | grep -Eq 'Flags:.*(single|double|quad)-float ABI'; then
            echo hard
        else
            echo soft
        fi
        ;;
    esac
}

# sim_plugin: prints the path of the instruction-counting plugin, building it from
# insncount.c with the host compiler when missing. The file name
# carries the source's checksum, so checkouts with different versions of insncount.c that
# share the cache never load each other's build.
# SIM_PLUGIN=path uses a prebuilt one; SIM_CACHE sets where it is built.
sim_plugin() {
    if [ -n "${SIM_PLUGIN:-}" ]; then
        echo "$SIM_PLUGIN"
        return 0
    fi
    local cache=${SIM_CACHE:-${TMPDIR:-/tmp}/lln-sim-$(id -u)}
    local src=$SIM_DIR/insncount.c sum
    sum=$(cksum <"$src" | cut -d' ' -f1) || return 1
    local so=$cache/insncount-$sum.so
    local cc=${HOSTCC:-cc}
    if [ ! -f "$so" ]; then
        if ! command -v "$cc" >/dev/null 2>&1; then
            sim_missing_msg "$cc (host C compiler)" gcc
            return 1
        fi
        mkdir -p "$cache" || return 1
        # Built beside, then renamed: concurrent runs never load a half-written file.
        if ! "$cc" -std=c99 -O2 -Wall -Wextra -shared -fPIC -o "$so.$$" "$src" ||
            ! mv -f "$so.$$" "$so"; then
            rm -f "$so.$$"
            echo "sim: cannot build the QEMU plugin from $src" >&2
            return 1
        fi
    fi
    echo "$so"
}

# sim_versions: one line with the Debian package versions of the toolchains and
# emulators (instruction counts belong to one exact toolchain: record this line next
# to them).  Without dpkg, the tools' own version numbers.
sim_versions() {
    local v=() pair c p line
    for pair in arm-none-eabi-gcc:gcc-arm-none-eabi -:libnewlib-arm-none-eabi \
        riscv64-unknown-elf-gcc:gcc-riscv64-unknown-elf -:picolibc-riscv64-unknown-elf \
        qemu-system-arm:qemu-system-arm qemu-system-riscv32:qemu-system-misc; do
        c=${pair%%:*}
        p=${pair#*:}
        if command -v dpkg-query >/dev/null 2>&1 &&
            line=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null) && [ -n "$line" ]; then
            v+=("$p $line")
        elif [ "$c" != - ] && command -v "$c" >/dev/null 2>&1; then
            case $c in
            qemu-*) v+=("$c $("$c" --version | awk 'NR == 1 { print $4 }')") ;;
            *) v+=("$c $("$c" -dumpversion)") ;;
            esac
        fi
    done
    local IFS=,
    line="${v[*]}"
    echo "${line//,/, }"
}

# Run directly: print the table.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    printf '%-11s %-11s %-5s %-15s %-24s %s\n' target board float ld-script "C library" "compiler flags"
    for t in $SIM_TARGETS; do
        sim_target "$t"
        printf '%-11s %-11s %-5s %-15s %-24s %s\n' "$t" "$SIM_BOARD" "$SIM_FLOAT" \
            "${SIM_LD##*/}" "$SIM_LIBC" "${SIM_ARCH[*]}"
    done
fi
