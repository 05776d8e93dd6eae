#!/bin/bash
# lln report / lln plot on a timing study (the "timing" result of scripts/timing_study.sh):
# runs written here as TSV are summarised by scripts/timing_summary.py (its table and JSON
# checked against the means computed here), the report and the SVG files drawn from the JSON
# (well-formed XML, one figure per task with a line per cell, the task names escaped and,
# in file names and ids, made safe), then the refusals of both: malformed TSV rows, and JSON
# with a rate above 1, min > mean, an unknown column or axis, a repeated row, a missing field.
# Usage: cli_report_timing.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_report_timing
case "$lln" in */*) lln=$(abs_path "$lln") ;; esac
have python3 || skip_loud "python3 is missing (scripts/timing_summary.py and the XML checks need it)"
summary="$(cd "$(dirname "$0")/.." && pwd)/scripts/timing_summary.py"

# ---- runs: two tasks (one with a hostile name), three cells, two seeds, three columns ----
python3 - "$tmp/runs.tsv" <<'PY' || fail "writing the runs"
import sys
cols = [("trained", "20,6,5,1"), ("drop_1", "20,6,15,1"), ("rate_x2", "10,3,5,1")]
with open(sys.argv[1], "w") as f:
    f.write("task\tcell\tseed\tparams\tcolumn\ttiming\tsuccesses\tepisodes\n")
    for ti, task in enumerate(["cartpole", "a<b>&\"c/../x"]):
        for ci, cell in enumerate(["expert", "ltc", "gru"]):
            for seed in ([0] if cell == "expert" else [1, 2]):
                for k, (col, tm) in enumerate(cols):
                    ok = 10 if cell == "expert" else (3 + 2 * ci + seed + k + ti) % 11
                    f.write(f"{task}\t{cell}\t{seed}\t{0 if cell == 'expert' else 300 + ci}\t{col}\t{tm}\t{ok}\t10\n")
PY
expect 0 '' -- python3 "$summary" "$tmp/runs.tsv" "$tmp/t.md" "$tmp/t.json"
python3 - "$tmp/runs.tsv" "$tmp/t.json" "$tmp/t.md" <<'PY' || fail "the summary's numbers"
import collections, json, sys
rates = collections.defaultdict(list)
for line in open(sys.argv[1]).read().splitlines()[1:]:
    task, cell, seed, params, col, tm, ok, n = line.split("\t")
    rates[(task, cell, col)].append(int(ok) / int(n))
j = json.load(open(sys.argv[2]))
assert j["lln_result"] == "timing" and j["version"] == 1, j
assert [c["axis"] for c in j["columns"]] == ["trained", "dropout", "rate"], j["columns"]
assert len(j["rows"]) == len(rates) == 18, len(j["rows"])
for r in j["rows"]:
    v = rates[(r["task"], r["cell"], r["column"])]
    assert abs(r["mean"] - sum(v) / len(v)) < 1e-12 and r["min"] == min(v) and r["max"] == max(v), r
    assert r["seeds"] == len(v), r
md = open(sys.argv[3]).read()
# gru at cartpole, trained: seeds 1 and 2 give (3+4+1)%11 = 8 and 9 of 10
assert "| gru | 302 | 2 | 0.85 (0.80-0.90) |" in md, md
# the paired change: seed 1 8 -> 9 -> 10, seed 2 9 -> 10 -> 0 (of 10): +10 and -35 points
assert "| cartpole | gru | +10.0 | -35.0 | -35.0 |" in md, md
PY
checks=$((checks + 1))

expect 0 'wrote .*t.html \(2 figures' -- "$lln" report "$tmp/t.json" -o "$tmp/t.html" --title "timing"
expect 0 'timing-cartpole.svg' -- "$lln" plot "$tmp/t.json" -o "$tmp/plots"
python3 - "$tmp/t.html" "$tmp/plots" <<'PY' || fail "the report and the SVG files"
import os, re, sys
import xml.etree.ElementTree as ET
html = open(sys.argv[1], encoding="utf-8").read()
d = sys.argv[2]
names = sorted(f for f in os.listdir(d) if f.endswith(".svg"))
assert names == ["timing-a_b___c____x.svg", "timing-cartpole.svg"], names
for f in names:
    root = ET.parse(os.path.join(d, f)).getroot()  # well-formed
    svg = open(os.path.join(d, f), encoding="utf-8").read()
    assert svg.count("<polyline") >= 3 * 2, f"{f}: expected a broken line per cell"
    assert svg.count("<circle") == 3 * 3 + 3, f"{f}: {svg.count('<circle')} circles, expected 9 markers and 3 in the legend"
    for cell in ("expert", "ltc", "gru"):
        assert f">{cell}<" in svg, f"{f}: no legend entry {cell}"
assert 'a&lt;b&gt;&amp;&quot;c/../x' in html, "the hostile task name is not escaped in the page"
assert "<b>&" not in html, "a raw task name in the page"
assert len(re.findall(r'<svg [^>]*id="timing-', html)) == 2, "the page lacks the two figures"
assert 'id="timing"' in html and "timing study" in html, "the page lacks the timing section"
PY
checks=$((checks + 1))

# ---- refusals of timing_summary.py --------------------------------------------------------
printf 'task\tcell\n' >"$tmp/bad1.tsv"
expect 1 "bad1.tsv:1: expected the header" -- python3 "$summary" "$tmp/bad1.tsv" "$tmp/b.md" "$tmp/b.json"
{ head -n 1 "$tmp/runs.tsv"; printf 'cartpole\tltc\t1\t300\ttrained\t20,6,5,1\t11\t10\n'; } >"$tmp/bad2.tsv"
expect 1 "bad2.tsv:2: successes 11 of 10 episodes" -- python3 "$summary" "$tmp/bad2.tsv" "$tmp/b.md" "$tmp/b.json"
{ head -n 1 "$tmp/runs.tsv"; printf 'cartpole\tltc\tx\t300\ttrained\t20,6,5,1\t1\t10\n'; } >"$tmp/bad3.tsv"
expect 1 "bad3.tsv:2: field 'seed': expected a non-negative integer" -- python3 "$summary" "$tmp/bad3.tsv" "$tmp/b.md" "$tmp/b.json"
{ head -n 1 "$tmp/runs.tsv"; printf 'cartpole\tltc\t1\t300\tfaster\t20,6,5,1\t1\t10\n'; } >"$tmp/bad4.tsv"
expect 1 "bad4.tsv:2: field 'column': unknown timing column 'faster'" -- python3 "$summary" "$tmp/bad4.tsv" "$tmp/b.md" "$tmp/b.json"
expect 1 "nothing.tsv: No such file" -- python3 "$summary" "$tmp/nothing.tsv" "$tmp/b.md" "$tmp/b.json"
[ -e "$tmp/b.md" ] || [ -e "$tmp/b.json" ] && fail "a refused summary left an output file"

# ---- refusals of lln report: each a change to the good JSON -------------------------------
bad() { # NAME PYTHON-STATEMENT-ON-j EXPECTED-MESSAGE
    python3 - "$tmp/t.json" "$tmp/$1.json" "$2" <<'PY' || fail "writing $1.json"
import json, sys
j = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(j, open(sys.argv[2], "w"))
PY
    expect 1 "$3" -- "$lln" report "$tmp/$1.json" -o "$tmp/$1.html"
    [ -e "$tmp/$1.html" ] && fail "$1: a refused report left $1.html"
}
bad rate 'j["rows"][3]["max"] = 1.5' "rate.json: field 'rows\[3\].max': a success rate must be in \[0, 1\]"
bad order 'j["rows"][4]["min"] = 0.99' "order.json: field 'rows\[4\].mean': expected min <= mean <= max"
bad column 'j["rows"][2]["column"] = "slower"' "column.json: field 'rows\[2\].column': not one of the names in 'columns'"
bad axis 'j["columns"][1]["axis"] = "speed"' "axis.json: field 'columns\[1\].axis': expected one of"
bad twice 'j["rows"].append(dict(j["rows"][0]))' "twice.json: field 'rows\[18\].column': the same, got task 'cartpole', cell 'expert', column 'trained' as rows\[0\]"
bad dupcol 'j["columns"].append(dict(j["columns"][0]))' "dupcol.json: field 'columns\[3\].name': given twice"
bad missing 'del j["rows"][5]["seeds"]' "missing.json: missing field 'rows\[5\].seeds'"
bad seeds 'j["rows"][5]["seeds"] = 0' "seeds.json: field 'rows\[5\].seeds': must be > 0"
bad norows 'j["rows"] = []' "norows.json: field 'rows': empty"
bad kind 'j["lln_result"] = "timings"' "expected 'profile', 'compare' or 'timing'"

cli_end
