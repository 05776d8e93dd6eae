#!/usr/bin/env python3
"""Render CI run records as Prometheus metrics (text exposition format 0.0.4).

Every run of .ci/run leaves one record, build-ci/metrics/run-<UTC timestamp>.json:

    {"timestamp": "...", "git_sha": "...", "git_branch": "...", "duration_seconds": N,
     "status": "PASS"|"FAIL", "stages": [{"stage", "status", "figure", "seconds", ...}]}

where each stage object may carry extra numeric metrics (coverage_line, tests_passed,
findings, instruction counts...). This script prints, for every record:

    lln_ci_run_duration_seconds       wall time of the whole run
    lln_ci_run_success                1 if the run passed, else 0
    lln_ci_run_timestamp_seconds      time of the run, its record's timestamp (Unix time)
    lln_ci_run_failed_stages          how many stages failed
    lln_ci_stage_duration_seconds     wall time of each stage            {stage}
    lln_ci_stage_success              1 if the stage passed, else 0      {stage}
    lln_ci_stage_skipped              1 if the stage was skipped         {stage}
    lln_ci_stage_metric               each numeric extra of a stage      {stage, metric}

All samples carry the labels run (the record's UTC timestamp: it makes every line unique, as
the format requires, when several runs are rendered), sha and branch, and the time of the run
(the record's timestamp, written when the run ended) in milliseconds as the sample timestamp.

Usage:
    scripts/ci_metrics.py [RECORD.json ...]   default: $CI_OUT/metrics/run-*.json
        --latest          only the newest record
        --no-timestamps   no sample timestamps (node_exporter's textfile collector and the
                          Pushgateway refuse them)
        --format openmetrics
                          OpenMetrics 1.0 text instead (timestamps in seconds, '# EOF'),
                          e.g. for `promtool tsdb create-blocks-from openmetrics`
        --selftest        render tests/data/ci/*.json and check the output line by line

Exit status: 0; 1 if a record could not be read (the others are still printed); 2 on bad usage.
Standard library only.
"""

import argparse
import datetime as dt
import glob
import json
import math
import os
import re
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PREFIX = "lln_ci_"

# name, help, level ("run" or "stage"), function(record, stage) -> value or None
RUN_FAMILIES = [
    ("run_duration_seconds", "Wall-clock duration of the whole CI run.",
     lambda r: r.get("duration_seconds")),
    ("run_success", "1 if the CI run passed every gate, 0 if it failed.",
     lambda r: 1 if str(r.get("status", "")).upper() == "PASS" else 0),
    ("run_timestamp_seconds", "Time of the CI run (its record's timestamp), in seconds since the Unix epoch.",
     lambda r: r["_epoch"]),
    ("run_failed_stages", "Number of stages of the CI run that failed.",
     lambda r: sum(1 for s in r.get("stages", []) if _status(s) == "FAIL")),
]
STAGE_FAMILIES = [
    ("stage_duration_seconds", "Wall-clock duration of one CI stage.",
     lambda s: s.get("seconds")),
    ("stage_success", "1 if the CI stage passed, 0 if it failed or was skipped.",
     lambda s: 1 if _status(s) == "PASS" else 0),
    ("stage_skipped", "1 if the CI stage was skipped (it then neither passed nor failed).",
     lambda s: 1 if _status(s) == "SKIP" else 0),
]
METRIC_FAMILY = ("stage_metric",
                 "Numeric figure reported by a CI stage (coverage, test counts, findings, "
                 "instruction counts...), named by the metric label.")
# Keys of a stage object that are not extra metrics.
STAGE_KEYS = {"stage", "status", "figure", "seconds"}


def _status(stage):
    return str(stage.get("status", "")).upper()


# ---- reading -------------------------------------------------------------------------------

_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y%m%dT%H%M%S%z",
               "%Y%m%dT%H%M%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H-%M-%S%z",
               "%Y-%m-%d_%H-%M-%S%z", "%Y%m%d-%H%M%S%z", "%Y%m%d%H%M%S%z")


def parse_timestamp(value):
    """Seconds since the epoch from an ISO 8601 / compact UTC timestamp or a Unix time;
    None if it is none of those. A timestamp without a zone is taken as UTC."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):  # a Unix time written as a string
        return float(text)
    text = re.sub(r"[Zz]$", "+0000", text)
    text = re.sub(r"([+-]\d\d):(\d\d)$", r"\1\2", text)
    if not re.search(r"[+-]\d{4}$", text):
        text += "+0000"
    for fmt in _TS_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).timestamp()
        except ValueError:
            continue
    return None


def iso(epoch):
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_record(path):
    """The record of PATH with '_epoch' (float) and '_run' (label) added; raises ValueError."""
    try:
        with open(path, encoding="utf-8") as f:
            rec = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(str(e)) from None
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    stages = rec.get("stages", [])
    if not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
        raise ValueError("'stages' is not a list of objects")
    epoch = parse_timestamp(rec.get("timestamp"))
    if epoch is None:  # fall back to the name: run-<timestamp>.json
        m = re.fullmatch(r"run-(.+)\.json", os.path.basename(path))
        epoch = parse_timestamp(m.group(1)) if m else None
    if epoch is None:
        raise ValueError("no usable 'timestamp' (in the record or the file name)")
    rec["_epoch"] = epoch
    rec["_run"] = iso(epoch)
    unique = {}  # one object per stage name: the last wins, at the place of the first
    for s in stages:
        unique[str(s.get("stage", ""))] = s
    rec["stages"] = list(unique.values())
    return rec


def default_paths():
    out = os.environ.get("CI_OUT") or os.path.join(ROOT, "build-ci")
    return sorted(glob.glob(os.path.join(out, "metrics", "run-*.json")))


# ---- writing -------------------------------------------------------------------------------

def number(value):
    """A JSON value as a sample value string, or None if it is not a number."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return None


def escape_label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text, openmetrics):
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace('"', '\\"') if openmetrics else text


def labels(pairs):
    return "{" + ",".join('%s="%s"' % (k, escape_label(v)) for k, v in pairs) + "}"


def render(records, timestamps=True, openmetrics=False):
    """The exposition text (a list of lines) for RECORDS, oldest run first."""
    records = sorted(records, key=lambda r: r["_epoch"])
    lines = []
    # A series must not repeat: one record per run label (the last one given wins) and one
    # stage object per stage name in a record (the last one wins).
    by_run = {}
    for r in records:
        by_run[r["_run"]] = r
    records = list(by_run.values())

    def family(name, help_text, samples):
        lines.append("# HELP %s%s %s" % (PREFIX, name, escape_help(help_text, openmetrics)))
        lines.append("# TYPE %s%s gauge" % (PREFIX, name))
        for rec, pairs, value in samples:
            text = number(value)
            if text is None:
                continue
            line = "%s%s%s %s" % (PREFIX, name, labels(pairs), text)
            if timestamps:
                if openmetrics:
                    line += " %s" % repr(float(rec["_epoch"]))
                else:
                    line += " %d" % int(round(rec["_epoch"] * 1000))
            lines.append(line)

    def run_labels(rec):
        return [("run", rec["_run"]), ("sha", rec.get("git_sha", "")),
                ("branch", rec.get("git_branch", ""))]

    for name, help_text, get in RUN_FAMILIES:
        family(name, help_text, [(r, run_labels(r), get(r)) for r in records])
    for name, help_text, get in STAGE_FAMILIES:
        family(name, help_text,
               [(r, run_labels(r) + [("stage", s.get("stage", ""))], get(s))
                for r in records for s in r.get("stages", [])])
    name, help_text = METRIC_FAMILY
    samples = []
    for r in records:
        for s in r.get("stages", []):
            for key in sorted(k for k in s if k not in STAGE_KEYS):
                samples.append((r, run_labels(r) + [("stage", s.get("stage", "")),
                                                    ("metric", key)], s[key]))
    family(name, help_text, samples)
    if openmetrics:
        lines.append("# EOF")
    return lines


# ---- checking (the self-test) --------------------------------------------------------------

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
_LVALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
_LABELS = r"\{(?:%s=%s(?:,%s=%s)*,?)?\}" % (_LNAME, _LVALUE, _LNAME, _LVALUE)
_FLOAT = r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
_VALUE = r"(?:%s|[+-]?Inf|NaN)" % _FLOAT
RE_HELP = re.compile(r"^# HELP (%s) (?:[^\\\n]|\\[\\n])*$" % _NAME)
RE_HELP_OM = re.compile(r'^# HELP (%s) (?:[^"\\\n]|\\[\\"n])*$' % _NAME)
RE_TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % _NAME)
RE_SAMPLE = re.compile(r"^(%s)(%s)? (%s)(?: (-?\d+))?$" % (_NAME, _LABELS, _VALUE))
RE_SAMPLE_OM = re.compile(r"^(%s)(%s)? (%s)(?: (%s))?$" % (_NAME, _LABELS, _VALUE, _FLOAT))
RE_LABEL = re.compile(r"(%s)=(%s)" % (_LNAME, _LVALUE))


def unescape_label(quoted):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1])


def check_exposition(lines, openmetrics=False):
    """Errors (strings) of an exposition: every line must match the grammar (a regex per
    line), each family's HELP and TYPE come once and before its samples, a family's samples
    are contiguous, label names are unique per sample and not reserved, and no name + label
    set appears twice."""
    errors, seen_series, closed, typed, helped = [], set(), set(), set(), set()
    current = None
    body = lines
    if openmetrics:
        if not lines or lines[-1] != "# EOF":
            errors.append("OpenMetrics text does not end with '# EOF'")
        body = lines[:-1] if lines and lines[-1] == "# EOF" else lines
    for n, line in enumerate(body, 1):
        where = "line %d: %r" % (n, line)
        m_help = (RE_HELP_OM if openmetrics else RE_HELP).match(line)
        m_type = RE_TYPE.match(line)
        m_sample = (RE_SAMPLE_OM if openmetrics else RE_SAMPLE).match(line)
        if m_help or m_type:
            name = (m_help or m_type).group(1)
            kind = helped if m_help else typed
            if name in kind:
                errors.append("%s: second %s for %s" % (where, "HELP" if m_help else "TYPE",
                                                         name))
            if name in closed or (current == name and (m_help and name in typed)):
                errors.append("%s: metadata after the samples of %s" % (where, name))
            kind.add(name)
            if current and current != name:
                closed.add(current)
            current = name
        elif m_sample:
            name = m_sample.group(1)
            if name in closed:
                errors.append("%s: samples of %s are not contiguous" % (where, name))
            if name not in typed:
                errors.append("%s: sample before the TYPE line of %s" % (where, name))
            if current and current != name:
                closed.add(current)
            current = name
            pairs = RE_LABEL.findall(m_sample.group(2) or "")
            names = [k for k, _ in pairs]
            if len(set(names)) != len(names):
                errors.append("%s: repeated label name" % where)
            if any(k.startswith("__") for k in names):
                errors.append("%s: reserved label name" % where)
            key = (name, tuple(sorted((k, unescape_label(v)) for k, v in pairs)))
            if key in seen_series:
                errors.append("%s: the same name and labels appear twice" % where)
            seen_series.add(key)
        elif (line.startswith("#") and not openmetrics
              and not re.match(r"^#\s*(HELP|TYPE)\s", line)):
            pass  # a comment
        else:
            errors.append("%s: matches no line of the format" % where)
    return errors


def parse_samples(lines):
    """{(name, frozenset(labels)): (value, timestamp)} of an exposition that checked clean."""
    out = {}
    for line in lines:
        m = RE_SAMPLE.match(line) or RE_SAMPLE_OM.match(line)
        if not m or line.startswith("#"):
            continue
        pairs = frozenset((k, unescape_label(v)) for k, v in RE_LABEL.findall(m.group(2) or ""))
        out[(m.group(1), pairs)] = (m.group(3), m.group(4))
    return out


def selftest():
    failures, passed = [], []

    def expect(cond, what):
        print("%s %s" % ("ok  " if cond else "FAIL", what))
        (passed if cond else failures).append(what)

    data = os.path.join(ROOT, "tests", "data", "ci")
    paths = sorted(glob.glob(os.path.join(data, "run-*.json")))
    expect(len(paths) >= 2, "example records in tests/data/ci (%d)" % len(paths))
    records = [load_record(p) for p in paths]

    # The checker itself rejects what it must: each of these has exactly one fault.
    head = ["# HELP x An x.", "# TYPE x gauge"]
    bad = {
        "a name starting with a digit": ["# TYPE 1x gauge"],
        "an unterminated label value": head + ['x{a="1} 1'],
        "an unknown escape in a label value": head + ['x{a="\\q"} 1'],
        "a reserved label name": head + ['x{__a="1"} 1'],
        "a repeated label name": head + ['x{a="1",a="2"} 1'],
        "the same series twice": head + ['x{a="1"} 1', 'x{a="1"} 2'],
        "a fractional timestamp": head + ["x 1 1.5"],
        "a value that is no number": head + ["x NaNx"],
        "an unknown type": ["# TYPE x gauges", "x 1"],
        "a second TYPE line": head + ["x 1", "# TYPE x counter"],
        "a sample before its TYPE": ["x 1", "# TYPE x gauge"],
        "samples of a family split": head + ['x{a="1"} 1', "# TYPE y gauge", "y 1",
                                             'x{a="2"} 1'],
        "a space before the labels": head + ['x {a="1"} 1'],
    }
    for what, lines in bad.items():
        expect(check_exposition(lines), "the checker rejects %s" % what)
    expect(not check_exposition(head + ['x{a="1",b="q\\"\\\\\\n"} -1.5e-3 -12', "x +Inf"]),
           "the checker accepts a valid family")

    for fmt in ("prometheus", "openmetrics"):
        om = fmt == "openmetrics"
        for stamps in (True, False):
            lines = render(records, timestamps=stamps, openmetrics=om)
            errs = check_exposition(lines, openmetrics=om)
            for e in errs[:10]:
                print("     " + e)
            expect(not errs, "%s output, timestamps %s: %d lines, every line valid"
                   % (fmt, "on" if stamps else "off", len(lines)))

    lines = render(records)
    samples = parse_samples(lines)
    run1 = {("run", "2025-01-01T12:00:00Z"), ("sha", "0123456789abcdef0123456789abcdef01234567"),
            ("branch", "main")}
    run2 = {("run", "2025-01-02T08:30:15Z"), ("sha", "89abcdef0123456789abcdef0123456789abcdef"),
            ("branch", 'feature/"quoted" \\ branch')}

    def sample(name, labelset):
        return samples.get((PREFIX + name, frozenset(labelset)))

    expect(sample("run_duration_seconds", run1) == ("1234", "1735732800000"),
           "run duration with the run time in ms as the timestamp")
    expect(sample("run_success", run1)[0] == "1" and sample("run_success", run2)[0] == "0",
           "run success 1 for PASS, 0 for FAIL")
    expect(sample("run_failed_stages", run2)[0] == "1", "failed stages counted")
    expect(sample("run_duration_seconds", run2) is not None,
           "quotes and backslashes in a label survive escaping")
    expect(sample("stage_duration_seconds", run1 | {("stage", "tests")})[0] == "240",
           "stage duration")
    expect(sample("stage_success", run1 | {("stage", "hwsim")})[0] == "0"
           and sample("stage_skipped", run1 | {("stage", "hwsim")})[0] == "1",
           "a skipped stage: success 0, skipped 1")
    expect(sample("stage_metric", run1 | {("stage", "coverage"), ("metric", "coverage_line")})
           [0] == "91.2", "extra numeric metric coverage_line")
    expect(sample("stage_metric", run2 | {("stage", "security"),
                                          ("metric", "findings_clang-tidy")})[0] == "0",
           "metric names that are not identifiers stay label values")
    expect(sample("stage_metric", run2 | {("stage", "coverage"), ("metric", "gate_ok")})
           [0] == "0", "a boolean extra becomes 0/1")
    expect(not any(('metric="note"' in ln or 'metric="figure"' in ln) for ln in lines),
           "strings (figure, note) are not metrics")
    first = [ln for ln in lines if ln.startswith(PREFIX + "run_success{")]
    expect(len(first) == 2 and "2025-01-01" in first[0], "runs ordered oldest first")
    latest = render(records[-1:], timestamps=False)
    expect(not check_exposition(latest) and all(not re.search(r"\} \S+ \S+$", ln)
                                                for ln in latest),
           "--latest --no-timestamps output is valid and has no timestamps")
    om = render(records, openmetrics=True)
    expect(om[-1] == "# EOF" and " 1735732800.0" in "\n".join(om),
           "OpenMetrics: '# EOF' and timestamps in seconds")

    # Odd values and the file-name fallback for the timestamp.
    with tempfile.TemporaryDirectory() as tmp:
        odd = os.path.join(tmp, "run-20240229T235959Z.json")
        with open(odd, "w", encoding="utf-8") as f:
            f.write('{"timestamp": "not a time", "git_sha": "x", "git_branch": "a\\nb",'
                    ' "duration_seconds": 1.5e3, "status": "PASS", "stages": [{"stage": '
                    '"perf", "status": "PASS", "seconds": 3, "ratio": NaN, "big": Infinity,'
                    ' "neg": -Infinity, "tiny": 1e-07}]}')
        broken = os.path.join(tmp, "run-20240301T000000Z.json")
        with open(broken, "w", encoding="utf-8") as f:
            f.write('{"timestamp": ')
        rec = load_record(odd)
        expect(rec["_run"] == "2024-02-29T23:59:59Z", "timestamp taken from the file name")
        odd_lines = render([rec])
        errs = check_exposition(odd_lines)
        text = "\n".join(odd_lines)
        expect(not errs and "NaN" in text and "+Inf" in text and "-Inf" in text
               and "1e-07" in text and 'branch="a\\nb"' in text,
               "NaN, +Inf, -Inf, exponents and a newline in a label are valid")
        try:
            load_record(broken)
            expect(False, "a truncated record is refused")
        except ValueError:
            expect(True, "a truncated record is refused")
        for stamp, want in (("2025-01-01T12:00:00Z", 1735732800), ("20250101T120000Z",
                                                                    1735732800),
                            ("2025-01-01T13:00:00+01:00", 1735732800),
                            ("2025-01-01T12:00:00.250Z", 1735732800.25),
                            (1735732800, 1735732800), ("2025-01-01 12:00:00", 1735732800)):
            expect(parse_timestamp(stamp) == want, "timestamp %r" % (stamp,))
    print("ci_metrics selftest: %d passed, %d failed" % (len(passed), len(failures)))
    return 1 if failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records", nargs="*", help="run records (default: $CI_OUT/metrics/run-*.json)")
    ap.add_argument("--latest", action="store_true", help="only the newest record")
    ap.add_argument("--no-timestamps", action="store_true", help="no sample timestamps")
    ap.add_argument("--format", choices=("prometheus", "openmetrics"), default="prometheus")
    ap.add_argument("--selftest", action="store_true", help="check the output on tests/data/ci")
    args = ap.parse_args(argv)
    if args.selftest:
        return selftest()
    paths = args.records or default_paths()
    status, records = 0, []
    for path in paths:
        try:
            records.append(load_record(path))
        except ValueError as e:
            print("ci_metrics: skipping %s: %s" % (path, e), file=sys.stderr)
            status = 1
    if not paths:
        print("ci_metrics: no records (build-ci/metrics/run-*.json): run .ci/run first",
              file=sys.stderr)
    if args.latest and records:
        records = [max(records, key=lambda r: r["_epoch"])]
    om = args.format == "openmetrics"
    if records or om:
        sys.stdout.write("\n".join(render(records, not args.no_timestamps, om)) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
