#!/bin/bash
# Python package (python/): builds the sdist and the wheel offline (python3 -m build
# --no-isolation with Debian's build/setuptools/wheel), validates their metadata (twine
# check) and contents (the sdist carries the C sources, the wheel the extension), installs
# the wheel into a fresh venv (--system-site-packages, so Debian's numpy and torch are seen;
# pip --no-index, so nothing is downloaded) and runs the Python tests there, from outside
# the source tree, so they import the installed package, then the README's quick-start
# example. The ncps parity tests need torch and
# ../shared/anchors/ncps (or LLN_NCPS_DIR); when both are there, a skipped test fails this
# stage (unless LLN_PYTHON_ALLOW_SKIP=1); without them the skips are loud but accepted.
# Budget: 4 minutes.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin python
PY=${LLN_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3)
ci_need twine twine
for mod in build setuptools wheel numpy pytest venv; do
    if ! "$PY" -c "import $mod" 2>/dev/null; then
        echo "missing Python module '$mod' for $PY (scripts/deps.sh ci installs it)"
        ci_end FAIL "missing $mod"
    fi
done
work="$CI_OUT/python"
rm -rf "$work"
mkdir -p "$work"
fail=""

echo "--- build sdist + wheel"
if ! ci_run python-build "$PY" -m build --no-isolation --outdir "$work/dist" python; then
    ci_end FAIL "build failed"
fi
sdist=$(find "$work/dist" -name 'liquid[-_]edge-*.tar.gz' | head -n 1)
wheel=$(find "$work/dist" -name 'liquid_edge-*.whl' | head -n 1)
version=$(scripts/version.sh)
case "$wheel" in
*"-$version-"*) ;;
*)
    echo "wheel $wheel does not carry the project version $version"
    fail="$fail version"
    ;;
esac
wheel_kb=$(($(stat -c %s "$wheel") / 1024))
echo "sdist $(basename "$sdist"), wheel $(basename "$wheel") ($wheel_kb KiB)"
ci_metric python_wheel_kb "$wheel_kb"

echo "--- metadata and contents"
if ! ci_run python-twine twine check --strict "$sdist" "$wheel"; then
    fail="$fail metadata"
fi
sdist_files=$(tar tzf "$sdist")
if ! grep -Eq '/csrc/src/(.*/)?model\.c$' <<<"$sdist_files"; then
    echo "the sdist lacks the C library sources (csrc/src)"
    fail="$fail sdist"
fi
wheel_files=$("$PY" -m zipfile -l "$wheel")
if ! grep -Eq 'liquid_edge/_core\..*\.so' <<<"$wheel_files"; then
    echo "the wheel lacks the extension module"
    fail="$fail wheel"
fi

echo "--- install into a clean venv and test"
"$PY" -m venv --system-site-packages "$work/venv"
if ! ci_run python-install "$work/venv/bin/pip" install --no-index --no-deps "$wheel"; then
    ci_end FAIL "install failed"
fi
where=$(cd "$work" && "$work/venv/bin/python" -c 'import liquid_edge; print(liquid_edge.__file__)')
case "$where" in
"$work/venv/"*) echo "imports the installed package: $where" ;;
*)
    echo "liquid_edge imported from $where, not from the venv"
    fail="$fail import"
    ;;
esac
ext=$(find "$work/venv" -name '_core*.so' | head -n 1)
exports=$(nm -D --defined-only "$ext" | awk '{print $3}' | grep -vx 'PyInit__core')
if [ -n "$exports" ]; then
    echo "the extension exports more than PyInit__core: $(echo "$exports" | head -n 5 | tr '\n' ' ')"
    fail="$fail exports"
else
    echo "the extension exports only PyInit__core"
fi
log="$CI_OUT/logs/python-pytest.log"
# verify/profile run through the lln CLI: the one an earlier stage built, else build it here
if [ -z "${LLN_CLI:-}" ]; then
    for c in "$CI_ROOT/build/lln" "$CI_OUT/build-gcc-Release/lln" "$CI_OUT/build-gcc-Debug/lln"; do
        [ -x "$c" ] && LLN_CLI=$c && break
    done
fi
if [ -z "${LLN_CLI:-}" ]; then
    ci_run python-cli cmake -S . -B "$work/cli" -DCMAKE_BUILD_TYPE=Release &&
        ci_run python-cli-build cmake --build "$work/cli" -j "$CI_JOBS" --target lln &&
        LLN_CLI=$work/cli/lln
fi
export LLN_CLI=${LLN_CLI:-}
export LLN_NCPS_DIR=${LLN_NCPS_DIR:-$CI_SHARED/anchors/ncps}
(cd "$work" && "$work/venv/bin/python" -m pytest -p no:cacheprovider -rs -q "$CI_ROOT/python/tests") >"$log" 2>&1
rc=$?
tail -n 15 "$log"
passed=$(grep -oE '[0-9]+ passed' "$log" | tail -n 1 | cut -d' ' -f1)
skipped=$(grep -oE '[0-9]+ skipped' "$log" | tail -n 1 | cut -d' ' -f1)
ci_metric python_tests_passed "${passed:-0}"
ci_metric python_tests_skipped "${skipped:-0}"
[ "$rc" -ne 0 ] && fail="$fail tests"
# Skips are accepted only where the reference cannot be: without ../shared (GitHub) or torch.
allow_skip=${LLN_PYTHON_ALLOW_SKIP:-}
if [ -z "$allow_skip" ]; then
    allow_skip=0
    if [ ! -d "${LLN_NCPS_DIR:-$CI_SHARED/anchors/ncps}/ncps/torch" ] ||
        ! "$work/venv/bin/python" -c 'import torch' 2>/dev/null; then
        echo "NOTE: ncps source or torch missing: the parity tests SKIP (see the reasons above)"
        allow_skip=1
    fi
fi
if [ "${skipped:-0}" -gt 0 ] && [ "$allow_skip" != 1 ]; then
    echo "SKIPPED Python tests with the reference present (reasons above); LLN_PYTHON_ALLOW_SKIP=1 accepts"
    fail="$fail skipped"
fi
echo "--- the README's Python quick start (examples/quickstart.py in the venv)"
if (cd "$work" && "$work/venv/bin/python" "$CI_ROOT/python/examples/quickstart.py") \
    >"$CI_OUT/logs/python-quickstart.log" 2>&1; then
    cat "$CI_OUT/logs/python-quickstart.log"
else
    tail -n 30 "$CI_OUT/logs/python-quickstart.log"
    fail="$fail quickstart"
fi

figure="wheel $wheel_kb KiB, ${passed:-0} tests passed, ${skipped:-0} skipped"
[ -z "$fail" ] && ci_end PASS "$figure"
ci_end FAIL "$figure:$fail"
