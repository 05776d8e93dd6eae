#!/bin/bash
# Windows: mingw-w64 cross build (Debian gcc-mingw-w64-x86-64, libz-mingw-w64-dev) of the
# library, its unit tests and lln_golden, run under wine64, the float32 kernels once per ISA
# variant (run-time dispatch: sse2, avx2, avx512); then the lln command itself under wine64
# (scripts/windows_cli_smoke.sh), compared byte for byte with the Linux lln of the build stage
# when that exists. The native Windows and macOS jobs are in .github/workflows/platforms.yml
# (not run here).
# shellcheck source=.ci/cross.sh
. "$(dirname "$0")/../cross.sh"
ci_begin windows
ci_need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 ||
    ci_end FAIL "missing wine64: install Debian package 'wine64' (scripts/deps.sh ci does it)"
linux_lln="$CI_OUT/build-gcc-Release/lln"
[ -x "$linux_lln" ] || linux_lln=""
CI_CROSS_POST="bash scripts/windows_cli_smoke.sh $CI_OUT/build-windows $linux_lln"
ci_cross windows x86_64-w64-mingw32
