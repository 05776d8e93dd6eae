#!/usr/bin/env python3
"""Writes a CycloneDX 1.5 JSON SBOM of liquid-edge (standard library only).

Usage:
  scripts/sbom.py --lib STAGE/lib/liblln.so.X.Y.Z --cli STAGE/bin/lln -o OUT.cdx.json
                  [--version X.Y.Z] [--deps scripts/deps.sh] [--levels build,ci]
                  [--wheel dist/liquid_edge-X.Y.Z-*.whl]

Components:
  * ours: liblln (library) and lln (application), MIT, with the SHA-256 of the installed
    files given by --lib / --cli;
  * the Debian build dependencies that are installed: the packages named by the
    `need COMMAND PACKAGE` lines of scripts/deps.sh (the one list CI installs from), at the
    levels given by --levels;
  * the Debian runtime dependencies: the packages owning the shared libraries that the
    installed liblln.so and lln need (readelf NEEDED -> ldd path -> dpkg -S);
  * with --wheel, the Python package liquid-edge (pkg:pypi, the wheel's SHA-256): the C
    library compiled into its extension module (so it depends on lln-runtime and on the
    Debian packages of the libraries the extension needs) and numpy (pkg:pypi, the
    requirement of the wheel's metadata, at the version installed where the SBOM is made).
Versions come from dpkg-query, licences from /usr/share/doc/PKG/copyright (machine-readable
DEP-5 License: fields, mapped to SPDX ids where the mapping is exact, else a licence name).
Dependencies: liquid-edge -> liblln, lln; liblln -> its runtime packages; lln -> liblln
(linked statically) and its runtime packages.

SOURCE_DATE_EPOCH, when set, fixes the timestamp.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse
import tempfile
import uuid
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL_NAME = "liquid-edge scripts/sbom.py"

# Debian copyright-format short names -> SPDX ids, only where the meaning is the same.
DEBIAN_TO_SPDX = {
    "gpl-1": "GPL-1.0-only", "gpl-1+": "GPL-1.0-or-later",
    "gpl-2": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later",
    "gpl-3": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later",
    "lgpl-2": "LGPL-2.0-only", "lgpl-2+": "LGPL-2.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later",
    "lgpl-3": "LGPL-3.0-only", "lgpl-3+": "LGPL-3.0-or-later",
    "agpl-3": "AGPL-3.0-only", "agpl-3+": "AGPL-3.0-or-later",
    "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.2+": "GFDL-1.2-or-later",
    "gfdl-1.3": "GFDL-1.3-only", "gfdl-1.3+": "GFDL-1.3-or-later",
    "expat": "MIT", "mit": "MIT", "x11": "X11",
    "bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "apache-2.0": "Apache-2.0", "apache-2": "Apache-2.0",
    "zlib": "Zlib", "isc": "ISC", "mpl-1.1": "MPL-1.1", "mpl-2.0": "MPL-2.0",
    "artistic": "Artistic-1.0-Perl", "artistic-1.0": "Artistic-1.0",
    "artistic-2.0": "Artistic-2.0",
    "psf-2": "PSF-2.0", "python": "Python-2.0", "python-2.0": "Python-2.0",
    "cc0-1.0": "CC0-1.0", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "unlicense": "Unlicense", "curl": "curl", "openssl": "OpenSSL",
    "bsl-1.0": "BSL-1.0", "boost-1.0": "BSL-1.0",
    "fsfap": "FSFAP", "fsful": "FSFUL", "fsfullr": "FSFULLR",
    "ncsa": "NCSA", "ofl-1.1": "OFL-1.1", "w3c": "W3C", "wtfpl": "WTFPL",
    "gpl-2.0": "GPL-2.0-only", "gpl-2.0+": "GPL-2.0-or-later",
    "gpl-3.0": "GPL-3.0-only", "gpl-3.0+": "GPL-3.0-or-later",
    "lgpl-2.0": "LGPL-2.0-only", "lgpl-2.0+": "LGPL-2.0-or-later",
    "lgpl-2.1-or-later": "LGPL-2.1-or-later", "gpl-2.0-or-later": "GPL-2.0-or-later",
    "gpl-2.0-only": "GPL-2.0-only", "gpl-3.0-or-later": "GPL-3.0-or-later",
    "0bsd": "0BSD", "bzip2-1.0.6": "bzip2-1.0.6", "libpng": "Libpng",
    "ijg": "IJG", "tcl": "TCL", "icu": "ICU", "unicode-dfs-2016": "Unicode-DFS-2016",
}


def die(msg):
    print("sbom.py: " + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return r.returncode, r.stdout


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"^\s*project\([^)]*VERSION\s+(\d+\.\d+\.\d+)", f.read(), re.M)
    if not m:
        die("no project(... VERSION X.Y.Z) in CMakeLists.txt")
    return m.group(1)


def project_license():
    path = os.path.join(ROOT, "LICENSE")
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline().strip()
    except OSError:
        die("no LICENSE file")
    if first == "MIT License":
        return "MIT"
    die("LICENSE: unrecognised licence '%s' (teach sbom.py its SPDX id)" % first)
    return None


def deps_packages(path, levels):
    """Packages of the `need X PACKAGE` lines of deps.sh, with the level each belongs to
    (lines outside `if [ "$level" = NAME ]` blocks are the build level)."""
    out = {}
    level = "build"
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            m = re.match(r'if \[ "\$level" = "?([A-Za-z0-9_-]+)"? \]', s)
            if m:
                level = m.group(1)
                continue
            if s == "fi":
                level = "build"
                continue
            m = re.match(r"need\s+(\S+)\s+([a-z0-9][a-z0-9+.-]+)\s*(#.*)?$", s)
            if m and level in levels:
                out.setdefault(m.group(2), level)
    if not out:
        die("%s: no `need COMMAND PACKAGE` lines at levels %s" % (path, ",".join(levels)))
    return out


def dpkg_info(pkg):
    fmt = ("${db:Status-Abbrev}\t${Version}\t${Architecture}\t${binary:Summary}\t"
           "${Homepage}\t${Maintainer}\n")
    rc, out = run(["dpkg-query", "-W", "-f", fmt, pkg])
    if rc != 0 or not out.strip():
        return None
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) >= 6 and f[0].startswith("ii"):
            return {"version": f[1], "arch": f[2], "summary": f[3], "homepage": f[4],
                    "maintainer": f[5]}
    return None


def needed_packages(binary):
    """Debian packages owning the shared libraries `binary` needs."""
    rc, out = run(["readelf", "-d", binary])
    if rc != 0:
        die("readelf -d %s failed" % binary)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    rc, resolved = run(["ldd", binary])  # our own binaries: resolve as the loader does
    paths = {}
    for line in resolved.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            paths[m.group(1)] = m.group(2)
    pkgs = []
    for lib in needed:
        if lib.startswith("liblln.so"):
            continue  # our own library (lln links it): a component of this SBOM, not a dependency
        if lib not in paths:
            die("%s needs %s, which ldd does not resolve" % (binary, lib))
        cand = [paths[lib], os.path.realpath(paths[lib])]
        for c in list(cand):  # merged /usr: dpkg may record either spelling
            cand.append(c[4:] if c.startswith("/usr/") else "/usr" + c)
        owner = None
        for c in cand:
            rc, out = run(["dpkg-query", "-S", c])
            if rc == 0 and out.strip():
                owner = out.split(":")[0].strip()
                break
        if owner is None:
            die("no Debian package owns %s (needed by %s)" % (paths[lib], binary))
        if owner not in pkgs:
            pkgs.append(owner)
    return pkgs


def parse_dep5(text):
    """License short names of a machine-readable debian/copyright (header + Files)."""
    paras, cur, key = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if cur:
                paras.append(cur)
            cur, key = {}, None
            continue
        if line[0] in " \t":
            continue  # continuation lines: licence texts, file lists
        m = re.match(r"([A-Za-z-]+):\s*(.*)$", line)
        if m:
            key = m.group(1).lower()
            cur[key] = m.group(2).strip()
    if cur:
        paras.append(cur)
    names = []
    for i, p in enumerate(paras):
        if "license" in p and (i == 0 or "files" in p) and p["license"]:
            if p["license"] not in names:
                names.append(p["license"])
    return names


GNU_RE = re.compile(
    r"GNU\s+(Lesser\s+|Library\s+)?General\s+Public\s+License[^.;]{0,80}?;?\s*either\s+"
    r"version\s+(\d(?:\.\d)?)(?:\s+of\s+the\s+License)?,?\s+or\s+\(at\s+your\s+option\)\s+"
    r"any\s+later\s+version", re.I)


# Licence titles that name one SPDX licence exactly (for non-machine-readable files).
TITLES = [("PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2", "PSF-2.0")]


def text_licenses(text):
    """Best effort for copyright files that are not machine-readable: GNU 'either version
    N ... or any later version' grants, exact licence titles, then
    /usr/share/common-licenses references (as names)."""
    ids = [lid for title, lid in TITLES if title in text]
    for m in GNU_RE.finditer(text):
        kind, ver = (m.group(1) or "").strip().lower(), m.group(2)
        if "." not in ver:
            ver += ".0"
        base = "LGPL" if kind in ("lesser", "library") else "GPL"
        lid = "%s-%s-or-later" % (base, ver)
        if lid not in ids:
            ids.append(lid)
    names = []
    for ref in re.findall(r"/usr/share/common-licenses/([A-Za-z0-9.+_-]+)", text):
        ref = ref.rstrip(".")
        if ref not in names:
            names.append(ref)
    return ids, names


def license_entries(pkg):
    """(CycloneDX licence list, how it was found)."""
    path = "/usr/share/doc/%s/copyright" % pkg
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return [{"license": {"name": "unknown (no %s)" % path}}], "none"
    entries = []
    if re.match(r"Format:\s*\S*copyright-format", text):
        for short in parse_dep5(text):
            spdx = DEBIAN_TO_SPDX.get(short.lower())
            entries.append({"license": {"id": spdx} if spdx else {"name": short}})
        how = "dep5"
    else:
        ids, names = text_licenses(text)
        for lid in ids:
            entries.append({"license": {"id": lid}})
        for n in names:
            spdx = DEBIAN_TO_SPDX.get(n.lower())
            if spdx and (spdx.endswith("-only") or spdx.endswith("-or-later")):
                spdx = None  # a reference to the licence text does not say only/or-later
            lic = {"id": spdx} if spdx else {"name": n}
            if not any(e["license"] == lic for e in entries):
                entries.append({"license": lic})
        how = "text"
    seen, uniq = set(), []
    for e in entries:
        k = json.dumps(e, sort_keys=True)
        if k not in seen:
            seen.add(k)
            uniq.append(e)
    if not uniq:
        uniq = [{"license": {"name": "unknown (see %s)" % path}}]
        how = "none"
    return uniq, how


def purl_deb(name, version, arch, distro):
    q = "arch=%s" % urllib.parse.quote(arch, safe="")
    if distro:
        q += "&distro=%s" % urllib.parse.quote(distro, safe="")
    return "pkg:deb/debian/%s@%s?%s" % (urllib.parse.quote(name, safe=""),
                                         urllib.parse.quote(version, safe=".-_~:"), q)


def distro_id():
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            kv = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
    except OSError:
        return ""
    i, v = kv.get("ID", "").strip('"'), kv.get("VERSION_ID", "").strip('"')
    return "%s-%s" % (i, v) if i and v else i


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def wheel_components(wheel, version, ours_lic, python):
    """The Python package's components: liquid-edge (the wheel) and its PyPI requirements;
    plus the Debian packages its extension module needs and the refs it depends on."""
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta_name = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        ext_name = next((n for n in names if re.search(r"liquid_edge/_core\.[^/]*\.so$", n)), None)
        if meta_name is None or ext_name is None:
            die("%s: no METADATA or no liquid_edge/_core*.so: not a liquid-edge wheel" % wheel)
        meta = z.read(meta_name).decode("utf-8", "replace")
        with tempfile.TemporaryDirectory() as tmp:
            ext = os.path.join(tmp, os.path.basename(ext_name))
            with open(ext, "wb") as f:
                f.write(z.read(ext_name))
            runtime = needed_packages(ext)
    wv = re.search(r"^Version: (\S+)$", meta, re.M)
    if not wv or wv.group(1) != version:
        die("%s: wheel version %s is not the project's %s"
            % (wheel, wv.group(1) if wv else "?", version))
    ref = "pkg:pypi/liquid-edge@%s" % version
    comps = [{"type": "library", "bom-ref": ref, "name": "liquid-edge", "version": version,
              "description": "liquid-edge Python package (import liquid_edge): the C library "
                             "compiled into the extension module liquid_edge._core",
              "licenses": ours_lic, "purl": ref, "scope": "required",
              "hashes": [{"alg": "SHA-256", "content": sha256(wheel)}],
              "properties": [{"name": "liquid-edge:hashed-file",
                              "value": os.path.basename(wheel)}]}]
    deps = []
    for req in re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)([^;\n]*)$", meta, re.M):
        name, spec = req[0].lower(), req[1].strip()
        rc, out = run([python, "-c",
                       "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
                       name])
        installed = out.strip() if rc == 0 and out.strip() else None
        if installed is None:
            print("sbom.py: %s (required by the wheel) is not installed: not listed" % name,
                  file=sys.stderr)
            continue
        pref = "pkg:pypi/%s@%s" % (name, installed)
        comps.append({"type": "library", "bom-ref": pref, "name": name, "version": installed,
                      "description": "PyPI requirement of liquid-edge: %s%s" % (name, spec),
                      "purl": pref, "scope": "required",
                      "properties": [{"name": "liquid-edge:requirement",
                                      "value": name + spec}]})
        deps.append(pref)
    return comps, runtime, deps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", required=True, help="installed liblln.so.X.Y.Z")
    ap.add_argument("--cli", required=True, help="installed lln")
    ap.add_argument("--version", help="project version (default: from CMakeLists.txt)")
    ap.add_argument("--deps", default=os.path.join(ROOT, "scripts", "deps.sh"))
    ap.add_argument("--levels", default="build,ci", help="deps.sh levels to list")
    ap.add_argument("--wheel", help="the Python package's wheel (python/, docs/PYTHON.md)")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.isfile("/usr/bin/python3")
                    else sys.executable, help="the Python whose packages the wheel's "
                    "requirements are looked up in (default: Debian's python3)")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    version = a.version or project_version()
    if not re.match(r"^\d+\.\d+\.\d+$", version):
        die("bad version '%s'" % version)
    for p in (a.lib, a.cli) + ((a.wheel,) if a.wheel else ()):
        if not os.path.isfile(p):
            die("no such file: %s" % p)
    if run(["dpkg-query", "--version"])[0] != 0:
        die("dpkg-query not found: the SBOM lists Debian packages")
    lic = project_license()
    distro = distro_id()
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(sde), datetime.timezone.utc) if sde
            else datetime.datetime.now(datetime.timezone.utc))
    timestamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")

    top_ref = "pkg:generic/liquid-edge@%s" % version
    lib_ref = "pkg:generic/liquid-edge/liblln@%s" % version
    cli_ref = "pkg:generic/liquid-edge/lln@%s" % version
    rt_ref = "pkg:generic/liquid-edge/lln-runtime@%s" % version
    rt_src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "lln_rt.c")
    ours_lic = [{"license": {"id": lic}}]
    components = [
        {"type": "library", "bom-ref": lib_ref, "name": "liblln", "version": version,
         "description": "liquid-edge C library (static liblln.a and shared liblln.so)",
         "licenses": ours_lic, "purl": lib_ref, "scope": "required",
         "hashes": [{"alg": "SHA-256", "content": sha256(a.lib)}],
         "properties": [{"name": "liquid-edge:hashed-file", "value": os.path.basename(a.lib)}]},
        {"type": "application", "bom-ref": cli_ref, "name": "lln", "version": version,
         "description": "liquid-edge command line (new, info, run, import-ncps, export, verify)",
         "licenses": ours_lic, "purl": cli_ref, "scope": "required",
         "hashes": [{"alg": "SHA-256", "content": sha256(a.cli)}],
         "properties": [{"name": "liquid-edge:hashed-file", "value": os.path.basename(a.cli)}]},
        {"type": "library", "bom-ref": rt_ref, "name": "lln-runtime", "version": version,
         "description": "liquid-edge firmware runtime (runtime/lln_rt.c/.h), compiled into liblln "
                        "and shipped as source in every `lln export`",
         "licenses": ours_lic, "purl": rt_ref, "scope": "required",
         "hashes": [{"alg": "SHA-256", "content": sha256(rt_src)}],
         "properties": [{"name": "liquid-edge:hashed-file", "value": "lln_rt.c"}]},
    ]

    lib_runtime = needed_packages(a.lib)
    cli_runtime = needed_packages(a.cli)
    py_runtime, py_deps = [], []
    if a.wheel:
        py_comps, py_runtime, py_deps = wheel_components(a.wheel, version, ours_lic, a.python)
        components += py_comps
    roles = {}  # package -> set of roles
    for p in lib_runtime + cli_runtime + py_runtime:
        roles.setdefault(p, set()).add("runtime")
    levels = [x for x in a.levels.split(",") if x]
    for p, level in deps_packages(a.deps, levels).items():
        roles.setdefault(p, set()).add(level)

    deb_refs, missing = {}, []
    for pkg in sorted(roles):
        info = dpkg_info(pkg)
        if info is None:
            if "runtime" in roles[pkg]:
                die("runtime dependency %s is not installed" % pkg)
            missing.append(pkg)
            continue
        purl = purl_deb(pkg, info["version"], info["arch"], distro)
        licenses, how = license_entries(pkg)
        c = {"type": "library" if pkg.startswith("lib") or pkg.endswith("-dev") else "application",
             "bom-ref": purl, "name": pkg, "version": info["version"],
             "scope": "required" if "runtime" in roles[pkg] else "excluded",
             "licenses": licenses, "purl": purl,
             "properties": [{"name": "liquid-edge:role", "value": r} for r in sorted(roles[pkg])]
             + [{"name": "liquid-edge:license-source", "value": how}]}
        if info["summary"]:
            c["description"] = info["summary"]
        if info["maintainer"]:
            c["publisher"] = info["maintainer"]
        if info["homepage"]:
            c["externalReferences"] = [{"type": "website", "url": info["homepage"]}]
        components.append(c)
        deb_refs[pkg] = purl
    if missing:
        print("sbom.py: not installed, not listed: %s" % " ".join(missing), file=sys.stderr)

    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:%s" % uuid.uuid4(),
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "lifecycles": [{"phase": "build"}],
            "tools": {"components": [{"type": "application", "name": TOOL_NAME,
                                      "version": version}]},
            "component": {"type": "application", "bom-ref": top_ref, "name": "liquid-edge",
                          "version": version,
                          "description": "ncps liquid neural networks (LTC, CfC) in C: "
                                         "library liblln and command lln",
                          "licenses": ours_lic, "purl": top_ref},
        },
        "components": components,
        "dependencies": [
            {"ref": top_ref, "dependsOn": [lib_ref, cli_ref, rt_ref]},
            {"ref": rt_ref, "dependsOn": []},
            {"ref": lib_ref, "dependsOn": [rt_ref] + [deb_refs[p] for p in lib_runtime]},
            {"ref": cli_ref, "dependsOn": [lib_ref] + [deb_refs[p] for p in cli_runtime]},
        ],
    }
    if a.wheel:
        py_ref = components[3]["bom-ref"]
        bom["dependencies"][0]["dependsOn"].append(py_ref)
        bom["dependencies"].append(
            {"ref": py_ref,
             "dependsOn": [rt_ref] + py_deps + [deb_refs[p] for p in py_runtime]})
        bom["dependencies"] += [{"ref": r, "dependsOn": []} for r in py_deps]
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(bom, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, a.output)
    ours = 4 if a.wheel else 3
    deb = sum(1 for c in components if c["bom-ref"].startswith("pkg:deb/"))
    print("sbom.py: %s: %d components (%d ours, %d Debian, %d PyPI), %d dependency entries"
          % (a.output, len(components), ours, deb, len(components) - ours - deb,
             len(bom["dependencies"])))


if __name__ == "__main__":
    main()
