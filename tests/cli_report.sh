#!/bin/bash
# lln report / lln plot: result files written here (training histories, a profile with three
# devices and one with two, a comparison of five models) in the formats of docs/CLI.md;
# the HTML page and the SVG files are checked (well-formed XML, the plots and the Pareto
# front present, every user string escaped), then the page is rendered in headless Chromium
# and the screenshot decoded (not blank; the plot colours present) and the rendered DOM
# searched for the plots. Then the refusals: bad JSON, wrong lln_result, missing files,
# fields missing or of the wrong type, NaN, empty files; a failed run leaves no output.
# Without Chromium the rendering part is skipped loudly (exit 77 after the other checks);
# CI installs it (scripts/deps.sh ci).
# Usage: cli_report.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_report
case "$lln" in */*) lln=$(abs_path "$lln") ;; esac # cd-proof
have python3 || skip_loud "python3 is missing (writes the result files, checks the XML)"

# ---- result files ------------------------------------------------------------------------
mkdir -p "$tmp/res/hist"
python3 - "$tmp/res" <<'PY' || fail "writing the result files"
import json, math, os, sys
d = sys.argv[1]

def history(path, model, metric, epochs, final, valid=True):
    with open(path, "w") as f:
        f.write(f"# model={model}\n# metric={metric}\n")
        f.write("epoch,train_loss,valid_loss,valid_metric,lr,seconds\n")
        for e in range(1, epochs + 1):
            tl = 2.0 * math.exp(-e / 5) + 0.04 * final
            vl = 1.1 * tl + 0.02
            vm = final * (1 - 0.8 * math.exp(-e / 4)) if metric == "accuracy" else 0.5 * vl
            row = [e, f"{tl:.6f}", f"{vl:.6f}" if valid else "", f"{vm:.6f}" if valid else "",
                   0.01, f"{1.7 * e:.2f}"]
            f.write(",".join(map(str, row)) + "\n")

history(f"{d}/hist/ltc.csv", "gesture-ltc", "accuracy", 30, 0.93)
history(f"{d}/hist/cfc.csv", "gesture-cfc", "accuracy", 24, 0.90)
history(f"{d}/hist/gru.csv", "gesture-gru", "accuracy", 18, 0.94)
history(f"{d}/walker.csv", "walker <cfc> & co", "mse", 12, 0.5)
history(f"{d}/noval.csv", "no-valid", "accuracy", 5, 0.5, valid=False)

def device(name, core, mhz, emulated, instr, cpi, energy_scale):
    cyc = round(instr * cpi)
    lat = cyc / mhz
    return {"device": name, "core": core, "target": core, "clock_mhz": mhz,
            "emulated": emulated, "instructions_per_step": instr, "cpi": cpi,
            "cycles_per_step": cyc, "latency_us": lat, "energy_per_step_uj": lat * energy_scale,
            "rate_hz": 100, "sleep_mode": "stop2", "avg_power_mw": 1.6 * energy_scale,
            "max_rate_hz": round(1e6 / lat), "flash_bytes": 9300, "ram_bytes": 434,
            "flash_capacity": 2097152, "ram_capacity": 655360, "fits": True,
            "budget_mw": None, "within_budget": None,
            "sources": ["datasheet <table 7> & errata", "MLPerf Tiny EnergyRunner"],
            "notes": [] if emulated else ["estimated from cortex-m7 (no Xtensa emulator)"]}

profile = {"lln_result": "profile", "version": 1, "model": "gesture.lln",
           "name": "gesture-ltc", "cell": "ltc", "params": 1234, "runtime": "fixed",
           "writer_extra": {"ignored": True},
           "profiles": [device("stm32l4r5", "cortex-m4", 120, True, 19649, 1.3, 0.075),
                        device("stm32h743", "cortex-m7", 480, True, 15000, 1.1, 0.21),
                        device("esp32s3", "xtensa-lx7", 240, False, 18000, 1.2, 0.12)]}
json.dump(profile, open(f"{d}/profile.json", "w"), indent=1)
p2 = dict(profile, name="gesture-gru", cell="gru", params=4100,
          profiles=[device("stm32l4r5", "cortex-m4", 120, True, 52000, 1.3, 0.075),
                    device("stm32h743", "cortex-m7", 480, True, 41000, 1.1, 0.21)])
p2["profiles"][1]["within_budget"] = False
p2["profiles"][1]["budget_mw"] = 5
json.dump(p2, open(f"{d}/profile_gru.json", "w"))
# five models; the front is cfc (least energy), ltc and gru (most accurate)
rows = [("ltc", 300, 0.93, 15.9, "hist/ltc.csv"), ("cfc", 280, 0.90, 9.5, "hist/cfc.csv"),
        ("gru", 900, 0.94, 40.0, "hist/gru.csv"), ("lstm", 1200, 0.92, 55.0, None),
        ("mlp", 2000, 0.85, 12.0, "hist/missing.csv")]
compare = {"lln_result": "compare", "version": 1, "data": "gesture.csv",
           "task": "gesture <5 classes> & \"quotes\"", "metric": "accuracy",
           "device": "stm32l4r5", "rate_hz": 100, "match": "size",
           "rows": [{"model": m, "params": p, "metric_value": a, "flash_bytes": 4 * p + 8000,
                     "ram_bytes": p + 200, "cycles_per_step": 1000 * e,
                     "energy_per_step_uj": e, "avg_power_mw": 0.1 * e + 1, "history": h}
                    for m, p, a, e, h in rows]}
json.dump(compare, open(f"{d}/compare.json", "w"), indent=2)
reg = dict(compare, metric="mse", task="walker2d", match="accuracy",
           rows=[dict(r, metric_value=v, history=None, model=m) for r, v, m in
                 zip(compare["rows"], [0.31, 0.35, 0.29, 0.40, 0.52],
                     ["ltc", "cfc", "gru", "lstm", "x\u0001<y>"])])
json.dump(reg, open(f"{d}/compare_mse.json", "w"))
PY
res=$tmp/res

# ---- lln report --------------------------------------------------------------------------
expect 0 '^usage: lln report' -- "$lln" report --help
expect 0 '^usage: lln plot' -- "$lln" plot --help
expect 0 'wrote .*report.html \(8 figures' -- "$lln" report "$res/compare.json" \
    "$res/profile.json" "$res/profile_gru.json" "$res/walker.csv" "$res/compare_mse.json" \
    "$res/noval.csv" -o "$tmp/report.html" --title 'Gesture & walker <report>'
html=$tmp/report.html
[ -s "$html" ] || fail "report.html was not written"
ls "$tmp"/report.html.tmp.* >/dev/null 2>&1 && fail "a temporary file was left beside report.html"
# the missing history of one row is a note, not an error
expect 0 "rows\[4\].history .*missing.csv' not found" -- "$lln" report "$res/compare.json" -o "$tmp/r2.html"

python3 - "$html" <<'PY' || fail "report.html content checks"
import re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1], encoding="utf-8").read()
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
need(html.startswith("<!DOCTYPE html>"), "doctype")
for ext in ("<script", "<link", "@import", "src=", "url(", "http://", "https://"):
    left = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    need(ext not in left, f"an external reference or script: {ext}")
svgs = re.findall(r"<svg .*?</svg>", html, re.S)
need(len(svgs) == 8, f"8 inline SVG figures, found {len(svgs)}")
ids = []
for s in svgs:
    try:
        root = ET.fromstring(s)
        ids.append(root.get("id"))
    except ET.ParseError as e:
        bad.append(f"inline SVG not well-formed: {e}")
want = ["training-loss", "training-accuracy", "training-mse", "pareto-1", "pareto-2",
        "latency", "energy", "memory"]
need(ids == want, f"figures {ids}, expected {want}")
need("<title>Gesture &amp; walker &lt;report&gt;</title>" in html, "escaped page title")
need("gesture &lt;5 classes&gt; &amp; &quot;quotes&quot;" in html, "escaped task name")
need("x?&lt;y&gt;" in html, "control character replaced, model name escaped")
# the Pareto front of the accuracy comparison: cfc, ltc, gru; lstm and mlp dominated
front = re.findall(r'<tr class="front"><td>([^<]*)</td>', html.split('id="fig-pareto-2"')[0])
need(sorted(front) == ["cfc", "gru", "ltc"], f"Pareto front {front}")
# MSE (lower is better): gru 0.29 @40, ltc 0.31 @15.9, cfc 0.35 @9.5 on the front
part = html.split('id="fig-pareto-2"')[1]
front2 = re.findall(r'<tr class="front"><td>([^<]*)</td>', part)
need(sorted(front2) == ["cfc", "gru", "ltc"], f"MSE Pareto front {front2}")
need("estimated from cortex-m7" in html, "the profile's note")
need("datasheet &lt;table 7&gt; &amp; errata" in html, "escaped sources")
need(html.count('class="bar"') == 5 + 5 + 10, "bars: 5 latency, 5 energy, 10 memory")
need("noval" not in html or "no-valid" in html, "history name from '# model='")
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
checks=$((checks + 1))

# ---- lln plot ----------------------------------------------------------------------------
expect 0 'wrote .*/figs/pareto-1.svg' -- "$lln" plot "$res/compare.json" "$res/profile.json" \
    "$res/profile_gru.json" -o "$tmp/figs"
for f in training-loss training-accuracy pareto-1 latency energy memory; do
    [ -s "$tmp/figs/$f.svg" ] || fail "plot: $f.svg missing"
done
[ -e "$tmp/figs/training-mse.svg" ] && fail "plot: training-mse.svg without an MSE history"
python3 - "$tmp/figs" <<'PY' || fail "plot: SVG checks"
import glob, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
bad = []
files = sorted(glob.glob(sys.argv[1] + "/*.svg"))
for f in files:
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError as e:
        bad.append(f"{f}: not well-formed: {e}")
        continue
    if root.tag != ns + "svg":
        bad.append(f"{f}: root is {root.tag}")
    if not root.find(ns + "title").text:
        bad.append(f"{f}: no title")
p = ET.parse(sys.argv[1] + "/pareto-1.svg").getroot()
circles = [c for c in p.iter(ns + "circle") if c.find(ns + "title") is not None]
if len(circles) != 5:
    bad.append(f"pareto-1.svg: {len(circles)} model markers, expected 5")
filled = [c for c in circles if c.get("fill") != "#fff"]
if len(filled) != 3:
    bad.append(f"pareto-1.svg: {len(filled)} front markers, expected 3")
if not any(pl.get("stroke-dasharray") for pl in p.iter(ns + "polyline")):
    bad.append("pareto-1.svg: no front line")
lo = ET.parse(sys.argv[1] + "/training-loss.svg").getroot()
if len(list(lo.iter(ns + "polyline"))) != 6:
    bad.append("training-loss.svg: expected 6 curves (3 histories x train/valid)")
print(f"{len(files)} SVG files well-formed")
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
checks=$((checks + 1))
if have rsvg-convert; then
    for f in "$tmp"/figs/*.svg; do
        head -c 8 "${f%.svg}.png" 2>/dev/null | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' ||
            fail "plot: ${f%.svg}.png is not a PNG"
    done
else
    echo "note: rsvg-convert absent (librsvg2-bin): PNG output not checked"
fi
# without the converter: SVG only, and says so
expect 0 'rsvg-convert is not installed .*librsvg2-bin' -- env PATH=/nonexistent "$lln" plot \
    "$res/profile.json" -o "$tmp/figs2"
if [ ! -s "$tmp/figs2/memory.svg" ] || [ -e "$tmp/figs2/memory.png" ]; then
    fail "plot without rsvg-convert: SVG missing or a PNG written"
fi
expect 0 'energy.svg' -- "$lln" plot "$res/profile.json" --no-png -o "$tmp/figs3"
[ -e "$tmp/figs3/energy.png" ] && fail "--no-png wrote a PNG"
# scales
"$lln" plot "$res/compare.json" --energy-scale log --no-png -o "$tmp/figs4" >/dev/null 2>&1
grep -q 'log scale' "$tmp/figs4/pareto-1.svg" || fail "--energy-scale log: no log axis"
"$lln" plot "$res/profile.json" --energy-scale linear --loss-scale linear --no-png -o "$tmp/figs5" >/dev/null 2>&1
grep -q 'log scale)</text>' "$tmp/figs5/energy.svg" && fail "--energy-scale linear: a log axis"

# ---- refusals ----------------------------------------------------------------------------
bad=$tmp/bad
mkdir -p "$bad"
cp "$html" "$tmp/keep.html"
# edit FILE PYTHON: a copy of the profile or comparison changed by a Python statement on d
edit() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
edit "$res/profile.json" "$bad/p_missing.json" 'del d["profiles"][1]["cpi"]'
edit "$res/profile.json" "$bad/p_type.json" 'd["params"] = "1234"'
edit "$res/profile.json" "$bad/p_bool.json" 'd["profiles"][0]["emulated"] = 1'
edit "$res/profile.json" "$bad/p_neg.json" 'd["profiles"][2]["latency_us"] = -1'
edit "$res/profile.json" "$bad/p_empty.json" 'd["profiles"] = []'
edit "$res/profile.json" "$bad/p_runtime.json" 'd["runtime"] = "int4"'
edit "$res/profile.json" "$bad/p_notes.json" 'd["profiles"][0]["notes"] = ["a", 3]'
edit "$res/profile.json" "$bad/p_version.json" 'd["version"] = 2'
edit "$res/profile.json" "$bad/p_kind.json" 'd["lln_result"] = "profiles"'
edit "$res/profile.json" "$bad/p_nokind.json" 'del d["lln_result"]'
edit "$res/compare.json" "$bad/c_acc.json" 'd["rows"][3]["metric_value"] = 1.5'
edit "$res/compare.json" "$bad/c_metric.json" 'd["metric"] = "f1"'
edit "$res/compare.json" "$bad/c_hist.json" 'd["rows"][0]["history"] = 7'
edit "$res/compare.json" "$bad/c_int.json" 'd["rows"][2]["flash_bytes"] = 100.5'
sed 's/"cpi": 1.3/"cpi": 1e999/' "$res/profile.json" >"$bad/p_inf.json"
sed 's/"cpi": 1.3/"cpi": NaN/' "$res/profile.json" >"$bad/p_nan.json"
sed 's/"cpi": 1.3,/"cpi": 1.3, "cpi": 2,/' "$res/profile.json" >"$bad/p_dup.json"
printf '{"lln_result": "profile", "version": 1,\n  "model": "m" "name": "n"}\n' >"$bad/syntax.json"
printf '[1, 2]\n' >"$bad/array.json"
: >"$bad/empty.json"
printf '   \n\n' >"$bad/blank.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr\n1,2,3,0.5,0.1\n' >"$bad/h_header.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n' >"$bad/h_norows.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,nan,1,0.5,0.1,1\n' >"$bad/h_nan.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,1,1,0.5,0.1,1\n1,1,1,0.5,0.1,2\n' >"$bad/h_epoch.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,1,1,0.5,,1\n' >"$bad/h_emptylr.csv"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,1,1,0.5,0.1\n' >"$bad/h_short.csv"
printf '# metric=accuracy\nepoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,1,1,1.5,0.1,1\n' >"$bad/h_acc.csv"
printf '# metric=f1\nepoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,1,1,0.5,0.1,1\n' >"$bad/h_metric.csv"

R() { "$lln" report "$res/profile.json" "$@" -o "$tmp/keep.html"; }
expect 1 "p_missing.json: missing field 'profiles\[1\].cpi'" -- R "$bad/p_missing.json"
expect 1 "p_type.json: field 'params': expected a number, got a string" -- R "$bad/p_type.json"
expect 1 "p_bool.json: field 'profiles\[0\].emulated': expected true or false, got a number" -- R "$bad/p_bool.json"
expect 1 "p_neg.json: field 'profiles\[2\].latency_us': must be >= 0, got -1" -- R "$bad/p_neg.json"
expect 1 "p_empty.json: field 'profiles': empty" -- R "$bad/p_empty.json"
expect 1 "p_runtime.json: field 'runtime': expected one of 'fixed', 'float', got 'int4'" -- R "$bad/p_runtime.json"
expect 1 "p_notes.json: field 'profiles\[0\].notes\[1\]': expected a string, got a number" -- R "$bad/p_notes.json"
expect 1 "p_version.json: field 'version': 2 is not supported" -- R "$bad/p_version.json"
expect 1 "p_kind.json: field 'lln_result': expected 'profile', 'compare' or 'timing', got 'profiles'" -- R "$bad/p_kind.json"
expect 1 "p_nokind.json: missing field 'lln_result'" -- R "$bad/p_nokind.json"
expect 1 "c_acc.json: field 'rows\[3\].metric_value': an accuracy must be in \[0, 1\], got 1.5" -- R "$bad/c_acc.json"
expect 1 "c_metric.json: field 'metric': expected one of 'accuracy', 'mse', got 'f1'" -- R "$bad/c_metric.json"
expect 1 "c_hist.json: field 'rows\[0\].history': expected a string or null, got a number" -- R "$bad/c_hist.json"
expect 1 "c_int.json: field 'rows\[2\].flash_bytes': expected an integer, got 100.5" -- R "$bad/c_int.json"
expect 1 "p_inf.json: field 'profiles\[0\].cpi': not a finite number" -- R "$bad/p_inf.json"
expect 1 "p_nan.json:[0-9]+:[0-9]+: not valid JSON" -- R "$bad/p_nan.json"
expect 1 "p_dup.json: key 'cpi' appears twice" -- R "$bad/p_dup.json"
expect 1 "syntax.json:2:16: not valid JSON" -- R "$bad/syntax.json"
expect 1 "array.json: expected a JSON object" -- R "$bad/array.json"
expect 1 "empty.json: empty file" -- R "$bad/empty.json"
expect 1 "blank.csv: empty file" -- R "$bad/blank.csv"
expect 1 "h_header.csv:1: not a training history: the header must be exactly" -- R "$bad/h_header.csv"
expect 1 "h_norows.csv: no epochs" -- R "$bad/h_norows.csv"
expect 1 "h_nan.csv:2: column 2 \('train_loss'\): 'nan' is not a finite number" -- R "$bad/h_nan.csv"
expect 1 "h_epoch.csv:3: column 1 \('epoch'\): epoch 1 does not follow epoch 1" -- R "$bad/h_epoch.csv"
expect 1 "h_emptylr.csv:2: column 5 \('lr'\): empty" -- R "$bad/h_emptylr.csv"
expect 1 "h_short.csv:2: 5 fields, expected 6" -- R "$bad/h_short.csv"
expect 1 "h_acc.csv:3: column 4 \('valid_metric'\): accuracy 1.5 is above 1" -- R "$bad/h_acc.csv"
expect 1 "h_metric.csv:1: metric=f1: expected 'accuracy' or 'mse'" -- R "$bad/h_metric.csv"
expect 1 "no-such.json" -- R "$bad/no-such.json"
expect 1 "no-such.json" -- "$lln" plot "$bad/no-such.json" -o "$tmp/figs6"
[ -e "$tmp/figs6" ] && fail "a failed plot made its folder"
cmp -s "$html" "$tmp/keep.html" || fail "a failed report changed the existing output file"
ls "$tmp"/keep.html.tmp.* >/dev/null 2>&1 && fail "a failed report left a temporary file"
# forced log scale over a zero energy
edit "$res/compare.json" "$bad/c_zero.json" 'd["rows"][1]["energy_per_step_uj"] = 0'
expect 1 "--energy-scale log: .*c_zero.json has a value of 0" -- "$lln" report "$bad/c_zero.json" --energy-scale log -o "$tmp/z.html"
expect 0 "wrote" -- "$lln" report "$bad/c_zero.json" -o "$tmp/z.html"
printf 'epoch,train_loss,valid_loss,valid_metric,lr,seconds\n1,0,0,0.5,0.1,1\n' >"$bad/h_zero.csv"
expect 1 "--loss-scale log: .*h_zero.csv has a value of 0" -- "$lln" report "$bad/h_zero.csv" --loss-scale log -o "$tmp/z.html"
# linked histories: one given also by another name is drawn once; a path relative to the
# current folder (not the comparison's) is found too
(cd "$tmp" && "$lln" report "$res/compare.json" res/hist/../hist/ltc.csv -o "$tmp/dd.html" 2>/dev/null)
n=$(grep -o '<td>gesture-ltc</td>' "$tmp/dd.html" | wc -l)
[ "$n" -eq 1 ] || fail "a history given twice (explicitly and by the comparison) is drawn $n times"
edit "$res/compare.json" "$bad/c_cwd.json" 'd["rows"][2]["history"] = "res/hist/gru.csv"'
out=$(cd "$tmp" && "$lln" report "$bad/c_cwd.json" -o "$tmp/cwd.html" 2>&1)
grep -q 'rows\[2\]' <<<"$out" && fail "history relative to the current folder not found: $out"
grep -q '<td>gesture-gru</td>' "$tmp/cwd.html" || fail "history relative to the current folder not drawn"
# standard output
expect 0 '^<!DOCTYPE html>' -- "$lln" report "$res/profile.json" -o -
# command line
expect 2 "no output file" -- "$lln" report "$res/profile.json"
expect 2 "no result files" -- "$lln" report -o "$tmp/x.html"
expect 2 "no output folder" -- "$lln" plot "$res/profile.json"
expect 2 "--energy-scale: 'cubic' is not one of auto, linear, log" -- "$lln" report "$res/profile.json" --energy-scale cubic -o "$tmp/x.html"
expect 2 "Try 'lln report --help'" -- "$lln" report --frobnicate
expect 2 "Try 'lln plot --help'" -- "$lln" plot --frobnicate
printf 'x' >"$tmp/afile"
expect 1 "afile: cannot make the folder" -- "$lln" plot "$res/profile.json" -o "$tmp/afile"

# ---- rendering in headless Chromium ------------------------------------------------------
chrome=""
for c in chromium chromium-browser google-chrome; do
    have "$c" && chrome=$c && break
done
if [ -z "$chrome" ]; then
    echo "$checks checks, $fails failures"
    skip_loud "chromium is missing: the report was NOT rendered; install it with: apt-get install chromium (scripts/deps.sh ci)"
fi
t0=$(date +%s)
shot=$tmp/shot.png
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/chrome-profile"
    --no-first-run --disable-extensions)
timeout 120 "$chrome" "${flags[@]}" --screenshot="$shot" --window-size=1200,2000 \
    "file://$html" >"$tmp/chrome-shot.log" 2>&1 || fail "chromium --screenshot failed: $(tail -n 5 "$tmp/chrome-shot.log")"
timeout 120 "$chrome" "${flags[@]}" --dump-dom "file://$html" >"$tmp/dom.html" \
    2>"$tmp/chrome-dom.log" || fail "chromium --dump-dom failed: $(tail -n 5 "$tmp/chrome-dom.log")"
echo "chromium ($("$chrome" --version 2>/dev/null | head -n1)): screenshot and DOM in $(($(date +%s) - t0)) s"
python3 - "$shot" "$tmp/dom.html" <<'PY' || fail "the rendered page"
import re, struct, sys, zlib
bad = []
# ---- the screenshot: decode the PNG (8-bit RGB/RGBA, non-interlaced) ----
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("screenshot: not a PNG")
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if depth != 8 or ctype not in (2, 6) or interlace:
    sys.exit(f"screenshot: unsupported PNG (depth {depth}, colour type {ctype})")
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
pixels = []
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1:
            line[i] = (line[i] + a) & 255
        elif f == 2:
            line[i] = (line[i] + b) & 255
        elif f == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    pixels.append(line)
    prev = line
colours, nonwhite, blue, orange, total = set(), 0, 0, 0, 0
for y in range(0, h, 2):
    line = pixels[y]
    for x in range(0, w, 2):
        r, g, b = line[x * bpp:x * bpp + 3]
        total += 1
        colours.add((r >> 3, g >> 3, b >> 3))
        nonwhite += (r, g, b) != (255, 255, 255)
        blue += abs(r - 0x00) < 24 and abs(g - 0x72) < 24 and abs(b - 0xb2) < 24
        orange += abs(r - 0xd5) < 24 and abs(g - 0x5e) < 24 and abs(b - 0x00) < 24
frac = nonwhite / total
print(f"screenshot {w}x{h}: {100 * frac:.1f}% non-white, {len(colours)} colours, "
      f"{blue} series-blue and {orange} series-orange samples")
if (w, h) != (1200, 2000):
    bad.append(f"screenshot is {w}x{h}, expected 1200x2000")
if frac < 0.03 or len(colours) < 20:
    bad.append("the screenshot is blank or nearly so")
if blue < 50 or orange < 50:
    bad.append("the plots' series colours are not on the screen")
# ---- the rendered DOM ----
dom = open(sys.argv[2], encoding="utf-8", errors="replace").read()
ids = re.findall(r'<svg [^>]*id="([^"]+)"', dom)
if len(ids) != 8:
    bad.append(f"rendered DOM has {len(ids)} plots: {ids}")
for want in ("training-loss", "pareto-1", "latency", "memory"):
    if want not in ids:
        bad.append(f"rendered DOM lacks the {want} plot")
if dom.count("<polyline") < 6 or dom.count("<circle") < 10 or dom.count('class="bar"') < 20:
    bad.append("rendered DOM lacks the plot elements (curves, markers, bars)")
if dom.count("<table") != 6:
    bad.append(f"rendered DOM has {dom.count('<table')} tables, expected 6")
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
checks=$((checks + 1))

echo "$checks checks, $fails failures"
[ "$fails" -eq 0 ]
