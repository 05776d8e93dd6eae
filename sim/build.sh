#!/bin/bash
# build.sh - builds firmware C for one emulated target.
#   sim/build.sh TARGET OUT.elf SRC... [-- EXTRA-FLAGS...]
# SRC: .c/.S/.s files (each compiled to its own object, so that the map file and
# sim/sizes.sh can name it) and .o/.a files (linked as given).  The target's start-up
# code (startup_cortexm.c or trap_riscv.c) is added.  EXTRA-FLAGS go to the compiler
# and the linker, except -Wl,... -l... -L... which go to the linker only; e.g. a real
# part's budget: -- -Wl,--defsym=__flash_size=256K -Wl,--defsym=__ram_size=32K
# Compiles with -std=c99 -O2 -g -Wall -Wextra -ffunction-sections -fdata-sections (a
# later -O in EXTRA-FLAGS wins); links with --gc-sections.  Writes OUT.elf, its map
# file (OUT.map: OUT without .elf, plus .map) and objects in OUT.obj/.
# Prints the linker's memory usage, then one line
#   size: flash=BYTES ram=BYTES
# flash: code + read-only data + .data's initial image; ram: .data + .bss (static
# data; not the stack, which the linker script only checks has room: __stack_size).
# Exit status: 0 built; 1 compile or link error (e.g. over budget); 2 bad usage;
# 127 a tool is missing (the message names the Debian package).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=targets.sh
. "$(dirname "${BASH_SOURCE[0]}")/targets.sh"

usage() {
    echo "usage: sim/build.sh TARGET OUT.elf SRC... [-- EXTRA-FLAGS...]" >&2
    echo "targets: $SIM_TARGETS" >&2
    exit 2
}
[ $# -ge 3 ] || usage
sim_target "$1" || exit 2
out=$2
shift 2

srcs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    srcs+=("$1")
    shift
done
[ $# -gt 0 ] && shift # the --
cflags_extra=()
ldflags_extra=()
for f in "$@"; do
    case $f in
    -Wl,* | -l* | -L*) ldflags_extra+=("$f") ;;
    *) cflags_extra+=("$f") ;;
    esac
done
[ ${#srcs[@]} -gt 0 ] || usage

sim_check_build || exit "$SIM_EXIT_MISSING"

base=${out%.elf}
map=$base.map
objdir=$base.obj
mkdir -p "$(dirname "$out")" || exit 1
rm -rf "$objdir" && mkdir -p "$objdir" || exit 1

cflags=("${SIM_ARCH[@]}" -std=c99 -O2 -g -Wall -Wextra -ffunction-sections -fdata-sections
    "${SIM_CFLAGS_LIBC[@]}" -I"$SIM_DIR" "${cflags_extra[@]}")

objs=()
declare -A taken=()
for src in "$SIM_STARTUP" "${srcs[@]}"; do
    case $src in
    *.c | *.S | *.s)
        if [ ! -f "$src" ]; then
            echo "sim: no such source file: $src" >&2
            exit 2
        fi
        # Objects are named after their source (as the map file and sizes.sh show
        # them); a second file with the same name gets a numbered prefix.
        name=$(basename "${src%.*}").o
        n=1
        while [ -n "${taken[$name]:-}" ]; do
            n=$((n + 1))
            name=$n-$(basename "${src%.*}").o
        done
        taken[$name]=1
        "$SIM_CC" "${cflags[@]}" -c "$src" -o "$objdir/$name" || exit 1
        objs+=("$objdir/$name")
        ;;
    *.o | *.a)
        objs+=("$src")
        ;;
    *)
        echo "sim: do not know how to build $src (expected .c .S .s .o .a)" >&2
        exit 2
        ;;
    esac
done

"$SIM_CC" "${SIM_ARCH[@]}" "${cflags_extra[@]}" "${objs[@]}" -L"$SIM_DIR/ld" -T "$SIM_LD" \
    "${ldflags_extra[@]}" \
    "${SIM_LDFLAGS_LIBC[@]}" -Wl,--gc-sections -Wl,-Map="$map" -Wl,--print-memory-usage \
    -o "$out" || exit 1

read -r flash ram < <(sim_elf_sizes "$out")
echo "size: flash=$flash ram=$ram"
