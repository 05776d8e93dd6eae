#!/bin/bash
# check_msvc.sh - what can be checked here of the C sources the Python extension compiles
# (python/setup.py: src/**/*.c, four runtime files, python/liquid_edge/_core.c) for the MSVC
# build of the Windows wheels. MSVC itself does not run on this machine; two checks stand in:
#  1. mingw-w64 GCC (the Windows headers and the _WIN32 code paths: Win32 threads, Interlocked
#     atomics, QueryPerformanceCounter, _read) compiles every library source with
#     -std=c11 -Wpedantic -Wvla -Werror: ISO C with no VLA (MSVC has none), no GNU statement
#     expression, case range, empty initializer or zero-length array.
#  2. The MSVC view of the preprocessor: every source (with LLN_ISA_DISPATCH too, so that the
#     kernel dispatcher's MSVC branch is read; the AVX2 and AVX-512 kernel files with the macros
#     MSVC's /arch:AVX2 and /arch:AVX512 define) is preprocessed as MSVC would (_MSC_VER, _WIN32,
#     _M_X64; no __GNUC__, no __clang__; system headers replaced by empty files, so only our
#     own code is left), and what is left must contain no GNU-only construct: __attribute__,
#     __builtin_*, __atomic_*, __sync_*, inline asm, typeof, statement expressions, pthreads,
#     clock_gettime, ssize_t, <unistd.h>.
# Usage: scripts/check_msvc.sh [ROOT]   exit 0 when clean, 1 with one line per finding.
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${MINGW_CC:-x86_64-w64-mingw32-gcc}
mapfile -t lib < <(find src -name '*.c' | sort)
lib+=(runtime/lln_rt.c runtime/lln_fx.c runtime/lln_rtq.c runtime/lln_fx_host.c)
ext=python/liquid_edge/_core.c
defs=(-DLLN_BUILDING -DLLN_VERSION_STRING='"0.0.0"')
inc=(-Iinclude -Isrc -Iruntime)
bad=0

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "check_msvc: $cc not found (Debian gcc-mingw-w64-x86-64; scripts/deps.sh ci)" >&2
    exit 1
fi
echo "check_msvc: 1. $cc -std=c11 -Wpedantic -Wvla -Werror on ${#lib[@]} library sources"
for f in "${lib[@]}"; do
    if ! "$cc" -std=c11 -Wall -Wextra -Wpedantic -Wvla -Werror -Wno-format -fsyntax-only \
        -D__USE_MINGW_ANSI_STDIO=1 "${defs[@]}" \
        "${inc[@]}" "$f" 2>"$tmp/err"; then
        sed 's/^/  /' "$tmp/err" | head -n 20
        echo "$f: does not compile as ISO C11 for Windows (mingw-w64)"
        bad=$((bad + 1))
    fi
done

echo "check_msvc: 2. the MSVC preprocessor view of $((${#lib[@]} + 1)) sources"
# an empty stand-in for every system header our sources include
mkdir -p "$tmp/sys"
grep -ho '#include <[^>]*>' "${lib[@]}" "$ext" include/lln/*.h src/*/*.h runtime/*.h |
    sed 's/#include <\(.*\)>/\1/' | sort -u | while read -r h; do
    mkdir -p "$tmp/sys/$(dirname "$h")"
    : >"$tmp/sys/$h"
done
# the macros our #if lines test, with MSVC x64's values (long is 32 bits there)
printf '#define %s\n' 'FLT_RADIX 2' 'FLT_MANT_DIG 24' 'DBL_MANT_DIG 53' >"$tmp/sys/float.h"
printf '#define %s\n' 'CHAR_BIT 8' 'INT_MAX 2147483647' 'UINT_MAX 4294967295u' \
    'LONG_MAX 2147483647L' 'ULONG_MAX 4294967295uL' >"$tmp/sys/limits.h"
printf '#define %s\n' 'INT32_MAX 2147483647' 'UINT32_MAX 4294967295u' \
    'INT64_MAX 9223372036854775807LL' 'UINT64_MAX 18446744073709551615uLL' \
    'SIZE_MAX 18446744073709551615uLL' 'UINTPTR_MAX 18446744073709551615uLL' >"$tmp/sys/stdint.h"
msvc=(-std=c11 -undef -nostdinc -I"$tmp/sys" -D_MSC_VER=1939 -D_MSC_FULL_VER=193933523
    -D_WIN32=1 -D_WIN64=1 -D_M_X64=100 -D_M_AMD64=100)
# (an identifier starts after a non-identifier character: lln__atomic_inc is ours, not GNU's)
gnu='(^|[^A-Za-z0-9_])(__attribute__|__builtin_|__atomic_|__sync_|__asm__|asm[ (]|__typeof__|typeof[ (]|pthread_|clock_gettime|ssize_t)|\\(\\{|unistd\\.h'
for f in "${lib[@]}" "$ext"; do
    arch="" # what setup.py's /arch flag makes MSVC define for this file
    case "$f" in
    */kernels_f32_avx2.c) arch="-D__AVX__ -D__AVX2__" ;;
    */kernels_f32_avx512.c)
        arch="-D__AVX__ -D__AVX2__ -D__AVX512F__ -D__AVX512CD__ -D__AVX512BW__ -D__AVX512DQ__"
        arch="$arch -D__AVX512VL__"
        ;;
    esac
    for isa in "" -DLLN_ISA_DISPATCH; do
        # shellcheck disable=SC2086 # isa and arch are word lists
        if ! cpp "${msvc[@]}" $isa $arch "${defs[@]}" "${inc[@]}" "$f" >"$tmp/pp.c" 2>"$tmp/err"; then
            sed 's/^/  /' "$tmp/err" | head -n 10
            echo "$f: the MSVC preprocessor view fails ${isa:+($isa)}"
            bad=$((bad + 1))
            continue
        fi
        # "# LINE FILE" markers name where each line comes from; the #include lines of
        # system headers (empty here) are what remains of them.
        awk -v re="$gnu" -v src="$f" -v isa="$isa" '
            /^# [0-9]+ "/ { line = $2 - 1; file = $3; gsub(/"/, "", file); next }
            { line++ }
            $0 ~ re && file !~ /\/sys\// {
                printf "%s:%d: GNU-only construct in the MSVC build of %s%s: %s\n", file, line,
                    src, isa == "" ? "" : " (" isa ")", $0; found = 1 }
            END { exit found }' "$tmp/pp.c" >>"$tmp/found" || true
    done
done
if [ -s "$tmp/found" ]; then
    sort -u "$tmp/found"
    bad=$((bad + $(sort -u "$tmp/found" | wc -l)))
fi
if [ "$bad" -gt 0 ]; then
    echo "check_msvc: $bad finding(s)"
    exit 1
fi
echo "check_msvc: clean (mingw-w64 ISO C11 build and the MSVC preprocessor view)"
