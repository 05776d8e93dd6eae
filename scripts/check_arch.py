#!/usr/bin/env python3
"""Checks the architecture rules of docs/DESIGN.md ("Library boundary" and "Layout").

1. Boundary: code outside src/ uses the library only through include/lln/. A file in a front
   end (cli/, python/, ros2/, bench/, sim/, examples/, ...) that includes a header of src/, or
   reaches into src/ by path, is an error. tests/ and tools/ may include private headers
   (unit tests of internals, fuzz targets, the golden parity tool); they link the static
   library. Public headers include only other public headers and system headers.
2. Layers: a file in src/LAYER/ may include private headers only of LAYER and of the layers
   it may depend on (LAYERS below), and the public headers those layers own (PUBLIC_OWNER).

Usage: check_arch.py [ROOT]          check the tree at ROOT (default: this checkout)
       check_arch.py --self-test     plant a private include in cli/ and an upward include in
                                     src/core/ in a copy of the tree; both must be reported
Exit status 0 when clean, 1 with one line per violation (file:line: what and why).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Who may include whom: layer -> layers it may use (besides itself). The arrows of
# docs/DESIGN.md: common <- core <- {io, data} <- train; core <- deploy; core <- profile.
LAYERS = {
    "common": set(),
    "core": {"common"},
    "io": {"common", "core"},
    "data": {"common", "core"},
    "deploy": {"common", "core"},
    "profile": {"common", "core"},
    "train": {"common", "core", "io", "data"},
}

# The layer that implements each public header (include/lln/NAME.h).
PUBLIC_OWNER = {
    "status": "common",
    "util": "common",
    "csv": "common",
    "lln": None,  # the umbrella header: for front ends only
    "wiring": "core",
    "model": "core",
    "grad": "core",
    "format": "io",
    "import": "io",
    "data": "data",
    "quant": "deploy",
    "export": "deploy",
    "profile": "profile",
    "train": "train",
    "sparse": "train",
}

# Directories outside src/ that may include private headers (see the docstring).
INTERNAL_OK = ("tests/", "tools/")

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def tracked_sources(root):
    """C sources and headers of the tree (git's view when it is a checkout)."""
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True, text=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        out = []
        for d, _, fs in os.walk(root):
            out += [os.path.relpath(os.path.join(d, f), root) for f in fs]
    return sorted(f for f in out if f.endswith((".c", ".h")) and not f.startswith("build")
                  and os.path.isfile(os.path.join(root, f)))


def includes(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def layer_of(path):
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "src":
        return parts[1]
    return None


def check(root):
    files = tracked_sources(root)
    private = {}  # basename -> path of the private headers of src/
    for f in files:
        if f.startswith("src/") and f.endswith(".h"):
            private.setdefault(os.path.basename(f), f)
    errors = []
    for f in files:
        here = os.path.dirname(f)
        for n, inc in includes(root, f):
            beside = os.path.normpath(os.path.join(here, inc))
            if inc.startswith("lln/"):
                target = "include/" + inc
                if not os.path.isfile(os.path.join(root, target)):
                    continue  # a generated or runtime header: not ours to judge
            elif os.path.isfile(os.path.join(root, beside)):
                target = beside
            elif os.path.isfile(os.path.join(root, "src", inc)):
                target = os.path.normpath(os.path.join("src", inc))  # "layer/name.h"
            elif os.path.basename(inc) in private:
                target = private[os.path.basename(inc)]
            else:
                continue  # a system or runtime header, or one the build generates
            where = "%s:%d: #include \"%s\"" % (f, n, inc)
            if f.startswith("src/"):
                mine = layer_of(f)
                if target.startswith("include/lln/"):
                    theirs = PUBLIC_OWNER.get(os.path.basename(target)[:-2], "?")
                elif target.startswith("src/"):
                    theirs = layer_of(target)
                else:
                    continue  # runtime/ sources: the firmware runtime, usable by every layer
                if mine is None or theirs is None or theirs == "?":
                    errors.append("%s: %s is outside the layered layout (src/LAYER/ and the "
                                  "owners of include/lln/ in scripts/check_arch.py)" %
                                  (where, f if mine is None else target))
                elif mine not in LAYERS:
                    errors.append("%s: unknown layer src/%s/" % (where, mine))
                elif theirs != mine and theirs not in LAYERS[mine]:
                    errors.append("%s: layer %s may not depend on layer %s (allowed: %s)" %
                                  (where, mine, theirs, ", ".join(sorted(LAYERS[mine])) or
                                   "none"))
            elif f.startswith("include/lln/"):
                if not target.startswith("include/lln/"):
                    errors.append("%s: a public header may include only public headers" % where)
            elif target.startswith("src/") and not f.startswith(INTERNAL_OK):
                errors.append("%s: private header %s outside the library; use the public "
                              "API of include/lln/ (docs/DESIGN.md, Library boundary)" %
                              (where, target))
    return errors


def self_test(root):
    """Both kinds of violation planted in a copy must be reported; the copy must be clean."""
    ok = True
    reported = 0
    with tempfile.TemporaryDirectory(prefix="check-arch-") as tmp:
        copy = os.path.join(tmp, "tree")
        for f in tracked_sources(root):
            os.makedirs(os.path.join(copy, os.path.dirname(f)), exist_ok=True)
            shutil.copy(os.path.join(root, f), os.path.join(copy, f))
        base = check(copy)
        if base:
            print("self-test: the unplanted copy is not clean:\n  " + "\n  ".join(base))
            return False
        core = sorted(f for f in tracked_sources(copy)
                      if f.startswith("src/core/") and f.endswith(".c"))
        train = sorted(os.path.basename(f) for f in tracked_sources(copy)
                       if f.startswith("src/train/") and f.endswith(".h"))
        private = sorted(f for f in tracked_sources(copy)
                         if f.startswith("src/") and f.endswith(".h"))
        plants = [("cli/main.c", os.path.basename(private[0]), "private header"),
                  ("cli/main.c", "../" + private[0], "private header"),
                  ("include/lln/model.h", os.path.basename(private[0]), "only public headers")]
        if core and train:
            plants.append((core[0], train[0], "may not depend on layer train"))
            plants.append((core[0], "lln/train.h", "may not depend on layer train"))
        for path, inc, want in plants:
            p = os.path.join(copy, path)
            with open(p, encoding="utf-8") as f:
                text = f.read()
            with open(p, "w", encoding="utf-8") as f:
                f.write('#include "%s"\n' % inc + text)
            found = [e for e in check(copy) if want in e and path in e]
            print("self-test: planted #include \"%s\" in %s: %s" %
                  (inc, path, "reported" if found else "NOT REPORTED"))
            for e in found:
                print("  " + e)
            ok = ok and bool(found)
            reported += bool(found)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        print("check_arch self-test: %d of %d planted violations reported" %
              (reported, len(plants)))
    return ok


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if argv[1:2] == ["--self-test"]:
        return 0 if self_test(argv[2] if len(argv) > 2 else here) else 1
    root = argv[1] if len(argv) > 1 else here
    errors = check(root)
    for e in errors:
        print(e)
    print("check_arch: %d violation(s) of the library boundary and layer rules" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
