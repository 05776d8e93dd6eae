#!/bin/bash
# Security: three static analysers over the C code of the library, the runtime, the CLI, the
# tools, the tests and the benchmark (sim/, the bare-metal simulation harness, is not shipped
# and is checked by its own stage). Any finding fails:
#   cppcheck (warning, style, performance, portability; C99);
#   flawfinder, any hit at risk level 4 or 5 (the counts per level are recorded);
#   clang-tidy with the checked-in .clang-tidy (bugprone, cert, clang-analyzer core/security/
#   unix/deadcode/valist) over every file of a clang compile_commands.json;
#   bandit over the Python package (python/liquid_edge, python/setup.py).
# A finding that does not apply is suppressed where it is, with its reason on the same line:
# "cppcheck-suppress ID ; why", "Flawfinder: ignore (why)", "NOLINT...(check): why" (whole
# checks left out of .clang-tidy are listed there with their reasons). The figure counts them.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin security
ci_need cppcheck cppcheck
ci_need flawfinder flawfinder
ci_need clang-tidy clang-tidy
ci_need clang clang
ci_need cmake cmake
ci_need python3 python3

dirs=()
for d in src runtime cli mpi tools tests bench include ros2; do
    [ -d "$d" ] && dirs+=("$d")
done
fail=""

echo "--- cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
cpp_log="$CI_OUT/logs/security-cppcheck.log"
cppcheck --enable=warning,style,performance,portability --std=c99 --inline-suppr \
    --error-exitcode=1 -q -j "$CI_JOBS" -I include -I src -I runtime -I cli -I tests \
    --template='{file}:{line}: {severity}: {message} [{id}]' "${dirs[@]}" >"$cpp_log" 2>&1
cpp_rc=$?
cpp_findings=$(grep -cE '^[^ ]+:[0-9]+: ' "$cpp_log")
if [ "$cpp_rc" -ne 0 ] || [ "$cpp_findings" -gt 0 ]; then
    head -n 40 "$cpp_log"
    [ "$cpp_findings" -eq 0 ] && cpp_findings=1 # cppcheck failed without a finding line
    fail="$fail cppcheck"
fi
echo "cppcheck: $cpp_findings finding(s)"

echo "--- flawfinder $(flawfinder --version)"
ff_log="$CI_OUT/logs/security-flawfinder.log"
flawfinder --minlevel=1 --error-level=4 -C "${dirs[@]}" >"$ff_log" 2>&1
ff_rc=$?
levels=$(sed -n 's/^Hits@level = //p' "$ff_log")
for l in 0 1 2 3 4 5; do
    n=$(sed -nE "s/.*\[$l\] *([0-9]+).*/\1/p" <<<"$levels")
    ci_metric "flawfinder_level$l" "${n:-0}"
done
ff_high=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: +\[[45]\]' "$ff_log")
echo "flawfinder hits per level: ${levels:-?}"
if [ "$ff_rc" -ne 0 ] || [ "$ff_high" -gt 0 ]; then
    grep -E '^[^ ]+:[0-9]+:[0-9]+: +\[[45]\]' "$ff_log" | head -n 30
    [ "$ff_high" -eq 0 ] && { tail -n 20 "$ff_log"; ff_high=1; }
    fail="$fail flawfinder"
fi
echo "flawfinder: $ff_high hit(s) at level 4+"

echo "--- clang-tidy $(clang-tidy --version | sed -n 's/.*LLVM version //p')"
tidy_dir="$CI_OUT/build-tidy"
tidy_logs="$CI_OUT/logs/security-clang-tidy"
rm -rf "$tidy_logs"
mkdir -p "$tidy_logs"
tidy_findings=0
if ci_run security-tidy-configure cmake -S . -B "$tidy_dir" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DLLN_SHARED_DIR="$CI_SHARED" &&
    ci_run security-tidy-generate cmake --build "$tidy_dir" --target lln_generated; then
    # (lln_generated: the generated headers, e.g. the ROS 2 message types, that sources include.)
    # Every translation unit of ours (not generated files in the build tree), one log each.
    python3 - "$tidy_dir/compile_commands.json" "$CI_ROOT" "${dirs[@]}" >"$tidy_logs/files" <<'PY'
import json, os, sys
db, root, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
files = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, root)
    if rel.split(os.sep)[0] in dirs:
        files.add(rel)
print("\n".join(sorted(files)))
PY
    ntu=$(grep -c . "$tidy_logs/files")
    # shellcheck disable=SC2016 # $1..$3 are expanded by sh -c, not here
    tr '\n' '\0' <"$tidy_logs/files" | xargs -0 -P "$CI_JOBS" -I{} sh -c \
        'clang-tidy -p "$1" --quiet "$2" >"$3/$(echo "$2" | tr / _).log" 2>&1' \
        sh "$tidy_dir" {} "$tidy_logs"
    # Findings are reported once per header include; count each place once.
    cat "$tidy_logs"/*.log | sed 's/\x1b\[[0-9;]*m//g' |
        grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' | sed "s|^$CI_ROOT/||" |
        sort -u >"$tidy_logs/findings"
    tidy_findings=$(grep -c . "$tidy_logs/findings")
    # A file clang-tidy could not analyse at all is a failure too.
    if grep -lE 'error: .*\[clang-diagnostic-error\]|Error while processing' "$tidy_logs"/*.log \
        >/dev/null 2>&1 && [ "$tidy_findings" -eq 0 ]; then
        tidy_findings=1
        grep -hE 'clang-diagnostic-error|Error while processing' "$tidy_logs"/*.log | head
    fi
    echo "clang-tidy: $ntu translation units"
    if [ "$tidy_findings" -gt 0 ]; then
        head -n 40 "$tidy_logs/findings"
        echo "(full diagnostics with notes: $tidy_logs/*.log)"
        fail="$fail clang-tidy"
    fi
else
    tidy_findings=1
    fail="$fail clang-tidy-configure"
fi
echo "clang-tidy: $tidy_findings finding(s)"

echo "--- bandit (python/)"
bandit_log="$CI_OUT/logs/security-bandit.log"
if command -v bandit >/dev/null 2>&1; then
    bandit -q -r python/liquid_edge python/setup.py >"$bandit_log" 2>&1
    bandit_rc=$?
    bandit_findings=$(grep -c '^>> Issue' "$bandit_log")
    if [ "$bandit_rc" -ne 0 ]; then
        head -n 40 "$bandit_log"
        [ "$bandit_findings" -eq 0 ] && bandit_findings=1
        fail="$fail bandit"
    fi
else
    echo "bandit missing (Debian package bandit; scripts/deps.sh ci)"
    bandit_findings=1
    fail="$fail bandit"
fi
echo "bandit: $bandit_findings finding(s)"
ci_metric bandit_findings "$bandit_findings"

# Reviewed suppressions, counted where they are.
count() { grep -rIhoE "$1" "${dirs[@]}" 2>/dev/null | wc -l; }
sup_cpp=$(count 'cppcheck-suppress [A-Za-z]+')
sup_ff=$(count '[Ff]lawfinder: *ignore')
sup_tidy=$(count 'NOLINT(NEXTLINE|BEGIN)?\(')
sup=$((sup_cpp + sup_ff + sup_tidy))
ci_metric cppcheck_findings "$cpp_findings"
ci_metric flawfinder_high "$ff_high"
ci_metric clang_tidy_findings "$tidy_findings"
ci_metric suppressions "$sup"
echo "suppressions with reasons: cppcheck $sup_cpp, flawfinder $sup_ff, clang-tidy $sup_tidy"

figure="cppcheck $cpp_findings, flawfinder L4+ $ff_high, clang-tidy $tidy_findings, bandit $bandit_findings ($sup suppressions)"
[ -z "$fail" ] && ci_end PASS "$figure"
ci_end FAIL "$figure"
