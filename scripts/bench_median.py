#!/usr/bin/env python3
"""Summarise several `make bench` runs: per model and mode, the median and the range.

    make bench BENCH_RUNS=3     (runs the benchmark 3 times, then this script on the logs)
    scripts/bench_median.py RUN1.log RUN2.log ...

On a shared 2-vCPU virtual machine one run's two-thread figures can move by 30-50 % from the
next (the other vCPU is not always ours), on both sides. Each ratio is still taken inside one
run (ncps and ours measured minutes apart, never across runs); this script reports the median
of those per-run ratios and of ours / limit, the range over the runs, and judges the goals on
the medians:
  streaming >= 100x ncps, batched and training >= 10x ncps, every model <= 1.5x its limit;
  where ncps / limit is below the ratio goal (the ratio is physically impossible), <= 1.2x.
After the batched medians it lists, per model and run, what the machine gave the two-thread
calls (bench_speed's "the machine during the batched calls": the two-core FMA ratio, calls with
our threads on one CPU, CPU pressure) and ours / the limit at that moment, so that a slow run is
shown with its cause instead of hidden in the median.
Exit 1 on a log without the tables (a failed or truncated run), naming the file.
"""
import re
import statistics
import sys

SECTIONS = (
    ("streaming", re.compile(r"^streaming, one step"), 100.0, "us/step"),
    ("batched", re.compile(r"^batched, "), 10.0, "ms/batch"),
    ("training", re.compile(r"^training \(s/epoch\)"), 10.0, "s/epoch"),
)
MOMENT_HEAD = re.compile(r"^the machine during the batched calls")
# model, ours, 1 thread, speedup, 2-core ratio (or -), one CPU k/n, pressure (or -), steal (or -),
# limit then, why
MOMENT_ROW = re.compile(
    r"^\s+(\w+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)x\s+([0-9.]+x|-)\s+(\d+/\d+)\s+(\d+%|-)"
    r"\s+(\d+|-)\s+([0-9.]+)\s+(.*)$"
)
ROW = re.compile(
    r"^\s+(\w+)\s+([0-9.]+|-)\s+([0-9.]+)\s+([0-9.]+x|-)\s+([0-9.]+)\s+(\w+)\s+([0-9.]+)x\b"
)


def parse_moment(path):
    """{model: (ours, speedup, 2-core ratio, one CPU, pressure, limit then, why)} of one log:
    what the machine gave the batched calls (bench_speed's section; empty in older logs).
    """
    rows, inside = {}, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if MOMENT_HEAD.match(line):
                inside = True
                continue
            if inside and not line.startswith("  "):
                inside = False
            m = MOMENT_ROW.match(line) if inside else None
            if m:
                rows[m.group(1)] = (
                    float(m.group(2)),
                    float(m.group(4)),
                    m.group(5),
                    m.group(6),
                    m.group(7),
                    float(m.group(9)),
                    m.group(10).strip(),
                )
    return rows


def print_moment(paths):
    """Per model and run: the batched time, what the machine gave it, and ours / the limit
    with the FMA throughput the cores gave at that moment; then the median of the latter.
    """
    runs = [parse_moment(p) for p in paths]
    if not any(runs):
        return
    print(
        "\nbatched, the machine during each run's calls (2-core 1.00x: full cores; "
        "limit then: the limit x the 2-core ratio)"
    )
    for model in [k for k in runs[0]]:
        overs = []
        for i, r in enumerate(runs):
            if model not in r:
                continue
            ours, speedup, fma, one, press, lim, why = r[model]
            overs.append(ours / lim)
            print(
                f"  {model:<11} run {i + 1}: {ours:8.4g} ms  speedup {speedup:4.2f}x  2-core "
                f"{fma:>6}  one CPU {one:>5}  press {press:>4}  ours/limit then {ours / lim:5.2f}x"
                f"  {why}"
            )
        if overs:
            over = med(overs)
            print(
                f"  {model:<11} median ours / limit then {over:.2f}x "
                f"[{min(overs):.2f}-{max(overs):.2f}]: <= 1.5x "
                + ("met" if over <= 1.5 else "NOT met")
            )


def parse(path):
    """{(mode, model): (ncps, ours, ratio, limit, bound, ours/limit)} of one bench log."""
    rows, mode = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            for name, head, _, _ in SECTIONS:
                if head.match(line):
                    mode = name
            if MOMENT_HEAD.match(line):
                mode = None
            m = ROW.match(line) if mode else None
            if m is None:
                if mode and not line.strip():
                    mode = None
                continue
            ncps = float(m.group(2)) if m.group(2) != "-" else None
            ratio = float(m.group(4)[:-1]) if m.group(4) != "-" else None
            rows[(mode, m.group(1))] = (
                ncps,
                float(m.group(3)),
                ratio,
                float(m.group(5)),
                m.group(6),
                float(m.group(7)),
            )
    return rows


def verdict(goal, ncps, limit, ratio, over):
    """The goal's judgement on the medians, as the bench's own tables word it."""
    if ratio is None:
        return "no ncps number: not judged"
    if ncps / limit < goal:
        ok = over <= 1.2
        return (
            f"{goal:g}x impossible (ncps/limit {ncps / limit:.1f}x); <= 1.2x limit "
            + ("met" if ok else "NOT met")
        )
    return (
        f">= {goal:g}x "
        + ("met" if ratio >= goal else "NOT met")
        + "; <= 1.5x limit "
        + ("met" if over <= 1.5 else "NOT met")
    )


def med(values):
    return statistics.median(values) if values else None


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = []
    for p in paths:
        try:
            r = parse(p)
        except OSError as e:
            print(f"bench_median: {p}: {e.strerror}", file=sys.stderr)
            return 1
        if not r:
            print(
                f"bench_median: {p}: no benchmark tables (failed or truncated run?)",
                file=sys.stderr,
            )
            return 1
        runs.append(r)
    print(
        f"median of {len(runs)} runs of make bench (each ratio measured within one run)"
    )
    for mode, _, goal, unit in SECTIONS:
        keys = [k for k in runs[0] if k[0] == mode]
        if not keys:
            continue
        print(f"\n{mode} ({unit}; median, [min-max] over the runs)")
        print(
            f"  {'model':<11} {'ncps':>9} {'ours':>9} {'ratio':>7} {'[range]':>15} "
            f"{'ours/limit':>10} {'[range]':>11}   goal on the medians"
        )
        for key in keys:
            vals = [r[key] for r in runs if key in r]
            ncps = med([v[0] for v in vals if v[0] is not None])
            ours = med([v[1] for v in vals])
            ratios = [v[2] for v in vals if v[2] is not None]
            # ours / limit from the unrounded times (the table's column has one decimal)
            overs = [v[1] / v[3] if v[3] > 0 else v[5] for v in vals]
            ratio, over, limit = med(ratios), med(overs), med([v[3] for v in vals])
            rr = f"[{min(ratios):.1f}-{max(ratios):.1f}]" if ratios else "-"
            ncps_s = f"{ncps:9.4g}" if ncps is not None else f"{'-':>9}"
            ratio_s = f"{ratio:6.1f}x" if ratio is not None else f"{'-':>7}"
            judged = verdict(goal, ncps, limit, ratio, over) if ncps else "not judged"
            print(
                f"  {key[1]:<11} {ncps_s} {ours:9.4g} {ratio_s} {rr:>15} {over:9.2f}x "
                f"[{min(overs):.2f}-{max(overs):.2f}]   {judged}"
            )
        if mode == "batched":
            print_moment(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
