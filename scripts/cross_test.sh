#!/bin/bash
# Cross build + emulated tests for one platform of cmake/toolchains/: configures and builds the
# library, the unit tests and lln_golden for the toolchain, then runs every tests/test_*.c and
# the golden parity (lln_golden over the shared golden vectors) through the toolchain's
# emulator (CMAKE_CROSSCOMPILING_EMULATOR: qemu-user or wine).
# Usage: scripts/cross_test.sh TOOLCHAIN BUILD_DIR SHARED_DIR [SOURCE_DIR]
#   TOOLCHAIN: aarch64-linux-gnu | s390x-linux-gnu | x86_64-w64-mingw32 (cmake/toolchains/NAME.cmake)
# Not run: the CLI shell tests (tests/cli_*.sh, native only), and test_data_shared, which starts
# the lln CLI as a child process: an emulated process cannot exec another foreign binary
# without binfmt_misc, which a container does not have. Both are said loudly below.
set -euo pipefail
tc=${1:?usage: scripts/cross_test.sh TOOLCHAIN BUILD_DIR SHARED_DIR [SOURCE_DIR]}
build=${2:?build folder}
shared=${3:?shared folder}
src=${4:-$(cd "$(dirname "$0")/.." && pwd)}
file="$src/cmake/toolchains/$tc.cmake"
[ -f "$file" ] || { echo "cross_test: no toolchain file $file" >&2; exit 2; }
jobs=${CI_JOBS:-2}
cmake -S "$src" -B "$build" --toolchain "$file" -DCMAKE_BUILD_TYPE=Release \
    -DLLN_SHARED_DIR="$shared" -DLLN_WERROR=ON >/dev/null
# The unit tests (tests/test_*.c) that this configuration defines, and lln_golden.
targets=$(cmake --build "$build" --target help | sed -n 's/^\.\.\. \(test_[a-z0-9_]*\)$/\1/p' |
    grep -vx test_data_shared || true)
[ -n "$targets" ] || { echo "cross_test: no unit-test targets in $build" >&2; exit 1; }
# shellcheck disable=SC2086 # one target per word
cmake --build "$build" -j "$jobs" --target lln_golden $targets
echo "NOT RUN on $tc: tests/cli_*.sh (native CLI tests) and test_data_shared (runs the CLI as" \
    "a child process), nor the host-tool checks (symbols, layers, fuzz corpora)"
# Under wine, one persistent server and a prefix made before the parallel tests start
# (scripts/lib/wine.sh says why); lln_golden without arguments prints its usage.
if [ "$tc" = x86_64-w64-mingw32 ]; then
    # shellcheck source-path=SCRIPTDIR source=lib/wine.sh
    . "$(dirname "$0")/lib/wine.sh"
    wine_start "$build" "$build/lln_golden.exe"
    trap '"$server" -k 2>/dev/null || true' EXIT
fi
# With run-time ISA dispatch (x86-64: the Windows build) the plain tests run the variant the
# CPU gets (avx512 where it has AVX-512), and the golden parity and the kernel tests run once
# more with the narrower ones forced (NAME_sse2, NAME_avx2).
ctest --test-dir "$build" -j "$jobs" --output-on-failure \
    -R "^($(echo "$targets" | paste -sd'|' -)|golden_parity)(_sse2|_avx2)?\$"
