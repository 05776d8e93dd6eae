#!/bin/bash
# The portable build (run-time ISA dispatch) against the LLN_NATIVE build on every make bench
# model, in one run: streaming and batched inference (bench/bench_speed --quick --json) and a
# training epoch's forward + backward (bench/bench_train_grad --quick) of the two builds,
# alternately, ROUNDS times each. Prints per model and measure the best (lowest) time of each
# build, the ratio portable / native (1.10 = 10 % slower) and PASS when it is at most 1.10,
# then one verdict line; exit 0 when every ratio passes, 1 otherwise. Alternating rounds and
# taking the best make the comparison fair on a loaded machine; the timings are still
# wall-clock: run it on an idle machine for numbers to quote.
# Usage: scripts/dispatch_bench.sh NATIVE_BUILD PORTABLE_BUILD [ROUNDS]
#   NATIVE_BUILD:   cmake -DCMAKE_BUILD_TYPE=Release -DLLN_NATIVE=ON   (what make bench builds)
#   PORTABLE_BUILD: cmake -DCMAKE_BUILD_TYPE=Release                   (dispatch on x86-64)
#   A folder without the benchmark programs is configured and built first (the two
#   benchmarks and lln only).
set -euo pipefail
native=${1:?usage: scripts/dispatch_bench.sh NATIVE_BUILD PORTABLE_BUILD [ROUNDS]}
portable=${2:?portable build folder}
rounds=${3:-5}
case $rounds in '' | *[!0-9]* | 0)
    echo "dispatch_bench: ROUNDS '$rounds' must be a whole number >= 1" >&2
    exit 2
    ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
for b in "$native" "$portable"; do
    if [ ! -x "$b/bench_speed" ] || [ ! -x "$b/bench_train_grad" ]; then
        flag=OFF
        [ "$b" = "$native" ] && flag=ON
        echo "dispatch_bench: building $b (LLN_NATIVE=$flag)"
        cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Release -DLLN_NATIVE=$flag >/dev/null
        cmake --build "$b" -j "${JOBS:-2}" --target bench_speed bench_train_grad lln >/dev/null
    fi
done
if [ -x "$portable/lln" ]; then
    echo "portable build: $("$portable/lln" doctor | head -n1)"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
    for b in native portable; do
        dir=$native
        [ "$b" = portable ] && dir=$portable
        "$dir/bench_speed" --quick --json >"$out/$b-$r.json"
        "$dir/bench_train_grad" --quick >"$out/$b-$r.grad"
    done
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
LIMIT = 1.10
best, ids = {}, []
def keep(build, model, key, value):
    k = (build, model, key)
    best[k] = min(best.get(k, float("inf")), value)
    if model not in ids:
        ids.append(model)
for build in ("native", "portable"):
    for r in range(1, rounds + 1):
        for m in json.load(open(f"{out}/{build}-{r}.json"))["models"]:
            keep(build, m["id"], "stream_us", m["stream_us"])
            keep(build, m["id"], "batch_ms", m["batch_ms"])
        # bench_train_grad's table: model, epoch ms (median), min ms, ...
        for line in open(f"{out}/{build}-{r}.grad"):
            f = line.split()
            if len(f) >= 3 and f[0] in ids:
                keep(build, f[0], "train_ms", float(f[1]))
MEASURES = (("stream_us", "µs/step"), ("batch_ms", "batch ms"), ("train_ms", "train epoch ms"))
print(f"best of {rounds} alternating --quick runs per build; ratio = portable / native, "
      f"PASS when <= {LIMIT:.2f}")
print("| model | measure | native | portable | ratio | within 10 % |")
print("|---|---|---:|---:|---:|---|")
worst, fails, missing = 0.0, [], []
for i in ids:
    for key, label in MEASURES:
        n, p = best.get(("native", i, key)), best.get(("portable", i, key))
        if n is None or p is None:
            missing.append(f"{i} {label}")
            continue
        ratio = p / n
        worst = max(worst, ratio)
        ok = ratio <= LIMIT
        if not ok:
            fails.append(f"{i} {label} {ratio:.2f}")
        print(f"| {i} | {label} | {n:.3f} | {p:.3f} | {ratio:.2f} | {'PASS' if ok else 'FAIL'} |")
if missing:
    print("MISSING (a benchmark printed no number): " + ", ".join(missing))
verdict = "PASS" if not fails and not missing and ids else "FAIL"
print(f"{verdict}: worst portable / native {worst:.2f} over {len(ids)} models"
      + (f"; over 10 %: {', '.join(fails)}" if fails else ""))
sys.exit(0 if verdict == "PASS" else 1)
PY
