#!/bin/bash
# The portable build (run-time ISA dispatch) against the LLN_NATIVE build on the make bench
# models: runs bench/bench_speed --quick --json of the two builds alternately, ROUNDS times
# each, and prints per model the best (lowest) median of each build and their ratio
# (portable / native; 1.10 = 10 % slower). Alternating rounds and taking the best make the
# comparison fair on a loaded machine; the timings are still wall-clock.
# Usage: scripts/dispatch_bench.sh NATIVE_BUILD PORTABLE_BUILD [ROUNDS]
#   NATIVE_BUILD:   cmake -DCMAKE_BUILD_TYPE=Release -DLLN_NATIVE=ON   (what make bench builds)
#   PORTABLE_BUILD: cmake -DCMAKE_BUILD_TYPE=Release                   (dispatch on x86-64)
set -euo pipefail
native=${1:?usage: scripts/dispatch_bench.sh NATIVE_BUILD PORTABLE_BUILD [ROUNDS]}
portable=${2:?portable build folder}
rounds=${3:-5}
for b in "$native" "$portable"; do
    [ -x "$b/bench_speed" ] || { echo "dispatch_bench: no $b/bench_speed" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
    "$native/bench_speed" --quick --json >"$out/native-$r.json"
    "$portable/bench_speed" --quick --json >"$out/portable-$r.json"
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
best = {}
for build in ("native", "portable"):
    for r in range(1, rounds + 1):
        for m in json.load(open(f"{out}/{build}-{r}.json"))["models"]:
            for key in ("stream_us", "batch_ms"):
                k = (build, m["id"], key)
                best[k] = min(best.get(k, float("inf")), m[key])
ids = sorted({k[1] for k in best}, key=lambda i: list(best).index(("native", i, "stream_us")))
print(f"best of {rounds} alternating --quick runs per build")
print("| model | native µs/step | portable µs/step | ratio | native batch ms | portable batch ms | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
worst = 0.0
for i in ids:
    row = [i]
    for key in ("stream_us", "batch_ms"):
        n, p = best[("native", i, key)], best[("portable", i, key)]
        worst = max(worst, p / n)
        row += [f"{n:.3f}", f"{p:.3f}", f"{p / n:.2f}"]
    print("| " + " | ".join(row) + " |")
print(f"worst portable / native: {worst:.2f}")
PY
