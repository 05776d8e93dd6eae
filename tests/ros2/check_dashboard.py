#!/usr/bin/env python3
"""Validates the Grafana dashboard of lln-ros2 without Grafana (not packaged in Debian):
the JSON parses, has the fields Grafana's dashboard model requires (title, uid, panels with
unique ids, grid positions and Prometheus targets), and every metric a panel queries is one
the node exports: it must appear in METRICS.txt (a /metrics scrape of a running node), and
every query must be accepted by Prometheus when QUERY_URL is given.

    check_dashboard.py DASHBOARD.json METRICS.txt [PROMETHEUS_URL]"""
import json
import re
import sys
import urllib.parse
import urllib.request


def main():
    dash_path, metrics_path = sys.argv[1], sys.argv[2]
    prom = sys.argv[3] if len(sys.argv) > 3 else None
    problems = []
    try:
        dash = json.load(open(dash_path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        sys.exit(f"{dash_path}: not valid JSON: {e}")
    for key in ("title", "uid", "panels", "schemaVersion"):
        if key not in dash:
            problems.append(f"missing top-level '{key}'")
    exported = set()
    for line in open(metrics_path, encoding="utf-8"):
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
        if m and not line.startswith("#"):
            exported.add(m.group(1))
    ids, exprs = set(), 0
    for p in dash.get("panels", []):
        pid = p.get("id")
        if pid in ids:
            problems.append(f"panel id {pid} repeated")
        ids.add(pid)
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "xywh") or g["x"] + g["w"] > 24:
            problems.append(f"panel {pid}: bad gridPos {g}")
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            exprs += 1
            names = set(re.findall(r"\b(lln_node_[a-z_]+)", expr))
            if not names:
                problems.append(f"panel {pid}: query '{expr}' uses no lln_node_ metric")
            for n in names:
                if n not in exported:
                    problems.append(
                        f"panel {pid}: metric {n} is not exported by the node"
                    )
            if prom:
                q = expr.replace("$job", ".*")
                url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
                try:
                    r = json.load(urllib.request.urlopen(url, timeout=5))
                    if r.get("status") != "success":
                        problems.append(f"panel {pid}: Prometheus rejected '{q}'")
                except Exception as e:  # noqa: BLE001 - report any failure as a problem
                    problems.append(f"panel {pid}: query '{q}' failed: {e}")
    for p in problems:
        print(f"{dash_path}: {p}")
    print(
        f"{dash_path}: {len(ids)} panels, {exprs} queries"
        + (", all accepted by Prometheus" if prom and not problems else "")
        + (" - OK" if not problems else f" - {len(problems)} problems")
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
