#!/bin/bash
# Runs the Python package's tests against an AddressSanitizer + UBSan build of the extension
# (the C library and the binding compiled with -fsanitize=address,undefined), with the
# sanitizer runtimes preloaded into Debian's python3. Leak detection is off: CPython keeps
# interned objects alive at exit by design. Usage: scripts/python_asan.sh [WORKDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/build-python-asan}
py=${LLN_PYTHON:-/usr/bin/python3}
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
rm -rf "$work"
mkdir -p "$work"
(cd "$root/python" && CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined" \
    "$py" setup.py -q build_ext -b "$work/lib" -t "$work/tmp")
cp "$root"/python/liquid_edge/*.py "$work/lib/liquid_edge/"
preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
cd "$work"
where=$(LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0 PYTHONPATH="$work/lib" \
    "$py" -c 'import liquid_edge; print(liquid_edge._core.__file__)')
case "$where" in
"$work/lib/"*) echo "sanitized extension: $where" ;;
*)
    echo "python_asan.sh: imported $where instead of the sanitized build" >&2
    exit 1
    ;;
esac
LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 PYTHONPATH="$work/lib" \
    "$py" -m pytest -p no:cacheprovider -q -rs "$root/python/tests"
