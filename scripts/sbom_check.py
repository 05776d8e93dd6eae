#!/usr/bin/env python3
"""Validates a CycloneDX 1.5 JSON SBOM against the rules of the 1.5 schema that can be
checked without downloading it (standard library only, no network).

Usage: scripts/sbom_check.py SBOM.json [--self-test]

Checked: required fields and their types; bomFormat "CycloneDX", specVersion "1.5";
serialNumber ^urn:uuid:<RFC 4122 UUID>$; version >= 1; no properties the schema does not
define (bom, metadata, component, licence, hash, dependency, ...); component types,
scopes, hash algorithms, external reference types and lifecycle phases from the schema's
enums; hash contents of the right length; unique bom-refs; every dependency ref and
dependsOn entry resolving to a bom-ref, refs unique; purl syntax
(pkg:type[/namespace]/name@version[?qualifiers][#subpath], percent-encoding, qualifier
keys) and its version equal to the component's; licence choices (an array of
{license: exactly one of id/name} or exactly one {expression}); ids from the SPDX list
(or LicenseRef-...); timestamp RFC 3339.
--self-test also checks that each of a set of planted violations is rejected.
Exit status: 0 valid, 1 invalid (every problem is printed), 2 usage.
"""

import copy
import datetime
import json
import re
import sys

COMPONENT_TYPES = {"application", "framework", "library", "container", "platform",
                   "operating-system", "device", "device-driver", "firmware", "file",
                   "machine-learning-model", "data"}
SCOPES = {"required", "optional", "excluded"}
HASH_LEN = {"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128,
            "SHA3-256": 64, "SHA3-384": 96, "SHA3-512": 128, "BLAKE2b-256": 64,
            "BLAKE2b-384": 96, "BLAKE2b-512": 128, "BLAKE3": None}
EXTREF_TYPES = {"vcs", "issue-tracker", "website", "advisories", "bom", "mailing-list",
                "social", "chat", "documentation", "support", "distribution",
                "distribution-intake", "license", "build-meta", "build-system",
                "release-notes", "security-contact", "model-card", "log", "configuration",
                "evidence", "formulation", "attestation", "threat-model", "adversary-model",
                "risk-assessment", "vulnerability-assertion", "exploitability-statement",
                "pentest-report", "static-analysis-report", "dynamic-analysis-report",
                "runtime-analysis-report", "component-analysis-report",
                "maturity-report", "certification-report", "codified-infrastructure",
                "quality-metrics", "poam", "other"}
PHASES = {"design", "pre-build", "build", "post-build", "operations", "discovery",
          "decommission"}

BOM_KEYS = {"$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata",
            "components", "services", "externalReferences", "dependencies", "compositions",
            "properties", "vulnerabilities", "annotations", "formulation", "signature"}
METADATA_KEYS = {"timestamp", "lifecycles", "tools", "authors", "component", "manufacture",
                 "supplier", "licenses", "properties"}
COMPONENT_KEYS = {"type", "mime-type", "bom-ref", "supplier", "author", "publisher", "group",
                  "name", "version", "description", "scope", "hashes", "licenses",
                  "copyright", "cpe", "purl", "swid", "modified", "pedigree",
                  "externalReferences", "properties", "components", "evidence",
                  "releaseNotes", "modelCard", "data", "signature"}
LICENSE_KEYS = {"bom-ref", "id", "name", "text", "url", "licensing", "properties"}
HASH_KEYS = {"alg", "content"}
DEP_KEYS = {"ref", "dependsOn"}
EXTREF_KEYS = {"url", "comment", "type", "hashes"}
PROPERTY_KEYS = {"name", "value"}

# SPDX licence list ids (a subset: the common ones; anything else must be LicenseRef-...
# or a licence "name").
SPDX_IDS = set("""
0BSD AFL-3.0 AGPL-1.0-only AGPL-1.0-or-later AGPL-3.0-only AGPL-3.0-or-later Apache-1.0
Apache-1.1 Apache-2.0 APSL-2.0 Artistic-1.0 Artistic-1.0-Perl Artistic-1.0-cl8 Artistic-2.0
Beerware BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause BSD-2-Clause-Patent BSD-3-Clause
BSD-3-Clause-Clear BSD-3-Clause-LBNL BSD-4-Clause BSD-4-Clause-UC BSD-Source-Code BSL-1.0
bzip2-1.0.6 CAL-1.0 CC-BY-1.0 CC-BY-2.0 CC-BY-2.5 CC-BY-3.0 CC-BY-4.0 CC-BY-SA-1.0
CC-BY-SA-2.0 CC-BY-SA-2.5 CC-BY-SA-3.0 CC-BY-SA-4.0 CC-BY-NC-4.0 CC-BY-ND-4.0 CC0-1.0
CDDL-1.0 CDDL-1.1 CECILL-2.1 CPL-1.0 curl ECL-2.0 EFL-2.0 EPL-1.0 EPL-2.0 EUPL-1.1 EUPL-1.2
FSFAP FSFUL FSFULLR FTL GFDL-1.1-only GFDL-1.1-or-later GFDL-1.2-only GFDL-1.2-or-later
GFDL-1.3-only GFDL-1.3-or-later GPL-1.0-only GPL-1.0-or-later GPL-2.0-only
GPL-2.0-or-later GPL-3.0-only GPL-3.0-or-later HPND ICU IJG ImageMagick Info-ZIP IPL-1.0
ISC JSON LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0-only
LGPL-3.0-or-later Libpng libpng-2.0 libtiff LPL-1.02 LPPL-1.3c MIT MIT-0 MIT-CMU MPL-1.0
MPL-1.1 MPL-2.0 MPL-2.0-no-copyleft-exception MS-PL MS-RL NCSA Net-SNMP NTP OFL-1.1
OpenSSL OSL-3.0 PHP-3.01 PostgreSQL PSF-2.0 Python-2.0 Qhull Ruby SGI-B-2.0 Sleepycat
SMLNJ Spencer-94 TCL Unicode-3.0 Unicode-DFS-2016 Unlicense UPL-1.0 Vim W3C W3C-20150513
WTFPL X11 XFree86-1.1 Zlib zlib-acknowledgement ZPL-2.1
""".split())
# The SPDX exceptions that may follow WITH in an expression.
SPDX_EXCEPTIONS = set("""
Autoconf-exception-2.0 Autoconf-exception-3.0 Bison-exception-2.2 Classpath-exception-2.0
GCC-exception-2.0 GCC-exception-3.1 LLVM-exception Linux-syscall-note OpenSSL-exception
""".split())

UUID_RE = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                        r"([Zz]|[+-]\d{2}:\d{2})$")
PURL_TYPE_RE = re.compile(r"^[a-z][a-z0-9.+-]*$")
PURL_QKEY_RE = re.compile(r"^[a-z][a-z0-9._-]*$")
PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
LICREF_RE = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")


class Checker:
    def __init__(self):
        self.errors = []
        self.refs = {}

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def typed(self, where, obj, key, typ, required=False):
        if key not in obj:
            if required:
                self.err(where, "required property '%s' is missing" % key)
            return None
        v = obj[key]
        ok = isinstance(v, typ) and not (typ is int and isinstance(v, bool))
        if not ok:
            self.err(where, "'%s' must be %s, is %s" % (key, getattr(typ, "__name__", typ),
                                                        type(v).__name__))
            return None
        return v

    def keys(self, where, obj, allowed):
        for k in obj:
            if k not in allowed:
                self.err(where, "property '%s' is not allowed by the 1.5 schema" % k)

    def timestamp(self, where, v):
        m = RFC3339_RE.match(v)
        if not m:
            self.err(where, "'%s' is not an RFC 3339 date-time" % v)
            return
        try:
            datetime.datetime(*[int(m.group(i)) for i in range(1, 6)],
                              min(int(m.group(6)), 59))
            if m.group(8) not in ("Z", "z"):
                h, mi = m.group(8)[1:].split(":")
                if int(h) > 23 or int(mi) > 59:
                    raise ValueError("offset")
        except ValueError:
            self.err(where, "'%s' is not a valid date-time" % v)

    def purl(self, where, p, version=None):
        if not p.startswith("pkg:"):
            self.err(where, "purl '%s' does not start with 'pkg:'" % p)
            return
        rest = p[4:].lstrip("/")
        if "#" in rest:
            rest, sub = rest.split("#", 1)
            if not sub or PCT_RE.search(sub):
                self.err(where, "purl '%s': bad subpath" % p)
        if "?" in rest:
            rest, qs = rest.split("?", 1)
            seen = set()
            for pair in qs.split("&"):
                k, eq, v = pair.partition("=")
                if not eq or not PURL_QKEY_RE.match(k) or not v or PCT_RE.search(v):
                    self.err(where, "purl '%s': bad qualifier '%s'" % (p, pair))
                elif k in seen:
                    self.err(where, "purl '%s': qualifier '%s' repeated" % (p, k))
                seen.add(k)
        if "@" not in rest:
            self.err(where, "purl '%s' has no @version" % p)
            return
        path, ver = rest.rsplit("@", 1)
        if not ver or PCT_RE.search(ver) or "/" in ver:
            self.err(where, "purl '%s': bad version '%s'" % (p, ver))
        segs = path.split("/")
        if len(segs) < 2 or not all(segs):
            self.err(where, "purl '%s' is not pkg:type[/namespace]/name@version" % p)
            return
        if not PURL_TYPE_RE.match(segs[0]):
            self.err(where, "purl '%s': bad type '%s'" % (p, segs[0]))
        for s in segs[1:]:
            if PCT_RE.search(s) or any(c in s for c in "@?# "):
                self.err(where, "purl '%s': bad segment '%s'" % (p, s))
        if segs[0] in ("deb", "rpm", "apk", "maven", "github", "bitbucket") and len(segs) < 3:
            self.err(where, "purl '%s': type %s needs a namespace" % (p, segs[0]))
        if version is not None:
            dec = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), ver)
            if dec != version:
                self.err(where, "purl version '%s' differs from the component's '%s'"
                         % (dec, version))

    def spdx_expression(self, where, expr):
        toks = re.findall(r"\(|\)|[^\s()]+", expr)
        if not toks:
            self.err(where, "empty licence expression")
        prev_with = False
        for t in toks:
            if t in ("(", ")", "AND", "OR", "WITH"):
                prev_with = t == "WITH"
                continue
            ok = (t in SPDX_EXCEPTIONS) if prev_with else \
                (t.rstrip("+") in SPDX_IDS or LICREF_RE.match(t))
            if not ok:
                self.err(where, "'%s' in expression '%s' is not an SPDX id" % (t, expr))
            prev_with = False

    def licenses(self, where, lics):
        if not isinstance(lics, list):
            self.err(where, "'licenses' must be an array")
            return
        exprs = [x for x in lics if isinstance(x, dict) and "expression" in x]
        if exprs and len(lics) != 1:
            self.err(where, "an 'expression' licence choice must be the only item")
        for i, item in enumerate(lics):
            w = "%s.licenses[%d]" % (where, i)
            if not isinstance(item, dict):
                self.err(w, "must be an object")
                continue
            if "expression" in item:
                self.keys(w, item, {"expression", "bom-ref"})
                e = self.typed(w, item, "expression", str, True)
                if e is not None:
                    self.spdx_expression(w, e)
                continue
            self.keys(w, item, {"license"})
            lic = self.typed(w, item, "license", dict, True)
            if lic is None:
                continue
            self.keys(w + ".license", lic, LICENSE_KEYS)
            has = [k for k in ("id", "name") if k in lic]
            if len(has) != 1:
                self.err(w, "a licence needs exactly one of 'id' and 'name' (has %s)"
                         % (", ".join(has) or "neither"))
            if "id" in lic:
                v = self.typed(w, lic, "id", str)
                if v is not None and v not in SPDX_IDS and not LICREF_RE.match(v):
                    self.err(w, "'%s' is not an SPDX licence id" % v)
            if "name" in lic:
                v = self.typed(w, lic, "name", str)
                if v is not None and not v.strip():
                    self.err(w, "empty licence name")

    def hashes(self, where, hs):
        if not isinstance(hs, list):
            self.err(where, "'hashes' must be an array")
            return
        for i, h in enumerate(hs):
            w = "%s.hashes[%d]" % (where, i)
            if not isinstance(h, dict):
                self.err(w, "must be an object")
                continue
            self.keys(w, h, HASH_KEYS)
            alg = self.typed(w, h, "alg", str, True)
            content = self.typed(w, h, "content", str, True)
            if alg is not None and alg not in HASH_LEN:
                self.err(w, "unknown hash algorithm '%s'" % alg)
            elif alg is not None and content is not None:
                n = HASH_LEN[alg]
                if not re.match(r"^[0-9a-fA-F]+$", content) or (n and len(content) != n):
                    self.err(w, "%s content must be %s hex digits" % (alg, n or "some"))

    def properties(self, where, props):
        if not isinstance(props, list):
            self.err(where, "'properties' must be an array")
            return
        for i, p in enumerate(props):
            w = "%s.properties[%d]" % (where, i)
            if not isinstance(p, dict):
                self.err(w, "must be an object")
                continue
            self.keys(w, p, PROPERTY_KEYS)
            self.typed(w, p, "name", str, True)
            self.typed(w, p, "value", str)

    def component(self, where, c):
        if not isinstance(c, dict):
            self.err(where, "a component must be an object")
            return
        self.keys(where, c, COMPONENT_KEYS)
        t = self.typed(where, c, "type", str, True)
        if t is not None and t not in COMPONENT_TYPES:
            self.err(where, "type '%s' is not one of the 1.5 component types" % t)
        name = self.typed(where, c, "name", str, True)
        if name is not None and not name:
            self.err(where, "empty name")
        version = self.typed(where, c, "version", str)
        for k in ("description", "publisher", "group", "author", "copyright", "cpe",
                  "mime-type"):
            self.typed(where, c, k, str)
        ref = self.typed(where, c, "bom-ref", str)
        if ref is not None:
            if not ref:
                self.err(where, "empty bom-ref")
            elif ref in self.refs:
                self.err(where, "bom-ref '%s' is not unique (also %s)" % (ref, self.refs[ref]))
            else:
                self.refs[ref] = where
        s = self.typed(where, c, "scope", str)
        if s is not None and s not in SCOPES:
            self.err(where, "scope '%s' is not one of %s" % (s, sorted(SCOPES)))
        p = self.typed(where, c, "purl", str)
        if p is not None:
            self.purl(where, p, version)
        if "licenses" in c:
            self.licenses(where, c["licenses"])
        if "hashes" in c:
            self.hashes(where, c["hashes"])
        if "properties" in c:
            self.properties(where, c["properties"])
        refs = self.typed(where, c, "externalReferences", list) or []
        for i, e in enumerate(refs):
            w = "%s.externalReferences[%d]" % (where, i)
            if not isinstance(e, dict):
                self.err(w, "must be an object")
                continue
            self.keys(w, e, EXTREF_KEYS)
            self.typed(w, e, "url", str, True)
            t = self.typed(w, e, "type", str, True)
            if t is not None and t not in EXTREF_TYPES:
                self.err(w, "external reference type '%s' is not in the 1.5 enum" % t)
        for i, sub in enumerate(self.typed(where, c, "components", list) or []):
            self.component("%s.components[%d]" % (where, i), sub)

    def bom(self, b):
        if not isinstance(b, dict):
            self.err("bom", "the document must be a JSON object")
            return
        self.keys("bom", b, BOM_KEYS)
        if self.typed("bom", b, "bomFormat", str, True) not in (None, "CycloneDX"):
            self.err("bom", "bomFormat must be 'CycloneDX'")
        sv = self.typed("bom", b, "specVersion", str, True)
        if sv is not None and sv != "1.5":
            self.err("bom", "specVersion is '%s', this checker validates '1.5'" % sv)
        sn = self.typed("bom", b, "serialNumber", str)
        if sn is not None and not UUID_RE.match(sn):
            self.err("bom", "serialNumber '%s' does not match ^urn:uuid:<uuid>$" % sn)
        v = self.typed("bom", b, "version", int)
        if v is not None and v < 1:
            self.err("bom", "version must be >= 1")
        md = self.typed("bom", b, "metadata", dict)
        if md is not None:
            self.keys("metadata", md, METADATA_KEYS)
            ts = self.typed("metadata", md, "timestamp", str)
            if ts is not None:
                self.timestamp("metadata.timestamp", ts)
            for i, lc in enumerate(self.typed("metadata", md, "lifecycles", list) or []):
                ph = lc.get("phase") if isinstance(lc, dict) else None
                if ph is not None and ph not in PHASES:
                    self.err("metadata.lifecycles[%d]" % i, "phase '%s' not in the enum" % ph)
                elif ph is None and not (isinstance(lc, dict) and "name" in lc):
                    self.err("metadata.lifecycles[%d]" % i, "needs 'phase' or 'name'")
            tools = md.get("tools")
            if isinstance(tools, dict):
                self.keys("metadata.tools", tools, {"components", "services"})
                for i, t in enumerate(self.typed("metadata.tools", tools, "components", list)
                                      or []):
                    self.component("metadata.tools.components[%d]" % i, t)
            elif isinstance(tools, list):  # the deprecated 1.4 form is still valid in 1.5
                for i, t in enumerate(tools):
                    if not isinstance(t, dict):
                        self.err("metadata.tools[%d]" % i, "must be an object")
            elif tools is not None:
                self.err("metadata", "'tools' must be an object or an array")
            if "component" in md:
                self.component("metadata.component", md["component"])
            if "licenses" in md:
                self.licenses("metadata", md["licenses"])
        comps = self.typed("bom", b, "components", list)
        for i, c in enumerate(comps or []):
            self.component("components[%d]" % i, c)
        deps = self.typed("bom", b, "dependencies", list)
        seen = set()
        for i, d in enumerate(deps or []):
            w = "dependencies[%d]" % i
            if not isinstance(d, dict):
                self.err(w, "must be an object")
                continue
            self.keys(w, d, DEP_KEYS)
            ref = self.typed(w, d, "ref", str, True)
            if ref is not None:
                if ref in seen:
                    self.err(w, "ref '%s' appears twice" % ref)
                seen.add(ref)
                if ref not in self.refs:
                    self.err(w, "ref '%s' is no component's bom-ref" % ref)
            on = self.typed(w, d, "dependsOn", list) or []
            if len(set(map(str, on))) != len(on):
                self.err(w, "dependsOn has duplicates")
            for x in on:
                if not isinstance(x, str) or x not in self.refs:
                    self.err(w, "dependsOn '%s' is no component's bom-ref" % x)
                elif x == ref:
                    self.err(w, "'%s' depends on itself" % x)


def check(bom):
    c = Checker()
    c.bom(bom)
    return c.errors


def self_test(bom):
    """Each mutation must be rejected; returns the list of mutations that were not."""
    def mut(fn):
        b = copy.deepcopy(bom)
        fn(b)
        return b

    def first_license(b):
        for c in b["components"]:
            for l in c.get("licenses", []):
                if "license" in l:
                    return l["license"]
        raise SystemExit("self-test: no licence object to mutate")

    cases = {
        "specVersion 1.4": lambda b: b.__setitem__("specVersion", "1.4"),
        "bomFormat missing": lambda b: b.pop("bomFormat"),
        "serialNumber not a urn:uuid": lambda b: b.__setitem__("serialNumber", "1234"),
        "version 0": lambda b: b.__setitem__("version", 0),
        "version a string": lambda b: b.__setitem__("version", "1"),
        "unknown top-level property": lambda b: b.__setitem__("extra", 1),
        "timestamp not RFC 3339": lambda b: b["metadata"].__setitem__("timestamp",
                                                                      "2026-01-01 10:00"),
        "component type not in enum": lambda b: b["components"][0].__setitem__("type", "lib"),
        "component name missing": lambda b: b["components"][0].pop("name"),
        "duplicate bom-ref": lambda b: b["components"][1].__setitem__(
            "bom-ref", b["components"][0]["bom-ref"]),
        "dependency ref unresolved": lambda b: b["dependencies"].append(
            {"ref": "pkg:generic/nothing@1", "dependsOn": []}),
        "dependsOn unresolved": lambda b: b["dependencies"][0]["dependsOn"].append("ghost"),
        "purl without pkg:": lambda b: b["components"][0].__setitem__(
            "purl", b["components"][0]["purl"][4:]),
        "purl without version": lambda b: b["components"][0].__setitem__(
            "purl", b["components"][0]["purl"].split("@")[0]),
        "purl version differs": lambda b: b["components"][0].__setitem__(
            "version", "9.9.9"),
        "licence with id and name": lambda b: first_license(b).__setitem__("name", "x"),
        "licence with neither": lambda b: (first_license(b).pop("id", None),
                                           first_license(b).pop("name", None)),
        "licence id not SPDX": lambda b: first_license(b).__setitem__("id", "GPL-2+"),
        "hash of wrong length": lambda b: b["components"][0].__setitem__(
            "hashes", [{"alg": "SHA-256", "content": "abc"}]),
        "scope not in enum": lambda b: b["components"][0].__setitem__("scope", "build"),
    }
    missed = []
    for name, fn in cases.items():
        if not check(mut(fn)):
            missed.append(name)
    return len(cases), missed


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1 or any(a not in ("--self-test",) for a in argv[1:] if a.startswith("--")):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            bom = json.load(f)
    except (OSError, ValueError) as e:
        print("sbom_check: %s: %s" % (args[0], e), file=sys.stderr)
        return 1
    errors = check(bom)
    for e in errors:
        print("sbom_check: %s: %s" % (args[0], e), file=sys.stderr)
    if errors:
        print("sbom_check: %s: INVALID (%d problems)" % (args[0], len(errors)), file=sys.stderr)
        return 1
    n = len(bom.get("components", []))
    print("sbom_check: %s: valid CycloneDX 1.5 (%d components, %d dependency entries)"
          % (args[0], n, len(bom.get("dependencies", []))))
    if "--self-test" in argv:
        total, missed = self_test(bom)
        if missed:
            print("sbom_check: self-test: planted violations NOT detected: %s"
                  % "; ".join(missed), file=sys.stderr)
            return 1
        print("sbom_check: self-test: %d/%d planted violations rejected" % (total, total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
