#!/usr/bin/env python3
"""Summarise the runs of scripts/timing_study.sh.

    timing_summary.py TIMING.tsv TABLE.md RESULT.json

TIMING.tsv has one row per (task, cell, seed, timing column): the held-out successes of that
run. TABLE.md gets, per task, one row per cell: its trainable parameters and, per timing
column, the success rate averaged over the seeds with the lowest and highest seed. RESULT.json
is the same in the "timing" result format that `lln report` and `lln plot` draw
(docs/CLI.md). Both are written atomically (temporary file, fsync, rename). A malformed input
row stops the script with the file, line and problem (exit status 1).
"""
import json
import os
import sys
import tempfile

HEADER = ["task", "cell", "seed", "params", "column", "timing", "successes", "episodes"]
COLUMN_TITLES = {
    "trained": "trained timing",
    "jitter_1": "jitter 0.5 B",
    "jitter_2": "jitter 0.7 B",
    "jitter_3": "jitter 0.9 B",
    "drop_1": "15 % dropped",
    "drop_2": "30 % dropped",
    "drop_3": "50 % dropped",
    "rate_x0.67": "rate x0.67",
    "rate_x2": "rate x2",
}


def axis_of(column):
    """The axis a column varies: trained, jitter, dropout or rate."""
    return {"jitter": "jitter", "drop": "dropout", "rate": "rate"}.get(
        column.split("_")[0], "trained"
    )


def fail(msg):
    print(f"timing_summary: {msg}", file=sys.stderr)
    sys.exit(1)


def nonneg_int(text, where, field):
    if not text.isdigit():
        fail(f"{where}: field '{field}': expected a non-negative integer, got '{text}'")
    return int(text)


def read_runs(path):
    runs = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    if not lines or lines[0].split("\t") != HEADER:
        fail(f"{path}:1: expected the header '{chr(9).join(HEADER)}'")
    for no, line in enumerate(lines[1:], start=2):
        where = f"{path}:{no}"
        parts = line.split("\t")
        if len(parts) != len(HEADER):
            fail(
                f"{where}: expected {len(HEADER)} tab-separated fields, got {len(parts)}"
            )
        task, cell, seed, params, column, timing, ok, episodes = parts
        if column not in COLUMN_TITLES:
            fail(f"{where}: field 'column': unknown timing column '{column}'")
        run = {
            "task": task,
            "cell": cell,
            "seed": nonneg_int(seed, where, "seed"),
            "params": nonneg_int(params, where, "params"),
            "column": column,
            "timing": timing,
            "successes": nonneg_int(ok, where, "successes"),
            "episodes": nonneg_int(episodes, where, "episodes"),
        }
        if run["episodes"] == 0 or run["successes"] > run["episodes"]:
            fail(f"{where}: successes {ok} of {episodes} episodes")
        runs.append(run)
    if not runs:
        fail(f"{path}: no runs")
    return runs


def summarise(runs):
    """Per (task, cell, column): mean, min and max success rate over the seeds."""
    order_tasks, order_cells, order_cols = [], {}, []
    groups = {}
    for r in runs:
        if r["task"] not in order_tasks:
            order_tasks.append(r["task"])
            order_cells[r["task"]] = []
        if r["cell"] not in order_cells[r["task"]]:
            order_cells[r["task"]].append(r["cell"])
        if r["column"] not in order_cols:
            order_cols.append(r["column"])
        g = groups.setdefault((r["task"], r["cell"], r["column"]), [])
        g.append(r)
    rows = []
    for task in order_tasks:
        for cell in order_cells[task]:
            for col in order_cols:
                g = groups.get((task, cell, col))
                if not g:
                    fail(f"{task} {cell}: no run at timing column {col}")
                rates = [x["successes"] / x["episodes"] for x in g]
                params = sorted({x["params"] for x in g})
                timings = sorted({x["timing"] for x in g})
                if len(timings) != 1:
                    fail(f"{task} {cell} {col}: runs with different timings {timings}")
                rows.append(
                    {
                        "task": task,
                        "cell": cell,
                        "params": params[-1],
                        "column": col,
                        "timing": timings[0],
                        "seeds": len(g),
                        "episodes": g[0]["episodes"],
                        "mean": sum(rates) / len(rates),
                        "min": min(rates),
                        "max": max(rates),
                    }
                )
    return order_tasks, order_cells, order_cols, rows


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; these are ordinary result files
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def markdown(tasks, cells, cols, rows):
    by = {(r["task"], r["cell"], r["column"]): r for r in rows}
    out = []
    for task in tasks:
        first = by[(task, cells[task][0], cols[0])]
        timings = ", ".join(
            f"{COLUMN_TITLES[c]} {by[(task, cells[task][0], c)]['timing']}"
            for c in cols
        )
        out.append(
            f"**{task}** (success rate over {first['episodes']} held-out episodes, mean "
            f"over the seeds, lowest-highest seed in brackets; --timing B,J,D,S: {timings})"
        )
        out.append("")
        out.append(
            "| cell | params | seeds | "
            + " | ".join(COLUMN_TITLES[c] for c in cols)
            + " |"
        )
        out.append("|---|---|---|" + "---|" * len(cols))
        for cell in cells[task]:
            r0 = by[(task, cell, cols[0])]
            params = "–" if cell == "expert" else str(r0["params"])
            vals = []
            for c in cols:
                r = by[(task, cell, c)]
                v = f"{r['mean']:.2f}"
                if r["seeds"] > 1:
                    v += f" ({r['min']:.2f}-{r['max']:.2f})"
                vals.append(v)
            out.append(
                f"| {cell} | {params} | {r0['seeds']} | " + " | ".join(vals) + " |"
            )
        out.append("")
    return "\n".join(out)


def changes(runs, tasks, cells, cols):
    """Per task and cell, the change from the trained timing in percentage points: per seed
    the rate at a column minus the rate of the same network at the trained timing (the same
    held-out episodes), averaged over the seeds."""
    if "trained" not in cols or len(cols) < 2:
        return ""
    rate = {
        (r["task"], r["cell"], r["seed"], r["column"]): r["successes"] / r["episodes"]
        for r in runs
    }
    others = [c for c in cols if c != "trained"]
    out = [
        "**Change from the trained timing** (percentage points; per seed, the success at "
        "the deployed timing minus that of the same network at the trained timing on the "
        "same episodes, averaged over the seeds; worst: the most negative column)",
        "",
        "| task | cell | "
        + " | ".join(COLUMN_TITLES[c] for c in others)
        + " | worst |",
        "|---|---|" + "---|" * (len(others) + 1),
    ]
    for task in tasks:
        for cell in cells[task]:
            seeds = sorted({k[2] for k in rate if k[0] == task and k[1] == cell})
            vals = []
            for c in others:
                d = [
                    rate[(task, cell, s, c)] - rate[(task, cell, s, "trained")]
                    for s in seeds
                    if (task, cell, s, c) in rate and (task, cell, s, "trained") in rate
                ]
                vals.append(100 * sum(d) / len(d) if d else float("nan"))
            worst = min(vals)
            cells_txt = [f"{round(v, 1) + 0.0:+.1f}" for v in vals]
            out.append(
                f"| {task} | {cell} | " + " | ".join(cells_txt) + f" | {worst:+.1f} |"
            )
    out.append("")
    return "\n".join(out)


def main(argv):
    if len(argv) != 4:
        fail("usage: timing_summary.py TIMING.tsv TABLE.md RESULT.json")
    runs = read_runs(argv[1])
    tasks, cells, cols, rows = summarise(runs)
    write_atomic(
        argv[2],
        markdown(tasks, cells, cols, rows) + "\n" + changes(runs, tasks, cells, cols),
    )
    result = {
        "lln_result": "timing",
        "version": 1,
        "columns": [
            {"name": c, "title": COLUMN_TITLES[c], "axis": axis_of(c)} for c in cols
        ],
        "rows": rows,
    }
    write_atomic(argv[3], json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv)
