#!/usr/bin/env python3
"""Instruction-count gate of the CI perf stage (.ci/stages/perf.sh; `make perf-baseline`).

Reads one callgrind output per kernel (cg.<kernel>.out, made with --toggle-collect=<counted
function> and LD_BIND_NOW=1) and splits every count in two:

  own       instructions executed in our code (liblln, linked statically into lln_perfcount):
            a pure function of the compiler, its flags and the source. This is what is gated.
  external  instructions executed in libc/libm called from our code (memcpy, ...). glibc
            picks memcpy/expf variants by CPU feature (ifunc), so this part differs between
            machines: recorded for information, never gated.
  calls     how many calls our code makes into libc/libm: CPU-independent, and gated like
            own instructions, so work moved from our code into a library call (e.g. the
            inline expf replaced by libm's) cannot pass as a speed-up.

Usage:
  perf_gate.py record  --baseline FILE --cg-dir DIR --build-dir DIR --perfcount EXE
  perf_gate.py compare --baseline FILE --cg-dir DIR --build-dir DIR --perfcount EXE
                       [--max-regression 5.0]

compare exits 0 (pass), 1 (a kernel is more than --max-regression % worse, a kernel has no
baseline, or a baseline kernel is gone), or 3 (the toolchain differs from the baseline's:
the table is printed, nothing is gated). The last lines printed are "FIGURE: <key figure>"
and "METRIC <key> <number>" lines for the stage's result record.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys

KERNEL_RE = re.compile(r"^cg\.(?P<kernel>[A-Za-z0-9_]+)\.out$")


def parse_callgrind(path):
    """Self instructions per object, and call counts from our object into other objects."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    kind_of = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
               "cfl": "fl", "fn": "fn", "cfn": "fn"}
    main_ob = None
    ob = fn = None
    cob = cfn = None
    pending_calls = None  # the next cost line is the inclusive cost of a call
    self_cost = {}
    fn_cost = {}
    ext_calls = {}
    summary = None

    def resolve(kind, text):
        text = text.strip()
        m = re.match(r"^\((\d+)\)(?:\s+(.*))?$", text)
        if not m:
            return text
        table = names[kind]
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), "?")

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("cmd:"):
                main_ob = line.split()[1] if len(line.split()) > 1 else None
                continue
            if line.startswith("summary:"):
                summary = int(line.split()[1])
                continue
            m = re.match(r"^(ob|fl|fi|fe|fn|cob|cfi|cfl|cfn)=(.*)$", line)
            if m:
                key, val = m.group(1), resolve(kind_of[m.group(1)], m.group(2))
                if key == "ob":
                    ob = val
                elif key == "fn":
                    fn = val
                    cob = None
                elif key == "cob":
                    cob = val
                elif key == "cfn":
                    cfn = val
                continue
            if line.startswith("calls="):
                pending_calls = int(line[6:].split()[0])
                continue
            if line[0].isdigit() or line[0] in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending_calls is not None:
                    callee_ob = cob if cob is not None else ob
                    if callee_ob != ob:
                        k = (ob, fn, callee_ob, cfn)
                        ext_calls[k] = ext_calls.get(k, 0) + pending_calls
                    pending_calls = None
                    cob = None
                else:
                    self_cost[ob] = self_cost.get(ob, 0) + cost
                    fn_cost[(ob, fn)] = fn_cost.get((ob, fn), 0) + cost
                continue
    # Callers that ran no instruction inside the region are its context (main, _start ->
    # __libc_start_main): callgrind lists their arcs with the region as inclusive cost.
    ext_calls = {k: n for k, n in ext_calls.items() if fn_cost.get((k[0], k[1]), 0) > 0}
    total = sum(self_cost.values())
    if summary is not None and summary != total:
        raise SystemExit(f"{path}: parsed {total} instructions, callgrind says {summary}")
    own = self_cost.get(main_ob, 0)
    calls = sum(n for (frm, _, _, _), n in ext_calls.items() if frm == main_ob)
    funcs = {}
    for (frm, _, to, name), n in ext_calls.items():
        if frm == main_ob:
            label = f"{os.path.basename(to)}:{name}"
            funcs[label] = funcs.get(label, 0) + n
    return {"own": own, "external": total - own, "calls": calls, "external_functions": funcs}


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unavailable"
    return out.splitlines()[0].strip() if out.strip() else "unavailable"


def cmake_cache(build_dir, key):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def toolchain(build_dir, perfcount):
    """What the counts depend on (compared), plus what they do not (recorded only)."""
    build = subprocess.run([perfcount, "--build"], capture_output=True, text=True,
                           check=False).stdout
    info = dict(l.split(": ", 1) for l in build.splitlines() if ": " in l)
    btype = cmake_cache(build_dir, "CMAKE_BUILD_TYPE")
    flags = " ".join(x for x in (cmake_cache(build_dir, "CMAKE_C_FLAGS"),
                                 cmake_cache(build_dir, "CMAKE_C_FLAGS_" + btype.upper()))
                     if x)
    return {
        "compiler": first_line([cmake_cache(build_dir, "CMAKE_C_COMPILER") or "gcc",
                                "--version"]),
        "cmake_build_type": btype,
        "c_flags": flags,
        "lln_native": cmake_cache(build_dir, "LLN_NATIVE") or "OFF",
        "kernel_isa": info.get("isa", "unknown"),
        "arch": platform.machine(),
    }, {
        "valgrind": first_line(["valgrind", "--version"]),
        "libc": first_line(["ldd", "--version"]),
        "cmake": first_line(["cmake", "--version"]),
    }


def collect(cg_dir):
    out = {}
    for name in sorted(os.listdir(cg_dir)):
        m = KERNEL_RE.match(name)
        if m:
            out[m.group("kernel")] = parse_callgrind(os.path.join(cg_dir, name))
    if not out:
        raise SystemExit(f"no cg.<kernel>.out files in {cg_dir}")
    return out


def kernel_notes(perfcount):
    text = subprocess.run([perfcount, "--list"], capture_output=True, text=True,
                          check=False).stdout
    notes = {}
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            notes[parts[0]] = {"counted_function": parts[1], "workload": parts[2]}
    return notes


NOTE = ("Instruction counts of the float32 host kernels under callgrind "
        "(--toggle-collect=<counted_function>, LD_BIND_NOW=1), made by .ci/stages/perf.sh; "
        "regenerate with `make perf-baseline`. 'instructions' counts only our code "
        "(liblln, linked statically): for a given compiler and flags it is the same on "
        "every x86-64 CPU, because the build has no -march=native (SSE2 baseline, no FMA) "
        "and the float32 kernels use inline exp/tanh (src/common/mathfn.h) and no CPU dispatch. "
        "'external_instructions' (memcpy etc. in glibc, whose variant glibc picks by CPU "
        "feature) is informational and not compared; 'external_calls' (how often our code "
        "calls into libc/libm) is CPU-independent and compared. The perf stage gates only "
        "against a baseline made with the same 'toolchain' (compiler, flags, kernel ISA, "
        "architecture); 'recorded_with' is informational.")


def record(args):
    counts = collect(args.cg_dir)
    tool, extra = toolchain(args.build_dir, args.perfcount)
    notes = kernel_notes(args.perfcount)
    kernels = {}
    for k, c in counts.items():
        kernels[k] = dict(notes.get(k, {}))
        kernels[k].update({"instructions": c["own"], "external_calls": c["calls"],
                           "external_instructions": c["external"],
                           "external_functions": c["external_functions"]})
    doc = {"note": NOTE, "toolchain": tool, "recorded_with": extra, "kernels": kernels}
    with open(args.baseline + ".tmp", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(args.baseline + ".tmp", args.baseline)
    print(f"{'kernel':<20} {'instructions':>14} {'ext calls':>10} {'ext instr (info)':>17}")
    for k, v in kernels.items():
        print(f"{k:<20} {v['instructions']:>14,} {v['external_calls']:>10,} "
              f"{v['external_instructions']:>17,}")
    print(f"recorded {len(kernels)} kernels in {args.baseline}")
    for k, v in kernels.items():
        print(f"METRIC perf_{k}_instructions {v['instructions']}")
    print(f"FIGURE: baseline recorded, {len(kernels)} kernels")
    return 0


def pct(now, base):
    if base == 0:
        return 0.0 if now == 0 else float("inf")
    return 100.0 * (now - base) / base


def compare(args):
    try:
        with open(args.baseline, encoding="utf-8") as f:
            base = json.load(f)
    except (OSError, ValueError) as e:
        print(f"no usable baseline {args.baseline} ({e}): run `make perf-baseline`")
        print("FIGURE: no baseline")
        return 1
    counts = collect(args.cg_dir)
    tool, extra = toolchain(args.build_dir, args.perfcount)
    btool = base.get("toolchain", {})
    differs = [k for k in sorted(set(tool) | set(btool)) if tool.get(k) != btool.get(k)]
    if differs:
        print("!" * 78)
        print("!!! TOOLCHAIN DIFFERS FROM THE BASELINE'S: these counts measure the compiler")
        print("!!! as much as our code, so they are shown but NOT GATED (stage result SKIP).")
        for k in differs:
            print(f"!!!   {k}: baseline '{btool.get(k)}', now '{tool.get(k)}'")
        print("!!! Gate on the reference toolchain (Debian 12 packages, scripts/deps.sh ci),")
        print("!!! or record a baseline for this one with `make perf-baseline`.")
        print("!" * 78)
    for k in sorted(extra):
        b = base.get("recorded_with", {}).get(k)
        if b is not None and b != extra[k]:
            print(f"note: {k} differs (baseline '{b}', now '{extra[k]}'); "
                  "it does not change our own instruction counts")
    bk = base.get("kernels", {})
    fail, faster, rows, worst = [], [], [], None
    print(f"{'kernel':<20} {'baseline':>14} {'now':>14} {'change':>9}   "
          f"{'ext calls (base/now)':>20}")
    for k in sorted(set(bk) | set(counts)):
        if k not in counts:
            print(f"{k:<20} {bk[k]['instructions']:>14,} {'(missing)':>14}")
            fail.append(f"{k} missing")
            continue
        now = counts[k]
        if k not in bk:
            print(f"{k:<20} {'(none)':>14} {now['own']:>14,}")
            fail.append(f"{k} has no baseline")
            continue
        b = bk[k]
        ch = pct(now["own"], b["instructions"])
        cch = pct(now["calls"], b.get("external_calls", 0))
        worst = ch if worst is None or ch > worst else worst
        flag = ""
        if ch > args.max_regression:
            flag = "  <-- SLOWER"
            fail.append(f"{k} {ch:+.1f} %")
        elif ch <= -args.max_regression:
            flag = "  <-- faster"
            faster.append(k)
        if cch > args.max_regression:
            flag += "  <-- MORE LIBRARY CALLS"
            fail.append(f"{k} library calls {b.get('external_calls', 0)} -> {now['calls']}")
        calls = f"{b.get('external_calls', 0):,}/{now['calls']:,}"
        print(f"{k:<20} {b['instructions']:>14,} {now['own']:>14,} {ch:>+8.1f} %   "
              f"{calls:>20}{flag}")
        rows.append(k)
        print(f"METRIC perf_{k}_instructions {now['own']}")
    worst = worst if worst is not None else 0.0
    figure = f"{len(rows)} kernels, worst {worst:+.1f} %"
    print(f"METRIC perf_worst_change_pct {worst:.2f}")
    if faster and not fail:
        print(f"faster than the baseline ({', '.join(faster)}, {args.max_regression:g} % or "
              "more): run `make perf-baseline` to record it")
    if differs:
        print(f"FIGURE: toolchain differs from the baseline, not gated ({figure})")
        return 3
    if fail:
        print(f"more than {args.max_regression:g} % worse than the baseline: "
              + "; ".join(fail))
        print("(if the slowdown is intended, record it with `make perf-baseline` and say why "
              "in the commit)")
        print(f"FIGURE: {figure}; " + "; ".join(fail))
        return 1
    print(f"FIGURE: {figure}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["record", "compare"])
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--cg-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--perfcount", required=True)
    ap.add_argument("--max-regression", type=float, default=5.0)
    args = ap.parse_args()
    return record(args) if args.mode == "record" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
