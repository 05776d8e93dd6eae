#!/usr/bin/env python3
"""The comparison tables of docs/RESULTS.md from `scripts/results.sh ... compare` runs.

    scripts/compare_table.py OUTDIR

reads OUTDIR/compare-DATASET-sSEED/compare.json (the files `lln compare` writes) and prints,
per dataset, one Markdown table: per model kind the mean (± sample std over the seeds) of
parameters, the firmware's test metric, flash, RAM, cycles and energy per step, and the
average power at the dataset's step rate. Every number is read from those files.
"""
import glob
import json
import os
import re
import statistics
import sys


def mean_std(values, fmt):
    m = statistics.mean(values)
    if len(values) < 2 or min(values) == max(values):
        return fmt.format(m)
    return (fmt + " ± " + fmt).format(m, statistics.stdev(values))


def load(outdir):
    runs = {}
    for path in sorted(glob.glob(os.path.join(outdir, "compare-*-s*", "compare.json"))):
        m = re.match(r"compare-(.+)-s(\d+)$", os.path.basename(os.path.dirname(path)))
        with open(path, encoding="utf-8") as f:
            c = json.load(f)
        if c.get("lln_result") != "compare":
            sys.exit(f"{path}: not a compare result")
        runs.setdefault(m.group(1), []).append((int(m.group(2)), c))
    return runs


def table(name, runs):
    first = runs[0][1]
    metric = first["metric"]
    seeds = ", ".join(str(s) for s, _ in runs)
    better = "higher" if metric == "accuracy" else "lower"
    match = "matched accuracy" if first["match"] == "accuracy" else "matched size"
    print(f"#### {name} — {metric} ({better} is better), {match}, seeds {seeds}; "
          f"{first['device']} at {first['rate_hz']:.6g} steps/s\n")
    acc = first["match"] == "accuracy"
    print(f"| model | params | test {metric} (firmware) | flash B | RAM B | cycles/step "
          f"| µJ/step | avg mW |" + (" reached the reference |" if acc else ""))
    print("|---|---|---|---|---|---|---|---|" + ("---|" if acc else ""))
    kinds = [r["model"] for r in first["rows"]]
    for k in kinds:
        rows = [next(r for r in c["rows"] if r["model"] == k) for _, c in runs]
        col = lambda key: [r[key] for r in rows]  # noqa: E731
        mfmt = "{:.4f}" if metric == "accuracy" else "{:.4g}"
        print(f"| {k} | {mean_std(col('params'), '{:.0f}')} "
              f"| {mean_std(col('metric_value'), mfmt)} "
              f"| {mean_std(col('flash_bytes'), '{:.0f}')} | {mean_std(col('ram_bytes'), '{:.0f}')} "
              f"| {mean_std(col('cycles_per_step'), '{:.0f}')} "
              f"| {mean_std(col('energy_per_step_uj'), '{:.3g}')} "
              f"| {mean_std(col('avg_power_mw'), '{:.3g}')} |"
              + (f" {sum(col('reached'))} of {len(rows)} |" if acc else ""))
    print()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    runs = load(sys.argv[1])
    if not runs:
        sys.exit(f"{sys.argv[1]}: no compare-*-s*/compare.json")
    for name in sorted(runs):
        table(name, runs[name])


if __name__ == "__main__":
    main()
